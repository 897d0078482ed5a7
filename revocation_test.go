package session_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// countingList counts the questions it is asked, and answers from a list or with an error.
type countingList struct {
	revoke.List
	down  bool
	asked atomic.Int64
}

func (l *countingList) Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error) {
	l.asked.Add(1)
	if l.down {
		return false, errors.New("connection refused")
	}
	return l.List.Revoked(ctx, cl)
}

// The revocation list is asked after every local check of a cookie: one refused for its
// signature, its expiry or its purpose never reaches the list, even one that cannot answer,
// and gives a new session; a cookie that passes them is checked once, with the verdicts of
// revoke.Checker (503 failing closed; OnError hears failing open; revoked: a new session).
func TestRevocationsAfterLocalChecks(t *testing.T) {
	now := func() time.Time { return t0 }
	secret := []byte(strings.Repeat("k", 32))
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(now))
	other, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("o", 32))}}, fastjwt.WithClock(now))
	sign := func(c *fastjwt.Codec, typ fastjwt.Type, payload string) string {
		tok, err := c.AppendSignType(nil, typ, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	exp := t0.Add(time.Hour).Unix()
	good := `{"jti":"j1","iat":` + itoa(t0.Unix()) + `,"exp":` + itoa(exp) + `,"n":1}`
	mem := revoke.NewMemory(revoke.MemoryOptions{Clock: now})
	for _, tc := range []struct {
		name   string
		down   bool
		open   bool
		cookie string
		// want
		asked   int64
		err     error // from Acquire
		invalid error // InvalidReason
		heard   bool  // OnError heard failing open
	}{
		{"bad signature", true, false, sign(other, fastjwt.TypeSession, good), 0, nil, fastjwt.ErrSignature, false},
		{"expired", true, false, sign(codec, fastjwt.TypeSession, `{"exp":1}`), 0, nil, fastjwt.ErrExpired, false},
		{"another purpose", true, false, sign(codec, fastjwt.TypeJWT, good), 0, nil, session.ErrPurpose, false},
		{"valid, list down", true, false, sign(codec, fastjwt.TypeSession, good), 1, revoke.ErrUnavailable, nil, false},
		{"valid, list down, failing open", true, true, sign(codec, fastjwt.TypeSession, good), 1, nil, nil, true},
		{"valid, not revoked", false, false, sign(codec, fastjwt.TypeSession, good), 1, nil, nil, false},
		{"valid, revoked", false, false, sign(codec, fastjwt.TypeSession, `{"jti":"gone","exp":`+itoa(exp)+`}`), 1, nil, revoke.ErrRevoked, false},
	} {
		if err := mem.RevokeToken(context.Background(), "gone", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		list := &countingList{List: mem, down: tc.down}
		var heard []error
		m, err := session.New(codec, session.Config{Now: now, Revocations: list, FailOpen: tc.open,
			OnError: func(err error) { heard = append(heard, err) }})
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.Acquire(context.Background(), header(http.Header{"Cookie": {session.DefaultCookieName + "=" + tc.cookie}}))
		switch {
		case tc.err == nil && err != nil, tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("%s: Acquire: %v, want %v", tc.name, err, tc.err)
		case err == nil && tc.invalid == nil && (s.IsNew() || s.InvalidReason() != nil):
			t.Errorf("%s: new %v, %v; want the cookie's session", tc.name, s.IsNew(), s.InvalidReason())
		case err == nil && tc.invalid != nil && (!s.IsNew() || !errors.Is(s.InvalidReason(), tc.invalid)):
			t.Errorf("%s: new %v, %v; want a new session for %v", tc.name, s.IsNew(), s.InvalidReason(), tc.invalid)
		}
		if err == nil {
			m.Release(s)
		}
		if n := list.asked.Load(); n != tc.asked {
			t.Errorf("%s: the list was asked %d times, want %d", tc.name, n, tc.asked)
		}
		if tc.heard != (len(heard) == 1) || tc.heard && !errors.Is(heard[0], revoke.ErrUnavailable) || len(heard) > 1 {
			t.Errorf("%s: OnError heard %v", tc.name, heard)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// "Log out everywhere" at t refuses a session issued a millisecond before t and accepts a login
// a millisecond after it, in the same second: "iat" is written to the nanosecond and compared
// with the epoch exactly.
func TestRevokeSubjectSameSecond(t *testing.T) {
	t1 := t0.Add(400 * time.Millisecond) // within a second
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: now})
	m, err := session.New(codec, session.Config{Now: now, Revocations: list})
	if err != nil {
		t.Fatal(err)
	}
	login := func(at time.Time) string {
		clock.Store(at.UnixNano())
		s := acquire(t, m, "")
		if err := s.Set("sub", "alice"); err != nil {
			t.Fatal(err)
		}
		tok, _ := roundTrip(m, s)
		return tok
	}
	before, at := login(t1.Add(-time.Millisecond)), login(t1)
	clock.Store(t1.UnixNano())
	if err := m.RevokeSubject(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	after := login(t1.Add(time.Millisecond))
	for _, tc := range []struct {
		name, tok string
		revoked   bool
	}{
		{"issued a millisecond before the epoch", before, true},
		{"issued at the epoch", at, false},
		{"issued a millisecond after the epoch", after, false},
	} {
		s := acquire(t, m, tc.tok)
		if got := errors.Is(s.InvalidReason(), revoke.ErrRevoked); got != tc.revoked || s.IsNew() != tc.revoked {
			t.Errorf("%s: new %v, %v; want revoked %v", tc.name, s.IsNew(), s.InvalidReason(), tc.revoked)
		}
		m.Release(s)
	}
}

// A revoked session stays refused for as long as the codec's leeway accepts it past "exp", and
// New refuses a leeway longer than the list's grace.
func TestRevocationOutlivesLeeway(t *testing.T) {
	var clock atomic.Int64
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	newCodec := func(leeway time.Duration) *fastjwt.Codec {
		c, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}},
			fastjwt.WithClock(now), fastjwt.WithLeeway(leeway))
		return c
	}
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: now, Grace: time.Minute})
	_, err := session.New(newCodec(time.Minute+time.Second), session.Config{Now: now, Revocations: list})
	const want = "session: invalid configuration: revoke: the verifier's leeway is longer than the revocation list's grace: a leeway of 1m1s, a grace of 1m0s (give the list a grace of at least the leeway)"
	if err == nil || err.Error() != want || !errors.Is(err, session.ErrConfig) || !errors.Is(err, revoke.ErrLeeway) {
		t.Fatalf("a leeway longer than the grace: %v, want %q", err, want)
	}
	if _, err := session.New(newCodec(time.Hour), session.Config{Now: now}); err != nil {
		t.Fatalf("a leeway without a revocation list: %v", err)
	}
	m, err := session.New(newCodec(time.Minute), session.Config{Now: now, Revocations: list, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s := acquire(t, m, "")
	_ = s.Set("n", 1)
	tok, _ := roundTrip(m, s)
	s = acquire(t, m, tok)
	if err := s.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Release(s)
	exp := t0.Add(time.Hour) // t0 is a whole second: "exp" is exact
	for _, tc := range []struct {
		at   time.Time
		want error
	}{
		{exp.Add(30 * time.Second), revoke.ErrRevoked},              // the reported defect: accepted again here
		{exp.Add(time.Minute - time.Nanosecond), revoke.ErrRevoked}, // the last instant the codec accepts it
		{exp.Add(time.Minute), fastjwt.ErrExpired},                  // the codec refuses it, the entry has gone
	} {
		clock.Store(tc.at.UnixNano())
		s := acquire(t, m, tok)
		if !s.IsNew() || !errors.Is(s.InvalidReason(), tc.want) {
			t.Errorf("at exp + %v: new %v, %v; want %v", tc.at.Sub(exp), s.IsNew(), s.InvalidReason(), tc.want)
		}
		m.Release(s)
	}
	if n := list.Len(); n != 1 {
		t.Errorf("Len = %d, want 1 (the entry, not yet swept)", n)
	}
}
