package fastjwt_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The reference vectors live in testdata/vectors; README.md there says where each came from.
var (
	publishedFile = filepath.Join("..", "testdata", "vectors", "published.json")
	wycheproofJWS = filepath.Join("..", "testdata", "vectors", "wycheproof", "json_web_signature_test.json")
)

// The number of vectors each file holds. A loader that runs fewer has silently dropped some, and
// the tests fail rather than pass on what they did not check.
const (
	publishedVectors = 12
	wycheproofHS256  = 40
)

// publishedVector is one token published with its key (RFCs, jwt.io, PyJWT, wsgi-jwt-session).
type publishedVector struct {
	Name        string   `json:"name"`
	Source      string   `json:"source"`
	Key         string   `json:"key"`
	KeyEncoding string   `json:"key_encoding"` // "base64url" or "utf8"
	Token       string   `json:"token"`
	Now         int64    `json:"now"`   // a time inside the token's validity
	Level       string   `json:"level"` // "jwt": a valid JWT; "jws": a valid JWS whose payload is not JSON
	PayloadJSON string   `json:"payload_json"`
	PayloadText string   `json:"payload_text"`
	HeaderJSON  string   `json:"header_json"`
	PolicyFlags []string `json:"policy_flags"`
}

func (v *publishedVector) secret(t *testing.T) []byte {
	t.Helper()
	switch v.KeyEncoding {
	case "utf8":
		return []byte(v.Key)
	case "base64url":
		k, err := base64.RawURLEncoding.Strict().DecodeString(v.Key)
		if err != nil {
			t.Fatalf("key: %v", err)
		}
		return k
	}
	t.Fatalf("unknown key_encoding %q", v.KeyEncoding)
	return nil
}

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func clockAt(sec int64) fastjwt.Option {
	return fastjwt.WithClock(func() time.Time { return time.Unix(sec, 0) })
}

