package fuzz

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
	"github.com/golang-jwt/jwt/v5"
)

// The differential against github.com/golang-jwt/jwt/v5: both verify the same token under the
// same key and clock. Where they disagree, the disagreement must be one of the classes below,
// each a difference the strictness policy (DESIGN.md) explains; anything else fails with the
// input printed.

// diffCase is one input on which the codec and golang-jwt disagree.
type diffCase struct {
	token           []byte
	segs            []string // the three transmitted segments
	header, payload []byte   // the segments decoded as golang-jwt decodes them (CR/LF skipped)
	ours            error    // the codec's sentinel, nil if it accepted
	theirs          error    // golang-jwt's error, nil if it accepted
}

// explanation is one class of explained disagreement: applies reports whether the case has the
// feature and the codec's verdict is the one the policy prescribes for it.
type explanation struct {
	name, reason string
	applies      func(d *diffCase) bool
}

// theyAccept is the usual direction: the policy is stricter than golang-jwt.
func (d *diffCase) theyAccept(ours ...error) bool {
	if d.theirs != nil || d.ours == nil {
		return false
	}
	for _, e := range ours {
		if d.ours == e {
			return true
		}
	}
	return false
}

// jsonFault reports whether the header or the payload has the fault, with the codec refusing
// it as the policy says. The codec stops at the first violation it meets while scanning, so a
// faulty header may also be refused for a member met before the fault (an alg other than
// HS256, a crit), and a faulty payload for a wrong-typed registered claim.
func (d *diffCase) jsonFault(fault func([]byte) bool) bool {
	return fault(d.header) && d.theyAccept(fastjwt.ErrMalformed, fastjwt.ErrAlgorithm, fastjwt.ErrUnsupported) ||
		fault(d.payload) && d.theyAccept(fastjwt.ErrMalformed, fastjwt.ErrClaimType)
}

var explanations = []explanation{
	{"crlf-in-base64",
		"Go's base64 decoder skips CR and LF even in Strict mode; the policy rejects them in every segment",
		func(d *diffCase) bool {
			return bytes.ContainsAny(d.token, "\r\n") && d.theyAccept(fastjwt.ErrMalformed, fastjwt.ErrSignature)
		}},
	{"duplicate-names",
		"encoding/json keeps the last of duplicate member names; the policy rejects duplicates",
		func(d *diffCase) bool {
			return d.jsonFault(hasDuplicate)
		}},
	{"invalid-utf8",
		"encoding/json replaces invalid UTF-8 with U+FFFD; the policy requires strict UTF-8",
		func(d *diffCase) bool {
			return d.jsonFault(func(b []byte) bool { return !utf8.Valid(b) })
		}},
	{"unpaired-surrogate",
		"encoding/json replaces an unpaired surrogate escape with U+FFFD; the policy (I-JSON) rejects it",
		func(d *diffCase) bool {
			return d.jsonFault(func(b []byte) bool { return json.Valid(b) && !surrogatesPaired(b) })
		}},
	{"nesting-depth",
		"encoding/json nests up to 10000 levels; the policy bounds nesting at 64",
		func(d *diffCase) bool {
			return d.jsonFault(tooDeep)
		}},
	{"unsupported-header-parameter",
		"golang-jwt ignores crit, enc and b64; the policy refuses crit, enc and b64 other than true",
		func(d *diffCase) bool {
			m := rawMembers(d.header)
			_, crit := m["crit"]
			_, enc := m["enc"]
			b64v, hasB64 := m["b64"]
			return (crit || enc || hasB64 && string(b64v) != "true") && d.theyAccept(fastjwt.ErrUnsupported)
		}},
	{"kid-typ-type",
		"golang-jwt ignores the type of kid and typ; the policy requires strings",
		func(d *diffCase) bool {
			m := rawMembers(d.header)
			kid, hasKid := m["kid"]
			typ, hasTyp := m["typ"]
			return (hasKid && !isString(kid) || hasTyp && !isString(typ)) && d.theyAccept(fastjwt.ErrMalformed)
		}},
	{"unvalidated-claim-type",
		"golang-jwt checks the type of iss, sub, aud, jti and iat only when asked to validate them; the policy checks every registered claim",
		func(d *diffCase) bool {
			for _, name := range refClaimTypes(members(d.payload)) {
				if name != "exp" && name != "nbf" {
					return d.theyAccept(fastjwt.ErrClaimType)
				}
			}
			return false
		}},
	{"payload-not-one-object",
		"golang-jwt decodes the claims with json.Decoder, which accepts null (a nil map) and ignores what follows the first value; the policy requires exactly one object",
		func(d *diffCase) bool {
			t := trimSpaceJSON(d.payload)
			return (bytes.Equal(t, []byte("null")) || !json.Valid(d.payload)) && d.theyAccept(fastjwt.ErrMalformed, fastjwt.ErrClaimType)
		}},
	{"header-number-overflow",
		"golang-jwt decodes the header into map[string]any, and encoding/json refuses numbers beyond float64's range there; the policy accepts any valid JSON number in unknown members",
		func(d *diffCase) bool {
			return d.theirs != nil && d.ours == nil && hasFloatOverflow(d.header)
		}},
	{"header-size",
		"the policy caps the encoded header of tokens it did not emit at 4096 bytes",
		func(d *diffCase) bool { return len(d.segs[0]) > refMaxHeader && d.theyAccept(fastjwt.ErrMalformed) }},
	{"token-size",
		"the codec refuses tokens over its size cap before any other work",
		func(d *diffCase) bool { return d.theyAccept(fastjwt.ErrTooLarge) }},
	{"numericdate-precision",
		"golang-jwt reads exp and nbf as float64 and truncates them to TimePrecision (1 s), and values beyond int64 wrap; the codec compares the exact decimal; each verdict follows its own reading",
		numericDateExplains},
	{"numericdate-range",
		"the policy refuses a NumericDate no time.Time holds (1e30, -1e30, 1e400) as a wrong-typed claim; golang-jwt reads it as a float64, whatever its size",
		func(d *diffCase) bool {
			if d.ours != fastjwt.ErrClaimType {
				return false
			}
			for _, m := range members(d.payload) {
				if (m.name == "exp" || m.name == "nbf" || m.name == "iat") && isNumber(m.raw) && !refDateInRange(string(m.raw)) {
					return true
				}
			}
			return false
		}},
}

