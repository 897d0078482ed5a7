package fastjwt_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// CheckClaims gives the verdict of signing a payload and verifying the token, for every codec
// policy, payload and type; it signs nothing and leaves the verified-token cache untouched.

// checkSentinels are the errors a verdict is compared on.
var checkSentinels = []error{
	fastjwt.ErrMalformed, fastjwt.ErrTooLarge, fastjwt.ErrAlgorithm, fastjwt.ErrUnsupported,
	fastjwt.ErrUnknownKey, fastjwt.ErrSignature, fastjwt.ErrClaimType, fastjwt.ErrExpired,
	fastjwt.ErrNotYetValid, fastjwt.ErrIssuer, fastjwt.ErrAudience, fastjwt.ErrKey,
	fastjwt.ErrKeysUnavailable,
}

// sameVerdict reports whether a and b are both nil, or match the same sentinels.
func sameVerdict(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	for _, s := range checkSentinels {
		if errors.Is(a, s) != errors.Is(b, s) {
			return false
		}
	}
	return true
}

// signThenVerify is the verdict CheckClaims must give: payload signed by signer as a token of
// type typ, then verified by verifier.
func signThenVerify(signer, verifier *fastjwt.Codec, typ fastjwt.Type, payload []byte) error {
	tok, err := signer.AppendSignType(nil, typ, payload)
	if err != nil {
		return err
	}
	var cl fastjwt.Claims
	_, err = verifier.AppendVerifyClaims(nil, tok, &cl)
	return err
}

// checkPayloads are the payloads of the comparison, around testNow.
func checkPayloads() map[string]string {
	now := testNow.Unix()
	date := func(d time.Duration) string { return fmt.Sprint(now + int64(d/time.Second)) }
	return map[string]string{
		"empty":                `{}`,
		"sub":                  `{"sub":"alice"}`,
		"sub escaped":          `{"sub":"al\u0069ce"}`,
		"sub number":           `{"sub":42}`,
		"sub escaped name":     `{"\u0073ub":42}`,
		"iss":                  `{"iss":"me"}`,
		"iss other":            `{"iss":"other"}`,
		"iss bool":             `{"iss":true}`,
		"jti":                  `{"jti":"x"}`,
		"jti array":            `{"jti":[]}`,
		"aud":                  `{"aud":"api"}`,
		"aud array":            `{"aud":["web","api"]}`,
		"aud other":            `{"aud":["web"]}`,
		"aud empty array":      `{"aud":[]}`,
		"aud numbers":          `{"aud":[1]}`,
		"aud object":           `{"aud":{}}`,
		"exp future":           `{"exp":` + date(time.Hour) + `}`,
		"exp past":             `{"exp":` + date(-time.Hour) + `}`,
		"exp now":              `{"exp":` + date(0) + `}`,
		"exp within leeway":    `{"exp":` + date(-10*time.Second) + `}`,
		"exp fraction":         `{"exp":` + date(time.Hour) + `.5}`,
		"exp string":           `{"exp":"soon"}`,
		"exp out of range":     `{"exp":1e300}`,
		"nbf past":             `{"nbf":` + date(-time.Minute) + `}`,
		"nbf future":           `{"nbf":` + date(time.Hour) + `}`,
		"nbf within leeway":    `{"nbf":` + date(10*time.Second) + `}`,
		"nbf string":           `{"nbf":"soon"}`,
		"iat now":              `{"iat":` + date(0) + `}`,
		"iat future":           `{"iat":` + date(time.Hour) + `}`,
		"iat null":             `{"iat":null}`,
		"all":                  `{"iss":"me","sub":"alice","aud":"api","iat":` + date(0) + `,"nbf":` + date(0) + `,"exp":` + date(time.Hour) + `,"jti":"j"}`,
		"duplicate":            `{"a":1,"a":2}`,
		"duplicate escaped":    `{"a":1,"\u0061":2}`,
		"duplicate nested":     `{"o":{"b":1,"b":2}}`,
		"duplicate claim":      `{"sub":"a","sub":"b"}`,
		"bad UTF-8":            "{\"s\":\"\xff\"}",
		"lone surrogate":       `{"s":"\ud800"}`,
		"deep":                 `{"d":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		"not an object":        `[1]`,
		"trailing":             `{} x`,
		"leading zero":         `{"n":01}`,
		"many members":         `{` + strings.Repeat(`"m":0,`, 0) + manyMembers(20) + `}`,
		"near the cap":         `{"sub":"` + strings.Repeat("s", 60) + `"}`,
		"over a small cap":     `{"sub":"` + strings.Repeat("s", 120) + `"}`,
		"over the default cap": `{"sub":"` + strings.Repeat("s", fastjwt.DefaultMaxTokenSize) + `"}`,
	}
}

// manyMembers returns n distinct members "m0":0,...
func manyMembers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"m%d":0`, i)
	}
	return b.String()
}

