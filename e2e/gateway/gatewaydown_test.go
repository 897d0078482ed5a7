package gateway

import "testing"

// TestGatewayDown checks that every front fails closed: once the gateway has stopped, a request
// with a valid token is refused and never reaches the upstream.
func TestGatewayDown(t *testing.T) {
	fronts := []struct {
		name string
		make func(t *testing.T, gw *gatewayProc, up *upstream) front
		// status is what the front answers when it cannot reach the gateway.
		status int
	}{
		{"nginx", func(t *testing.T, gw *gatewayProc, up *upstream) front { return nginxFront(t, gw.addr, up.addr) }, 500},
		{"caddy", func(t *testing.T, gw *gatewayProc, up *upstream) front { return caddyFront(t, gw.addr, up.addr) }, 502},
		// Traefik answers 500 when the auth address cannot be reached; Envoy answers
		// status_on_error, 403 by default, with failure_mode_allow false as documented.
		{"traefik", func(t *testing.T, gw *gatewayProc, up *upstream) front { return traefikFront(t, gw.addr, up.addr) }, 500},
		{"envoy", func(t *testing.T, gw *gatewayProc, up *upstream) front { return envoyFront(t, gw.addr, up.addr) }, 403},
	}
	for _, fr := range fronts {
		t.Run(fr.name, func(t *testing.T) {
			up := startUpstream(t)
			gw := startGateway(t)
			f := fr.make(t, gw, up)
			valid := proxyCase{name: "valid token", headers: []header{bearer(validToken())}, status: 200, user: "alice", role: "admin"}
			runCases(t, f, up, []proxyCase{valid})
			gw.stop(t)
			valid.name, valid.status = "valid token, the gateway stopped", fr.status
			f.refusal, f.answers = nil, nil
			runCases(t, f, up, []proxyCase{valid})
		})
	}
}
