package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
	"github.com/fastjwt/session/gateway"
	"github.com/fastjwt/session/internal/httpsyntax"
	"github.com/fastjwt/session/internal/keyfile"
	"github.com/fastjwt/session/redisstore"
)

// The gateway command: a server that verifies the token of every request for a proxy in front
// of it (nginx auth_request, Caddy forward_auth, Traefik forwardAuth, Envoy ext_authz), or in
// front of an upstream itself (--upstream). Package gateway serves; this file configures it from
// the command line and a config file, and runs it: logs, Redis, SIGHUP and SIGTERM.

// Exit statuses of the gateway command (besides exitOK after SIGTERM or SIGINT).
const (
	exitGatewayFailed = 1 // the server failed while running, or did not drain in time
	// exitUsage (2): it did not start: bad flags or config file, keys, Redis, the listener.
)

// Defaults of the gateway's flags.
const (
	defaultGatewayListen = "127.0.0.1:8401"
	// The admin endpoints answer on loopback by default: readiness failures name internal
	// addresses, and metrics are for the operator's scraper.
	defaultAdminListen  = "127.0.0.1:8402"
	defaultMaxCacheAge  = 60 * time.Second
	defaultDrainTimeout = 10 * time.Second
	// redisCheckTimeout bounds the PING of the readiness check when the probe sets no deadline.
	redisCheckTimeout = time.Second
)

var gatewayHelp = commandHelp{
	synopsis: "fastjwt gateway [flags]",
	intro: `Serves token verification for a proxy in front of it, or in front of an upstream
(--upstream). The listener (--listen) answers:
  /auth                 nginx auth_request, Caddy forward_auth, Traefik forwardAuth: 200 with
                        the claim headers set, or 401/403/400/503 with a WWW-Authenticate challenge.
                        The route is chosen by X-Forwarded-Uri or X-Original-URI.
  /ext-authz/<path>     Envoy's HTTP ext_authz service (path_prefix "/ext-authz")
and 404 to any other path. With --upstream URL it answers no path itself: every request is
verified, then proxied to URL with the claim headers.
The admin listener (--admin-listen, default 127.0.0.1:8402, "off" for none) answers:
  /healthz /readyz /metrics
                        liveness, readiness (keys loaded, JWK Sets fresh, Redis reachable with
                        its data: a Redis that was flushed or restarted empty stays not ready,
                        and tokens get 503, until 'fastjwt recover'; on failure, which check
                        failed and why) and Prometheus metrics

The keys and policy come from the flags (one issuer, the route "/") or from --config FILE
(several issuers and routes); not both: with --config, the key and policy flags are refused.
The other flags (--listen, --upstream, --redis, --max-cache-age...) apply either way.`,
	outro: gatewayConfigHelp + `
Logs are JSON lines (log/slog) on standard error. At start, one line says where it listens:
  {"time":...,"level":"INFO","msg":"listening","addr":"127.0.0.1:8401","admin":"127.0.0.1:8402",...}
with the real addresses (port 0 picks a free port; "admin":"off" without an admin listener). No
token and no secret is ever logged: a request the HTTP server could not read is logged as a
fixed message with its category (malformed head, head too large, body too large, timeout,
connection error...) and the client's address, never the request's bytes or the error's text.

Slow and idle clients are bounded on both listeners: a request head must arrive within
--read-header-timeout (default 10s), its body within --body-timeout of the head (default 60s),
a kept-alive connection is closed after --idle-timeout without a request (default 2m), and at
most --max-conns connections are open at once on each listener (default 4096; the admin
listener at most 64); one beyond waits to be accepted. A request the gateway refuses is answered
at once, and its connection closed without reading a body it declared. 0 removes a bound.

SIGHUP reads the keys (files, environment, JWK Sets) and the config file again, and swaps the new
configuration in without dropping a connection; if anything is wrong with it, the error is logged
and the configuration in use is kept. --listen, --admin-listen, --upstream, --redis and the limits
on clients are not reloaded.
SIGTERM or SIGINT stops accepting connections, lets the requests under way finish (at most
--drain-timeout) and exits 0.

Exit status 0 after SIGTERM or SIGINT; 1 if the server failed or did not drain in time; 2 if it
did not start (bad flags or config file, keys, Redis, the listener).`,
}

