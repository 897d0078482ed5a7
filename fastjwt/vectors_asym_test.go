package fastjwt_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

var asymmetricVectorsFile = filepath.Join("..", "testdata", "vectors", "asymmetric.json")

// The number of cases each file holds (see publishedVectors).
const (
	asymmetricVectors    = 7
	wycheproofAsymmetric = 361 // the 401 cases of json_web_signature_test.json less the 40 HS256 ones
)

// asymmetricVector is one published token with its public key (asymmetric.json).
type asymmetricVector struct {
	Name    string          `json:"name"`
	Source  string          `json:"source"`
	Alg     string          `json:"alg"` // the token's "alg"
	JWK     json.RawMessage `json:"jwk"`
	Token   string          `json:"token"`
	Now     int64           `json:"now"`
	Verdict string          `json:"verdict"` // "jwt", "jws" (valid, text payload) or "unsupported"
	Payload string          `json:"payload"`
}

// TestAsymmetricVectors runs the RS256, ES256 and EdDSA examples of RFC 7515 (A.2, A.3), RFC
// 7520 (sec. 4.1) and RFC 8037 (A.4), with the RFC's public key as a JWK: each verifies, and
// with its signature altered does not. The examples of algorithms this package does not
// implement (ES512 in RFC 7515 A.4 and RFC 7520 sec. 4.3, PS384 in RFC 7520 sec. 4.2) are
// refused: their key by ParseJWK, or, for an RSA key without "alg" (which gets RS256), the token
// by its "alg".
func TestAsymmetricVectors(t *testing.T) {
	var vectors []asymmetricVector
	loadJSON(t, asymmetricVectorsFile, &vectors)
	ran := 0
	for _, v := range vectors {
		ran++
		t.Run(v.Name, func(t *testing.T) {
			parts := strings.Split(v.Token, ".")
			if len(parts) != 3 {
				t.Fatalf("%d segments", len(parts))
			}
			hdr, _ := strictSegment(parts[0])
			var h struct{ Alg string }
			if json.Unmarshal(hdr, &h) != nil || h.Alg != v.Alg {
				t.Fatalf("header %s, vector says alg %q", hdr, v.Alg)
			}
			if p, ok := strictSegment(parts[1]); !ok || string(p) != v.Payload {
				t.Fatalf("payload %q, vector says %q", p, v.Payload)
			}
			key, err := fastjwt.ParseJWK(v.JWK)
			if v.Verdict == "unsupported" {
				if _, perr := fastjwt.ParseAlg(v.Alg); perr == nil {
					t.Fatalf("alg %q is implemented, not unsupported", v.Alg)
				}
				if err != nil {
					if !errors.Is(err, fastjwt.ErrKey) {
						t.Fatalf("ParseJWK: %v, want ErrKey", err)
					}
					t.Logf("key refused: %v", err)
					return
				}
				c, err := fastjwt.NewVerifier([]fastjwt.PublicKey{key}, clockAt(v.Now))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.AppendVerify(nil, []byte(v.Token)); !errors.Is(err, fastjwt.ErrAlgorithm) {
					t.Fatalf("key bound to %v: token with alg %q: %v, want ErrAlgorithm", key.Alg, v.Alg, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseJWK: %v", err)
			}
			if key.Alg.String() != v.Alg {
				t.Fatalf("the JWK gets %v, the token says %q", key.Alg, v.Alg)
			}
			c, err := fastjwt.NewVerifier([]fastjwt.PublicKey{key}, clockAt(v.Now))
			if err != nil {
				t.Fatal(err)
			}
			switch v.Verdict {
			case "jwt":
				var cl fastjwt.Claims
				p, err := c.AppendVerifyClaims(nil, []byte(v.Token), &cl)
				if err != nil || string(p) != v.Payload {
					t.Fatalf("%q %v", p, err)
				}
				exp, _ := cl.Expires()
				late, _ := fastjwt.NewVerifier([]fastjwt.PublicKey{key}, fastjwt.WithClock(func() time.Time { return exp }))
				if _, err := late.AppendVerify(nil, []byte(v.Token)); !errors.Is(err, fastjwt.ErrExpired) {
					t.Fatalf("at exp: %v", err)
				}
			case "jws":
				if valid, text, err := jwsVerdict(c, v.Token); !valid || !text {
					t.Fatalf("valid JWS with a text payload: %v", err)
				}
			default:
				t.Fatalf("verdict %q", v.Verdict)
			}
			if _, err := c.AppendVerify(nil, []byte(tamperSignature(v.Token))); !errors.Is(err, fastjwt.ErrSignature) {
				t.Fatalf("altered signature: %v", err)
			}
		})
	}
	if ran < asymmetricVectors {
		t.Fatalf("ran %d vectors, want %d", ran, asymmetricVectors)
	}
}

// wycheproofGroup is a test group of json_web_signature_test.json with its keys as JWKs.
type wycheproofGroup struct {
	Comment string          `json:"comment"`
	Public  json.RawMessage `json:"public"`
	Private struct {
		Kty string `json:"kty"`
	} `json:"private"`
	Tests []struct {
		TcID    int      `json:"tcId"`
		Comment string   `json:"comment"`
		JWS     string   `json:"jws"`
		Result  string   `json:"result"`
		Flags   []string `json:"flags"`
	} `json:"tests"`
}

// wycheproofDeviation is a Wycheproof "valid" label this package does not follow, with the
// reason, checked against the data.
type wycheproofDeviation struct {
	reason string
	check  func(tokenAlg, keyAlg string, keyErr error) bool
}

// Every deviation is a token of an algorithm this package does not implement.
var (
	unsupportedKey = wycheproofDeviation{
		"labelled valid, but the group's key is for an algorithm this package does not implement (RS384, RS512, PS384, PS512, ES512): ParseJWK refuses the key, so no codec holds it",
		func(tokenAlg, keyAlg string, keyErr error) bool {
			_, err := fastjwt.ParseAlg(tokenAlg)
			return err != nil && errors.Is(keyErr, fastjwt.ErrKey)
		},
	}
	unsupportedToken = wycheproofDeviation{
		`labelled valid, but the token's "alg" (PS384, RFC 7520 Figure 20) is not implemented, and the group's JWK binds its key to another algorithm (PS256): refused with ErrAlgorithm`,
		func(tokenAlg, keyAlg string, keyErr error) bool {
			_, err := fastjwt.ParseAlg(tokenAlg)
			return err != nil && keyErr == nil && keyAlg != tokenAlg
		},
	}
)

// TestWycheproofJWSAsymmetric runs every group of Wycheproof's JSON Web Signature tests that is
// not HS256: each with the group's public JWK, parsed by ParseJWK, at the JWS level (see
// jwsVerdict; the payloads are text). A group whose key is refused (an algorithm this package
// does not implement, a key for encryption) has every case refused; the labels this departs
// from are listed by tcId with their reason.
func TestWycheproofJWSAsymmetric(t *testing.T) {
	var f struct {
		TestGroups []wycheproofGroup `json:"testGroups"`
	}
	loadJSON(t, wycheproofJWS, &f)
	ran, accepted, deviations := 0, 0, 0
	perGroup := map[string][4]int{} // comment -> cases, labelled valid, accepted, deviations
	for gi, g := range f.TestGroups {
		if g.Private.Kty == "oct" {
			continue // TestWycheproofJWSHS256
		}
		key, keyErr := fastjwt.ParseJWK(g.Public)
		var c *fastjwt.Codec
		if keyErr == nil {
			var err error
			if c, err = fastjwt.NewVerifier([]fastjwt.PublicKey{key}, clockAt(1700000000)); err != nil {
				t.Fatalf("group %d %q: %v", gi, g.Comment, err)
			}
		} else if !errors.Is(keyErr, fastjwt.ErrKey) {
			t.Fatalf("group %d %q: ParseJWK: %v", gi, g.Comment, keyErr)
		}
		name := g.Comment
		counts := perGroup[name]
		for _, tc := range g.Tests {
			ran++
			counts[0]++
			want := tc.Result == "valid"
			if want {
				counts[1]++
			}
			var valid bool
			var err error
			if c == nil {
				err = keyErr
			} else {
				valid, _, err = jwsVerdict(c, tc.JWS)
			}
			if valid {
				accepted++
				counts[2]++
			}
			if valid == want {
				if !valid && c != nil && !errors.Is(err, wycheproofSentinel(tc.Comment)) {
					t.Errorf("tcId %d (%s): %v, want %v", tc.TcID, tc.Comment, err, wycheproofSentinel(tc.Comment))
				}
				if !valid && c == nil && !keyRefusedForPurposeOrAlgorithm(keyErr) {
					t.Errorf("tcId %d (%s): key refused for %v, want its purpose or its algorithm", tc.TcID, tc.Comment, keyErr)
				}
				continue
			}
			if !want { // accepted what is labelled invalid: never argued away
				t.Errorf("tcId %d (%s, group %q): accepted, labelled invalid", tc.TcID, tc.Comment, g.Comment)
				continue
			}
			tokenAlg := headerAlg(tc.JWS)
			dev := unsupportedKey
			if keyErr == nil {
				dev = unsupportedToken
			}
			if !dev.check(tokenAlg, key.Alg.String(), keyErr) {
				t.Errorf("tcId %d (%s, group %q, alg %q): refused (%v), labelled valid", tc.TcID, tc.Comment, g.Comment, tokenAlg, err)
				continue
			}
			if c != nil && !errors.Is(err, fastjwt.ErrAlgorithm) {
				t.Errorf("tcId %d: %v, want ErrAlgorithm", tc.TcID, err)
			}
			deviations++
			counts[3]++
			t.Logf("tcId %d (%s, %s): %s", tc.TcID, g.Comment, tokenAlg, dev.reason)
		}
		perGroup[name] = counts
	}
	names := make([]string, 0, len(perGroup))
	for n := range perGroup {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := perGroup[n]
		t.Logf("group %-22s %3d cases, %3d labelled valid, %3d accepted, %d deviations", n, c[0], c[1], c[2], c[3])
	}
	t.Logf("Wycheproof JWS, asymmetric groups: %d cases ran, %d valid at the JWS level, %d deviations (algorithms not implemented)", ran, accepted, deviations)
	if ran < wycheproofAsymmetric {
		t.Fatalf("ran %d cases, want %d", ran, wycheproofAsymmetric)
	}
}

// keyRefusedForPurposeOrAlgorithm reports whether ParseJWK refused a group's key because it is
// for encryption ("use":"enc", "key_ops":["encrypt"]) or for an algorithm this package does not
// implement: the two reasons a Wycheproof key is refused, never a parse error.
func keyRefusedForPurposeOrAlgorithm(err error) bool {
	for _, why := range []string{`"use" is "enc"`, `"key_ops" lists "encrypt"`, "is not supported for keys of type", `only P-256 (ES256) is supported`} {
		if strings.Contains(err.Error(), why) {
			return true
		}
	}
	return false
}

// wycheproofSentinel is the error an invalid Wycheproof case is refused with, by what its
// comment says was done to the token: a header made HS256 with the public key's bytes as the
// MAC key is the algorithm confusion (ErrAlgorithm); a changed "kid" names no key; a missing
// segment or header is malformed; every other change (signature, payload, padding, R and S
// values, an embedded "jwk") leaves a signature that does not verify.
func wycheproofSentinel(comment string) error {
	switch {
	case strings.HasPrefix(comment, "rejectsSymmetryConfusion"):
		return fastjwt.ErrAlgorithm
	case comment == "rejectsModifiedHeader":
		return fastjwt.ErrUnknownKey
	case strings.HasPrefix(comment, "rejectsMissingHeader"), strings.HasSuffix(comment, "AndSeparator"),
		comment == "rejectsEmptyString":
		return fastjwt.ErrMalformed
	}
	return fastjwt.ErrSignature
}

// headerAlg returns the "alg" of a token's header, or "" if it has none.
func headerAlg(tok string) string {
	hdr, ok := strictSegment(strings.SplitN(tok, ".", 2)[0])
	if !ok {
		return ""
	}
	var h struct{ Alg string }
	_ = json.Unmarshal(hdr, &h)
	return h.Alg
}
