package bench

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/sessions"
	"github.com/valyala/fasthttp"
)

// Per-request cost of the middleware, served in-process: the same trivial handler bare, behind
// this project's middleware, and behind what users write today. Each handler reads one value of
// the credential (the subject of a bearer token, the counter of a session) and writes "ok", so
// every variant does the lookup a real handler would. No network is involved: net/http handlers
// get a reused request and a minimal ResponseWriter, fasthttp handlers a reused RequestCtx.

// discardWriter is a ResponseWriter that keeps headers (so middleware can set them) and drops the
// body. Its header map is cleared, not reallocated, between requests.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }

var okBody = []byte("ok")

// sessionCodec signs session cookies: no issuer or audience, as the session layer issues its own.
func sessionCodec() *fastjwt.Codec {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	if err != nil {
		panic(err)
	}
	return c
}

func newManager() *session.Manager {
	m, err := session.New(sessionCodec(), session.Config{})
	if err != nil {
		panic(err)
	}
	return m
}

func newBearer() *bearer.Bearer {
	b, err := bearer.New(newCodec(), bearer.Config{})
	if err != nil {
		panic(err)
	}
	return b
}

// sessionCookie returns a "name=value" cookie of a session holding counter=42, issued by the
// middleware itself.
func sessionCookie(t testing.TB, m *session.Manager) string {
	h := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := nethttpsession.FromContext(r.Context()).Set("counter", wantCounter); err != nil {
			t.Fatal(err)
		}
	}))
	w := &discardWriter{h: http.Header{}}
	r, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	h.ServeHTTP(w, r)
	sc := w.h.Get("Set-Cookie")
	if sc == "" {
		t.Fatal("the session middleware set no cookie")
	}
	c, _, _ := strings.Cut(sc, ";")
	return c
}

// gorillaCookie returns a gorilla/sessions cookie holding counter=42.
func gorillaCookie(t testing.TB, store *sessions.CookieStore) string {
	r, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	w := &discardWriter{h: http.Header{}}
	s, err := store.New(r, "session")
	if err != nil {
		t.Fatal(err)
	}
	s.Values["counter"] = wantCounter
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	c, _, _ := strings.Cut(w.h.Get("Set-Cookie"), ";")
	return c
}

// netHTTPCase is one net/http variant: a handler and the request it serves.
type netHTTPCase struct {
	name string
	h    http.Handler
	r    *http.Request
}

func netHTTPCases(t testing.TB) []netHTTPCase {
	newReq := func(header, value string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
		if header != "" {
			r.Header.Set(header, value)
		}
		return r
	}
	bearer := "Bearer " + tokenStr

	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(okBody) })

	ours := nethttpsession.Bearer(newBearer(), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf [64]byte
		if sub, ok := nethttpsession.TokenFromContext(r.Context()).AppendString(buf[:0], "sub"); !ok || len(sub) == 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write(okBody)
	}))

	m := newManager()
	oursSession := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, _ := nethttpsession.FromContext(r.Context()).Int("counter"); n != wantCounter {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write(okBody)
	}))

	// The bearer check users write with golang-jwt: parse the Authorization header, verify into
	// a claims struct, refuse with 401.
	parser := gjwt.NewParser(gjwt.WithValidMethods([]string{"HS256"}),
		gjwt.WithIssuer(issuer), gjwt.WithAudience(audience))
	keyFunc := func(*gjwt.Token) (any, error) { return secret, nil }
	golangJWT := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			var cl golangJWTClaims
			if !ok {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			if _, err := parser.ParseWithClaims(raw, &cl, keyFunc); err != nil {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r.WithContext(withSubject(r.Context(), cl.Subject)))
		})
	}(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subjectFrom(r.Context()) == "" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write(okBody)
	}))

	store := sessions.NewCookieStore(secret)
	gorilla := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := store.Get(r, "session")
		if err != nil || s.Values["counter"] != wantCounter {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write(okBody)
	})

	return []netHTTPCase{
		{"nethttp-bare", bare, newReq("", "")},
		{"nethttp-fastjwt-bearer", ours, newReq("Authorization", bearer)},
		{"nethttp-fastjwt-session", oursSession, newReq("Cookie", sessionCookie(t, m))},
		{"nethttp-golang-jwt", golangJWT, newReq("Authorization", bearer)},
		{"nethttp-gorilla-sessions", gorilla, newReq("Cookie", gorillaCookie(t, store))},
	}
}

// fastHTTPCase is one fasthttp variant: a handler and the request headers it is served with.
type fastHTTPCase struct {
	name          string
	h             fasthttp.RequestHandler
	header, value string
}

