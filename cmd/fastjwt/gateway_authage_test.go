package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --max-auth-age and a route's max-auth-age refuse a token whose "auth_time" is that old, at
// the gateway, whatever the verifier's leeway (a session cookie past its absolute lifetime).
func TestGatewayMaxAuthAge(t *testing.T) {
	bin := gatewayBinary(t)
	const secret = "max-auth-age-secret-0123456789abcdef"
	young := hs256Token(t, secret, fmt.Sprintf(`"sub":"u","auth_time":%d`, time.Now().Add(-30*time.Minute).Unix()))
	old := hs256Token(t, secret, fmt.Sprintf(`"sub":"u","auth_time":%d`, time.Now().Add(-2*time.Hour).Unix()))
	flags := startGateway(t, bin, []string{"K=" + secret}, "--admin-listen", "off", "--key-env", "K", "--leeway", "1m", "--max-auth-age", "1h")
	conf := filepath.Join(t.TempDir(), "gw.conf")
	writeFile600(t, conf, "[issuer corp]\nkey-env = K\nleeway = 1m\n[route /]\nissuer = corp\nmax-auth-age = 1h\n")
	file := startGateway(t, bin, []string{"K=" + secret}, "--admin-listen", "off", "--config", conf)
	for name, p := range map[string]*gatewayProc{"flags": flags, "config file": file} {
		if got := p.status(young); got != 200 {
			t.Errorf("%s: a token authenticated 30 minutes ago: %d, want 200", name, got)
		}
		if got := p.status(old); got != 401 {
			t.Errorf("%s: a token authenticated 2 hours ago: %d, want 401", name, got)
		}
	}
}

// A leeway longer than the revocation list's grace is refused at start (a revoked token would
// be accepted again within it); --redis-grace says what grace the application's list keeps.
func TestGatewayLeewayAgainstRedisGrace(t *testing.T) {
	r := startRedis(t)
	t.Setenv("K", "max-auth-age-secret-0123456789abcdef")
	var stdout, stderr bytes.Buffer
	code := runGateway([]string{"--listen", "127.0.0.1:0", "--admin-listen", "off", "--key-env", "K",
		"--leeway", "10m", "--redis", r.Addr()}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "grace") {
		t.Fatalf("a 10m leeway against the default 5m grace: exit %d, %q; want %d naming the grace", code, stderr.String(), exitUsage)
	}
	bin := gatewayBinary(t)
	p := startGateway(t, bin, []string{"K=max-auth-age-secret-0123456789abcdef"}, "--admin-listen", "off", "--key-env", "K",
		"--leeway", "10m", "--redis", r.Addr(), "--redis-grace", "15m")
	if got := p.status(hs256Token(t, "max-auth-age-secret-0123456789abcdef", `"sub":"u"`)); got != 200 {
		t.Errorf("with --redis-grace 15m: %d, want 200", got)
	}
}
