package issuing_test

import (
	"errors"
	"slices"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

type header map[string][]string

func (h header) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range h[name] {
		dst = append(dst, []byte(v))
	}
	return dst
}

// A refresh token is of a type bearer's defaults refuse, and that a session refuses as its
// cookie, signed by the very codec of both.
func TestRefreshTokenPurpose(t *testing.T) {
	if slices.Contains(bearer.DefaultTypes(), fastjwt.TypeRefresh) {
		t.Fatal("bearer.DefaultTypes accepts refresh tokens")
	}
	f := newFixture(t)
	p := f.obtain()
	var cl fastjwt.Claims
	if _, err := f.codec.AppendVerifyClaims(nil, []byte(p.Refresh), &cl); err != nil || cl.Type() != fastjwt.TypeRefresh {
		t.Fatalf("the refresh token: %v, type %v", err, cl.Type())
	}
	if _, err := f.codec.AppendVerifyClaims(nil, []byte(p.Access), &cl); err != nil || cl.Type() != fastjwt.TypeAccess {
		t.Fatalf("the access token: %v, type %v", err, cl.Type())
	}
	// The session's codec has the same secret and takes any audience: the tokens verify, and
	// only their type keeps them out.
	sc, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(f.clock.Now), fastjwt.AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.AppendVerifyClaims(nil, []byte(p.Refresh), &cl); err != nil {
		t.Fatalf("the session's codec refuses the refresh token's signature or claims: %v", err)
	}
	m, err := session.New(sc, session.Config{Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{p.Refresh, p.Access} {
		s, err := m.Acquire(bg, header{"Cookie": {"session=" + tok}})
		if err != nil {
			t.Fatal(err)
		}
		if !s.IsNew() || s.InvalidReason() == nil {
			t.Fatalf("a session took an issued token as its cookie (%v)", s.InvalidReason())
		}
		m.Release(s)
	}
	b, err := bearer.New(f.codec, bearer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tk := b.Acquire()
	defer b.Release(tk)
	if aerr := b.Authenticate(bg, tk, bearerRequest{"Authorization": {"Bearer " + p.Refresh}}); aerr == nil ||
		aerr.Status != 401 || !errors.Is(aerr.Err, bearer.ErrPurpose) {
		t.Fatalf("a refresh token as a bearer token: %v", aerr)
	}
}

type bearerRequest map[string][]string

func (r bearerRequest) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range r[name] {
		dst = append(dst, []byte(v))
	}
	return dst
}
func (bearerRequest) AppendQuery(dst [][]byte, _ string) [][]byte { return dst }
func (bearerRequest) Del(string)                                  {}
func (bearerRequest) Set(string, []byte)                          {}
