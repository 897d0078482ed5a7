package fuzz

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The fuzz key. Tokens the targets build themselves are signed with it through crypto/hmac, so
// the codec's own signing and MAC code are never the oracle for what they check.
var fuzzSecret = []byte("fuzz-secret-0123456789-abcdefghij")

// fuzzKid is the key ID of the ring used by the targets that exercise "kid" handling.
const fuzzKid = "k1"

// fuzzNow is the fixed clock of every codec here: a whole second plus half a second, so that
// fractional NumericDates on either side of it are exercised.
var fuzzNow = time.Unix(1700000000, 500_000_000)

func clock() time.Time { return fuzzNow }

// newCodec builds a codec over the fuzz key or fails the test.
func newCodec(tb testing.TB, kid string, opts ...fastjwt.Option) *fastjwt.Codec {
	tb.Helper()
	opts = append([]fastjwt.Option{fastjwt.WithClock(clock)}, opts...)
	c, err := fastjwt.NewHS256([]fastjwt.Key{{ID: kid, Secret: fuzzSecret}}, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var b64 = base64.RawURLEncoding

// macB64 returns the base64url HMAC-SHA256 of signingInput under the fuzz key, computed with
// the standard library only.
func macB64(signingInput []byte) string {
	m := hmac.New(sha256.New, fuzzSecret)
	m.Write(signingInput)
	return b64.EncodeToString(m.Sum(nil))
}

// signRaw signs the segments exactly as given (already encoded, possibly non-canonically).
func signRaw(headerSeg, payloadSeg string) []byte {
	in := headerSeg + "." + payloadSeg
	return []byte(in + "." + macB64([]byte(in)))
}

// signJSON encodes header and payload canonically and signs them with crypto/hmac.
func signJSON(header, payload []byte) []byte {
	return signRaw(b64.EncodeToString(header), b64.EncodeToString(payload))
}

// resign replaces the signature of a compact token by one made with the fuzz key, so that
// published tokens (signed with other keys) reach the codec's header and payload parsing.
func resign(token string) ([]byte, bool) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return nil, false
	}
	return []byte(token[:i+1] + macB64([]byte(token[:i]))), true
}

// verifySentinels are the errors a verify may return.
var verifySentinels = []error{
	fastjwt.ErrMalformed, fastjwt.ErrTooLarge, fastjwt.ErrAlgorithm, fastjwt.ErrUnsupported,
	fastjwt.ErrUnknownKey, fastjwt.ErrSignature, fastjwt.ErrClaimType, fastjwt.ErrExpired,
	fastjwt.ErrNotYetValid, fastjwt.ErrIssuer, fastjwt.ErrAudience,
}

// sentinelOf returns the one verify sentinel err matches, failing the test if it matches none
// or several.
func sentinelOf(tb testing.TB, err error, input []byte) error {
	tb.Helper()
	var found error
	for _, s := range verifySentinels {
		if errors.Is(err, s) {
			if found != nil {
				tb.Fatalf("error %q matches both %v and %v\ninput: %q", err, found, s, input)
			}
			found = s
		}
	}
	if found == nil {
		tb.Fatalf("error %q (%T) is not one of the sentinels\ninput: %q", err, err, input)
	}
	return found
}