// gatewayConfigHelp describes the config file, in the help of the command and in doc.go.
const gatewayConfigHelp = `The config file (--config FILE) holds [issuer NAME] and [route /PREFIX] sections of
"key = value" lines; '#' or ';' starts a comment line (never a comment after a value); a
value is the rest of the line, spaces around it removed. Every mistake is reported with its line (file:line: ...), at start
and on SIGHUP, and nothing is served from a file with a mistake.
  [issuer NAME]       NAME: letters, digits, '.', '_', '-'
    alg = ALG           as --alg (default HS256)
    key-file = PATH     as --key-file; a relative PATH is relative to the config file
    key-file-raw = true as --key-file-raw
    key-env = NAME      as --key-env
    jwks = PATH|URL     as --jwks
    issuer-url = URL    as --issuer-url: the keys of an OpenID Connect issuer, found by its
                        /.well-known/openid-configuration; "iss" defaults to URL
    jwks-timeout = DUR  as --jwks-timeout
    jwks-expire-after = DUR
                        as --jwks-expire-after (default 72h)
    kid = ID            as --kid
    allow-short-key = true
    secret-file = KID=PATH
    secret-env = KID=NAME
                        repeatable, as --secret-file and --secret-env: the HS256 secrets of a
                        rotation, each with its own kid (see "Key rotation" below)
    iss = ISSUER        required "iss" of its tokens
    leeway = DUR        clock skew allowed for exp and nbf (default 0s)
  Exactly one of key-file, key-env, jwks, issuer-url, or any number of secret-file and secret-env lines.
  A secret is never written in the file itself.
  [route /PREFIX]     the path prefix of the original URI, matched on segment boundaries
                      (/api covers /api and /api/x, not /apix) and with case; the longest
                      matching one wins, and "/" is the default route (without it, other paths
                      are refused). A path with more than one reading among upstreams (a "#",
                      ";", dot or empty segment, encoded "/" or "%"...) is refused (400).
    issuer = NAME       required: the [issuer NAME] whose keys verify the tokens
    aud = AUDIENCE      required "aud"; without it a token carrying "aud" is refused (403)
    types = LIST        accepted "typ" values, from none, JWT, at+jwt, session+jwt
                        (default: none JWT at+jwt)
    claim-header = CLAIM=HEADER
                        repeatable: the claim is sent in the header on success (empty when the
                        token lacks it); never a hop-by-hop, credential or routing header
    cookie = NAME       also take the token from this cookie
    path-parameters = allow
                        accept ";" segment parameters (Java matrix parameters) in this route's
                        paths; by default they are refused (400), as servlet containers drop them
    max-auth-age = DUR  refuse a token whose "auth_time" (or "iat") is that old, whatever the
                        verifier's leeway: a session cookie's absolute lifetime
                        (session.Config.AbsoluteLifetime)
    case-variants = refuse
                        refuse (400) paths that match PREFIX only when case is ignored, for an
                        upstream that serves paths case-insensitively (IIS, Windows, macOS)
    name = NAME         the route's name in logs, metrics and the realm (default: PREFIX)
Example:
  [issuer corp]
  key-file = corp.key
  iss = https://corp.example
  [issuer partners]
  alg = ES256
  jwks = https://login.partner.example/.well-known/jwks.json
  [route /]
  issuer = corp
  claim-header = sub=X-User
  [route /partners/]
  issuer = partners
  aud = partner-api
  claim-header = sub=X-Partner
Key rotation (HS256): give every secret in use with its kid, in the flags
  --secret-file 2026-02=/etc/fastjwt/2026-02.key --secret-file 2026-01=/etc/fastjwt/2026-01.key
or in the [issuer] section
  secret-file = 2026-02=2026-02.key
  secret-file = 2026-01=2026-01.key
The kid is what comes before the first '=' (a kid holds no '='); each kid is given once. Every
secret verifies, none has precedence (the gateway signs nothing). A token whose header has a
"kid" is checked with that kid's secret only, and refused (401) when no secret has it; a token
without "kid" is checked with each secret in turn, in the order given. To rotate: add the new
secret and SIGHUP, let the issuer sign with it, and remove the old one (SIGHUP) once its tokens
have expired. --key-file, --key-env, --key and --kid give one secret and are not combined with
these.
`

