package gateway

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
)

// recorder collects what an Observer hears.
type recorder struct {
	mu  sync.Mutex
	all []observe.Event
}

func (r *recorder) observe(e observe.Event) { r.mu.Lock(); r.all = append(r.all, e); r.mu.Unlock() }

func (r *recorder) take() []observe.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := r.all
	r.all = nil
	return all
}

// Every forward-auth and ext_authz decision reaches the Observer once, with the reason /metrics
// counts it under, the token's algorithm and cache hit, and the decision's latency; /metrics
// counts the same decisions as before.
func TestObserverForwardAuth(t *testing.T) {
	var heard recorder
	rl := &revocations{}
	cfg := testConfig(t, rl)
	cfg.Observer = heard.observe
	g := newGateway(t, cfg)
	addr := serve(t, NewServer(g))
	good := mint(t, `"sub":"alice"`)
	for _, tc := range []struct {
		name    string
		target  string
		lines   []string
		status  int
		outcome observe.Outcome
		reason  string
		alg     fastjwt.Alg
		hit     bool
	}{
		{"allowed, first seen", "/auth", []string{"X-Forwarded-Uri: /api/x", "Authorization: Bearer " + good}, 200, observe.Accepted, "allowed", fastjwt.HS256, false},
		{"allowed again: stored in the cache", "/auth", []string{"X-Forwarded-Uri: /api/x", "Authorization: Bearer " + good}, 200, observe.Accepted, "allowed", fastjwt.HS256, false},
		{"ext_authz allowed", "/ext-authz/api/x", []string{"Authorization: Bearer " + good}, 200, observe.Accepted, "allowed", fastjwt.HS256, true},
		{"no token", "/auth", []string{"X-Forwarded-Uri: /api/x"}, 401, observe.Refused, "no_token", 0, false},
		{"another audience", "/auth", []string{"X-Forwarded-Uri: /admin/x", "Authorization: Bearer " + good}, 403, observe.Refused, "wrong_audience", fastjwt.HS256, true},
		{"expired", "/auth", []string{"X-Forwarded-Uri: /api/x", "Authorization: Bearer " + mint(t, `"exp":1`)}, 401, observe.Refused, "expired", fastjwt.HS256, false},
		{"revoked", "/auth", []string{"X-Forwarded-Uri: /api/x", "Authorization: Bearer " + mint(t, `"jti":"revoked"`)}, 401, observe.Refused, "revoked", fastjwt.HS256, false},
		{"forged", "/auth", []string{"X-Forwarded-Uri: /api/x", "Authorization: Bearer " + good[:len(good)-2] + "AA"}, 401, observe.Refused, "bad_signature", 0, false},
		{"two targets", "/auth", []string{"X-Forwarded-Uri: /a", "X-Original-URI: /b"}, 400, observe.Refused, "ambiguous", 0, false},
		{"two readings", "/auth", []string{"X-Forwarded-Uri: /api/../admin/x", "Authorization: Bearer " + good}, 400, observe.Refused, "bad_path", 0, false},
	} {
		ep := epAuth
		if tc.target != "/auth" {
			ep = epExtAuthz
		}
		why := reasonAllowed
		for r, name := range reasonNames {
			if name == tc.reason {
				why = reason(r)
			}
		}
		counted := g.metrics.decisions[ep][why].Load()
		before := time.Now()
		a := roundTrip(t, addr, "GET", tc.target, tc.lines...)
		after := time.Now()
		if a.status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, a.status, tc.status)
		}
		if n := g.metrics.decisions[ep][why].Load(); n != counted+1 {
			t.Errorf("%s: /metrics counted %d decisions under %q, want 1", tc.name, n-counted, tc.reason)
		}
		got := heard.take()
		if len(got) != 1 {
			t.Errorf("%s: %d events, want 1", tc.name, len(got))
			continue
		}
		e := got[0]
		if e.Kind != observe.KindGateway || e.Outcome != tc.outcome || e.Reason != tc.reason || e.Alg != tc.alg || e.CacheHit != tc.hit {
			t.Errorf("%s: %v %v %q alg %v hit %v, want %v %q alg %v hit %v", tc.name, e.Kind, e.Outcome, e.Reason, e.Alg, e.CacheHit,
				tc.outcome, tc.reason, tc.alg, tc.hit)
		}
		// fasthttp's server time of the request is read before the handler; it may precede
		// the client's clock reading by its coarse resolution, never follow the answer.
		if e.Duration < 0 || e.Start.After(after) || e.Start.Before(before.Add(-time.Second)) {
			t.Errorf("%s: start %v duration %v outside the request", tc.name, e.Start, e.Duration)
		}
	}
}

// In reverse-proxy mode every decision reaches the Observer once: an allowed one with the
// token's algorithm and cache hit (from the token's third presentation: the first marks it, the
// second stores it), a refused one with its reason.
func TestObserverProxy(t *testing.T) {
	var heard recorder
	var hits atomic.Int64
	cfg := testConfig(t, nil)
	cfg.Upstream = echoUpstream(t, &hits)
	cfg.Observer = heard.observe
	addr := serve(t, NewServer(newGateway(t, cfg)))
	good := mint(t, `"sub":"alice"`)
	for _, tc := range []struct {
		target  string
		lines   []string
		status  int
		outcome observe.Outcome
		reason  string
		alg     fastjwt.Alg
		hit     bool
	}{
		{"/api/x", []string{"Authorization: Bearer " + good}, 200, observe.Accepted, "allowed", fastjwt.HS256, false},
		{"/api/y", []string{"Authorization: Bearer " + good}, 200, observe.Accepted, "allowed", fastjwt.HS256, false},
		{"/api/z", []string{"Authorization: Bearer " + good}, 200, observe.Accepted, "allowed", fastjwt.HS256, true},
		{"/api/x", nil, 401, observe.Refused, "no_token", 0, false},
		{"/admin/x", []string{"Authorization: Bearer " + good}, 403, observe.Refused, "wrong_audience", 0, false},
		{"/api/../admin/x", []string{"Authorization: Bearer " + good}, 400, observe.Refused, "bad_path", 0, false},
	} {
		a := roundTrip(t, addr, "GET", tc.target, tc.lines...)
		got := heard.take()
		if a.status != tc.status || len(got) != 1 {
			t.Errorf("%s: status %d and %d events, want %d and 1", tc.target, a.status, len(got), tc.status)
			continue
		}
		e := got[0]
		if e.Kind != observe.KindGateway || e.Outcome != tc.outcome || e.Reason != tc.reason || e.Alg != tc.alg || e.CacheHit != tc.hit || e.Duration < 0 {
			t.Errorf("%s: %v %v %q alg %v hit %v, want %v %q alg %v hit %v", tc.target, e.Kind, e.Outcome, e.Reason, e.Alg, e.CacheHit,
				tc.outcome, tc.reason, tc.alg, tc.hit)
		}
	}
}
