package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// tokenPair is the answer of POST /token and /token/refresh.
type tokenPair struct {
	Access  string `json:"access_token"`
	Type    string `json:"token_type"`
	Expires int    `json:"expires_in"`
	Refresh string `json:"refresh_token"`
	Error   string `json:"error"`
}

func (c *client) tokenCall(path, contentType, body string) (int, tokenPair, http.Header) {
	c.t.Helper()
	resp, b := c.do("POST", path, contentType, body)
	var p tokenPair
	if err := json.Unmarshal([]byte(b), &p); err != nil {
		c.t.Fatalf("POST %s: %d %q", path, resp.StatusCode, b)
	}
	return resp.StatusCode, p, resp.Header
}

func (c *client) obtain() tokenPair {
	c.t.Helper()
	st, p, h := c.tokenCall("/token", "application/json", `{"username":"demo","password":"demo"}`)
	if st != 200 || p.Type != "Bearer" || p.Expires != 900 || p.Access == "" || p.Refresh == "" ||
		h.Get("Cache-Control") != "no-store" {
		c.t.Fatalf("POST /token: %d %+v %v", st, p, h)
	}
	return p
}

func (c *client) refreshToken(tok string) (int, tokenPair) {
	c.t.Helper()
	st, p, _ := c.tokenCall("/token/refresh", "application/x-www-form-urlencoded", url.Values{"refresh_token": {tok}}.Encode())
	return st, p
}

// me returns the status of GET /api/me with "Authorization: scheme tok".
func (c *client) me(scheme, tok string) int {
	c.t.Helper()
	resp, _ := c.do("GET", "/api/me", "", "", "Authorization", scheme+" "+tok)
	return resp.StatusCode
}

// The token endpoints on both stacks: obtain as JSON or a form, the access token at /api/me
// with both schemes, refresh, verify, revoke; a refresh token or a session cookie at /api/me is
// 401; a reuse ends the family.
func TestTokenEndpoints(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		p := c.obtain()
		st, _, _ := c.tokenCall("/token", "application/x-www-form-urlencoded", "username=demo&password=demo")
		if st != 200 {
			t.Fatalf("obtain with a form: %d", st)
		}
		if st, q, _ := c.tokenCall("/token", "application/json", `{"username":"demo","password":"nope"}`); st != 400 || q.Error != "invalid_grant" {
			t.Fatalf("wrong password: %d %+v", st, q)
		}
		for _, scheme := range []string{"Bearer", "JWT"} {
			if st := c.me(scheme, p.Access); st != 200 {
				t.Fatalf("/api/me with %s: %d", scheme, st)
			}
		}
		if st := c.me("Bearer", p.Refresh); st != 401 {
			t.Fatalf("a refresh token at /api/me: %d", st)
		}
		c.login() // a session cookie in the jar, and its token
		if st := c.me("Bearer", c.sessionCookie()); st != 401 {
			t.Fatalf("a session cookie's token at /api/me: %d", st)
		}
		if resp, _ := c.do("GET", "/api/me", "", ""); resp.StatusCode != 401 {
			t.Fatalf("a session cookie alone at /api/me: %d", resp.StatusCode)
		}
		resp, body := c.do("POST", "/token/verify", "application/json", `{"token":"`+p.Access+`"}`)
		if resp.StatusCode != 200 || payloadOf(p.Access)["jti"] == nil || !json.Valid([]byte(body)) {
			t.Fatalf("verify: %d %s", resp.StatusCode, body)
		}
		if resp, _ := c.do("POST", "/token/verify", "application/json", `{"token":"`+p.Refresh+`"}`); resp.StatusCode != 401 {
			t.Fatalf("verify of a refresh token: %d", resp.StatusCode)
		}
		// Rotation, then a reuse of the first token (older than the last one replaced).
		st, q := c.refreshToken(p.Refresh)
		if st != 200 || q.Refresh == p.Refresh {
			t.Fatalf("refresh: %d %+v", st, q)
		}
		st, r := c.refreshToken(q.Refresh)
		if st != 200 {
			t.Fatalf("second refresh: %d", st)
		}
		if st, x := c.refreshToken(p.Refresh); st != 400 || x.Error != "invalid_grant" {
			t.Fatalf("reuse: %d %+v", st, x)
		}
		if st, _ := c.refreshToken(r.Refresh); st != 400 {
			t.Fatalf("the current token after the reuse: %d", st)
		}
		for _, tok := range []string{p.Access, q.Access, r.Access} {
			if st := c.me("Bearer", tok); st != 401 {
				t.Fatalf("an access token of the ended family: %d", st)
			}
		}
		// Revoke (RFC 7009): a refresh token ends its family and its access tokens.
		n := c.obtain()
		resp, _ = c.do("POST", "/token/revoke", "application/x-www-form-urlencoded", "token="+n.Refresh)
		if resp.StatusCode != 200 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if st, _ := c.refreshToken(n.Refresh); st != 400 {
			t.Fatalf("a revoked refresh token: %d", st)
		}
		if st := c.me("JWT", n.Access); st != 401 {
			t.Fatalf("an access token of a revoked family: %d", st)
		}
		resp, _ = c.do("POST", "/token/revoke", "application/x-www-form-urlencoded", "token=garbage")
		if resp.StatusCode != 200 {
			t.Fatalf("revoke of garbage: %d", resp.StatusCode)
		}
	})
}

// Fifty parallel refreshes of one token (tabs of one browser) all get the same successor.
func TestTokenParallelRefresh(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		// A connection per request, each closed after its answer: no connection of the
		// client's pool is left open (idle, or dialed and never used) for the server's
		// shutdown to wait for.
		c.http.Transport = &http.Transport{DisableKeepAlives: true}
		p := c.obtain()
		var wg sync.WaitGroup
		got := make([]tokenPair, 50)
		status := make([]int, 50)
		for i := range got {
			wg.Add(1)
			go func() { // no t.Fatal off the test's goroutine: a failed request is status 0
				defer wg.Done()
				resp, err := c.http.PostForm(base+"/token/refresh", url.Values{"refresh_token": {p.Refresh}})
				if err != nil {
					return
				}
				defer resp.Body.Close()
				if json.NewDecoder(resp.Body).Decode(&got[i]) == nil {
					status[i] = resp.StatusCode
				}
			}()
		}
		wg.Wait()
		for i := range got {
			if status[i] != 200 || got[i].Refresh != got[0].Refresh || got[i].Access != got[0].Access {
				t.Fatalf("parallel refresh %d: %d, another successor or none", i, status[i])
			}
		}
		if st := c.me("Bearer", got[0].Access); st != 200 {
			t.Fatalf("the successor's access token: %d", st)
		}
	})
}

// Log out everywhere with an access token of /token ends its refresh tokens too.
func TestTokenLogoutEverywhere(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		p := c.obtain()
		resp, _ := c.do("POST", "/logout-everywhere", "", "", "Authorization", "Bearer "+p.Access)
		if resp.StatusCode != 204 {
			t.Fatalf("logout everywhere: %d", resp.StatusCode)
		}
		if st, _ := c.refreshToken(p.Refresh); st != 400 {
			t.Fatalf("a refresh token after logout everywhere: %d", st)
		}
		if st := c.me("Bearer", p.Access); st != 401 {
			t.Fatalf("an access token after logout everywhere: %d", st)
		}
	})
}
