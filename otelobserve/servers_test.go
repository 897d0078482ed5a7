package otelobserve_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/otelobserve"
	"github.com/fastjwt/session/revoke"
)

var secret = []fastjwt.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}

// app is one process's library setup: a Bearer for /api and a session Manager for /page, both
// reporting to one Observer.
type app struct {
	bearer   *bearer.Bearer
	sessions *session.Manager
}

func newApp(t *testing.T, o *otelobserve.Observer) app {
	t.Helper()
	codec, err := fastjwt.NewHS256(secret)
	if err != nil {
		t.Fatal(err)
	}
	list := revoke.NewMemory(revoke.MemoryOptions{})
	if err := list.RevokeToken(context.Background(), "revoked", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	b, err := bearer.New(codec, bearer.Config{Revocations: list, Observer: o.Observe})
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(codec, session.Config{Revocations: list, Observer: o.Observe})
	if err != nil {
		t.Fatal(err)
	}
	return app{b, m}
}

// serveNetHTTP serves a on a net/http server on 127.0.0.1.
func serveNetHTTP(t *testing.T, a app) string {
	mux := http.NewServeMux()
	mux.Handle("/api", nethttpsession.Bearer(a.bearer, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("api"))
	})))
	mux.Handle("/page", nethttpsession.Sessions(a.sessions)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		n, _ := s.Int("n")
		_ = s.Set("n", n+1)
		_, _ = w.Write([]byte("page"))
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// serveFastHTTP serves a on a fasthttp server on a 127.0.0.1 listener.
func serveFastHTTP(t *testing.T, a app) string {
	api := fasthttpsession.Bearer(a.bearer, nil)(func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("api") })
	page := fasthttpsession.Sessions(a.sessions)(func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx)
		n, _ := s.Int("n")
		_ = s.Set("n", n+1)
		ctx.SetBodyString("page")
	})
	srv := &fasthttp.Server{ReadTimeout: 5 * time.Second, Handler: func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/api":
			api(ctx)
		case "/page":
			page(ctx)
		default:
			ctx.SetStatusCode(404)
		}
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		_ = srv.Shutdown()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("fasthttp server did not stop")
		}
	})
	return "http://" + ln.Addr().String()
}

var client = &http.Client{Timeout: 5 * time.Second}

// get sends GET url with the given Authorization and Cookie ("" for none) and returns the
// status and the session cookie the answer sets ("" if none).
func get(t *testing.T, url, auth, cookie string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == session.DefaultCookieName {
			return res.StatusCode, c.Name + "=" + c.Value
		}
	}
	return res.StatusCode, ""
}

// point names one counter data point by its attributes.
type point struct {
	kind, outcome, reason, alg string
	hit                        bool
}

func (p point) String() string {
	return fmt.Sprintf("%s/%s/%s/%s/hit=%v", p.kind, p.outcome, p.reason, p.alg, p.hit)
}

// collect reads the reader's counter as counts by attributes, and the histogram's total count.
func collect(t *testing.T, r *sdkmetric.ManualReader) (map[point]int64, uint64) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[point]int64{}
	var observed uint64
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelobserve.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			switch m.Name {
			case otelobserve.VerdictsName:
				sum, ok := m.Data.(metricdata.Sum[int64])
				if !ok || !sum.IsMonotonic || m.Unit != "{verdict}" {
					t.Fatalf("%s: %T monotonic, unit %q", m.Name, m.Data, m.Unit)
				}
				for _, dp := range sum.DataPoints {
					counts[pointOf(t, dp.Attributes)] += dp.Value
				}
			case otelobserve.DurationName:
				h, ok := m.Data.(metricdata.Histogram[float64])
				if !ok || m.Unit != "s" {
					t.Fatalf("%s: %T, unit %q", m.Name, m.Data, m.Unit)
				}
				for _, dp := range h.DataPoints {
					pointOf(t, dp.Attributes)
					observed += dp.Count
					if dp.Sum < 0 || len(dp.Bounds) != 14 || dp.Bounds[0] != 5e-6 {
						t.Errorf("histogram point: sum %v, bounds %v", dp.Sum, dp.Bounds)
					}
				}
			default:
				t.Errorf("unexpected metric %q", m.Name)
			}
		}
	}
	return counts, observed
}

