package fuzz

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
)

// A reference model of the strictness policy (DESIGN.md), written with encoding/json and
// encoding/base64 only. It knows nothing of the codec's scanner: where encoding/json is laxer
// than the policy (duplicate names, invalid UTF-8, unpaired surrogates, nesting) it adds the
// missing check itself.

// refMaxDepth is the policy's nesting bound: the top-level object counts as depth 1.
const refMaxDepth = 64

// refMaxHeader is the cap on the encoded header segment of tokens not emitted by the codec.
const refMaxHeader = 4096

// member is one top-level member of a JSON object, its name decoded and its value raw.
type member struct {
	name string
	raw  json.RawMessage
}

// refObject checks that data is exactly one JSON object the policy accepts and returns its
// top-level members in order. why says what is wrong when ok is false.
func refObject(data []byte) (members []member, why string, ok bool) {
	switch {
	case !utf8.Valid(data):
		return nil, "invalid UTF-8", false
	case !json.Valid(data):
		return nil, "not valid JSON", false
	}
	t := trimSpaceJSON(data)
	if len(t) == 0 || t[0] != '{' {
		return nil, "not an object", false
	}
	if !surrogatesPaired(data) {
		return nil, "unpaired surrogate escape", false
	}
	if why := duplicatesOrDepth(data); why != "" {
		return nil, why, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.Token() // '{'
	for dec.More() {
		tok, _ := dec.Token()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, "decode: " + err.Error(), false
		}
		members = append(members, member{tok.(string), raw})
	}
	return members, "", true
}

// surrogatesPaired reports whether every \u escape for a UTF-16 surrogate in the valid JSON
// text data is a high surrogate directly followed by an escaped low surrogate (RFC 7493 2.1).
func surrogatesPaired(data []byte) bool {
	hex := func(b []byte) rune {
		var r rune
		for _, c := range b {
			switch {
			case c >= '0' && c <= '9':
				c -= '0'
			case c >= 'a' && c <= 'f':
				c -= 'a' - 10
			default:
				c -= 'A' - 10
			}
			r = r<<4 | rune(c)
		}
		return r
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // skip the escaped character, which may itself be a backslash
			continue
		}
		r := hex(data[i+2 : i+6])
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return false
		case r >= 0xd800 && r <= 0xdbff:
			if i+12 > len(data) || data[i+6] != '\\' || data[i+7] != 'u' {
				return false
			}
			if r2 := hex(data[i+8 : i+12]); r2 < 0xdc00 || r2 > 0xdfff {
				return false
			}
			i += 11
		default:
			i += 5
		}
	}
	return true
}

// duplicatesOrDepth walks the valid JSON text data with encoding/json's tokenizer and reports a
// duplicate member name (compared decoded) in any object, or nesting deeper than refMaxDepth.
func duplicatesOrDepth(data []byte) string {
	type frame struct {
		obj     bool
		wantKey bool
		names   map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return "tokenizer: " + err.Error()
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			top := stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			name := tok.(string)
			if top.names[name] {
				return "duplicate member name " + name
			}
			top.names[name] = true
			top.wantKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				stack = append(stack, &frame{obj: d == '{', wantKey: d == '{', names: map[string]bool{}})
				if len(stack) > refMaxDepth {
					return "nested too deeply"
				}
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
			continue
		}
		valueDone()
	}
}

func isNumber(raw []byte) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}
func isString(raw []byte) bool { return len(raw) > 0 && raw[0] == '"' }

// refMaxDateSeconds is the largest magnitude, in whole seconds, of a NumericDate the policy
// accepts: a date must be a time.Time, which counts int64 seconds from January 1 of year 1, so the
// Unix seconds s may be at most math.MaxInt64 minus the seconds from year 1 to 1970.
var refMaxDateSeconds = new(big.Int).Add(big.NewInt(math.MaxInt64),
	big.NewInt(time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()))

// refDateInRange reports whether the JSON number num, truncated toward zero to whole seconds,
// has a magnitude of at most refMaxDateSeconds. (ratOfNumber's clamp of huge values to 10^40
// keeps them out of range.)
func refDateInRange(num string) bool {
	r := ratOfNumber(num)
	whole := new(big.Int).Quo(r.Num(), r.Denom()) // truncates toward zero
	return whole.CmpAbs(refMaxDateSeconds) <= 0
}

