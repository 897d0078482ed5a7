package fastjwt

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// A strict, allocation-free JSON scanner (RFC 8259) for headers and payloads. It validates as it
// goes: strict UTF-8 (RFC 3629), no unpaired surrogate escapes (I-JSON, RFC 7493 sec. 2.1), no
// duplicate member names in any object (compared after unescaping), no leading zeros or other
// non-RFC number forms, and nesting no deeper than maxDepth. It builds no tree: callers walk the
// top-level object (scanPayload, objectIter) and read just the members they need. Only an object
// of more than 16 members costs an allocation, a map that keeps its duplicate check linear.

// maxDepth bounds nesting of objects and arrays, so recursion is bounded by it, not by input.
const maxDepth = 64

var (
	errJSONSyntax    = errorf(ErrMalformed, "invalid JSON")
	errJSONNotObject = errorf(ErrMalformed, "JSON text is not one object")
	errJSONDuplicate = errorf(ErrMalformed, "duplicate member name in JSON object")
	errJSONUTF8      = errorf(ErrMalformed, "invalid UTF-8 in JSON string")
	errJSONEscape    = errorf(ErrMalformed, "invalid escape or unpaired surrogate in JSON string")
	errJSONControl   = errorf(ErrMalformed, "control character in JSON string")
	errJSONNumber    = errorf(ErrMalformed, "invalid JSON number")
	errJSONDepth     = errorf(ErrMalformed, "JSON nested too deeply")
)

// plainStringByte marks the ASCII bytes a JSON string may hold without escaping.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) skipSpace() { s.pos = skipSpace(s.data, s.pos) }

// skipSpace returns the index of the first byte at or after i that is not JSON whitespace.
// Scanning works on (data, index) in locals where it can: a position kept in a struct behind a
// pointer would be stored and reloaded at every token.
func skipSpace(d []byte, i int) int {
	for i < len(d) && d[i] <= ' ' && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// peek returns the byte at the current position, or 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// atEnd skips trailing whitespace and reports whether nothing else follows.
func (s *scanner) atEnd() bool {
	s.skipSpace()
	return s.pos == len(s.data)
}

// str scans the string starting at the current position (a '"').
func (s *scanner) str() (jsonString, error) {
	js, end, err := scanString(s.data, s.pos)
	if err == nil {
		s.pos = end
	}
	return js, err
}

// scanString scans the string whose opening quote is at d[i] and returns it and the index
// after its closing quote.
func scanString(d []byte, i int) (jsonString, int, error) {
	end, code := skipString(d, i)
	if code > stringEscaped {
		return jsonString{}, i, stringErrors[code]
	}
	return jsonString{raw: d[i+1 : end-1], esc: code == stringEscaped, ok: true}, end, nil
}

// Results of skipString. Its hot loop returns an index and a small code, which stay in
// registers, instead of a string value and an error.
const (
	stringPlain uint8 = iota
	stringEscaped
	stringBadEscape
	stringControl
	stringBadUTF8
	stringUnterminated
)

var stringErrors = [...]error{
	stringBadEscape:    errJSONEscape,
	stringControl:      errJSONControl,
	stringBadUTF8:      errJSONUTF8,
	stringUnterminated: errJSONSyntax,
}

// skipString returns the index after the closing quote of the string whose opening quote is at
// d[i], and stringPlain or stringEscaped; or an error code.
func skipString(d []byte, i int) (int, uint8) {
	code := stringPlain
	for i++; i < len(d); {
		// Eight bytes at a time: the lowest flagged lane is the first byte that is not plain
		// string content. Fewer than eight bytes from the end, byte by byte.
		for i+8 <= len(d) {
			w := binary.LittleEndian.Uint64(d[i:])
			if m := specialBytes(w); m != 0 {
				lane := bits.TrailingZeros64(m) &^ 7
				i += lane >> 3
				// The closing quote, the usual first special byte, is read from the word
				// already loaded rather than loaded again.
				if byte(w>>lane) == '"' {
					return i + 1, code
				}
				goto special
			}
			i += 8
		}
		for i < len(d) && plainStringByte[d[i]] {
			i++
		}
		if i >= len(d) {
			break
		}
	special:
		switch c := d[i]; {
		case c == '"':
			return i + 1, code
		case c == '\\':
			n := escapeLen(d[i:])
			if n == 0 {
				return i, stringBadEscape
			}
			i += n
			code = stringEscaped
		case c < 0x20:
			return i, stringControl
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return i, stringBadUTF8
			}
			i += size
		}
	}
	return i, stringUnterminated
}

