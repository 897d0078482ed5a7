package session_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// heard collects what an Observer hears.
type heard struct {
	mu  sync.Mutex
	all []observe.Event
}

func (h *heard) observe(e observe.Event) { h.mu.Lock(); h.all = append(h.all, e); h.mu.Unlock() }

func (h *heard) take() []observe.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	all := h.all
	h.all = nil
	return all
}

// downList is a revocation list that cannot answer.
type downList struct{ revoke.List }

func (downList) Revoked(context.Context, *fastjwt.Claims) (bool, error) {
	return false, errors.New("connection refused")
}

// Every Acquire reports one verdict on the session cookie, before it returns: accepted (with
// the algorithm, and a hit for a cookie this Manager signed), absent without a cookie, refused
// with InvalidReason's name, refused "unavailable" when Acquire fails closed.
func TestObserver(t *testing.T) {
	now := func() time.Time { return t0 }
	key := []fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}
	codec, _ := fastjwt.NewHS256(key, fastjwt.WithClock(now))
	elsewhere, _ := fastjwt.NewHS256(key) // the same key, another codec: its own cache
	other, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("o", 32))}}, fastjwt.WithClock(now))
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: now})
	if err := list.RevokeToken(context.Background(), "gone", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var ears heard
	m, err := session.New(codec, session.Config{Now: now, Revocations: list, Lifetime: time.Hour, AbsoluteLifetime: 4 * time.Hour, Observer: ears.observe})
	if err != nil {
		t.Fatal(err)
	}
	down, _ := session.New(codec, session.Config{Now: now, Revocations: downList{}, Observer: ears.observe})
	st := store.NewMemory(store.MemoryOptions{Clock: now})
	side, _ := session.New(codec, session.Config{Now: now, Store: st, Observer: ears.observe})

	sign := func(c *fastjwt.Codec, typ fastjwt.Type, claims string) string {
		iat := strconv.FormatInt(t0.Unix(), 10)
		tok, err := c.AppendSignType(nil, typ, []byte(`{"iat":`+iat+`,"exp":`+strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)+claims+`}`))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	issued := func(m *session.Manager) string {
		s := acquire(t, m, "")
		_ = s.Set("n", 1)
		tok, _ := roundTrip(m, s)
		return tok
	}
	fresh := issued(m)
	ended := issued(side)
	s := acquire(t, side, ended)
	_ = s.Logout(context.Background())
	_, _ = roundTrip(side, s)
	old := strconv.FormatInt(t0.Add(-5*time.Hour).Unix(), 10)
	expired, _ := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"exp":`+strconv.FormatInt(t0.Unix(), 10)+`}`))
	_ = ears.take()

	for _, tc := range []struct {
		name    string
		m       *session.Manager
		cookies []string
		fails   bool
		outcome observe.Outcome
		reason  string
		alg     fastjwt.Alg
		hit     bool
	}{
		{"no cookie", m, nil, false, observe.Absent, "no_cookie", 0, false},
		{"issued here, first seen", m, []string{fresh}, false, observe.Accepted, "none", fastjwt.HS256, false},
		{"issued here, again: stored in the cache", m, []string{fresh}, false, observe.Accepted, "none", fastjwt.HS256, false},
		{"issued here, a third time: a cache hit", m, []string{fresh}, false, observe.Accepted, "none", fastjwt.HS256, true},
		{"signed elsewhere with the key, first seen", m, []string{sign(elsewhere, fastjwt.TypeSession, `,"a":1`)}, false, observe.Accepted, "none", fastjwt.HS256, false},
		{"garbage", m, []string{"garbage"}, false, observe.Refused, "malformed", 0, false},
		{"forged", m, []string{sign(other, fastjwt.TypeSession, "")}, false, observe.Refused, "bad_signature", 0, false},
		{"expired", m, []string{string(expired)}, false, observe.Refused, "expired", fastjwt.HS256, false},
		{"an access token", m, []string{sign(codec, fastjwt.TypeAccess, "")}, false, observe.Refused, "wrong_purpose", fastjwt.HS256, false},
		{"past its absolute lifetime", m, []string{sign(codec, fastjwt.TypeSession, `,"auth_time":`+old)}, false, observe.Refused, "absolute_lifetime", fastjwt.HS256, false},
		{"revoked", m, []string{sign(codec, fastjwt.TypeSession, `,"jti":"gone"`)}, false, observe.Refused, "revoked", fastjwt.HS256, false},
		{"too many cookies", m, []string{"a", "b", "c", "d"}, false, observe.Refused, "too_many_cookies", 0, false},
		{"server-side session ended", side, []string{ended}, false, observe.Refused, "ended", fastjwt.HS256, false},
		{"revocation list down", down, []string{fresh}, true, observe.Refused, "unavailable", fastjwt.HS256, true},
	} {
		h := http.Header{}
		for _, c := range tc.cookies {
			h.Add("Cookie", session.DefaultCookieName+"="+c)
		}
		before := time.Now()
		s, err := tc.m.Acquire(context.Background(), header(h))
		got := ears.take()
		if (err != nil) != tc.fails {
			t.Errorf("%s: Acquire %v", tc.name, err)
		}
		tc.m.Release(s)
		if len(got) != 1 {
			t.Errorf("%s: %d events, want 1", tc.name, len(got))
			continue
		}
		e := got[0]
		if e.Kind != observe.KindSession || e.Outcome != tc.outcome || e.Reason != tc.reason || e.Alg != tc.alg || e.CacheHit != tc.hit {
			t.Errorf("%s: %v %v %q alg %v hit %v, want %v %q alg %v hit %v", tc.name, e.Kind, e.Outcome, e.Reason, e.Alg, e.CacheHit,
				tc.outcome, tc.reason, tc.alg, tc.hit)
		}
		if e.Start.Before(before) || e.Duration < 0 || e.Start.Add(e.Duration).After(time.Now()) {
			t.Errorf("%s: start %v duration %v outside the call", tc.name, e.Start, e.Duration)
		}
	}
}