// policyFlags are the flags that configure the issuer and the route: with --config they come
// from the file instead, and giving them is an error.
var policyFlags = []string{"alg", "key-file", "key-file-raw", "key-env", "key", "kid", "allow-short-key",
	"jwks", "issuer-url", "jwks-timeout", "jwks-expire-after", "secret-file", "secret-env", "iss", "aud", "leeway", "claim-header", "cookie", "types", "max-auth-age"}

// claimHeaderFlags is the repeatable --claim-header CLAIM=HEADER.
type claimHeaderFlags []string

func (c *claimHeaderFlags) String() string { return strings.Join(*c, ",") }

func (c *claimHeaderFlags) Set(v string) error {
	*c = append(*c, v) // checked by flagSpec, in the words of the config file's checks
	return nil
}

// gatewayCommand is the gateway as the command line configured it: what stays for the life of
// the process (the upstream, Redis, the logger, the metrics) and where the policy comes from
// (the flags, or the config file that SIGHUP reads again).
type gatewayCommand struct {
	flagSpec    *gatewaySpec // the policy of the flags; nil with --config
	config      string       // --config
	upstream    *url.URL
	maxCacheAge time.Duration
	failOpen    bool
	log         *slog.Logger
	metrics     *gateway.Metrics
	redis       *redisstore.Redis // nil without --redis
}

// generation is one Gateway built from the flags or the config file, and the JWKS clients it
// owns, closed when it is replaced.
type generation struct {
	gw      *gateway.Gateway
	clients []*jwks.Client
}

func (g *generation) close() {
	for _, c := range g.clients {
		c.Close()
	}
}

