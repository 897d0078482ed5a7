package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Two processes of the demo, started with the same secret and -redis on one redis-server, are
// one site: a browser's count goes on from one to the other, a login on one is a login on both,
// and a logout or a log-out-everywhere on one is seen by the other. Each stack runs its own pair
// on its own redis-server, so that one's log-out-everywhere does not reach the other's user.
func TestTwoProcessesShareRedis(t *testing.T) {
	if redisBin != "" {
		needDemoBinary(t) // once, before the subtests run side by side
	}
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel() // each waits for a new second: see nextSecond
			srv := needRedis(t)
			args := []string{"-stack", stack, "-redis", srv.Addr(), "-user", "demo", "-password", "demo"}
			a, b := startProcess(t, args...), startProcess(t, args...)

			// The count goes on across the processes.
			x := newClient(t, a)
			x.expectCounter("1")
			x.on(b).expectCounter("2")
			x.expectCounter("3")
			if p := payload(t, x.sessionCookie()); p["counter"] != nil || p["sid"] == nil {
				t.Fatalf("cookie payload %v, want a session id and the counter in Redis", p)
			}

			// A login on b: a new session id, the data kept, the old id refused on a.
			before := x.sessionCookie()
			token := x.on(b).login()
			if p := payload(t, x.sessionCookie()); p["sub"] != "demo" || p["sid"] == payload(t, before)["sid"] {
				t.Fatalf("cookie payload after login %v, want sub demo and a new session id", p)
			}
			x.expectCounter("4")
			if resp, body := withCookie(t, a, "/", before); body != "Current counter value: 1\n" {
				t.Fatalf("the pre-login cookie on the other process: %d %q, want a fresh session", resp.StatusCode, body)
			}
			if resp, body := withToken(t, "GET", a, "/api/me", token); resp.StatusCode != 200 || !strings.Contains(body, `"sub":"demo"`) {
				t.Fatalf("the token on the other process: %d %q", resp.StatusCode, body)
			}

			// A logout on a: the cookie and the token are refused on b.
			old := x.sessionCookie()
			if resp, _ := x.do("POST", "/logout", "", ""); resp.StatusCode != 204 || x.sessionCookie() != "" {
				t.Fatalf("POST /logout: %d, cookie left %q", resp.StatusCode, x.sessionCookie())
			}
			eventually(t, "the other process refuses the logged-out cookie and token", func() string {
				return loggedOut(t, b, old, token)
			})

			testLogoutEverywhere(t, a, b)
		})
	}
}

// When Redis stops, both processes answer 503 with Retry-After (never a fresh session, never a
// token taken as valid) to every request that needs it (a browser's first GET / does not), and
// they recover by themselves, without a restart, once redis-server
// is back on the same port. The server runs without persistence, so what it held is gone: the
// count starts over, and goes on across the processes.
func TestRedisDownThenBack(t *testing.T) {
	srv := needRedis(t)
	a := startProcess(t, "-stack", "fasthttp", "-redis", srv.Addr())
	b := startProcess(t, "-stack", "nethttp", "-redis", srv.Addr())
	x := newClient(t, a)
	x.expectCounter("1")
	x.on(b).expectCounter("2")
	token := x.login()

	srv.Kill()
	for _, base := range []string{a, b} {
		expect503 := func(what string, resp *http.Response, body string) {
			t.Helper()
			if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s on %s with Redis down: %d %q, Retry-After %q; want 503 and Retry-After",
					what, base, resp.StatusCode, body, resp.Header.Get("Retry-After"))
			}
			for _, ck := range resp.Cookies() {
				t.Errorf("%s on %s with Redis down set a cookie: %s", what, base, ck)
			}
		}
		resp, body := x.on(base).do("GET", "/", "", "")
		expect503("GET / with a session", resp, body)
		// A browser's first request creates its session in the store too (every session id
		// is there, so that logout is final): it needs Redis.
		resp, body = newClient(t, base).do("GET", "/", "", "")
		expect503("GET / of a new browser", resp, body)
		resp, body = newClient(t, base).do("POST", "/login", "application/json", `{"username":"demo","password":"demo"}`)
		expect503("POST /login", resp, body)
		resp, body = withToken(t, "GET", base, "/api/me", token)
		expect503("GET /api/me", resp, body)
		resp, body = x.on(base).do("POST", "/logout", "", "")
		expect503("POST /logout", resp, body)
	}
	if x.sessionCookie() == "" {
		t.Fatal("the browser lost its cookie while Redis was down")
	}

	restarted := false
	for i := 0; i < 5 && !restarted; i++ { // the port may be taken meanwhile, if rarely
		if err := srv.Restart(); err == nil {
			restarted = true
		} else {
			t.Log(err)
		}
	}
	if !restarted {
		t.Fatalf("could not restart redis-server on port %d", srv.Port)
	}
	var n int
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, body := x.do("GET", "/", "", "")
		if resp.StatusCode == 200 {
			v, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(body, "Current counter value: ")))
			if err != nil {
				t.Fatalf("GET / after the restart: %q", body)
			}
			n = v
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery within 10s of Redis's restart: %d %q", resp.StatusCode, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	x.on(b).expectCounter(strconv.Itoa(n + 1))
	x.expectCounter(strconv.Itoa(n + 2))
	if resp, body := withToken(t, "GET", b, "/api/me", token); resp.StatusCode != 200 {
		t.Fatalf("GET /api/me after the restart: %d %q", resp.StatusCode, body)
	}
	newClient(t, b).expectCounter("1")
}

// In cookie mode with -redis, the count travels in the cookie, and the revocation list is in
// Redis: a logout on one process is seen by the other, which refuses the old cookie and token.
func TestCookieModeSharesRevocations(t *testing.T) {
	srv := needRedis(t)
	args := []string{"-mode", "cookie", "-redis", srv.Addr()}
	a, b := startProcess(t, append(args, "-stack", "fasthttp")...), startProcess(t, append(args, "-stack", "nethttp")...)
	x := newClient(t, a)
	token := x.login()
	x.expectCounter("1")
	x.on(b).expectCounter("2")
	if p := payload(t, x.sessionCookie()); p["counter"] != 2.0 || p["sub"] != "demo" {
		t.Fatalf("cookie payload %v, want counter 2 and sub demo", p)
	}
	old := x.sessionCookie()
	if resp, _ := x.do("POST", "/logout", "", ""); resp.StatusCode != 204 {
		t.Fatalf("POST /logout: %d", resp.StatusCode)
	}
	eventually(t, "the other process refuses the logged-out cookie and token", func() string {
		return loggedOut(t, b, old, token)
	})
}
