package fastjwt_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// These tests check each rule of the strictness policy on its own. Tokens are built here with
// crypto/hmac, independently of the codec, so that a rejection can only come from the rule
// under test: every token below carries a correct MAC unless the case says otherwise.

var (
	testSecret = []byte("strict-test-secret-0123456789abcdef")
	testNow    = time.Unix(1700000000, 0)
)

const stdHeader = `{"alg":"HS256","typ":"JWT"}`

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signRaw returns headerSeg.payloadSeg.signature with a correct HMAC-SHA256 under secret.
func signRaw(secret []byte, headerSeg, payloadSeg string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(headerSeg + "." + payloadSeg))
	return headerSeg + "." + payloadSeg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// token builds a correctly signed token from header and payload JSON texts.
func token(header, payload string) string {
	return signRaw(testSecret, b64(header), b64(payload))
}

func newCodec(t testing.TB, opts ...fastjwt.Option) *fastjwt.Codec {
	t.Helper()
	opts = append([]fastjwt.Option{fastjwt.WithClock(func() time.Time { return testNow })}, opts...)
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: testSecret}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type verdictCase struct {
	name  string
	token string
	want  error // nil: accepted
}

// check verifies each case and asserts the verdict, the sentinel, and that a rejection
// appends nothing to dst while an acceptance appends exactly the payload.
func check(t *testing.T, c *fastjwt.Codec, cases []verdictCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("prefix")
			out, err := c.AppendVerify(dst, []byte(tc.token))
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("rejected: %v", err)
			case tc.want != nil && err == nil:
				t.Fatalf("accepted, want %v; payload %q", tc.want, out)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("error %v, want %v", err, tc.want)
			case tc.want != nil && string(out) != "prefix":
				t.Fatalf("rejection changed dst to %q", out)
			case tc.want == nil:
				parts := strings.Split(tc.token, ".")
				payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
				if string(out) != "prefix"+string(payload) {
					t.Fatalf("payload %q, want %q", out, payload)
				}
			}
			if err != nil && fastjwt.ErrorName(err) == "" {
				t.Fatalf("error %v matches no sentinel", err)
			}
		})
	}
}

const okPayload = `{"sub":"u1","exp":1700000100}`