// tamperSignature returns token with the first character of its signature replaced by another
// base64url character. The first character carries only MAC bits, so the result is still
// canonical base64url and differs from the original only in the MAC.
func tamperSignature(token string) string {
	i := strings.LastIndexByte(token, '.') + 1
	if i == 0 || i == len(token) {
		return token
	}
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// strictSegment decodes one segment as canonical unpadded base64url. The standard decoder skips
// CR and LF even in Strict mode, so those are refused here first.
func strictSegment(seg string) ([]byte, bool) {
	if strings.ContainsAny(seg, "\r\n") {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	return b, err == nil
}

// isJSONObject reports whether b is one JSON object.
func isJSONObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// jwsVerdict verifies token with c at the JWS level (RFC 7515): header, segments and MAC, but
// not the claims. The codec is a JWT verifier and also requires the payload to be a JSON object,
// so a token that is a valid JWS with a text payload is told apart like this: verification fails
// with ErrMalformed, the payload segment is canonical base64url of something that is not a JSON
// object, and the same token with only its MAC altered fails with ErrSignature instead, which
// proves the header and the MAC were accepted and only the payload stood in the way.
func jwsVerdict(c *fastjwt.Codec, token string) (valid, textPayload bool, err error) {
	_, err = c.AppendVerify(nil, []byte(token))
	if err == nil {
		return true, false, nil
	}
	if !errors.Is(err, fastjwt.ErrMalformed) {
		return false, false, err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false, false, err
	}
	payload, ok := strictSegment(parts[1])
	if !ok || isJSONObject(payload) {
		return false, false, err
	}
	_, tampered := c.AppendVerify(nil, []byte(tamperSignature(token)))
	if !errors.Is(tampered, fastjwt.ErrSignature) {
		return false, false, err
	}
	return true, true, err
}

// TestPublishedVectors verifies every token published with its key. Each is checked with the
// clock inside its validity; a token with an exp is also checked at exactly exp, where it must be
// expired, and every token is checked under a wrong key.
func TestPublishedVectors(t *testing.T) {
	var vectors []publishedVector
	loadJSON(t, publishedFile, &vectors)
	ran := 0
	for _, v := range vectors {
		ran++ // counted here, not in the subtest, so that -run can select one vector
		t.Run(v.Name, func(t *testing.T) {
			secret := v.secret(t)
			var opts []fastjwt.Option
			if slices.Contains(v.PolicyFlags, "short_key") {
				if len(secret) >= fastjwt.MinSecretSize {
					t.Fatalf("flagged short_key but the secret is %d bytes", len(secret))
				}
				// Without the explicit allowance, the codec must refuse the key.
				if _, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}); !errors.Is(err, fastjwt.ErrKey) {
					t.Fatalf("NewHS256 with a %d-byte secret: err = %v, want ErrKey", len(secret), err)
				}
				opts = append(opts, fastjwt.AllowShortKeys())
			}
			c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, append(opts, clockAt(v.Now))...)
			if err != nil {
				t.Fatal(err)
			}

			// The vector's own description of the token must match the token.
			parts := strings.Split(v.Token, ".")
			if len(parts) != 3 {
				t.Fatalf("token has %d segments", len(parts))
			}
			if h, ok := strictSegment(parts[0]); !ok || string(h) != v.HeaderJSON {
				t.Fatalf("header segment decodes to %q, vector says %q", h, v.HeaderJSON)
			}

			var cl fastjwt.Claims
			got, err := c.AppendVerifyClaims(nil, []byte(v.Token), &cl)
			switch v.Level {
			case "jwt":
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if string(got) != v.PayloadJSON {
					t.Fatalf("payload %q, want %q (the JSON exactly as signed)", got, v.PayloadJSON)
				}
				if exp, ok := cl.Expires(); ok {
					atExp, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}},
						append(opts, fastjwt.WithClock(func() time.Time { return exp }))...)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := atExp.AppendVerify(nil, []byte(v.Token)); !errors.Is(err, fastjwt.ErrExpired) {
						t.Errorf("at exp (%v): err = %v, want ErrExpired", exp.Unix(), err)
					}
				}
			case "jws":
				// A valid JWS whose payload is text: a JWT verifier must refuse it as malformed,
				// and only after the MAC has matched (see jwsVerdict).
				if p, ok := strictSegment(parts[1]); !ok || string(p) != v.PayloadText {
					t.Fatalf("payload segment decodes to %q, vector says %q", p, v.PayloadText)
				}
				valid, text, err := jwsVerdict(c, v.Token)
				if !valid || !text {
					t.Fatalf("valid JWS with a text payload: err = %v, want ErrMalformed after the MAC matched", err)
				}
				if name := fastjwt.ErrorName(err); name != "ErrMalformed" {
					t.Fatalf("error %q, want ErrMalformed", name)
				}
			default:
				t.Fatalf("unknown level %q", v.Level)
			}

			// The same token under another key of the same length never verifies.
			wrong := bytes.Clone(secret)
			wrong[0] ^= 1
			cw, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: wrong}}, append(opts, clockAt(v.Now))...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cw.AppendVerify(nil, []byte(v.Token)); !errors.Is(err, fastjwt.ErrSignature) {
				t.Errorf("under a wrong key: err = %v, want ErrSignature", err)
			}
		})
	}
	t.Logf("published vectors: %d loaded and run", ran)
	if ran < publishedVectors {
		t.Fatalf("ran %d published vectors, want %d", ran, publishedVectors)
	}
}