// FuzzGolangJWT takes header and payload JSON and an encoding mutation, builds a token whose MAC
// is valid over the transmitted text (signed with crypto/hmac), and verifies it with the codec
// and with golang-jwt v5 (HS256 only, strict base64, json.Number, same clock). Agreement on
// acceptance must give identical claims; every disagreement must match an explanation.
func FuzzGolangJWT(f *testing.F) {
	headers, payloads := seedSegments()
	for _, h := range edgeHeaders {
		headers = append(headers, []byte(h))
	}
	for _, p := range edgePayloads {
		payloads = append(payloads, []byte(p))
	}
	for i, h := range headers {
		f.Add(h, []byte(`{"sub":"s","exp":1700000001}`), uint32(i%8)|uint32(i)<<8)
	}
	for i, p := range payloads {
		f.Add([]byte(`{"alg":"HS256","typ":"JWT"}`), p, uint32(0))
		f.Add([]byte(`{"alg":"HS256"}`), p, uint32(i%8)|uint32(i*7)<<8|uint32(i%2)<<4)
	}
	ours := newCodec(f, "", fastjwt.AcceptAnyAudience()) // golang-jwt checks aud only when asked to
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithStrictDecoding(),
		jwt.WithJSONNumber(),
		jwt.WithTimeFunc(clock),
	)
	keyFunc := func(*jwt.Token) (any, error) { return fuzzSecret, nil }

	f.Fuzz(func(t *testing.T, header, payload []byte, mut uint32) {
		token := mutatedToken(header, payload, mut)
		out, err := ours.AppendVerify(nil, token)
		var oursS error
		if err != nil {
			oursS = sentinelOf(t, err, token)
		}
		tok, theirs := parser.ParseWithClaims(string(token), jwt.MapClaims{}, keyFunc)
		if theirs == nil && !tok.Valid {
			t.Fatalf("golang-jwt returned no error and an invalid token")
		}
		if (oursS == nil) == (theirs == nil) {
			if oursS == nil {
				var mine map[string]any
				dec := json.NewDecoder(bytes.NewReader(out))
				dec.UseNumber()
				if err := dec.Decode(&mine); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(mine, map[string]any(tok.Claims.(jwt.MapClaims))) {
					t.Fatalf("both accept, claims differ:\nours   %v\ntheirs %v\ntoken: %q", mine, tok.Claims, token)
				}
			}
			return
		}
		segs := strings.Split(string(token), ".")
		d := &diffCase{token: token, segs: segs, ours: oursS, theirs: theirs}
		if len(segs) == 3 {
			d.header, _ = b64.Strict().DecodeString(segs[0])
			d.payload, _ = b64.Strict().DecodeString(segs[1])
		}
		for _, e := range explanations {
			if e.applies(d) {
				return
			}
		}
		t.Fatalf("unexplained disagreement: codec %v, golang-jwt %v\nheader:  %q\npayload: %q\nmut:     %#x\ntoken:   %q",
			err, theirs, d.header, d.payload, mut, token)
	})
}