// specialBytes flags, with the high bit of its lane, each byte of w (eight bytes of a string,
// little-endian) that is not plain ASCII string content: a control character, '"', '\\', or a
// byte of a multi-byte UTF-8 sequence. The subtraction tricks can flag a lane above a flagged
// one by a borrow, never below it, so the lowest flagged lane is exact.
func specialBytes(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	less := (w - ones*0x20) &^ w        // a byte below 0x20
	q, b := w^(ones*'"'), w^(ones*'\\') // a zero byte where w has '"' or '\\'
	quote := (q - ones) &^ q
	bslash := (b - ones) &^ b
	return (less | quote | bslash | w) & high
}

// escapeLen returns the length of the escape sequence at the start of b (a '\\'), including a
// following low-surrogate escape when the first one is a high surrogate, or 0 if it is invalid:
// an unknown escape, a short \u, or an unpaired surrogate (I-JSON, RFC 7493 sec. 2.1).
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		r, ok := hex4(b[2:])
		switch {
		case !ok || (r >= 0xdc00 && r <= 0xdfff):
			return 0
		case r >= 0xd800 && r <= 0xdbff:
			if len(b) < 12 || b[6] != '\\' || b[7] != 'u' {
				return 0
			}
			if r2, ok := hex4(b[8:]); !ok || r2 < 0xdc00 || r2 > 0xdfff {
				return 0
			}
			return 12
		}
		return 6
	}
	return 0
}

// hex4 decodes four hexadecimal digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendUnescaped appends the decoded contents of a validated JSON string (without quotes).
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := bytes.IndexByte(raw[i:], '\\')
			if j < 0 {
				return append(dst, raw[i:]...)
			}
			dst = append(dst, raw[i:i+j]...)
			i += j
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(raw[i+2:])
			if r >= 0xd800 && r <= 0xdbff {
				r2, _ := hex4(raw[i+8:])
				r = (r-0xd800)<<10 | (r2 - 0xdc00) + 0x10000
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
			i += 6
			continue
		default: // '"', '\\', '/'
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}

// equals reports whether the decoded string is lit.
func (js jsonString) equals(lit string) bool {
	if !js.esc {
		return string(js.raw) == lit
	}
	var buf [64]byte
	return string(appendUnescaped(buf[:0], js.raw)) == lit
}

// sameName reports whether two member names are equal after decoding.
func sameName(a, b jsonString) bool {
	if !a.esc && !b.esc {
		return bytes.Equal(a.raw, b.raw)
	}
	var ba, bb [64]byte
	return bytes.Equal(appendUnescaped(ba[:0], a.raw), appendUnescaped(bb[:0], b.raw))
}

// number scans a number at the current position and returns its text.
func (s *scanner) number() ([]byte, error) {
	d := s.data
	start, i := s.pos, s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return nil, errJSONNumber
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == j {
			return nil, errJSONNumber
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == j {
			return nil, errJSONNumber
		}
	}
	s.pos = i
	return d[start:i], nil
}

// value scans any JSON value at the current position; depth is the nesting of its container.
func (s *scanner) value(depth int) error {
	pos, err := skipValue(s.data, s.pos, depth)
	s.pos = pos
	return err
}

// skipValue, skipObject and skipArray recurse on (data, position) values rather than on a
// *scanner: escape analysis is conservative within a recursive cycle, and a pointer passed
// around it would move every caller's scanner to the heap.
func skipValue(d []byte, pos, depth int) (int, error) {
	s := scanner{data: d, pos: pos}
	s.skipSpace()
	switch c := s.peek(); c {
	case '{':
		return skipObject(d, s.pos, depth+1)
	case '[':
		return skipArray(d, s.pos, depth+1)
	case '"':
		end, code := skipString(d, s.pos)
		if code > stringEscaped {
			return s.pos, stringErrors[code]
		}
		return end, nil
	case 't':
		return s.pos, s.literal("true")
	case 'f':
		return s.pos, s.literal("false")
	case 'n':
		return s.pos, s.literal("null")
	default:
		_, err := s.number()
		return s.pos, err
	}
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return errJSONSyntax
	}
	s.pos += len(lit)
	return nil
}

