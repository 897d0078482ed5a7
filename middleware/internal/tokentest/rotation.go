package tokentest

import (
	"sync"
	"testing"
	"time"

	"github.com/fastjwt/session/issuing"
)

func runRotation(t *testing.T, st Stack) {
	t.Run("rotation", func(t *testing.T) {
		f := newFixture(t, st)
		p := f.obtain()
		for range 3 {
			f.Clock.Add(time.Minute)
			n := f.refresh(p.Refresh)
			want(t, n, 200, "", "refresh")
			if n.Refresh == p.Refresh || n.Access == p.Access || n.Type != "Bearer" || n.Expires != 900 {
				t.Fatalf("refresh: %s", n.Body)
			}
			want(t, f.me("Bearer", n.Access), 200, "", "the successor's access token")
			want(t, f.me("Bearer", p.Access), 200, "", "the predecessor's access token, not revoked by a rotation")
			p = n
		}
	})
	t.Run("reuse outside the window ends the family", func(t *testing.T) {
		f := newFixture(t, st)
		a := f.obtain()
		other := f.obtain() // another family of the same user
		b := f.refresh(a.Refresh)
		c := f.refresh(b.Refresh)
		for _, p := range []Answer{a, b, c} {
			want(t, f.me("Bearer", p.Access), 200, "", "before the reuse") // now in the verified-token cache
		}
		f.Clock.Add(issuing.DefaultGrace)
		want(t, f.refresh(b.Refresh), 400, "invalid_grant", "reuse of b after the window")
		want(t, f.refresh(c.Refresh), 400, "invalid_grant", "the current token after the reuse")
		want(t, f.refresh(a.Refresh), 400, "invalid_grant", "the first token after the reuse")
		for _, p := range []Answer{a, b, c} {
			want(t, f.me("Bearer", p.Access), 401, "", "an access token of the ended family")
			want(t, f.form("/token/verify", "token", p.Access), 401, "", "verify of an access token of the ended family")
		}
		want(t, f.me("Bearer", other.Access), 200, "", "another family")
		want(t, f.refresh(other.Refresh), 200, "", "another family's refresh")
	})
	t.Run("grace window", func(t *testing.T) {
		f := newFixture(t, st)
		a := f.obtain()
		b := f.refresh(a.Refresh)
		f.Clock.Add(issuing.DefaultGrace - 1)
		r := f.refresh(a.Refresh)
		want(t, r, 200, "", "a retry 1ns before the end of the window")
		if r.Refresh != b.Refresh || r.Access != b.Access {
			t.Fatal("a retry inside the window got another successor")
		}
		want(t, f.me("Bearer", r.Access), 200, "", "the retried successor")
		f.Clock.Add(1)
		want(t, f.refresh(a.Refresh), 400, "invalid_grant", "a retry at the end of the window")
		want(t, f.me("Bearer", b.Access), 401, "", "the successor after the reuse")
	})
	t.Run("50 concurrent refreshes", func(t *testing.T) {
		f := newFixture(t, st)
		a := f.obtain()
		var wg sync.WaitGroup
		answers := make([]Answer, 50)
		start := make(chan struct{})
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = f.refresh(a.Refresh)
			}()
		}
		close(start)
		wg.Wait()
		for i, n := range answers {
			want(t, n, 200, "", "a concurrent refresh")
			if n.Refresh != answers[0].Refresh || n.Access != answers[0].Access {
				t.Fatalf("concurrent refresh %d got another successor", i)
			}
		}
		want(t, f.refresh(answers[0].Refresh), 200, "", "the one successor")
	})
	t.Run("50 concurrent refreshes without grace", func(t *testing.T) {
		f := newFixture(t, st, func(c *issuing.Config) { c.Grace = -1 })
		a := f.obtain()
		var wg sync.WaitGroup
		answers := make([]Answer, 50)
		for i := range answers {
			wg.Add(1)
			go func() { defer wg.Done(); answers[i] = f.refresh(a.Refresh) }()
		}
		wg.Wait()
		won := 0
		for _, n := range answers {
			if n.Status == 200 {
				won++
				want(t, f.me("Bearer", n.Access), 401, "", "the winner's access token after the reuse")
			} else {
				want(t, n, 400, "invalid_grant", "a losing concurrent refresh")
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent refreshes won, want 1", won)
		}
	})
	t.Run("absolute lifetime", func(t *testing.T) {
		const life = 2 * time.Hour
		f := newFixture(t, st, func(c *issuing.Config) { c.AbsoluteLifetime = life })
		a := f.obtain()
		start := f.Clock.Now()
		p := a
		for f.Clock.Now().Before(start.Add(life - 20*time.Minute)) {
			f.Clock.Add(10 * time.Minute)
			p = f.refresh(p.Refresh)
			want(t, p, 200, "", "refresh inside the lifetime")
		}
		f.Clock.Add(start.Add(life - 1).Sub(f.Clock.Now()))
		last := f.refresh(p.Refresh)
		want(t, last, 200, "", "refresh 1ns before the family's end")
		if last.Expires != 900 {
			t.Fatalf("the last access token lives %d s, want a full 900", last.Expires)
		}
		f.Clock.Add(1)
		want(t, f.refresh(last.Refresh), 400, "invalid_grant", "refresh at the family's end")
		want(t, f.me("Bearer", last.Access), 200, "", "the last access token, until its own exp")
	})
	t.Run("throttled", func(t *testing.T) {
		f := newFixture(t, st, func(c *issuing.Config) { c.MaxLive = 3 })
		p := f.obtain()
		p = f.refresh(p.Refresh)
		p = f.refresh(p.Refresh)
		a := f.refresh(p.Refresh)
		want(t, a, 429, "", "a fourth live access token")
		if a.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		f.Clock.Add(21 * time.Minute)
		want(t, f.refresh(p.Refresh), 200, "", "once the access tokens have expired")
	})
}
