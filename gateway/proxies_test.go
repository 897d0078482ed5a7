package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The request shapes of the proxies that cannot run here (Traefik and Envoy are not packaged),
// sent by Go clients exactly as those proxies send them.

// TestTraefikShape: Traefik's forwardAuth sends a GET to the address with the client's headers
// and X-Forwarded-Method, -Proto, -Host, -Uri and -For, and copies authResponseHeaders from a 2xx
// answer into the forwarded request.
func TestTraefikShape(t *testing.T) {
	addr := serve(t, NewServer(newGateway(t, testConfig(t, nil))))
	admin := mint(t, `"sub":"root","aud":"admin","role":"ops"`)
	for _, tc := range []struct {
		uri, auth, cookie string
		status            int
		user              string
	}{
		{"/admin/panel?tab=1", "Bearer " + admin, "", 200, "root"},
		{"/admin/panel", "", "tok=" + admin, 200, "root"},
		{"/shop/cart", "Bearer " + admin, "", 403, ""},
		{"/shop/cart", "", "", 401, ""},
	} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/auth", nil)
		req.Header.Set("X-Forwarded-Method", "POST")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "site.example")
		req.Header.Set("X-Forwarded-Uri", tc.uri)
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		req.Header.Set("User-Agent", "Mozilla/5.0")
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-User", "mallory")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		if tc.cookie != "" {
			req.Header.Set("Cookie", "theme=dark; "+tc.cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("X-User") != tc.user {
			t.Errorf("%s: %d X-User %q, want %d %q", tc.uri, resp.StatusCode, resp.Header.Get("X-User"), tc.status, tc.user)
		}
		if tc.status == 200 {
			if resp.Header.Get("X-Role") != "ops" || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private, max-age=") {
				t.Errorf("%s: %v", tc.uri, resp.Header)
			}
		} else if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Values("X-User") != nil {
			t.Errorf("%s: %v", tc.uri, resp.Header)
		}
	}
}

// TestEnvoyShape: Envoy's HTTP ext_authz service (path_prefix "/ext-authz") gets the original
// method and path appended to the prefix, its allowed headers (lower case, over HTTP/1.1 here),
// and x-forwarded-proto, x-request-id, x-envoy-expected-rq-timeout-ms. On 200 it copies the
// allowed upstream headers and removes those named in x-envoy-auth-headers-to-remove; otherwise
// it sends the answer to the client.
func TestEnvoyShape(t *testing.T) {
	addr := serve(t, NewServer(newGateway(t, testConfig(t, nil))))
	good := mint(t, `"sub":"alice"`)
	for _, tc := range []struct {
		method, path, auth string
		status             int
	}{
		{"POST", "/api/orders?id=7", "Bearer " + good, 200},
		{"DELETE", "/admin/users/1", "Bearer " + good, 403},
		{"GET", "/", "", 401},
		{"GET", "/api/../admin/", "Bearer " + good, 400},
	} {
		lines := []string{"x-forwarded-proto: https", "x-request-id: 6d7c1d50-7a2b-4c8e-9a2d-1f2e3d4c5b6a",
			"x-envoy-expected-rq-timeout-ms: 200", "content-length: 0", "x-user: mallory"}
		if tc.auth != "" {
			lines = append(lines, "authorization: "+tc.auth)
		}
		a := roundTrip(t, addr, tc.method, "/ext-authz"+tc.path, lines...)
		if a.status != tc.status {
			t.Fatalf("%s %s: %d, want %d", tc.method, tc.path, a.status, tc.status)
		}
		if tc.status == 200 {
			if a.get(t, "X-User") != "alice" || a.get(t, envoyRemove) != "x-role" {
				t.Errorf("%s: %q", tc.path, a.lines)
			}
		} else if len(a.values("X-User")) != 0 || len(a.values(envoyRemove)) != 0 {
			t.Errorf("%s: %q", tc.path, a.lines)
		}
	}
}