func skipObject(d []byte, pos, depth int) (int, error) {
	if depth > maxDepth {
		return pos, errJSONDepth
	}
	s := scanner{data: d, pos: pos}
	var it objectIter
	for _, ok := it.next(&s); ok; _, ok = it.next(&s) {
		p, err := skipValue(d, s.pos, depth)
		if err != nil {
			return p, err
		}
		s.pos = p
	}
	return s.pos, it.err
}

func skipArray(d []byte, pos, depth int) (int, error) {
	if depth > maxDepth {
		return pos, errJSONDepth
	}
	s := scanner{data: d, pos: pos + 1} // after '['
	s.skipSpace()
	if s.peek() == ']' {
		return s.pos + 1, nil
	}
	for {
		if s.pos < len(d) && d[s.pos] == '"' { // an array of strings, the usual one, directly
			end, code := skipString(d, s.pos)
			if code > stringEscaped {
				return s.pos, stringErrors[code]
			}
			s.pos = end
		} else {
			p, err := skipValue(d, s.pos, depth)
			if err != nil {
				return p, err
			}
			s.pos = p
		}
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			return s.pos + 1, nil
		default:
			return s.pos, errJSONSyntax
		}
	}
}

// objectIter walks the members of the object at a scanner's position. After each call of next
// that returns a name and true, the caller must scan exactly one value. When next returns false,
// err tells whether the object was well formed. The scanner is an argument of next, and the name
// its result, rather than fields: nothing that points into the text is stored in the iterator,
// so scanning a stack buffer keeps it on the stack.
type objectIter struct {
	names   nameSet
	namePos int // offset of the last name's opening quote
	started bool
	err     error
}

func (it *objectIter) next(s *scanner) (jsonString, bool) {
	d, i := s.data, skipSpace(s.data, s.pos)
	if !it.started {
		it.started = true
		if i >= len(d) || d[i] != '{' {
			return jsonString{}, it.fail(s, i, errJSONNotObject)
		}
		i = skipSpace(d, i+1)
		if i < len(d) && d[i] == '}' {
			s.pos = i + 1
			return jsonString{}, false
		}
	} else {
		switch {
		case i < len(d) && d[i] == ',':
			i = skipSpace(d, i+1)
		case i < len(d) && d[i] == '}':
			s.pos = i + 1
			return jsonString{}, false
		default:
			return jsonString{}, it.fail(s, i, errJSONSyntax)
		}
	}
	if i >= len(d) || d[i] != '"' {
		return jsonString{}, it.fail(s, i, errJSONSyntax)
	}
	it.namePos = i
	name, end, err := scanString(d, i)
	if err == nil {
		err = it.names.add(d, name, i+1)
	}
	if err != nil {
		return jsonString{}, it.fail(s, i, err)
	}
	i = skipSpace(d, end)
	if i >= len(d) || d[i] != ':' {
		return jsonString{}, it.fail(s, i, errJSONSyntax)
	}
	s.pos = skipSpace(d, i+1)
	return name, true
}

func (it *objectIter) fail(s *scanner, i int, err error) bool {
	s.pos, it.err = i, err
	return false
}

// nameSet detects duplicate member names. Small objects (the usual case) are checked with a
// linear search over an inline array of fingerprints, so names are compared in full only when
// their lengths and edge bytes agree; past that a map keeps the check linear in the object's size.
// Names are kept as offsets into the text, not slices of it: a slice stored through a pointer
// would make the compiler move a caller's stack buffer (the decoded header) to the heap. The
// offsets are 32 bits, so the set, which every scan of an object zeroes, stays small; a name
// past 4 GiB goes to the map.
type nameSet struct {
	seen  uint64 // bit fp%64 set for every fingerprint added: most new names skip the search
	fp    [16]uint64
	small [16]nameRef
	esc   uint16 // bit i set when small[i] has escapes
	n     int
	big   map[string]struct{}
}

// nameRef is a name's raw text, without quotes, as data[start:end].
type nameRef struct {
	start, end uint32
}

func (ns *nameSet) ref(data []byte, i int) jsonString {
	r := ns.small[i]
	return jsonString{raw: data[r.start:r.end], esc: ns.esc>>i&1 != 0, ok: true}
}

