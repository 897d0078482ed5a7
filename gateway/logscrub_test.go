package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestServerLogsHoldNoRequest: requests the HTTP server cannot read, carrying a valid token in
// Authorization and in a cookie, are logged (forward-auth mode) as a category and the client's
// address, never with a byte of the request; in both modes no line holds a part of the token.
func TestServerLogsHoldNoRequest(t *testing.T) {
	tok := mint(t, `"sub":"alice"`)
	heads := []string{
		"GET /auth HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + tok + "\r\nCookie: tok=" + tok + "\r\nBad header line\r\n\r\n",
		"GET /auth HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + tok + "\r\nCookie: tok=" + tok + "\r\nX-Big: " + strings.Repeat("a", 80<<10) + "\r\n\r\n",
		"POST /auth HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + tok + "\r\nCookie: tok=" + tok + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + tok + "\r\n0\r\n\r\n",
		"GET /auth " + tok + " HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + tok + "\r\n\r\n",
		"POST /auth HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + tok + "\r\nCookie: tok=" + tok + "\r\nContent-Length: x" + tok + "\r\n\r\n",
		"POST /auth HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + tok + "\r\nContent-Length: 100000\r\n\r\n" + tok,
	}
	var hits atomic.Int64
	for _, up := range []*url.URL{nil, echoUpstream(t, &hits)} {
		var out lockedBuffer
		cfg := testConfig(t, nil)
		cfg.Upstream = up
		cfg.Logger = slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
		addr := serve(t, NewServer(newGateway(t, cfg)))
		for _, h := range heads {
			c := dial(t, addr)
			c.SetDeadline(time.Now().Add(3 * time.Second))
			io.WriteString(c, h)
			io.ReadAll(c)
		}
		time.Sleep(100 * time.Millisecond) // the last lines logged
		logs := out.String()
		for i, part := range strings.Split(tok, ".") {
			if strings.Contains(logs, part) {
				t.Errorf("proxy %v: part %d of the token in the logs:\n%s", up != nil, i, logs)
			}
		}
		if up == nil {
			// (fasthttp reports no head too large: it answers 431 and logs nothing.)
			for _, want := range []string{`"msg":"request not served","category":"malformed head","remote":"127.0.0.1:`,
				`"category":"malformed body"`, `"category":"body too large"`} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %s:\n%s", want, logs)
				}
			}
		}
	}
}

// TestFastErrorCategory names every kind of error fasthttp's server reports.
func TestFastErrorCategory(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("error when reading request headers: %w: contents: secret", fasthttp.ErrMissingRequestMethod), catMalformedHead},
		{&fasthttp.ErrSmallBuffer{}, catHeadTooLarge},
		{fasthttp.ErrBodyTooLarge, catBodyTooLarge},
		{fasthttp.ErrBrokenChunk{}, catMalformedBody},
		{&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, catTimeout},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, catConnection},
		{errors.New("something else: secret"), catOther},
	} {
		if got := fastErrorCategory(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{context.Canceled, catClientGone},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, catUpstreamDial},
		{fmt.Errorf("net/http: HTTP/1.x transport connection broken: malformed HTTP response %q", "Authorization: Bearer x"), catUpstreamAnswer},
	} {
		if got := upstreamErrorCategory(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestStdErrorLog: net/http's and ReverseProxy's messages are logged without their text.
func TestStdErrorLog(t *testing.T) {
	var out lockedBuffer
	l := stdErrorLog(slog.New(slog.NewJSONHandler(&out, nil)))
	l.Printf("http: panic serving 127.0.0.1:5555: token abc.def.ghi\ngoroutine 7 [running]:\nmain.f()")
	l.Printf("httputil: ReverseProxy read error during body copy: %v", errors.New("abc.def.ghi"))
	l.Printf("http: invalid Content-Length of %q", "abc.def.ghi")
	logs := out.String()
	if strings.Contains(logs, "abc.def.ghi") {
		t.Errorf("a message's text in the logs:\n%s", logs)
	}
	for _, want := range []string{`"category":"panic","remote":"127.0.0.1:5555","stack":"goroutine 7`,
		`"category":"upstream body error"`, `"category":"handler error"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}
