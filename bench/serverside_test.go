package bench

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
	"github.com/valyala/fasthttp"
)

// A server-side session (Config.Store) whose handler reads only fields kept in the token costs
// what a cookie session costs: the middleware verifies the token and answers from its claims,
// and never calls the store. The pair below serves the same handler, which reads "counter",
// behind a cookie-mode Manager and behind a server-side one with "counter" as a token field,
// both with an in-memory revocation list; the store of the second counts its calls.

// countingStore is an in-memory store that counts the calls made to it.
type countingStore struct {
	store.Store
	calls atomic.Int64
}

func (s *countingStore) Load(ctx context.Context, id string, fn func(string, []byte)) (bool, error) {
	s.calls.Add(1)
	return s.Store.Load(ctx, id, fn)
}

func (s *countingStore) Update(ctx context.Context, id string, set []store.Field, del []string, ttl time.Duration) error {
	s.calls.Add(1)
	return s.Store.Update(ctx, id, set, del, ttl)
}

func (s *countingStore) Create(ctx context.Context, id string, set []store.Field, ttl time.Duration) error {
	s.calls.Add(1)
	return s.Store.Create(ctx, id, set, ttl)
}

func (s *countingStore) Destroy(ctx context.Context, id string, ttl time.Duration) error {
	s.calls.Add(1)
	return s.Store.Destroy(ctx, id, ttl)
}

// serverSideCases returns the cookie-mode and server-side variants, and a cookie-mode one whose
// token is as long as the server-side one, with the counting store of the server-side Manager.
func serverSideCases(tb testing.TB) ([]fastHTTPCase, *countingStore) {
	store := &countingStore{Store: store.NewMemory(store.MemoryOptions{})}
	newM := func(cfg session.Config) *session.Manager {
		cfg.Revocations = revoke.NewMemory(revoke.MemoryOptions{})
		m, err := session.New(sessionCodec(), cfg)
		if err != nil {
			tb.Fatal(err)
		}
		return m
	}
	cookie := newM(session.Config{})
	serverSide := newM(session.Config{Store: store, TokenFields: []string{"counter"}})
	handler := func(ctx *fasthttp.RequestCtx) {
		if n, _ := fasthttpsession.From(ctx).Int("counter"); n != wantCounter {
			ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		}
		ctx.Write(okBody)
	}
	return []fastHTTPCase{
		{"fasthttp-session-cookie", fasthttpsession.Sessions(cookie)(handler), "Cookie", sessionCookie(tb, cookie)},
		{"fasthttp-session-server-side", fasthttpsession.Sessions(serverSide)(handler), "Cookie", sessionCookie(tb, serverSide)},
		{"fasthttp-session-cookie-as-long", fasthttpsession.Sessions(cookie)(handler), "Cookie", paddedSessionCookie(tb, cookie)},
	}, store
}

// paddedSessionCookie returns a cookie-mode session cookie holding counter=42 and a 22-letter
// "pad", so that its token is as long as the server-side one, whose extra "sid" claim (a
// 22-letter id) is the only difference the middleware sees: the pair fasthttp-session-server-side
// and fasthttp-session-cookie-as-long compares the modes for tokens of one length.
func paddedSessionCookie(tb testing.TB, m *session.Manager) string {
	h := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		if err := s.Set("counter", wantCounter); err != nil {
			tb.Fatal(err)
		}
		if err := s.Set("pad", strings.Repeat("p", 22)); err != nil {
			tb.Fatal(err)
		}
	}))
	w := &discardWriter{h: http.Header{}}
	r, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	h.ServeHTTP(w, r)
	c, _, _ := strings.Cut(w.h.Get("Set-Cookie"), ";")
	if c == "" {
		tb.Fatal("the session middleware set no cookie")
	}
	return c
}

// TestServerSideTokenFields: through the fasthttp middleware, the server-side session read
// from its token fields answers 200, never calls the store, and allocates nothing per request
// (as the bare handler, and as the cookie-mode session).
func TestServerSideTokenFields(t *testing.T) {
	cases, store := serverSideCases(t)
	bare := newFastCtx(fastHTTPCase{})
	bareAllocs := testing.AllocsPerRun(200, func() { serveFastHTTP(fastHTTPCase{h: func(ctx *fasthttp.RequestCtx) { ctx.Write(okBody) }}, bare) })
	for _, c := range cases {
		ctx := newFastCtx(c)
		calls := store.calls.Load()
		if st := serveFastHTTP(c, ctx); st != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, st)
		}
		if sc := ctx.Response.Header.Peek("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("%s: an unchanged session sent Set-Cookie %q", c.name, sc)
		}
		if raceEnabled {
			continue // sync.Pool drops objects on purpose under -race
		}
		n := testing.AllocsPerRun(200, func() {
			if serveFastHTTP(c, ctx) != http.StatusOK {
				t.Fatalf("%s: refused", c.name)
			}
		})
		if n != bareAllocs {
			t.Errorf("%s: %v allocations per request, the bare handler %v", c.name, n, bareAllocs)
		}
		if got := store.calls.Load() - calls; got != 0 {
			t.Errorf("%s: %d store calls for requests that read token fields only", c.name, got)
		}
	}
}

// BenchmarkServerSide: the pair, per request.
func BenchmarkServerSide(b *testing.B) {
	cases, _ := serverSideCases(b)
	for _, c := range cases {
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