// A name's fingerprint is, for a decoded name of up to 7 bytes, the name itself with its length
// in the top byte; for a longer one, its length and its first and last two bytes. Equal names
// have equal fingerprints, and short names (most names, and all registered ones) are equal
// exactly when their fingerprints are.
func escapedFingerprint(raw []byte) uint64 {
	var buf [64]byte
	return fingerprintOf(appendUnescaped(buf[:0], raw))
}

func fingerprintOf(b []byte) uint64 {
	fp := uint64(len(b)) << 56
	if len(b) < 8 {
		for i, c := range b {
			fp |= uint64(c) << (8 * i)
		}
		return fp
	}
	return fp | uint64(b[0]) | uint64(b[1])<<8 | uint64(b[len(b)-2])<<16 | uint64(b[len(b)-1])<<24
}

// add records the name found at data[start:start+len(name.raw)] and reports a duplicate.
func (ns *nameSet) add(data []byte, name jsonString, start int) error {
	var fp uint64
	if name.esc {
		fp = escapedFingerprint(name.raw)
	} else {
		fp = fingerprintOf(name.raw)
	}
	return ns.addFP(data, name, start, fp)
}

// addFP is add for a name whose fingerprint fp is known.
func (ns *nameSet) addFP(data []byte, name jsonString, start int, fp uint64) error {
	if !name.esc && ns.addNew(fp, start, start+len(name.raw)) {
		return nil
	}
	return ns.addSlow(data, name, start, fp)
}

// addNew records the name without escapes at data[start:end], of fingerprint fp, and reports
// true if its fingerprint's bit is new (so it is no duplicate) and it fits the inline arrays: the
// usual case, small enough to be inlined. Otherwise it changes nothing, for addSlow.
func (ns *nameSet) addNew(fp uint64, start, end int) bool {
	bit := uint64(1) << (fp * 0x9e3779b97f4a7c15 >> 58) // a well-mixed 6 bits of the fingerprint
	if ns.seen&bit != 0 || ns.n >= len(ns.small) || uint(end) > 1<<32-1 {
		return false
	}
	ns.seen |= bit
	n := ns.n & 15
	ns.fp[n] = fp
	ns.small[n] = nameRef{start: uint32(start), end: uint32(end)}
	ns.n++
	return true
}

func (ns *nameSet) addSlow(data []byte, name jsonString, start int, fp uint64) error {
	end := start + len(name.raw)
	bit := uint64(1) << (fp * 0x9e3779b97f4a7c15 >> 58)
	if ns.big == nil {
		if ns.seen&bit != 0 {
			for i, prev := range ns.fp[:ns.n] {
				if prev == fp && sameName(ns.ref(data, i), name) {
					return errJSONDuplicate
				}
			}
		}
		ns.seen |= bit
		if ns.n < len(ns.small) && uint(end) <= 1<<32-1 {
			ns.fp[ns.n] = fp
			ns.small[ns.n] = nameRef{start: uint32(start), end: uint32(end)}
			if name.esc {
				ns.esc |= 1 << ns.n
			}
			ns.n++
			return nil
		}
		ns.big = make(map[string]struct{}, 2*len(ns.small))
		for i := range ns.n {
			ns.big[string(appendUnescaped(nil, ns.ref(data, i).raw))] = struct{}{}
		}
	}
	key := string(appendUnescaped(nil, name.raw))
	if _, dup := ns.big[key]; dup {
		return errJSONDuplicate
	}
	ns.big[key] = struct{}{}
	return nil
}

// LookupClaim returns the raw JSON value of the top-level member name of payload, a JSON object
// (one returned by AppendVerify), and whether it is present. It allocates nothing.
func LookupClaim(payload []byte, name string) ([]byte, bool) {
	s := scanner{data: payload}
	var it objectIter
	for n, ok := it.next(&s); ok; n, ok = it.next(&s) {
		start := s.pos
		if s.value(1) != nil {
			return nil, false
		}
		if n.equals(name) {
			return payload[start:s.pos], true
		}
	}
	return nil, false
}

// AppendString appends the decoded value of raw, a JSON string with its quotes (as LookupClaim
// returns it), to dst. It returns dst unchanged and false if raw is not exactly one JSON string.
func AppendString(dst, raw []byte) ([]byte, bool) {
	s := scanner{data: raw}
	if s.peek() != '"' {
		return dst, false
	}
	js, err := s.str()
	if err != nil || s.pos != len(raw) {
		return dst, false
	}
	return js.appendTo(dst)
}
