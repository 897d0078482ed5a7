package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

// testKey is the demo's secret in these tests, so that they can forge what a client cannot.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// startDemo serves the demo in its default mode (server-side sessions in memory) on a free
// loopback port with the given stack and returns its base URL.
func startDemo(t *testing.T, stack string) string {
	t.Helper()
	return serveDemo(t, config{stack: stack})
}

// startDemoAlg is startDemo signing with alg.
func startDemoAlg(t *testing.T, stack string, alg fastjwt.Alg) string {
	t.Helper()
	return serveDemo(t, config{stack: stack, alg: alg})
}

// serveDemo serves the demo configured by cfg (user and password "demo", the key testKey unless
// cfg says otherwise) on a free loopback port and returns its base URL. Cleanup stops it
// through the same path as SIGTERM and expects a clean, prompt return.
func serveDemo(t *testing.T, cfg config) string {
	t.Helper()
	base, _ := serveDemoOf(t, cfg)
	return base
}

// serveDemoOf is serveDemo, returning the demo too.
func serveDemoOf(t *testing.T, cfg config) (string, *demo) {
	t.Helper()
	if cfg.user == "" {
		cfg.user, cfg.password = "demo", "demo"
	}
	if cfg.key == nil {
		cfg.key = testKey
	}
	d, err := newDemo(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.serve(ctx, ln) }()
	t.Cleanup(func() {
		defer d.close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not shut down within 10s")
		}
	})
	return "http://" + ln.Addr().String(), d
}

// client is a browser-like client: it keeps cookies.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 5 * time.Second}}
}

// on returns the same client (the same cookie jar) sending to base: a browser visiting another
// process of the site. Cookies do not depend on the port (RFC 6265 sec. 8.5), so processes on two
// ports of 127.0.0.1 see the same cookie, as two servers behind one name would.
func (c *client) on(base string) *client {
	return &client{t: c.t, base: base, http: c.http}
}

// withCookie sends one GET of path to base with the given session cookie and no jar: a replay of
// an old cookie, which keeps nothing of the answer.
func withCookie(t *testing.T, base, path, cookie string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", "session="+cookie)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// withToken sends one request to base with the bearer token and no cookie.
func withToken(t *testing.T, method, base, path, token string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// do sends the request and returns the response with its body read.
func (c *client) do(method, path, contentType, body string, header ...string) (*http.Response, string) {
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
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, string(b)
}

// sessionCookie returns the session cookie the jar would send, or "".
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.base + "/")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "session" {
			return ck.Value
		}
	}
	return ""
}

// setSessionCookie replaces the session cookie in the jar, as a client editing its cookies would.
func (c *client) setSessionCookie(v string) {
	u, _ := url.Parse(c.base + "/")
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: v, Path: "/"}})
}

func (c *client) expectCounter(want string) {
	c.t.Helper()
	resp, body := c.do("GET", "/", "", "")
	if resp.StatusCode != 200 || body != "Current counter value: "+want+"\n" {
		c.t.Fatalf("GET /: %d %q, want 200 %q", resp.StatusCode, body, "Current counter value: "+want)
	}
	if c.sessionCookie() == "" {
		c.t.Fatal("GET / counted, but the client holds no session cookie")
	}
}

// payload decodes the (unverified) payload of a compact JWT.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	m := payloadOf(token)
	if m == nil {
		t.Fatalf("not a compact JWT with a JSON payload: %q", token)
	}
	return m
}

// payloadOf decodes the (unverified) payload of a compact JWT, or returns nil.
func payloadOf(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	m := map[string]any{}
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

func forEachStack(t *testing.T, f func(t *testing.T, base string)) {
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) { f(t, startDemo(t, stack)) })
	}
}

