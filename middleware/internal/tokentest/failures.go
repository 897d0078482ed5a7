package tokentest

import (
	"context"
	"testing"
	"time"

	"github.com/fastjwt/session/issuing"
)

func runFailures(t *testing.T, st Stack) {
	unavailable := func(t *testing.T, a Answer, what string) {
		t.Helper()
		want(t, a, 503, "", what)
		if a.Header.Get("Retry-After") == "" || a.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: 503 headers %v", what, a.Header)
		}
	}
	t.Run("families down", func(t *testing.T) {
		f := newFixture(t, st)
		p := f.obtain()
		f.FamiliesDown.Store(true)
		unavailable(t, f.form("/token", "username", User, "password", Password), "obtain")
		unavailable(t, f.refresh(p.Refresh), "refresh")
		unavailable(t, f.form("/token/revoke", "token", p.Refresh), "revoke of a refresh token")
		want(t, f.form("/token", "username", User, "password", "wrong"), 400, "invalid_grant", "wrong credentials")
		f.FamiliesDown.Store(false)
		want(t, f.refresh(p.Refresh), 200, "", "refresh once the families answer")
	})
	t.Run("list down", func(t *testing.T) {
		f := newFixture(t, st)
		p := f.obtain()
		f.ListDown.Store(true)
		unavailable(t, f.refresh(p.Refresh), "refresh")
		unavailable(t, f.form("/token/verify", "token", p.Access), "verify")
		unavailable(t, f.form("/token/revoke", "token", p.Access), "revoke of an access token")
		want(t, f.me("Bearer", p.Access), 503, "", "/api/me")
		f.ListDown.Store(false)
		want(t, f.refresh(p.Refresh), 200, "", "refresh once the list answers")
	})
	t.Run("a reuse whose revocation failed is revoked at the next presentation", func(t *testing.T) {
		f := newFixture(t, st)
		a := f.obtain()
		b := f.refresh(a.Refresh)
		f.Clock.Add(issuing.DefaultGrace)
		want(t, f.me("Bearer", b.Access), 200, "", "before the reuse")
		// The list answers the check of a's token, and fails the revocation of the family's
		// access tokens: the family has ended, the answer is 503.
		f.WritesDown.Store(true)
		unavailable(t, f.refresh(a.Refresh), "a reuse whose revocation fails")
		f.WritesDown.Store(false)
		want(t, f.me("Bearer", b.Access), 200, "", "the access token, its revocation having failed")
		want(t, f.refresh(b.Refresh), 400, "invalid_grant", "the next presentation")
		want(t, f.me("Bearer", b.Access), 401, "", "the access token, revoked by the next presentation")
	})
	t.Run("rate limit", func(t *testing.T) {
		var asked []string
		f := newFixture(t, st, func(c *issuing.Config) {
			c.Limit = func(_ context.Context, remote, user string) time.Duration {
				asked = append(asked, user)
				if user == "bob" {
					return 1500 * time.Millisecond
				}
				return 0
			}
		})
		a := f.form("/token", "username", "bob", "password", "x")
		want(t, a, 429, "", "a limited obtain")
		if a.Header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q, want 2", a.Header.Get("Retry-After"))
		}
		f.obtain()
		want(t, f.form("/token", "username", "bob"), 400, "invalid_request", "a malformed obtain")
		if len(asked) != 2 || asked[0] != "bob" || asked[1] != User {
			t.Fatalf("Limit asked for %v, want [bob ann]", asked)
		}
	})
}