// pointOf reads the five attributes, failing on any other.
func pointOf(t *testing.T, set attribute.Set) point {
	t.Helper()
	if set.Len() != 5 {
		t.Errorf("attributes %v, want 5", set.ToSlice())
	}
	str := func(k attribute.Key) string { v, _ := set.Value(k); return v.AsString() }
	hit, ok := set.Value(otelobserve.CacheHitKey)
	if !ok || hit.Type() != attribute.BOOL {
		t.Errorf("cache_hit %v", hit)
	}
	return point{str(otelobserve.KindKey), str(otelobserve.OutcomeKey), str(otelobserve.ReasonKey), str(otelobserve.AlgKey), hit.AsBool()}
}

// Real requests through a net/http and a fasthttp server, with bearer and session middleware,
// are counted by kind, outcome, reason, algorithm and cache hit: accepted, refused by reason,
// and a hit on a token presented again.
func TestRealServers(t *testing.T) {
	for name, serve := range map[string]func(*testing.T, app) string{"net/http": serveNetHTTP, "fasthttp": serveFastHTTP} {
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
			o, err := otelobserve.New(otelobserve.Options{MeterProvider: mp})
			if err != nil {
				t.Fatal(err)
			}
			url := serve(t, newApp(t, o))
			// Tokens from another codec of the same key: the server's cache has not seen them.
			issuer, _ := fastjwt.NewHS256(secret)
			mint := func(claims string) string {
				tok, err := issuer.AppendSign(nil, []byte(claims))
				if err != nil {
					t.Fatal(err)
				}
				return "Bearer " + string(tok)
			}
			good := mint(fmt.Sprintf(`{"sub":"alice","exp":%d}`, time.Now().Add(time.Hour).Unix()))
			for i, want := range []struct {
				auth   string
				status int
			}{
				{good, 200}, {good, 200}, {good, 200},
				{"", 401},
				{mint(`{"sub":"alice","exp":1}`), 401},
				{mint(`{"sub":"alice","jti":"revoked"}`), 401},
				{"Bearer " + strings.TrimSuffix(good[7:], good[len(good)-4:]) + "AAAA", 401},
			} {
				if status, _ := get(t, url+"/api", want.auth, ""); status != want.status {
					t.Fatalf("api request %d: %d, want %d", i, status, want.status)
				}
			}
			_, cookie := get(t, url+"/page", "", "")
			if cookie == "" {
				t.Fatal("no session cookie")
			}
			for range 3 { // marked, stored, then a hit
				_, _ = get(t, url+"/page", "", cookie)
			}
			_, _ = get(t, url+"/page", "", session.DefaultCookieName+"=garbage")

			counts, observed := collect(t, reader)
			want := map[point]int64{
				{"bearer", "accepted", "none", "HS256", false}:        2, // the first sight marks a token, the second stores it
				{"bearer", "accepted", "none", "HS256", true}:         1,
				{"bearer", "refused", "no_token", "none", false}:      1,
				{"bearer", "refused", "expired", "HS256", false}:      1,
				{"bearer", "refused", "revoked", "HS256", false}:      1,
				{"bearer", "refused", "bad_signature", "none", false}: 1,
				{"session", "absent", "no_cookie", "none", false}:     1,
				{"session", "accepted", "none", "HS256", false}:       2,
				{"session", "accepted", "none", "HS256", true}:        1,
				{"session", "refused", "malformed", "none", false}:    1,
			}
			for p, n := range want {
				if counts[p] != n {
					t.Errorf("%v: %d, want %d", p, counts[p], n)
				}
			}
			var total int64
			for p, n := range counts {
				total += n
				if _, ok := want[p]; !ok {
					t.Errorf("unexpected %v: %d", p, n)
				}
			}
			if uint64(total) != observed {
				t.Errorf("%d verdicts counted, %d durations recorded", total, observed)
			}
		})
	}
}
