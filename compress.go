package session

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/fastjwt/session/fastjwt"
)

// Payload compression (Config.Compress). The session's data members, all but the registered
// claims a verifier must see ("iss", "sub", "aud", "nbf") and the ones the session layer manages,
// are written as one JSON object, compressed with raw DEFLATE (RFC 1951, compress/flate at its
// best compression) and carried base64url-encoded in the one claim "_deflate" beside the others:
//
//	{"sub":"alice","_deflate":"q1bKS81VslIqSS0uUaoFAA","auth_time":...,"iat":...,"exp":...,"jti":...}
//
// The claim is the marker: a reader knows the data is compressed because it is there, whatever
// its own Config.Compress. It is opened only after the codec verified the token's signature and
// claims, and inflated streaming into a buffer that stops at the cap (maxInflated), so that a
// bomb (a few bytes that inflate to megabytes) costs at most the cap.
//
// DEFLATE, not zlib's wrapper (its Adler-32 adds nothing the signature does not already give),
// nor a better codec: the standard library has no zstd or brotli, and cookies are short enough
// that DEFLATE's lack of a trained dictionary, not its entropy coder, is what limits the ratio.

// compressedClaim is the claim holding the compressed data.
const compressedClaim = "_deflate"

// Limits of decompression.
const (
	// MaxInflatedSize is the most a compressed session inflates to: 64 KiB, the codec's default
	// token size cap.
	MaxInflatedSize = 64 << 10
	// DefaultMaxCompressionRatio is the cap on inflated/compressed size when
	// Config.MaxCompressionRatio is zero. Profile data compresses 2 to 5 times; a ratio of 20
	// leaves room for repetitive sessions and refuses what only a bomb reaches.
	DefaultMaxCompressionRatio = 20
)

// ErrCompressed: a verified token's compressed data could not be read: not base64url, not
// DEFLATE, inflating past the cap (a bomb), not a JSON object, or holding a name it must not
// (a registered or managed claim, or one also outside it). The request gets a new session.
var ErrCompressed = errors.New("session: invalid compressed session data")

var (
	deflaters sync.Pool // *flate.Writer
	inflaters sync.Pool // *inflater
)

// inflater is a DEFLATE reader with the reader of its input, pooled together.
type inflater struct {
	src bytes.Reader
	r   io.ReadCloser // a flate.Resetter
}

// appendDeflate appends the raw DEFLATE of src to dst.
func appendDeflate(dst, src []byte) []byte {
	buf := bytes.NewBuffer(dst)
	w, _ := deflaters.Get().(*flate.Writer)
	if w == nil {
		w, _ = flate.NewWriter(buf, flate.BestCompression) // the level is valid: no error
	} else {
		w.Reset(buf)
	}
	_, _ = w.Write(src) // a bytes.Buffer does not fail
	_ = w.Close()
	deflaters.Put(w)
	return buf.Bytes()
}

// appendInflate appends to dst the inflation of src, refusing output past limit bytes. It reads
// in steps, so that dst never grows past limit plus one step, whatever src claims.
func appendInflate(dst, src []byte, limit int) ([]byte, error) {
	z, _ := inflaters.Get().(*inflater)
	if z == nil {
		z = &inflater{}
		z.src.Reset(src)
		z.r = flate.NewReader(&z.src)
	} else {
		z.src.Reset(src)
		if err := z.r.(flate.Resetter).Reset(&z.src, nil); err != nil {
			return dst, err
		}
	}
	defer func() {
		z.src.Reset(nil) // keep no reference to the request's bytes
		inflaters.Put(z)
	}()
	fr := z.r
	start := len(dst)
	const step = 512
	for {
		if cap(dst)-len(dst) < step {
			dst = append(dst[:cap(dst)], make([]byte, step)...)[:len(dst)]
		}
		n, err := fr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > limit {
			return dst[:start], fmt.Errorf("%w: inflates past %d bytes", ErrCompressed, limit)
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst[:start], fmt.Errorf("%w: %w", ErrCompressed, err)
		}
	}
}

// inflateLimit is the cap for compressed bytes of length n: the smaller of MaxInflatedSize and
// the configured ratio times n.
func (m *Manager) inflateLimit(n int) int {
	return min(MaxInflatedSize, m.cfg.MaxCompressionRatio*n)
}

// compressible reports whether the entry named name goes into the compressed object: every data
// member but the registered claims, which verifiers must read.
func compressible(name []byte) bool { return !isRegistered(string(name)) }

