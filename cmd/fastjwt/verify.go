package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// unixFlag is a flag.Value for a time given as seconds since the epoch (see parseUnix).
type unixFlag struct{ t *time.Time }

func (v unixFlag) String() string { return "" }

func (v unixFlag) Set(s string) error {
	t, err := parseUnix(s)
	if err != nil {
		return err
	}
	*v.t = t
	return nil
}

func runVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify")
	var kf keyFlags
	kf.register(fs)
	var now time.Time
	fs.Var(unixFlag{&now}, "now", "the clock: `UNIX` seconds since the epoch, may be fractional, e.g. 1700000000.5\n(at most 9 fractional digits; default: the system clock)")
	var leeway time.Duration
	fs.Var(durationFlag{&leeway}, "leeway", "allowed clock skew for exp and nbf, a `DURATION` such as 30s (default 0s)")
	var isses, auds, required listFlag
	fs.Var(&isses, "iss", "expected issuer; repeatable: a token of any of them (at most 8)")
	fs.Var(&auds, "aud", "expected audience, in a string or an array \"aud\"; repeatable: any of them")
	typesFlag := fs.String("types", "", "accept only these token types (\"typ\"), a `LIST` of none, JWT, at+jwt, session+jwt,\nas the gateway's --types (default: any); checked before the audience (ErrPurpose)")
	fs.Var(&required, "require-claim", "the claim `NAME` must be present (ErrMissingClaim); repeatable")
	sub := fs.String("sub", "", "the \"sub\" the token must have, exactly (ErrSubject)")
	var maxAuthAge time.Duration
	fs.Var(durationFlag{&maxAuthAge}, "max-auth-age", "refuse a token whose \"auth_time\" (or \"iat\") is this `DURATION` old, whatever the\nleeway, or that has neither (ErrAuthAge), as the gateway's --max-auth-age")
	anyAud := fs.Bool("accept-any-audience", false, "without --aud, accept tokens carrying \"aud\" (by default refused,\nRFC 7519 sec. 4.1.3); whoever uses the payload checks aud")
	futureIat := fs.Bool("reject-future-iat", false, "refuse a token whose \"iat\" is after now plus the leeway")
	raw := fs.Bool("raw", false, "stdin is exactly one token")
	fs.StringVar(&kf.jwks, "jwks", "", "the keys: the JWK Set in the file at `PATH`, or fetched once from an\nhttp:// or https:// URL; chosen by the token's \"kid\", each with its \"alg\"\n(or the one its key type implies)")
	kf.registerIssuerURL(fs, "fetched once")
	fs.Var(durationFlag{&kf.jwksTimeout}, "jwks-timeout", "with --jwks URL or --issuer-url: the longest a fetch may take, a `DURATION` (5s)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := setFlags(fs)
	var opts []fastjwt.Option
	if set["now"] {
		opts = append(opts, fastjwt.WithClock(func() time.Time { return now }))
	}
	opts = append(opts, fastjwt.WithLeeway(leeway))
	if *anyAud {
		opts = append(opts, fastjwt.AcceptAnyAudience())
	}
	if *futureIat {
		opts = append(opts, fastjwt.RejectFutureIssuedAt())
	}
	var types []fastjwt.Type
	if set["types"] {
		var msg string
		if types, msg = parseTypes(*typesFlag); msg != "" {
			return usageError(stderr, "verify", "--types: %s", msg)
		}
	}
	for _, name := range required {
		if name == "" {
			return usageError(stderr, "verify", "--require-claim: empty: give the name of a claim")
		}
	}
	// One codec for each pair of --iss and --aud ("" and unset: none of them).
	var codecs []*fastjwt.Codec
	for _, iss := range orNone(isses) {
		for _, aud := range orNone(auds) {
			o := opts
			if iss != nil {
				o = append(o[:len(o):len(o)], fastjwt.WithIssuer(*iss))
			}
			if aud != nil {
				o = append(o[:len(o):len(o)], fastjwt.WithAudience(*aud))
			}
			c, err := kf.codec(fs, false, o...)
			if err != nil {
				return usageError(stderr, "verify", "%v", err)
			}
			codecs = append(codecs, c)
		}
	}
	v := verifier{c: codecs[0], out: bufio.NewWriter(stdout)}
	if len(codecs) > 1 || set["types"] || set["require-claim"] || set["sub"] || set["max-auth-age"] {
		var subject *string
		if set["sub"] {
			subject = sub
		}
		clock := time.Now
		if set["now"] {
			clock = func() time.Time { return now }
		}
		p, err := newPolicy(codecs, types, required, subject, maxAuthAge, clock)
		if err != nil {
			return usageError(stderr, "verify", "%v", err)
		}
		v.p = p
	}
	in := bufio.NewReaderSize(stdin, 64<<10)
	var err error
	if *raw {
		err = v.raw(in)
	} else {
		err = v.lines(in)
	}
	if err == nil {
		err = v.out.Flush()
	}
	if err != nil {
		return usageError(stderr, "verify", "%v", err)
	}
	if v.tokens == 0 {
		return usageError(stderr, "verify", "no token on standard input")
	}
	if v.invalid > 0 {
		return exitInvalid
	}
	return exitOK
}

