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
