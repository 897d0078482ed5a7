package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The README's complete examples are the programs in examples/minimal-*, which the build
// compiles: the README must quote them verbatim (after their first comment line).
func TestReadmeQuotesExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"examples/minimal-fasthttp/main.go", "examples/minimal-nethttp/main.go",
		"examples/issuing-fasthttp/main.go", "examples/issuing-nethttp/main.go"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, program, _ := strings.Cut(string(src), "\n\n") // drop the comment naming the README
		if !strings.Contains(string(readme), "```go\n"+program+"```") {
			t.Errorf("README.md does not quote %s as it is", path)
		}
	}
}

const readmeSecret = "a 32-byte or longer secret key!!"

// programs holds the README's programs, built once per test binary.
var programs struct {
	sync.Mutex
	dir string
	bin map[string]string
}

// build builds the program in dir (once) and returns the path of its binary.
func build(t *testing.T, dir string) string {
	t.Helper()
	programs.Lock()
	defer programs.Unlock()
	if bin, ok := programs.bin[dir]; ok {
		return bin
	}
	if programs.bin == nil {
		d, err := os.MkdirTemp("", "readme-programs")
		if err != nil {
			t.Fatal(err)
		}
		programs.dir, programs.bin = d, map[string]string{}
	}
	bin := filepath.Join(programs.dir, filepath.Base(dir))
	if out, err := exec.Command("go", "build", "-o", bin, "./"+dir).CombinedOutput(); err != nil {
		t.Fatalf("go build ./%s: %v\n%s", dir, err, out)
	}
	programs.bin[dir] = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if programs.dir != "" {
		os.RemoveAll(programs.dir)
	}
	os.Exit(code)
}

// program starts one of the README's programs on a free loopback port with env and returns the
// base URL. The program is killed when the test ends.
func program(t *testing.T, dir string, env ...string) string {
	t.Helper()
	bin := build(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), append(env, "ADDR="+addr)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s said:\n%s", dir, stderr.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %v\n%s", dir, addr, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fetch(t *testing.T, c *http.Client, method, url, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// sessionCookie returns the value of the session cookie a response sets, or "".
func sessionCookie(h http.Header) string {
	for _, sc := range h.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "session="); ok {
			v, _, _ = strings.Cut(v, ";")
			return v
		}
	}
	return ""
}

