package fuzz

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
)

// FuzzRoundTrip signs arbitrary bytes with AppendSign. Signing must succeed exactly when the
// reference model accepts the payload's structure (one strict JSON object with well-typed
// registered claims; times are not checked when signing). A signed token must be the codec's
// plain header, the payload's base64url and a MAC that crypto/hmac reproduces; verifying it gives
// back the payload byte for byte, unless exp or nbf put it outside the fixed clock, in which
// case the error must be ErrExpired or ErrNotYetValid as the claim values say. A codec with a
// small cap must refuse to sign exactly the tokens that would exceed it. The verifying codec
// accepts any audience; a default one refuses the otherwise valid tokens that carry "aud".
func FuzzRoundTrip(f *testing.F) {
	addPayloadSeeds(f)
	c := newCodec(f, "", fastjwt.AcceptAnyAudience())
	noAudience := newCodec(f, "")
	small := newCodec(f, "", fastjwt.WithMaxTokenSize(smallCap))
	plainHeader := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

	f.Fuzz(func(t *testing.T, payload []byte) {
		want, members := refPayload(payload)
		structural := want.accept || want.allows(fastjwt.ErrExpired) || want.allows(fastjwt.ErrNotYetValid)
		token, err := c.AppendSign(nil, payload)
		if err != nil {
			s := sentinelOf(t, err, payload)
			if structural {
				t.Fatalf("AppendSign refused (%v) a payload the policy accepts\npayload: %q", err, payload)
			}
			if !want.allows(s) {
				t.Fatalf("AppendSign refused with %v; the policy's reasons are %v\npayload: %q", err, want.why, payload)
			}
			return
		}
		if !structural {
			t.Fatalf("AppendSign signed a payload the policy rejects (%v)\npayload: %q", want.why, payload)
		}
		wantTok := string(signRaw(plainHeader, b64.EncodeToString(payload)))
		if string(token) != wantTok {
			t.Fatalf("AppendSign gave %q, want %q", token, wantTok)
		}
		out, err := c.AppendVerify(nil, token)
		switch {
		case want.accept && err != nil:
			t.Fatalf("own token rejected: %v\npayload: %q", err, payload)
		case want.accept && !bytes.Equal(out, payload):
			t.Fatalf("round trip changed the payload: %q -> %q", payload, out)
		case !want.accept && (err == nil || !want.allows(sentinelOf(t, err, token))):
			t.Fatalf("verify gave %v, the claims say %v\npayload: %q", err, want.why, payload)
		}
		if want.accept {
			if _, err := noAudience.AppendVerify(nil, token); !errors.Is(err, refAudienceRule(members)) && !(err == nil && refAudienceRule(members) == nil) {
				t.Fatalf("without an audience: %v, want %v\npayload: %q", err, refAudienceRule(members), payload)
			}
		}

		smallTok, err := small.AppendSign(nil, payload)
		if len(token) > smallCap {
			if !errors.Is(err, fastjwt.ErrTooLarge) || smallTok != nil {
				t.Fatalf("%d-byte token over the %d cap: got %v", len(token), smallCap, err)
			}
		} else if err != nil || string(smallTok) != wantTok {
			t.Fatalf("%d-byte token under the %d cap: got %v", len(token), smallCap, err)
		}
	})
}

// typedClaims is a user's struct for FuzzTypedRoundTrip, mixing registered claims with
// application data of every JSON kind.
type typedClaims struct {
	Subject  string            `json:"sub"`
	Audience []string          `json:"aud,omitempty"`
	Expires  int64             `json:"exp"`
	IssuedAt float64           `json:"iat"`
	Admin    bool              `json:"admin"`
	Count    int64             `json:"n"`
	Ratio    float64           `json:"r"`
	Tags     []string          `json:"tags"`
	Attrs    map[string]string `json:"attrs"`
	Nested   *typedNested      `json:"nested,omitempty"`
}

type typedNested struct {
	Name  string `json:"name"`
	Depth uint8  `json:"depth"`
}

