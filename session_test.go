package session_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// header is a session.RequestHeader and session.ResponseHeader over an http.Header, for tests
// without a server.
type header http.Header

func (h header) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range http.Header(h).Values(name) {
		dst = append(dst, []byte(v))
	}
	return dst
}
func (h header) Set(name, value string)             { http.Header(h).Set(name, value) }
func (h header) Add(name, value string)             { http.Header(h).Add(name, value) }
func (h header) AddBytes(name string, value []byte) { http.Header(h).Add(name, string(value)) }

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func newManager(t *testing.T, cfg session.Config) *session.Manager {
	t.Helper()
	now := func() time.Time { return t0 }
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Now = now
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// acquire is what an adapter does before the handler, for a request carrying token in the
// session cookie ("" for none).
func acquire(t testing.TB, m *session.Manager, token string) *session.Session {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Cookie", session.DefaultCookieName+"="+token)
	}
	s, err := m.Acquire(context.Background(), header(h))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// roundTrip commits s and returns the token it set ("" if none) and the header.
func roundTrip(m *session.Manager, s *session.Session) (string, http.Header) {
	h := http.Header{}
	_ = s.Commit(context.Background(), header(h))
	m.Release(s)
	sc := h.Get("Set-Cookie")
	v, _, _ := strings.Cut(strings.TrimPrefix(sc, session.DefaultCookieName+"="), ";")
	return v, h
}

func TestDynamicAPI(t *testing.T) {
	m := newManager(t, session.Config{})
	s := acquire(t, m, "")
	if !s.IsNew() || s.Len() != 0 {
		t.Fatal("new session is not empty")
	}
	for _, err := range []error{
		s.Set("n", 42), s.Set("name", `Zoë "q"`), s.Set("ok", true), s.Set("f", 1.5),
		s.Set("list", []int{1, 2}), s.SetRaw("raw", []byte(`{"a":null}`)), s.Set("gone", 1),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Delete("gone")
	for _, name := range []string{"exp", "iat"} {
		if err := s.Set(name, 1); !errors.Is(err, session.ErrReserved) {
			t.Errorf("Set(%q) = %v, want ErrReserved", name, err)
		}
	}
	if err := s.SetRaw("bad", []byte(`{`)); err == nil {
		t.Error("SetRaw accepted invalid JSON")
	}
	tok, _ := roundTrip(m, s)
	if tok == "" {
		t.Fatal("changed session not issued")
	}

	s = acquire(t, m, tok)
	defer m.Release(s)
	if s.IsNew() {
		t.Fatalf("issued token refused: %v", s.InvalidReason())
	}
	if n, ok := s.Int("n"); !ok || n != 42 {
		t.Errorf("Int = %d %v", n, ok)
	}
	if v, ok := s.String("name"); !ok || v != `Zoë "q"` {
		t.Errorf("String = %q %v", v, ok)
	}
	if v, ok := s.Bool("ok"); !ok || !v {
		t.Errorf("Bool = %v %v", v, ok)
	}
	if v, ok := s.Float("f"); !ok || v != 1.5 {
		t.Errorf("Float = %v %v", v, ok)
	}
	if v, ok := s.Get("list"); !ok || len(v.([]any)) != 2 {
		t.Errorf("Get(list) = %v %v", v, ok)
	}
	if _, ok := s.Int("name"); ok {
		t.Error("Int accepted a string")
	}
	if s.Has("gone") || s.Has("exp") || s.Has("iat") {
		t.Error("deleted or reserved names visible")
	}
	if got := strings.Join(s.Names(), ","); got != "n,name,ok,f,list,raw" {
		t.Errorf("Names = %s", got)
	}
	if exp, ok := s.Claims().Expires(); !ok || !exp.Equal(t0.Add(session.DefaultLifetime)) {
		t.Errorf("exp = %v", exp)
	}
}

func TestModificationTracking(t *testing.T) {
	m := newManager(t, session.Config{})
	s := acquire(t, m, "")
	_ = s.Set("a", 1)
	tok, _ := roundTrip(m, s)

	// The same value again is not a change.
	s = acquire(t, m, tok)
	_ = s.Set("a", 1)
	if again, h := roundTrip(m, s); again != "" || h.Get("Vary") != "Cookie" || h.Get("Cache-Control") != "" {
		t.Errorf("unchanged: Set-Cookie %q, headers %v", again, h)
	}

	// Clear deletes the cookie; a cleared new session sets nothing.
	s = acquire(t, m, tok)
	s.Clear()
	if _, h := roundTrip(m, s); !strings.HasPrefix(h.Get("Set-Cookie"), "session=; Max-Age=0;") {
		t.Errorf("clear: %q", h.Get("Set-Cookie"))
	}
	s = acquire(t, m, "")
	s.Clear()
	if _, h := roundTrip(m, s); h.Get("Set-Cookie") != "" {
		t.Errorf("clearing a new session: %q", h.Get("Set-Cookie"))
	}

	// After Commit, changes are refused.
	s = acquire(t, m, "")
	_ = s.Commit(context.Background(), header(http.Header{}))
	if err := s.Set("late", 1); !errors.Is(err, session.ErrCommitted) {
		t.Errorf("Set after Commit = %v", err)
	}
	m.Release(s)

	// A handler-set Vary keeps its value and gains Cookie.
	s = acquire(t, m, "")
	h := http.Header{"Vary": {"Accept-Encoding"}}
	_ = s.Commit(context.Background(), header(h))
	m.Release(s)
	if got := h.Values("Vary"); len(got) != 2 || got[1] != "Cookie" {
		t.Errorf("Vary = %q", got)
	}
}

func TestOversize(t *testing.T) {
	var hooked error
	m := newManager(t, session.Config{OnError: func(err error) { hooked = err }})
	s := acquire(t, m, "")
	_ = s.Set("big", strings.Repeat("x", 2400))
	h := http.Header{}
	_ = s.Commit(context.Background(), header(h))
	if !errors.Is(s.Err(), session.ErrCookieTooLarge) || !errors.Is(hooked, session.ErrCookieTooLarge) {
		t.Errorf("Err = %v, hook = %v", s.Err(), hooked)
	}
	if h.Get("Set-Cookie") != "" {
		t.Error("oversize cookie sent")
	}
	m.Release(s)
}

type profile struct {
	User  string   `json:"user"`
	Roles []string `json:"roles"`
	Count int      `json:"count"`
}

func TestTyped(t *testing.T) {
	m := newManager(t, session.Config{})
	s := acquire(t, m, "")
	if err := session.Encode(s, profile{User: "alice", Roles: []string{"admin"}, Count: 1}); err != nil {
		t.Fatal(err)
	}
	tok, _ := roundTrip(m, s)

	s = acquire(t, m, tok)
	var p profile
	if err := session.Decode(s, &p); err != nil || p.User != "alice" || p.Count != 1 || len(p.Roles) != 1 {
		t.Fatalf("Load = %+v, %v", p, err)
	}
	if n, _ := s.Int("count"); n != 1 {
		t.Errorf("typed and dynamic views disagree: count %d", n)
	}
	if err := session.Encode(s, p); err != nil {
		t.Fatal(err)
	}
	if again, _ := roundTrip(m, s); again != "" {
		t.Error("saving the same struct re-issued the cookie")
	}

	s = acquire(t, m, "")
	defer m.Release(s)
	if err := session.Encode(s, map[string]int{"exp": 1}); !errors.Is(err, session.ErrReserved) {
		t.Errorf("Save with exp = %v", err)
	}
	if err := session.Encode(s, 5); err == nil {
		t.Error("Save accepted a non-object")
	}
}

func TestEscapedNames(t *testing.T) {
	now := func() time.Time { return t0 }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	m, _ := session.New(codec, session.Config{Now: now})
	tok, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"a\u0062":1,"iat":`+strconv.FormatInt(t0.Unix(), 10)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	s := acquire(t, m, string(tok))
	defer m.Release(s)
	if n, ok := s.Int("ab"); !ok || n != 1 {
		t.Errorf("escaped name: %d %v (%v)", n, ok, s.InvalidReason())
	}
}
