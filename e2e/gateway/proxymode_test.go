package gateway

import "testing"

// TestReverseProxyMode runs the cases against the gateway itself with --upstream: it verifies,
// then proxies to the upstream.
func TestReverseProxyMode(t *testing.T) {
	up := startUpstream(t)
	gw := startGateway(t, "--upstream", "http://"+up.addr)
	runCases(t, front{name: "the gateway in reverse-proxy mode", base: "http://" + gw.addr}, up, cases())
}