// A browser's first GET / is a provisional session in the store: requests that never send their
// cookie back, however many, leave only provisional sessions there, which never refuse or evict
// a session that came back; a browser that comes back has an ordinary session from its second
// request on.
func TestFirstVisitKeepsOnlyAProvisionalSession(t *testing.T) {
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) {
			base, d := serveDemoOf(t, config{stack: stack})
			mem := d.store.(*store.Memory)
			for i := range 50 {
				resp, body := newClient(t, base).do("GET", "/", "", "")
				if resp.StatusCode != 200 || body != "Current counter value: 1\n" {
					t.Fatalf("request %d without a cookie: %d %q", i, resp.StatusCode, body)
				}
			}
			if n, p := mem.Len(), mem.Provisional(); n != 50 || p != 50 {
				t.Fatalf("50 requests without a cookie left %d sessions, %d provisional; want 50 provisional", n, p)
			}
			c := newClient(t, base)
			c.expectCounter("1")
			if p := payload(t, c.sessionCookie()); p["sid"] == nil || p["counter"] != nil {
				t.Fatalf("first visit's cookie payload %v, want a session id and no counter", p)
			}
			c.expectCounter("2")
			if mem.Len() != 51 || mem.Provisional() != 50 {
				t.Fatalf("after a browser came back: Len %d, Provisional %d; want 51 and 50 (its own is ordinary)", mem.Len(), mem.Provisional())
			}
			c.expectCounter("3")
		})
	}
}

// In the default mode the counter is server-side: the cookie carries the session id, not the
// count.
func TestCounter(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		for _, want := range []string{"1", "2", "3"} {
			c.expectCounter(want)
		}
		p := payload(t, c.sessionCookie())
		if sid, _ := p["sid"].(string); sid == "" || p["counter"] != nil {
			t.Fatalf("cookie payload %v, want a session id and no counter", p)
		}

		// A second browser has its own session.
		newClient(t, base).expectCounter("1")

		// Paths other than / do not count (a browser asks for /favicon.ico on its own).
		if resp, _ := c.do("GET", "/favicon.ico", "", ""); resp.StatusCode != 404 {
			t.Fatalf("GET /favicon.ico: %d, want 404", resp.StatusCode)
		}
		c.expectCounter("4")
	})
}

// With -mode cookie the whole session is the cookie's payload, counter included.
func TestCookieMode(t *testing.T) {
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) {
			c := newClient(t, serveDemo(t, config{stack: stack, mode: modeCookie}))
			for _, want := range []string{"1", "2", "3"} {
				c.expectCounter(want)
			}
			if p := payload(t, c.sessionCookie()); p["counter"] != 3.0 || p["sid"] != nil {
				t.Fatalf("cookie payload %v, want counter 3 and no session id", p)
			}
			c.login()
			if p := payload(t, c.sessionCookie()); p["counter"] != 3.0 || p["sub"] != "demo" {
				t.Fatalf("cookie payload after login %v, want counter 3 and sub demo", p)
			}
			c.expectCounter("4")
		})
	}
}

func TestCookieAttributes(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		resp, _ := newClient(t, base).do("GET", "/", "", "")
		var ck *http.Cookie
		for _, x := range resp.Cookies() {
			if x.Name == "session" {
				ck = x
			}
		}
		if ck == nil {
			t.Fatalf("no session cookie in %q", resp.Header.Values("Set-Cookie"))
		}
		if ck.HttpOnly {
			t.Error("session cookie is HttpOnly; the /app page needs to read it")
		}
		if ck.Path != "/" || ck.MaxAge <= 0 || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie attributes: path %q, max-age %d, samesite %v", ck.Path, ck.MaxAge, ck.SameSite)
		}
		if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("a response setting the cookie has Cache-Control %q, want no-store", got)
		}
	})
}

func TestAppPageSetsNoCookie(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		for _, next := range []string{"1", "2"} { // without a session, then with one
			resp, body := c.do("GET", "/app", "", "")
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET /app: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
				t.Fatalf("GET /app set a cookie: %q", sc)
			}
			if !strings.Contains(body, "cannot check the signature") {
				t.Fatal("the page does not say that the browser cannot check the signature")
			}
			c.expectCounter(next) // the page left the session as it was
		}
	})
}