// refClaimTypes returns the names of registered claims of the wrong type: for exp, nbf and iat,
// not a number or a number no time.Time holds.
func refClaimTypes(members []member) []string {
	var bad []string
	for _, m := range members {
		ok := true
		switch m.name {
		case "exp", "nbf", "iat":
			ok = isNumber(m.raw) && refDateInRange(string(m.raw))
		case "iss", "sub", "jti":
			ok = isString(m.raw)
		case "aud":
			ok = isString(m.raw)
			if !ok && m.raw[0] == '[' {
				var elems []json.RawMessage
				ok = json.Unmarshal(m.raw, &elems) == nil
				for _, e := range elems {
					ok = ok && isString(e)
				}
			}
		}
		if !ok {
			bad = append(bad, m.name)
		}
	}
	return bad
}

func lookup(members []member, name string) (json.RawMessage, bool) {
	for _, m := range members {
		if m.name == name {
			return m.raw, true
		}
	}
	return nil, false
}

// verdict is what the reference expects of a verify: acceptance, or the sentinels a rejection
// may carry (the codec stops at the first violation it meets, the reference collects them all).
type verdict struct {
	accept  bool
	allowed []error
	why     []string
}

func (v *verdict) reject(why string, errs ...error) {
	v.allowed = append(v.allowed, errs...)
	v.why = append(v.why, why)
}

func (v *verdict) allows(err error) bool {
	for _, e := range v.allowed {
		if e == err {
			return true
		}
	}
	return false
}

// refHeader judges a header for a codec whose ring holds one key with ID kid ("" for none).
func refHeader(header []byte, encodedLen int, kid string) verdict {
	var v verdict
	if encodedLen > refMaxHeader {
		v.reject("header segment over 4096 bytes", fastjwt.ErrMalformed)
		return v
	}
	members, why, ok := refObject(header)
	if !ok {
		// The codec reads the header in one pass and reports the first violation: a member it
		// refuses (alg, crit, enc, b64) may come before the syntax error.
		v.reject("header: "+why, fastjwt.ErrMalformed, fastjwt.ErrAlgorithm, fastjwt.ErrUnsupported)
		return v
	}
	alg, hasAlg := lookup(members, "alg")
	switch {
	case !hasAlg:
		v.reject("no alg", fastjwt.ErrAlgorithm)
	case string(alg) != `"HS256"`:
		var s string
		if json.Unmarshal(alg, &s) != nil || s != "HS256" {
			v.reject("alg is not HS256", fastjwt.ErrAlgorithm)
		}
	}
	for _, name := range []string{"crit", "enc"} {
		if _, ok := lookup(members, name); ok {
			v.reject(name+" present", fastjwt.ErrUnsupported)
		}
	}
	if raw, ok := lookup(members, "b64"); ok && string(raw) != "true" {
		v.reject("b64 is not true", fastjwt.ErrUnsupported)
	}
	if raw, ok := lookup(members, "typ"); ok && !isString(raw) {
		v.reject("typ is not a string", fastjwt.ErrMalformed)
	}
	if raw, ok := lookup(members, "kid"); ok {
		var s string
		switch {
		case !isString(raw):
			v.reject("kid is not a string", fastjwt.ErrMalformed)
		case json.Unmarshal(raw, &s) == nil && kid != "" && s != kid:
			v.reject("kid names no key of the ring", fastjwt.ErrUnknownKey)
		}
	}
	v.accept = len(v.allowed) == 0
	return v
}

// refPayload judges a payload (signature assumed valid) at the fixed clock with no leeway, for a
// codec that does not check "aud" (WithAudience not given, AcceptAnyAudience given); the
// audience rule of a default codec is refAudienceRule.
func refPayload(payload []byte) (verdict, []member) {
	var v verdict
	members, why, ok := refObject(payload)
	if !ok {
		// The scan reports a wrong-typed registered claim met before the syntax error.
		v.reject("payload: "+why, fastjwt.ErrMalformed, fastjwt.ErrClaimType)
		return v, nil
	}
	if bad := refClaimTypes(members); len(bad) > 0 {
		v.reject("wrong-typed "+strings.Join(bad, ","), fastjwt.ErrClaimType)
		return v, members
	}
	now := ratOfTime(fuzzNow)
	if raw, ok := lookup(members, "exp"); ok && now.Cmp(ratOfNumber(string(raw))) >= 0 {
		v.reject("now >= exp", fastjwt.ErrExpired)
		return v, members
	}
	if raw, ok := lookup(members, "nbf"); ok && now.Cmp(ratOfNumber(string(raw))) < 0 {
		v.reject("now < nbf", fastjwt.ErrNotYetValid)
		return v, members
	}
	v.accept = true
	return v, members
}

