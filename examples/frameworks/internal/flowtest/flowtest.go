// Package flowtest is the one test every framework example passes, over HTTP against a real
// server: the session login, its cross-origin refusal, the page that needs the session and the
// final logout; tokens obtained, used on the API with both schemes, refreshed, retried inside
// the grace window, verified and revoked; and the purposes kept apart (a refresh token or a
// session cookie is refused by the API).
package flowtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/examples/frameworks/internal/app"
)

// The account and secret the examples are built with in the test.
const (
	User     = "alice"
	Password = "correct horse"
	Secret   = "a 32-byte or longer secret key!!"
)

type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

// do sends a request and returns the status, the headers and the body.
func (c *client) do(method, path, contentType, body string, header ...string) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(b)
}

func (c *client) form(path string, v url.Values, header ...string) (int, http.Header, string) {
	c.t.Helper()
	return c.do("POST", path, "application/x-www-form-urlencoded", v.Encode(), header...)
}

// pair is an obtain's or a refresh's answer.
type pair struct {
	Access    string `json:"access_token"`
	Type      string `json:"token_type"`
	ExpiresIn int    `json:"expires_in"`
	Refresh   string `json:"refresh_token"`
	Error     string `json:"error"`
}

func (c *client) pair(path string, v url.Values, want int) pair {
	c.t.Helper()
	status, h, body := c.form(path, v)
	var p pair
	if err := json.Unmarshal([]byte(body), &p); err != nil || status != want {
		c.t.Fatalf("POST %s: %d %s (%v), want %d", path, status, body, err, want)
	}
	if h.Get("Cache-Control") != "no-store" {
		c.t.Errorf("POST %s: Cache-Control %q, want no-store", path, h.Get("Cache-Control"))
	}
	return p
}

// Serve builds the example's handler with the test account, serves it on a loopback server for
// the test's duration, and runs the flow against it.
func Serve(t *testing.T, newHandler func(*app.App) http.Handler) {
	a, err := app.New([]byte(Secret), User, Password)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(a))
	defer srv.Close()
	Run(t, srv.URL)
}

