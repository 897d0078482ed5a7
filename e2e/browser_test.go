// Package e2e drives the counter demo in a real browser: headless Chromium, controlled with
// chromedp, against the compiled demo program running as a separate process, in its default mode
// (server-side sessions: the cookie carries the session id and the user's name) and in cookie
// mode (the counter in the cookie). It is its own module so that chromedp never enters the
// library's go.mod.
package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// counterBin is the demo program, built once by TestMain for every test.
var counterBin string

// stepTimeout bounds every single browser step; browserTimeout bounds a whole browser's life.
// Both are generous: a loaded 2-core machine can take seconds for one navigation.
const (
	stepTimeout    = 30 * time.Second
	browserTimeout = 3 * time.Minute
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "counter-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	counterBin = filepath.Join(dir, "counter")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", counterBin, "./examples/counter")
	build.Dir = root // the demo is a module of its own, which the root's go.work ties in
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the counter demo: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// findChromium returns the browser binary ($CHROMIUM if set, else the first of the usual names),
// or skips the test when there is none. Under CI=true a missing browser is a failure: CI installs
// it, so its absence means the setup is broken.
func findChromium(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
	if env := os.Getenv("CHROMIUM"); env != "" {
		candidates = []string{env} // an explicit choice: do not fall back to another browser
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	// The message is the whole report of the skip (scripts/test.sh prints it on its SKIPPED
	// line): what is missing and how to enable the test.
	msg := "chromium not found (tried " + strings.Join(candidates, ", ") +
		"); install it with 'apt-get install chromium' or set CHROMIUM=/path"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startCounter runs the demo program with args on a free loopback port and returns its base URL.
// The program prints the address it listens on, so the port is chosen by the kernel (-addr :0)
// with no window for another process to take it. Cleanup stops it with SIGTERM and expects a
// clean, prompt exit: that is the program's graceful shutdown.
func startCounter(t *testing.T, args ...string) string {
	t.Helper()
	stack := strings.Join(args, " ")
	cmd := exec.Command(counterBin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("counter (%s) did not exit cleanly on SIGTERM: %v\nstderr:\n%s", stack, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("counter (%s) still running 10s after SIGTERM; killed", stack)
		}
	})

	// Read the startup lines until the listening address appears; keep draining afterwards so
	// the program never blocks on a full pipe.
	addrCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "http://"); !sent && i >= 0 && strings.Contains(line, "listening") {
				addrCh <- strings.TrimSpace(line[i:])
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()

	var base string
	select {
	case base = <-addrCh:
	case <-time.After(20 * time.Second):
		t.Fatalf("counter (%s) printed no listening address within 20s\nstderr:\n%s", stack, stderr.String())
	}

	// Wait until it answers. GET /app does not touch the session, so polling it changes nothing.
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(base + "/app")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("counter (%s) at %s not answering: %v", stack, base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// newBrowser starts headless Chromium with a fresh profile and returns a chromedp context on
// which the browser already runs, so that steps can be bounded by timeouts derived from it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	life, cancelLife := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc() // waits for the browser process to exit, before TempDir is removed
		cancelLife()
	})
	// The first Do starts the browser and binds it to ctx, so it must not carry a step timeout;
	// the browserTimeout above still bounds it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return ctx
}

// do runs browser steps bounded by stepTimeout.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one browser step that returns a value, bounded by stepTimeout.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// pageText navigates to url and returns the text the browser renders for it.
func pageText(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	do(t, ctx, "navigate "+url, chromedp.Navigate(url))
	return strings.TrimSpace(get(t, ctx, "read "+url, chromedp.Text(chromedp.CSS("body"))))
}

// appView is what the /app page displays.
type appView struct{ user, sid, counter, state string }

func readApp(t *testing.T, ctx context.Context, base string) appView {
	t.Helper()
	do(t, ctx, "open /app", chromedp.Navigate(base+"/app"), chromedp.WaitVisible(chromedp.ID("state")))
	return appView{
		user:    get(t, ctx, "read #user", chromedp.Text(chromedp.ID("user"))),
		sid:     get(t, ctx, "read #sid", chromedp.Text(chromedp.ID("sid"))),
		counter: get(t, ctx, "read #counter", chromedp.Text(chromedp.ID("counter"))),
		state:   get(t, ctx, "read #state", chromedp.Text(chromedp.ID("state"))),
	}
}

