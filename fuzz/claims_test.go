package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
)

// FuzzClaimsJSON is a differential of the codec's registered-claims scanner against
// encoding/json. Each arbitrary payload is signed with crypto/hmac under the codec's plain
// header and verified with AppendVerifyClaims; encoding/json (json.Decoder with UseNumber)
// decodes the same bytes into a map.
//
//   - encoding/json refuses it (not JSON, not an object): the codec must refuse it too, as
//     ErrMalformed (or ErrClaimType for a wrong-typed claim met before the syntax error).
//   - the codec accepts it: encoding/json must read the same exp, nbf and iat (compared as exact
//     decimals truncated to the nanosecond), iss, sub, jti, and audience membership.
//   - encoding/json accepts it and the codec does not: the difference must be one the policy
//     prescribes, detected here independently: duplicate names, invalid UTF-8, unpaired
//     surrogates, nesting over 64 (ErrMalformed); a wrong-typed registered claim, or a
//     NumericDate no time.Time holds (ErrClaimType); exp or nbf outside the fixed clock
//     (ErrExpired, ErrNotYetValid).
//
// The codec under test accepts any audience (the comparison is of the scan); a default codec
// must then refuse exactly the accepted payloads that carry "aud" (RFC 7519 sec. 4.1.3).
func FuzzClaimsJSON(f *testing.F) {
	addPayloadSeeds(f)
	c := newCodec(f, "", fastjwt.AcceptAnyAudience())
	noAudience := newCodec(f, "")
	header := []byte(`{"alg":"HS256","typ":"JWT"}`)

	f.Fuzz(func(t *testing.T, payload []byte) {
		token := signJSON(header, payload)
		var cl fastjwt.Claims
		out, err := c.AppendVerifyClaims(nil, token, &cl)

		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		stdOK := json.Valid(payload) && dec.Decode(&m) == nil && m != nil

		if !stdOK {
			if err == nil {
				t.Fatalf("accepted a payload encoding/json refuses as an object\npayload: %q", payload)
			}
			if s := sentinelOf(t, err, payload); s != fastjwt.ErrMalformed && s != fastjwt.ErrClaimType {
				t.Fatalf("invalid JSON rejected with %v, want ErrMalformed\npayload: %q", err, payload)
			}
			return
		}
		if err == nil {
			if !bytes.Equal(out, payload) {
				t.Fatalf("payload changed: %q -> %q", payload, out)
			}
			compareClaims(t, &cl, m, payload)
			_, hasAud := m["aud"]
			if _, err := noAudience.AppendVerify(nil, token); hasAud != errors.Is(err, fastjwt.ErrAudience) || !hasAud && err != nil {
				t.Fatalf("without an audience: %v, aud present %v\npayload: %q", err, hasAud, payload)
			}
			return
		}
		s := sentinelOf(t, err, payload)
		want := explainJSONRejection(m, payload)
		if want == nil {
			t.Fatalf("rejected (%v) a payload encoding/json accepts, with no difference the policy explains\npayload: %q", err, payload)
		}
		if s != want && !(want == fastjwt.ErrMalformed && s == fastjwt.ErrClaimType && len(stdClaimTypeErrors(m)) > 0) {
			t.Fatalf("rejected with %v, the policy says %v\npayload: %q", err, want, payload)
		}
	})
}

// explainJSONRejection returns the sentinel the policy gives a payload that encoding/json
// decodes as an object, or nil if the policy accepts it.
func explainJSONRejection(m map[string]any, payload []byte) error {
	switch {
	case !utf8.Valid(payload), !surrogatesPaired(payload), duplicatesOrDepth(payload) != "":
		return fastjwt.ErrMalformed
	case len(stdClaimTypeErrors(m)) > 0:
		return fastjwt.ErrClaimType
	}
	now := ratOfTime(fuzzNow)
	if exp, ok := m["exp"].(json.Number); ok && now.Cmp(ratOfNumber(string(exp))) >= 0 {
		return fastjwt.ErrExpired
	}
	if nbf, ok := m["nbf"].(json.Number); ok && now.Cmp(ratOfNumber(string(nbf))) < 0 {
		return fastjwt.ErrNotYetValid
	}
	return nil
}

// stdClaimTypeErrors lists the registered claims of the wrong type, judged on the values
// encoding/json decoded.
func stdClaimTypeErrors(m map[string]any) []string {
	var bad []string
	for name, v := range m {
		ok := true
		switch name {
		case "exp", "nbf", "iat":
			n, isNum := v.(json.Number)
			ok = isNum && refDateInRange(string(n))
		case "iss", "sub", "jti":
			_, ok = v.(string)
		case "aud":
			switch a := v.(type) {
			case string:
			case []any:
				for _, e := range a {
					if _, isStr := e.(string); !isStr {
						ok = false
					}
				}
			default:
				ok = false
			}
		}
		if !ok {
			bad = append(bad, name)
		}
	}
	return bad
}

// compareClaims checks the Claims accessors against encoding/json's decoding.
func compareClaims(t *testing.T, cl *fastjwt.Claims, m map[string]any, payload []byte) {
	t.Helper()
	for name, get := range map[string]func() (time.Time, bool){"exp": cl.Expires, "nbf": cl.NotBefore, "iat": cl.IssuedAt} {
		got, ok := get()
		n, has := m[name].(json.Number)
		if ok != has {
			t.Fatalf("%s: codec present %v, encoding/json %v\npayload: %q", name, ok, has, payload)
		}
		if has {
			checkDate(t, name, got, string(n), payload)
		}
	}
	for name, get := range map[string]func() string{"iss": cl.Issuer, "sub": cl.Subject, "jti": cl.ID} {
		want, _ := m[name].(string)
		if got := get(); got != want {
			t.Fatalf("%s: codec %q, encoding/json %q\npayload: %q", name, got, want, payload)
		}
	}
	var auds []string
	switch a := m["aud"].(type) {
	case string:
		auds = []string{a}
	case []any:
		for _, e := range a {
			auds = append(auds, e.(string))
		}
	}
	for _, a := range auds {
		if !cl.HasAudience(a) {
			t.Fatalf("HasAudience(%q) false\npayload: %q", a, payload)
		}
	}
	probe := "\x00probe"
	if len(auds) > 0 {
		probe = auds[0] + "x"
	}
	member := false
	for _, a := range auds {
		member = member || a == probe
	}
	if cl.HasAudience(probe) != member {
		t.Fatalf("HasAudience(%q) = %v, encoding/json says %v\npayload: %q", probe, !member, member, payload)
	}
}
