package sessiontest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// downList is a revocation list that cannot answer, as a Redis that is down: the failure
// policy's input (the verdicts of a working list come from revoke.Memory).
type downList struct{ revoke.List }

var errDown = errors.New("connection refused")

func (downList) Revoked(context.Context, *fastjwt.Claims) (bool, error) { return false, errDown }

// runRevocation checks logout, "log out everywhere" and the failure policy on both stacks.
func runRevocation(t *testing.T, st Stack) {
	clk := NewClock()
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(11)})
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: clk.Now})
	h := &hooks{}
	cfg := session.Config{Now: clk.Now, OnInvalid: h.onInvalid, OnError: h.onError, Revocations: list}
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeSessions(t, m, CounterHandler)
	t.Cleanup(stop)

	t.Run("logout revokes the token", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		res := get(t, plainClient, base+"/?op=logout", "Cookie", "session="+tok)
		if res.body != "logged out" || len(res.header.Values("Set-Cookie")) != 1 || cookieToken(res, "session") != "" {
			t.Fatalf("logout: %q, Set-Cookie %q (want the cookie deleted)", res.body, res.header.Values("Set-Cookie"))
		}
		// A copy of the cookie kept by an attacker (or another tab) no longer works.
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if res.body != "0" || !errors.Is(h.lastInvalid(), revoke.ErrRevoked) {
			t.Errorf("revoked cookie: %q, OnInvalid %v", res.body, h.lastInvalid())
		}
	})

	t.Run("log out everywhere", func(t *testing.T) {
		a := cookieToken(get(t, plainClient, base+"/?op=login&user=alice"), "session")
		b := cookieToken(get(t, plainClient, base+"/?op=login&user=alice"), "session")
		bob := cookieToken(get(t, plainClient, base+"/?op=login&user=bob"), "session")
		clk.Advance(time.Second)
		if err := m.RevokeSubject(context.Background(), "alice"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{a, b} {
			if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.body != "0" {
				t.Errorf("alice's session survived: %q", res.body)
			}
		}
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+bob); res.body != "1" {
			t.Errorf("bob's session was revoked too: %q", res.body)
		}
		clk.Advance(time.Second)
		again := cookieToken(get(t, plainClient, base+"/?op=login&user=alice"), "session")
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+again); res.body != "1" {
			t.Errorf("a login after the revocation: %q", res.body)
		}
	})

	t.Run("a list that cannot answer fails closed", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		down := cfg
		down.Revocations = downList{}
		dm, err := session.New(codec, down)
		if err != nil {
			t.Fatal(err)
		}
		dbase, dstop := st.ServeSessions(t, dm, CounterHandler)
		t.Cleanup(dstop)
		res := get(t, plainClient, dbase+"/?op=incr", "Cookie", "session="+tok)
		if res.status != 503 || res.header.Get("Retry-After") == "" || len(res.header.Values("Set-Cookie")) != 0 {
			t.Errorf("list down: %d %q Retry-After %q Set-Cookie %q, want 503 and no new session", res.status, res.body, res.header.Get("Retry-After"), res.header.Values("Set-Cookie"))
		}
		// A request without a cookie asks nothing of the list.
		if res := get(t, plainClient, dbase+"/?op=incr"); res.status != 200 {
			t.Errorf("no cookie, list down: %d", res.status)
		}
		open := down
		open.FailOpen = true
		om, err := session.New(codec, open)
		if err != nil {
			t.Fatal(err)
		}
		obase, ostop := st.ServeSessions(t, om, CounterHandler)
		t.Cleanup(ostop)
		if res := get(t, plainClient, obase+"/?op=incr", "Cookie", "session="+tok); res.status != 200 || res.body != "2" {
			t.Errorf("FailOpen: %d %q", res.status, res.body)
		}
		if err := h.lastError(); !errors.Is(err, revoke.ErrUnavailable) {
			t.Errorf("FailOpen: OnError got %v", err)
		}
		if err := h.lastInvalid(); errors.Is(err, revoke.ErrUnavailable) {
			t.Errorf("FailOpen: OnInvalid heard a request that went on: %v", err)
		}
	})

	t.Run("bearer tokens", func(t *testing.T) {
		exp := clk.Now().Add(time.Hour)
		sign := func(jti, sub string) string {
			tok, err := codec.AppendSign(nil, []byte(`{"jti":"`+jti+`","sub":"`+sub+`","iat":`+
				strconv.FormatInt(clk.Now().Unix(), 10)+`,"exp":`+strconv.FormatInt(exp.Unix(), 10)+`}`))
			if err != nil {
				t.Fatal(err)
			}
			return string(tok)
		}
		var mu sync.Mutex
		var causes []error
		b, err := bearer.New(codec, bearer.Config{Revocations: list, OnInvalid: func(err error) { mu.Lock(); causes = append(causes, err); mu.Unlock() }})
		if err != nil {
			t.Fatal(err)
		}
		bbase, bstop := st.ServeBearer(t, b, nil, bearerHandler)
		t.Cleanup(bstop)
		one, two, carol := sign("t-1", "dave"), sign("t-2", "dave"), sign("t-3", "carol")
		if err := list.RevokeToken(context.Background(), "t-1", exp); err != nil {
			t.Fatal(err)
		}
		res := get(t, plainClient, bbase+"/", "Authorization", "Bearer "+one)
		want := `Bearer realm="api", error="invalid_token", error_description="the token has been revoked"`
		if res.status != 401 || res.header.Get("Www-Authenticate") != want {
			t.Errorf("revoked jti: %d %q", res.status, res.header.Get("Www-Authenticate"))
		}
		if res := get(t, plainClient, bbase+"/", "Authorization", "Bearer "+two); res.status != 200 {
			t.Errorf("another token of the same subject: %d", res.status)
		}
		clk.Advance(time.Second)
		if err := list.RevokeSubject(context.Background(), "dave", clk.Now(), exp); err != nil {
			t.Fatal(err)
		}
		if res := get(t, plainClient, bbase+"/", "Authorization", "Bearer "+two); res.status != 401 {
			t.Errorf("subject revoked: %d", res.status)
		}
		if err := list.RevokeAll(context.Background(), clk.Now(), exp); err != nil {
			t.Fatal(err)
		}
		if res := get(t, plainClient, bbase+"/", "Authorization", "Bearer "+carol); res.status != 401 {
			t.Errorf("everything revoked: %d", res.status)
		}
		mu.Lock()
		if len(causes) != 3 || !errors.Is(causes[2], revoke.ErrRevoked) {
			t.Errorf("OnInvalid got %v", causes)
		}
		mu.Unlock()

		db, err := bearer.New(codec, bearer.Config{Revocations: downList{}})
		if err != nil {
			t.Fatal(err)
		}
		dbase, dstop := st.ServeBearer(t, db, nil, bearerHandler)
		t.Cleanup(dstop)
		res = get(t, plainClient, dbase+"/", "Authorization", "Bearer "+sign("t-9", "erin"))
		if res.status != 503 || res.header.Get("Retry-After") == "" || res.header.Get("Www-Authenticate") != "" {
			t.Errorf("list down: %d, Retry-After %q, WWW-Authenticate %q; want 503, Retry-After and no challenge",
				res.status, res.header.Get("Retry-After"), res.header.Get("Www-Authenticate"))
		}
		// Failing open is reported to OnError, as sessions report it; OnInvalid hears refusals
		// only.
		oh := &hooks{}
		ob, err := bearer.New(codec, bearer.Config{Revocations: downList{}, FailOpen: true, OnInvalid: oh.onInvalid, OnError: oh.onError})
		if err != nil {
			t.Fatal(err)
		}
		obase, ostop := st.ServeBearer(t, ob, nil, bearerHandler)
		t.Cleanup(ostop)
		if res := get(t, plainClient, obase+"/", "Authorization", "Bearer "+sign("t-9", "erin")); res.status != 200 {
			t.Errorf("FailOpen: %d", res.status)
		}
		if err := oh.lastError(); !errors.Is(err, revoke.ErrUnavailable) || !errors.Is(err, errDown) {
			t.Errorf("FailOpen: OnError got %v, want revoke.ErrUnavailable wrapping the list's error", err)
		}
		if err := oh.lastInvalid(); err != nil {
			t.Errorf("FailOpen: OnInvalid got %v", err)
		}
		if res := get(t, plainClient, obase+"/"); res.status != 401 || !errors.Is(oh.lastInvalid(), bearer.ErrNoToken) {
			t.Errorf("FailOpen, no token: %d, OnInvalid %v", res.status, oh.lastInvalid())
		}
	})
}
