package gateway

import (
	"net/http"
	"net/http/httputil"
	"slices"
	"strings"
	"testing"
)

// TestEnvoy checks the gateway against Envoy's HTTP ext_authz filter, configured as
// docs/gateway.md shows (server_uri, path_prefix, allowed_upstream_headers and
// headers_with_underscores_action are read from it),
// with a Go client that does what Envoy does.
func TestEnvoy(t *testing.T) {
	up := startUpstream(t)
	gw := startGateway(t)
	runCases(t, envoyFront(t, gw.addr, up.addr), up, cases())

	// Envoy copies only the headers present in a 200; the claim header of a claim the token
	// lacks must be named for removal, or a client's own header would reach the upstream.
	t.Run("x-envoy-auth-headers-to-remove names an absent claim's header", func(t *testing.T) {
		resp, body := send(t, newClient(t), "http://"+gw.addr+yamlValue(t, "envoy", snippet(t, "envoy"), "path_prefix"),
			proxyCase{headers: []header{bearer(tokenWithoutSub())}})
		if resp.StatusCode != 200 {
			t.Fatalf("status %d, want 200\n%s", resp.StatusCode, body)
		}
		var names []string
		for _, v := range resp.Header.Values("x-envoy-auth-headers-to-remove") {
			for _, n := range strings.Split(v, ",") {
				names = append(names, strings.ToLower(strings.TrimSpace(n)))
			}
		}
		if !slices.Contains(names, "x-user") || slices.Contains(names, "x-role") {
			t.Errorf("x-envoy-auth-headers-to-remove %q, want x-user (the token has no sub) and not x-role", names)
		}
	})
}

// envoyFront serves the Envoy contract client, configured by the documented snippet, in front
// of the gateway and the upstream at the addresses given.
func envoyFront(t *testing.T, gatewayAddr, upstreamAddr string) front {
	t.Helper()
	doc := snippet(t, "envoy")
	var allowed []string
	for _, p := range yamlList(t, "envoy", doc, "patterns:") {
		name, ok := strings.CutPrefix(p, "exact: ")
		if !ok {
			t.Fatalf("envoy snippet: allowed_upstream_headers pattern %q is not an exact match", p)
		}
		allowed = append(allowed, name)
	}
	ea := &envoyExtAuthz{
		dropUnderscores: yamlValue(t, "envoy-hcm", snippet(t, "envoy-hcm"), "headers_with_underscores_action") == "DROP_HEADER",
		server:          substitute(t, "envoy", yamlValue(t, "envoy", doc, "uri"), docGateway, gatewayAddr),
		pathPrefix:      yamlValue(t, "envoy", doc, "path_prefix"),
		allowed:         allowed,
		client:          authClient(),
		next:            toUpstream(upstreamAddr),
	}
	return front{
		name: "envoy",
		base: serveFront(t, ea),
		// Envoy does not pass Cookie to the check unless allowed_headers names it, which the
		// documented filter does not: a cookie alone is no token, and with a header only the
		// header counts.
		answers: map[string]int{cookieOnly: 401, cookieAndHeader: 200},
	}
}

// envoyExtAuthz is Envoy's ext_authz HTTP filter with an http_service (the defaults of
// authorization_request and allowed_client_headers, allowed_upstream_headers as configured).
// Envoy keeps header names in lower case whatever the client wrote. The check request has the
// original method and path_prefix + the original path (with its query), and only the headers
// Envoy always forwards: Host, Authorization and Content-Length (no body). Only 200 allows: then
// the answer's headers matched by allowed_upstream_headers replace the request's, and the headers
// named in x-envoy-auth-headers-to-remove are removed. Any other answer goes to the client with
// its status, headers and body.
type envoyExtAuthz struct {
	// dropUnderscores is the connection manager's headers_with_underscores_action: DROP_HEADER.
	dropUnderscores bool
	server          string // server_uri's uri: "http://host:port"
	pathPrefix      string
	allowed         []string // exact, lower-case header names
	client          *http.Client
	next            *httputil.ReverseProxy
}

func (e *envoyExtAuthz) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	headers := map[string][]string{}
	for k, vs := range req.Header {
		if e.dropUnderscores && strings.Contains(k, "_") {
			continue
		}
		lk := strings.ToLower(k)
		headers[lk] = append(headers[lk], vs...)
	}
	// Framing and hop-by-hop headers are Envoy's own business, not passed in the header map (Go's
	// transport writes the lower-case names of a map as they are, so they must go).
	for _, h := range append(hopByHop, "Content-Length") {
		delete(headers, strings.ToLower(h))
	}
	check, err := http.NewRequestWithContext(req.Context(), req.Method, e.server+e.pathPrefix+req.URL.RequestURI(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden) // status_on_error's default
		return
	}
	check.Host = req.Host
	check.Header["authorization"] = headers["authorization"]
	check.ContentLength = 0
	resp, err := e.client.Do(check)
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	body, err := readAnswer(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if resp.StatusCode != http.StatusOK {
		relayRefusal(w, resp, body)
		return
	}
	for _, name := range e.allowed {
		if vs := resp.Header.Values(name); len(vs) > 0 {
			headers[name] = append([]string(nil), vs...)
		}
	}
	for _, v := range resp.Header.Values("x-envoy-auth-headers-to-remove") {
		for _, name := range strings.Split(v, ",") {
			delete(headers, strings.ToLower(strings.TrimSpace(name)))
		}
	}
	out := req.Clone(req.Context())
	out.Header = headers // lower-case names, sent as they are
	e.next.ServeHTTP(w, out)
}
