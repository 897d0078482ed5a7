package gateway

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fastjwt/session/bearer"
)

// unionConfig has two routes with different claim headers: "/" sets X-User, "/admin/" X-Role.
func unionConfig(t *testing.T) Config {
	cfg := testConfig(t, nil)
	cfg.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "X-User"}}
	cfg.Routes[1].ClaimHeaders = []bearer.Forward{{Claim: "role", Header: "X-Role"}}
	return cfg
}

// TestClaimUnion: an allowing answer covers the claim headers of every route, since the proxy
// copies them all whichever route decided; reverse-proxy mode strips them all.
func TestClaimUnion(t *testing.T) {
	addr := serve(t, NewServer(newGateway(t, unionConfig(t))))
	tok := mint(t, `"sub":"alice","role":"ops"`)
	a := roundTrip(t, addr, "GET", "/auth", "X-Forwarded-Uri: /shop", "X-Role: boss", "Authorization: Bearer "+tok)
	if a.status != 200 || a.get(t, "X-User") != "alice" || a.get(t, "X-Role") != "" {
		t.Errorf("/auth on /: %d %q", a.status, a.lines)
	}
	a = roundTrip(t, addr, "GET", "/ext-authz/shop", "x-role: boss", "authorization: Bearer "+tok)
	if a.status != 200 || a.get(t, "X-User") != "alice" || a.get(t, envoyRemove) != "x-role" || len(a.values("X-Role")) != 0 {
		t.Errorf("/ext-authz on /: %d %q", a.status, a.lines)
	}
	admin := mint(t, `"aud":"admin","role":"ops"`)
	a = roundTrip(t, addr, "GET", "/ext-authz/admin/x", "x-user: mallory", "authorization: Bearer "+admin)
	if a.status != 200 || a.get(t, "X-Role") != "ops" || a.get(t, envoyRemove) != "x-user" {
		t.Errorf("/ext-authz on /admin/: %d %q", a.status, a.lines)
	}

	var hits atomic.Int64
	cfg := unionConfig(t)
	cfg.Upstream = echoUpstream(t, &hits)
	paddr := serve(t, NewServer(newGateway(t, cfg)))
	a = roundTrip(t, paddr, "GET", "/shop", "X-Role: boss", "x_role: boss", "Authorization: Bearer "+tok)
	if a.status != 200 || !strings.Contains(a.body, "X-User: alice\n") || strings.Contains(a.body, "boss") {
		t.Errorf("proxy on /: %d\n%s", a.status, a.body)
	}
}
