package redisstore

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/internal/redistest"
)

// The tests run against a real redis-server (Debian's redis-server package), which TestMain
// starts on a free loopback port without persistence and stops by its PID at the end. Without
// the binary every test skips with the reason, except under CI=true, where that is a failure.

const noRedis = redistest.Missing

var (
	redisBin string  // the redis-server binary
	shared   *server // the server most tests share
	skipWhy  string  // why every test skips; "" when they run
	onCI     = os.Getenv("CI") == "true"
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	bin := redistest.Binary()
	if bin == "" {
		if onCI {
			fmt.Fprintf(os.Stderr, "FAIL: %s (CI=true: the Redis tests must run; .ci/run installs it)\n", noRedis)
			return 1
		}
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING EVERY REDIS TEST: %s ***\n\n", noRedis)
		skipWhy = noRedis
		// The tests skip themselves, saying why; the examples, which cannot, are left out.
		if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
			_ = flag.Set("test.run", "^Test")
		}
		return m.Run()
	}
	redisBin = bin
	defer redistest.StopAll()
	var err error
	if shared, err = startServer(0); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: starting redis-server:", err)
		return 1
	}
	exampleAddr = shared.Addr()
	return m.Run()
}

// needRedis skips the test when there is no redis-server (never under CI=true: TestMain fails
// the run first).
func needRedis(tb testing.TB) {
	tb.Helper()
	if skipWhy != "" {
		tb.Skip(skipWhy)
	}
}

// server is a redis-server process on 127.0.0.1.
type server = redistest.Server

// startServer starts redis-server on port (0: a free one), stopped at the end of the run, and
// waits until it answers PING.
func startServer(port int) (*server, error) { return redistest.Start(redisBin, port, os.TempDir()) }

// command sends one command to the server at addr on a connection of its own (RESP2) and
// returns the first line of the reply. The tests use it to act on the server from outside the
// clients under test (CLIENT KILL, CLIENT PAUSE, INFO, DEBUG SLEEP...).
func command(addr string, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(line, "$") { // a bulk string: return its content
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return line, nil
}
