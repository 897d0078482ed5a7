package gateway

import (
	"fmt"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

// TestRevocationsUnavailable checks what a client gets through every front when the gateway
// checks revocations on Redis (--redis) and Redis stops answering: the gateway fails closed with
// 503 and Retry-After, the front passes it on (nginx turns it into 500), and the upstream is
// not reached, even for a token accepted a moment before.
func TestRevocationsUnavailable(t *testing.T) {
	redis := needProgram(t, "redis-server", "redis-server")
	fronts := []struct {
		name string
		make func(t *testing.T, gw *gatewayProc, up *upstream) front
		// status is what the client gets for the gateway's 503; retryAfter, whether the
		// gateway's Retry-After reaches it.
		status     int
		retryAfter bool
	}{
		{"nginx", func(t *testing.T, gw *gatewayProc, up *upstream) front { return nginxFront(t, gw.addr, up.addr) }, 500, false},
		{"caddy", func(t *testing.T, gw *gatewayProc, up *upstream) front { return caddyFront(t, gw.addr, up.addr) }, 503, true},
		{"traefik", func(t *testing.T, gw *gatewayProc, up *upstream) front { return traefikFront(t, gw.addr, up.addr) }, 503, true},
		{"envoy", func(t *testing.T, gw *gatewayProc, up *upstream) front { return envoyFront(t, gw.addr, up.addr) }, 503, true},
		{"reverse-proxy mode", nil, 503, true},
	}
	n := 0
	// token returns a valid token of a subject and ID never used before, so that no answer about
	// it can have been cached.
	token := func() string {
		n++
		id := "carol-" + strconv.Itoa(n)
		return sign(secret, claims(map[string]any{"sub": id, "jti": id}))
	}
	for _, fr := range fronts {
		t.Run(fr.name, func(t *testing.T) {
			rport := freePort(t)
			raddr := fmt.Sprintf("127.0.0.1:%d", rport)
			rcmd := exec.Command(redis, "--port", strconv.Itoa(rport), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--dir", t.TempDir())
			rp := startProcess(t, "redis-server", rcmd, nil, syscall.SIGTERM, false)
			rp.waitListening(t, raddr)

			up := startUpstream(t)
			var gw *gatewayProc
			var f front
			if fr.make == nil {
				gw = startGateway(t, "--redis", raddr, "--upstream", "http://"+up.addr)
				f = front{name: "the gateway in reverse-proxy mode", base: "http://" + gw.addr}
			} else {
				gw = startGateway(t, "--redis", raddr)
				f = fr.make(t, gw, up)
			}
			client := newClient(t)
			before := token()
			check := func(name, tok string, want int) {
				t.Helper()
				hits := up.count()
				resp, body := send(t, client, f.base, proxyCase{headers: []header{bearer(tok)}})
				if resp.StatusCode != want {
					t.Fatalf("%s: status %d, want %d\nheaders: %v\nbody: %s", name, resp.StatusCode, want, resp.Header, body)
				}
				reached := up.count() - hits
				if want == 200 && reached != 1 || want != 200 && reached != 0 {
					t.Errorf("%s: status %d, and the upstream was reached %d times", name, want, reached)
				}
				if want != 200 && fr.retryAfter && resp.Header.Get("Retry-After") == "" {
					t.Errorf("%s: %d without Retry-After\nheaders: %v", name, want, resp.Header)
				}
			}
			check("Redis up", before, 200)
			rp.stop(t)
			check("Redis stopped, a new token", token(), fr.status)
			check("Redis stopped, the token accepted before", before, fr.status)
		})
	}
}
