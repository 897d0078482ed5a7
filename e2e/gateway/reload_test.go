package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestReloadBehindNginx rotates the gateway's key with SIGHUP while nginx keeps sending it
// subrequests over kept-alive connections: no request in flight fails during the reloads, and
// after the rotation the new key's tokens pass and the old key's are refused.
func TestReloadBehindNginx(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "hs256.key")
	if err := os.WriteFile(keyFile, append(secret, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	up := startUpstream(t)
	gw := runGateway(t, "--key-file", keyFile, "--aud", audience, "--claim-header", "sub=X-User", "--claim-header", "role=X-Role")
	f := nginxFront(t, gw.addr, up.addr)
	client := newClient(t)

	// A steady stream of requests with a valid token while the gateway reloads the same key
	// three times: every one must pass.
	tok := validToken()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sent int
	var failures []string
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, body, err := sendErr(client, f.base, proxyCase{headers: []header{bearer(tok)}})
				mu.Lock()
				sent++
				if err != nil {
					failures = append(failures, err.Error())
				} else if resp.StatusCode != 200 {
					failures = append(failures, resp.Status+": "+string(body))
				}
				mu.Unlock()
			}
		}()
	}
	// sentAtLeast waits (bounded) until n requests of the stream have been answered, so that
	// each reload happens in the middle of it.
	sentAtLeast := func(n int) {
		deadline := time.Now().Add(startTimeout)
		for {
			mu.Lock()
			done := sent
			mu.Unlock()
			if done >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d requests answered in %v", done, startTimeout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i := 1; i <= 3; i++ {
		sentAtLeast(50 * i)
		reload(t, gw, i)
	}
	sentAtLeast(200)
	close(stop)
	wg.Wait()
	t.Logf("%d requests during three reloads", sent)
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed while the gateway reloaded; first: %s", len(failures), sent, failures[0])
	}

	// Rotate: the file now holds another secret.
	if err := os.WriteFile(keyFile, append(otherSecret, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	reload(t, gw, 4)
	runCases(t, f, up, []proxyCase{
		{name: "the new key's token", headers: []header{bearer(otherKeyToken())}, status: 200, user: "alice", role: "admin"},
		{name: "the old key's token", headers: []header{bearer(validToken())}, status: 401, challenge: `error="invalid_token"`},
	})
}

// reload sends SIGHUP to the gateway and waits (bounded) for its n-th "reloaded" log line.
func reload(t *testing.T, gw *gatewayProc, n int) {
	t.Helper()
	if err := gw.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(startTimeout)
	for strings.Count(gw.out.String(), `"msg":"reloaded"`) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no \"reloaded\" log line %d within %v of SIGHUP\noutput:\n%s", n, startTimeout, gw.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
