package gateway

import (
	"os"
	"path/filepath"
	"testing"
)

// routesConfig is a gateway configuration (--config) with two routes that forward different
// claims: the default route sends sub as X-User, the /admin/ route (another audience) sends role
// as X-Role. A proxy configured for both headers must never pass a client's own value of the
// header the chosen route does not send.
const routesConfig = `[issuer test]
key-env = ` + keyEnv + `

[route /]
issuer = test
aud = ` + audience + `
claim-header = sub=X-User

[route /admin/]
issuer = test
aud = ` + adminAudience + `
claim-header = role=X-Role
`

// adminAudience is the audience of the /admin/ route.
const adminAudience = "admin.example.com"

func adminToken() string { return sign(secret, claims(map[string]any{"aud": adminAudience})) }

// uriSpoofed is the name of the case where the client names another route in the headers the
// proxies use to pass the original URI.
const uriSpoofed = "admin route, api token, the client's own URI headers naming the default route"

// routeCases are the checks of route selection by the original URI, through a front.
func routeCases() []proxyCase {
	return []proxyCase{
		{name: "default route, api token, client's X-Role", headers: []header{bearer(validToken()), {"X-Role", spoofed}},
			status: 200, user: "alice", role: ""},
		{name: "admin route, admin token, client's x-user", path: "/admin/users", headers: []header{bearer(adminToken()), {"x-user", spoofed}},
			status: 200, user: "", role: "admin"},
		{name: "admin route, api token", path: "/admin/users", headers: []header{bearer(validToken())}, status: 403},
		{name: "default route, admin token", headers: []header{bearer(adminToken())}, status: 403},
		{name: "admin route percent-encoded, api token", path: "/%61dmin/users", headers: []header{bearer(validToken())}, status: 403},
		{name: uriSpoofed, path: "/admin/users",
			headers: []header{bearer(validToken()), {"X-Forwarded-Uri", "/api/items"}, {"X-Original-URI", "/api/items"}},
			status:  400},
	}
}

// The route tests, one per front: the route is chosen by the original URI the proxy passes (a
// client cannot choose another), and the claim headers of every route are answered for, so that a
// proxy copying all of them never passes a client's own. The status is what the front answers
// for the uriSpoofed case.
func TestRoutesNginx(t *testing.T) {
	// the snippet replaces X-Original-URI; the client's X-Forwarded-Uri conflicts: 400, made 500
	testRoutes(t, nginxKind, false, 500)
}

func TestRoutesCaddy(t *testing.T) {
	// Caddy replaces X-Forwarded-Uri; the client's X-Original-URI conflicts
	testRoutes(t, caddyKind, false, 400)
}

func TestRoutesTraefik(t *testing.T) { testRoutes(t, traefikKind, false, 400) }

func TestRoutesEnvoy(t *testing.T) {
	// Envoy passes neither header: the path chooses the admin route, which refuses the token
	testRoutes(t, envoyKind, false, 403)
}

func TestRoutesReverseProxy(t *testing.T) { testRoutes(t, reverseProxyKind, true, 403) }

// testRoutes runs routeCases through a front of kind over a gateway with routesConfig (and
// --upstream in proxy mode).
func testRoutes(t *testing.T, kind frontKind, proxyMode bool, spoofedStatus int) {
	conf := filepath.Join(t.TempDir(), "gateway.conf")
	if err := os.WriteFile(conf, []byte(routesConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	up := startUpstream(t)
	flags := []string{"--config", conf}
	if proxyMode {
		flags = append(flags, "--upstream", "http://"+up.addr)
	}
	gw := runGateway(t, flags...)
	f := kind(t, gw, up)
	answers := map[string]int{uriSpoofed: spoofedStatus}
	for k, v := range f.answers {
		answers[k] = v
	}
	f.answers = answers
	runCases(t, f, up, routeCases())
}