func TestCheckClaimsIsSignThenVerify(t *testing.T) {
	clock := clockTestNow()
	type codecs struct{ signer, checker *fastjwt.Codec }
	hs := func(id string, opts ...fastjwt.Option) codecs {
		mk := func() *fastjwt.Codec {
			c, err := fastjwt.NewHS256([]fastjwt.Key{{ID: id, Secret: testSecret}}, append([]fastjwt.Option{clock}, opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		return codecs{mk(), mk()}
	}
	asym := func(ac asymCase, opts ...fastjwt.Option) codecs {
		signer, verifier := ac.pair(t, "key-1", append([]fastjwt.Option{clock}, opts...)...)
		return codecs{signer, verifier}
	}
	policies := map[string]codecs{
		"HS256":                      hs(""),
		"HS256 kid":                  hs("a-key-id"),
		"HS256 issuer":               hs("", fastjwt.WithIssuer("me")),
		"HS256 audience":             hs("", fastjwt.WithAudience("api")),
		"HS256 any audience":         hs("", fastjwt.AcceptAnyAudience()),
		"HS256 leeway":               hs("", fastjwt.WithLeeway(30*time.Second)),
		"HS256 future iat":           hs("", fastjwt.RejectFutureIssuedAt()),
		"HS256 small cap":            hs("", fastjwt.WithMaxTokenSize(200)),
		"HS256 small cap, kid":       hs("a-key-id", fastjwt.WithMaxTokenSize(200)),
		"HS256 no cache":             hs("", fastjwt.WithVerifyCache(0)),
		"ES256 verifier":             asym(asymCases[5], fastjwt.WithIssuer("me"), fastjwt.WithAudience("api")),
		"EdDSA verifier, small cap":  asym(asymCases[6], fastjwt.WithMaxTokenSize(250)),
		"RS256 verifier, any aud":    asym(asymCases[0], fastjwt.AcceptAnyAudience(), fastjwt.WithLeeway(time.Minute)),
		"PS256 verifier, future iat": asym(asymCases[3], fastjwt.RejectFutureIssuedAt()),
	}
	types := []fastjwt.Type{fastjwt.TypeNone, fastjwt.TypeJWT, fastjwt.TypeAccess, fastjwt.TypeSession, fastjwt.TypeOther}
	payloads := checkPayloads()
	for pname, p := range policies {
		// The signing codec checks the payloads too: a codec that signs is its own verifier.
		for _, checker := range []*fastjwt.Codec{p.checker, p.signer} {
			before := checker.CacheStats()
			for name, payload := range payloads {
				for _, typ := range types {
					verifier := checker
					if checker == p.signer {
						verifier = p.checker // another instance: the signer's cache stays as it was
					}
					want := signThenVerify(p.signer, verifier, typ, []byte(payload))
					got := checker.CheckClaims(typ, []byte(payload))
					if !sameVerdict(got, want) {
						t.Errorf("%s, %s, type %d: CheckClaims: %v, sign then verify: %v", pname, name, typ, got, want)
					}
				}
			}
			if checker == p.signer {
				if after := checker.CacheStats(); after != before {
					t.Errorf("%s: CheckClaims changed the cache's counts: %+v, then %+v", pname, before, after)
				}
			}
		}
	}
}

// CheckClaims stores nothing in the verified-token cache: a token signed afterwards from a
// checked payload is still the cache's first sight of it, and the counts do not move.
func TestCheckClaimsLeavesTheCacheAlone(t *testing.T) {
	c := newCodec(t)
	payload := []byte(`{"sub":"alice"}`)
	before := c.CacheStats()
	for range 100 {
		if err := c.CheckClaims(fastjwt.TypeSession, payload); err != nil {
			t.Fatal(err)
		}
	}
	if after := c.CacheStats(); after != before {
		t.Fatalf("CacheStats went from %+v to %+v", before, after)
	}
}

func BenchmarkCheckClaims(b *testing.B) {
	c := newCodec(b)
	payload := []byte(`{"sub":"alice","iat":1700000000,"exp":1700086400,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.CheckClaims(fastjwt.TypeSession, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// A write of a registered claim is checked before it is stored, without signing anything.
func ExampleCodec_CheckClaims() {
	now := time.Unix(1700000000, 0)
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithIssuer("me"), fastjwt.WithClock(func() time.Time { return now }))

	fmt.Println(codec.CheckClaims(fastjwt.TypeJWT, []byte(`{"iss":"me","sub":"alice"}`)))
	err := codec.CheckClaims(fastjwt.TypeJWT, []byte(`{"iss":"me","sub":42}`))
	fmt.Println(errors.Is(err, fastjwt.ErrClaimType), err)
	err = codec.CheckClaims(fastjwt.TypeJWT, []byte(`{"iss":"you"}`))
	fmt.Println(errors.Is(err, fastjwt.ErrIssuer), err)
	err = codec.CheckClaims(fastjwt.TypeJWT, []byte(`{"iss":"me","nbf":1700003600}`))
	fmt.Println(errors.Is(err, fastjwt.ErrNotYetValid), err)
	fmt.Println(codec.CacheStats().Hits, codec.CacheStats().Misses)
	// Output:
	// <nil>
	// true registered claim has the wrong type: "sub" is not a string
	// true issuer mismatch: "iss" is not the expected issuer
	// true token not valid yet: now is before "nbf"
	// 0 0
}
