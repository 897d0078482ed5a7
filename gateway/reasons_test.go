package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// signRaw signs payload as a token of type typ with the fixture's secret, without the
// fixture's issuer and audience (mint adds them).
func signRaw(tb testing.TB, key []byte, typ fastjwt.Type, payload string) string {
	tb.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: key}})
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := c.AppendSignType(nil, typ, []byte(payload))
	if err != nil {
		tb.Fatal(err)
	}
	return string(tok)
}

// decisionCount returns the value of fastjwt_gateway_decisions_total for endpoint and reason in
// the /metrics text, or -1 when the line is missing.
func decisionCount(text, ep, r string) int {
	prefix := `fastjwt_gateway_decisions_total{endpoint="` + ep + `",reason="` + r + `"} `
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			var n int
			fmt.Sscan(v, &n)
			return n
		}
	}
	return -1
}

// lastLine returns the last line of a log.
func lastLine(log string) string {
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	return lines[len(lines)-1]
}

// reasonCase is one request of the reason tests: what it asks and how it must be answered.
type reasonCase struct {
	name   string
	g      *Gateway
	target string   // the original request target
	lines  []string // header lines of the request
	status int
	reason string
}

// reasonCases are requests for every reason a decision can have, on gateways that share m:
// the fixture's two routes with a revocation list that answers (revoke.Memory) and one that
// cannot, and two routes without a default one.
func reasonCases(t *testing.T, m *Metrics, log *slog.Logger, upstream bool) []reasonCase {
	t.Helper()
	hour := time.Now().Add(time.Hour).Unix()
	list := revoke.NewMemory(revoke.MemoryOptions{})
	if err := list.RevokeToken(context.Background(), "gone", time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	build := func(cfg Config) *Gateway {
		cfg.Metrics, cfg.Logger = m, log
		if upstream {
			var hits atomic.Int64
			cfg.Upstream = echoUpstream(t, &hits)
		}
		return newGateway(t, cfg)
	}
	cfg := testConfig(t, nil)
	cfg.Revocations = list
	g := build(cfg)
	down := &revocations{}
	down.fail.Store(true)
	gDown := build(testConfig(t, down))
	two := testConfig(t, nil)
	two.Routes[0].PathPrefix, two.Routes[0].Name = "/api/", "api"
	gTwo := build(two)

	auth := func(tok string) string { return "Authorization: Bearer " + tok }
	return []reasonCase{
		{"allowed", g, "/api/x", []string{auth(mint(t, `"sub":"alice"`))}, 200, "allowed"},
		{"no token", g, "/api/x", nil, 401, "no_token"},
		{"malformed", g, "/api/x", []string{auth("not.a.token")}, 401, "malformed"},
		{"wrong key", g, "/api/x", []string{auth(signRaw(t, []byte(strings.Repeat("x", 32)), fastjwt.TypeJWT,
			fmt.Sprintf(`{"iss":%q,"aud":"api","exp":%d}`, issuer, hour)))}, 401, "bad_signature"},
		{"expired", g, "/api/x", []string{auth(mint(t, `"exp":1`))}, 401, "expired"},
		{"not yet valid", g, "/api/x", []string{auth(mint(t, fmt.Sprintf(`"nbf":%d`, hour)))}, 401, "not_yet_valid"},
		{"wrong issuer", g, "/api/x", []string{auth(signRaw(t, secret, fastjwt.TypeJWT,
			fmt.Sprintf(`{"iss":"https://other.test","aud":"api","exp":%d}`, hour)))}, 401, "wrong_issuer"},
		{"wrong type", g, "/api/x", []string{auth(mintType(t, fastjwt.TypeSession, `"sub":"alice"`))}, 401, "wrong_purpose"},
		{"wrong type and audience", g, "/admin/x", []string{auth(mintType(t, fastjwt.TypeSession, `"sub":"alice"`))}, 401, "wrong_purpose"},
		{"wrong audience", g, "/admin/x", []string{auth(mint(t, `"sub":"alice"`))}, 403, "wrong_audience"},
		{"revoked", g, "/api/x", []string{auth(mint(t, `"jti":"gone"`))}, 401, "revoked"},
		{"unavailable", gDown, "/api/x", []string{auth(mint(t, `"jti":"j"`))}, 503, "unavailable"},
		{"two Authorization headers", g, "/api/x", []string{auth(mint(t, "")), auth(mint(t, ""))}, 400, "ambiguous"},
		{"bad path", gTwo, "/a/../b", []string{auth(mint(t, ""))}, 400, "bad_path"},
		{"no route", gTwo, "/other", []string{auth(mint(t, ""))}, 403, "no_route"},
	}
}

// TestDecisionReasons: every decision is counted by its reason in /metrics and logged with the
// reason's name, on the forward-auth endpoints.
func TestDecisionReasons(t *testing.T) {
	m := NewMetrics()
	var out lockedBuffer
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cases := reasonCases(t, m, log, false)
	want := map[string]int{}
	for _, tc := range cases {
		for _, ep := range []string{"auth", "ext_authz"} {
			var ctx *fasthttp.RequestCtx
			if ep == "auth" {
				ctx = subrequest(t, false, "/auth", append([]string{"X-Forwarded-Uri: " + tc.target}, tc.lines...)...)
			} else {
				ctx = subrequest(t, false, "/ext-authz"+tc.target, tc.lines...)
			}
			tc.g.serveFast(ctx)
			if got := ctx.Response.StatusCode(); got != tc.status {
				t.Errorf("%s, %s: status %d, want %d", ep, tc.name, got, tc.status)
			}
			if l := lastLine(out.String()); !strings.Contains(l, `"endpoint":"`+ep+`",`) || !strings.Contains(l, `"reason":"`+tc.reason+`"`) {
				t.Errorf("%s, %s: decision logged as %s, want reason %s", ep, tc.name, l, tc.reason)
			}
			want[ep+" "+tc.reason]++
		}
	}
	// Two original targets that differ are ambiguous too (forward-auth only).
	ctx := subrequest(t, false, "/auth", "X-Forwarded-Uri: /api/x", "X-Original-URI: /admin/x", "Authorization: Bearer "+mint(t, ""))
	cases[0].g.serveFast(ctx)
	if ctx.Response.StatusCode() != 400 {
		t.Errorf("conflicting targets: %d", ctx.Response.StatusCode())
	}
	want["auth ambiguous"]++

	text := cases[0].g.metricsText()
	for _, ep := range []string{"auth", "ext_authz", "proxy"} {
		for _, r := range reasonNames {
			if got := decisionCount(string(text), ep, r); got != want[ep+" "+r] {
				t.Errorf("decisions{endpoint=%q,reason=%q} = %d, want %d", ep, r, got, want[ep+" "+r])
			}
		}
	}
	// The reasons' counts add up to the requests' outcomes.
	if !strings.Contains(string(text), `fastjwt_gateway_requests_total{endpoint="auth",outcome="bad_request"} 3`) {
		t.Errorf("requests_total of auth:\n%s", text)
	}
}

// TestProxyReasons: reverse-proxy mode counts its decisions by reason too.
func TestProxyReasons(t *testing.T) {
	m := NewMetrics()
	var out lockedBuffer
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cases := reasonCases(t, m, log, true)
	want := map[string]int{}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", tc.target, nil)
		for _, l := range tc.lines {
			name, value, _ := strings.Cut(l, ": ")
			r.Header.Add(name, value)
		}
		w := httptest.NewRecorder()
		tc.g.serveProxy(w, r)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, w.Code, tc.status, w.Body)
		}
		if l := lastLine(out.String()); !strings.Contains(l, `"endpoint":"proxy",`) || !strings.Contains(l, `"reason":"`+tc.reason+`"`) {
			t.Errorf("%s: decision logged as %s, want reason %s", tc.name, l, tc.reason)
		}
		want[tc.reason]++
	}
	text := string(cases[0].g.metricsText())
	for _, r := range reasonNames {
		if got := decisionCount(text, "proxy", r); got != want[r] {
			t.Errorf("decisions{endpoint=\"proxy\",reason=%q} = %d, want %d", r, got, want[r])
		}
	}
}