func TestLogin(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		c.expectCounter("1")

		bad := []struct{ name, ctype, body string }{
			{"wrong password, form", "application/x-www-form-urlencoded", "username=demo&password=nope"},
			{"wrong password, JSON", "application/json", `{"username":"demo","password":"nope"}`},
			{"wrong user", "application/json", `{"username":"admin","password":"demo"}`},
			{"password prefix", "application/json", `{"username":"demo","password":"dem"}`},
		}
		for _, b := range bad {
			resp, body := c.do("POST", "/login", b.ctype, b.body)
			if resp.StatusCode != 401 || !strings.Contains(body, `"error":"invalid_credentials"`) {
				t.Errorf("%s: %d %q, want 401 invalid_credentials", b.name, resp.StatusCode, body)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s: Content-Type %q", b.name, resp.Header.Get("Content-Type"))
			}
			if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("%s: a refused login set a cookie: %q", b.name, sc)
			}
		}
		malformed := []struct{ name, ctype, body string }{
			{"not JSON", "application/json", `{"username":`},
			{"missing password", "application/json", `{"username":"demo"}`},
			{"other media type", "text/plain", "demo:demo"},
		}
		for _, b := range malformed {
			if resp, body := c.do("POST", "/login", b.ctype, b.body); resp.StatusCode != 400 || !strings.Contains(body, "invalid_request") {
				t.Errorf("%s: %d %q, want 400 invalid_request", b.name, resp.StatusCode, body)
			}
		}
		if resp, _ := c.do("GET", "/login", "", ""); resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
			t.Errorf("GET /login: %d, Allow %q; want 405, POST", resp.StatusCode, resp.Header.Get("Allow"))
		}

		for _, form := range []struct{ ctype, body string }{
			{"application/x-www-form-urlencoded", "username=demo&password=demo"},
			{"application/json; charset=utf-8", `{"username":"demo","password":"demo"}`},
		} {
			resp, body := c.do("POST", "/login", form.ctype, form.body)
			if resp.StatusCode != 200 {
				t.Fatalf("login (%s): %d %q", form.ctype, resp.StatusCode, body)
			}
			var out struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || out.AccessToken == "" {
				t.Fatalf("login body %q: %v", body, err)
			}
			if p := payload(t, out.AccessToken); p["sub"] != "demo" || p["aud"] != apiAudience {
				t.Fatalf("token claims %v, want sub demo and aud %s", p, apiAudience)
			}
		}
		// The session keeps the counter and gains the user, whose name is in the cookie.
		p := payload(t, c.sessionCookie())
		if p["sub"] != "demo" || p["counter"] != nil {
			t.Fatalf("session after login: %v, want sub demo and the counter kept server-side", p)
		}
		c.expectCounter("2")
	})
}

// A login gives the session a new id and token: a cookie planted before the login (session
// fixation) is worth nothing after it, while the session's data moves to the new id.
func TestLoginRegeneratesTheSession(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		c.expectCounter("1")
		before := c.sessionCookie()
		c.login()
		after := c.sessionCookie()
		if payload(t, after)["sid"] == payload(t, before)["sid"] {
			t.Fatal("the session id did not change at login")
		}
		c.expectCounter("2")
		if resp, body := withCookie(t, base, "/", before); body != "Current counter value: 1\n" {
			t.Fatalf("the pre-login cookie after login: %d %q, want a fresh session", resp.StatusCode, body)
		}
		c.expectCounter("3") // the planted cookie's request did not touch the logged-in session
	})
}

// login returns a bearer token for demo/demo.
func (c *client) login() string {
	c.t.Helper()
	resp, body := c.do("POST", "/login", "application/json", `{"username":"demo","password":"demo"}`)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil {
		c.t.Fatalf("login: %d %q", resp.StatusCode, body)
	}
	return out.AccessToken
}

