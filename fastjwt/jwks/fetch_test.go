package jwks

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Fetch has the bounds and rules of a Client.
func TestFetch(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	keys, err := Fetch(context.Background(), s.URL, Options{JWKOptions: []fastjwt.JWKOption{fastjwt.JWKMaxKeys(1)}})
	if err != nil || len(keys) != 1 || keys[0].ID != "k1" || keys[0].Alg != fastjwt.ES256 {
		t.Fatalf("%v %v", keys, err)
	}
	s.set(func(s *server) { s.doc = set(t, k, newKey(t, fastjwt.EdDSA, "k2")) })
	if _, err := Fetch(context.Background(), s.URL, Options{JWKOptions: []fastjwt.JWKOption{fastjwt.JWKMaxKeys(1)}}); !errors.Is(err, fastjwt.ErrKey) {
		t.Errorf("two keys, at most one: %v", err)
	}
	if _, err := Fetch(context.Background(), s.URL, Options{MaxResponseSize: 100}); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "more than the 100 allowed") {
		t.Errorf("MaxResponseSize: %v", err)
	}
	s.set(func(s *server) { s.delay = 5 * time.Second })
	start := time.Now()
	if _, err := Fetch(context.Background(), s.URL, Options{FetchTimeout: 100 * time.Millisecond}); !errors.Is(err, ErrFetch) {
		t.Errorf("slow: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Fetch(ctx, s.URL, Options{}); !errors.Is(err, ErrFetch) {
		t.Errorf("cancelled: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if _, err := Fetch(context.Background(), "gopher://x/", Options{}); !errors.Is(err, ErrConfig) {
		t.Errorf("gopher: %v", err)
	}
	if _, err := Fetch(context.Background(), s.URL, Options{FetchTimeout: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative timeout: %v", err)
	}
}

type countingTransport struct {
	rt http.RoundTripper
	n  atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

// Options.HTTPClient is used for every request (here over TLS, with the test server's
// certificate); the package's redirect rule is set on a copy, the caller's client is unchanged.
func TestHTTPClientOption(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(set(t, k)) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	if _, err := New(srv.URL, Options{}); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("the default client trusted the test certificate: %v", err)
	}
	tr := &countingTransport{rt: srv.Client().Transport}
	hc := &http.Client{Transport: tr}
	c, err := New(srv.URL, Options{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := verify(c, sign(t, k)); err != nil {
		t.Fatal(err)
	}
	if tr.n.Load() != 1 || hc.CheckRedirect != nil || c.s.hc.CheckRedirect == nil {
		t.Errorf("%d requests through the given client; CheckRedirect set on it: %v", tr.n.Load(), hc.CheckRedirect != nil)
	}
}