// The gateway's reasons extend bearer.Reason's: a reason added to the bearer package must be
// named here too.
func TestReasonNames(t *testing.T) {
	if s := bearer.Reason(numBearerReasons).String(); s != "invalid" {
		t.Errorf("bearer.Reason(%d) is %q: the gateway's reasons do not cover bearer's", numBearerReasons, s)
	}
	seen := map[string]bool{}
	for r, name := range reasonNames {
		if name == "" || name == "none" || name == "invalid" || seen[name] {
			t.Errorf("reason %d is named %q", r, name)
		}
		seen[name] = true
	}
	if r := refusalReason(&bearer.AuthError{Err: fmt.Errorf("%w", revoke.ErrRevoked)}); reasonNames[r] != "revoked" {
		t.Errorf("refusalReason = %s", reasonNames[r])
	}
	if r := refusalReason(&bearer.AuthError{}); reasonNames[r] != "malformed" {
		t.Errorf("a refusal without a cause: %s", reasonNames[r])
	}
}

// TestWrongPurposeIs401: a token of another purpose (a session cookie) is 401 invalid_token
// whatever its audience, whether the route's verifier checks the audience (as the CLI builds
// it, fastjwt.WithAudience) or the route does (Route.Audience); 403 stays for an access token
// of another audience.
func TestWrongPurposeIs401(t *testing.T) {
	withAud, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithIssuer(issuer), fastjwt.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	byVerifier := newGateway(t, Config{Routes: []Route{{Name: "api", PathPrefix: "/", Verifier: withAud}}})
	byRoute := newGateway(t, testConfig(t, nil))
	const purpose = `Bearer realm="api", error="invalid_token", error_description="the token is not valid for this purpose"`
	const scope = `Bearer realm="api", error="insufficient_scope", error_description="the token is not valid for this audience"`
	for _, tc := range []struct {
		name, token string
		status      int
		challenge   string
	}{
		{"session token without aud", signRaw(t, secret, fastjwt.TypeSession, fmt.Sprintf(`{"iss":%q,"sub":"alice"}`, issuer)), 401, purpose},
		{"session token for another aud", mintType(t, fastjwt.TypeSession, `"aud":"other"`), 401, purpose},
		{"session token for the aud", mintType(t, fastjwt.TypeSession, ""), 401, purpose},
		{"access token for another aud", mintType(t, fastjwt.TypeAccess, `"aud":"other"`), 403, scope},
	} {
		for _, g := range []struct {
			name string
			g    *Gateway
		}{{"verifier's audience", byVerifier}, {"route's audience", byRoute}} {
			ctx := subrequest(t, false, "/auth", "X-Forwarded-Uri: /x", "Authorization: Bearer "+tc.token)
			g.g.serveFast(ctx)
			if got, ch := ctx.Response.StatusCode(), string(ctx.Response.Header.Peek("WWW-Authenticate")); got != tc.status || ch != tc.challenge {
				t.Errorf("%s, %s: %d %q, want %d %q", g.name, tc.name, got, ch, tc.status, tc.challenge)
			}
		}
	}
}