// mutatedToken encodes header and payload, applies the encoding mutation mut (low 3 bits: the
// kind; bit 4: which of the two segments; bits 8 and up: a position), and signs the
// transmitted text with crypto/hmac.
func mutatedToken(header, payload []byte, mut uint32) []byte {
	segs := [2]string{b64.EncodeToString(header), b64.EncodeToString(payload)}
	which := (mut >> 4) & 1
	s := segs[which]
	pos := int(mut>>8) % (len(s) + 1)
	var sigMut func(string) string
	switch mut % 8 {
	case 1: // a line break inside the segment
		s = s[:pos] + [...]string{"\r\n", "\n", "\r"}[(mut>>5)%3] + s[pos:]
	case 2: // padding
		s += strings.Repeat("=", 1+int(mut>>5)%2)
	case 3: // the standard alphabet
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	case 4: // unused low bits of the last character set
		if len(s)%4 >= 2 {
			v := strings.IndexByte(alphabet, s[len(s)-1]) | 1
			s = s[:len(s)-1] + alphabet[v:v+1]
		}
	case 5: // a space
		s = s[:pos] + " " + s[pos:]
	case 6: // a line break inside the signature
		sigMut = func(sig string) string { p := int(mut>>8) % (len(sig) + 1); return sig[:p] + "\r\n" + sig[p:] }
	case 7: // padded base64url everywhere
		segs = [2]string{base64.URLEncoding.EncodeToString(header), base64.URLEncoding.EncodeToString(payload)}
		s = segs[which]
		sigMut = func(sig string) string {
			raw, _ := b64.DecodeString(sig)
			return base64.URLEncoding.EncodeToString(raw)
		}
	}
	segs[which] = s
	in := segs[0] + "." + segs[1]
	sig := macB64([]byte(in))
	if sigMut != nil {
		sig = sigMut(sig)
	}
	return []byte(in + "." + sig)
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func hasDuplicate(data []byte) bool {
	return json.Valid(data) && strings.HasPrefix(duplicatesOrDepth(data), "duplicate")
}

func tooDeep(data []byte) bool {
	return json.Valid(data) && duplicatesOrDepth(data) == "nested too deeply"
}

// rawMembers returns the top-level members of a JSON object as encoding/json reads them.
func rawMembers(data []byte) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	json.Unmarshal(data, &m)
	return m
}

// members returns the top-level members of data, or nil if it is not a JSON object.
func members(data []byte) []member {
	var out []member
	for k, v := range rawMembers(data) {
		out = append(out, member{k, v})
	}
	return out
}

// hasFloatOverflow reports whether the JSON text data holds a number beyond float64's range.
func hasFloatOverflow(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				return true
			}
		}
	}
}

// numericDateExplains: both libraries got past everything but the time checks, the codec's
// verdict is the exact one, golang-jwt's follows from its own reading of exp and nbf
// (GetExpirationTime/GetNotBefore), and the two readings differ.
func numericDateExplains(d *diffCase) bool {
	timeErr := d.theirs == nil || errors.Is(d.theirs, jwt.ErrTokenExpired) || errors.Is(d.theirs, jwt.ErrTokenNotValidYet)
	if !timeErr || !(d.ours == nil || d.ours == fastjwt.ErrExpired || d.ours == fastjwt.ErrNotYetValid) {
		return false
	}
	exact, ms := refPayload(d.payload)
	if exact.accept != (d.ours == nil) || !exact.accept && !exact.allows(d.ours) {
		return false
	}
	var claims jwt.MapClaims
	dec := json.NewDecoder(bytes.NewReader(d.payload))
	dec.UseNumber()
	if dec.Decode(&claims) != nil {
		return false
	}
	exp, err1 := claims.GetExpirationTime()
	nbf, err2 := claims.GetNotBefore()
	if err1 != nil || err2 != nil {
		return false
	}
	theirExpired := exp != nil && !fuzzNow.Before(exp.Time)
	theirEarly := nbf != nil && fuzzNow.Before(nbf.Time)
	if (theirExpired || theirEarly) != (d.theirs != nil) {
		return false
	}
	differs := func(name string, nd *jwt.NumericDate) bool {
		raw, ok := lookup(ms, name)
		return ok && nd != nil && ratOfNumber(string(raw)).Cmp(ratOfTime(nd.Time)) != 0
	}
	return differs("exp", exp) || differs("nbf", nbf)
}