func TestAPIMe(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		token := c.login()

		resp, body := c.do("GET", "/api/me", "", "", "Authorization", "Bearer "+token)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /api/me with the token: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var claims map[string]any
		if err := json.Unmarshal([]byte(body), &claims); err != nil {
			t.Fatalf("/api/me body %q: %v", body, err)
		}
		if claims["sub"] != "demo" || claims["aud"] != apiAudience || claims["exp"] == nil {
			t.Fatalf("/api/me claims %v", claims)
		}

		// An audience-less token under the right key: authenticated, but not for this API.
		d, err := newDemo(config{stack: "nethttp", user: "demo", password: "demo", key: testKey})
		if err != nil {
			t.Fatal(err)
		}
		noAud, err := fastjwt.Encode(d.app.tokens, nil, map[string]any{"sub": "demo", "exp": time.Now().Add(time.Hour).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		// A token whose payload was edited after signing.
		edited := strings.Split(token, ".")
		edited[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","aud":"counter-api","exp":9999999999}`))

		cases := []struct {
			name      string
			header    []string
			status    int
			challenge string // exact, or a prefix when it ends in ", "
		}{
			{"no token", nil, 401, `Bearer realm="counter"`},
			{"other scheme", []string{"Authorization", "Basic ZGVtbzpkZW1v"}, 401, `Bearer realm="counter"`},
			{"garbage", []string{"Authorization", "Bearer not.a.token"}, 401, `Bearer realm="counter", error="invalid_token", `},
			{"edited payload", []string{"Authorization", "Bearer " + strings.Join(edited, ".")}, 401, `Bearer realm="counter", error="invalid_token", `},
			{"session cookie as token", []string{"Authorization", "Bearer " + c.sessionCookie()}, 401, `Bearer realm="counter", error="invalid_token", `},
			{"no audience", []string{"Authorization", "Bearer " + string(noAud)}, 403, `Bearer realm="counter", error="insufficient_scope", `},
		}
		for _, tc := range cases {
			resp, _ := c.do("GET", "/api/me", "", "", tc.header...)
			got := resp.Header.Get("WWW-Authenticate")
			ok := got == tc.challenge
			if strings.HasSuffix(tc.challenge, ", ") {
				ok = strings.HasPrefix(got, tc.challenge) && strings.Contains(got, `error_description="`)
			}
			if resp.StatusCode != tc.status || !ok {
				t.Errorf("%s: %d, WWW-Authenticate %q; want %d, %q", tc.name, resp.StatusCode, got, tc.status, tc.challenge)
			}
		}
	})
}

// Logout revokes the session and the bearer token of its login: replayed, the old cookie gets a
// fresh session and the token a 401, in both modes.
func TestLogout(t *testing.T) {
	for _, mode := range []string{modeServer, modeCookie} {
		for _, stack := range []string{"fasthttp", "nethttp"} {
			t.Run(mode+"/"+stack, func(t *testing.T) {
				base := serveDemo(t, config{stack: stack, mode: mode})
				c := newClient(t, base)
				token := c.login()
				c.expectCounter("1")
				c.expectCounter("2")
				old := c.sessionCookie()
				if old == "" {
					t.Fatal("no session cookie before logout")
				}
				resp, _ := c.do("POST", "/logout", "", "")
				if resp.StatusCode != 204 {
					t.Fatalf("POST /logout: %d", resp.StatusCode)
				}
				deleted := false
				for _, ck := range resp.Cookies() {
					deleted = deleted || (ck.Name == "session" && ck.MaxAge < 0)
				}
				if !deleted {
					t.Fatalf("logout did not delete the cookie: Set-Cookie %q", resp.Header.Values("Set-Cookie"))
				}
				if v := c.sessionCookie(); v != "" {
					t.Fatalf("the client still holds a session cookie: %q", v)
				}
				c.expectCounter("1")
				expectLoggedOut(t, base, old, token)

				// Logging out without a session is no error.
				if resp, _ := newClient(t, base).do("POST", "/logout", "", ""); resp.StatusCode != 204 {
					t.Fatalf("POST /logout without a session: %d", resp.StatusCode)
				}
			})
		}
	}
}

// expectLoggedOut checks, on base, that the session cookie gets a fresh session with no user
// and that the bearer token is refused as revoked.
func expectLoggedOut(t *testing.T, base, cookie, token string) {
	t.Helper()
	if msg := loggedOut(t, base, cookie, token); msg != "" {
		t.Fatal(msg)
	}
}

// loggedOut says what is not yet logged out on base ("" when both the cookie and the token are).
func loggedOut(t *testing.T, base, cookie, token string) string {
	t.Helper()
	if cookie != "" {
		resp, body := withCookie(t, base, "/", cookie)
		if resp.StatusCode != 200 || body != "Current counter value: 1\n" {
			return fmt.Sprintf("%s: the old session cookie: %d %q, want a fresh session", base, resp.StatusCode, body)
		}
		for _, ck := range resp.Cookies() {
			if ck.Name == "session" && payloadOf(ck.Value)["sub"] != nil {
				return fmt.Sprintf("%s: the fresh session names a user: %q", base, ck.Value)
			}
		}
	}
	if token != "" {
		resp, _ := withToken(t, "GET", base, "/api/me", token)
		if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.Contains(ch, "revoked") {
			return fmt.Sprintf("%s: the old bearer token: %d, WWW-Authenticate %q; want 401 revoked", base, resp.StatusCode, ch)
		}
	}
	return ""
}

// Log out everywhere, authenticated by the session cookie or by a bearer token: every session
// and token of the user is refused from then on.
func TestLogoutEverywhere(t *testing.T) {
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel() // each waits for a new second: see nextSecond
			base := serveDemo(t, config{stack: stack})
			testLogoutEverywhere(t, base, base)
		})
	}
}