// Seed material: the published vectors, read from ../testdata/vectors when the repository has
// them, else a handful of tokens embedded here.
var embeddedTokens = []string{
	// RFC 7515 A.1 (CR LF inside the header and payload JSON).
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	// RFC 7520 4.4: a JWS whose payload is text, not a JSON object.
	"eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0",
	// jwt.io's default HS256 token.
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30",
	// Wycheproof JWS: kid, RFC 7797 b64, whitespace in the header JSON, edge-case MACs.
	"eyJhbGciOiJIUzI1NiIsImtpZCI6ImtpZC1hZXMtc2lnbiJ9.Zm9v.TD37p4c_0jmreSrBSDmE0F3mYSPtkZ3WrSyI5wb_KTg",
	"eyJhbGciOiJub25lIiwia2lkIjoia2lkLWFlcy1zaWduIn0.Zm9v.",
	"eyAia2lkIiA6ICJoczI1Ni1rZXkiLCAiYWxnIiA6ICJIUzI1NiIgfQ.VGVzdA.3nl1C7dKVGLfNyALp4ZKkmNFBJlFP8M9VGzCyil9S1c",
	"eyJraWQiOiJoczI1Ni1rZXkiLAoJImFsZyI6IkhTMjU2In0.VGVzdA.Yxn8cTl7IHpFIoEPOFrWmjm-GQlr_RMqHNJOp1ZuweY",
	"eyJraWQiOiJoczI1Ni1rZXkiLCJhbGciOiJIUzI1NiJ?9.VGVzdA.c1LROH7eNQwUT8KMVEO52VC3WZ9e_AnDWbZ7aMmowV8",
	"eyJraWQiOiJoczI1Ni1rZXkiLCJhbGciOiJIUzI1NiJ9.VDIxMzI1NjY4.AAAAtBuQqoI9HuBeAsgjL4nx8sCGYJa5-G2OrureLO4",
	"eyJraWQiOiJoczI1Ni1rZXkiLCJhbGciOiJIUzI1NiJ9.AB.8sL_ycV8G_D-K_2A3I0EW3NoPMeQzv13cAzuHlQ5TAE",
	// RFC 7797 4.1 (default b64) and the wsgi-jwt-session counter cookie.
	"eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ",
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjb3VudGVyIjoxfQ.L4FO0H7KJXfOfEgLV_N93ByCMk5FU8ZuX2YG4Q9lw8Q",
}

