package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fastjwt/session/internal/redistest"
)

// The tests of -redis run the demo as it is run by hand: the program, built once, in processes
// of its own, against a real redis-server (Debian's redis-server package) that the tests start
// on a free loopback port without persistence and stop by its PID. Without the binary those
// tests skip with the reason, except under CI=true, where that is a failure; the other tests of
// the package run either way.

const noRedis = "redis-server not found: apt-get install redis-server (the tests of -redis start their own on 127.0.0.1)"

var (
	onCI     = os.Getenv("CI") == "true"
	redisBin string // the redis-server binary; "" when there is none
	tmpDir   string // the built program and the servers' working directory, removed at the end

	demoOnce sync.Once
	demoBin  string // the demo program, built by needDemoBinary
	demoErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	switch redisBin = redistest.Binary(); {
	case redisBin == "" && onCI:
		fmt.Fprintf(os.Stderr, "FAIL: %s (CI=true: the tests of -redis must run; .ci/run installs it)\n", noRedis)
		return 1
	case redisBin == "":
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING THE TESTS OF -redis: %s ***\n\n", noRedis)
	}
	dir, err := os.MkdirTemp("", "counter-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmpDir = dir
	defer os.RemoveAll(dir)
	defer redistest.StopAll()
	return m.Run()
}

// needRedis skips the test when there is no redis-server (never under CI=true: TestMain fails
// the run first) and otherwise starts one for the test, stopped when the test ends.
func needRedis(t *testing.T) *redisServer {
	t.Helper()
	if redisBin == "" {
		t.Skip(noRedis)
	}
	s, err := startRedis(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	return s
}

// redisServer is a redis-server process on 127.0.0.1.
type redisServer = redistest.Server

// startRedis starts redis-server on port (0: a free one), stopped at the end of the run, and
// waits until it answers PING.
func startRedis(port int) (*redisServer, error) { return redistest.Start(redisBin, port, tmpDir) }

// needDemoBinary builds the demo program once for the whole run (as `go build` would for a
// user) and returns its path.
func needDemoBinary(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		bin := tmpDir + "/counter"
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			demoErr = fmt.Errorf("building the demo: %v\n%s", err, out)
			return
		}
		demoBin = bin
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoBin
}

// startProcess runs the demo program with args and the secret testKey in SESSION_SECRET, on a
// free loopback port, and returns its base URL once it answers. The program prints the address
// it listens on, so the port is the kernel's choice (-addr 127.0.0.1:0). Cleanup stops it with
// SIGTERM and expects a clean, prompt exit: its graceful shutdown.
func startProcess(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(needDemoBinary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), secretEnv+"="+string(testKey))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		// Read the start-up lines until the address appears, then drain, so that the program
		// never blocks on a full pipe.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), " listening on "); ok {
				addr <- url
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("counter %v did not exit cleanly on SIGTERM: %v\nstderr:\n%s", args, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("counter %v still running 10s after SIGTERM; killed", args)
		}
	})
	var base string
	select {
	case base = <-addr:
	case err := <-exited:
		exited <- err
		t.Fatalf("counter %v exited before listening: %v\nstderr:\n%s", args, err, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("counter %v printed no address within 20s\nstderr:\n%s", args, stderr.String())
	}
	// GET /app does not touch the session: polling it changes nothing.
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(base + "/app")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("counter %v at %s not answering: %v", args, base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer that a process writes while the test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