// jwsFile is Wycheproof's json_web_signature_test.json, as the HS256 test reads it.
type jwsFile struct {
	TestGroups []struct {
		Comment string `json:"comment"`
		Private struct {
			Kty string `json:"kty"`
			Alg string `json:"alg"`
			Kid string `json:"kid"`
			K   string `json:"k"`
		} `json:"private"`
		Tests []struct {
			TcID    int    `json:"tcId"`
			Comment string `json:"comment"`
			JWS     string `json:"jws"`
			Result  string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// jwsOverride replaces a Wycheproof label that a strict verifier cannot follow.
type jwsOverride struct {
	valid  bool
	reason string
	check  func(tokens map[int]string, tcID int) bool // confirms the reason on the data itself
}

// sameAs357 reports whether a case is byte for byte the valid case 357.
func sameAs357(tokens map[int]string, tcID int) bool { return tokens[tcID] == tokens[357] }

// hasQuestionMark reports whether a case's header or payload segment contains '?'.
func hasQuestionMark(tokens map[int]string, tcID int) bool {
	parts := strings.Split(tokens[tcID], ".")
	return len(parts) == 3 && strings.ContainsRune(parts[0]+parts[1], '?')
}

var jwsOverrides = map[int]jwsOverride{
	367: {true, `labeled invalid ("invalidBase64Padding"), but the token is byte-identical to the valid tcId 357; no padding is present`, sameAs357},
	370: {true, `labeled invalid ("invalidBase64PaddingInPayload"), but the token is byte-identical to the valid tcId 357; no padding is present`, sameAs357},
	372: {false, `labeled valid, but the header segment contains '?', which is not base64url (RFC 7515 sec. 7.1 requires base64url segments)`, hasQuestionMark},
	373: {false, `labeled valid, but the payload segment contains '?', which is not base64url (RFC 7515 sec. 7.1 requires base64url segments)`, hasQuestionMark},
}

// jwsRejections lists, for each invalid case, the sentinels that name its defect sensibly. Two
// are given where the defect sits in a part checked after another (a non-canonical payload under
// a MAC computed over it, say): which one is reported depends only on the order of the checks.
var (
	malformed = []error{fastjwt.ErrMalformed}
	badMAC    = []error{fastjwt.ErrSignature}
	either    = []error{fastjwt.ErrMalformed, fastjwt.ErrSignature}
)

var jwsRejections = map[int][]error{
	2: badMAC, 3: either, 4: malformed, 5: badMAC, 6: badMAC, 7: malformed,
	8: {fastjwt.ErrUnknownKey, fastjwt.ErrSignature}, 9: malformed, 10: malformed, 11: malformed,
	12: malformed, 13: malformed, 14: malformed, 15: malformed,
	16: {fastjwt.ErrAlgorithm}, 17: malformed,
	360: either, 361: either, 362: either, 363: either, 364: either,
	365: malformed, 366: malformed, 368: either, 369: either, 371: either,
	372: malformed, 373: either, 374: either, 375: either,
}

// TestWycheproofJWSHS256 runs the HS256 groups of Wycheproof's JSON Web Signature tests, each
// with the group's JWK ("k" decoded, "kid" as the key ID), at the JWS level (see jwsVerdict).
func TestWycheproofJWSHS256(t *testing.T) {
	var f jwsFile
	loadJSON(t, wycheproofJWS, &f)
	tokens := map[int]string{}
	for _, g := range f.TestGroups {
		for _, tc := range g.Tests {
			tokens[tc.TcID] = tc.JWS
		}
	}
	for id, o := range jwsOverrides {
		if !o.check(tokens, id) {
			t.Fatalf("override for tcId %d no longer matches the data: %s", id, o.reason)
		}
	}
	ran, accepted := 0, 0
	for _, g := range f.TestGroups {
		if g.Private.Kty != "oct" {
			continue // the asymmetric groups: TestWycheproofJWSAsymmetric
		}
		if g.Private.Alg != "HS256" {
			t.Fatalf("group %q: a symmetric key for %q", g.Comment, g.Private.Alg)
		}
		secret, err := base64.RawURLEncoding.Strict().DecodeString(g.Private.K)
		if err != nil {
			t.Fatalf("group %q: k: %v", g.Comment, err)
		}
		c, err := fastjwt.NewHS256([]fastjwt.Key{{ID: g.Private.Kid, Secret: secret}}, clockAt(1700000000))
		if err != nil {
			t.Fatalf("group %q: %v", g.Comment, err)
		}
		for _, tc := range g.Tests {
			ran++
			want := tc.Result == "valid"
			if tc.Result != "valid" && tc.Result != "invalid" {
				t.Fatalf("tcId %d: unknown result %q", tc.TcID, tc.Result)
			}
			if o, ok := jwsOverrides[tc.TcID]; ok {
				want = o.valid
			}
			valid, text, err := jwsVerdict(c, tc.JWS)
			switch {
			case valid != want:
				t.Errorf("tcId %d (%s): valid = %v (err %v), want %v", tc.TcID, tc.Comment, valid, err, want)
			case valid:
				accepted++
				if text {
					t.Logf("tcId %d (%s): valid JWS; its payload is not a JSON object, so the JWT check refuses it: %v", tc.TcID, tc.Comment, err)
				}
			default:
				sentinels, ok := jwsRejections[tc.TcID]
				if !ok {
					t.Errorf("tcId %d (%s): rejected (%v) but has no expected sentinel listed", tc.TcID, tc.Comment, err)
					break
				}
				if !slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(err, s) }) {
					t.Errorf("tcId %d (%s): err = %v, want one of %v", tc.TcID, tc.Comment, err, sentinels)
				}
			}
		}
	}
	t.Logf("Wycheproof JWS HS256: %d cases ran, %d valid at the JWS level, %d overrides", ran, accepted, len(jwsOverrides))
	if ran < wycheproofHS256 {
		t.Fatalf("ran %d Wycheproof HS256 cases, want %d", ran, wycheproofHS256)
	}
}