// verifier verifies tokens and writes one JSON line for each.
type verifier struct {
	c       *fastjwt.Codec
	p       *policy // with the policy flags, which verify instead of c
	out     *bufio.Writer
	payload []byte // reused buffer for verified payloads
	line    []byte // reused buffer for the output line
	tokens  int    // tokens read
	invalid int    // tokens refused
}

var errLineTooLarge = fmt.Errorf("%w: input line longer than %d bytes", fastjwt.ErrTooLarge, maxLine)

// lines verifies each '\n'-terminated line of in. A line longer than maxLine is discarded as it
// is read and reported as too large.
func (v *verifier) lines(in *bufio.Reader) error {
	var tok []byte
	for {
		tok = tok[:0]
		tooLarge, sawAny, eof := false, false, false
		for {
			// Before a read that may block (a pipe fed a token at a time), let the caller see
			// the results so far.
			if in.Buffered() == 0 {
				if err := v.out.Flush(); err != nil {
					return err
				}
			}
			chunk, err := in.ReadSlice('\n')
			if len(chunk) > 0 {
				sawAny = true
			}
			if !tooLarge {
				if len(tok)+len(chunk) > maxLine+1 { // +1: the '\n' is not part of the token
					tooLarge, tok = true, tok[:0]
				} else {
					tok = append(tok, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
			break
		}
		if eof && !sawAny {
			return nil // nothing after the last '\n': no further token
		}
		v.tokens++
		if tooLarge {
			if err := v.reject(errLineTooLarge); err != nil {
				return err
			}
		} else {
			if n := len(tok); n > 0 && tok[n-1] == '\n' {
				tok = tok[:n-1]
			}
			if err := v.verify(tok); err != nil {
				return err
			}
		}
		if eof {
			return nil
		}
	}
}

// raw verifies all of in as one token.
func (v *verifier) raw(in io.Reader) error {
	tok, err := io.ReadAll(io.LimitReader(in, maxLine+1))
	if err != nil {
		return err
	}
	if len(tok) > maxLine {
		if _, err := io.Copy(io.Discard, in); err != nil {
			return err
		}
		v.tokens++
		return v.reject(errLineTooLarge)
	}
	if len(tok) == 0 {
		return nil // no input: no token
	}
	v.tokens++
	return v.verify(tok)
}

func (v *verifier) verify(tok []byte) error {
	var err error
	if v.p != nil {
		v.payload, err = v.p.verify(v.payload[:0], tok)
	} else {
		v.payload, err = v.c.AppendVerify(v.payload[:0], tok)
	}
	if err != nil {
		return v.reject(err)
	}
	// The codec accepted the header, so it is canonical base64url of one JSON object. Both parts
	// are compacted, which only drops insignificant whitespace (never escapes anything), so that
	// each token gets exactly one line.
	hdr, derr := base64.RawURLEncoding.DecodeString(string(tok[:bytes.IndexByte(tok, '.')]))
	line := bytes.NewBuffer(v.line[:0])
	line.WriteString(`{"valid":true,"header":`)
	if derr == nil {
		derr = json.Compact(line, hdr)
	}
	line.WriteString(`,"payload":`)
	if derr == nil {
		derr = json.Compact(line, v.payload)
	}
	if derr != nil { // cannot happen for a token the codec verified; never print a broken line
		return v.reject(fmt.Errorf("%w: %v", fastjwt.ErrMalformed, derr))
	}
	line.WriteString("}\n")
	v.line = line.Bytes()
	_, err = v.out.Write(v.line)
	return err
}

func (v *verifier) reject(err error) error {
	v.invalid++
	name := policyErrorName(err) // first: ErrAuthAge also matches fastjwt.ErrExpired
	if name == "" {
		name = fastjwt.ErrorName(err)
	}
	if name == "" {
		name = "ErrInvalid"
	}
	msg, _ := json.Marshal(name + ": " + cliWording(err.Error())) // a string always marshals
	line := append(v.line[:0], `{"valid":false,"error":`...)
	line = append(append(line, msg...), "}\n"...)
	v.line = line
	_, err = v.out.Write(line)
	return err
}

// orNone returns pointers to the values of a repeatable flag, or one nil when it was not given.
func orNone(values []string) []*string {
	if len(values) == 0 {
		return []*string{nil}
	}
	out := make([]*string, len(values))
	for i := range values {
		out[i] = &values[i]
	}
	return out
}

// parseUnix parses seconds since the epoch, written as an optional '-', decimal digits, and
// optionally '.' and one to nine more digits. It is exact: the digits are read as integers, never
// through a float, so "1700000000.5" is time.Unix(1700000000, 500000000).
func parseUnix(s string) (time.Time, error) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if !allDigits(intPart) {
		return time.Time{}, errors.New("is not a number of seconds (digits, optionally '.' and up to 9 more digits)")
	}
	if hasFrac && !allDigits(frac) {
		return time.Time{}, errors.New("is not a number of seconds (digits, optionally '.' and up to 9 more digits)")
	}
	if len(frac) > 9 {
		return time.Time{}, errors.New("has more than 9 fractional digits (the clock has nanosecond precision)")
	}
	sec, err := strconv.ParseInt(intPart, 10, 64)
	// time.Unix adds about 6.2e10 seconds internally; keep far from int64's limits.
	if err != nil || sec > 1<<62 {
		return time.Time{}, errors.New("is out of range")
	}
	var nsec int64
	if frac != "" {
		n, _ := strconv.ParseInt(frac, 10, 64) // at most 9 digits: fits
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