// seedTokens returns every compact token of the vectors (or the embedded ones).
func seedTokens() []string {
	var out []string
	dir := filepath.Join("..", "testdata", "vectors")
	if b, err := os.ReadFile(filepath.Join(dir, "published.json")); err == nil {
		var vs []struct{ Token string }
		if json.Unmarshal(b, &vs) == nil {
			for _, v := range vs {
				out = append(out, v.Token)
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "wycheproof", "json_web_signature_test.json")); err == nil {
		var w struct {
			TestGroups []struct {
				Tests []struct{ JWS json.RawMessage }
			}
		}
		if json.Unmarshal(b, &w) == nil {
			for _, g := range w.TestGroups {
				for _, t := range g.Tests {
					var s string
					if json.Unmarshal(t.JWS, &s) == nil && strings.Count(s, ".") == 2 {
						out = append(out, s)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		out = embeddedTokens
	}
	return out
}

// seedSegments returns the decoded header and payload of every seed token whose first two
// segments decode, for targets that take JSON rather than tokens.
// addPayloadSeeds adds the payloads of the seed tokens and the hand-made edge payloads to a
// target that takes one payload.
func addPayloadSeeds(f *testing.F) {
	_, payloads := seedSegments()
	for _, p := range payloads {
		f.Add(p)
	}
	for _, p := range edgePayloads {
		f.Add([]byte(p))
	}
}

func seedSegments() (headers, payloads [][]byte) {
	for _, t := range seedTokens() {
		parts := strings.Split(t, ".")
		if len(parts) != 3 {
			continue
		}
		h, err1 := b64.DecodeString(parts[0])
		p, err2 := b64.DecodeString(parts[1])
		if err1 == nil && err2 == nil {
			headers = append(headers, h)
			payloads = append(payloads, p)
		}
	}
	return headers, payloads
}

// Hand-made JSON edge cases, used as headers and payloads.
var edgeHeaders = []string{
	`{"alg":"HS256","typ":"JWT"}`,
	`{"alg":"HS256","kid":"k1","typ":"JWT"}`,
	`{"alg":"HS256"}`,
	`{"typ":"JWT","alg":"HS256","kid":"k1"}`,
	` { "alg" : "HS256" } `,
	`{"alg":"HS256","kid":"other"}`,
	`{"alg":"HS256","kid":7}`,
	`{"alg":"HS256","typ":null}`,
	`{"alg":"HS256","alg":"HS256"}`,
	`{"alg":"HS256","\u0061lg":"none"}`,
	`{"alg":"none"}`,
	`{"alg":"HS384"}`,
	`{"alg":"hs256"}`,
	`{"alg":"HS256 "}`,
	`{"alg":"HS\u0032\u0035\u0036"}`,
	`{"alg":["HS256"]}`,
	`{"alg":"HS256","crit":["exp"]}`,
	`{"alg":"HS256","b64":false,"crit":["b64"]}`,
	`{"alg":"HS256","b64":true}`,
	`{"alg":"HS256","enc":"A128GCM"}`,
	`{"alg":"HS256","x":{"y":[1,2,{"z":null}]}}`,
	`{"alg":"HS256","jku":"https://example.com/k"}`,
	`{"alg":"HS256","typ":"\ud800"}`,
	"{\"alg\":\"HS256\",\"typ\":\"\xff\"}",
	`{"alg":"HS256"} x`,
	`{"alg":"HS256"}{}`,
	`null`,
	`[]`,
	`"HS256"`,
}

var edgePayloads = []string{
	`{}`,
	`{"sub":"u1","exp":1700000001}`,
	`{"exp":1700000000.5}`,
	`{"exp":1700000000.500000001}`,
	`{"exp":1700000000.5000000000000000001}`,
	`{"exp":1700000000.9}`,
	`{"exp":17000000005e-1}`,
	`{"exp":1.7000000006E9}`,
	`{"exp":1e400}`,
	`{"exp":-1e400}`,
	`{"exp":1e-400}`,
	`{"exp":0}`,
	`{"exp":-0.0}`,
	`{"nbf":1700000000.5}`,
	`{"nbf":1700000000.500000001}`,
	`{"nbf":1700000000.4}`,
	`{"nbf":1e-7,"iat":-12.75}`,
	`{"exp":"1700000001"}`,
	`{"exp":null}`,
	`{"exp":true}`,
	`{"exp":01}`,
	`{"exp":1.}`,
	`{"exp":.5}`,
	`{"exp":+1}`,
	`{"exp":1700000001,"exp":1}`,
	`{"\u0065xp":1,"exp":1700000001}`,
	`{"aud":"a"}`,
	`{"aud":["a","b"]}`,
	`{"aud":[]}`,
	`{"aud":[1]}`,
	`{"aud":["a",null]}`,
	`{"aud":5}`,
	`{"iss":"joe","sub":"\u00e9\ud83d\ude00","jti":"\"\\\/\b\f\n\r\t"}`,
	`{"iss":1}`,
	`{"sub":null}`,
	`{"jti":["x"]}`,
	`{"s":"\ud800"}`,
	`{"s":"\udc00\ud800"}`,
	`{"s":"\ud83d\ude00"}`,
	"{\"s\":\"\xff\"}",
	"{\"s\":\"\xed\xa0\x80\"}",
	"{\"s\":\"\xc0\xaf\"}",
	"{\"s\":\"\x01\"}",
	"{\"s\":\"\x7f\"}",
	`{"a":{"b":{"c":[[[[{}]]]]}}}`,
	`{"a":1,"b":{"a":1,"a":2}}`,
	`{"a":1}x`,
	`{"a":1} `,
	"\t{\"a\":1}\r\n",
	`{"a":1}{}`,
	`null`,
	`[]`,
	`[{}]`,
	`"x"`,
	`1`,
	``,
	` `,
	`{"a":-0,"b":1E+2,"c":1e-2,"d":0.0e0}`,
	`{"a":-}`,
	`{"a":1e}`,
	`{"a":tru}`,
	`{"a":nul}`,
	`{"a" 1}`,
	`{"a":1,}`,
	`{,}`,
	`{"a":[1,]}`,
	`{"a":"\x"}`,
	`{"a":"\u12"}`,
	`{"a":"\uZZZZ"}`,
	"{\"a\":\"\u2028\"}",
	`{"x":"` + strings.Repeat("é", 40) + `","` + strings.Repeat("é", 40) + `":1}`,
	`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"a":18}`,
	`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"\u0062":18}`,
	strings.Repeat(`{"a":`, 64) + `1` + strings.Repeat(`}`, 64),
	strings.Repeat(`{"a":`, 65) + `1` + strings.Repeat(`}`, 65),
	`{"a":` + strings.Repeat(`[`, 63) + strings.Repeat(`]`, 63) + `}`,
	`{"a":` + strings.Repeat(`[`, 64) + strings.Repeat(`]`, 64) + `}`,
}

// trimSpaceJSON trims the whitespace JSON allows around a value.
func trimSpaceJSON(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }
