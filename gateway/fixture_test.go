package gateway

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// The one fixture of the package's tests: an HS256 issuer, tokens for it, a revocation list the
// test controls, and gateways served on 127.0.0.1.

var secret = []byte("0123456789abcdef0123456789abcdef")

const issuer = "https://issuer.test"

func newCodec(tb testing.TB, opts ...fastjwt.Option) *fastjwt.Codec {
	tb.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}},
		append([]fastjwt.Option{fastjwt.WithIssuer(issuer), fastjwt.AcceptAnyAudience()}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// mint signs claims (a JSON object's members, without braces) with the fixture's issuer, an
// audience "api" and an expiry in an hour unless claims name their own.
func mint(tb testing.TB, claims string) string {
	tb.Helper()
	return mintType(tb, fastjwt.TypeJWT, claims)
}

func mintType(tb testing.TB, typ fastjwt.Type, claims string) string {
	tb.Helper()
	p := `{"iss":"` + issuer + `"`
	if !strings.Contains(claims, `"aud"`) {
		p += `,"aud":"api"`
	}
	if !strings.Contains(claims, `"exp"`) {
		p += fmt.Sprintf(`,"exp":%d`, time.Now().Add(time.Hour).Unix())
	}
	if claims != "" {
		p += "," + claims
	}
	p += "}"
	tok, err := newCodec(tb).AppendSignType(nil, typ, []byte(p))
	if err != nil {
		tb.Fatal(err)
	}
	return string(tok)
}

// revocations is a revoke.List whose answers the test sets: jti "revoked" is revoked, fail makes
// it unable to answer, and hold makes every call wait until the channel is closed.
type revocations struct {
	fail atomic.Bool
	hold atomic.Pointer[chan struct{}]
	// entered receives a value when a call starts waiting on hold.
	entered chan struct{}
}

func (r *revocations) Revoked(_ context.Context, cl *fastjwt.Claims) (bool, error) {
	if h := r.hold.Load(); h != nil {
		if r.entered != nil {
			r.entered <- struct{}{}
		}
		<-*h
	}
	if r.fail.Load() {
		return false, errors.New("list down")
	}
	return cl.ID() == "revoked", nil
}
func (r *revocations) RevokeToken(context.Context, string, time.Time) error { return nil }
func (r *revocations) RevokeSubject(context.Context, string, time.Time, time.Time) error {
	return nil
}
func (r *revocations) RevokeAll(context.Context, time.Time, time.Time) error { return nil }

// claimHeaders are the fixture routes' claim headers.
var claimHeaders = []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "role", Header: "X-Role"}}

// testConfig is the fixture's configuration: a default route for audience "api", and a route
// "/admin/" for audience "admin" that also reads the token from the cookie "tok".
func testConfig(tb testing.TB, rl *revocations) Config {
	tb.Helper()
	codec := newCodec(tb)
	cfg := Config{
		Routes: []Route{
			{Name: "api", PathPrefix: "/", Verifier: codec, Audience: "api", ClaimHeaders: claimHeaders},
			{Name: "admin", PathPrefix: "/admin/", Verifier: codec, Audience: "admin", ClaimHeaders: claimHeaders, Cookie: "tok"},
		},
		MaxCacheAge: time.Minute,
	}
	if rl != nil {
		cfg.Revocations = rl
	}
	return cfg
}

func newGateway(tb testing.TB, cfg Config) *Gateway {
	tb.Helper()
	g, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// serve runs s on a fresh 127.0.0.1 listener until the test ends, and returns its address.
func serve(tb testing.TB, s *Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, ErrServerClosed) {
				tb.Errorf("Serve returned %v, want ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
			tb.Error("Serve did not return after Shutdown")
		}
	})
	return ln.Addr().String()
}

// serveNormalizing runs g's forward-auth handler on a fasthttp server that normalizes header
// names (fasthttp's default), the other setting the handler must hold under.
func serveNormalizing(tb testing.TB, g *Gateway) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: g.serveFast, ReadTimeout: 5 * time.Second, ReadBufferSize: fastReadBufferSize}
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(ln) })
	tb.Cleanup(func() {
		srv.Shutdown()
		wg.Wait()
	})
	return ln.Addr().String()
}

// rawAnswer is a response read off the wire, with its header lines as sent.
type rawAnswer struct {
	status int
	lines  [][2]string // name as spelled, value
	body   string
}

// values returns every value of the header named name, in any spelling.
func (a rawAnswer) values(name string) []string {
	var vs []string
	for _, l := range a.lines {
		if strings.EqualFold(l[0], name) {
			vs = append(vs, l[1])
		}
	}
	return vs
}

// get returns the one value of name, failing the test when the answer has not exactly one.
func (a rawAnswer) get(tb testing.TB, name string) string {
	tb.Helper()
	vs := a.values(name)
	if len(vs) != 1 {
		tb.Fatalf("%s: %d lines %q, want 1 (answer %d %q)", name, len(vs), vs, a.status, a.lines)
	}
	return vs[0]
}

// roundTrip sends a request head of the given lines exactly as written (so header names keep
// their spelling) and reads the answer's head and body.
func roundTrip(tb testing.TB, addr, method, target string, lines ...string) rawAnswer {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	head := method + " " + target + " HTTP/1.1\r\nHost: gateway.test\r\n"
	for _, l := range lines {
		head += l + "\r\n"
	}
	head += "Connection: close\r\n\r\n"
	if _, err := c.Write([]byte(head)); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	var a rawAnswer
	if _, err := fmt.Sscanf(status, "HTTP/1.1 %d", &a.status); err != nil {
		tb.Fatalf("status line %q: %v", status, err)
	}
	length := -1
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			tb.Fatal(err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			tb.Fatalf("header line %q", l)
		}
		value = strings.TrimSpace(value)
		a.lines = append(a.lines, [2]string{name, value})
		if strings.EqualFold(name, "Content-Length") {
			fmt.Sscanf(value, "%d", &length)
		}
	}
	if method != "HEAD" && length > 0 {
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			tb.Fatal(err)
		}
		a.body = string(body)
	}
	return a
}

// client is an http.Client for the tests' requests through net/http.
var client = &http.Client{Timeout: 5 * time.Second}

// conn is a raw client connection for requests whose bytes the test writes itself.
type conn struct {
	c interface {
		Write([]byte) (int, error)
		Close() error
	}
	r *bufio.Reader
}

func newConn(tb testing.TB, addr string) *conn {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	tb.Cleanup(func() { c.Close() })
	return &conn{c: c, r: bufio.NewReader(c)}
}

func (c *conn) write(tb testing.TB, s string) {
	tb.Helper()
	if _, err := c.c.Write([]byte(s)); err != nil {
		tb.Fatal(err)
	}
}