func TestAlgorithmRules(t *testing.T) {
	c := newCodec(t)
	check(t, c, []verdictCase{
		{"alg none", token(`{"alg":"none","typ":"JWT"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg none unsigned", b64(`{"alg":"none"}`) + "." + b64(okPayload) + ".", fastjwt.ErrAlgorithm},
		{"alg None", token(`{"alg":"None"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg HS384", token(`{"alg":"HS384"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg HS512", token(`{"alg":"HS512"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg RS256", token(`{"alg":"RS256"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg lowercase", token(`{"alg":"hs256"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg trailing space", token(`{"alg":"HS256 "}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg number", token(`{"alg":256}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg null", token(`{"alg":null}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg array", token(`{"alg":["HS256"]}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg missing", token(`{"typ":"JWT"}`, okPayload), fastjwt.ErrAlgorithm},
		{"alg escaped HS256", token(`{"alg":"HS\u0032\u00356"}`, okPayload), nil},
		{"alg duplicate", token(`{"alg":"HS256","alg":"none"}`, okPayload), fastjwt.ErrMalformed},
	})
}

func TestHeaderRules(t *testing.T) {
	c := newCodec(t)
	check(t, c, []verdictCase{
		{"member order", token(`{"typ":"JWT","alg":"HS256"}`, okPayload), nil},
		{"whitespace", token("{\r\n \"alg\" : \"HS256\" ,\t\"typ\":\"JWT\"\n}", okPayload), nil},
		{"typ absent", token(`{"alg":"HS256"}`, okPayload), nil},
		{"typ any string", token(`{"alg":"HS256","typ":"at+jwt"}`, okPayload), nil},
		{"typ number", token(`{"alg":"HS256","typ":1}`, okPayload), fastjwt.ErrMalformed},
		{"kid accepted by an ID-less key", token(`{"alg":"HS256","kid":"k1"}`, okPayload), nil},
		{"kid number", token(`{"alg":"HS256","kid":7}`, okPayload), fastjwt.ErrMalformed},
		{"kid null", token(`{"alg":"HS256","kid":null}`, okPayload), fastjwt.ErrMalformed},
		{"unknown members", token(`{"alg":"HS256","x":{"y":[1,2,{"z":null}]},"jku":"https://evil.example/keys","jwk":{"kty":"oct","k":"AAAA"}}`, okPayload), nil},
		{"crit", token(`{"alg":"HS256","crit":["exp"],"exp":1}`, okPayload), fastjwt.ErrUnsupported},
		{"crit empty", token(`{"alg":"HS256","crit":[]}`, okPayload), fastjwt.ErrUnsupported},
		{"b64 false", token(`{"alg":"HS256","b64":false,"crit":["b64"]}`, okPayload), fastjwt.ErrUnsupported},
		{"b64 false alone", token(`{"alg":"HS256","b64":false}`, okPayload), fastjwt.ErrUnsupported},
		{"b64 string", token(`{"alg":"HS256","b64":"true"}`, okPayload), fastjwt.ErrUnsupported},
		{"b64 true", token(`{"alg":"HS256","b64":true}`, okPayload), nil},
		{"enc", token(`{"alg":"HS256","enc":"A128GCM"}`, okPayload), fastjwt.ErrUnsupported},
		{"header array", token(`["alg","HS256"]`, okPayload), fastjwt.ErrMalformed},
		{"header string", token(`"HS256"`, okPayload), fastjwt.ErrMalformed},
		{"header empty", token(``, okPayload), fastjwt.ErrMalformed},
		{"header trailing data", token(`{"alg":"HS256"}x`, okPayload), fastjwt.ErrMalformed},
		{"header two objects", token(`{"alg":"HS256"}{}`, okPayload), fastjwt.ErrMalformed},
		{"header trailing comma", token(`{"alg":"HS256",}`, okPayload), fastjwt.ErrMalformed},
		{"header invalid UTF-8", token("{\"alg\":\"HS256\",\"x\":\"\xff\"}", okPayload), fastjwt.ErrMalformed},
		{"header duplicate names", token(`{"alg":"HS256","typ":"JWT","typ":"JWT"}`, okPayload), fastjwt.ErrMalformed},
		{"header too large", token(`{"alg":"HS256","x":"`+strings.Repeat("a", 4000)+`"}`, okPayload), fastjwt.ErrMalformed},
	})
}

func TestSegmentRules(t *testing.T) {
	c := newCodec(t)
	good := token(stdHeader, okPayload)
	parts := strings.Split(good, ".")
	check(t, c, []verdictCase{
		{"valid", good, nil},
		{"empty", "", fastjwt.ErrMalformed},
		{"one segment", parts[0], fastjwt.ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], fastjwt.ErrMalformed},
		{"four segments", good + "." + parts[2], fastjwt.ErrMalformed},
		{"trailing dot", good + ".", fastjwt.ErrMalformed},
		{"ten thousand segments", strings.Repeat("a.", 10000) + "a", fastjwt.ErrMalformed},
		{"only dots", "..", fastjwt.ErrMalformed},
		{"empty payload", signRaw(testSecret, parts[0], ""), fastjwt.ErrMalformed},
		{"empty signature", parts[0] + "." + parts[1] + ".", fastjwt.ErrSignature},
	})
}

// TestBase64Rules alters each segment's encoding while keeping the MAC correct over the
// transmitted text, so only the encoding rule can reject it.
func TestBase64Rules(t *testing.T) {
	c := newCodec(t)
	h, p := b64(stdHeader), b64(okPayload)
	sig := func(hs, ps string) string { return strings.Split(signRaw(testSecret, hs, ps), ".")[2] }
	padded := func(s string) string { return s + strings.Repeat("=", (4-len(s)%4)%4) }
	goodSig := sig(h, p)
	// The payload {"a":1} has 7 bytes: 10 characters, the last carrying 2 unused bits.
	p7 := b64(`{"a":1}`)
	nonCanonical := p7[:len(p7)-1] + string(p7[len(p7)-1]+1)
	sigNonCanonical := goodSig[:42] + string(goodSig[42]+1) // 43rd character has 2 unused bits
	cases := []verdictCase{
		{"payload padding", signRaw(testSecret, h, padded(p+"A")), fastjwt.ErrMalformed},
		{"header padding", signRaw(testSecret, padded(h+"A"), p), fastjwt.ErrMalformed},
		{"signature padding", h + "." + p + "." + goodSig + "=", fastjwt.ErrSignature},
		{"payload plus", signRaw(testSecret, h, strings.Replace(p, p[4:5], "+", 1)), fastjwt.ErrMalformed},
		{"payload slash", signRaw(testSecret, h, strings.Replace(p, p[4:5], "/", 1)), fastjwt.ErrMalformed},
		{"payload CRLF", signRaw(testSecret, h, p[:8]+"\r\n"+p[8:]), fastjwt.ErrMalformed},
		{"payload LF", signRaw(testSecret, h, p[:8]+"\n"+p[8:]), fastjwt.ErrMalformed},
		{"payload space", signRaw(testSecret, h, p[:8]+" "+p[8:]), fastjwt.ErrMalformed},
		{"payload NUL", signRaw(testSecret, h, p[:8]+"\x00"+p[8:]), fastjwt.ErrMalformed},
		{"header CR", signRaw(testSecret, h[:4]+"\r"+h[4:], p), fastjwt.ErrMalformed},
		{"signature LF", h + "." + p + "." + goodSig[:20] + "\n" + goodSig[20:42], fastjwt.ErrMalformed},
		{"signature plus", h + "." + p + "." + strings.Replace(goodSig, goodSig[5:6], "+", 1), fastjwt.ErrMalformed},
		{"payload non-canonical last character", signRaw(testSecret, h, nonCanonical), fastjwt.ErrMalformed},
		{"signature non-canonical last character", h + "." + p + "." + sigNonCanonical, fastjwt.ErrMalformed},
		{"payload length 1 mod 4", signRaw(testSecret, h, p+"AAAAA"), fastjwt.ErrMalformed},
		{"signature 31 bytes", h + "." + p + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 31)), fastjwt.ErrSignature},
		{"signature 33 bytes", h + "." + p + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 33)), fastjwt.ErrSignature},
		{"signature standard base64 padded", h + "." + p + "." + base64.StdEncoding.EncodeToString(make([]byte, 32)), fastjwt.ErrSignature},
		{"canonical control", signRaw(testSecret, h, p7), nil},
	}
	if nonCanonical == p7 || sigNonCanonical == goodSig {
		t.Fatal("test construction: the altered encodings equal the canonical ones")
	}
	check(t, c, cases)
}

func TestSignatureRules(t *testing.T) {
	c := newCodec(t)
	good := token(stdHeader, okPayload)
	other := signRaw([]byte("another-secret-0123456789abcdefghijk"), b64(stdHeader), b64(okPayload))
	flipped := []byte(good)
	flipped[len(flipped)-3] ^= 'A' ^ 'B'
	if flipped[len(flipped)-3] == good[len(good)-3] {
		t.Fatal("test construction: no bit flipped")
	}
	tamperedPayload := b64(stdHeader) + "." + b64(`{"sub":"admin","exp":1700000100}`) + "." + strings.Split(good, ".")[2]
	check(t, c, []verdictCase{
		{"wrong key", other, fastjwt.ErrSignature},
		{"flipped signature", string(flipped), fastjwt.ErrSignature},
		{"tampered payload", tamperedPayload, fastjwt.ErrSignature},
		{"header re-encoded", signRaw(testSecret, b64(stdHeader), b64(okPayload))[:0] + b64(`{"typ":"JWT","alg":"HS256"}`) + "." + strings.SplitN(good, ".", 2)[1], fastjwt.ErrSignature},
	})
}

func TestPayloadJSONRules(t *testing.T) {
	c := newCodec(t)
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	nested := strings.Repeat(`{"a":`, 30) + "1" + strings.Repeat("}", 30)
	check(t, c, []verdictCase{
		{"array", token(stdHeader, `[1,2]`), fastjwt.ErrMalformed},
		{"string", token(stdHeader, `"x"`), fastjwt.ErrMalformed},
		{"number", token(stdHeader, `1`), fastjwt.ErrMalformed},
		{"null", token(stdHeader, `null`), fastjwt.ErrMalformed},
		{"two objects", token(stdHeader, `{}{}`), fastjwt.ErrMalformed},
		{"trailing garbage", token(stdHeader, `{"a":1}x`), fastjwt.ErrMalformed},
		{"trailing comma", token(stdHeader, `{"a":1,}`), fastjwt.ErrMalformed},
		{"array trailing comma", token(stdHeader, `{"a":[1,]}`), fastjwt.ErrMalformed},
		{"unterminated", token(stdHeader, `{"a":1`), fastjwt.ErrMalformed},
		{"single quotes", token(stdHeader, `{'a':1}`), fastjwt.ErrMalformed},
		{"unquoted name", token(stdHeader, `{a:1}`), fastjwt.ErrMalformed},
		{"BOM", token(stdHeader, "\xef\xbb\xbf{}"), fastjwt.ErrMalformed},
		{"surrounding whitespace", token(stdHeader, " \n{\"a\" : 1 }\r\n"), nil},
		{"empty object", token(stdHeader, `{}`), nil},
		{"duplicate name", token(stdHeader, `{"a":1,"a":2}`), fastjwt.ErrMalformed},
		{"duplicate registered name", token(stdHeader, `{"sub":"a","sub":"b"}`), fastjwt.ErrMalformed},
		{"duplicate through escape", token(stdHeader, `{"exp":1,"\u0065xp":9999999999}`), fastjwt.ErrMalformed},
		{"duplicate nested", token(stdHeader, `{"a":{"b":1,"b":2}}`), fastjwt.ErrMalformed},
		{"duplicate in array object", token(stdHeader, `{"a":[{"b":1,"b":2}]}`), fastjwt.ErrMalformed},
		{"duplicate in large object", token(stdHeader, largeObject(40, true)), fastjwt.ErrMalformed},
		{"large object", token(stdHeader, largeObject(40, false)), nil},
		{"same name in sibling objects", token(stdHeader, `{"a":{"b":1},"c":{"b":2}}`), nil},
		{"invalid UTF-8", token(stdHeader, "{\"a\":\"\xff\"}"), fastjwt.ErrMalformed},
		{"invalid UTF-8 in name", token(stdHeader, "{\"\xc3\":1}"), fastjwt.ErrMalformed},
		{"overlong UTF-8", token(stdHeader, "{\"a\":\"\xc0\xaf\"}"), fastjwt.ErrMalformed},
		{"UTF-8 surrogate", token(stdHeader, "{\"a\":\"\xed\xa0\x80\"}"), fastjwt.ErrMalformed},
		{"valid UTF-8", token(stdHeader, `{"a":"héllo ☃ 𝄞"}`), nil},
		{"lone high surrogate escape", token(stdHeader, `{"a":"\ud800"}`), fastjwt.ErrMalformed},
		{"lone low surrogate escape", token(stdHeader, `{"a":"\udc00"}`), fastjwt.ErrMalformed},
		{"reversed surrogates", token(stdHeader, `{"a":"\udc00\ud800"}`), fastjwt.ErrMalformed},
		{"surrogate pair escape", token(stdHeader, `{"a":"\ud834\udd1e"}`), nil},
		{"raw control character", token(stdHeader, "{\"a\":\"x\ny\"}"), fastjwt.ErrMalformed},
		{"raw tab in string", token(stdHeader, "{\"a\":\"x\ty\"}"), fastjwt.ErrMalformed},
		{"DEL is allowed", token(stdHeader, "{\"a\":\"x\x7fy\"}"), nil},
		{"bad escape", token(stdHeader, `{"a":"\x"}`), fastjwt.ErrMalformed},
		{"short unicode escape", token(stdHeader, `{"a":"\u12"}`), fastjwt.ErrMalformed},
		{"all escapes", token(stdHeader, `{"a":"\"\\\/\b\f\n\r\t\u00e9"}`), nil},
		{"leading zero", token(stdHeader, `{"a":01}`), fastjwt.ErrMalformed},
		{"plus sign", token(stdHeader, `{"a":+1}`), fastjwt.ErrMalformed},
		{"leading dot", token(stdHeader, `{"a":.5}`), fastjwt.ErrMalformed},
		{"trailing dot", token(stdHeader, `{"a":1.}`), fastjwt.ErrMalformed},
		{"bare exponent", token(stdHeader, `{"a":1e}`), fastjwt.ErrMalformed},
		{"lone minus", token(stdHeader, `{"a":-}`), fastjwt.ErrMalformed},
		{"NaN", token(stdHeader, `{"a":NaN}`), fastjwt.ErrMalformed},
		{"Infinity", token(stdHeader, `{"a":Infinity}`), fastjwt.ErrMalformed},
		{"hex", token(stdHeader, `{"a":0x10}`), fastjwt.ErrMalformed},
		{"numbers", token(stdHeader, `{"a":[0,-0,1.5,-2e10,3E+2,4e-2,0.0]}`), nil},
		{"True", token(stdHeader, `{"a":True}`), fastjwt.ErrMalformed},
		{"nul", token(stdHeader, `{"a":nul}`), fastjwt.ErrMalformed},
		{"literals", token(stdHeader, `{"a":[true,false,null]}`), nil},
		{"comment", token(stdHeader, `{"a":1/*x*/}`), fastjwt.ErrMalformed},
		{"nesting 30", token(stdHeader, nested), nil},
		{"nesting 1000", token(stdHeader, `{"a":`+deep+`}`), fastjwt.ErrMalformed},
	})
}

func largeObject(n int, dup bool) string {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `":1`)
	}
	if dup {
		b.WriteString(`,"kab":2`)
	}
	b.WriteString("}")
	return b.String()
}

func TestClaimTypeRules(t *testing.T) {
	c := newCodec(t, fastjwt.AcceptAnyAudience()) // aud is type-checked whatever the audience policy
	check(t, newCodec(t), []verdictCase{
		{"aud type checked before the audience rule", token(stdHeader, `{"aud":1}`), fastjwt.ErrClaimType},
	})
	check(t, c, []verdictCase{
		{"exp string", token(stdHeader, `{"exp":"1700000100"}`), fastjwt.ErrClaimType},
		{"exp null", token(stdHeader, `{"exp":null}`), fastjwt.ErrClaimType},
		{"exp bool", token(stdHeader, `{"exp":true}`), fastjwt.ErrClaimType},
		{"exp object", token(stdHeader, `{"exp":{}}`), fastjwt.ErrClaimType},
		{"nbf string", token(stdHeader, `{"nbf":"0"}`), fastjwt.ErrClaimType},
		{"iat string", token(stdHeader, `{"iat":"0"}`), fastjwt.ErrClaimType},
		{"iss number", token(stdHeader, `{"iss":1}`), fastjwt.ErrClaimType},
		{"sub number", token(stdHeader, `{"sub":1}`), fastjwt.ErrClaimType},
		{"sub null", token(stdHeader, `{"sub":null}`), fastjwt.ErrClaimType},
		{"jti number", token(stdHeader, `{"jti":1}`), fastjwt.ErrClaimType},
		{"aud number", token(stdHeader, `{"aud":1}`), fastjwt.ErrClaimType},
		{"aud object", token(stdHeader, `{"aud":{"a":1}}`), fastjwt.ErrClaimType},
		{"aud array with number", token(stdHeader, `{"aud":["a",1]}`), fastjwt.ErrClaimType},
		{"aud array with null", token(stdHeader, `{"aud":[null]}`), fastjwt.ErrClaimType},
		{"aud empty array", token(stdHeader, `{"aud":[]}`), nil},
		{"escaped claim name checked", token(stdHeader, `{"\u0065xp":"soon"}`), fastjwt.ErrClaimType},
		{"unregistered claims any type", token(stdHeader, `{"exp2":"x","Exp":"x","name":1}`), nil},
		{"nested exp not registered", token(stdHeader, `{"a":{"exp":"x"}}`), nil},
		{"iat in the future accepted", token(stdHeader, `{"iat":9999999999}`), nil},
	})
}

func TestTimeRules(t *testing.T) {
	c := newCodec(t) // now = 1700000000
	check(t, c, []verdictCase{
		{"exp after now", token(stdHeader, `{"exp":1700000001}`), nil},
		{"exp equal now", token(stdHeader, `{"exp":1700000000}`), fastjwt.ErrExpired},
		{"exp before now", token(stdHeader, `{"exp":1699999999}`), fastjwt.ErrExpired},
		{"exp fraction after now", token(stdHeader, `{"exp":1700000000.000000001}`), nil},
		{"exp beyond nanoseconds", token(stdHeader, `{"exp":1700000000.0000000001}`), nil},
		{"exp fraction zero", token(stdHeader, `{"exp":1700000000.000}`), fastjwt.ErrExpired},
		{"exp exponent equal", token(stdHeader, `{"exp":1.7e9}`), fastjwt.ErrExpired},
		{"exp exponent after", token(stdHeader, `{"exp":1.7000000001E+9}`), nil},
		{"exp exponent before", token(stdHeader, `{"exp":16999999999e-1}`), fastjwt.ErrExpired},
		{"exp far future", token(stdHeader, `{"exp":253402300800}`), nil},
		{"exp at the time.Time bound", token(stdHeader, `{"exp":9223371974719179007.999999999}`), nil},
		{"exp at the bound as exponent", token(stdHeader, `{"exp":9.223371974719179007e18}`), nil},
		{"exp zero", token(stdHeader, `{"exp":0}`), fastjwt.ErrExpired},
		{"exp negative", token(stdHeader, `{"exp":-1}`), fastjwt.ErrExpired},
		{"exp tiny", token(stdHeader, `{"exp":1e-999}`), fastjwt.ErrExpired},
		{"nbf equal now", token(stdHeader, `{"nbf":1700000000}`), nil},
		{"nbf before now", token(stdHeader, `{"nbf":1699999999.999}`), nil},
		{"nbf after now", token(stdHeader, `{"nbf":1700000001}`), fastjwt.ErrNotYetValid},
		{"nbf just after now", token(stdHeader, `{"nbf":1700000000.0000000001}`), fastjwt.ErrNotYetValid},
		{"nbf and exp", token(stdHeader, `{"nbf":1699999000,"exp":1700001000}`), nil},
		{"no time claims", token(stdHeader, `{"sub":"x"}`), nil},
	})
	// A NumericDate no time.Time can hold is not a date: a wrong-typed claim, never "far future".
	var outOfRange []verdictCase
	for _, claim := range []string{"exp", "nbf", "iat"} {
		for _, v := range []string{"1e400", "1e30", "-1e30", "1e300", "1e99999999999", "-1e99999999999",
			"9223371974719179008", "-9223371974719179008", "9223372036854775807", "18446744073709551616",
			"9.223371974719179008e18", "92233719747191790080e-1", "1e19"} {
			outOfRange = append(outOfRange, verdictCase{claim + " " + v, token(stdHeader, `{"`+claim+`":`+v+`}`), fastjwt.ErrClaimType})
		}
		var past error // a date in the past: expired for exp, fine for nbf and iat
		if claim == "exp" {
			past = fastjwt.ErrExpired
		}
		outOfRange = append(outOfRange,
			verdictCase{claim + " negative bound", token(stdHeader, `{"`+claim+`":-9223371974719179007.5}`), past},
			verdictCase{claim + " zero with a huge exponent", token(stdHeader, `{"`+claim+`":0e99999999999}`), past})
	}
	check(t, c, outOfRange)
	lenient := newCodec(t, fastjwt.WithLeeway(30*time.Second))
	check(t, lenient, []verdictCase{
		{"exp within leeway", token(stdHeader, `{"exp":1699999971}`), nil},
		{"exp at leeway edge", token(stdHeader, `{"exp":1699999970}`), fastjwt.ErrExpired},
		{"nbf within leeway", token(stdHeader, `{"nbf":1700000030}`), nil},
		{"nbf beyond leeway", token(stdHeader, `{"nbf":1700000030.5}`), fastjwt.ErrNotYetValid},
	})
}

func TestFractionalClock(t *testing.T) {
	tok := []byte(token(stdHeader, `{"exp":1700000000.5}`))
	for _, tc := range []struct {
		now  time.Time
		want error
	}{
		{time.Unix(1700000000, 499999999), nil},
		{time.Unix(1700000000, 500000000), fastjwt.ErrExpired},
		{time.Unix(-5, 0), nil},
	} {
		c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: testSecret}}, fastjwt.WithClock(func() time.Time { return tc.now }))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AppendVerify(nil, tok); !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
			t.Errorf("now %v: err %v, want %v", tc.now, err, tc.want)
		}
	}
}

func TestIssuerAudienceRules(t *testing.T) {
	c := newCodec(t, fastjwt.WithIssuer("https://issuer.example"), fastjwt.WithAudience("api"))
	check(t, c, []verdictCase{
		{"both match", token(stdHeader, `{"iss":"https://issuer.example","aud":"api"}`), nil},
		{"aud in array", token(stdHeader, `{"iss":"https://issuer.example","aud":["web","api"]}`), nil},
		{"escaped iss", token(stdHeader, `{"iss":"https:\/\/issuer.example","aud":"api"}`), nil},
		{"iss mismatch", token(stdHeader, `{"iss":"https://evil.example","aud":"api"}`), fastjwt.ErrIssuer},
		{"iss prefix", token(stdHeader, `{"iss":"https://issuer.example.evil","aud":"api"}`), fastjwt.ErrIssuer},
		{"iss missing", token(stdHeader, `{"aud":"api"}`), fastjwt.ErrIssuer},
		{"aud mismatch", token(stdHeader, `{"iss":"https://issuer.example","aud":"apis"}`), fastjwt.ErrAudience},
		{"aud array mismatch", token(stdHeader, `{"iss":"https://issuer.example","aud":["web"]}`), fastjwt.ErrAudience},
		{"aud empty array", token(stdHeader, `{"iss":"https://issuer.example","aud":[]}`), fastjwt.ErrAudience},
		{"aud missing", token(stdHeader, `{"iss":"https://issuer.example"}`), fastjwt.ErrAudience},
		{"aud case differs", token(stdHeader, `{"iss":"https://issuer.example","aud":"API"}`), fastjwt.ErrAudience},
	})
	// RFC 7519 sec. 4.1.3: a recipient that does not identify itself with a value of a present
	// "aud" must reject the token; one configured with no audience identifies with none.
	open := newCodec(t)
	check(t, open, []verdictCase{
		{"iss not checked when not configured", token(stdHeader, `{"iss":"x"}`), nil},
		{"aud present, no audience configured", token(stdHeader, `{"iss":"x","aud":"y"}`), fastjwt.ErrAudience},
		{"aud array, no audience configured", token(stdHeader, `{"aud":["y","z"]}`), fastjwt.ErrAudience},
		{"aud empty array, no audience configured", token(stdHeader, `{"aud":[]}`), fastjwt.ErrAudience},
		{"aud empty string, no audience configured", token(stdHeader, `{"aud":""}`), fastjwt.ErrAudience},
		{"aud absent", token(stdHeader, `{"sub":"x"}`), nil},
	})
	anyAud := newCodec(t, fastjwt.AcceptAnyAudience())
	check(t, anyAud, []verdictCase{
		{"AcceptAnyAudience: aud string", token(stdHeader, `{"iss":"x","aud":"y"}`), nil},
		{"AcceptAnyAudience: aud array", token(stdHeader, `{"aud":["y","z"]}`), nil},
		{"AcceptAnyAudience: aud still type-checked", token(stdHeader, `{"aud":7}`), fastjwt.ErrClaimType},
	})
	// With an audience configured, AcceptAnyAudience changes nothing: the audience is checked.
	both := newCodec(t, fastjwt.WithAudience("api"), fastjwt.AcceptAnyAudience())
	check(t, both, []verdictCase{
		{"WithAudience and AcceptAnyAudience: match", token(stdHeader, `{"aud":"api"}`), nil},
		{"WithAudience and AcceptAnyAudience: mismatch", token(stdHeader, `{"aud":"web"}`), fastjwt.ErrAudience},
		{"WithAudience and AcceptAnyAudience: missing", token(stdHeader, `{}`), fastjwt.ErrAudience},
	})
	var cl fastjwt.Claims
	if _, err := open.AppendVerifyClaims(nil, []byte(token(stdHeader, `{"aud":"y"}`)), &cl); err == nil ||
		err.Error() != `audience mismatch: "aud" present but no audience is configured` {
		t.Errorf("error text %q", err)
	}
}

func TestSizeCap(t *testing.T) {
	c := newCodec(t, fastjwt.WithMaxTokenSize(200))
	small := token(stdHeader, `{"a":"x"}`)
	padding := strings.Repeat("x", 200)
	big := token(stdHeader, `{"a":"`+padding+`"}`)
	check(t, c, []verdictCase{
		{"under cap", small, nil},
		{"over cap", big, fastjwt.ErrTooLarge},
		{"dots over cap", strings.Repeat(".", 201), fastjwt.ErrTooLarge},
	})
	// Exactly at the cap is accepted, one byte over is not.
	for n := 0; n < 200; n++ {
		tok := token(stdHeader, `{"a":"`+strings.Repeat("x", n)+`"}`)
		if len(tok) < 199 {
			continue
		}
		exact, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: testSecret}}, fastjwt.WithMaxTokenSize(len(tok)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := exact.AppendVerify(nil, []byte(tok)); err != nil {
			t.Fatalf("token of exactly the cap (%d bytes) rejected: %v", len(tok), err)
		}
		under, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: testSecret}}, fastjwt.WithMaxTokenSize(len(tok)-1))
		if _, err := under.AppendVerify(nil, []byte(tok)); !errors.Is(err, fastjwt.ErrTooLarge) {
			t.Fatalf("token one byte over the cap: %v", err)
		}
		if _, err := under.AppendSign(nil, []byte(`{"a":"`+strings.Repeat("x", n)+`"}`)); !errors.Is(err, fastjwt.ErrTooLarge) {
			t.Fatalf("signing a token over the cap: %v", err)
		}
		return
	}
	t.Fatal("test construction: no token reached the cap")
}

func TestDefaultSizeCap(t *testing.T) {
	c := newCodec(t)
	big := token(stdHeader, `{"a":"`+strings.Repeat("x", fastjwt.DefaultMaxTokenSize)+`"}`)
	if _, err := c.AppendVerify(nil, []byte(big)); !errors.Is(err, fastjwt.ErrTooLarge) {
		t.Fatalf("token over 64 KiB: %v", err)
	}
}

// RejectFutureIssuedAt refuses an "iat" after now plus the leeway, exactly; without it any iat
// of the right type is accepted.
func TestFutureIssuedAt(t *testing.T) {
	check(t, newCodec(t), []verdictCase{
		{"off by default", token(stdHeader, `{"iat":9999999999}`), nil},
	})
	c := newCodec(t, fastjwt.RejectFutureIssuedAt()) // now = 1700000000
	check(t, c, []verdictCase{
		{"iat now", token(stdHeader, `{"iat":1700000000}`), nil},
		{"iat past", token(stdHeader, `{"iat":1600000000.5}`), nil},
		{"iat negative", token(stdHeader, `{"iat":-1}`), nil},
		{"iat absent", token(stdHeader, `{"sub":"x"}`), nil},
		{"iat one second ahead", token(stdHeader, `{"iat":1700000001}`), fastjwt.ErrNotYetValid},
		{"iat just ahead", token(stdHeader, `{"iat":1700000000.0000000001}`), fastjwt.ErrNotYetValid},
		{"iat far ahead", token(stdHeader, `{"iat":1e18}`), fastjwt.ErrNotYetValid},
		{"iat ahead, exp and nbf fine", token(stdHeader, `{"nbf":1690000000,"iat":1700000100,"exp":1800000000}`), fastjwt.ErrNotYetValid},
		{"iat still type-checked", token(stdHeader, `{"iat":"1700000000"}`), fastjwt.ErrClaimType},
	})
	lenient := newCodec(t, fastjwt.RejectFutureIssuedAt(), fastjwt.WithLeeway(30*time.Second))
	check(t, lenient, []verdictCase{
		{"iat within leeway", token(stdHeader, `{"iat":1700000030}`), nil},
		{"iat beyond leeway", token(stdHeader, `{"iat":1700000030.000000001}`), fastjwt.ErrNotYetValid},
		{"expired first", token(stdHeader, `{"iat":1800000000,"exp":1600000000}`), fastjwt.ErrExpired},
	})
	_, err := c.AppendVerify(nil, []byte(token(stdHeader, `{"iat":1700000001}`)))
	if err == nil || err.Error() != `token not valid yet: "iat" is in the future` {
		t.Errorf("error text %q", err)
	}
}

// At the NumericDate bound, the dates Claims reports are exact: their Unix seconds are the
// claim's, on both sides of the epoch.
func TestNumericDateBoundIsExact(t *testing.T) {
	c := newCodec(t)
	for _, tc := range []struct {
		iat      string
		sec, ns  int64
		negative bool
	}{
		{"9223371974719179007.999999999", 9223371974719179007, 999999999, false},
		{"9.223371974719179007e18", 9223371974719179007, 0, false},
		{"-9223371974719179007", -9223371974719179007, 0, true},
		{"-9223371974719179007.25", -9223371974719179008, 750000000, true},
	} {
		var cl fastjwt.Claims
		if _, err := c.AppendVerifyClaims(nil, []byte(token(stdHeader, `{"iat":`+tc.iat+`}`)), &cl); err != nil {
			t.Fatalf("%s: %v", tc.iat, err)
		}
		iat, ok := cl.IssuedAt()
		if !ok || iat.Unix() != tc.sec || int64(iat.Nanosecond()) != tc.ns {
			t.Errorf("%s: IssuedAt %d.%09d, want %d.%09d", tc.iat, iat.Unix(), iat.Nanosecond(), tc.sec, tc.ns)
		}
	}
}