// coerceUTF8 replaces each byte of s that is not part of valid UTF-8 by U+FFFD, as JSON
// encoders do when marshaling Go strings.
func coerceUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// FuzzTypedRoundTrip builds a typedClaims from fuzzed fields and requires Encode then Decode to
// give the same struct back (strings compared after the UTF-8 coercion the JSON encoder applies).
// Encode may refuse a map whose keys collide after that coercion (the encoder then emits a
// duplicate member name, which the codec refuses to sign), and an iat no time.Time holds.
// The codec accepts any audience: the struct's audience is data here, not a check.
func FuzzTypedRoundTrip(f *testing.F) {
	f.Add("user-1", "aud-1", int64(3600), 1.5, true, int64(-7), 0.1, "a,b,c", "k", "v", "inner", uint8(3))
	f.Add("", "", int64(0), 0.0, false, int64(0), 0.0, "", "", "", "", uint8(0))
	f.Add("\u00e9\U0001F600\"\\\n", "\xff", int64(math.MaxInt32), 1e300, true, int64(math.MinInt64), -0.0, "\xfe,\xff", "\xfe", "\xff", "\x00", uint8(255))
	f.Add("<script>", "\u2028", int64(1), 5e-324, false, int64(math.MaxInt64), math.MaxFloat64, ",,", "a\u0000", "b", "\xed\xa0\x80", uint8(64))
	c := newCodec(f, "k1", fastjwt.AcceptAnyAudience())

	f.Fuzz(func(t *testing.T, sub, aud string, ttl int64, iat float64, admin bool, n int64, r float64,
		tags, key, val, nestedName string, depth uint8) {
		if math.IsNaN(iat) || math.IsInf(iat, 0) || math.IsNaN(r) || math.IsInf(r, 0) {
			return // not representable in JSON; Encode's refusal is json's, not the codec's
		}
		in := typedClaims{
			Subject:  sub,
			Expires:  fuzzNow.Unix() + 1 + ttl&0xffffffff, // always in the future of the clock
			IssuedAt: iat,
			Admin:    admin,
			Count:    n,
			Ratio:    r,
			Tags:     strings.Split(tags, ","),
			Attrs:    map[string]string{key: val, key + "\xff": val, val: "v", "fixed": nestedName},
		}
		if aud != "" {
			in.Audience = []string{aud, "second"}
		}
		if depth%2 == 1 {
			in.Nested = &typedNested{Name: nestedName, Depth: depth}
		}
		token, err := fastjwt.Encode(c, nil, in)
		if err != nil {
			if errors.Is(err, fastjwt.ErrMalformed) && keysCollide(in.Attrs) {
				return
			}
			if errors.Is(err, fastjwt.ErrTooLarge) && encodedTokenLen(t, in) > fastjwt.DefaultMaxTokenSize {
				return // refusing to sign a token over the size cap is right
			}
			if errors.Is(err, fastjwt.ErrClaimType) && !refDateInRange(strconv.FormatFloat(iat, 'g', -1, 64)) {
				return // an iat no time.Time holds is not a NumericDate
			}
			t.Fatalf("Encode: %v\nclaims: %#v", err, in)
		}
		var out typedClaims
		if err := fastjwt.Decode(c, token, &out); err != nil {
			t.Fatalf("Decode of an Encode result: %v\ntoken: %q", err, token)
		}
		want := normalize(in)
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("round trip changed the claims:\n got %#v\nwant %#v", out, want)
		}
		var cl fastjwt.Claims
		if _, err := c.AppendVerifyClaims(nil, token, &cl); err != nil {
			t.Fatal(err)
		}
		if exp, _ := cl.Expires(); !exp.Equal(time.Unix(in.Expires, 0)) || cl.Subject() != want.Subject {
			t.Fatalf("claims view: exp %v sub %q, want %d %q", exp, cl.Subject(), in.Expires, want.Subject)
		}
	})
}

// keysCollide reports whether two keys of m are equal after UTF-8 coercion.
func keysCollide(m map[string]string) bool {
	seen := map[string]bool{}
	for k := range m {
		if seen[coerceUTF8(k)] {
			return true
		}
		seen[coerceUTF8(k)] = true
	}
	return false
}

// normalize is the value a typedClaims has after a trip through JSON.
func normalize(in typedClaims) typedClaims {
	in.Subject = coerceUTF8(in.Subject)
	for i := range in.Audience {
		in.Audience[i] = coerceUTF8(in.Audience[i])
	}
	for i := range in.Tags {
		in.Tags[i] = coerceUTF8(in.Tags[i])
	}
	attrs := map[string]string{}
	for k, v := range in.Attrs {
		attrs[coerceUTF8(k)] = coerceUTF8(v)
	}
	in.Attrs = attrs
	if in.Nested != nil {
		n := *in.Nested
		n.Name = coerceUTF8(n.Name)
		in.Nested = &n
	}
	return in
}

// encodedTokenLen is the length of the token Encode would make of v with newCodec(_, "k1").
func encodedTokenLen(t *testing.T, v any) int {
	payload, err := gojson.MarshalWithOption(v, gojson.DisableHTMLEscape())
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	header := `{"alg":"HS256","kid":"k1","typ":"JWT"}`
	return b64.EncodedLen(len(header)) + 1 + b64.EncodedLen(len(payload)) + 1 + b64.EncodedLen(32)
}
