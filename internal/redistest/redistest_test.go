package redistest

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// A server answers PING once started, not after Kill, and again after Restart on its port.
func TestServerLifecycle(t *testing.T) {
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(Missing + " (CI=true: this must run)")
		}
		t.Skip(Missing)
	}
	s, err := Start(bin, 0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	if !Ping(s.Addr()) {
		t.Fatal("no PONG after Start")
	}
	if err := s.Restart(); err == nil {
		t.Fatal("Restart of a running server succeeded")
	}
	s.Kill()
	s.Kill() // a second Kill does nothing
	if Ping(s.Addr()) {
		t.Fatal("PONG after Kill")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if !Ping(s.Addr()) {
		t.Fatal("no PONG after Restart")
	}
	StopAll()
	if Ping(s.Addr()) {
		t.Fatal("PONG after StopAll")
	}
}

// StartWith's arguments apply at the start and at every Restart.
func TestStartWithArgs(t *testing.T) {
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(Missing + " (CI=true: this must run)")
		}
		t.Skip(Missing)
	}
	s, err := StartWith(bin, 0, t.TempDir(), "--maxmemory", "3mb", "--maxmemory-policy", "volatile-ttl")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	for _, when := range []string{"after StartWith", "after Restart"} {
		if got := policy(t, s.Addr()); got != "volatile-ttl" {
			t.Fatalf("%s: maxmemory-policy %q, want volatile-ttl", when, got)
		}
		s.Kill()
		if err := s.Restart(); err != nil {
			t.Fatal(err)
		}
	}
}

// policy returns the server's maxmemory-policy (CONFIG GET, RESP2: an array of two bulk strings).
func policy(t *testing.T, addr string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$16\r\nmaxmemory-policy\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	var lines []string
	for len(lines) < 5 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.TrimRight(line, "\r\n"))
	}
	return lines[4]
}
