package gateway

import "testing"

// The fail-closed tests, one per front: once the gateway has stopped, a request with a valid
// token is refused and never reaches the upstream. The status is what the front answers when it
// cannot reach the gateway.
func TestGatewayDownNginx(t *testing.T) { testGatewayDown(t, nginxKind, 500) }

func TestGatewayDownCaddy(t *testing.T) { testGatewayDown(t, caddyKind, 502) }

// Traefik answers 500 when the auth address cannot be reached.
func TestGatewayDownTraefik(t *testing.T) { testGatewayDown(t, traefikKind, 500) }

// Envoy answers status_on_error, 403 by default, with failure_mode_allow false as documented.
func TestGatewayDownEnvoy(t *testing.T) { testGatewayDown(t, envoyKind, 403) }

func testGatewayDown(t *testing.T, kind frontKind, status int) {
	up := startUpstream(t)
	gw := startGateway(t)
	f := kind(t, gw, up)
	valid := proxyCase{name: "valid token", headers: []header{bearer(validToken())}, status: 200, user: "alice", role: "admin"}
	runCases(t, f, up, []proxyCase{valid})
	gw.stop(t)
	valid.name, valid.status = "valid token, the gateway stopped", status
	f.refusal, f.answers = nil, nil
	runCases(t, f, up, []proxyCase{valid})
}
