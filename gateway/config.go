package gateway

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
)

// Route is one policy: requests whose original path starts with PathPrefix.
type Route struct {
	// Name names the route in logs and metrics (default: PathPrefix) and is the realm of its
	// WWW-Authenticate challenge (default: bearer.DefaultRealm).
	Name string
	// PathPrefix selects the route: the longest prefix of the original path wins, on a segment
	// boundary ("/api" covers "/api" and "/api/x", not "/apix"; "/api/" covers "/api/x" only).
	// It is compared with the percent-decoded path, case-sensitively (RFC 3986 sec. 6.2.2.1).
	// "/" is the default route. Every PathPrefix is a path as an upstream serves it (starting
	// with "/", no escape, ";", empty or dot segment), and no two routes share one.
	PathPrefix string
	// PathParameters allows ";" segment parameters (matrix parameters of a Java API,
	// "/api/users;v=2") in the paths of this route, which are otherwise refused with 400
	// because servlet containers drop them and other servers do not. A path with parameters
	// must choose this route both with them and without them ("/api;x/..." is still refused).
	PathParameters bool
	// RefuseCaseVariants refuses (400) a path that matches PathPrefix only when ASCII case is
	// ignored ("/Admin/x" for "/admin"), for upstreams that serve paths case-insensitively (IIS,
	// a case-insensitive file system), where it would reach this route's resources under
	// another route's policy.
	RefuseCaseVariants bool
	// Verifier checks the tokens of this route: a *fastjwt.Codec or a *jwks.Client. Its issuer
	// and leeway are options of that verifier.
	Verifier fastjwt.Verifier
	// Audience, if set, must be in the token's "aud" (bearer.Config.Audience).
	Audience string
	// Types are the accepted "typ" values (bearer.Config.Types; default bearer.DefaultTypes()).
	Types []fastjwt.Type
	// ClaimHeaders copy verified claims into headers: set on success, and in every outcome a
	// client's own header of that name is never passed on.
	ClaimHeaders []bearer.Forward
	// Cookie, if set, is a cookie that may carry the token instead of the Authorization header.
	// For a session cookie of package session (Types with fastjwt.TypeSession), the token's
	// "exp" never passes the session's absolute end, so the route refuses an ended session;
	// MaxAuthAge holds that end through the verifier's leeway too.
	Cookie string
	// MaxAuthAge, if positive, refuses a token whose "auth_time" (or "iat" without it) is that
	// old (bearer.Config.MaxAuthAge): set it to the session.Config.AbsoluteLifetime of the
	// sessions a Cookie route reads (OWASP ASVS 5.0 7.3.2).
	MaxAuthAge time.Duration
}

// Config is the configuration of a Gateway. New refuses one that cannot work.
type Config struct {
	// Routes are the policies; at least one. A request whose path no prefix matches is refused
	// with 403 (no route has PathPrefix "/").
	Routes []Route
	// Revocations, if set, is checked after the signature of every token (nil: none).
	Revocations revoke.List
	// FailOpen lets tokens through when Revocations cannot answer. Default: fail closed (503).
	FailOpen bool
	// Upstream, if set, selects reverse-proxy mode: allowed requests are proxied there.
	Upstream *url.URL
	// Logger receives decisions (debug level) and errors; nil discards them. No line holds a
	// token.
	Logger *slog.Logger
	// Metrics collects the counters served at /metrics. Share one across reloads (NewMetrics);
	// nil: the Gateway gets its own.
	Metrics *Metrics
	// Checks are the readiness checks run by /readyz.
	Checks []Check
	// Now is the clock of the gateway's own time checks (Route.MaxAuthAge; default time.Now):
	// the verifiers' clock.
	Now func() time.Time
	// MaxCacheAge caps the Cache-Control max-age of an allowing answer (the proxy may reuse the
	// decision that long). Zero: max-age=0. Never beyond the token's expiry.
	MaxCacheAge time.Duration
	// Observer, if set, hears every decision of forward-auth, ext_authz and reverse-proxy mode,
	// once, on the request's goroutine, before the answer is written: keep it quick (count, or
	// hand the event on). It is the same decision /metrics counts (which stays as it is): the
	// event's Reason is the reason label of fastjwt_gateway_decisions_total ("allowed",
	// bearer.Reason's names, "no_route", "bad_path") and its Duration the decision's latency.
	// Alg and CacheHit are the token's when one was verified; in reverse-proxy mode only for
	// allowed requests (the refusal answer does not see the token). Unset, it costs nothing.
	Observer observe.Observer
}

// Check is one readiness check: /readyz answers 503 naming the first check that fails.
type Check struct {
	// Name names the check in /readyz's answer.
	Name string
	// Check returns nil when ready. Its context carries the deadline of the probe.
	Check func(ctx context.Context) error
}