func runGateway(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("gateway")
	kf := new(keyFlags)
	listen := fs.String("listen", defaultGatewayListen, "the `ADDR` to listen on, host:port; port 0 picks a free one (the \"listening\" log\nline says which)")
	kf.register(fs)
	kf.registerJWKS(fs)
	registerSecrets(fs)
	iss := fs.String("iss", "", "the required \"iss\" of the tokens")
	aud := fs.String("aud", "", "the required \"aud\" of the tokens; without it a token carrying \"aud\" is refused\n(403, RFC 7519 sec. 4.1.3)")
	var maxAuthAge time.Duration
	fs.Var(durationFlag{&maxAuthAge}, "max-auth-age", "refuse a token whose \"auth_time\" (or \"iat\") is that old, a `DURATION`, whatever\nthe leeway: a session cookie's absolute lifetime (default: no limit but \"exp\")")
	var leeway time.Duration
	fs.Var(durationFlag{&leeway}, "leeway", "allowed clock skew for exp and nbf, a `DURATION` such as 30s (default 0s)")
	var claims claimHeaderFlags
	fs.Var(&claims, "claim-header", "copy a verified claim into a header, `CLAIM=HEADER` (repeatable); the header is\nsent empty when the token lacks the claim, and a client's own is never passed on")
	cookie := fs.String("cookie", "", "also take the token from the cookie `NAME`")
	types := fs.String("types", "", "the accepted token types (\"typ\"), a `LIST` of none, JWT, at+jwt, session+jwt\n(default \"none JWT at+jwt\")")
	config := fs.String("config", "", "read issuers and routes from `FILE` (see below) instead of the key and policy\nflags")
	upstream := fs.String("upstream", "", "reverse-proxy mode: verified requests are proxied to `URL` (http:// or https://)")
	redisAddr := fs.String("redis", "", "check every token against the revocation list in Redis at `HOST:PORT`\n(standalone or a cluster node); when Redis cannot answer, requests get 503")
	redisPassEnv := fs.String("redis-password-env", "", "with --redis: the password is the value of the environment variable `NAME`")
	redisPrefix := fs.String("redis-prefix", redisstore.DefaultPrefix, "with --redis: the `PREFIX` of the list's keys, as the application that revokes\ntokens writes them (redisstore.Options.Prefix)")
	failOpen := fs.Bool("fail-open", false, "with --redis: let tokens through when Redis cannot answer (default: 503)")
	var redisGrace time.Duration
	fs.Var(durationFlag{&redisGrace}, "redis-grace", "with --redis: the grace the application's list keeps revocations past their expiry,\na `DURATION` as it writes them (redisstore.Options.Grace; default 5m); a --leeway or\nleeway above it is refused at start, since a revoked token would come back within it")
	allowEvicting := fs.Bool("redis-allow-evicting", false, "with --redis: start, and answer, although Redis's maxmemory-policy is not noeviction\n(default: refuse to start; a revocation could be evicted unnoticed)")
	maxCacheAge := defaultMaxCacheAge
	fs.Var(durationFlag{&maxCacheAge}, "max-cache-age", "the longest a proxy may reuse a 200 (Cache-Control max-age), a `DURATION`\n(default 60s; never beyond the token's expiry)")
	logLevel := fs.String("log-level", "info", "the least `LEVEL` logged: debug (every decision, without its token), info,\nwarn or error")
	drain := defaultDrainTimeout
	fs.Var(durationFlag{&drain}, "drain-timeout", "on SIGTERM, the longest to wait for requests under way, a `DURATION` (default 10s)")
	adminListen := fs.String("admin-listen", defaultAdminListen, "the `ADDR` of the admin listener (/healthz, /readyz, /metrics), host:port, or \"off\"\nfor none (default 127.0.0.1:8402); port 0 picks a free one (the \"listening\" line's\n\"admin\" says which)")
	lim := gateway.DefaultLimits()
	fs.Var(durationFlag{&lim.ReadHeaderTimeout}, "read-header-timeout", "the longest a request head may take to arrive, a `DURATION` (default 10s; 0: none)")
	fs.Var(durationFlag{&lim.BodyTimeout}, "body-timeout", "the longest a request body may take to arrive after its head, a `DURATION`\n(default 1m0s; 0: none, for long uploads and request streams)")
	fs.Var(durationFlag{&lim.IdleTimeout}, "idle-timeout", "the longest a kept-alive connection may wait for its next request, a `DURATION`\n(default 2m0s; 0: none)")
	fs.IntVar(&lim.MaxConns, "max-conns", gateway.DefaultMaxConns, "the most connections open at once on each listener, `N` (default 4096; 0: no\ncap); one beyond waits to be accepted")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := setFlags(fs)
	fail := func(format string, a ...any) int { return usageError(stderr, "gateway", format, a...) }

	cmd := &gatewayCommand{maxCacheAge: maxCacheAge, failOpen: *failOpen, metrics: gateway.NewMetrics()}
	if _, _, err := net.SplitHostPort(*listen); err != nil {
		return fail("--listen: %q is not host:port (e.g. 127.0.0.1:8401, :8401)", *listen)
	}
	if *adminListen == "" {
		*adminListen = "off"
	}
	if _, _, err := net.SplitHostPort(*adminListen); err != nil && *adminListen != "off" {
		return fail("--admin-listen: %q is not host:port (e.g. 127.0.0.1:8402) or \"off\"", *adminListen)
	}
	if lim.MaxConns < 0 {
		return fail("--max-conns: must not be negative")
	}
	// On the command line 0 is "none"; in gateway.Limits a negative value is.
	for _, d := range []*time.Duration{&lim.ReadHeaderTimeout, &lim.BodyTimeout, &lim.IdleTimeout} {
		if *d == 0 {
			*d = -1
		}
	}
	if lim.MaxConns == 0 {
		lim.MaxConns = -1
	}
	if set["upstream"] {
		u, err := parseUpstream(*upstream)
		if err != nil {
			return fail("--upstream: %v", err)
		}
		cmd.upstream = u
	}
	switch {
	case set["redis-password-env"] && !set["redis"]:
		return fail("--redis-password-env applies to --redis only")
	case set["redis-prefix"] && !set["redis"]:
		return fail("--redis-prefix applies to --redis only")
	case set["redis-grace"] && !set["redis"]:
		return fail("--redis-grace applies to --redis only")
	case *failOpen && !set["redis"]:
		return fail("--fail-open applies to --redis only")
	case *allowEvicting && !set["redis"]:
		return fail("--redis-allow-evicting applies to --redis only")
	case set["drain-timeout"] && drain == 0:
		return fail("--drain-timeout: must be more than 0s")
	}
	if set["config"] {
		for _, name := range policyFlags {
			if set[name] {
				return fail("--%s: with --config, issuers and routes come from the file only (see 'fastjwt help gateway')", name)
			}
		}
		if *config == "" {
			return fail("--config: needs the path of a file")
		}
		abs, err := filepath.Abs(*config)
		if err != nil {
			return fail("--config: %v", err)
		}
		cmd.config = abs
	} else {
		spec, err := flagSpec(fs, set, *iss, *aud, leeway, claims, *cookie, *types, maxAuthAge)
		if err != nil {
			return fail("%v", err)
		}
		cmd.flagSpec = spec
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fail("--log-level: %q is not debug, info, warn or error", *logLevel)
	}
	cmd.log = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if set["redis"] {
		r, err := dialRedis(*redisAddr, *redisPassEnv, *redisPrefix, redisGrace, *allowEvicting, cmd.log)
		if err != nil {
			return fail("%v", err)
		}
		// The policy and the marker, before the first request: an evicting Redis is refused.
		ctx, cancel := context.WithTimeout(context.Background(), redisCheckTimeout)
		err = r.List().Check(ctx)
		cancel()
		if err != nil {
			r.Close()
			if errors.Is(err, redisstore.ErrEvictingPolicy) {
				return fail("--redis: %v; --redis-allow-evicting starts anyway", err)
			}
			return fail("--redis: %v", err)
		}
		cmd.redis = r
		defer r.Close()
	}
	gen, err := cmd.load()
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "fastjwt gateway: %s\n", line)
		}
		return exitUsage
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		gen.close()
		return fail("--listen: %v", err)
	}
	var adminLn net.Listener
	if *adminListen != "off" {
		if adminLn, err = net.Listen("tcp", *adminListen); err != nil {
			ln.Close()
			gen.close()
			return fail("--admin-listen: %v", err)
		}
	}
	return cmd.serve(ln, adminLn, gen, drain, lim)
}

