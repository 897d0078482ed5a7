package gateway

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestAdminListener: /healthz, /readyz and /metrics answer on --admin-listen only. On the public
// listener forward-auth mode answers them 404, and reverse-proxy mode proxies them, verified,
// to the upstream (whose own /metrics or /healthz stays reachable). /readyz's details of a
// failure (here Redis's address) appear on the admin listener only.
func TestAdminListener(t *testing.T) {
	redis := needProgram(t, "redis-server", "redis-server")
	for _, mode := range []string{"forward-auth", "reverse-proxy"} {
		t.Run(mode, func(t *testing.T) {
			rport := freePort(t)
			raddr := fmt.Sprintf("127.0.0.1:%d", rport)
			rcmd := exec.Command(redis, "--port", strconv.Itoa(rport), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--dir", t.TempDir())
			rp := startProcess(t, "redis-server", rcmd, nil, syscall.SIGTERM, false)
			rp.waitListening(t, raddr)
			up := startUpstream(t)
			flags := []string{"--redis", raddr}
			if mode == "reverse-proxy" {
				flags = append(flags, "--upstream", "http://"+up.addr)
			}
			gw := startGateway(t, flags...)
			if gw.admin == "" || gw.admin == "off" || gw.admin == gw.addr {
				t.Fatalf("the listening line gives the admin address %q (public %q)", gw.admin, gw.addr)
			}
			tok := validToken()

			for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
				resp, body := getWith(t, "http://"+gw.admin+path, "")
				if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("admin %s: %d %q", path, resp.StatusCode, body)
				}
				if path == "/metrics" && !strings.Contains(body, "# TYPE fastjwt_gateway_requests_total counter") {
					t.Errorf("admin /metrics:\n%s", body)
				}
				hits := up.count()
				resp, body = getWith(t, "http://"+gw.addr+path, tok)
				switch mode {
				case "forward-auth":
					if resp.StatusCode != 404 || strings.Contains(body, "fastjwt_gateway") || body == "ok\n" {
						t.Errorf("public %s: %d %q, want 404", path, resp.StatusCode, body)
					}
				case "reverse-proxy":
					var seen seenRequest
					if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &seen) != nil || seen.URI != path || up.count() != hits+1 {
						t.Errorf("public %s: %d %q, want the upstream's answer", path, resp.StatusCode, body)
					}
					if resp, _ := getWith(t, "http://"+gw.addr+path, ""); resp.StatusCode != 401 {
						t.Errorf("public %s without a token: %d, want 401", path, resp.StatusCode)
					}
				}
			}
			if resp, _ := getWith(t, "http://"+gw.admin+"/auth", tok); resp.StatusCode != 404 {
				t.Errorf("admin /auth: %d, want 404", resp.StatusCode)
			}

			rp.stop(t)
			resp, body := getWith(t, "http://"+gw.admin+"/readyz", "")
			if resp.StatusCode != 503 || !strings.Contains(body, "redis") {
				t.Errorf("admin /readyz with Redis stopped: %d %q", resp.StatusCode, body)
			}
			resp, body = getWith(t, "http://"+gw.addr+"/readyz", tok)
			if strings.Contains(body, raddr) || strings.Contains(body, "not ready") {
				t.Errorf("public /readyz with Redis stopped: %d %q", resp.StatusCode, body)
			}
		})
	}
}
