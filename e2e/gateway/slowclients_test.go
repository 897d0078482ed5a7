package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Slow and idle clients against the compiled gateway: a flood of connections that declare a
// body and never send it, a head sent byte by byte, and more connections than --max-conns.

// floodConns is the size of the flood: well under the test's own file-descriptor limit (the
// gateway's is raised to the hard limit by Go at start), and enough that a connection kept per
// client would show in the figures.
const floodConns = 1000

// pid is the gateway's process id.
func (g *gatewayProc) pid() int { return g.cmd.Process.Pid }

// rssKiB is the resident memory of the process pid, from /proc/PID/status.
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc/PID/status to read the memory from: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// sockets is the number of sockets the process pid holds open: its listeners, its connections
// to clients and to the upstream.
func sockets(t *testing.T, pid int) int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("cannot list %s: %v", dir, err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(dir + "/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}

// needFDs skips the test when this process may not open n more descriptors.
func needFDs(t *testing.T, n int) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 5 && strings.HasPrefix(l, "Max open files") {
			if soft, err := strconv.Atoi(f[3]); err == nil && soft < n+200 {
				t.Skipf("the open-file limit is %d; the test needs %d (ulimit -n)", soft, n+200)
			}
		}
	}
}

// validGets sends a verified request every 20 ms until stop is closed, each on a new
// connection, and counts the answers that are not 200 (or none at all).
func validGets(t *testing.T, url, tok string, stop <-chan struct{}) (wait func() (ok, bad int)) {
	var good, failed atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr string
	wg.Go(func() {
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				failed.Add(1)
				mu.Lock()
				if firstErr == "" {
					firstErr = fmt.Sprint(err)
					if resp != nil {
						firstErr = resp.Status
					}
				}
				mu.Unlock()
			} else {
				good.Add(1)
			}
			if resp != nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	return func() (int, int) {
		wg.Wait()
		if firstErr != "" {
			t.Logf("first failed valid request: %s", firstErr)
		}
		return int(good.Load()), int(failed.Load())
	}
}

// TestBodyFlood: floodConns connections declare a body (Content-Length: 1000000, 1000 or
// chunked; a third with no token, the others with a valid one) and send none of it. With
// --body-timeout 2s every one is closed by the gateway within the timeout, the gateway's
// sockets and memory come back down, and valid requests are answered all along; in both modes.
// In reverse-proxy mode a refused one is closed at once, without waiting for its body.
func TestBodyFlood(t *testing.T) {
	needFDs(t, floodConns)
	const bodyTimeout = 2 * time.Second
	for _, mode := range []string{"forward-auth", "reverse-proxy"} {
		t.Run(mode, func(t *testing.T) {
			flags := []string{"--body-timeout", bodyTimeout.String(), "--log-level", "info"}
			path := "/auth"
			if mode == "reverse-proxy" {
				up := startUpstream(t)
				flags = append(flags, "--upstream", "http://"+up.addr)
				path = "/api/upload"
			}
			gw := startGateway(t, flags...)
			tok := validToken()
			pid := gw.pid()
			time.Sleep(200 * time.Millisecond)
			rssBefore, socksBefore := rssKiB(t, pid), sockets(t, pid)

			stop := make(chan struct{})
			wait := validGets(t, "http://"+gw.addr+path, tok, stop)

			framings := []string{"Content-Length: 1000000", "Content-Length: 1000", "Transfer-Encoding: chunked"}
			conns := make([]net.Conn, 0, floodConns)
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			start := time.Now()
			for i := range floodConns {
				c, err := net.DialTimeout("tcp", gw.addr, 5*time.Second)
				if err != nil {
					t.Fatalf("connection %d: %v", i, err)
				}
				conns = append(conns, c)
				auth := ""
				if i%3 != 0 {
					auth = "Authorization: Bearer " + tok + "\r\n"
				}
				fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: gateway.test\r\n%s%s\r\n\r\n", path, auth, framings[(i/3)%len(framings)])
			}
			opened := time.Since(start)
			time.Sleep(300 * time.Millisecond)
			rssPeak, socksPeak := rssKiB(t, pid), sockets(t, pid)

			// Every connection must be closed by the gateway within the body timeout (counted
			// from its head), plus a margin for a loaded machine.
			deadline := start.Add(opened + bodyTimeout + 3*time.Second)
			var open, refusedLast atomic.Int64 // refusedLast: when the last refused one closed, in ns
			var wg sync.WaitGroup
			for i, c := range conns {
				wg.Go(func() {
					c.SetReadDeadline(deadline)
					if _, err := io.Copy(io.Discard, c); err != nil {
						open.Add(1) // the deadline: still open
						return
					}
					if d := int64(time.Since(start)); i%3 == 0 {
						for {
							last := refusedLast.Load()
							if d <= last || refusedLast.CompareAndSwap(last, d) {
								break
							}
						}
					}
				})
			}
			wg.Wait()
			closedAfter := time.Since(start)
			socksAfter := sockets(t, pid)
			close(stop)
			ok, bad := wait()
			rssAfter := rssKiB(t, pid)
			t.Logf("%s: %d connections opened in %v; the refused ones (no token) all closed %v after the first; %d still open %v after the first; gateway sockets %d before, %d at peak, %d after; RSS %d KiB before, %d KiB at peak, %d KiB after; valid requests meanwhile: %d answered 200, %d not",
				mode, floodConns, opened.Round(time.Millisecond), time.Duration(refusedLast.Load()).Round(time.Millisecond), open.Load(), closedAfter.Round(time.Millisecond),
				socksBefore, socksPeak, socksAfter, rssBefore, rssPeak, rssAfter, ok, bad)
			if n := open.Load(); n > 0 {
				t.Errorf("%d of %d connections still open %v after the first (body timeout %v)", n, floodConns, closedAfter, bodyTimeout)
			}
			// In reverse-proxy mode a refusal is answered and closed without waiting for the
			// body: well before the body timeout. (In forward-auth mode the body is read first.)
			if last := time.Duration(refusedLast.Load()); mode == "reverse-proxy" && last > opened+bodyTimeout/2 {
				t.Errorf("the refused connections closed up to %v after the first, want well before the body timeout %v", last, bodyTimeout)
			}
			if socksAfter > socksBefore+10 {
				t.Errorf("the gateway holds %d sockets after the flood, %d before", socksAfter, socksBefore)
			}
			if rssPeak-rssBefore > 150<<10 || rssAfter-rssBefore > 150<<10 {
				t.Errorf("RSS grew from %d KiB to %d KiB (peak %d KiB) for %d connections", rssBefore, rssAfter, rssPeak, floodConns)
			}
			if ok == 0 || bad > 0 {
				t.Errorf("valid requests during the flood: %d answered 200, %d not", ok, bad)
			}
		})
	}
}

// TestSlowloris: a head sent one byte every 100 ms is cut at --read-header-timeout, in both
// modes, on the public and the admin listener, while a valid request is answered.
func TestSlowloris(t *testing.T) {
	const headTimeout = time.Second
	for _, mode := range []string{"forward-auth", "reverse-proxy"} {
		t.Run(mode, func(t *testing.T) {
			flags := []string{"--read-header-timeout", headTimeout.String()}
			path := "/auth"
			if mode == "reverse-proxy" {
				up := startUpstream(t)
				flags = append(flags, "--upstream", "http://"+up.addr)
				path = "/api/items"
			}
			gw := startGateway(t, flags...)
			tok := validToken()
			for _, addr := range []string{gw.addr, gw.admin} {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				start := time.Now()
				head := "GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer " + tok + "\r\n" + strings.Repeat("X-Pad: x\r\n", 20)
				cut := time.Duration(0)
				for i := 0; i < len(head) && time.Since(start) < 10*headTimeout; i++ {
					c.SetWriteDeadline(time.Now().Add(time.Second))
					if _, err := c.Write([]byte{head[i]}); err != nil {
						cut = time.Since(start)
						break
					}
					// The gateway's answer (408, or none) and its close end the head early.
					c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
					if _, err := c.Read(make([]byte, 512)); err == io.EOF {
						cut = time.Since(start)
						break
					}
				}
				if cut == 0 || cut > headTimeout+2*time.Second {
					t.Errorf("%s: a head sent byte by byte cut after %v (0: not cut within %v), want about %v", addr, cut, 10*headTimeout, headTimeout)
				} else {
					t.Logf("%s: a head sent byte by byte cut after %v (--read-header-timeout %v)", addr, cut.Round(time.Millisecond), headTimeout)
				}
			}
			resp, body := getWith(t, "http://"+gw.addr+path, tok)
			if resp.StatusCode != 200 {
				t.Errorf("a valid request: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// getWith sends one GET with the token on a connection of its own.
func getWith(t *testing.T, url, tok string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestMaxConns: with --max-conns 20 and 20 idle connections open, connection 21 waits: its
// request is not answered until one of the 20 closes, then it is; in both modes.
func TestMaxConns(t *testing.T) {
	const capConns = 20
	for _, mode := range []string{"forward-auth", "reverse-proxy"} {
		t.Run(mode, func(t *testing.T) {
			flags := []string{"--max-conns", strconv.Itoa(capConns), "--read-header-timeout", "30s"}
			path := "/auth"
			if mode == "reverse-proxy" {
				up := startUpstream(t)
				flags = append(flags, "--upstream", "http://"+up.addr)
				path = "/api/items"
			}
			gw := startGateway(t, flags...)
			tok := validToken()
			held := make([]net.Conn, capConns)
			for i := range held {
				c, err := net.DialTimeout("tcp", gw.addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				held[i] = c
			}
			time.Sleep(300 * time.Millisecond) // all accepted
			extra, err := net.DialTimeout("tcp", gw.addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer extra.Close()
			fmt.Fprintf(extra, "GET %s HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", path, tok)
			extra.SetReadDeadline(time.Now().Add(time.Second))
			if n, _ := extra.Read(make([]byte, 1)); n > 0 {
				t.Fatalf("connection %d answered while %d were open (--max-conns %d)", capConns+1, capConns, capConns)
			}
			held[0].Close()
			start := time.Now()
			extra.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(extra), nil)
			if err != nil {
				t.Fatalf("connection %d once one of the others closed: %v", capConns+1, err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("connection %d: %d", capConns+1, resp.StatusCode)
			}
			t.Logf("connection %d waited while %d were open, answered %d %v after one closed", capConns+1, capConns, resp.StatusCode, time.Since(start).Round(time.Millisecond))
		})
	}
}