// serve runs the server on ln (and the admin endpoints on adminLn, unless nil) until SIGTERM or
// SIGINT, reloading on SIGHUP.
func (c *gatewayCommand) serve(ln, adminLn net.Listener, gen *generation, drain time.Duration, lim gateway.Limits) int {
	// Signals are caught before the "listening" line, so that whoever reads it may send them.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	srv := gateway.NewServerWith(gen.gw, lim)
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	admin := "off"
	if adminLn != nil {
		admin = adminLn.Addr().String()
		go func() { served <- srv.ServeAdmin(adminLn) }()
	}
	mode := "forward-auth"
	if c.upstream != nil {
		mode = "reverse-proxy"
	}
	c.log.Info("listening", "addr", ln.Addr().String(), "admin", admin, "mode", mode, "config", c.source(), "revocations", c.redis != nil)
	for {
		select {
		case err := <-served:
			c.log.Error("server stopped", "error", fmt.Sprint(err))
			gen.close()
			return exitGatewayFailed
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				gen = c.reload(srv, gen)
				continue
			}
			c.log.Info("shutting down", "signal", sig.String(), "drain_timeout", drain.String())
			ctx, cancel := context.WithTimeout(context.Background(), drain)
			err := srv.Shutdown(ctx)
			cancel()
			code := exitOK
			if err != nil {
				c.log.Error("requests still under way at the end of the drain timeout", "error", err.Error())
				code = exitGatewayFailed
			}
			select {
			case err := <-served:
				if err != nil && !errors.Is(err, gateway.ErrServerClosed) {
					c.log.Error("server stopped", "error", err.Error())
					code = exitGatewayFailed
				}
			case <-time.After(time.Second):
			}
			gen.close()
			c.log.Info("stopped")
			return code
		}
	}
}

