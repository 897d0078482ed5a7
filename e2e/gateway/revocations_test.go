package gateway

import (
	"fmt"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
)

// The tests of an unavailable revocation list, one per front: the gateway checks revocations on
// Redis (--redis) and Redis stops answering; the gateway fails closed with 503 and Retry-After,
// the front passes it on (nginx turns it into 500, without Retry-After), and the upstream is not
// reached, even for a token accepted a moment before.
func TestRevocationsUnavailableNginx(t *testing.T) {
	testRevocationsUnavailable(t, nginxKind, false, 500, false)
}

func TestRevocationsUnavailableCaddy(t *testing.T) {
	testRevocationsUnavailable(t, caddyKind, false, 503, true)
}

func TestRevocationsUnavailableTraefik(t *testing.T) {
	testRevocationsUnavailable(t, traefikKind, false, 503, true)
}

func TestRevocationsUnavailableEnvoy(t *testing.T) {
	testRevocationsUnavailable(t, envoyKind, false, 503, true)
}

func TestRevocationsUnavailableReverseProxy(t *testing.T) {
	testRevocationsUnavailable(t, reverseProxyKind, true, 503, true)
}

// tokenSeq numbers the subjects of unavailableToken.
var tokenSeq atomic.Int64

// unavailableToken returns a valid token of a subject and ID never used before, so that no
// answer about it can have been cached.
func unavailableToken() string {
	id := "carol-" + strconv.FormatInt(tokenSeq.Add(1), 10)
	return sign(secret, claims(map[string]any{"sub": id, "jti": id}))
}

// testRevocationsUnavailable runs the check through a front of kind; status is what the client
// gets for the gateway's 503, retryAfter whether the gateway's Retry-After reaches it.
func testRevocationsUnavailable(t *testing.T, kind frontKind, proxyMode bool, status int, retryAfter bool) {
	redis := needProgram(t, "redis-server", "redis-server")
	rport := freePort(t)
	raddr := fmt.Sprintf("127.0.0.1:%d", rport)
	rcmd := exec.Command(redis, "--port", strconv.Itoa(rport), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	rp := startProcess(t, "redis-server", rcmd, nil, syscall.SIGTERM, false)
	rp.waitListening(t, raddr)

	up := startUpstream(t)
	flags := []string{"--redis", raddr}
	if proxyMode {
		flags = append(flags, "--upstream", "http://"+up.addr)
	}
	gw := startGateway(t, flags...)
	f := kind(t, gw, up)
	client := newClient(t)
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
		if want != 200 && retryAfter && resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d without Retry-After\nheaders: %v", name, want, resp.Header)
		}
	}
	before := unavailableToken()
	check("Redis up", before, 200)
	rp.stop(t)
	check("Redis stopped, a new token", unavailableToken(), status)
	check("Redis stopped, the token accepted before", before, status)
}
