package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLogScan: requests the gateway cannot read (bad header lines, oversize heads, bad chunking,
// a bad request line, an invalid Content-Length, a header without a colon), each carrying a
// valid token in Authorization and in the cookie, and an upstream whose malformed answer echoes
// the token; at every --log-level, in both modes, no line of the gateway's output holds the
// token, its payload or signature part, or the HS256 secret.
func TestLogScan(t *testing.T) {
	tok := validToken()
	parts := strings.Split(tok, ".")
	forbidden := map[string]string{"the token": tok, "its payload part": parts[1], "its signature part": parts[2], "the HS256 secret": string(secret)}
	echo := startEchoingUpstream(t)
	for _, mode := range []string{"forward-auth", "reverse-proxy"} {
		for _, level := range []string{"debug", "info", "warn", "error"} {
			t.Run(mode+"/"+level, func(t *testing.T) {
				// Above info the "listening" line is not logged: the ports are chosen here.
				addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
				flags := []string{"gateway", "--listen", addr, "--admin-listen", "off", "--log-level", level,
					"--key-env", keyEnv, "--aud", audience, "--cookie", cookieName, "--claim-header", "sub=X-User"}
				path := "/auth"
				if mode == "reverse-proxy" {
					flags = append(flags, "--upstream", "http://"+echo)
					path = "/api/items"
				}
				cmd := exec.Command(fastjwtBin, flags...)
				cmd.Env = append(os.Environ(), keyEnv+"="+string(secret))
				gw := &gatewayProc{process: startProcess(t, "fastjwt gateway", cmd, nil, syscall.SIGTERM, true), addr: addr}
				gw.waitListening(t, addr)
				for _, r := range malformedRequests(path, tok) {
					sendRaw(t, gw.addr, r.head)
				}
				if mode == "reverse-proxy" {
					// A verified request whose upstream answers a header line without a colon,
					// quoting the request's Authorization: the transport's error quotes it.
					sendRaw(t, gw.addr, "GET "+path+" HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer "+tok+"\r\nConnection: close\r\n\r\n")
				}
				gw.stop(t)
				out := gw.out.String()
				lines := strings.Split(strings.TrimSpace(out), "\n")
				notServed := 0
				for _, line := range lines {
					for what, s := range forbidden {
						if strings.Contains(line, s) {
							t.Errorf("a log line holds %s:\n%s", what, line)
						}
					}
					var rec struct{ Msg string }
					if json.Unmarshal([]byte(line), &rec) == nil && (rec.Msg == "request not served" || rec.Msg == "upstream error") {
						notServed++
					}
				}
				// The scan must have something to scan: at warn and below the requests the
				// server could not read (forward-auth) or the upstream's failure (reverse-proxy)
				// are logged.
				if level != "error" && notServed == 0 {
					t.Errorf("no line about the malformed requests at --log-level %s:\n%s", level, out)
				}
				t.Logf("%d lines scanned, %d about requests not served", len(lines), notServed)
			})
		}
	}
}

// malformedRequest is a request head the HTTP servers refuse to read.
type malformedRequest struct{ name, head string }

// malformedRequests are the heads of TestLogScan. The token comes early (Authorization) and late
// (the cookie) in each, where a parser's error message quoting the start or the end of its
// buffer would catch it.
func malformedRequests(path, tok string) []malformedRequest {
	auth := "Authorization: Bearer " + tok + "\r\n"
	cookie := "Cookie: " + cookieName + "=" + tok + "\r\n"
	return []malformedRequest{
		{"header without a colon", "GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "NoColonHere " + tok + "\r\n\r\n"},
		{"bad header line", "GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "X-Bad\x01Name: v\r\n\r\n"},
		{"space before the colon", "GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "X-Space : v\r\n\r\n"},
		{"oversize head", "GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + "X-Big: " + strings.Repeat("a", 80<<10) + "\r\n" + cookie + "\r\n"},
		{"bad chunking", "POST " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + tok + "\r\n0\r\n\r\n"},
		{"bad request line", "GET " + path + " " + tok + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "\r\n"},
		{"bad request line, no version", "GET " + path + "?" + tok + "\r\n" + auth + cookie + "\r\n"},
		{"invalid Content-Length", "POST " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "Content-Length: 12" + tok + "\r\n\r\n"},
		{"two Content-Lengths", "POST " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
		{"body too large", "POST " + path + " HTTP/1.1\r\nHost: gateway.test\r\n" + auth + cookie + "Content-Length: 100000\r\n\r\n" + tok},
	}
}

// sendRaw writes head on a connection of its own and reads until the gateway closes it (or 3 s).
func sendRaw(t *testing.T, addr, head string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, head)
	io.Copy(io.Discard, c)
}

// startEchoingUpstream is an upstream that answers every request with a header line without a
// colon holding the request's Authorization value: an answer no HTTP client accepts, whose
// error text quotes it.
func startEchoingUpstream(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				var auth []byte
				for {
					l, err := br.ReadSlice('\n')
					if err != nil || len(bytes.TrimSpace(l)) == 0 {
						break
					}
					if v, ok := bytes.CutPrefix(l, []byte("Authorization: ")); ok {
						auth = append(auth, bytes.TrimSpace(v)...)
					}
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nEcho "+string(auth)+"\r\nContent-Length: 0\r\n\r\n")
			}()
		}
	}()
	return ln.Addr().String()
}
