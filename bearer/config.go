package bearer

import (
	"fmt"
	"net/textproto"
	"slices"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/httpsyntax"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
)

// DefaultRealm is the realm of the WWW-Authenticate challenge when Config.Realm is empty.
const DefaultRealm = "api"

// DefaultTypes returns the token types a Bearer accepts when Config.Types is empty: no "typ",
// "JWT" (what most issuers write) and "at+jwt" (RFC 9068 access tokens). Session cookies
// ("session+jwt") and every other type are refused. The slice is new on every call: a caller
// that appends to it, to accept one more type, changes no one else's default.
func DefaultTypes() []fastjwt.Type { return slices.Clone(defaultTypes[:]) }

var defaultTypes = [...]fastjwt.Type{fastjwt.TypeNone, fastjwt.TypeJWT, fastjwt.TypeAccess}

// Forward copies one verified claim into a request header for the handler or upstream.
type Forward struct {
	// Claim is the top-level claim's name in the payload.
	Claim string
	// Header is the request header that receives it. A client-sent header of this name, in any
	// spelling, is always deleted first, whether or not the request carries a valid token.
	Header string
}

// Config is the policy of bearer-token authentication (RFC 6750). The zero value reads
// "Authorization: Bearer <token>" only and answers 401 to requests without a token.
type Config struct {
	// Realm is the realm of the WWW-Authenticate challenge (default "api").
	Realm string
	// Schemes are the accepted authorization schemes, matched without regard to case (RFC 9110
	// sec. 11.1). Default: {"Bearer"}. djangorestframework-jwt clients send "JWT".
	Schemes []string
	// Cookie, if set, is a cookie name read for the token when the request has no Authorization
	// header with an accepted scheme.
	Cookie string
	// Query, if set, is a query parameter read for the token. Tokens in URLs end up in logs and
	// browser history (RFC 6750 sec. 5.3): opt in only when a client cannot send headers
	// (WebSocket handshakes, EventSource).
	Query string
	// Optional lets requests without any token through to the handler, with an invalid Token
	// (Token.Valid reports false). A request with a bad token is still refused.
	Optional bool
	// Types are the token types ("typ" header) accepted (default DefaultTypes()). Add
	// fastjwt.TypeSession to accept this library's session cookies as bearer tokens
	// (django-session-jwt's federated services); keep {fastjwt.TypeAccess} for RFC 9068 only.
	Types []fastjwt.Type
	// Audience, if set, must be in the token's "aud" claim; otherwise 403 insufficient_scope.
	// The verifier's own audience rule applies first: a fastjwt codec refuses a token carrying
	// "aud" unless it was built with WithAudience or AcceptAnyAudience, so Audience is for one
	// codec built with AcceptAnyAudience that serves several APIs. The purpose (Types) is checked
	// before either: a token of another purpose is 401 invalid_token (ErrPurpose) whatever its
	// "aud".
	Audience string
	// MaxAuthAge, if positive, refuses a token whose authentication is that old or older: now >=
	// "auth_time" + MaxAuthAge (OpenID Connect Core sec. 2 and its max_age), or "iat" +
	// MaxAuthAge for a token without "auth_time"; a token with neither is refused. Set it to
	// session.Config.AbsoluteLifetime where session cookies are accepted (Types with
	// fastjwt.TypeSession, a gateway route's Cookie): those tokens already expire at their
	// session's absolute end, and MaxAuthAge holds that end even through a verifier's leeway. The
	// answer is 401 invalid_token "the token has expired", with cause ErrAuthAge.
	MaxAuthAge time.Duration
	// Now is the clock of MaxAuthAge (default time.Now): the verifier's own (fastjwt.WithClock).
	Now func() time.Time
	// RequiredClaims must all be present in the payload; otherwise 403 insufficient_scope.
	RequiredClaims []string
	// Forward lists the claims copied into request headers for the handler. A string claim
	// forwards its decoded value, any other JSON value its raw JSON. A value holding a control
	// character (CR, LF, NUL, HTAB, DEL...) or leading or trailing spaces is dropped, never sent:
	// the header is then absent, and the request goes on.
	Forward []Forward
	// PayloadHeader, if set, receives the whole verified payload, base64url-encoded without
	// padding (RFC 4648 sec. 5). A client-sent header of this name is always deleted first.
	PayloadHeader string
	// Revocations, if set, is checked after every other check of a token (signature, times,
	// purpose, issuer, Audience, RequiredClaims), through a revoke.Checker: a revoked token is
	// refused with 401 invalid_token (cause revoke.ErrRevoked). When the list cannot answer the
	// request is refused with 503 and Retry-After (cause wrapping revoke.ErrUnavailable): the
	// token may be fine, so it is not a 401. FailOpen lets it through instead (OnError hears it).
	Revocations revoke.List
	// FailOpen treats a revocation list that cannot answer as "not revoked": the request goes
	// on, and OnError hears the error. Default false: fail closed.
	FailOpen bool
	// OnInvalid, if set, is called with the cause of every refused request (ErrNoToken,
	// ErrAmbiguous, ErrPurpose, a codec error, revoke.ErrRevoked, an error wrapping
	// revoke.ErrUnavailable, ErrMissingClaim, fastjwt.ErrAudience), e.g. for logging.
	OnInvalid func(err error)
	// OnError, if set, is called when the request goes on although a check could not be made:
	// with FailOpen, a revocation list that cannot answer, with an error matching
	// revoke.ErrUnavailable (and wrapping the list's own). It is the hook session.Config.OnError
	// is for sessions, for alerting: a request let through unchecked is not a refusal, so
	// OnInvalid does not hear it. It runs on the request's goroutine: keep it short.
	OnError func(err error)
	// Observer, if set, hears the verdict of every Authenticate, once, on the request's
	// goroutine, before Authenticate returns: keep it quick (count, or hand the event on). The
	// event's Reason is the refusal's Reason().String() ("none" when accepted); a request
	// without a token in Optional mode is observe.Absent with "no_token". Unset, it costs
	// nothing: the clock is not read.
	Observer observe.Observer
}

