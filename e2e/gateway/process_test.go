package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of a process's life in these tests: a loaded 2-core machine can take seconds to start
// one, but none may outlive its test.
const (
	startTimeout = 15 * time.Second
	stopTimeout  = 10 * time.Second
)

// logBuffer collects a process's output for failure messages and later checks, and hands each
// complete line to onLine (if set) as it arrives.
type logBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	partial []byte
	onLine  func(line []byte)
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	if l.onLine != nil {
		l.partial = append(l.partial, p...)
		for {
			i := bytes.IndexByte(l.partial, '\n')
			if i < 0 {
				break
			}
			l.onLine(l.partial[:i])
			l.partial = l.partial[i+1:]
		}
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// process is a program started by a test, stopped by the test's cleanup.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *logBuffer // standard output and error
	done chan struct{}
	err  error // the exit, once done is closed

	stopFunc func(t *testing.T) // signals, waits (bounded) and checks the exit
	stopped  bool               // by stop, before the end of the test
}

// startProcess starts cmd with its output in a logBuffer (which may watch lines, see onLine) and
// stops it when the test ends: sig, then a kill if it is still running after stopTimeout. With
// wantClean the exit after sig must be status 0 (the gateway drains and exits on SIGTERM);
// proxies stopped with a signal report that signal as their exit, which is expected.
func startProcess(t *testing.T, name string, cmd *exec.Cmd, onLine func([]byte), sig syscall.Signal, wantClean bool) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd, out: &logBuffer{onLine: onLine}, done: make(chan struct{})}
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	p.stopFunc = func(t *testing.T) {
		t.Helper()
		_ = cmd.Process.Signal(sig)
		select {
		case <-p.done:
			if wantClean && p.err != nil {
				t.Errorf("%s did not exit cleanly on %v: %v\noutput:\n%s", name, sig, p.err, p.out)
			}
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-p.done
			t.Errorf("%s still running %v after %v; killed\noutput:\n%s", name, stopTimeout, sig, p.out)
		}
	}
	t.Cleanup(func() {
		if p.stopped {
			return
		}
		select {
		case <-p.done:
			t.Errorf("%s exited before the end of the test: %v\noutput:\n%s", name, p.err, p.out)
			return
		default:
		}
		p.stopFunc(t)
	})
	return p
}

// stop stops the process before the end of the test, as the cleanup would.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.stopped = true
	p.stopFunc(t)
}

// waitListening waits until addr accepts connections; it fails the test if the process exits
// first or startTimeout passes.
func (p *process) waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before listening on %s: %v\noutput:\n%s", p.name, addr, p.err, p.out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after %v\noutput:\n%s", p.name, addr, startTimeout, p.out)
		}
	}
}

// gatewayProc is a running `fastjwt gateway`.
type gatewayProc struct {
	*process
	addr  string // host:port it listens on, from its "listening" log line
	admin string // host:port of its admin listener (/healthz, /readyz, /metrics), from the same line
}

// startGateway runs `fastjwt gateway` on a free loopback port with the test key, audience, cookie
// and the claim headers the documented snippets copy, plus extra flags. The port is chosen by the
// kernel (--listen 127.0.0.1:0) and read from the "listening" log line, so no other process can
// take it in between. Cleanup sends SIGTERM and expects exit status 0: the gateway drains and
// exits.
func startGateway(t *testing.T, extra ...string) *gatewayProc {
	t.Helper()
	return runGateway(t, append([]string{
		"--key-env", keyEnv,
		"--aud", audience,
		"--claim-header", "sub=X-User",
		"--claim-header", "role=X-Role",
		"--cookie", cookieName,
	}, extra...)...)
}

// runGateway runs `fastjwt gateway --listen 127.0.0.1:0` with the flags given and the test key in
// the environment variable keyEnv, as startGateway says.
func runGateway(t *testing.T, flags ...string) *gatewayProc {
	t.Helper()
	// Debug logs every decision: the check that no token reaches a log line then covers them all.
	args := append([]string{"gateway", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--log-level", "debug"}, flags...)
	cmd := exec.Command(fastjwtBin, args...)
	cmd.Env = append(os.Environ(), keyEnv+"="+string(secret))
	addrc := make(chan [2]string, 1)
	onLine := func(line []byte) {
		var rec struct{ Msg, Addr, Admin string }
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			select {
			case addrc <- [2]string{rec.Addr, rec.Admin}:
			default: // a later line (after a reload): the first one counts
			}
		}
	}
	g := &gatewayProc{process: startProcess(t, "fastjwt gateway", cmd, onLine, syscall.SIGTERM, true)}
	select {
	case a := <-addrc:
		g.addr, g.admin = a[0], a[1]
	case <-g.done:
		t.Fatalf("fastjwt %s exited before listening: %v\noutput:\n%s", strings.Join(args, " "), g.err, g.out)
	case <-time.After(startTimeout):
		t.Fatalf("fastjwt gateway did not log a \"listening\" line with its address within %v\noutput:\n%s", startTimeout, g.out)
	}
	// Registered after the stop, so it runs first: by then every request of the test has been
	// answered and logged.
	t.Cleanup(func() { checkLogsHoldNoSecret(t, g.out.String()) })
	return g
}

// checkLogsHoldNoSecret fails the test if the gateway's output holds the key or the signature of
// a token the tests minted: neither may ever appear in a log line.
func checkLogsHoldNoSecret(t *testing.T, logs string) {
	t.Helper()
	if strings.Contains(logs, string(secret)) {
		t.Errorf("the gateway's logs hold the HS256 secret:\n%s", logs)
	}
	for _, tok := range mintedTokens() {
		sig := tok[strings.LastIndexByte(tok, '.')+1:]
		if strings.Contains(logs, sig) {
			t.Errorf("the gateway's logs hold a token (signature %s...):\n%s", sig[:8], logs)
		}
	}
}

// freePort returns a loopback port nobody listens on at the moment, for programs that cannot
// report the port they chose (nginx, caddy). It is taken below the kernel's range of ephemeral
// ports, where the client side of every loopback connection (of this test and of anyone else's
// on the machine) could take it before the program binds it; only a program listening on that
// very port could, and waitListening then reports it with the program's output.
func freePort(t *testing.T) int {
	t.Helper()
	low := 32768 // Linux's default start of the ephemeral range
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 11000 {
				low = n
			}
		}
	}
	for range 100 {
		port := 10000 + rand.IntN(low-10000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken
		}
		ln.Close()
		return port
	}
	t.Fatalf("no free loopback port in 10000-%d after 100 tries", low-1)
	return 0
}
