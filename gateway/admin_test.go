package gateway

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
)

// A JWK Set client reports what the metrics and the readiness checks read.
var (
	_ jwksStats                  = (*jwks.Client)(nil)
	_ interface{ Ready() error } = (*jwks.Client)(nil)
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// fakeJWKS is a verifier that reports fetches and readiness as a *jwks.Client does.
type fakeJWKS struct {
	*fastjwt.Codec
	ready error
}

func (f *fakeJWKS) Age() time.Duration    { return 90 * time.Second }
func (f *fakeJWKS) Fetches() uint64       { return 7 }
func (f *fakeJWKS) FailedFetches() uint64 { return 2 }
func (f *fakeJWKS) Ready() error          { return f.ready }

// TestAdmin: /healthz, /readyz (every check, the JWK Set's readiness among them) and /metrics on
// the admin listener in both modes, and none of them on the public listener.
func TestAdmin(t *testing.T) {
	for _, proxy := range []bool{false, true} {
		cfg := testConfig(t, nil)
		jw := &fakeJWKS{Codec: newCodec(t)}
		cfg.Routes[1].Verifier = jw
		cfg.Routes[1].Name = `adm"in`
		redisDown := false
		cfg.Checks = []Check{{Name: "redis", Check: func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			if redisDown {
				return errors.New("connection refused")
			}
			return nil
		}}}
		if proxy {
			cfg.Upstream = mustURL("http://127.0.0.1:1")
		}
		g := newGateway(t, cfg)
		s := NewServer(g)
		addr, adm := serve(t, s), serveAdmin(t, s)
		for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
			// Forward-auth: 404; reverse-proxy: the upstream's path (a token is needed first).
			want := 404
			if proxy {
				want = 401
			}
			if a := roundTrip(t, addr, "GET", p); a.status != want || strings.Contains(a.body, "ok") {
				t.Errorf("proxy %v: %s on the public listener: %d %q, want %d", proxy, p, a.status, a.body, want)
			}
		}
		if a := roundTrip(t, adm, "GET", "/auth"); a.status != 404 {
			t.Errorf("/auth on the admin listener: %d", a.status)
		}
		public := addr
		addr = adm
		if a := roundTrip(t, addr, "GET", "/healthz"); a.status != 200 || a.body != "ok\n" {
			t.Errorf("healthz %d %q", a.status, a.body)
		}
		if a := roundTrip(t, addr, "GET", "/readyz"); a.status != 200 || a.body != "ok\n" {
			t.Errorf("readyz %d %q", a.status, a.body)
		}
		redisDown = true
		if a := roundTrip(t, addr, "GET", "/readyz"); a.status != 503 || a.body != "not ready: redis: connection refused\n" {
			t.Errorf("readyz %d %q", a.status, a.body)
		}
		redisDown = false
		jw.ready = errors.New("no key set loaded yet")
		if a := roundTrip(t, addr, "GET", "/readyz"); a.status != 503 || !strings.Contains(a.body, `route adm"in: no key set`) {
			t.Errorf("readyz %d %q", a.status, a.body)
		}
		roundTrip(t, public, "GET", "/auth")
		roundTrip(t, public, "GET", "/nowhere")
		a := roundTrip(t, addr, "GET", "/metrics")
		if a.status != 200 || a.get(t, "Content-Type") != prometheusText {
			t.Fatalf("metrics %d %q", a.status, a.lines)
		}
		ep := "auth"
		if proxy {
			ep = "proxy"
		}
		want := []string{
			`fastjwt_gateway_requests_total{endpoint="readyz",outcome="unavailable"} 2`,
			`fastjwt_gateway_requests_total{endpoint="healthz",outcome="allowed"} 1`,
			`fastjwt_gateway_requests_total{endpoint="` + ep + `",outcome="unauthorized"} `,
			`fastjwt_gateway_decision_seconds_bucket{endpoint="` + ep + `",le="+Inf"} `,
			`fastjwt_gateway_decision_seconds_count{endpoint="` + ep + `"} `,
			`fastjwt_gateway_jwks_fetches_total{route="adm\"in"} 7`,
			`fastjwt_gateway_jwks_fetch_failures_total{route="adm\"in"} 2`,
			`fastjwt_gateway_jwks_age_seconds{route="adm\"in"} 90.000`,
			"# TYPE fastjwt_gateway_decision_seconds histogram",
		}
		if !proxy {
			want = append(want, `fastjwt_gateway_requests_total{endpoint="other",outcome="not_found"} 4`)
		}
		for _, w := range want {
			if !strings.Contains(a.body, w) {
				t.Errorf("proxy %v: metrics lack %q:\n%s", proxy, w, a.body)
			}
		}
		if strings.Contains(a.body, `decision_seconds_count{endpoint="`+ep+`"} 0`) {
			t.Errorf("no decision observed")
		}
	}
}

// TestNoRoute: a path no route covers is refused with 403, even with a valid token.
func TestNoRoute(t *testing.T) {
	cfg := testConfig(t, nil)
	cfg.Routes = cfg.Routes[1:] // "/admin/" only
	addr := serve(t, NewServer(newGateway(t, cfg)))
	a := roundTrip(t, addr, "GET", "/auth", "X-Forwarded-Uri: /shop", "Authorization: Bearer "+mint(t, `"aud":"admin"`))
	if a.status != 403 || a.get(t, "Cache-Control") != "no-store" {
		t.Errorf("%d %q", a.status, a.lines)
	}
}

// /metrics counts the verified-token cache of each route's verifier: a token's first decision
// is a miss, the next ones hits.
func TestMetricsCache(t *testing.T) {
	g := newGateway(t, testConfig(t, nil))
	s := NewServer(g)
	addr := serve(t, s)
	tok := mint(t, `"sub":"alice"`)
	// The first two requests miss (the first marks the token, the second stores it), the others
	// hit.
	for range 4 {
		if a := roundTrip(t, addr, "GET", "/auth", "Authorization: Bearer "+tok); a.status != 200 {
			t.Fatalf("auth %d", a.status)
		}
	}
	a := roundTrip(t, serveAdmin(t, s), "GET", "/metrics")
	for _, w := range []string{
		"# TYPE fastjwt_gateway_verify_cache_hits_total counter",
		`fastjwt_gateway_verify_cache_hits_total{route="api"} 2`,
		`fastjwt_gateway_verify_cache_misses_total{route="api"} 2`,
	} {
		if !strings.Contains(a.body, w) {
			t.Errorf("metrics lack %q:\n%s", w, a.body)
		}
	}
}