// login opens /app, submits the page's form (a fetch() POST of its fields) and returns what the
// page then says.
func login(t *testing.T, ctx context.Context, base, password string) string {
	t.Helper()
	do(t, ctx, "log in",
		chromedp.Navigate(base+"/app"),
		chromedp.SendKeys(chromedp.ID("username"), "demo"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-button")),
		chromedp.WaitVisible(chromedp.CSS(`#result[data-status]`)),
	)
	return get(t, ctx, "read login status", chromedp.Text(chromedp.ID("result")))
}

// click opens /app, presses one of its buttons and returns what the page then says. The page is
// opened afresh so that the result waited for is this button's, not an earlier one's.
func click(t *testing.T, ctx context.Context, base, button string) string {
	t.Helper()
	do(t, ctx, "click "+button,
		chromedp.Navigate(base+"/app"),
		chromedp.Click(chromedp.ID(button)),
		chromedp.WaitVisible(chromedp.CSS(`#result[data-status]`)),
	)
	return get(t, ctx, "read the result of "+button, chromedp.Text(chromedp.ID("result")))
}

// countTo visits / n times and expects the counts 1 to n.
func countTo(t *testing.T, ctx context.Context, base string, n int) {
	t.Helper()
	for want := 1; want <= n; want++ {
		got := pageText(t, ctx, base+"/")
		if exp := fmt.Sprintf("Current counter value: %d", want); got != exp {
			t.Fatalf("visit %d of /: got %q, want %q", want, got, exp)
		}
	}
}

// sessionCookie returns the browser's session cookie for base, or nil.
func sessionCookie(t *testing.T, ctx context.Context, base string) *network.Cookie {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(sctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatalf("reading cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "session" {
			return c
		}
	}
	return nil
}

// forge rewrites the payload of a JWT and keeps its header and signature: what an attacker with
// access to the cookie, but not to the key, can do.
func forge(t *testing.T, token string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("session cookie is not a compact JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decoding payload: %v", err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("payload is not a JSON object: %v", err)
	}
	edit(claims)
	raw, err = json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func TestBrowser(t *testing.T) {
	findChromium(t) // skip (or fail under CI) before building anything else
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) { testBrowser(t, stack) })
	}
	t.Run("cookie mode", testCookieMode)
}

