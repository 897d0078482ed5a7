package gateway

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// sessionHeader is a session.RequestHeader and session.ResponseHeader over an http.Header.
type sessionHeader http.Header

func (h sessionHeader) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range http.Header(h).Values(name) {
		dst = append(dst, []byte(v))
	}
	return dst
}
func (h sessionHeader) Set(name, value string)             { http.Header(h).Set(name, value) }
func (h sessionHeader) Add(name, value string)             { http.Header(h).Add(name, value) }
func (h sessionHeader) AddBytes(name string, value []byte) { http.Header(h).Add(name, string(value)) }

// TestSessionCookieAbsoluteEnd: a route reading a session cookie refuses it from the session's
// absolute end (auth_time + session.Config.AbsoluteLifetime) and accepts it a nanosecond
// before, by the token's exp alone; with a verifier's leeway, which would let the token through
// past exp, Route.MaxAuthAge still holds the end.
func TestSessionCookieAbsoluteEnd(t *testing.T) {
	var mu sync.Mutex
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	key := []fastjwt.Key{{Secret: secret}}
	codec, err := fastjwt.NewHS256(key, fastjwt.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(codec, session.Config{Lifetime: time.Hour, AbsoluteLifetime: 4 * time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	// issue runs one request of the application: it returns the session cookie's new token.
	issue := func(tok string) string {
		t.Helper()
		h := http.Header{}
		if tok != "" {
			h.Set("Cookie", "session="+tok)
		}
		s, err := m.Acquire(context.Background(), sessionHeader(h))
		if err != nil {
			t.Fatal(err)
		}
		if tok == "" {
			_ = s.Set("sub", "alice")
		}
		resp := http.Header{}
		_ = s.Commit(context.Background(), sessionHeader(resp))
		m.Release(s)
		v, _, _ := strings.Cut(strings.TrimPrefix(resp.Get("Set-Cookie"), "session="), ";")
		return v
	}
	tok := issue("")
	for at := 45 * time.Minute; at < 4*time.Hour; at += 45 * time.Minute {
		set(t0.Add(at))
		tok = issue(tok) // renewed: the last one, at 3h45m, ends at the absolute end
	}
	end := t0.Add(4 * time.Hour)

	leeway, err := fastjwt.NewHS256(key, fastjwt.WithClock(clock), fastjwt.WithLeeway(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	route := func(v fastjwt.Verifier, maxAge time.Duration) string {
		g := newGateway(t, Config{Now: clock, Routes: []Route{{
			PathPrefix: "/", Verifier: v, Types: []fastjwt.Type{fastjwt.TypeSession}, Cookie: "session",
			MaxAuthAge: maxAge, ClaimHeaders: claimHeaders,
		}}})
		return serve(t, NewServer(g))
	}
	for _, c := range []struct {
		name      string
		addr      string
		afterEnd  int // status at end + 30s
		challenge string
	}{
		{"exp alone", route(codec, 0), 401, "expired"},
		{"MaxAuthAge", route(codec, 4*time.Hour), 401, "expired"},
		{"leeway, exp alone", route(leeway, 0), 200, ""},
		{"leeway, MaxAuthAge", route(leeway, 4*time.Hour), 401, "expired"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ask := func(at time.Time) rawAnswer {
				set(at)
				return roundTrip(t, c.addr, "GET", "/auth", "Cookie: session="+tok)
			}
			if a := ask(end.Add(-time.Nanosecond)); a.status != 200 || a.get(t, "X-User") != "alice" {
				t.Fatalf("a nanosecond before the end: %d %q", a.status, a.lines)
			}
			a := ask(end.Add(30 * time.Second))
			if a.status != c.afterEnd {
				t.Fatalf("after the end: %d, want %d", a.status, c.afterEnd)
			}
			if c.afterEnd == 401 && !strings.Contains(a.get(t, "Www-Authenticate"), c.challenge) {
				t.Fatalf("challenge %q, want %q", a.get(t, "Www-Authenticate"), c.challenge)
			}
			if c.name != "leeway, exp alone" {
				if a := ask(end); a.status != 401 {
					t.Fatalf("at the end: %d, want 401", a.status)
				}
			}
		})
	}
}
