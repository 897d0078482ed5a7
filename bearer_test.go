package session_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// request is a session.Request over an http.Request, for tests without a server.
type request struct{ r *http.Request }

func (q request) Peek(name string) []byte {
	if v := q.r.Header.Get(name); v != "" {
		return []byte(v)
	}
	return nil
}
func (q request) Cookie(name string) []byte {
	if c, err := q.r.Cookie(name); err == nil {
		return []byte(c.Value)
	}
	return nil
}
func (q request) Query(name string) []byte      { return []byte(q.r.URL.Query().Get(name)) }
func (q request) Del(name string)               { q.r.Header.Del(name) }
func (q request) Set(name string, value []byte) { q.r.Header.Set(name, string(value)) }

func TestChallengeEscaping(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}})
	b, err := session.NewBearer(codec, session.BearerConfig{Realm: "a\"b\\c\r\nX-Evil: 1", Schemes: []string{"JWT", "Bearer"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ auth, want string }{
		{"", `JWT realm="a\"b\\cX-Evil: 1"`},
		{"Bearer", `JWT realm="a\"b\\cX-Evil: 1", error="invalid_token", error_description="the token is malformed"`},
		{"jwt  ", `JWT realm="a\"b\\cX-Evil: 1", error="invalid_token", error_description="the token is malformed"`},
		{"Token abc", `JWT realm="a\"b\\cX-Evil: 1"`},
	} {
		r := &http.Request{Header: http.Header{}, URL: &url.URL{}}
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		tok := b.Acquire()
		aerr := b.Authenticate(tok, request{r})
		if aerr == nil || aerr.Status != 401 || string(aerr.Challenge()) != tc.want {
			t.Errorf("%q: %v\n got %s\nwant %s", tc.auth, aerr, aerr.Challenge(), tc.want)
		}
		b.Release(tok)
	}
}

func TestForwardValues(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}})
	b, err := session.NewBearer(codec, session.BearerConfig{Forward: []session.Forward{
		{Claim: "n", Header: "x-n"}, {Claim: "s", Header: "X-S"}, {Claim: "o", Header: "X-O"},
		{Claim: "tab", Header: "X-Tab"}, {Claim: "sp", Header: "X-Sp"}, {Claim: "absent", Header: "X-Absent"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := codec.AppendSign(nil, []byte(`{"n":12.5,"s":"caf\u00e9 \"x\"","o":{"a":[1,2]},"tab":"a\tb","sp":" x"}`))
	r := &http.Request{Header: http.Header{"Authorization": {"Bearer " + string(tok)}, "X-Absent": {"spoof"}, "X-Tab": {"spoof"}}, URL: &url.URL{}}
	tk := b.Acquire()
	defer b.Release(tk)
	if aerr := b.Authenticate(tk, request{r}); aerr != nil {
		t.Fatal(aerr)
	}
	want := map[string]string{"X-N": "12.5", "X-S": `café "x"`, "X-O": `{"a":[1,2]}`, "X-Tab": "", "X-Sp": "", "X-Absent": ""}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if sub, ok := tk.String("s"); !ok || sub != `café "x"` {
		t.Errorf("Token.String = %q", sub)
	}
	var v struct{ N float64 }
	if err := tk.Unmarshal(&v); err != nil || v.N != 12.5 {
		t.Errorf("Unmarshal = %+v, %v", v, err)
	}
	if !errors.Is(b.Authenticate(b.Acquire(), request{&http.Request{Header: http.Header{}, URL: &url.URL{}}}), session.ErrNoToken) {
		t.Error("missing token is not ErrNoToken")
	}
}
