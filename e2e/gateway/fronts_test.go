package gateway

import "testing"

// frontKind starts one kind of front in front of a running gateway and upstream. Tests that run
// with every kind have one top-level test function per kind, so that a kind skipped for a
// missing program (nginx, caddy) is reported as a test of its own.
type frontKind func(t *testing.T, gw *gatewayProc, up *upstream) front

func nginxKind(t *testing.T, gw *gatewayProc, up *upstream) front {
	return nginxFront(t, gw.addr, up.addr)
}

func caddyKind(t *testing.T, gw *gatewayProc, up *upstream) front {
	return caddyFront(t, gw.addr, up.addr)
}

func traefikKind(t *testing.T, gw *gatewayProc, up *upstream) front {
	return traefikFront(t, gw.addr, up.addr)
}

func envoyKind(t *testing.T, gw *gatewayProc, up *upstream) front {
	return envoyFront(t, gw.addr, up.addr)
}

// reverseProxyKind is the gateway itself, started with --upstream.
func reverseProxyKind(t *testing.T, gw *gatewayProc, up *upstream) front {
	return front{name: "the gateway in reverse-proxy mode", base: "http://" + gw.addr}
}
