package gateway

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNginx runs the documented nginx snippet (auth_request) in front of the gateway and the
// upstream.
func TestNginx(t *testing.T) {
	up := startUpstream(t)
	gw := startGateway(t)
	f := nginxFront(t, gw.addr, up.addr)
	runCases(t, f, up, cases())

	t.Run("the auth location is internal", func(t *testing.T) {
		before := up.count()
		resp, body := send(t, newClient(t), f.base, proxyCase{path: "/_fastjwt", headers: []header{bearer(validToken())}})
		if resp.StatusCode != 404 || up.count() != before {
			t.Errorf("GET /_fastjwt: status %d (want 404), upstream reached %d times\n%s", resp.StatusCode, up.count()-before, body)
		}
	})
}

// nginxFront starts nginx with the documented snippet in front of the gateway and the upstream
// at the addresses given (or skips the test when nginx is not installed).
func nginxFront(t *testing.T, gatewayAddr, upstreamAddr string) front {
	t.Helper()
	nginx := needProgram(t, "nginx", "nginx")
	return front{
		name:    "nginx",
		base:    startNginx(t, nginx, gatewayAddr, upstreamAddr),
		refusal: nginxRefusal,
		// nginx refuses a request with two Authorization lines itself ("client sent duplicate
		// header line"), before any subrequest.
		answers: map[string]int{twoAuthorizations: 400},
	}
}

// nginxRefusal is what nginx's auth_request makes of the gateway's refusals: 401 and 403 pass
// (401 with the gateway's WWW-Authenticate), anything else becomes 500.
func nginxRefusal(status int) int {
	if status == 401 || status == 403 {
		return status
	}
	return 500
}

// startNginx runs nginx in the foreground (no daemon, no master process) with the documented
// server block on a free loopback port, every file it writes in a temporary directory, and
// returns its base URL.
func startNginx(t *testing.T, nginx, gatewayAddr, upstreamAddr string) string {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	server := substitute(t, "nginx", snippet(t, "nginx"),
		"listen 80;", "listen "+listen+";",
		docGateway, gatewayAddr,
		docUpstream, upstreamAddr,
	)
	// The snippet is a server block, which goes in the http block of nginx.conf; the rest is
	// what a test needs: foreground, files under dir, no port 80 anywhere.
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events {
    worker_connections 256;
}
http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;

%[2]s}
`, dir, indent(server, "    "))
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// -e: the error log from the start, before the configuration names one (the compiled-in
	// default is under /var/log, which a test must not need).
	cmd := exec.Command(nginx, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	p := startProcess(t, "nginx", cmd, nil, syscall.SIGQUIT, false)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx.conf:\n%s\nerror.log:\n%s", conf, b)
		}
	})
	p.waitListening(t, listen)
	return "http://" + listen
}

// indent prefixes every non-empty line of s with prefix.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
