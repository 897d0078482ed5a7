package gateway

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCaddy runs the documented Caddyfile (forward_auth) in front of the gateway and the
// upstream.
func TestCaddy(t *testing.T) {
	up := startUpstream(t)
	gw := startGateway(t)
	runCases(t, caddyFront(t, gw.addr, up.addr), up, cases())
}

// caddyFront starts caddy with the documented snippet in front of the gateway and the upstream
// at the addresses given (or skips the test when caddy is not installed).
func caddyFront(t *testing.T, gatewayAddr, upstreamAddr string) front {
	t.Helper()
	caddy := needProgram(t, "caddy", "caddy")
	return front{name: "caddy", base: startCaddy(t, caddy, gatewayAddr, upstreamAddr)}
}

// startCaddy runs `caddy run` with the documented site block on a free loopback port (plain
// HTTP, the admin endpoint off, its data and configuration directories in a temporary
// directory), and returns its base URL.
func startCaddy(t *testing.T, caddy, gatewayAddr, upstreamAddr string) string {
	t.Helper()
	dir := t.TempDir()
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	site := substitute(t, "caddy", snippet(t, "caddy"),
		// The site address: plain HTTP on the test's port instead of a domain with automatic HTTPS.
		"app.example.com {", "http://"+listen+" {",
		docGateway, gatewayAddr,
		docUpstream, upstreamAddr,
	)
	conf := "{\n\tadmin off\n}\n\n" + site
	confPath := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(caddy, "run", "--config", confPath, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	p := startProcess(t, "caddy", cmd, nil, syscall.SIGTERM, false)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Caddyfile:\n%s\ncaddy's output:\n%s", conf, p.out)
		}
	})
	p.waitListening(t, listen)
	return "http://" + listen
}
