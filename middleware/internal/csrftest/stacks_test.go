package csrftest_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/csrf"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/middleware/internal/csrftest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// send writes c's request as raw bytes to addr and returns the status and body.
func send(t *testing.T, addr string, c csrftest.Case) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	b.WriteString(c.Method + " " + c.Path + " HTTP/1.1\r\nHost: example.com\r\n")
	for _, h := range c.Headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\nConnection: close\r\n\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: c.Method})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type") + "|" + string(body)
}

// The table of net/http's own tests, on both stacks over real servers: the same verdict, status
// and body for the same request bytes.
func TestCrossOriginBothStacks(t *testing.T) {
	p, err := csrf.New(csrf.Config{TrustedOrigins: csrftest.Trusted, BypassPatterns: csrftest.Bypass})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	hs := httptest.NewServer(nethttpsession.CrossOrigin(p, nil)(ok))
	defer hs.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := &fasthttp.Server{Handler: fasthttpsession.CrossOrigin(p, nil)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("ok")
	})}
	go fs.Serve(ln)
	defer fs.Shutdown()

	for _, c := range csrftest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			ns, nb := send(t, hs.Listener.Addr().String(), c)
			fsS, fb := send(t, ln.Addr().String(), c)
			if ns != c.Status {
				t.Errorf("net/http: %d, want %d (%q)", ns, c.Status, nb)
			}
			if fsS != c.Status {
				t.Errorf("fasthttp: %d, want %d (%q)", fsS, c.Status, fb)
			}
			if c.Method != "HEAD" && nb != fb {
				t.Errorf("bodies differ: net/http %q, fasthttp %q", nb, fb)
			}
		})
	}
}
