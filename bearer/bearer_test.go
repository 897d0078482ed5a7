package bearer_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// request is a bearer.Request over an http.Request, for tests without a server.
type request struct{ r *http.Request }

func (q request) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range q.r.Header.Values(name) {
		dst = append(dst, []byte(v))
	}
	return dst
}
func (q request) AppendQuery(dst [][]byte, name string) [][]byte {
	for _, v := range q.r.URL.Query()[name] {
		dst = append(dst, []byte(v))
	}
	return dst
}
func (q request) Del(name string)               { q.r.Header.Del(name) }
func (q request) Set(name string, value []byte) { q.r.Header.Set(name, string(value)) }

func newRequest(header http.Header) request {
	return request{&http.Request{Header: header, URL: &url.URL{}}}
}

var secret = []byte(strings.Repeat("k", 32))

func TestChallengeEscaping(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	b, err := bearer.New(codec, bearer.Config{Realm: "a\"b\\c\r\nX-Evil: 1", Schemes: []string{"JWT", "Bearer"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ auth, want string }{
		{"", `JWT realm="a\"b\\cX-Evil: 1"`},
		{"Bearer", `JWT realm="a\"b\\cX-Evil: 1", error="invalid_token", error_description="the token is malformed"`},
		{"jwt  ", `JWT realm="a\"b\\cX-Evil: 1", error="invalid_token", error_description="the token is malformed"`},
		{"Token abc", `JWT realm="a\"b\\cX-Evil: 1"`},
		{"Be\u0130rer abc", `JWT realm="a\"b\\cX-Evil: 1"`}, // no Unicode case folding of schemes
	} {
		h := http.Header{}
		if tc.auth != "" {
			h.Set("Authorization", tc.auth)
		}
		tok := b.Acquire()
		aerr := b.Authenticate(context.Background(), tok, newRequest(h))
		if aerr == nil || aerr.Status != 401 || string(aerr.Challenge()) != tc.want {
			t.Errorf("%q: %v\n got %s\nwant %s", tc.auth, aerr, aerr.Challenge(), tc.want)
		}
		b.Release(tok)
	}
}

func TestForwardValues(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	b, err := bearer.New(codec, bearer.Config{Forward: []bearer.Forward{
		{Claim: "n", Header: "x-n"}, {Claim: "s", Header: "X-S"}, {Claim: "o", Header: "X-O"},
		{Claim: "tab", Header: "X-Tab"}, {Claim: "sp", Header: "X-Sp"}, {Claim: "absent", Header: "X-Absent"},
		{Claim: "esc", Header: "X-Esc"}, {Claim: "s", Header: "X-S2"},
	}, RequiredClaims: []string{"n", "esc"}})
	if err != nil {
		t.Fatal(err)
	}
	// "\u0065sc" is the claim "esc", written with an escape.
	tok, _ := codec.AppendSign(nil, []byte(`{"n":12.5,"s":"caf\u00e9 \"x\"","o":{"a":[1,2]},"tab":"a\tb","sp":" x","\u0065sc":"e"}`))
	h := http.Header{"Authorization": {"Bearer " + string(tok)}, "X-Absent": {"spoof"}, "X-Tab": {"spoof"}}
	tk := b.Acquire()
	defer b.Release(tk)
	if aerr := b.Authenticate(context.Background(), tk, newRequest(h)); aerr != nil {
		t.Fatal(aerr)
	}
	want := map[string]string{"X-N": "12.5", "X-S": `café "x"`, "X-S2": `café "x"`, "X-O": `{"a":[1,2]}`, "X-Tab": "", "X-Sp": "", "X-Absent": "", "X-Esc": "e"}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if sub, ok := tk.String("s"); !ok || sub != `café "x"` {
		t.Errorf("Token.String = %q", sub)
	}
	var v struct{ N float64 }
	if err := tk.Decode(&v); err != nil || v.N != 12.5 {
		t.Errorf("Decode = %+v, %v", v, err)
	}
	if aerr := b.Authenticate(context.Background(), b.Acquire(), newRequest(http.Header{})); !errors.Is(aerr, bearer.ErrNoToken) {
		t.Error("missing token is not ErrNoToken")
	}
}

func TestRequiredClaimsAndPurpose(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	b, _ := bearer.New(codec, bearer.Config{RequiredClaims: []string{"tenant"}})
	access, _ := bearer.New(codec, bearer.Config{Types: []fastjwt.Type{fastjwt.TypeAccess}})
	sign := func(typ fastjwt.Type, payload string) string {
		tok, err := codec.AppendSignType(nil, typ, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	for _, tc := range []struct {
		b      *bearer.Bearer
		token  string
		status int
		cause  error
	}{
		{b, sign(fastjwt.TypeJWT, `{"tenant":"t"}`), 0, nil},
		{b, sign(fastjwt.TypeJWT, `{"tenants":"t"}`), 403, bearer.ErrMissingClaim},
		{b, sign(fastjwt.TypeJWT, `{"o":{"tenant":"t"}}`), 403, bearer.ErrMissingClaim}, // top level only
		{b, sign(fastjwt.TypeSession, `{"tenant":"t"}`), 401, bearer.ErrPurpose},
		{b, sign(fastjwt.TypeNone, `{"tenant":"t"}`), 0, nil},
		{b, sign(fastjwt.TypeAccess, `{"tenant":"t"}`), 0, nil},
		{access, sign(fastjwt.TypeJWT, `{}`), 401, bearer.ErrPurpose},
		{access, sign(fastjwt.TypeAccess, `{}`), 0, nil},
	} {
		tk := tc.b.Acquire()
		aerr := tc.b.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {"Bearer " + tc.token}}))
		switch {
		case tc.status == 0 && aerr != nil:
			t.Errorf("%s: %v", tc.token, aerr)
		case tc.status != 0 && (aerr == nil || aerr.Status != tc.status || !errors.Is(aerr, tc.cause)):
			t.Errorf("%s: %v, want %d %v", tc.token, aerr, tc.status, tc.cause)
		}
		tc.b.Release(tk)
	}
}

func TestConfigErrors(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	for _, cfg := range []bearer.Config{
		{Schemes: []string{"Bad Scheme"}},
		{Forward: []bearer.Forward{{Claim: "sub", Header: "X-User\r\n"}}},
		{Forward: []bearer.Forward{{Claim: "", Header: "X-User"}}},
		{Forward: []bearer.Forward{{Claim: "sub", Header: "authorization"}}},
		{PayloadHeader: "Cookie"},
		{PayloadHeader: "a b"},
		{Cookie: "a;b"},
		{Query: "a\nb"},
		{RequiredClaims: []string{""}},
		{Types: []fastjwt.Type{fastjwt.TypeOther + 1}},
	} {
		if _, err := bearer.New(codec, cfg); !errors.Is(err, bearer.ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
	if _, err := bearer.New(nil, bearer.Config{}); !errors.Is(err, bearer.ErrConfig) {
		t.Error("nil verifier accepted")
	}
}

// A Bearer depends on the fastjwt.Verifier interface only: any verifier plugs in.
type fixedVerifier struct{ payload string }

func (v fixedVerifier) AppendVerifyClaims(dst, token []byte, cl *fastjwt.Claims) ([]byte, error) {
	if string(token) != "good" {
		return dst, fastjwt.ErrSignature
	}
	return append(dst, v.payload...), nil
}

func TestAnyVerifier(t *testing.T) {
	b, err := bearer.New(fixedVerifier{`{"sub":"alice"}`}, bearer.Config{Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Authorization": {"Bearer good"}}
	tk := b.Acquire()
	if aerr := b.Authenticate(context.Background(), tk, newRequest(h)); aerr != nil || h.Get("X-User") != "alice" {
		t.Errorf("%v, X-User %q", aerr, h.Get("X-User"))
	}
	b.Release(tk)
	tk = b.Acquire()
	if aerr := b.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {"Bearer bad"}})); aerr == nil || aerr.Status != 401 {
		t.Errorf("bad token: %v", aerr)
	}
	b.Release(tk)
}
