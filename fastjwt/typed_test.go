package fastjwt_test

import (
	"errors"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

type userClaims struct {
	Sub   string   `json:"sub"`
	Exp   float64  `json:"exp"`
	Roles []string `json:"roles"`
	Admin bool     `json:"admin"`
}

func TestTypedRoundTrip(t *testing.T) {
	c := newCodec(t)
	in := userClaims{Sub: "u1", Exp: 1700000100, Roles: []string{"a", "b"}, Admin: true}
	tok, err := fastjwt.Encode(c, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	var out userClaims
	if err := fastjwt.Decode(c, tok, &out); err != nil {
		t.Fatal(err)
	}
	if out.Sub != in.Sub || out.Exp != in.Exp || len(out.Roles) != 2 || out.Roles[1] != "b" || !out.Admin {
		t.Fatalf("got %+v", out)
	}
}

func TestTypedValidatesRegisteredClaims(t *testing.T) {
	c := newCodec(t) // now = 1700000000
	tok, err := fastjwt.Encode(c, nil, userClaims{Sub: "u1", Exp: 1600000000})
	if err != nil {
		t.Fatal(err)
	}
	out := userClaims{Sub: "untouched"}
	if err := fastjwt.Decode(c, tok, &out); !errors.Is(err, fastjwt.ErrExpired) {
		t.Fatalf("expired typed token: %v", err)
	}
	if out.Sub != "untouched" {
		t.Fatal("Decode changed claims on error")
	}
	type badExp struct {
		Exp string `json:"exp"`
	}
	if _, err := fastjwt.Encode(c, nil, badExp{Exp: "soon"}); !errors.Is(err, fastjwt.ErrClaimType) {
		t.Fatalf("encoding exp as a string: %v", err)
	}
	if _, err := fastjwt.Encode(c, nil, 42); !errors.Is(err, fastjwt.ErrMalformed) {
		t.Fatalf("encoding a number: %v", err)
	}
	// A payload that is valid but does not fit the struct is an unmarshal error, not a panic.
	raw, _ := c.AppendSign(nil, []byte(`{"sub":"u","roles":"notarray","exp":1700000100}`))
	if err := fastjwt.Decode(c, raw, &out); err == nil {
		t.Fatal("mismatched type decoded")
	}
}

// Encode does not HTML-escape: a token is not HTML, and "\u003c" would only make it longer.
func TestEncodeDoesNotEscapeHTML(t *testing.T) {
	c := newCodec(t)
	type claims struct {
		Name string `json:"name"`
	}
	tok, err := fastjwt.Encode(c, nil, claims{Name: "<a&b>"})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := c.AppendVerify(nil, tok)
	if err != nil || string(payload) != `{"name":"<a&b>"}` {
		t.Fatalf("payload %s, %v", payload, err)
	}
}

// seams hides a *Codec behind the interfaces, as a jwks.Client or another implementation would
// present itself.
type seams struct{ c *fastjwt.Codec }

func (s seams) AppendVerifyClaims(dst, token []byte, cl *fastjwt.Claims) ([]byte, error) {
	return s.c.AppendVerifyClaims(dst, token, cl)
}

func (s seams) AppendSignType(dst []byte, typ fastjwt.Type, payload []byte) ([]byte, error) {
	return s.c.AppendSignType(dst, typ, payload)
}

// Encode and Decode take the Signer and Verifier seams, not only a *Codec.
func TestTypedThroughSeams(t *testing.T) {
	c := newCodec(t)
	var s fastjwt.Signer = seams{c}
	tok, err := fastjwt.Encode(s, nil, userClaims{Sub: "u1", Exp: 1700000100})
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := fastjwt.Encode(c, nil, userClaims{Sub: "u1", Exp: 1700000100})
	if string(tok) != string(direct) {
		t.Fatalf("through the Signer: %s, through the codec: %s", tok, direct)
	}
	var out userClaims
	if err := fastjwt.Decode(fastjwt.Verifier(seams{c}), tok, &out); err != nil || out.Sub != "u1" {
		t.Fatalf("got %+v, %v", out, err)
	}
	expired, _ := fastjwt.Encode(s, nil, userClaims{Sub: "u1", Exp: 1600000000})
	if err := fastjwt.Decode(fastjwt.Verifier(seams{c}), expired, &out); !errors.Is(err, fastjwt.ErrExpired) {
		t.Fatalf("expired token: %v", err)
	}
}