// reload builds a new generation from the keys and the config file and swaps it in; when
// anything is wrong, the error is logged and cur stays. It returns the generation in use.
func (c *gatewayCommand) reload(srv *gateway.Server, cur *generation) *generation {
	c.log.Info("reloading", "config", c.source())
	next, err := c.load()
	if err == nil {
		if err = srv.Swap(next.gw); err != nil {
			next.close()
		}
	}
	if err != nil {
		c.log.Error("reload failed; the configuration in use is kept", "error", err.Error())
		return cur
	}
	cur.close()
	c.log.Info("reloaded", "config", c.source())
	return next
}

// source names where the policy comes from, for logs.
func (c *gatewayCommand) source() string {
	if c.config != "" {
		return c.config
	}
	return "flags"
}

// load reads the policy (the config file, or the flags' spec) and the keys, and builds a
// Gateway of them.
func (c *gatewayCommand) load() (*generation, error) {
	spec := c.flagSpec
	if c.config != "" {
		var err error
		if spec, err = readGatewayConfig(c.config); err != nil {
			return nil, err
		}
	}
	gen := &generation{}
	cfg := gateway.Config{
		Upstream:    c.upstream,
		FailOpen:    c.failOpen,
		Logger:      c.log,
		Metrics:     c.metrics,
		MaxCacheAge: c.maxCacheAge,
	}
	if c.redis != nil {
		cfg.Revocations = c.redis.List()
		cfg.Checks = append(cfg.Checks, gateway.Check{Name: "redis", Check: c.pingRedis})
	}
	issuers := map[string]*issuerSpec{}
	for _, s := range spec.issuers {
		issuers[s.name] = s
	}
	// One verifier per issuer and audience, shared by the routes that have both: a JWK Set is
	// fetched once for them.
	type issAud struct{ issuer, aud string }
	verifiers := map[issAud]fastjwt.Verifier{}
	for _, r := range spec.routes {
		key := issAud{r.issuer, r.aud}
		v, ok := verifiers[key]
		if !ok {
			s := issuers[r.issuer]
			iv, err := s.verifier(spec.file, r.aud, c.log)
			if err != nil {
				gen.close()
				return nil, err
			}
			if iv.client != nil {
				// Package gateway makes the client's Ready a readiness check of each route
				// it serves; the generation closes it when replaced.
				gen.clients = append(gen.clients, iv.client)
			}
			v = iv.v
			verifiers[key] = v
		}
		cfg.Routes = append(cfg.Routes, gateway.Route{
			Name:         r.name,
			PathPrefix:   r.prefix,
			Verifier:     v,
			Audience:     r.aud,
			Types:        r.types,
			ClaimHeaders: r.headers,
			Cookie:       r.cookie,
			// The path rule's two per-route options (docs/gateway.md, "One reading of the path").
			PathParameters:     r.params,
			RefuseCaseVariants: r.refuseCase,
			MaxAuthAge:         r.maxAuthAge,
		})
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		gen.close()
		if spec.file != "" {
			// The file's checks are meant to find every mistake first; should the gateway
			// refuse a route nonetheless, the message still points at its section.
			line := 0
			for _, r := range spec.routes {
				if strings.Contains(err.Error(), strconv.Quote(r.prefix)) {
					line = r.line
					break
				}
			}
			return nil, &configError{spec.file, line, err.Error()}
		}
		return nil, err
	}
	gen.gw = gw
	return gen, nil
}

