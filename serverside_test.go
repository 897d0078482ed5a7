package session_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

func newServerSide(t *testing.T, st store.Store) *session.Manager {
	t.Helper()
	now := func() time.Time { return t0 }
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(codec, session.Config{Store: st, TokenFields: []string{"user"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A request that loaded the session before another logged it out cannot bring it back when it
// commits later: the store's tombstone refuses its write, and its response deletes the cookie.
func TestServerSideLateWriteAfterLogout(t *testing.T) {
	st := store.NewMemory(store.MemoryOptions{Clock: func() time.Time { return t0 }})
	m := newServerSide(t, st)
	s := acquire(t, m, "")
	_ = s.Set("user", "alice")
	_ = s.Set("cart", []string{"book"})
	tok, _ := roundTrip(m, s)

	slow := acquire(t, m, tok) // loaded before the logout
	if raw, _ := slow.Raw("cart"); string(raw) != `["book"]` {
		t.Fatalf("cart = %s", raw)
	}
	fast := acquire(t, m, tok)
	if err := fast.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, h := roundTrip(m, fast); !strings.Contains(h.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout did not delete the cookie: %q", h.Get("Set-Cookie"))
	}

	_ = slow.Set("cart", []string{"book", "pen"})
	h := http.Header{}
	if err := slow.Commit(context.Background(), header(h)); err != nil {
		t.Fatalf("Commit = %v", err)
	}
	if !errors.Is(slow.Err(), store.ErrDestroyed) || !strings.Contains(h.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("late write: Err %v, Set-Cookie %q; want ErrDestroyed and the cookie deleted", slow.Err(), h.Get("Set-Cookie"))
	}
	m.Release(slow)
	s = acquire(t, m, tok)
	defer m.Release(s)
	if s.Has("cart") {
		t.Error("the late write resurrected the session")
	}
}

// Writes send only what changed: names that were not touched are not rewritten, so a concurrent
// request's change to them survives.
func TestServerSideWritesOnlyChanges(t *testing.T) {
	st := store.NewMemory(store.MemoryOptions{Clock: func() time.Time { return t0 }})
	m := newServerSide(t, st)
	s := acquire(t, m, "")
	_ = s.Set("a", 1)
	_ = s.Set("b", 1)
	tok, _ := roundTrip(m, s)

	one, two := acquire(t, m, tok), acquire(t, m, tok)
	one.Raw("a")
	two.Raw("b")
	_ = one.Set("a", 2)
	_ = two.Set("b", 2)
	if again, _ := roundTrip(m, one); again != "" {
		t.Error("a write to the store re-issued the cookie")
	}
	roundTrip(m, two)
	s = acquire(t, m, tok)
	defer m.Release(s)
	a, _ := s.Int("a")
	b, _ := s.Int("b")
	if a != 2 || b != 2 {
		t.Errorf("a = %d, b = %d: a concurrent write was lost", a, b)
	}
}

func TestServerSideTypedAPI(t *testing.T) {
	st := store.NewMemory(store.MemoryOptions{Clock: func() time.Time { return t0 }})
	m := newServerSide(t, st)
	type data struct {
		User  string   `json:"user"`
		Items []string `json:"items"`
	}
	s := acquire(t, m, "")
	if err := session.Encode(s, data{User: "alice", Items: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	tok, _ := roundTrip(m, s)
	if strings.Contains(tok, "items") {
		t.Fatal("store data in the token")
	}
	s = acquire(t, m, tok)
	var d data
	if err := session.Decode(s, &d); err != nil || d.User != "alice" || len(d.Items) != 1 {
		t.Fatalf("Load = %+v, %v", d, err)
	}
	if err := session.Encode(s, d); err != nil {
		t.Fatal(err)
	}
	if again, _ := roundTrip(m, s); again != "" {
		t.Error("saving unchanged data re-issued the cookie")
	}
}

func TestServerSideConfig(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}})
	for _, cfg := range []session.Config{
		{TokenFields: []string{"user"}}, // no Store
		{Store: store.NewMemory(store.MemoryOptions{}), TokenFields: []string{"sid"}},
		{Store: store.NewMemory(store.MemoryOptions{}), TokenFields: []string{"exp"}},
	} {
		if _, err := session.New(codec, cfg); !errors.Is(err, session.ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

// Commit writes to the store with the context it is given, not Acquire's: a cancelled one fails
// the write (an error for the adapter's 503, OnError, Err, no Set-Cookie, nothing stored), and a
// live one succeeds even when Acquire's has ended since.
func TestServerSideCommitUsesItsContext(t *testing.T) {
	st := store.NewMemory(store.MemoryOptions{Clock: func() time.Time { return t0 }})
	var heard []error
	now := func() time.Time { return t0 }
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(codec, session.Config{Store: st, TokenFields: []string{"user"}, Now: now,
		OnError: func(err error) { heard = append(heard, err) }})
	if err != nil {
		t.Fatal(err)
	}
	s := acquire(t, m, "")
	_ = s.Set("user", "alice")
	_ = s.Set("cart", []string{"book"})
	tok, _ := roundTrip(m, s)

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	s = acquire(t, m, tok) // Acquire's context is live
	_ = s.Set("cart", []string{"book", "pen"})
	h := http.Header{}
	err = s.Commit(canceled, header(h))
	if !errors.Is(err, context.Canceled) || !errors.Is(s.Err(), context.Canceled) || len(heard) != 1 || !errors.Is(heard[0], context.Canceled) {
		t.Fatalf("Commit with a cancelled context: %v, Err %v, OnError heard %v; want context.Canceled in each", err, s.Err(), heard)
	}
	if sc := h.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("Set-Cookie %q after a failed store write", sc)
	}
	m.Release(s)
	s = acquire(t, m, tok)
	if raw, _ := s.Raw("cart"); string(raw) != `["book"]` {
		t.Errorf("cart = %s after the failed write, want the stored [\"book\"]", raw)
	}
	m.Release(s)

	// A new session (nothing to load) acquired with a context that has ended since: Commit's
	// own context stores it.
	ended, end := context.WithCancel(context.Background())
	s, err = m.Acquire(ended, header(http.Header{}))
	if err != nil {
		t.Fatal(err)
	}
	end()
	_ = s.Set("cart", []string{"pen"})
	h = http.Header{}
	if err := s.Commit(context.Background(), header(h)); err != nil || s.Err() != nil {
		t.Fatalf("Commit with a live context after Acquire's ended: %v, Err %v", err, s.Err())
	}
	m.Release(s)
	tok = strings.TrimPrefix(strings.SplitN(h.Get("Set-Cookie"), ";", 2)[0], session.DefaultCookieName+"=")
	s = acquire(t, m, tok)
	if raw, _ := s.Raw("cart"); string(raw) != `["pen"]` {
		t.Errorf("cart = %s, want [\"pen\"]", raw)
	}
	m.Release(s)
}