// Run runs the flow against the example application at base.
func Run(t *testing.T, base string) {
	jar, _ := cookiejar.New(nil)
	browser := &client{t, base, &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	api := &client{t, base, &http.Client{Timeout: 10 * time.Second}}
	login := url.Values{"user": {User}, "password": {Password}}

	// The session.
	if status, _, body := browser.do("GET", "/", "", ""); status != 401 || body != "log in first\n" {
		t.Errorf("before the login: %d %q", status, body)
	}
	if status, h, _ := browser.form("/login", url.Values{"user": {User}, "password": {"wrong"}}); status != 401 || h.Get("Set-Cookie") != "" {
		t.Errorf("a wrong password: %d, Set-Cookie %q", status, h.Get("Set-Cookie"))
	}
	if status, h, _ := browser.form("/login", login, "Sec-Fetch-Site", "cross-site"); status != 403 || h.Get("Set-Cookie") != "" {
		t.Errorf("a cross-site login: %d, Set-Cookie %q; want 403 and none", status, h.Get("Set-Cookie"))
	}
	status, h, body := browser.form("/login", login, "Sec-Fetch-Site", "same-origin")
	cookie := cookieValue(h)
	if status != 200 || body != "logged in as "+User+"\n" || cookie == "" {
		t.Fatalf("the login: %d %q, cookie %q", status, body, cookie)
	}
	if status, _, body := browser.do("GET", "/", "", ""); status != 200 || body != "Hello, "+User+"\n" {
		t.Errorf("after the login: %d %q", status, body)
	}

	// Tokens: obtain (JSON and form), the API with both schemes.
	status, h, body = api.do("POST", "/token", "application/json", `{"username":"`+User+`","password":"wrong"}`)
	if status != 400 || !strings.Contains(body, `"error":"invalid_grant"`) || h.Get("Cache-Control") != "no-store" {
		t.Errorf("obtain with a wrong password: %d %s", status, body)
	}
	status, _, body = api.do("POST", "/token", "application/json", `{"username":"`+User+`","password":"`+Password+`"}`)
	var first pair
	if err := json.Unmarshal([]byte(body), &first); status != 200 || err != nil || first.Type != "Bearer" || first.Access == "" || first.Refresh == "" || first.ExpiresIn != 900 {
		t.Fatalf("obtain (JSON): %d %s", status, body)
	}
	byForm := api.pair("/token", url.Values{"username": {User}, "password": {Password}}, 200)
	for _, scheme := range []string{"Bearer ", "JWT "} {
		status, _, body := api.do("GET", "/api/me", "", "", "Authorization", scheme+first.Access)
		if status != 200 || !strings.Contains(body, `"sub":"`+User+`"`) {
			t.Errorf("the API with %q: %d %s", scheme, status, body)
		}
	}
	for name, tok := range map[string]string{"a refresh token": first.Refresh, "the session cookie": cookie} {
		if status, _, _ := api.do("GET", "/api/me", "", "", "Authorization", "Bearer "+tok); status != 401 {
			t.Errorf("the API with %s: %d, want 401", name, status)
		}
	}
	if status, _, _ := api.do("GET", "/api/me", "", ""); status != 401 {
		t.Errorf("the API without a token: %d, want 401", status)
	}

	// Refresh: a new pair; a retry inside the grace window gets the same one.
	next := api.pair("/token/refresh", url.Values{"refresh_token": {first.Refresh}}, 200)
	again := api.pair("/token/refresh", url.Values{"refresh_token": {first.Refresh}}, 200)
	if next.Refresh == first.Refresh || next.Access == "" || again.Refresh != next.Refresh || again.Access != next.Access {
		t.Errorf("refresh and its retry: %+v then %+v", next, again)
	}
	if status, _, _ := api.do("GET", "/api/me", "", "", "Authorization", "Bearer "+next.Access); status != 200 {
		t.Errorf("the refreshed access token: %d", status)
	}

	// Verify.
	if status, _, body := api.form("/token/verify", url.Values{"token": {next.Access}}); status != 200 || !strings.Contains(body, `"sub":"`+User+`"`) {
		t.Errorf("verify: %d %s", status, body)
	}
	if status, _, _ := api.form("/token/verify", url.Values{"token": {next.Access + "x"}}); status != 401 {
		t.Errorf("verify of a tampered token: %d, want 401", status)
	}

	// Revoke the refresh token: its family ends, with the access tokens it issued.
	if status, _, body := api.form("/token/revoke", url.Values{"token": {next.Refresh}}); status != 200 {
		t.Errorf("revoke: %d %s", status, body)
	}
	if p := api.pair("/token/refresh", url.Values{"refresh_token": {next.Refresh}}, 400); p.Error != "invalid_grant" {
		t.Errorf("refresh after the revocation: %+v", p)
	}
	for _, tok := range []string{first.Access, next.Access} {
		if status, _, _ := api.do("GET", "/api/me", "", "", "Authorization", "Bearer "+tok); status != 401 {
			t.Errorf("an access token of the revoked family: %d, want 401", status)
		}
	}
	// Another family (the obtain by form) lives on.
	if status, _, _ := api.do("GET", "/api/me", "", "", "Authorization", "Bearer "+byForm.Access); status != 200 {
		t.Errorf("the access token of another family: %d, want 200", status)
	}

	// Logout is final: a copy of the cookie taken before it is worth nothing.
	if status, _, body := browser.form("/logout", nil, "Sec-Fetch-Site", "same-origin"); status != 200 || body != "logged out\n" {
		t.Errorf("the logout: %d %q", status, body)
	}
	if status, _, _ := api.do("GET", "/", "", "", "Cookie", "session="+cookie); status != 401 {
		t.Errorf("a copy of the cookie after the logout: %d, want 401", status)
	}
}

// cookieValue returns the value of the session cookie a response sets, or "".
func cookieValue(h http.Header) string {
	for _, sc := range h.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "session="); ok {
			v, _, _ = strings.Cut(v, ";")
			return v
		}
	}
	return ""
}
