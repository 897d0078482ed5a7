package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/redistest"
	"github.com/fastjwt/session/redisstore"
)

// The gateway command as it runs: the binary is built once, started on a free loopback port
// (read from its "listening" line), asked over HTTP, signalled, and its exit status and logs
// checked.

// gatewayBinary builds the command into a directory of t (the test that holds the subtests).
func gatewayBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found:", err)
	}
	bin := filepath.Join(t.TempDir(), "fastjwt")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// gatewayProc is a running gateway.
type gatewayProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string // host:port it listens on
	done chan struct{}
	err  error // of Wait, once done is closed

	admin string // host:port of its admin listener

	mu   sync.Mutex
	logs []string // lines of standard error
	more chan struct{}
}

// startGateway starts bin gateway with args and env (added to a minimal environment) and waits
// for its "listening" line. The process is killed at the end of the test if still running.
func startGateway(t *testing.T, bin string, env []string, args ...string) *gatewayProc {
	t.Helper()
	p := &gatewayProc{t: t, done: make(chan struct{}), more: make(chan struct{}, 1)}
	p.cmd = exec.Command(bin, append([]string{"gateway", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs = append(p.logs, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	line := p.waitLog("listening", 0, 20*time.Second)
	var l struct{ Addr, Admin string }
	if err := json.Unmarshal([]byte(line), &l); err != nil || l.Addr == "" || l.Admin == "" {
		t.Fatalf("listening line %q: %v", line, err)
	}
	p.addr, p.admin = l.Addr, l.Admin
	return p
}

// waitLog waits for a log line from index from on whose "msg" is msg, and returns it.
func (p *gatewayProc) waitLog(msg string, from int, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		for _, line := range p.logs[min(from, len(p.logs)):] {
			var l struct{ Msg string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == msg {
				p.mu.Unlock()
				return line
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-p.done:
			p.t.Fatalf("the gateway exited (%v) before logging %q:\n%s", p.err, msg, p.allLogs())
		case <-deadline:
			p.t.Fatalf("no %q log line within %v:\n%s", msg, timeout, p.allLogs())
		}
	}
}

// logCount is the number of log lines so far, for waitLog's from.
func (p *gatewayProc) logCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.logs)
}

func (p *gatewayProc) allLogs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

// signal sends sig to the gateway (by its PID).
func (p *gatewayProc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// reload sends SIGHUP and waits for the outcome: "reloaded" or "reload failed"; it returns the
// line.
func (p *gatewayProc) reload() string {
	p.t.Helper()
	from := p.logCount()
	p.signal(syscall.SIGHUP)
	deadline := time.After(20 * time.Second)
	for {
		p.mu.Lock()
		for _, line := range p.logs[min(from, len(p.logs)):] {
			var l struct{ Msg string }
			if json.Unmarshal([]byte(line), &l) == nil && (l.Msg == "reloaded" || strings.HasPrefix(l.Msg, "reload failed")) {
				p.mu.Unlock()
				return line
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-p.done:
			p.t.Fatalf("the gateway exited (%v) on SIGHUP:\n%s", p.err, p.allLogs())
		case <-deadline:
			p.t.Fatalf("no outcome of SIGHUP within 20s:\n%s", p.allLogs())
		}
	}
}

// stop sends sig and checks that the gateway exits 0 after logging "stopped".
func (p *gatewayProc) stop(sig os.Signal) {
	p.t.Helper()
	p.signal(sig)
	p.wait()
}

// wait checks that the gateway exits 0, within 20s, after logging "stopped".
func (p *gatewayProc) wait() {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.t.Fatalf("the gateway did not exit within 20s:\n%s", p.allLogs())
	}
	if p.err != nil {
		p.t.Fatalf("exit: %v\n%s", p.err, p.allLogs())
	}
	p.waitLog("stopped", 0, time.Second)
}

// get asks the gateway for path with the headers given as name, value pairs.
func (p *gatewayProc) get(path string, header ...string) *http.Response {
	p.t.Helper()
	return p.getFrom(p.addr, path, header...)
}

// getAdmin is get on the admin listener.
func (p *gatewayProc) getAdmin(path string) *http.Response {
	p.t.Helper()
	return p.getFrom(p.admin, path)
}

func (p *gatewayProc) getFrom(addr, path string, header ...string) *http.Response {
	p.t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

// status asks /auth with the token (none if "") and returns the status code.
func (p *gatewayProc) status(token string, header ...string) int {
	p.t.Helper()
	if token != "" {
		header = append(header, "Authorization", "Bearer "+token)
	}
	return p.get("/auth", header...).StatusCode
}

func bodyOf(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// hs256Token signs claims (with an exp an hour ahead added) with secret.
func hs256Token(t *testing.T, secret, claims string) string {
	t.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(secret)}})
	if err != nil {
		t.Fatal(err)
	}
	payload := fmt.Sprintf(`{%s,"exp":%d}`, claims, time.Now().Add(time.Hour).Unix())
	tok, err := c.AppendSign(nil, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// accessToken signs claims (with an exp an hour ahead added) with secret as an RFC 9068 access
// token ("typ":"at+jwt").
func accessToken(t *testing.T, secret, claims string) string {
	t.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(secret)}})
	if err != nil {
		t.Fatal(err)
	}
	payload := fmt.Sprintf(`{%s,"exp":%d}`, claims, time.Now().Add(time.Hour).Unix())
	tok, err := c.AppendSignType(nil, fastjwt.TypeAccess, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// keepAlive is one client connection, kept open across requests.
type keepAlive struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialKeepAlive(t *testing.T, addr string) *keepAlive {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &keepAlive{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// auth sends GET /auth with the token on the connection and returns the status.
func (k *keepAlive) auth(token string) int {
	k.t.Helper()
	_ = k.conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /auth HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + token + "\r\n\r\n"
	if _, err := io.WriteString(k.conn, req); err != nil {
		k.t.Fatalf("the kept-alive connection: %v", err)
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		k.t.Fatalf("the kept-alive connection: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		k.t.Fatalf("the gateway closes the kept-alive connection")
	}
	return resp.StatusCode
}

// checkNoSecrets fails if a log line holds one of the secrets or tokens, or any part of a
// token long enough to identify it.
func checkNoSecrets(t *testing.T, logs string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		parts := []string{s}
		if strings.Count(s, ".") == 2 {
			parts = strings.Split(s, ".")
		}
		for _, part := range parts {
			if len(part) >= 8 && strings.Contains(logs, part) {
				t.Errorf("the logs hold a secret or a token's part %q:\n%s", part, logs)
			}
		}
	}
}

func writeFile600(t *testing.T, path, text string) {
	t.Helper()
	// Written aside and renamed, as a deployment tool does, so a reload never reads half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// startRedis starts redis-server on a free loopback port without persistence, with extra
// arguments of redis-server; it is killed (by its PID) at the end of the test. Without the
// program the test skips, saying how to enable it; under CI=true it fails.
func startRedis(t *testing.T, args ...string) *redistest.Server {
	t.Helper()
	bin := redistest.Binary()
	if bin == "" {
		const why = redistest.Missing + " to run the gateway's Redis test"
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: it must run)")
		}
		t.Skip("*** SKIPPED: " + why + " ***")
	}
	r, err := redistest.StartWith(bin, 0, t.TempDir(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Kill)
	return r
}

func TestGatewayBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := gatewayBinary(t)
	const secret1 = "first-secret-0123456789abcdefghij"
	const secret2 = "second-secret-0123456789abcdefghi"

	// Flags only, the secret in the environment: verdicts, claim headers, the admin endpoints;
	// the logs (at debug level, every decision) hold no secret and no token; SIGTERM exits 0.
	t.Run("flags", func(t *testing.T) {
		t.Parallel()
		p := startGateway(t, bin, []string{"GW_SECRET=" + secret1}, "--key-env", "GW_SECRET",
			"--claim-header", "sub=X-User", "--claim-header", "role=X-Role", "--log-level", "debug")
		good := hs256Token(t, secret1, `"sub":"alice","jti":"j-1"`)
		forged := hs256Token(t, secret2, `"sub":"mallory"`)
		resp := p.get("/auth", "Authorization", "Bearer "+good, "X-User", "mallory")
		if resp.StatusCode != 200 || resp.Header.Get("X-User") != "alice" || resp.Header.Values("X-Role") == nil || resp.Header.Get("X-Role") != "" {
			t.Errorf("valid token: %d, X-User %q, X-Role %q", resp.StatusCode, resp.Header.Get("X-User"), resp.Header.Values("X-Role"))
		}
		resp = p.get("/auth", "Authorization", "Bearer "+forged)
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="api", error="invalid_token"`) {
			t.Errorf("forged token: %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if got := p.status(""); got != 401 {
			t.Errorf("no token: %d", got)
		}
		if resp := p.getAdmin("/healthz"); resp.StatusCode != 200 {
			t.Errorf("/healthz: %d %q", resp.StatusCode, bodyOf(resp))
		}
		if resp := p.get("/healthz"); resp.StatusCode != 404 {
			t.Errorf("/healthz on the public listener: %d %q", resp.StatusCode, bodyOf(resp))
		}
		if resp := p.getAdmin("/readyz"); resp.StatusCode != 200 {
			t.Errorf("/readyz: %d %q", resp.StatusCode, bodyOf(resp))
		}
		if resp := p.getAdmin("/metrics"); resp.StatusCode != 200 || !strings.Contains(bodyOf(resp), "# TYPE ") {
			t.Errorf("/metrics: %d", resp.StatusCode)
		}
		p.stop(syscall.SIGTERM)
		checkNoSecrets(t, p.allLogs(), secret1, secret2, good, forged)
	})

	// SIGHUP with a new key file: the old key's tokens are refused, the new one's accepted, on a
	// connection kept alive across the reload.
	t.Run("reload key", func(t *testing.T) {
		t.Parallel()
		keyFile := filepath.Join(t.TempDir(), "key")
		writeFile600(t, keyFile, secret1+"\n")
		p := startGateway(t, bin, nil, "--key-file", keyFile)
		old := hs256Token(t, secret1, `"sub":"alice"`)
		rotated := hs256Token(t, secret2, `"sub":"alice"`)
		conn := dialKeepAlive(t, p.addr)
		if a, b := conn.auth(old), conn.auth(rotated); a != 200 || b != 401 {
			t.Fatalf("before the reload: old key %d, new key %d", a, b)
		}
		writeFile600(t, keyFile, secret2+"\n")
		if line := p.reload(); !strings.Contains(line, `"msg":"reloaded"`) {
			t.Fatalf("SIGHUP: %s", line)
		}
		if a, b := conn.auth(old), conn.auth(rotated); a != 401 || b != 200 {
			t.Errorf("after the reload, same connection: old key %d, new key %d", a, b)
		}
		if a, b := p.status(old), p.status(rotated); a != 401 || b != 200 {
			t.Errorf("after the reload, new connection: old key %d, new key %d", a, b)
		}
		// A key file that became unreadable: the error is logged, the key in use kept.
		if err := os.Remove(keyFile); err != nil {
			t.Fatal(err)
		}
		if line := p.reload(); !strings.Contains(line, "reload failed") || !strings.Contains(line, keyFile) {
			t.Errorf("SIGHUP without the key file: %s", line)
		}
		if got := conn.auth(rotated); got != 200 {
			t.Errorf("after a failed reload: %d", got)
		}
		p.stop(syscall.SIGINT)
		checkNoSecrets(t, p.allLogs(), secret1, secret2, old, rotated)
	})

	// A config file with two issuers and routes; SIGHUP with a broken file keeps the old
	// configuration and logs the file's line; a fixed file is taken.
	t.Run("config", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeFile600(t, filepath.Join(dir, "corp.key"), secret1+"\n")
		conf := filepath.Join(dir, "gw.conf")
		good := "[issuer corp]\nkey-file = corp.key\niss = corp\n\n[issuer partners]\nkey-env = GW_PARTNERS\n\n" +
			"[route /]\nissuer = corp\nclaim-header = sub=X-User\n\n[route /partners/]\nissuer = partners\naud = partner-api\nclaim-header = sub=X-Partner\n" +
			"\n[route /at/]\nissuer = corp\ntypes = at+jwt\ncookie = tok\n"
		writeFile600(t, conf, good)
		p := startGateway(t, bin, []string{"GW_PARTNERS=" + secret2}, "--config", conf)
		corp := hs256Token(t, secret1, `"sub":"alice","iss":"corp"`)
		partner := hs256Token(t, secret2, `"sub":"bob","aud":"partner-api"`)
		otherAud := hs256Token(t, secret2, `"sub":"bob","aud":"other"`)
		for _, tc := range []struct {
			token, uri string
			want       int
		}{
			{corp, "/x", 200}, {corp, "/partners/x", 401}, {partner, "/partners/x", 200},
			{partner, "/x", 401}, {otherAud, "/partners/x", 403},
		} {
			if got := p.status(tc.token, "X-Forwarded-Uri", tc.uri); got != tc.want {
				t.Errorf("%s on %s: %d, want %d", tc.token[len(tc.token)-6:], tc.uri, got, tc.want)
			}
		}
		if resp := p.get("/auth", "Authorization", "Bearer "+partner, "X-Original-URI", "/partners/a"); resp.Header.Get("X-Partner") != "bob" {
			t.Errorf("X-Partner %q", resp.Header.Get("X-Partner"))
		}
		// The route /at/ takes RFC 9068 access tokens only, from the header or its cookie.
		access := accessToken(t, secret1, `"sub":"alice","iss":"corp"`)
		for _, tc := range []struct {
			header []string
			want   int
		}{
			{[]string{"Authorization", "Bearer " + corp}, 401},
			{[]string{"Authorization", "Bearer " + access}, 200},
			{[]string{"Cookie", "a=b; tok=" + access}, 200},
			{[]string{"Cookie", "tok=" + corp}, 401},
		} {
			if got := p.get("/auth", append(tc.header, "X-Forwarded-Uri", "/at/x")...).StatusCode; got != tc.want {
				t.Errorf("/at/ with %s: %d, want %d", tc.header[0], got, tc.want)
			}
		}

		writeFile600(t, conf, strings.Replace(good, "aud = partner-api", "audience = partner-api", 1))
		line := p.reload()
		if !strings.Contains(line, "reload failed") || !strings.Contains(line, conf+`:14: unknown key \"audience\" in route \"/partners/\"`) {
			t.Errorf("SIGHUP with a broken file: %s", line)
		}
		if got := p.status(partner, "X-Forwarded-Uri", "/partners/x"); got != 200 {
			t.Errorf("after a failed reload: %d", got)
		}

		writeFile600(t, conf, strings.Replace(good, "sub=X-Partner", "sub=X-Partner-Id", 1))
		if line := p.reload(); !strings.Contains(line, `"msg":"reloaded"`) {
			t.Fatalf("SIGHUP with a fixed file: %s", line)
		}
		resp := p.get("/auth", "Authorization", "Bearer "+partner, "X-Forwarded-Uri", "/partners/x")
		if resp.StatusCode != 200 || resp.Header.Get("X-Partner-Id") != "bob" {
			t.Errorf("after the reload: %d, X-Partner-Id %q", resp.StatusCode, resp.Header.Get("X-Partner-Id"))
		}
		p.stop(syscall.SIGTERM)
		checkNoSecrets(t, p.allLogs(), secret1, secret2, corp, partner, otherAud, access)
	})

	// Keys from a JWK Set at a URL, kept by a jwks.Client: its tokens verify, and /readyz
	// reports the set.
	t.Run("jwks url", func(t *testing.T) {
		t.Parallel()
		set := jwksOf(t, "--key-file", keyPath("p256.sec1.pem"), "--alg", "ES256", "--kid", "ec")
		s := newJWKSServer(t, set)
		p := startGateway(t, bin, nil, "--jwks", s.URL+"/jwks.json", "--alg", "ES256")
		tok := sign(t, fmt.Sprintf(`{"sub":"carol","exp":%d}`, time.Now().Add(time.Hour).Unix()),
			"--alg", "ES256", "--key-file", keyPath("p256.sec1.pem"), "--kid", "ec")
		if got := p.status(tok); got != 200 {
			t.Errorf("token of the set: %d", got)
		}
		if got := p.status(hs256Token(t, secret1, `"sub":"x"`)); got != 401 {
			t.Errorf("HS256 token: %d", got)
		}
		if resp := p.getAdmin("/readyz"); resp.StatusCode != 200 {
			t.Errorf("/readyz: %d %q", resp.StatusCode, bodyOf(resp))
		}
		// SIGHUP fetches the set again; while its server fails, the keys in use are kept.
		fetches := s.requests.Load()
		s.set(func(s *jwksServer) { s.status = 500 })
		if line := p.reload(); !strings.Contains(line, "reload failed") || !strings.Contains(line, "--jwks: ") {
			t.Errorf("SIGHUP with the JWK Set's server failing: %s", line)
		}
		if s.requests.Load() == fetches {
			t.Error("SIGHUP did not fetch the JWK Set again")
		}
		if got := p.status(tok); got != 200 {
			t.Errorf("after a failed reload: %d", got)
		}
		p.stop(syscall.SIGTERM)
	})

	// --redis: a jti revoked by an application (under its --redis-prefix) is refused; while
	// Redis is down /readyz fails naming it and tokens get 503 (fail closed), and a gateway
	// cannot start without it.
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		r := startRedis(t)
		p := startGateway(t, bin, []string{"GW_SECRET=" + secret1}, "--key-env", "GW_SECRET", "--redis", r.Addr(), "--redis-prefix", "app:")
		kept := hs256Token(t, secret1, `"sub":"alice","jti":"kept"`)
		revoked := hs256Token(t, secret1, `"sub":"alice","jti":"gone"`)
		if a, b := p.status(kept), p.status(revoked); a != 200 || b != 200 {
			t.Fatalf("before the revocation: %d, %d", a, b)
		}
		if resp := p.getAdmin("/readyz"); resp.StatusCode != 200 {
			t.Errorf("/readyz with Redis up: %d %q", resp.StatusCode, bodyOf(resp))
		}
		rs, err := redisstore.Dial(redisstore.Options{Addrs: []string{r.Addr()}, Prefix: "app:"})
		if err != nil {
			t.Fatal(err)
		}
		err = rs.List().RevokeToken(context.Background(), "gone", time.Now().Add(time.Hour))
		rs.Close()
		if err != nil {
			t.Fatal(err)
		}
		// Redis tells the gateway's client-side cache of the change; wait for it, bounded.
		for deadline := time.Now().Add(10 * time.Second); p.status(revoked) != 401; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the revoked token is still accepted 10s after its revocation")
			}
		}
		if got := p.status(kept); got != 200 {
			t.Errorf("the other token after the revocation: %d", got)
		}

		r.Kill()
		resp := p.getAdmin("/readyz")
		if resp.StatusCode != 503 || !strings.Contains(bodyOf(resp), "redis") {
			t.Errorf("/readyz with Redis down: %d %q", resp.StatusCode, bodyOf(resp))
		}
		// A token not seen before cannot be checked: 503, not 200.
		fresh := hs256Token(t, secret1, `"sub":"dave","jti":"fresh"`)
		if got := p.status(fresh); got != 503 {
			t.Errorf("a token with Redis down: %d, want 503", got)
		}
		p.stop(syscall.SIGTERM)
		checkNoSecrets(t, p.allLogs(), secret1, kept, revoked, fresh)

		cmd := exec.Command(bin, "gateway", "--key-env", "GW_SECRET", "--redis", r.Addr())
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GW_SECRET=" + secret1}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "fastjwt gateway: --redis: ") {
			t.Errorf("start without Redis: %v: %s", err, out)
		}
	})

	// --redis, Redis restarted empty: tokens get 503 and /readyz fails saying the data was lost,
	// as the log does, until 'fastjwt recover', after which the tokens issued before it are
	// refused and the later ones accepted. An evicting maxmemory-policy is refused at start,
	// unless --redis-allow-evicting.
	t.Run("redis-lost", func(t *testing.T) {
		t.Parallel()
		r := startRedis(t)
		p := startGateway(t, bin, []string{"GW_SECRET=" + secret1}, "--key-env", "GW_SECRET", "--redis", r.Addr())
		old := hs256Token(t, secret1, fmt.Sprintf(`"sub":"alice","jti":"old","iat":%d`, time.Now().Unix()-60))
		if got := p.status(old); got != 200 {
			t.Fatalf("before the restart: %d", got)
		}
		r.Kill()
		if err := r.Restart(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); p.status(old) != 503; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("a token is not refused with 503 10s after Redis restarted empty")
			}
		}
		if resp := p.getAdmin("/readyz"); resp.StatusCode != 503 || !strings.Contains(bodyOf(resp), "lost its data") {
			t.Errorf("/readyz after Redis lost its data: %d %q", resp.StatusCode, bodyOf(resp))
		}
		out, err := exec.Command(bin, "recover", "--redis", r.Addr(), "--max-age", "2h").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "re-armed: every token issued before now is revoked until ") {
			t.Fatalf("fastjwt recover: %v: %s", err, out)
		}
		for deadline := time.Now().Add(10 * time.Second); p.getAdmin("/readyz").StatusCode != 200; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("/readyz not ready 10s after fastjwt recover")
			}
		}
		later := hs256Token(t, secret1, fmt.Sprintf(`"sub":"alice","jti":"later","iat":%d`, time.Now().Unix()+2))
		if a, b := p.status(old), p.status(later); a != 401 || b != 200 {
			t.Errorf("after recover: a token issued before %d, want 401; after %d, want 200", a, b)
		}
		p.stop(syscall.SIGTERM)
		if logs := p.allLogs(); !strings.Contains(logs, `"msg":"revocation list"`) || !strings.Contains(logs, "lost its data") {
			t.Errorf("no log line of the data loss:\n%s", logs)
		}

		ev := startRedis(t, "--maxmemory-policy", "allkeys-lru")
		cmd := exec.Command(bin, "gateway", "--key-env", "GW_SECRET", "--admin-listen", "off", "--listen", "127.0.0.1:0", "--redis", ev.Addr())
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GW_SECRET=" + secret1}
		out, err = cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "(it is allkeys-lru); --redis-allow-evicting starts anyway") {
			t.Errorf("start on an evicting Redis: %v: %s", err, out)
		}
		p = startGateway(t, bin, []string{"GW_SECRET=" + secret1}, "--key-env", "GW_SECRET", "--redis", ev.Addr(), "--redis-allow-evicting")
		if got := p.status(later); got != 200 {
			t.Errorf("--redis-allow-evicting: %d", got)
		}
		p.stop(syscall.SIGTERM)
	})

	// --upstream: verified requests reach the upstream with the claim header (never the
	// client's), refused ones never do; SIGTERM lets a request under way finish, then exits 0.
	t.Run("upstream", func(t *testing.T) {
		t.Parallel()
		var reached atomic.Int64
		arrived, release := make(chan struct{}), make(chan struct{})
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached.Add(1)
			if r.URL.Path == "/slow" {
				close(arrived)
				select {
				case <-release:
				case <-time.After(10 * time.Second):
				}
			}
			fmt.Fprintf(w, "%s %q", r.URL.Path, r.Header.Values("X-User"))
		}))
		defer up.Close()
		p := startGateway(t, bin, []string{"GW_SECRET=" + secret1}, "--key-env", "GW_SECRET",
			"--claim-header", "sub=X-User", "--upstream", up.URL)
		tok := hs256Token(t, secret1, `"sub":"alice"`)
		resp := p.get("/hello", "Authorization", "Bearer "+tok, "x-user", "mallory")
		if body := bodyOf(resp); resp.StatusCode != 200 || body != `/hello ["alice"]` {
			t.Errorf("verified request: %d %q", resp.StatusCode, body)
		}
		if resp := p.get("/hello", "X-User", "mallory"); resp.StatusCode != 401 || reached.Load() != 1 {
			t.Errorf("request without a token: %d, upstream reached %d times", resp.StatusCode, reached.Load())
		}

		slow := make(chan *http.Response, 1)
		go func() {
			req, _ := http.NewRequest("GET", "http://"+p.addr+"/slow", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
			if err != nil {
				t.Errorf("the request under way at SIGTERM: %v", err)
				resp = nil
			}
			slow <- resp
		}()
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("the slow request did not reach the upstream")
		}
		from := p.logCount()
		p.signal(syscall.SIGTERM)
		p.waitLog("shutting down", from, 10*time.Second)
		close(release)
		if resp := <-slow; resp == nil || resp.StatusCode != 200 {
			t.Errorf("the request under way at SIGTERM: %v", resp)
		} else {
			resp.Body.Close()
		}
		p.wait()
		checkNoSecrets(t, p.allLogs(), secret1, tok)
	})

	// A gateway that cannot start exits 2 with one line that says why.
	t.Run("start errors", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(bin, "gateway", "--key-env", "GW_UNSET_VARIABLE")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "--key-env: environment variable GW_UNSET_VARIABLE is not set") {
			t.Errorf("%v: %s", err, out)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		cmd = exec.Command(bin, "gateway", "--key-env", "GW_SECRET", "--listen", ln.Addr().String())
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GW_SECRET=" + secret1}
		out, err = cmd.CombinedOutput()
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "--listen: listen tcp "+ln.Addr().String()) {
			t.Errorf("%v: %s", err, out)
		}
	})
}
