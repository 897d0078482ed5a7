package session

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
)

// The one encoder and the one validator of session values. Set, SetRaw and Encode all go through
// them, so a write that returns nil holds JSON the codec accepts when it signs and verifies the
// session: strict UTF-8, no duplicate names at any depth, bounded nesting, RFC 8259 numbers. The
// encoder never HTML-escapes ('<', '>' and '&' stay as they are), so the same value encodes to
// the same bytes on every path and an unchanged value is recognised as unchanged.

// appendValue appends the JSON encoding of v: without reflection for the common scalar types,
// otherwise through goccy/go-json without HTML escaping.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case string:
		if !utf8.ValidString(x) {
			return dst, fmt.Errorf("string is not valid UTF-8")
		}
		return appendQuoted(dst, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dst, fmt.Errorf("%v has no JSON encoding", x)
		}
	case json.RawMessage:
		return append(dst, x...), nil
	}
	b, err := json.MarshalWithOption(v, json.DisableHTMLEscape())
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendQuoted appends s as a JSON string, byte for byte as goccy/go-json encodes it without HTML
// escaping (short escapes for \b \t \n \f \r, \u00XX for other control characters, \u2028 and
// \u2029 escaped), so that Set of a string and Encode of a struct holding it store the same bytes.
// s must be valid UTF-8.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9):
			// U+2028 and U+2029, which JavaScript once refused in string literals.
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[s[i+2]&0xf])
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// trimJSONSpace removes the insignificant whitespace JSON allows around a value (RFC 8259 sec. 2).
func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// checkValue reports whether raw is exactly one JSON value under the codec's rules, by letting
// the codec's own scanner read it as the only member of an object, as it will read it in the
// session's payload (same depth, same limits).
func (s *Session) checkValue(raw []byte) error {
	s.scratch = append(append(append(s.scratch[:0], `{"v":`...), raw...), '}')
	members, size := 0, -1
	err := fastjwt.EachMember(s.scratch, func(_, value []byte) bool {
		members++
		size = len(value)
		return true
	})
	switch {
	case err != nil:
		return err
	case members != 1 || size != len(raw):
		return fmt.Errorf("not one JSON value")
	}
	return nil
}

// isRegistered reports whether name is a registered claim (RFC 7519 sec. 4.1) that a session may
// hold as data, and that the codec checks: such a value is checked by the codec itself.
func isRegistered(name string) bool {
	switch name {
	case "iss", "sub", "aud", "nbf":
		return true
	}
	return false
}

// checkRegistered checks, with the codec's rules, the session token that would carry only
// name: value beside the session layer's own claims, so that a registered claim the codec would
// refuse ("sub": 42, "nbf" in the future, an "aud" the codec does not accept, a value too large
// for a token) is refused at the write instead of failing every later request. A codec that is a
// fastjwt.ClaimsChecker checks the payload without signing it; any other is given the token to
// sign and then to verify.
func (s *Session) checkRegistered(name string, value []byte) error {
	now := s.m.cfg.Now()
	p := appendQuoted(append(s.scratch[:0], '{'), name)
	p = append(append(p, ':'), value...)
	if c := s.m.checker; c != nil {
		// The token ID's value changes no verdict, only its length does: no random one is drawn.
		var id [16]byte
		p = s.appendManaged(append(p, ','), now, &id)
		s.scratch = p[:0]
		return c.CheckClaims(fastjwt.TypeSession, p)
	}
	p = s.appendTimes(append(p, ','), now)
	n := len(p)
	b, err := s.m.codec.AppendSignType(p, fastjwt.TypeSession, p[:n:n])
	if err == nil {
		var cl fastjwt.Claims
		_, err = s.m.codec.AppendVerifyClaims(nil, b[n:], &cl)
	}
	s.scratch = b[:0]
	return err
}

// isReservedJSON reports whether a raw JSON name is one of isReserved's (written
// without escapes, as the session layer writes them; an escaped spelling is ordinary data to the
// codec as well).
func isReservedJSON(name []byte) bool {
	switch string(name) {
	case `"exp"`, `"iat"`, `"jti"`, `"sid"`, `"auth_time"`, `"` + compressedClaim + `"`:
		return true
	}
	return false
}

// isReserved reports whether name is one the session layer writes itself: "exp", "iat", "jti"
// (each issued session token gets a fresh random ID, which revocation can name), "sid" (the
// server-side session's id), "auth_time" (the session's start, for Config.AbsoluteLifetime) and
// "_deflate" (the compressed data, Config.Compress).
func isReserved(name string) bool {
	switch name {
	case "exp", "iat", "jti", "sid", "auth_time", compressedClaim:
		return true
	}
	return false
}

// appendTimes appends the members the session layer manages, "auth_time" (appendStart), "iat",
// "exp" and a fresh random "jti" (128 bits from crypto/rand, so that revocation can name this
// one token), and the closing brace of the payload.
func (s *Session) appendTimes(b []byte, now time.Time) []byte {
	b = s.appendStart(b, now)
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	return s.appendManaged(b, now, &id)
}

// appendManaged is appendTimes with the token ID id.
//
// "iat" is now to the nanosecond, a NumericDate with a fraction (RFC 7519 sec. 2 allows
// non-integer values; fastjwt reads them exactly): "log out everywhere" compares its epoch with
// "iat" exactly, so a login right after it, in the same second, is accepted, and a session
// issued before it, in the same second too, is refused. Whole seconds would make the first
// refused; rounding them up would spare the second. "exp" stays whole seconds: the "iat"
// second plus Lifetime, as the cookie's Max-Age.
func (s *Session) appendManaged(b []byte, now time.Time, id *[16]byte) []byte {
	iat := now.Unix()
	b = append(b, `"iat":`...)
	b = appendDate(b, iat, now.Nanosecond())
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, iat+s.lifetimeSeconds(iat), 10)
	b = append(b, `,"jti":"`...)
	b = base64.RawURLEncoding.AppendEncode(b, id[:])
	return append(b, '"', '}')
}

// appendDate appends the NumericDate of Unix seconds sec and nanoseconds ns (0 <= ns < 1e9,
// as time.Time.Unix and Nanosecond give them): the seconds, and the fraction without its
// trailing zeros ("1700000000.5"), none when ns is 0. A time before 1970 and not on a second is
// written as its negative magnitude: sec -1 and ns 5e8 are "-0.5".
func appendDate(b []byte, sec int64, ns int) []byte {
	if ns == 0 {
		return strconv.AppendInt(b, sec, 10)
	}
	if sec < 0 {
		b = append(b, '-')
		sec, ns = -sec-1, 1e9-ns
	}
	b = strconv.AppendInt(b, sec, 10)
	var frac [10]byte
	frac[0] = '.'
	for i := 9; i >= 1; i-- {
		frac[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := 10
	for frac[n-1] == '0' {
		n--
	}
	return append(b, frac[:n]...)
}
