// Package redistest runs real redis-server processes for the tests of the modules that use
// Redis (the Redis store, the command-line tool's gateway, the demo): on 127.0.0.1, without
// persistence unless StartWith's arguments turn it on, stopped by their PID. It holds no policy about skipping; each suite decides what
// a missing binary means (a loud skip, or a failure under CI=true).
package redistest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// Missing is the reason to give when redis-server is not installed, with how to install it.
const Missing = "redis-server not found: apt-get install redis-server"

// startTimeout bounds the wait for a started server to answer PING.
const startTimeout = 10 * time.Second

// started holds every server Start started, for StopAll.
var started struct {
	sync.Mutex
	servers []*Server
}

// StopAll kills every server Start started in this process: a TestMain calls it before exiting,
// so that no redis-server outlives the tests.
func StopAll() {
	started.Lock()
	defer started.Unlock()
	for _, s := range started.servers {
		s.Kill()
	}
	started.servers = nil
}

// Binary returns the path of the redis-server program, or "" when there is none.
func Binary() string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return ""
	}
	return bin
}

// Server is a redis-server process on 127.0.0.1. Its methods are safe for concurrent use.
type Server struct {
	// Port is the server's port, kept across Kill and Restart.
	Port int

	bin, dir string
	args     []string // extra arguments of every start
	mu       sync.Mutex
	cmd      *exec.Cmd
	log      bytes.Buffer
}

// Start starts the redis-server program bin on port (0: a free one), with dir as its working
// directory, and returns once it answers PING. StopAll stops it, if nothing did before.
func Start(bin string, port int, dir string) (*Server, error) {
	return StartWith(bin, port, dir)
}

// StartWith is Start with extra arguments of redis-server, given after the defaults (so that
// they override them) at this start and every Restart: "--maxmemory", "2mb",
// "--maxmemory-policy", "allkeys-lru", or "--appendonly", "yes" for persistence in dir.
func StartWith(bin string, port int, dir string, args ...string) (*Server, error) {
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	s := &Server{Port: port, bin: bin, dir: dir, args: args}
	if err := s.Restart(); err != nil {
		return nil, err
	}
	started.Lock()
	started.servers = append(started.servers, s)
	started.Unlock()
	return s, nil
}

// Addr returns the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// Restart starts the server again on its port (after Kill), and returns once it answers PING.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return fmt.Errorf("redis-server on port %d is running", s.Port)
	}
	s.log.Reset()
	args := append([]string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--loglevel", "warning"}, s.args...)
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout, cmd.Stderr = &s.log, &s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	for deadline := time.Now().Add(startTimeout); !Ping(s.Addr()); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.killLocked()
			return fmt.Errorf("redis-server on port %d did not answer PING within %v: %s", s.Port, startTimeout, s.log.String())
		}
	}
	return nil
}

// Kill stops the server by its PID (SIGKILL, as a crash) and waits for it to exit. It does
// nothing when the server is not running.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
}

func (s *Server) killLocked() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Ping reports whether a Redis server at addr answers PING, on a connection of its own, within
// a second.
func Ping(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}
