package redisstore

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// handle is the sites' one handler: op=incr counts in the store, op=read reads the count,
// op=login sets the token field "sub", op=logout logs out.
func handle(s *session.Session, op, user string) string {
	switch op {
	case "incr":
		n, _ := s.Int("counter")
		if err := s.Set("counter", n+1); err != nil {
			return "error: " + err.Error()
		}
		return strconv.Itoa(n + 1)
	case "read":
		n, _ := s.Int("counter")
		return strconv.Itoa(n)
	case "login":
		if err := s.Set("sub", user); err != nil {
			return "error: " + err.Error()
		}
		return "welcome " + user
	case "logout":
		if err := s.Logout(context.Background()); err != nil {
			return "error: " + err.Error()
		}
		return "bye"
	}
	return "unknown op"
}

// node is one server of a site: its own Redis client and Manager over the shared Redis.
func node(t *testing.T, stack string) (string, *session.Manager) {
	t.Helper()
	r := dial(t, shared, Options{Prefix: "site:" + t.Name() + ":"})
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "site", Secret: []byte("the site's one secret, 32 bytes+")}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(codec, session.Config{Store: r.Store(), Revocations: r.List(), TokenFields: []string{"sub"}})
	if err != nil {
		t.Fatal(err)
	}
	if stack == "nethttp" {
		srv := httptest.NewServer(nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, handle(nethttpsession.FromContext(r.Context()), r.URL.Query().Get("op"), r.URL.Query().Get("user")))
		})))
		t.Cleanup(srv.Close)
		return srv.URL, m
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{ReadTimeout: 10 * time.Second, Handler: fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		args := ctx.QueryArgs()
		ctx.SetBodyString(handle(fasthttpsession.From(ctx), string(args.Peek("op")), string(args.Peek("user"))))
	})}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Shutdown(); <-done })
	return "http://" + ln.Addr().String(), m
}

// browser keeps one cookie for every node: the nodes are one site behind one name.
type browser struct {
	t      *testing.T
	cookie string
	c      *http.Client
}

func (b *browser) get(base, query string) (int, string, http.Header) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", base+"/?"+query, nil)
	req.Close = true // no connection outlives its request: the servers stop with none open
	if b.cookie != "" {
		req.Header.Set("Cookie", "session="+b.cookie)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, sc := range res.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "session="); ok {
			b.cookie, _, _ = strings.Cut(v, ";")
		}
	}
	return res.StatusCode, string(body), res.Header
}

// Two nodes of one site, one on each stack, each with its own Redis client, share sessions and
// revocations through one redis-server: a session started on one continues on the other, a
// logout on one is seen by the other, and a Redis that does not answer turns store writes into
// 503 on both stacks, after which they recover by themselves.
func TestSessionsAcrossNodes(t *testing.T) {
	needRedis(t)
	a, ma := node(t, "fasthttp")
	b, _ := node(t, "nethttp")
	jar, _ := cookiejar.New(nil)
	alice := &browser{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	for i, base := range []string{a, a, b, a, b} {
		if _, body, _ := alice.get(base, "op=incr"); body != strconv.Itoa(i+1) {
			t.Fatalf("request %d: %q, want %d: the nodes do not share the session", i+1, body, i+1)
		}
	}

	// A logout on one node: the other refuses the old cookie, whose data is gone.
	old := alice.cookie
	if _, body, _ := alice.get(b, "op=logout"); body != "bye" {
		t.Fatalf("logout: %q", body)
	}
	// The other node sees it within one invalidation round trip: poll, with a bound.
	eventually(t, time.Second, "the other node refuses the logged-out cookie", func() bool {
		stale := &browser{t: t, cookie: old, c: alice.c}
		_, body, _ := stale.get(a, "op=read")
		return body == "0"
	})

	// Log out everywhere: every node refuses the subject's sessions.
	bob := &browser{t: t, c: &http.Client{Timeout: 10 * time.Second}}
	bob.get(a, "op=login&user=bob")
	bob.get(b, "op=incr")
	time.Sleep(time.Second) // the epoch is "issued before now": a new second
	if err := ma.RevokeSubject(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	cookie := bob.cookie
	eventually(t, time.Second, "the other node refuses the subject's session", func() bool {
		again := &browser{t: t, cookie: cookie, c: bob.c}
		_, body, _ := again.get(b, "op=read")
		return body == "0"
	})

	// Redis paused past the clients' timeout: a write answers 503, never a silent drop.
	carol := &browser{t: t, c: &http.Client{Timeout: 10 * time.Second}}
	carol.get(a, "op=incr")
	if _, err := command(shared.Addr(), "CLIENT", "PAUSE", "1500", "ALL"); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{a, b} {
		status, body, h := carol.get(base, "op=incr")
		if status != 503 || h.Get("Retry-After") == "" {
			t.Errorf("%s with Redis paused: %d %q, Retry-After %q; want 503", base, status, body, h.Get("Retry-After"))
		}
	}
	var status int
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if status, body, _ = carol.get(a, "op=incr"); status == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status != 200 || body != "2" {
		t.Errorf("after the pause: %d %q, want the count to go on at 2", status, body)
	}
}