// appendMembers appends the members of s.entries as the session's payload members (each
// followed by a comma), with the compressible ones in the "_deflate" claim when Config.Compress
// is set and that makes the payload shorter, and the compressed form is within the cap readers
// apply (a highly repetitive session is written plain).
func (s *Session) appendMembers(b []byte) []byte {
	if !s.m.cfg.Compress {
		return appendEntries(b, s.entries, nil)
	}
	// The plain form first, then the compressed one after it; keep the shorter.
	start := len(b)
	b = appendEntries(b, s.entries, nil)
	plainEnd := len(b)
	obj := append(b, '{')
	n := len(obj)
	obj = appendEntries(obj, s.entries, compressible)
	if len(obj) == n {
		return b[:plainEnd] // nothing to compress
	}
	obj[len(obj)-1] = '}' // the last comma
	objStart := n - 1
	z := appendDeflate(obj, obj[objStart:])
	zStart := len(obj)
	if len(obj)-objStart > s.m.inflateLimit(len(z)-zStart) {
		// Readers would refuse it as a bomb: a write that succeeds must be readable.
		return b[:plainEnd]
	}
	packed := appendEntries(z, s.entries, func(name []byte) bool { return !compressible(name) })
	packed = append(packed, `"`+compressedClaim+`":"`...)
	packed = base64.RawURLEncoding.AppendEncode(packed, z[zStart:len(z)])
	packed = append(packed, '"', ',')
	packedStart := len(z)
	if len(packed)-packedStart >= plainEnd-start {
		return packed[:plainEnd]
	}
	// Move the compressed form into place, after what preceded the members.
	size := copy(packed[start:], packed[packedStart:])
	return packed[:start+size]
}

// appendEntries appends "name":value, for each entry for which keep is nil or true.
func appendEntries(b []byte, entries []entry, keep func(name []byte) bool) []byte {
	for _, e := range entries {
		if keep != nil && !keep(e.name) {
			continue
		}
		b = appendQuoted(b, string(e.name))
		b = append(b, ':')
		b = append(b, e.value...)
		b = append(b, ',')
	}
	return b
}

// expand replaces a verified payload holding "_deflate" with the payload it stands for: the
// inflated members, then the others. A payload without the claim is left as it is.
func (s *Session) expand() error {
	var packed []byte
	_ = fastjwt.EachMember(s.payload, func(name, value []byte) bool {
		if string(name) == `"`+compressedClaim+`"` {
			packed = value
			return false
		}
		return true
	})
	if packed == nil {
		return nil
	}
	if len(packed) < 2 || packed[0] != '"' || bytes.IndexByte(packed, '\\') >= 0 {
		return fmt.Errorf("%w: not a base64url string", ErrCompressed)
	}
	var err error
	s.scratch, err = base64.RawURLEncoding.Strict().AppendDecode(s.scratch[:0], packed[1:len(packed)-1])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCompressed, err)
	}
	out, err := appendInflate(s.zbuf[:0], s.scratch, s.m.inflateLimit(len(s.scratch)))
	if err != nil {
		s.zbuf = out[:0]
		return err
	}
	// The inflated object must hold only data members, none of them also outside it.
	n := len(out)
	var bad []byte
	err = fastjwt.EachMember(out, func(name, _ []byte) bool {
		if !dataName(name) {
			bad = name
			return false
		}
		return true
	})
	switch {
	case err != nil:
		err = fmt.Errorf("%w: %w", ErrCompressed, err)
	case bad != nil:
		err = fmt.Errorf("%w: it holds %s", ErrCompressed, bad)
	case n < 2 || out[0] != '{':
		err = fmt.Errorf("%w: not a JSON object", ErrCompressed)
	}
	if err != nil {
		s.zbuf = out[:0]
		return err
	}
	// {inner members} + {outer members but "_deflate"} = {inner, outer}.
	merged := out[:n-1]
	inner := n > 2
	_ = fastjwt.EachMember(s.payload, func(name, value []byte) bool {
		if string(name) == `"`+compressedClaim+`"` {
			return true
		}
		if inner || len(merged) > n-1 {
			merged = append(merged, ',')
		}
		merged = append(merged, name...)
		merged = append(merged, ':')
		merged = append(merged, value...)
		return true
	})
	merged = append(merged, '}')
	if err := fastjwt.EachMember(merged, func(_, _ []byte) bool { return true }); err != nil {
		s.zbuf = merged[:0]
		return fmt.Errorf("%w: %w", ErrCompressed, err)
	}
	s.payload, s.zbuf = merged, s.payload[:0]
	return nil
}

// dataName reports whether the raw JSON name may be a member of the compressed object: not one
// the session layer manages, nor a registered claim the codec must see, in any spelling.
func dataName(name []byte) bool {
	var buf [32]byte
	n := name[1 : len(name)-1]
	if bytes.IndexByte(n, '\\') >= 0 {
		if len(n) > 64 {
			return true // longer than any of those names, even escaped
		}
		n, _ = fastjwt.AppendString(buf[:0], name)
	}
	return !isReserved(string(n)) && !isRegistered(string(n))
}