func fastHTTPCases(t testing.TB) []fastHTTPCase {
	bare := func(ctx *fasthttp.RequestCtx) { ctx.Write(okBody) }
	ours := fasthttpsession.Bearer(newBearer(), nil)(func(ctx *fasthttp.RequestCtx) {
		var buf [64]byte
		if sub, ok := fasthttpsession.TokenFrom(ctx).AppendString(buf[:0], "sub"); !ok || len(sub) == 0 {
			ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		}
		ctx.Write(okBody)
	})
	m := newManager()
	oursSession := fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		if n, _ := fasthttpsession.From(ctx).Int("counter"); n != wantCounter {
			ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		}
		ctx.Write(okBody)
	})
	return []fastHTTPCase{
		{"fasthttp-bare", bare, "", ""},
		{"fasthttp-fastjwt-bearer", ours, "Authorization", "Bearer " + tokenStr},
		{"fasthttp-fastjwt-session", oursSession, "Cookie", sessionCookie(t, m)},
	}
}

// serveNetHTTP serves one request and reports the status. Each request is a fresh shallow copy,
// as a server's would be: gorilla/sessions caches the decoded session in the request's context,
// and a reused request would hide its decoding cost.
func serveNetHTTP(c netHTTPCase, w *discardWriter) int {
	clear(w.h)
	w.status = http.StatusOK
	c.h.ServeHTTP(w, c.r.WithContext(context.Background()))
	return w.status
}

// newFastCtx returns a RequestCtx holding the case's request read from the wire, as a fasthttp
// server reads it (the session middleware reads the Cookie header as received).
func newFastCtx(c fastHTTPCase) *fasthttp.RequestCtx {
	head := "GET / HTTP/1.1\r\nHost: example.com\r\n"
	if c.header != "" {
		head += c.header + ": " + c.value + "\r\n"
	}
	ctx := new(fasthttp.RequestCtx)
	if err := ctx.Request.Read(bufio.NewReader(strings.NewReader(head + "\r\n"))); err != nil {
		panic(err) // a fixed, valid request
	}
	return ctx
}

// serveFastHTTP serves one request and reports the status.
func serveFastHTTP(c fastHTTPCase, ctx *fasthttp.RequestCtx) int {
	ctx.Response.Reset()
	c.h(ctx)
	return ctx.Response.StatusCode()
}

// TestMiddlewareServes checks that every variant authenticates its request and answers 200 with
// the body, and that the middleware adds no allocation on fasthttp and at most the documented two
// (a context and a request copy) on net/http.
func TestMiddlewareServes(t *testing.T) {
	allocs := map[string]float64{}
	for _, c := range netHTTPCases(t) {
		w := &discardWriter{h: http.Header{}}
		if st := serveNetHTTP(c, w); st != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, st)
		}
		allocs[c.name] = testing.AllocsPerRun(200, func() { serveNetHTTP(c, w) })
	}
	for _, c := range fastHTTPCases(t) {
		ctx := newFastCtx(c)
		if st := serveFastHTTP(c, ctx); st != http.StatusOK || !bytes.Equal(ctx.Response.Body(), okBody) {
			t.Fatalf("%s: status %d, body %q", c.name, st, ctx.Response.Body())
		}
		allocs[c.name] = testing.AllocsPerRun(200, func() { serveFastHTTP(c, ctx) })
	}
	t.Logf("allocs/request: %v", allocs)
	if raceEnabled {
		// Under -race sync.Pool drops a share of what is put back, on purpose, so pooled objects
		// are reallocated at random: the counts above are not the middleware's.
		return
	}
	for _, name := range []string{"fasthttp-fastjwt-bearer", "fasthttp-fastjwt-session"} {
		if extra := allocs[name] - allocs["fasthttp-bare"]; extra != 0 {
			t.Errorf("%s adds %v allocations per request, want 0", name, extra)
		}
	}
	for _, name := range []string{"nethttp-fastjwt-bearer", "nethttp-fastjwt-session"} {
		if extra := allocs[name] - allocs["nethttp-bare"]; extra > 2 {
			t.Errorf("%s adds %v allocations per request, want <= 2", name, extra)
		}
	}
}

// BenchmarkMiddleware is the per-request cost of each variant.
func BenchmarkMiddleware(b *testing.B) {
	for _, c := range netHTTPCases(b) {
		b.Run(c.name, func(b *testing.B) {
			w := &discardWriter{h: http.Header{}}
			m := startCPU(b)
			for b.Loop() {
				if serveNetHTTP(c, w) != http.StatusOK {
					b.Fatal("refused")
				}
			}
			m.stop(b)
		})
	}
	for _, c := range fastHTTPCases(b) {
		b.Run(c.name, func(b *testing.B) {
			ctx := newFastCtx(c)
			m := startCPU(b)
			for b.Loop() {
				if serveFastHTTP(c, ctx) != http.StatusOK {
					b.Fatal("refused")
				}
			}
			m.stop(b)
		})
	}
}

// subjectKey carries the subject from the golang-jwt middleware to the handler, as such
// middleware usually does.
type subjectKey struct{}

func withSubject(ctx context.Context, sub string) context.Context {
	return context.WithValue(ctx, subjectKey{}, sub)
}

func subjectFrom(ctx context.Context) string {
	s, _ := ctx.Value(subjectKey{}).(string)
	return s
}
