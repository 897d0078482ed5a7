package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/internal/redistest"
	"github.com/fastjwt/session/redisstore"
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

			testTokensAcrossProcesses(t, a, b)
			testLogoutEverywhere(t, a, b)
		})
	}
}

// testTokensAcrossProcesses: the refresh-token families are in Redis, so a token obtained on a
// is refreshed on b; a retry of it on a, inside the grace window, gets the same pair; the
// successor's access token works on both; a reuse of the first, replaced, refresh token after
// the successor was itself rotated ends the family on both processes.
func testTokensAcrossProcesses(t *testing.T, a, b string) {
	x := newClient(t, a)
	first := x.obtain()
	st, next := x.on(b).refreshToken(first.Refresh)
	if st != 200 || next.Refresh == "" || next.Refresh == first.Refresh {
		t.Fatalf("refresh on the other process: %d %+v", st, next)
	}
	if st, again := x.on(a).refreshToken(first.Refresh); st != 200 || again.Access != next.Access || again.Refresh != next.Refresh {
		t.Fatalf("a retry on the first process inside the window: %d %+v, want %+v", st, again, next)
	}
	for _, base := range []string{a, b} {
		if st := x.on(base).me("Bearer", next.Access); st != 200 {
			t.Fatalf("the successor's access token on %s: %d", base, st)
		}
	}
	if st, third := x.on(a).refreshToken(next.Refresh); st != 200 || third.Refresh == next.Refresh {
		t.Fatalf("the second rotation: %d %+v", st, third)
	}
	if st, p := x.on(b).refreshToken(first.Refresh); st != 400 || p.Error != "invalid_grant" {
		t.Fatalf("a reuse of a token replaced two rotations ago: %d %+v, want 400 invalid_grant", st, p)
	}
	// The process that ended the family refuses its access tokens at once; the other as soon
	// as Redis has invalidated its client-side cache.
	if st := x.on(b).me("Bearer", next.Access); st != 401 {
		t.Fatalf("an access token of the ended family on the process that ended it: %d, want 401", st)
	}
	eventually(t, "the other process refuses the ended family's access token", func() string {
		if st := x.on(a).me("Bearer", next.Access); st != 401 {
			return fmt.Sprintf("status %d, want 401", st)
		}
		return ""
	})
}

// When Redis stops, both processes answer 503 with Retry-After (never a fresh session, never a
// token taken as valid). The server runs without persistence, so when it is back on the same
// port what it held is gone, revocations included: both processes go on answering 503 (the
// revocation list lost its data) until an operator re-arms the list (fastjwt recover, here
// List.Recover), without a restart of the processes; then the tokens issued before are refused,
// and the count starts over, going on across the processes.
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
	// Redis is back, empty: still 503, however long it is given.
	time.Sleep(500 * time.Millisecond)
	for _, base := range []string{a, b} {
		if resp, body := x.on(base).do("GET", "/", "", ""); resp.StatusCode != 503 {
			t.Errorf("GET / on %s with Redis back empty: %d %q, want 503", base, resp.StatusCode, body)
		}
		if resp, body := withToken(t, "GET", base, "/api/me", token); resp.StatusCode != 503 {
			t.Errorf("GET /api/me on %s with Redis back empty: %d %q, want 503", base, resp.StatusCode, body)
		}
	}
	r, err := redisstore.Dial(redisstore.Options{Addrs: []string{srv.Addr()}, Prefix: redisPrefix})
	if err != nil {
		t.Fatal(err)
	}
	err = r.List().Recover(context.Background(), time.Now().Add(sessionLifetime))
	r.Close()
	if err != nil {
		t.Fatal(err)
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
	eventually(t, "the other process accepts the recovery", func() string {
		if resp, body := withToken(t, "GET", b, "/api/me", token); resp.StatusCode != 401 {
			return fmt.Sprintf("GET /api/me with a token issued before the recovery: %d %q, want 401", resp.StatusCode, body)
		}
		return ""
	})
	newClient(t, b).expectCounter("1")
}

// With -redis-revocations the list has a Redis of its own: the sessions' Redis may evict
// (allkeys-lru) while a log-out-everywhere still reaches the other process; -redis alone on an
// evicting Redis is refused at start, naming the policy.
func TestSeparateRevocationRedis(t *testing.T) {
	if redisBin == "" {
		t.Skip(noRedis)
	}
	sessions, err := redistest.StartWith(redisBin, 0, t.TempDir(), "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sessions.Kill)
	revocations := needRedis(t)

	cmd := exec.Command(needDemoBinary(t), "-addr", "127.0.0.1:0", "-redis", sessions.Addr())
	cmd.Env = append(os.Environ(), secretEnv+"="+string(testKey))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "counter: -redis: redisstore: the revocation list's Redis may evict revocations") ||
		!strings.Contains(string(out), "(it is allkeys-lru); give the revocation list a Redis of its own with -redis-revocations") {
		t.Fatalf("-redis on an evicting Redis: %v: %s", err, out)
	}

	args := []string{"-redis", sessions.Addr(), "-redis-revocations", revocations.Addr()}
	a, b := startProcess(t, append(args, "-stack", "fasthttp")...), startProcess(t, append(args, "-stack", "nethttp")...)
	x := newClient(t, a)
	x.expectCounter("1")
	x.on(b).expectCounter("2")
	token := x.login()
	if got := redisKeys(t, sessions.Addr(), "counter:revoked:*"); got != 0 {
		t.Errorf("%d revocation keys in the sessions' Redis", got)
	}
	old := x.sessionCookie()
	if resp, _ := x.do("POST", "/logout-everywhere", "", ""); resp.StatusCode != 204 {
		t.Fatalf("POST /logout-everywhere: %d", resp.StatusCode)
	}
	eventually(t, "the other process refuses the logged-out cookie and token", func() string {
		return loggedOut(t, b, old, token)
	})
	if got := redisKeys(t, revocations.Addr(), "counter:{sess:*"); got != 0 {
		t.Errorf("%d session keys in the list's Redis", got)
	}
}

// redisKeys counts the keys matching pattern on the Redis at addr.
func redisKeys(t *testing.T, addr, pattern string) int {
	t.Helper()
	r, err := redisstore.Dial(redisstore.Options{Addrs: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := r.Client()
	keys, err := c.Do(context.Background(), c.B().Keys().Pattern(pattern).Build()).AsStrSlice()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
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
