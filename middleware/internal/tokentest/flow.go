package tokentest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
)

func runFlow(t *testing.T, st Stack) {
	t.Run("obtain answers RFC 6749 sec. 5.1", func(t *testing.T) {
		f := newFixture(t, st)
		for _, a := range []Answer{f.obtain(), f.form("/token", "grant_type", "password", "username", User, "password", Password)} {
			want(t, a, 200, "", "obtain")
			if a.Type != "Bearer" || a.Expires != 900 {
				t.Fatalf("obtain: %s", a.Body)
			}
			if a.Header.Get("Cache-Control") != "no-store" || a.Header.Get("Pragma") != "no-cache" ||
				a.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
				t.Fatalf("obtain headers: %v", a.Header)
			}
			for _, scheme := range []string{"Bearer", "JWT"} {
				me := f.me(scheme, a.Access)
				want(t, me, 200, "", "the access token at /api/me with "+scheme)
				if me.Body != User {
					t.Fatalf("/api/me: %q", me.Body)
				}
			}
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		f := newFixture(t, st)
		for _, kv := range [][]string{{"username", User, "password", "wrong"}, {"username", "bob", "password", Password},
			{"username", User, "password", Password + "x"}} {
			a := f.form("/token", kv...)
			want(t, a, 400, "invalid_grant", "obtain with "+kv[1]+"/"+kv[3])
			if a.Header.Get("Cache-Control") != "no-store" || a.Access != "" {
				t.Fatalf("refusal: %v %s", a.Header, a.Body)
			}
		}
		a := f.form("/token", "username", User, "password", Password, "client_id", "evil")
		want(t, a, 401, "invalid_client", "a refused client")
		if a.Header.Get("WWW-Authenticate") == "" {
			t.Fatal("invalid_client without WWW-Authenticate")
		}
	})
	t.Run("verify", func(t *testing.T) {
		f := newFixture(t, st)
		p := f.obtain()
		a := f.form("/token/verify", "token", p.Access)
		want(t, a, 200, "", "verify of an access token")
		if a.Sub != User || a.Role != "admin" {
			t.Fatalf("verify claims: %s", a.Body)
		}
		want(t, f.form("/token/verify", "token", p.Refresh), 401, "invalid_token", "verify of a refresh token")
		want(t, f.form("/token/verify", "token", p.Access+"x"), 401, "invalid_token", "verify of a forged token")
		want(t, f.form("/token/verify"), 400, "invalid_request", "verify without a token")
		f.Clock.Add(15 * time.Minute)
		want(t, f.form("/token/verify", "token", p.Access), 401, "invalid_token", "verify at the access token's exp")
	})
	t.Run("purpose", func(t *testing.T) {
		f := newFixture(t, st)
		p := f.obtain()
		want(t, f.me("Bearer", p.Refresh), 401, "", "a refresh token at /api/me")
		want(t, f.refresh(p.Access), 400, "invalid_grant", "an access token at refresh")
		now := f.Clock.Now()
		exp := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
		cookie, err := f.Codec.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"iss":"https://issuer.test","sub":"ann","aud":"api","iat":`+
			strconv.FormatInt(now.Unix(), 10)+`,"exp":`+exp+`,"jti":"s1","fid":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		want(t, f.me("Bearer", string(cookie)), 401, "", "a session cookie at /api/me")
		want(t, f.refresh(string(cookie)), 400, "invalid_grant", "a session cookie at refresh")
		want(t, f.form("/token/verify", "token", string(cookie)), 401, "invalid_token", "a session cookie at verify")
	})
	t.Run("revoke", func(t *testing.T) {
		f := newFixture(t, st)
		p := f.obtain()
		want(t, f.me("Bearer", p.Access), 200, "", "before the revocation") // cached by the codec now
		a := f.form("/token/revoke", "token", p.Access, "token_type_hint", "access_token")
		want(t, a, 200, "", "revoke of an access token")
		want(t, f.me("Bearer", p.Access), 401, "", "a revoked access token")
		want(t, f.form("/token/verify", "token", p.Access), 401, "", "verify of a revoked access token")
		// The refresh token still works: revoking an access token is not a logout.
		n := f.refresh(p.Refresh)
		want(t, n, 200, "", "refresh after revoking an access token")
		want(t, f.me("Bearer", n.Access), 200, "", "the new access token")
		// Revoking the refresh token (whatever the hint) ends the family and its live access tokens.
		want(t, f.form("/token/revoke", "token", n.Refresh, "token_type_hint", "access_token"), 200, "", "revoke of a refresh token")
		want(t, f.refresh(n.Refresh), 400, "invalid_grant", "a revoked refresh token")
		want(t, f.me("Bearer", n.Access), 401, "", "an access token of a revoked family")
		// Invalid tokens are answered 200 (RFC 7009 sec. 2.2), a missing one 400.
		want(t, f.form("/token/revoke", "token", "garbage"), 200, "", "revoke of garbage")
		want(t, f.form("/token/revoke", "token", n.Refresh), 200, "", "revoke again")
		want(t, f.form("/token/revoke"), 400, "invalid_request", "revoke without a token")
	})
	t.Run("log out everywhere", func(t *testing.T) {
		f := newFixture(t, st)
		p1, p2 := f.obtain(), f.obtain()
		want(t, f.me("Bearer", p1.Access), 200, "", "before")
		if err := f.Issuer.RevokeSubject(context.Background(), User); err != nil {
			t.Fatal(err)
		}
		for _, p := range []Answer{p1, p2} {
			want(t, f.me("Bearer", p.Access), 401, "", "an access token after log out everywhere")
			want(t, f.refresh(p.Refresh), 400, "invalid_grant", "a refresh token after log out everywhere")
		}
		f.Clock.Add(1)
		p3 := f.obtain()
		want(t, f.me("Bearer", p3.Access), 200, "", "a login after log out everywhere")
		want(t, f.refresh(p3.Refresh), 200, "", "its refresh")
	})
	t.Run("every algorithm", func(t *testing.T) { runAlgorithms(t, st) })
	_ = issuing.DefaultGrace
}