// pingRedis is the readiness check of Redis: the revocation list's List.Check answered within
// the probe's deadline (Redis reachable, its maxmemory-policy, and the marker that tells
// whether Redis lost its data: after a restart or a flush, not ready until 'fastjwt recover').
func (c *gatewayCommand) pingRedis(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, redisCheckTimeout)
		defer cancel()
	}
	return c.redis.List().Check(ctx)
}

// flagSpec makes the policy of the flags: one issuer, "default", and the route "/".
func flagSpec(fs *flag.FlagSet, set map[string]bool, iss, aud string, leeway time.Duration,
	claims claimHeaderFlags, cookie, types string, maxAuthAge time.Duration) (*gatewaySpec, error) {
	s := &issuerSpec{name: "default", iss: iss, issSet: set["iss"], leeway: leeway}
	s.keys = flagKeySettings(fs, set)
	// The route's name is the realm of its challenges: the bearer package's default.
	r := &routeSpec{name: bearer.DefaultRealm, prefix: "/", issuer: s.name}
	switch {
	case set["aud"] && aud == "":
		return nil, errors.New("--aud: empty; leave it out for tokens without \"aud\"")
	case set["iss"] && iss == "":
		return nil, errors.New("--iss: empty; leave it out to accept any issuer")
	case set["cookie"] && !httpsyntax.IsToken(cookie):
		return nil, fmt.Errorf("--cookie: %q is not a cookie name (RFC 6265: letters, digits and !#$%%&'*+-.^_`|~)", cookie)
	}
	r.aud, r.cookie, r.maxAuthAge = aud, cookie, maxAuthAge
	if set["types"] {
		t, msg := parseTypes(types)
		if msg != "" {
			return nil, fmt.Errorf("--types: %s", msg)
		}
		r.types = t
	}
	for _, v := range claims {
		f, msg := parseClaimHeader(v)
		if msg != "" {
			return nil, fmt.Errorf("--claim-header: %s", msg)
		}
		if msg := addClaimHeader(&r.headers, f); msg != "" {
			return nil, fmt.Errorf("--claim-header: %s", msg)
		}
	}
	return &gatewaySpec{issuers: []*issuerSpec{s}, routes: []*routeSpec{r}}, nil
}

// parseUpstream checks the URL of --upstream: http or https, with a host, no query or fragment.
func parseUpstream(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	switch {
	case err != nil || v == "":
		return nil, fmt.Errorf("%q is not a URL (e.g. http://127.0.0.1:8080)", v)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: an http:// or https:// URL", v)
	case u.Host == "":
		return nil, fmt.Errorf("%q has no host", v)
	case u.User != nil:
		return nil, errors.New("the URL holds credentials: the upstream gets the claim headers, not a password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("%q: no query or fragment (the request's own are sent)", v)
	}
	return u, nil
}

// dialRedis connects to Redis at addr for the revocation list, whose keys start with prefix and
// outlive their tokens by grace (0: the default);
// what an operator must see of it (Redis lost its data, an evicting policy) is logged to log at
// level error.
func dialRedis(addr, passwordEnv, prefix string, grace time.Duration, allowEvicting bool, log *slog.Logger) (*redisstore.Redis, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("--redis: %q is not host:port (e.g. 127.0.0.1:6379)", addr)
	}
	opts := redisstore.Options{Addrs: []string{addr}, Prefix: prefix, Grace: grace, AllowEvictingPolicy: allowEvicting,
		OnAlert: func(err error) { log.Error("revocation list", "err", err.Error()) }}
	if passwordEnv != "" {
		pw, err := keyfile.FromEnv(passwordEnv)
		if err != nil {
			return nil, fmt.Errorf("--redis-password-env: %v", err)
		}
		opts.Password = string(pw)
	}
	r, err := redisstore.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("--redis: %v", err)
	}
	return r, nil
}
