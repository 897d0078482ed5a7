package fastjwt_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// Every spelling of "typ" is classified by RFC 7515 sec. 4.1.9: ASCII case-insensitive, with an
// optional "application/" prefix. Tokens are signed with crypto/hmac, so each takes the codec's
// slow path (its headers are not byte for byte the codec's own) unless said otherwise.
func TestTypeClassification(t *testing.T) {
	c := newCodec(t)
	for _, tc := range []struct {
		header string
		want   fastjwt.Type
	}{
		{`{"alg":"HS256"}`, fastjwt.TypeNone},
		{`{"alg":"HS256","typ":"JWT"}`, fastjwt.TypeJWT}, // the codec's own header: fast path
		{`{"typ":"JWT","alg":"HS256"}`, fastjwt.TypeJWT},
		{`{"alg":"HS256","typ":"jwt"}`, fastjwt.TypeJWT},
		{`{"alg":"HS256","typ":"jWt"}`, fastjwt.TypeJWT},
		{`{"alg":"HS256","typ":"application/jwt"}`, fastjwt.TypeJWT},
		{`{"alg":"HS256","typ":"APPLICATION/JWT"}`, fastjwt.TypeJWT},
		{`{"alg":"HS256","typ":"at+jwt"}`, fastjwt.TypeAccess},
		{`{"alg":"HS256","typ":"AT+JWT"}`, fastjwt.TypeAccess},
		{`{"alg":"HS256","typ":"application/at+jwt"}`, fastjwt.TypeAccess},
		{`{"alg":"HS256","typ":"Application/At+Jwt"}`, fastjwt.TypeAccess},
		{`{"alg":"HS256","typ":"session+jwt"}`, fastjwt.TypeSession},
		{`{"alg":"HS256","typ":"refresh+jwt"}`, fastjwt.TypeRefresh},
		{`{"alg":"HS256","typ":"application/Refresh+JWT"}`, fastjwt.TypeRefresh},
		{`{"alg":"HS256","typ":"application/SESSION+JWT"}`, fastjwt.TypeSession},
		{`{"alg":"HS256","typ":"Session+Jwt"}`, fastjwt.TypeSession},
		{`{"alg":"HS256","typ":"session\u002bjwt"}`, fastjwt.TypeSession},
		{`{"alg":"HS256","typ":"` + escapeAll("application/session+jwt") + `"}`, fastjwt.TypeSession},
		{`{"alg":"HS256","kid":"k","typ":"session+jwt","x":1}`, fastjwt.TypeSession},
		{`{"alg":"HS256","typ":"foo"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":""}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"application/"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"application/application/jwt"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"text/jwt"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"applicationjwt"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":" JWT"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"JWT "}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"session+jwt; charset=utf-8"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"sessionjwt"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"JOSE"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"urn:example:typ"}`, fastjwt.TypeOther},
		{`{"alg":"HS256","typ":"secevent+jwt"}`, fastjwt.TypeOther},
		// Unicode case folding would equate these with known spellings; the comparison is ASCII.
		{`{"alg":"HS256","typ":"ſession+jwt"}`, fastjwt.TypeOther},      // U+017F LATIN SMALL LETTER LONG S
		{`{"alg":"HS256","typ":"\u017fession+jwt"}`, fastjwt.TypeOther}, // the same, escaped
		{`{"alg":"HS256","typ":"at+jwt\u212a"}`, fastjwt.TypeOther},     // U+212A KELVIN SIGN
		{`{"alg":"HS256","typ":"` + strings.Repeat(`\u0020`, 30) + `"}`, fastjwt.TypeOther},
	} {
		var cl fastjwt.Claims
		_, err := c.AppendVerifyClaims(nil, []byte(token(tc.header, okPayload)), &cl)
		if err != nil {
			t.Errorf("%s: %v", tc.header, err)
			continue
		}
		if cl.Type() != tc.want {
			t.Errorf("%s: Type %v, want %v", tc.header, cl.Type(), tc.want)
		}
	}
	for _, header := range []string{`{"alg":"HS256","typ":1}`, `{"alg":"HS256","typ":null}`,
		`{"alg":"HS256","typ":["JWT"]}`, `{"alg":"HS256","typ":{"v":"JWT"}}`, `{"alg":"HS256","typ":true}`} {
		var cl fastjwt.Claims
		cl.Type() // the zero Claims
		if _, err := c.AppendVerifyClaims(nil, []byte(token(header, okPayload)), &cl); !errors.Is(err, fastjwt.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", header, err)
		}
		if cl.Type() != fastjwt.TypeNone {
			t.Errorf("%s: refused, but Claims.Type %v", header, cl.Type())
		}
	}
}

// escapeAll writes every byte of an ASCII string as a \u escape.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString(`\u00`)
		b.WriteByte("0123456789abcdef"[s[i]>>4])
		b.WriteByte("0123456789abcdef"[s[i]&15])
	}
	return b.String()
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[fastjwt.Type]string{
		fastjwt.TypeNone: "", fastjwt.TypeJWT: "JWT", fastjwt.TypeAccess: "at+jwt",
		fastjwt.TypeSession: "session+jwt", fastjwt.TypeRefresh: "refresh+jwt", fastjwt.TypeOther: "other",
		fastjwt.Type(6):   "invalid",
		fastjwt.Type(255): "invalid",
	} {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", uint8(typ), got, want)
		}
	}
}

