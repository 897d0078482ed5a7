package gateway

import (
	"net"
	"net/http"
	"net/http/httputil"
	"testing"
)

// TestTraefik checks the gateway against Traefik's forwardAuth middleware, configured as
// docs/gateway.md shows (the address, authResponseHeaders and the headers the headers middleware
// removes are read from it), with a Go client that does what Traefik does.
func TestTraefik(t *testing.T) {
	up := startUpstream(t)
	gw := startGateway(t)
	runCases(t, traefikFront(t, gw.addr, up.addr), up, cases())
}

// traefikFront serves the Traefik contract client, configured by the documented snippet, in
// front of the gateway and the upstream at the addresses given.
func traefikFront(t *testing.T, gatewayAddr, upstreamAddr string) front {
	t.Helper()
	doc := snippet(t, "traefik")
	fa := &traefikForwardAuth{
		removed:             yamlKeys(t, "traefik", doc, "customRequestHeaders:"),
		address:             substitute(t, "traefik", yamlValue(t, "traefik", doc, "address"), docGateway, gatewayAddr),
		authResponseHeaders: yamlList(t, "traefik", doc, "authResponseHeaders:"),
		client:              authClient(),
		next:                toUpstream(upstreamAddr),
	}
	return front{name: "traefik", base: serveFront(t, fa)}
}

// traefikForwardAuth is Traefik's forwardAuth middleware (pkg/middlewares/auth/forward.go) with
// trustForwardHeader false and no authRequestHeaders: every header of the client's request
// (Traefik is a Go server: names arrive in canonical form) less hop-by-hop ones, plus
// X-Forwarded-For/-Method/-Proto/-Host/-Uri, goes to the address in a GET without a body; a 2xx
// lets the request through after, for each of authResponseHeaders, deleting the request's header
// and copying the answer's; any other answer goes to the client with its headers and body.
type traefikForwardAuth struct {
	// removed are the headers the headers middleware before forwardAuth removes
	// (customRequestHeaders with an empty value).
	removed             []string
	address             string
	authResponseHeaders []string
	client              *http.Client
	next                *httputil.ReverseProxy
}

func (f *traefikForwardAuth) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	for _, h := range f.removed {
		req.Header.Del(h)
	}
	check, err := http.NewRequestWithContext(req.Context(), http.MethodGet, f.address, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for k, vs := range req.Header {
		check.Header[k] = append([]string(nil), vs...)
	}
	for _, h := range hopByHop {
		check.Header.Del(h)
	}
	if ip, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		check.Header.Set("X-Forwarded-For", ip)
	}
	check.Header.Set("X-Forwarded-Method", req.Method)
	check.Header.Set("X-Forwarded-Proto", "http")
	check.Header.Set("X-Forwarded-Host", req.Host)
	check.Header.Set("X-Forwarded-Uri", req.URL.RequestURI())
	resp, err := f.client.Do(check)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError) // Traefik's answer when the address cannot be reached
		return
	}
	body, err := readAnswer(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		relayRefusal(w, resp, body)
		return
	}
	for _, name := range f.authResponseHeaders {
		key := http.CanonicalHeaderKey(name)
		req.Header.Del(key)
		if vs := resp.Header[key]; len(vs) > 0 {
			req.Header[key] = append([]string(nil), vs...)
		}
	}
	f.next.ServeHTTP(w, req)
}
