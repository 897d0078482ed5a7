package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"
)

// Pieces the Traefik and Envoy contract clients share: forwarding an allowed request to the
// upstream, and answering a refused one with the gateway's answer.

// hopByHop are the headers a proxy does not forward (RFC 9110 sec. 7.6.1, and those Go's and
// Traefik's proxies drop).
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Connection"}

// toUpstream returns a reverse proxy to the upstream at addr.
func toUpstream(addr string) *httputil.ReverseProxy {
	target := &url.URL{Scheme: "http", Host: addr}
	return &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport: &http.Transport{ResponseHeaderTimeout: 10 * time.Second},
	}
}

// authClient is the proxies' client to the gateway: bounded, never following a redirect (the
// answer goes to the client as it is).
func authClient() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// relayRefusal writes the gateway's refusal to the client: status, headers (less hop-by-hop
// ones) and body.
func relayRefusal(w http.ResponseWriter, resp *http.Response, body []byte) {
	for k, vs := range resp.Header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	for _, h := range append(hopByHop, "Content-Length") {
		w.Header().Del(h)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// serveFront serves h on a loopback port until the test ends and returns its base URL.
func serveFront(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// readAnswer reads the gateway's answer to a check, bounded.
func readAnswer(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}
