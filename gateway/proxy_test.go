package gateway

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echoUpstream answers every request with its header lines as "Name: value" in the body, after
// reading the request body to its end (so request trailers are in), and counts the requests.
func echoUpstream(t *testing.T, hits *atomic.Int64) *url.URL {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Connection", "X-Upstream-Hop")
		w.Header().Set("X-Upstream-Hop", "1")
		w.Header().Set("X-Upstream", "1")
		var b strings.Builder
		b.WriteString("path " + r.URL.RequestURI() + "\n")
		b.WriteString("body " + string(body) + "\n")
		for k, vs := range r.Header {
			for _, v := range vs {
				b.WriteString(k + ": " + v + "\n")
			}
		}
		for k, vs := range r.Trailer {
			for _, v := range vs {
				b.WriteString("trailer " + k + ": " + v + "\n")
			}
		}
		io.WriteString(w, b.String())
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	return u
}

func proxyGateway(t *testing.T, up *url.URL) string {
	t.Helper()
	cfg := testConfig(t, nil)
	cfg.Upstream = up
	return serve(t, NewServer(newGateway(t, cfg)))
}

// TestProxy: a verified request reaches the upstream with the claim headers set and nothing a
// client sent in their place; refusals never reach it; hop-by-hop headers are dropped both ways.
func TestProxy(t *testing.T) {
	var hits atomic.Int64
	addr := proxyGateway(t, echoUpstream(t, &hits))
	good := mint(t, `"sub":"alice"`)
	a := roundTrip(t, addr, "GET", "/api/x?q=1",
		"Authorization: Bearer "+good, "x-user: mallory", "X-USER: mallory", "X_User: mallory",
		"x-role: boss", "Connection: X-User, X-Hop", "X-Hop: 1")
	if a.status != 200 || hits.Load() != 1 {
		t.Fatalf("%d after %d upstream requests, want 200 after 1: %s", a.status, hits.Load(), a.body)
	}
	if !strings.Contains(a.body, "path /api/x?q=1\n") || !strings.Contains(a.body, "X-User: alice\n") {
		t.Errorf("upstream saw:\n%s", a.body)
	}
	for _, bad := range []string{"mallory", "boss", "X-Hop", "X_User", "X-Role"} {
		if strings.Contains(a.body, bad) {
			t.Errorf("upstream saw %q:\n%s", bad, a.body)
		}
	}
	if len(a.values("X-Upstream-Hop")) != 0 || a.get(t, "X-Upstream") != "1" {
		t.Errorf("answer headers %q: the upstream's Connection-named header must be dropped", a.lines)
	}

	// A token without the claim: no X-User at all upstream, whatever the client sent.
	a = roundTrip(t, addr, "GET", "/api/x", "Authorization: Bearer "+mint(t, `"role":"r"`), "X-User: mallory")
	if a.status != 200 || strings.Contains(a.body, "X-User") || !strings.Contains(a.body, "X-Role: r\n") {
		t.Errorf("%d:\n%s", a.status, a.body)
	}

	before := hits.Load()
	for _, tc := range []struct {
		target string
		lines  []string
		status int
	}{
		{"/api/x", []string{"X-User: mallory"}, 401},
		{"/api/x", []string{"Authorization: Bearer " + good, "Authorization: Bearer " + good}, 400},
		{"/admin/x", []string{"Authorization: Bearer " + good}, 403},
		{"/api/../admin/x", []string{"Authorization: Bearer " + good}, 400},
	} {
		a := roundTrip(t, addr, "GET", tc.target, tc.lines...)
		if a.status != tc.status || a.get(t, "Cache-Control") != "no-store" {
			t.Errorf("%s %q: %d %q, want %d no-store", tc.target, tc.lines, a.status, a.lines, tc.status)
		}
	}
	if hits.Load() != before {
		t.Errorf("refused requests reached the upstream")
	}

	// The admin paths are the upstream's on the public listener: verified, then proxied.
	a = roundTrip(t, addr, "GET", "/healthz", "Authorization: Bearer "+good)
	if a.status != 200 || !strings.Contains(a.body, "path /healthz\n") || hits.Load() != before+1 {
		t.Errorf("healthz: %d %q", a.status, a.body)
	}
}

// TestProxyTrailer: a claim header sent as a request trailer does not reach the upstream.
func TestProxyTrailer(t *testing.T) {
	var hits atomic.Int64
	addr := proxyGateway(t, echoUpstream(t, &hits))
	c := newConn(t, addr)
	good := mint(t, `"sub":"alice"`)
	c.write(t, "POST /api/x HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "+good+"\r\nTrailer: X-User\r\n"+
		"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-User: mallory\r\nx-user: mallory\r\n\r\n")
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "body hello\n") || strings.Contains(string(body), "mallory") {
		t.Errorf("%d:\n%s", resp.StatusCode, body)
	}
}

// TestProxyStreams: the upstream's answer reaches the client as it is written, and the request
// body reaches the upstream as the client sends it.
func TestProxyStreams(t *testing.T) {
	release := make(chan struct{})
	got := make(chan string, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NewResponseController(w).EnableFullDuplex()
		br := bufio.NewReader(r.Body)
		line, _ := br.ReadString('\n') // the first part of the body, before the client sends more
		got <- line
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		rest, _ := io.ReadAll(br)
		io.WriteString(w, "then "+string(rest))
	}))
	defer up.Close()
	defer close(release)
	u, _ := url.Parse(up.URL)
	addr := proxyGateway(t, u)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/stream", pr)
	req.Header.Set("Authorization", "Bearer "+mint(t, `"sub":"alice"`))
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			close(done)
			return
		}
		done <- resp
	}()
	io.WriteString(pw, "part one\n")
	select {
	case line := <-got:
		if line != "part one\n" {
			t.Fatalf("upstream read %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request body was not streamed to the upstream")
	}
	var resp *http.Response
	select {
	case resp = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no answer header while the upstream streams")
	}
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first := make(chan string, 1)
	go func() { l, _ := br.ReadString('\n'); first <- l }()
	select {
	case l := <-first:
		if l != "first\n" {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the answer was not streamed to the client")
	}
	release <- struct{}{}
	io.WriteString(pw, "part two")
	pw.Close()
	rest, _ := io.ReadAll(br)
	if string(rest) != "then part two" {
		t.Errorf("rest %q", rest)
	}
}

// TestProxyUpstreamDown: an allowed request whose upstream does not answer gets 502, counted.
func TestProxyUpstreamDown(t *testing.T) {
	up := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(up.URL)
	up.Close()
	cfg := testConfig(t, nil)
	cfg.Upstream = u
	g := newGateway(t, cfg)
	addr := serve(t, NewServer(g))
	a := roundTrip(t, addr, "GET", "/x", "Authorization: Bearer "+mint(t, `"sub":"a"`))
	if a.status != 502 || g.metrics.upstream.Load() != 1 {
		t.Errorf("%d, %d upstream errors; want 502, 1", a.status, g.metrics.upstream.Load())
	}
}