// Each program the README shows runs and does what the README says, on both stacks: a page
// that needs the session answers 401 before the login and greets the user after it; a wrong
// password and a cross-site login are refused and set no cookie; after the logout, a copy of
// the cookie taken before it is worth nothing; the bearer route answers 401 without a token,
// 200 with one minted by the README's command (Bearer and JWT schemes), 403 for another
// audience, and 401 for the session cookie's token (another purpose).
func TestReadmeProgramsRun(t *testing.T) {
	for _, dir := range []string{"examples/minimal-fasthttp", "examples/minimal-nethttp"} {
		t.Run(dir, func(t *testing.T) {
			base := program(t, dir, "SESSION_SECRET="+readmeSecret, "PASSWORD=secret")
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
			if status, _, body := fetch(t, c, "GET", base+"/", ""); status != 401 || body != "log in first\n" {
				t.Errorf("before the login: %d %q", status, body)
			}
			if status, h, _ := fetch(t, c, "POST", base+"/login", "user=alice&password=wrong"); status != 401 || sessionCookie(h) != "" {
				t.Errorf("a wrong password: %d, cookie %q", status, sessionCookie(h))
			}
			if status, h, _ := fetch(t, c, "POST", base+"/login", "user=alice&password=secret", "Sec-Fetch-Site", "cross-site"); status != 403 || sessionCookie(h) != "" {
				t.Errorf("a cross-site login: %d, cookie %q; want 403 and none", status, sessionCookie(h))
			}
			if status, h, _ := fetch(t, c, "POST", base+"/login", "user=alice&password=secret", "Origin", "https://evil.example"); status != 403 || sessionCookie(h) != "" {
				t.Errorf("a login from another origin: %d, cookie %q; want 403 and none", status, sessionCookie(h))
			}
			status, h, body := fetch(t, c, "POST", base+"/login", "user=alice&password=secret", "Sec-Fetch-Site", "same-origin")
			cookie := sessionCookie(h)
			if status != 200 || body != "logged in as alice\n" || cookie == "" {
				t.Fatalf("the login: %d %q, cookie %q", status, body, cookie)
			}
			if status, _, body := fetch(t, c, "GET", base+"/", ""); status != 200 || body != "Hello, alice\n" {
				t.Errorf("after the login: %d %q", status, body)
			}
			if status, _, body := fetch(t, c, "POST", base+"/logout", ""); status != 200 || body != "logged out\n" {
				t.Errorf("the logout: %d %q", status, body)
			}
			plain := &http.Client{Timeout: 10 * time.Second}
			if status, _, body := fetch(t, plain, "GET", base+"/", "", "Cookie", "session="+cookie); status != 401 {
				t.Errorf("a copy of the cookie after the logout: %d %q, want 401", status, body)
			}

			if status, h, _ := fetch(t, plain, "GET", base+"/api/me", ""); status != 401 || h.Get("WWW-Authenticate") != `Bearer realm="api"` {
				t.Errorf("no token: %d %q", status, h.Get("WWW-Authenticate"))
			}
			payload := fmt.Sprintf(`{"sub":"alice","aud":"api","exp":%d}`, time.Now().Add(time.Hour).Unix())
			tok := mintWithCLI(t, payload)
			for _, scheme := range []string{"Bearer ", "JWT "} {
				status, _, body := fetch(t, plain, "GET", base+"/api/me", "", "Authorization", scheme+tok)
				if status != 200 || body != payload {
					t.Errorf("%stoken: %d %q", scheme, status, body)
				}
			}
			codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(readmeSecret)}})
			other, _ := codec.AppendSign(nil, []byte(`{"sub":"alice","aud":"other"}`))
			if status, _, _ := fetch(t, plain, "GET", base+"/api/me", "", "Authorization", "Bearer "+string(other)); status != 403 {
				t.Errorf("token for another audience: %d, want 403", status)
			}
			// Typed "session+jwt": another purpose, which is 401 invalid_token whatever the
			// audience (403 is for an access token's scope).
			if status, h, _ := fetch(t, plain, "GET", base+"/api/me", "", "Authorization", "Bearer "+cookie); status != 401 ||
				!strings.Contains(h.Get("WWW-Authenticate"), `error_description="the token is not valid for this purpose"`) {
				t.Errorf("the session cookie's token as a bearer token: %d %q, want 401 for another purpose", status, h.Get("WWW-Authenticate"))
			}
		})
	}
}

// mintWithCLI signs payload as the README's command does: fastjwt sign with the secret from
// SESSION_SECRET.
func mintWithCLI(t *testing.T, payload string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./cmd/fastjwt", "sign", "--key-env", "SESSION_SECRET")
	cmd.Env = append(os.Environ(), "SESSION_SECRET="+readmeSecret)
	cmd.Stdin = strings.NewReader(payload)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fastjwt sign: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func TestReadmeProgramsNameTheirVariable(t *testing.T) {
	for _, dir := range []string{"examples/minimal-fasthttp", "examples/minimal-nethttp", "examples/issuing-fasthttp", "examples/issuing-nethttp"} {
		cmd := exec.Command(build(t, dir))
		cmd.Env = append(os.Environ(), "SESSION_SECRET=")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "set SESSION_SECRET (32 bytes or more) and PASSWORD") {
			t.Errorf("%s without SESSION_SECRET: %v\n%s", dir, err, out)
		}
	}
}

// tokenAnswer is the JSON answer of the token endpoints.
type tokenAnswer struct {
	Access  string `json:"access_token"`
	Type    string `json:"token_type"`
	Expires int    `json:"expires_in"`
	Refresh string `json:"refresh_token"`
	Error   string `json:"error"`
}