// refAudienceRule is the verdict of a codec without WithAudience or AcceptAnyAudience on a
// payload refPayload accepts: a present "aud" is refused (RFC 7519 sec. 4.1.3), whatever it holds.
func refAudienceRule(members []member) error {
	if _, ok := lookup(members, "aud"); ok {
		return fastjwt.ErrAudience
	}
	return nil
}

// refToken combines the header and payload verdicts: the header is judged first, then (with a
// good MAC) the payload.
func refToken(header, payload []byte, encodedHeaderLen int, kid string) verdict {
	if hv := refHeader(header, encodedHeaderLen, kid); !hv.accept {
		return hv
	}
	pv, _ := refPayload(payload)
	return pv
}

// decimal splits the text of a JSON number into its sign, significant digits (no leading
// zeros; "" for zero) and the power of ten they are scaled by: value = ±digits × 10^exp.
func decimal(num string) (neg bool, digits string, exp int64) {
	if strings.HasPrefix(num, "-") {
		neg, num = true, num[1:]
	}
	mant, e, _ := strings.Cut(strings.ToLower(num), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits = strings.TrimLeft(intPart+frac, "0")
	exp = -int64(len(frac))
	if e != "" {
		sign := int64(1)
		switch e[0] {
		case '-':
			sign, e = -1, e[1:]
		case '+':
			e = e[1:]
		}
		var x int64
		for _, c := range e {
			if x < 1e12 { // saturate: beyond this the value is out of every range anyway
				x = x*10 + int64(c-'0')
			}
		}
		exp += sign * x
	}
	return neg, digits, exp
}

// Clamps for ratOfNumber: a magnitude of 10^40 or more is "huge", under 10^-20 "tiny"; both
// are far outside the range where the clock and nanosecond truncation tell values apart.
const hugeDigits, tinyDigits = 40, -20

// ratOfNumber returns the exact value of a JSON number, with huge magnitudes clamped to 10^40
// and tiny ones to zero (see decimal). The clamped value orders the same against the clock.
func ratOfNumber(num string) *big.Rat {
	neg, digits, exp := decimal(num)
	r := new(big.Rat)
	switch {
	case digits == "":
		return r
	case int64(len(digits))+exp > hugeDigits:
		r.SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(hugeDigits), nil))
	case int64(len(digits))+exp < tinyDigits:
		return r
	default:
		d, _ := new(big.Int).SetString(digits, 10)
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs(exp)), nil)
		if exp >= 0 {
			r.SetInt(d.Mul(d, p))
		} else {
			r.SetFrac(d, p)
		}
	}
	if neg {
		r.Neg(r)
	}
	return r
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func ratOfTime(t time.Time) *big.Rat {
	ns := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(1e9))
	ns.Add(ns, big.NewInt(int64(t.Nanosecond())))
	return new(big.Rat).SetFrac(ns, big.NewInt(1e9))
}

// expectTime returns the time a NumericDate's text denotes, truncated toward zero to the
// nanosecond, and whether its whole seconds are within the policy's range (refDateInRange).
func expectTime(num string) (time.Time, bool) {
	r := ratOfNumber(num)
	neg := r.Sign() < 0
	r.Abs(r)
	ns := new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(1e9)), r.Denom())
	sec, nsec := new(big.Int).QuoRem(ns, big.NewInt(1e9), new(big.Int))
	if sec.Cmp(refMaxDateSeconds) > 0 {
		return time.Time{}, false
	}
	if neg {
		return time.Unix(-sec.Int64(), -nsec.Int64()), true
	}
	return time.Unix(sec.Int64(), nsec.Int64()), true
}

// checkDate compares a codec NumericDate accessor with the claim's text.
func checkDate(t *testing.T, name string, got time.Time, num string, input []byte) {
	t.Helper()
	want, inRange := expectTime(num)
	if !inRange {
		t.Fatalf("%s %s: accepted a NumericDate no time.Time holds (codec gives %d s)\ninput: %q", name, num, got.Unix(), input)
	}
	if !got.Equal(want) {
		t.Fatalf("%s %s: codec gives %v (%d.%09d), exact truncation is %v (%d.%09d)\ninput: %q",
			name, num, got, got.Unix(), got.Nanosecond(), want, want.Unix(), want.Nanosecond(), input)
	}
}
