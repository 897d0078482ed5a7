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

// TestRoutes checks, through every front, that the route is chosen by the original URI the
// proxy passes (a client cannot choose another), and that the claim headers of every route are
// answered for, so that a proxy copying all of them never passes a client's own.
func TestRoutes(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "gateway.conf")
	if err := os.WriteFile(conf, []byte(routesConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	fronts := []struct {
		name string
		make func(t *testing.T, gw *gatewayProc, up *upstream) front
		// own is the status this front answers for the uriSpoofed case.
		own int
		// proxyMode runs the gateway with --upstream.
		proxyMode bool
	}{
		{"nginx", func(t *testing.T, gw *gatewayProc, up *upstream) front { return nginxFront(t, gw.addr, up.addr) },
			// the snippet replaces X-Original-URI; the client's X-Forwarded-Uri conflicts: 400, made 500
			500, false},
		{"caddy", func(t *testing.T, gw *gatewayProc, up *upstream) front { return caddyFront(t, gw.addr, up.addr) },
			// Caddy replaces X-Forwarded-Uri; the client's X-Original-URI conflicts
			400, false},
		{"traefik", func(t *testing.T, gw *gatewayProc, up *upstream) front { return traefikFront(t, gw.addr, up.addr) },
			400, false},
		{"envoy", func(t *testing.T, gw *gatewayProc, up *upstream) front { return envoyFront(t, gw.addr, up.addr) },
			// Envoy passes neither header: the path chooses the admin route, which refuses the token
			403, false},
		{"reverse-proxy mode", func(t *testing.T, gw *gatewayProc, up *upstream) front {
			return front{name: "the gateway in reverse-proxy mode", base: "http://" + gw.addr}
		}, 403, true},
	}
	for _, fr := range fronts {
		t.Run(fr.name, func(t *testing.T) {
			up := startUpstream(t)
			flags := []string{"--config", conf}
			if fr.proxyMode {
				flags = append(flags, "--upstream", "http://"+up.addr)
			}
			gw := runGateway(t, flags...)
			f := fr.make(t, gw, up)
			answers := map[string]int{uriSpoofed: fr.own}
			for k, v := range f.answers {
				answers[k] = v
			}
			f.answers = answers
			runCases(t, f, up, routeCases())
		})
	}
}