func tokenCall(t *testing.T, c *http.Client, url, contentType, body string) (int, tokenAnswer) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var a tokenAnswer
	if err := json.Unmarshal(b, &a); err != nil || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST %s: %d %s (%v), Cache-Control %q", url, res.StatusCode, b, err, res.Header.Get("Cache-Control"))
	}
	return res.StatusCode, a
}

// The README's issuing programs, on both stacks: a login (JSON or form) gives a pair; the access
// token opens the API with both schemes and carries the callback's claims; a refresh rotates,
// and its retry inside the grace window gets the same pair; a logout (revoking the refresh
// token) ends the family, its access tokens included; wrong credentials are invalid_grant; a
// refresh token is refused by the API.
func TestReadmeIssuingProgramsRun(t *testing.T) {
	for _, dir := range []string{"examples/issuing-fasthttp", "examples/issuing-nethttp"} {
		t.Run(dir, func(t *testing.T) {
			base := program(t, dir, "SESSION_SECRET="+readmeSecret, "PASSWORD=secret")
			c := &http.Client{Timeout: 10 * time.Second}
			const form = "application/x-www-form-urlencoded"
			if st, a := tokenCall(t, c, base+"/token", "application/json", `{"username":"alice","password":"wrong"}`); st != 400 || a.Error != "invalid_grant" {
				t.Errorf("wrong password: %d %+v", st, a)
			}
			st, first := tokenCall(t, c, base+"/token", "application/json", `{"username":"alice","password":"secret"}`)
			if st != 200 || first.Type != "Bearer" || first.Expires != 900 || first.Access == "" || first.Refresh == "" {
				t.Fatalf("login: %d %+v", st, first)
			}
			if st, a := tokenCall(t, c, base+"/token", form, "username=alice&password=secret"); st != 200 || a.Access == "" {
				t.Errorf("login with a form: %d %+v", st, a)
			}
			for _, scheme := range []string{"Bearer ", "JWT "} {
				status, _, body := fetch(t, c, "GET", base+"/api/me", "", "Authorization", scheme+first.Access)
				if status != 200 || !strings.Contains(body, `"sub":"alice"`) || !strings.Contains(body, `"role":"user"`) {
					t.Errorf("the API with %q: %d %s", scheme, status, body)
				}
			}
			if status, _, _ := fetch(t, c, "GET", base+"/api/me", "", "Authorization", "Bearer "+first.Refresh); status != 401 {
				t.Errorf("a refresh token at the API: %d, want 401", status)
			}
			st, next := tokenCall(t, c, base+"/token/refresh", form, "refresh_token="+first.Refresh)
			if st != 200 || next.Refresh == first.Refresh || next.Access == "" {
				t.Fatalf("refresh: %d %+v", st, next)
			}
			if st, again := tokenCall(t, c, base+"/token/refresh", form, "refresh_token="+first.Refresh); st != 200 || again.Access != next.Access || again.Refresh != next.Refresh {
				t.Errorf("a retry inside the window: %d %+v, want the same pair", st, again)
			}
			req, _ := http.NewRequest("POST", base+"/token/revoke", strings.NewReader("token="+next.Refresh))
			req.Header.Set("Content-Type", form)
			if res, err := c.Do(req); err != nil || res.StatusCode != 200 {
				t.Fatalf("logout: %v %v", res, err)
			} else {
				res.Body.Close()
			}
			if st, a := tokenCall(t, c, base+"/token/refresh", form, "refresh_token="+next.Refresh); st != 400 || a.Error != "invalid_grant" {
				t.Errorf("refresh after the logout: %d %+v", st, a)
			}
			for _, tok := range []string{first.Access, next.Access} {
				if status, _, _ := fetch(t, c, "GET", base+"/api/me", "", "Authorization", "Bearer "+tok); status != 401 {
					t.Errorf("an access token after the logout: %d, want 401", status)
				}
			}
		})
	}
}