// testBrowser runs the demo's default mode: server-side sessions in memory.
func testBrowser(t *testing.T, stack string) {
	base := startCounter(t, "-stack", stack)
	ctx := newBrowser(t)

	// A fresh browser has no session, and opening the page does not create one.
	if v := readApp(t, ctx, base); v.state != "no session" || v.user != "(none)" {
		t.Fatalf("fresh browser: page shows %+v, want no session", v)
	}
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Fatalf("GET /app set a session cookie: %q", c.Value)
	}

	// A wrong password is refused, and leaves no session.
	if s := login(t, ctx, base, "wrong"); s != "login failed (401)" {
		t.Fatalf("wrong password: page says %q, want %q", s, "login failed (401)")
	}
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Fatalf("a failed login set a session cookie: %q", c.Value)
	}

	// Log in through the page's form.
	if s := login(t, ctx, base, "demo"); s != "logged in" {
		t.Fatalf("login: page says %q, want %q", s, "logged in")
	}
	c := sessionCookie(t, ctx, base)
	if c == nil {
		t.Fatal("login set no session cookie")
	}
	if c.HTTPOnly {
		t.Fatal("session cookie is HttpOnly: the page could not read it")
	}

	// The counter lives in the server's store: three visits count 1, 2, 3.
	countTo(t, ctx, base, 3)

	// The page decodes the cookie: the user's name and the session id; the counter is not in it.
	v := readApp(t, ctx, base)
	if v.user != "demo" || v.sid == "(none)" || v.counter != "(kept on the server)" {
		t.Fatalf("/app after login and 3 visits shows %+v, want user demo, a session id and the counter on the server", v)
	}
	warning := get(t, ctx, "read warning", chromedp.Text(chromedp.ID("warning")))
	if !strings.Contains(warning, "cannot check the signature") {
		t.Fatalf("page does not say that it cannot check the signature: %q", warning)
	}

	// Tamper: rewrite the payload in the browser's cookie, keeping the old signature.
	forgeCookie(t, ctx, base, func(m map[string]any) { m["sub"] = "admin" })

	// The server does not believe it: / starts over from a fresh session without a user.
	if got := pageText(t, ctx, base+"/"); got != "Current counter value: 1" {
		t.Fatalf("/ with a forged cookie: got %q, want a fresh session (counter 1)", got)
	}
	if v := readApp(t, ctx, base); v.user != "(none)" || v.sid == "(none)" || v.sid == "" {
		t.Fatalf("/app after the forged cookie was replaced shows %+v, want no user and a new session id", v)
	}

	// Log in again, then log out through the page: the cookie is gone.
	if s := login(t, ctx, base, "demo"); s != "logged in" {
		t.Fatalf("second login: page says %q", s)
	}
	if s := click(t, ctx, base, "logout-button"); s != "logged out" {
		t.Fatalf("logout: page says %q", s)
	}
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Fatalf("session cookie still present after logout: %q", c.Value)
	}
	if v := readApp(t, ctx, base); v.state != "no session" {
		t.Fatalf("/app after logout shows %+v, want no session", v)
	}

	// Log in once more, and log out everywhere through the page.
	if s := login(t, ctx, base, "demo"); s != "logged in" {
		t.Fatalf("third login: page says %q", s)
	}
	if s := click(t, ctx, base, "everywhere-button"); s != "logged out everywhere" {
		t.Fatalf("log out everywhere: page says %q", s)
	}
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Fatalf("session cookie still present after logging out everywhere: %q", c.Value)
	}
}

// testCookieMode runs the demo with -mode cookie: the counter is in the cookie, and the page
// shows it.
func testCookieMode(t *testing.T) {
	base := startCounter(t, "-mode", "cookie")
	ctx := newBrowser(t)
	if s := login(t, ctx, base, "demo"); s != "logged in" {
		t.Fatalf("login: page says %q, want %q", s, "logged in")
	}
	countTo(t, ctx, base, 3)
	if v := readApp(t, ctx, base); v.user != "demo" || v.counter != "3" || v.sid != "(none)" {
		t.Fatalf("/app after login and 3 visits shows %+v, want user demo, counter 3 and no session id", v)
	}
	forgeCookie(t, ctx, base, func(m map[string]any) { m["counter"] = 99 })
	if got := pageText(t, ctx, base+"/"); got != "Current counter value: 1" {
		t.Fatalf("/ with a forged cookie: got %q, want a fresh session (counter 1)", got)
	}
	if v := readApp(t, ctx, base); v.user != "(none)" || v.counter != "1" {
		t.Fatalf("/app after the forged cookie was replaced shows %+v, want no user and counter 1", v)
	}
}

// forgeCookie rewrites the payload of the browser's session cookie with edit, keeping the old
// signature, and checks that the browser took it.
func forgeCookie(t *testing.T, ctx context.Context, base string, edit func(map[string]any)) {
	t.Helper()
	c := sessionCookie(t, ctx, base)
	if c == nil {
		t.Fatal("no session cookie to forge")
	}
	forged := forge(t, c.Value, edit)
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	_, err := chromedp.Call(sctx, network.SetCookie, network.SetCookieParams{
		Name: "session", Value: forged, URL: base + "/", Path: "/",
	})
	cancel()
	if err != nil {
		t.Fatalf("setting the forged cookie: %v", err)
	}
	if got := sessionCookie(t, ctx, base); got == nil || got.Value != forged {
		t.Fatal("the browser did not take the forged cookie")
	}
}
