package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// upstream is the application behind the proxies: it counts the requests that reach it and
// answers each with what it received, as JSON (seenRequest).
type upstream struct {
	addr string // host:port

	mu   sync.Mutex
	hits int
}

// seenRequest is what the upstream received. Go's server puts header names in canonical form, so
// every spelling a client may use (x-user, X-USER) lands under one key.
type seenRequest struct {
	Method  string
	URI     string
	Headers http.Header
	BodyLen int
}

// startUpstream serves on a free loopback port until the test ends.
func startUpstream(t *testing.T) *upstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{addr: ln.Addr().String()}
	srv := &http.Server{
		Handler:           u,
		ReadHeaderTimeout: 10 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("upstream shutdown: %v", err)
		}
		if err := <-served; err != http.ErrServerClosed {
			t.Errorf("upstream: %v", err)
		}
	})
	return u
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.hits++
	u.mu.Unlock()
	n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(seenRequest{
		Method:  r.Method,
		URI:     r.RequestURI,
		Headers: r.Header,
		BodyLen: int(n),
	})
}

// count is the number of requests that reached the upstream so far.
func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits
}
