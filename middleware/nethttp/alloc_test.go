package nethttpsession_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fastjwt/session/middleware/internal/sessiontest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// recorder is a reusable ResponseWriter whose header map is cleared between calls, so the
// measurement sees the middleware's allocations, not a fresh map's.
type recorder struct {
	h      http.Header
	status int
}

func (w *recorder) Header() http.Header         { return w.h }
func (w *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (w *recorder) WriteHeader(code int)        { w.status = code }

type fixture struct {
	w *recorder
	r *http.Request
}

func (f *fixture) run(h http.Handler) {
	clear(f.w.h)
	f.w.status = 200
	h.ServeHTTP(f.w, f.r)
}

func newFixture() *fixture {
	return &fixture{w: &recorder{h: http.Header{}}, r: httptest.NewRequest("GET", "/", nil)}
}

var bare = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })

var readHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	n, _ := nethttpsession.FromContext(r.Context()).Int("counter")
	if n != 41 {
		panic("counter not read")
	}
	_, _ = w.Write([]byte("ok"))
})

var bearerHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if !nethttpsession.TokenFromContext(r.Context()).Valid() || r.Header.Get("X-User") != "alice" {
		panic("token not valid")
	}
	_, _ = w.Write([]byte("ok"))
})

// forced is what net/http makes any middleware pay to hand a value to the handler: one context
// (context.WithValue) and one request copy (Request.WithContext).
const forced = 2

// perForwarded is what setting one forwarded request header costs on net/http: the value as a
// string and its one-element []string in the header map.
const perForwarded = 2

func TestAllocs(t *testing.T) {
	if sessiontest.RaceEnabled {
		t.Skip("sync.Pool drops objects at random under the race detector")
	}
	fx := sessiontest.NewFixture(t)
	m, b := fx.Manager, fx.Bearer
	f := newFixture()
	base := testing.AllocsPerRun(200, func() { f.run(bare) })

	f.r.Header.Set("Cookie", "other=1; session="+fx.SessionToken)
	for name, h := range map[string]http.Handler{
		"session untouched":                 nethttpsession.Sessions(m)(bare),
		"session read":                      nethttpsession.Sessions(m)(readHandler),
		"server-side session, token fields": nethttpsession.Sessions(fx.ServerSide)(readHandler),
	} {
		f.run(h)
		if sc := f.w.h.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("%s: unchanged session sent Set-Cookie %q", name, sc)
		}
		if got := f.w.h.Get("Vary"); got != "Cookie" {
			t.Fatalf("%s: Vary %q", name, got)
		}
		if got := testing.AllocsPerRun(200, func() { f.run(h) }); got != base+forced {
			t.Errorf("%s: %v allocs per request, want bare %v + %d", name, got, base, forced)
		}
	}

	f.r.Header.Del("Cookie")
	f.r.Header.Set("Authorization", "Bearer "+fx.BearerToken)
	h := nethttpsession.Bearer(b, nil)(bearerHandler)
	f.run(h)
	if f.w.status != 200 {
		t.Fatalf("bearer: status %d", f.w.status)
	}
	// The fixture forwards sub and tenant: two headers set.
	if got := testing.AllocsPerRun(200, func() { f.run(h) }); got != base+forced+2*perForwarded {
		t.Errorf("bearer: %v allocs per request, want bare %v + %d + 2 forwarded headers x %d", got, base, forced, perForwarded)
	}
}

func BenchmarkBare(b *testing.B) {
	f := newFixture()
	b.ReportAllocs()
	for b.Loop() {
		f.run(bare)
	}
}

func BenchmarkSessionRead(b *testing.B) {
	fx, f := sessiontest.NewFixture(b), newFixture()
	m := fx.Manager
	f.r.Header.Set("Cookie", "session="+fx.SessionToken)
	h := nethttpsession.Sessions(m)(readHandler)
	b.ReportAllocs()
	for b.Loop() {
		f.run(h)
	}
}

func BenchmarkSessionWrite(b *testing.B) {
	fx, f := sessiontest.NewFixture(b), newFixture()
	m := fx.Manager
	f.r.Header.Set("Cookie", "session="+fx.SessionToken)
	h := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		_, _ = w.Write([]byte("ok"))
	}))
	b.ReportAllocs()
	for b.Loop() {
		f.run(h)
	}
}

func BenchmarkBearer(b *testing.B) {
	fx, f := sessiontest.NewFixture(b), newFixture()
	f.r.Header.Set("Authorization", "Bearer "+fx.BearerToken)
	h := nethttpsession.Bearer(fx.Bearer, nil)(bearerHandler)
	b.ReportAllocs()
	for b.Loop() {
		f.run(h)
	}
}

// BenchmarkVerify is the codec alone on the session token: the reference for the middleware's
// overhead, (wrapped - bare) / verify.
func BenchmarkVerify(b *testing.B) { sessiontest.BenchmarkVerify(b) }