// The codec signs each type it can name, with and without a kid, with exactly the documented
// header; the token verifies (also by crypto/hmac) and reports its type.
func TestSignTypeRoundTrip(t *testing.T) {
	for _, kid := range []string{"", "2026-01"} {
		c := mustCodec(t, []fastjwt.Key{{ID: kid, Secret: secretA}})
		for _, tc := range []struct {
			typ    fastjwt.Type
			header string
		}{
			{fastjwt.TypeNone, `{"alg":"HS256"}`},
			{fastjwt.TypeJWT, `{"alg":"HS256","typ":"JWT"}`},
			{fastjwt.TypeAccess, `{"alg":"HS256","typ":"at+jwt"}`},
			{fastjwt.TypeSession, `{"alg":"HS256","typ":"session+jwt"}`},
			{fastjwt.TypeRefresh, `{"alg":"HS256","typ":"refresh+jwt"}`},
		} {
			want := tc.header
			if kid != "" {
				want = strings.Replace(want, `"HS256"`, `"HS256","kid":"`+kid+`"`, 1)
			}
			payload := `{"sub":"42","exp":4102444800}`
			tok, err := c.AppendSignType([]byte("pre:"), tc.typ, []byte(payload))
			if err != nil {
				t.Fatalf("kid %q %v: %v", kid, tc.typ, err)
			}
			tok = tok[len("pre:"):]
			parts := strings.Split(string(tok), ".")
			hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
			if string(hdr) != want {
				t.Errorf("kid %q %v: header %s, want %s", kid, tc.typ, hdr, want)
			}
			if signRaw(secretA, parts[0], parts[1]) != string(tok) {
				t.Errorf("kid %q %v: MAC differs from crypto/hmac's", kid, tc.typ)
			}
			var cl fastjwt.Claims
			got, err := c.AppendVerifyClaims(nil, tok, &cl)
			if err != nil || string(got) != payload || cl.Type() != tc.typ {
				t.Errorf("kid %q %v: verify %q %v, Type %v", kid, tc.typ, got, err, cl.Type())
			}
			// Another codec with the same key (a cold cache) reads the same type.
			var cold fastjwt.Claims
			other := mustCodec(t, []fastjwt.Key{{ID: kid, Secret: secretA}}, fastjwt.WithVerifyCache(0))
			if _, err := other.AppendVerifyClaims(nil, tok, &cold); err != nil || cold.Type() != tc.typ {
				t.Errorf("kid %q %v: cold verify %v, Type %v", kid, tc.typ, err, cold.Type())
			}
		}
		// AppendSign is AppendSignType with TypeJWT, byte for byte.
		a, _ := c.AppendSign(nil, []byte(`{"n":1}`))
		b, _ := c.AppendSignType(nil, fastjwt.TypeJWT, []byte(`{"n":1}`))
		if string(a) != string(b) {
			t.Errorf("kid %q: AppendSign %s, AppendSignType(TypeJWT) %s", kid, a, b)
		}
	}
}

// AppendSign's output is unchanged by explicit typing: the header most JWT libraries emit.
func TestAppendSignHeaderUnchanged(t *testing.T) {
	for kid, want := range map[string]string{
		"":    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",                 // {"alg":"HS256","typ":"JWT"}
		"k-1": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImstMSIsInR5cCI6IkpXVCJ9", // {"alg":"HS256","kid":"k-1","typ":"JWT"}
	} {
		c := mustCodec(t, []fastjwt.Key{{ID: kid, Secret: secretA}})
		tok, err := c.AppendSign(nil, []byte(`{}`))
		if err != nil || !strings.HasPrefix(string(tok), want+".") {
			t.Errorf("kid %q: %s %v", kid, tok, err)
		}
	}
}

func TestSignTypeRefusesOther(t *testing.T) {
	c := mustCodec(t, []fastjwt.Key{{Secret: secretA}})
	for _, typ := range []fastjwt.Type{fastjwt.TypeOther, fastjwt.Type(5), fastjwt.Type(255)} {
		out, err := c.AppendSignType([]byte("pre"), typ, []byte(`{}`))
		if !errors.Is(err, fastjwt.ErrUnsupported) || string(out) != "pre" {
			t.Errorf("Type(%d): %q %v, want ErrUnsupported and dst unchanged", uint8(typ), out, err)
		}
	}
	// The payload is validated as for AppendSign.
	if _, err := c.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"exp":"soon"}`)); !errors.Is(err, fastjwt.ErrClaimType) {
		t.Errorf("bad payload: %v", err)
	}
}

// A typed token from a ring's older key verifies, reports its type and its key.
func TestTypeWithRotation(t *testing.T) {
	old := mustCodec(t, []fastjwt.Key{{ID: "old", Secret: secretB}})
	tok, _ := old.AppendSignType(nil, fastjwt.TypeAccess, []byte(`{"sub":"u"}`))
	ring := mustCodec(t, []fastjwt.Key{{ID: "new", Secret: secretA}, {ID: "old", Secret: secretB}})
	var cl fastjwt.Claims
	if _, err := ring.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Type() != fastjwt.TypeAccess || cl.KeyIndex() != 1 {
		t.Fatalf("%v, Type %v, key %d", err, cl.Type(), cl.KeyIndex())
	}
}