// withDefaults fills in the defaults of cfg, puts header names in canonical form (so adapters over
// canonicalizing maps need no conversion per request) and refuses what cannot work.
func (cfg Config) withDefaults() (Config, error) {
	fail := func(format string, args ...any) (Config, error) {
		return cfg, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if len(cfg.Schemes) == 0 {
		cfg.Schemes = []string{"Bearer"}
	}
	if len(cfg.Types) == 0 {
		cfg.Types = defaultTypes[:]
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Schemes = slices.Clone(cfg.Schemes)
	cfg.Types = slices.Clone(cfg.Types)
	cfg.Forward = slices.Clone(cfg.Forward)
	cfg.RequiredClaims = slices.Clone(cfg.RequiredClaims)
	for _, sc := range cfg.Schemes {
		if !httpsyntax.IsToken(sc) {
			return fail("scheme %q is not a token", sc)
		}
	}
	for _, t := range cfg.Types {
		if t > fastjwt.TypeOther {
			return fail("unknown token type %d", t)
		}
	}
	if cfg.Cookie != "" && !httpsyntax.IsToken(cfg.Cookie) {
		return fail("cookie name %q is not a token", cfg.Cookie)
	}
	if cfg.Query != "" && !httpsyntax.SafeFieldValue([]byte(cfg.Query)) {
		return fail("query parameter name %q", cfg.Query)
	}
	for _, c := range cfg.RequiredClaims {
		if c == "" {
			return fail("empty required claim name")
		}
	}
	for i, f := range cfg.Forward {
		if !httpsyntax.IsToken(f.Header) || f.Claim == "" {
			return fail("forward %q to header %q", f.Claim, f.Header)
		}
		cfg.Forward[i].Header = textproto.CanonicalMIMEHeaderKey(f.Header)
	}
	if cfg.PayloadHeader != "" {
		if !httpsyntax.IsToken(cfg.PayloadHeader) {
			return fail("payload header %q is not a token", cfg.PayloadHeader)
		}
		cfg.PayloadHeader = textproto.CanonicalMIMEHeaderKey(cfg.PayloadHeader)
	}
	for _, h := range cfg.forwarded() {
		if httpsyntax.EqualFold([]byte(h), "Authorization") || httpsyntax.EqualFold([]byte(h), "Cookie") {
			return fail("header %q carries credentials and cannot receive claims", h)
		}
	}
	return cfg, nil
}

// forwarded lists every header name the Bearer sets, which it deletes from every request.
func (cfg *Config) forwarded() []string {
	var names []string
	for _, f := range cfg.Forward {
		if !slices.Contains(names, f.Header) {
			names = append(names, f.Header)
		}
	}
	if cfg.PayloadHeader != "" && !slices.Contains(names, cfg.PayloadHeader) {
		names = append(names, cfg.PayloadHeader)
	}
	return names
}
