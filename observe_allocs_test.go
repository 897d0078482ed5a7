//go:build !race

// The race detector makes sync.Pool drop objects at random: allocation counts hold without it.

package session_test

import (
	"context"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
)

// cookieHeader is a session.RequestHeader with one Cookie line that allocates nothing.
// It is used by pointer: an interface holding a pointer costs no allocation.
type cookieHeader struct{ line []byte }

func (h *cookieHeader) AppendValues(dst [][]byte, name string) [][]byte {
	if name == "Cookie" && h.line != nil {
		dst = append(dst, h.line)
	}
	return dst
}

// observedManager returns a Manager (with observer obs, nil for none) and a request header
// carrying a valid session cookie.
func observedManager(tb testing.TB, obs observe.Observer) (*session.Manager, *cookieHeader) {
	now := func() time.Time { return t0 }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	m, err := session.New(codec, session.Config{Now: now, Observer: obs})
	if err != nil {
		tb.Fatal(err)
	}
	s, _ := m.Acquire(context.Background(), &cookieHeader{})
	_ = s.Set("n", 1)
	tok, _ := roundTrip(m, s)
	return m, &cookieHeader{[]byte(session.DefaultCookieName + "=" + tok)}
}

func acquireRelease(m *session.Manager, h *cookieHeader) {
	s, err := m.Acquire(context.Background(), h)
	if err != nil || s.IsNew() {
		panic("session not accepted")
	}
	m.Release(s)
}

// Acquire of a valid cookie allocates nothing, with the Observer unset and with one set that
// does not allocate itself.
func TestObserverAllocs(t *testing.T) {
	var n int
	for name, obs := range map[string]observe.Observer{"unset": nil, "set": func(observe.Event) { n++ }} {
		m, h := observedManager(t, obs)
		acquireRelease(m, h)
		if got := testing.AllocsPerRun(200, func() { acquireRelease(m, h) }); got != 0 {
			t.Errorf("observer %s: %v allocs per Acquire, want 0", name, got)
		}
	}
	if n < 200 {
		t.Fatalf("the observer heard %d verdicts", n)
	}
}

// BenchmarkObserver is the cost of the hook: Acquire and Release of a valid, cached session
// cookie with the Observer unset (the reference) and set to a counter.
func BenchmarkObserver(b *testing.B) {
	var n int
	for _, bc := range []struct {
		name string
		obs  observe.Observer
	}{{"unset", nil}, {"set", func(observe.Event) { n++ }}} {
		b.Run(bc.name, func(b *testing.B) {
			m, h := observedManager(b, bc.obs)
			b.ReportAllocs()
			for b.Loop() {
				acquireRelease(m, h)
			}
		})
	}
}
