package gateway

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serveAdmin runs s's admin endpoints on a fresh 127.0.0.1 listener until the test ends (serve's
// cleanup shuts s down), and returns its address.
func serveAdmin(tb testing.TB, s *Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.ServeAdmin(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		select {
		case err := <-done:
			if !errors.Is(err, ErrServerClosed) {
				tb.Errorf("ServeAdmin returned %v, want ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
			tb.Error("ServeAdmin did not return after Shutdown")
		}
	})
	return ln.Addr().String()
}

func TestLimitsResolve(t *testing.T) {
	if got := (Limits{}).resolve(); got != DefaultLimits() {
		t.Errorf("zero Limits: %+v, want the defaults", got)
	}
	got := Limits{ReadHeaderTimeout: -1, BodyTimeout: time.Second, IdleTimeout: -1, MaxConns: -1}.resolve()
	if want := (Limits{BodyTimeout: time.Second}); got != want {
		t.Errorf("%+v, want %+v", got, want)
	}
}

// TestLimitListener: at the cap, Accept waits for a connection to close; Close ends a waiting
// Accept.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListen(inner, 2)
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := <-accepted
	<-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection accepted beyond the cap of 2")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	first.Close() // twice: the slot is given back once
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("the third connection not accepted after one closed")
	}
	ln.Close()
	select {
	case _, ok := <-accepted:
		if ok {
			t.Fatal("accepted after Close")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Accept still waiting after Close")
	}
}

// closedWithin reports whether the server closes c within d (the reads up to then discarded),
// and what it sent before.
func closedWithin(c net.Conn, d time.Duration) (bool, string) {
	c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	return err == nil, string(b) // ReadAll's nil error is EOF: the server closed
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// limitedGateway serves the fixture in forward-auth mode, or in reverse-proxy mode to up, with
// lim.
func limitedGateway(t *testing.T, up *url.URL, lim Limits) (string, *Server) {
	t.Helper()
	cfg := testConfig(t, nil)
	cfg.Upstream = up
	s := NewServerWith(newGateway(t, cfg), lim)
	return serve(t, s), s
}

// TestSlowHead: a head sent byte by byte is cut at ReadHeaderTimeout, in both modes and on the
// admin listener.
func TestSlowHead(t *testing.T) {
	var hits atomic.Int64
	for _, up := range []*url.URL{nil, echoUpstream(t, &hits)} {
		addr, s := limitedGateway(t, up, Limits{ReadHeaderTimeout: 300 * time.Millisecond})
		for _, a := range []string{addr, serveAdmin(t, s)} {
			c := dial(t, a)
			start := time.Now()
			head := "GET /auth HTTP/1.1\r\nHost: g\r\nX-Slow: " + strings.Repeat("a", 100)
			cut := false
			for i := 0; i < len(head); i++ {
				c.SetWriteDeadline(time.Now().Add(time.Second))
				if _, err := c.Write([]byte{head[i]}); err != nil {
					cut = true
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if !cut {
				if ok, _ := closedWithin(c, 2*time.Second); !ok {
					t.Errorf("proxy %v, %s: a slow head still open after %v", up != nil, a, time.Since(start))
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("proxy %v: a slow head cut after %v, want about 300ms", up != nil, d)
			}
		}
	}
}

// TestRefusalDoesNotReadBody: in reverse-proxy mode a refused request that declares a body it
// never sends is answered at once, with "Connection: close", and its connection closed without
// waiting for the body, even with no body timeout.
func TestRefusalDoesNotReadBody(t *testing.T) {
	var hits atomic.Int64
	addr, _ := limitedGateway(t, echoUpstream(t, &hits), Limits{BodyTimeout: -1})
	for _, framing := range []string{"Content-Length: 1000", "Content-Length: 1000000", "Transfer-Encoding: chunked"} {
		for _, auth := range []string{"", "Authorization: Bearer x.y.z\r\n"} {
			c := dial(t, addr)
			start := time.Now()
			io.WriteString(c, "POST /api/x HTTP/1.1\r\nHost: g\r\n"+auth+framing+"\r\n\r\n")
			ok, got := closedWithin(c, 3*time.Second)
			switch {
			case !ok:
				t.Errorf("%s %q: still open after %v; got %q", framing, auth, time.Since(start), got)
			case !strings.HasPrefix(got, "HTTP/1.1 401") || !strings.Contains(got, "Connection: close\r\n"):
				t.Errorf("%s: %q", framing, got)
			}
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the upstream was reached")
	}
}

// TestAllowedBodyTimeout: in reverse-proxy mode the body of a verified request must arrive
// within BodyTimeout: a client that stops sending gets a 502 and its connection closed; the
// deadline ends with the body, so a slow answer after it is not cut; and a request whose body
// was read keeps its connection.
func TestAllowedBodyTimeout(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		if r.URL.Path == "/api/slow" {
			time.Sleep(600 * time.Millisecond) // beyond the body timeout
		}
		io.WriteString(w, "got "+string(b))
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	addr, _ := limitedGateway(t, u, Limits{BodyTimeout: 300 * time.Millisecond})
	good := mint(t, `"sub":"alice"`)

	c := dial(t, addr)
	start := time.Now()
	io.WriteString(c, "POST /api/x HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "+good+"\r\nContent-Length: 1000\r\n\r\nonly this")
	ok, got := closedWithin(c, 3*time.Second)
	if !ok || !strings.HasPrefix(got, "HTTP/1.1 502") {
		t.Errorf("a body that stops: open %v after %v, got %q", !ok, time.Since(start), got)
	}

	c = dial(t, addr)
	br := bufio.NewReader(c)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for _, path := range []string{"/api/slow", "/api/x"} { // one connection, kept alive
		io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "+good+"\r\nContent-Length: 5\r\n\r\nhello")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "got hello" || resp.Close {
			t.Errorf("%s: %d %q, close %v", path, resp.StatusCode, b, resp.Close)
		}
	}
}

// TestFastBodyTimeout: in forward-auth mode the body is read before the decision, within
// BodyTimeout; one larger than 64 KiB is refused without being read.
func TestFastBodyTimeout(t *testing.T) {
	addr, _ := limitedGateway(t, nil, Limits{BodyTimeout: 300 * time.Millisecond})
	for _, framing := range []string{"Content-Length: 1000", "Content-Length: 1000000", "Transfer-Encoding: chunked"} {
		c := dial(t, addr)
		start := time.Now()
		io.WriteString(c, "POST /auth HTTP/1.1\r\nHost: g\r\n"+framing+"\r\n\r\n")
		if ok, got := closedWithin(c, 3*time.Second); !ok || time.Since(start) > 2*time.Second {
			t.Errorf("%s: open %v after %v; got %q", framing, !ok, time.Since(start), got)
		}
	}
}

// TestMaxConns: beyond MaxConns a connection waits; it is answered once another closes.
func TestMaxConns(t *testing.T) {
	var hits atomic.Int64
	for _, up := range []*url.URL{nil, echoUpstream(t, &hits)} {
		addr, _ := limitedGateway(t, up, Limits{MaxConns: 2})
		held := []net.Conn{dial(t, addr), dial(t, addr)}
		time.Sleep(100 * time.Millisecond) // both accepted
		c := dial(t, addr)
		io.WriteString(c, "GET /auth HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if n, _ := c.Read(make([]byte, 1)); n != 0 {
			t.Fatalf("proxy %v: the third connection answered beyond the cap of 2", up != nil)
		}
		held[0].Close()
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("proxy %v: the waiting connection after one closed: %v", up != nil, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("proxy %v: %d", up != nil, resp.StatusCode)
		}
	}
}