// testLogoutEverywhere logs the user out everywhere, by session on a and by bearer token on b,
// and checks that a and b refuse every session and token of the user issued before.
func testLogoutEverywhere(t *testing.T, a, b string) {
	t.Helper()
	// Without credentials: 401 with a challenge; not a POST: 405.
	anon := newClient(t, a)
	if resp, body := anon.do("POST", "/logout-everywhere", "", ""); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("POST /logout-everywhere without credentials: %d %q, WWW-Authenticate %q", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
	}
	anon.expectCounter("1") // a session without a user cannot log anyone out
	if resp, body := anon.do("POST", "/logout-everywhere", "", ""); resp.StatusCode != 401 {
		t.Fatalf("POST /logout-everywhere with a session but no user: %d %q", resp.StatusCode, body)
	}
	if resp, _ := anon.do("GET", "/logout-everywhere", "", ""); resp.StatusCode != 405 {
		t.Fatalf("GET /logout-everywhere: %d, want 405", resp.StatusCode)
	}
	if resp, _ := withToken(t, "POST", b, "/logout-everywhere", "not.a.token"); resp.StatusCode != 401 {
		t.Fatalf("POST /logout-everywhere with a bad token: %d, want 401", resp.StatusCode)
	}

	// By session: two browsers of the user, one on each process.
	x, y := newClient(t, a), newClient(t, b)
	tx, ty := x.login(), y.login()
	x.expectCounter("1")
	y.expectCounter("1")
	yCookie := y.sessionCookie()
	resp, _ := x.do("POST", "/logout-everywhere", "", "")
	if resp.StatusCode != 204 || x.sessionCookie() != "" {
		t.Fatalf("POST /logout-everywhere by session: %d, cookie left %q", resp.StatusCode, x.sessionCookie())
	}
	for _, base := range []string{a, b} {
		eventually(t, base+": the user's other session and both tokens refused", func() string {
			if m := loggedOut(t, base, yCookie, tx); m != "" {
				return m
			}
			return loggedOut(t, base, "", ty)
		})
	}

	// By bearer token, on the other process, after a new login right after it (in the same
	// second, most often: "iat" is to the nanosecond, and the epoch is exact).
	z := newClient(t, a)
	tz := z.login()
	z.expectCounter("1")
	if resp, body := withToken(t, "GET", b, "/api/me", tz); resp.StatusCode != 200 {
		t.Fatalf("a login after the log-out-everywhere: /api/me %d %q", resp.StatusCode, body)
	}
	zCookie := z.sessionCookie()
	if resp, body := withToken(t, "POST", b, "/logout-everywhere", tz); resp.StatusCode != 204 {
		t.Fatalf("POST /logout-everywhere by bearer token: %d %q", resp.StatusCode, body)
	}
	for _, base := range []string{a, b} {
		eventually(t, base+": the session and the token refused", func() string { return loggedOut(t, base, zCookie, tz) })
	}
}

// eventually retries check, which returns "" once satisfied, for up to two seconds: another
// process hears of a revocation through Redis's invalidation, an instant later. In memory,
// the first try succeeds.
func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTamperedCookieStartsOver(t *testing.T) {
	forEachStack(t, func(t *testing.T, base string) {
		c := newClient(t, base)
		c.expectCounter("1")
		c.expectCounter("2")
		parts := strings.Split(c.sessionCookie(), ".")
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"counter":99,"sub":"admin"}`))
		c.setSessionCookie(strings.Join(parts, "."))
		c.expectCounter("1")
		if p := payload(t, c.sessionCookie()); p["sub"] != nil {
			t.Fatalf("fresh session carries %v", p)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	if _, err := newDemo(config{stack: "gin", user: "u", password: "p", key: testKey}); err == nil {
		t.Error("unknown stack accepted")
	}
	if _, err := newDemo(config{stack: "nethttp", user: "u", password: "", key: testKey}); err == nil {
		t.Error("empty password accepted")
	}
	if _, err := newDemo(config{stack: "nethttp", mode: "redis", user: "u", password: "p", key: testKey}); err == nil || !strings.Contains(err.Error(), "-mode") {
		t.Errorf("unknown mode: err = %v", err)
	}

	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKey(short); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("short key: err = %v", err)
	}
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, append(bytes.Clone(testKey), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := loadKey(good)
	if err != nil || !bytes.Equal(key, testKey) {
		t.Errorf("loadKey = %q, %v; want the file without its newline", key, err)
	}
	if _, err := loadKey(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing key file: err = %v", err)
	}
}
