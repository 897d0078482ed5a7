package session

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/httpsyntax"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// Defaults and limits of Config.
const (
	// DefaultCookieName is the session cookie's name when Config.CookieName is empty.
	DefaultCookieName = "session"
	// DefaultLifetime is a session token's lifetime when Config.Lifetime is zero: the "exp" the
	// session layer writes is "iat" plus this, and the cookie's Max-Age/Expires match it.
	DefaultLifetime = 24 * time.Hour
	// DefaultAbsoluteLifetime is how long a session lasts at most when Config.AbsoluteLifetime is
	// zero: 7 days from its start (its first token, or the last Regenerate, at login), however
	// active the user (OWASP ASVS 5.0 requirement 7.3.2).
	//
	// ASVS leaves the value to the application's risk analysis. Seven days is a week's work
	// without a new login: above the default idle timeout (DefaultLifetime, 24 hours), so that the
	// two limits stay distinct, and well under the 30 days NIST SP 800-63B allows before
	// reauthentication at AAL1 and the two weeks of Django's SESSION_COOKIE_AGE. A token stolen
	// from an active session is thus worth a week at most, not forever. Applications holding more
	// than a user's own low-value data should shorten it (NIST asks 12 to 24 hours at AAL2 and
	// AAL3; scs's Lifetime default, its absolute limit, is 24 hours).
	DefaultAbsoluteLifetime = 7 * 24 * time.Hour
	// DefaultMaxCookieSize is the largest Set-Cookie header value (name=value plus attributes) a
	// session sends when Config.MaxCookieSize is zero: 3072 bytes. The cookie comes back in the
	// request head next to the browser's own headers (User-Agent, Accept, Accept-Language,
	// Sec-Ch-Ua*, Sec-Fetch-*: about 600 bytes), and fasthttp's default server reads a request
	// head of at most 4096 bytes (Server.ReadBufferSize), answering 431 beyond: 3072 leaves room
	// for those headers, the request line and a few other cookies, so a user is never locked out
	// by the library's own cookie.
	DefaultMaxCookieSize = 3072
	// MaxCookieSize is the largest Config.MaxCookieSize: 4096 bytes, the least every browser must
	// store for one cookie (RFC 6265 sec. 6.1). Raising the limit past the default on fasthttp
	// needs a Server.ReadBufferSize of at least the limit plus 1024 or so.
	MaxCookieSize = 4096
	// MaxSessionCookies is how many cookies with the session's name a request may carry for one
	// of them to be tried: the first that verifies wins. A sibling subdomain can plant a cookie
	// of the same name (Domain=.example.com), so more than one is not an attack by itself; more
	// than this many are not looked at.
	MaxSessionCookies = 3
)

// SameSite is the cookie's SameSite attribute (RFC 6265bis sec. 4.1.2.7).
type SameSite int

// SameSite values. The zero value, SameSiteDefault, means Lax.
const (
	SameSiteDefault SameSite = iota // Lax
	SameSiteLax
	SameSiteStrict
	SameSiteNone // requires Secure
	SameSiteOmit // no SameSite attribute at all
)

// Secure says when the session cookie carries the Secure attribute, which keeps browsers from
// sending it over plain HTTP (RFC 6265bis sec. 4.1.2.5; OWASP ASVS 5.0 requirement 3.3.1).
type Secure int

// Secure values. The zero value, SecureAuto, is safe in production over TLS and still works for
// development on http://localhost.
const (
	// SecureAuto sets Secure on responses to requests that arrived over TLS (the adapters report
	// it: net/http's Request.TLS, fasthttp's RequestCtx.IsTLS), or, with
	// Config.TrustForwardedProto, that a proxy marked "X-Forwarded-Proto: https"; and on every
	// response when the cookie's name prefix, SameSite=None or Partitioned requires Secure.
	SecureAuto Secure = iota
	// SecureAlways sets Secure on every response: the setting for production, above all behind a
	// proxy that terminates TLS.
	SecureAlways
	// SecureNever never sets Secure (a cookie sent over plain HTTP to every host of the name).
	SecureNever
)

// Config is the policy of cookie sessions. The zero value is usable: a cookie named "session",
// Path=/, 24 hours of idle timeout renewed after 12, 7 days of absolute lifetime, HttpOnly,
// SameSite=Lax, Secure on requests that arrived over TLS.
type Config struct {
	// CookieName is the cookie's name (default "session"). It must be an RFC 6265 token. A name
	// starting with "__Host-" requires Secure, no Domain and Path "/"; one starting with
	// "__Secure-" requires Secure (RFC 6265bis sec. 4.1.3), as browsers do.
	CookieName string
	// Path is the cookie's Path attribute (default "/").
	Path string
	// Domain is the cookie's Domain attribute; empty means none (a host-only cookie).
	Domain string
	// Lifetime is how long an issued session token is valid (default 24h). The token's "exp" is
	// its "iat" plus Lifetime, and the cookie carries Max-Age and Expires for the same span. With
	// renewal (RenewAfter) it is the session's idle timeout (OWASP ASVS 5.0 requirement 7.3.1): a
	// session unused for Lifetime has expired, one in use is re-issued.
	Lifetime time.Duration
	// RenewAfter is the age of a token after which an unchanged session is re-issued anyway, so
	// active users keep their session (default Lifetime/2). Negative disables renewal; more than
	// Lifetime is refused (the session would expire before its renewal).
	RenewAfter time.Duration
	// AbsoluteLifetime is the longest a session lasts, however active (OWASP ASVS 5.0
	// requirement 7.3.2; default DefaultAbsoluteLifetime, 7 days). It counts from the session's
	// start, which every token of the session carries in "auth_time" (the claim of OpenID Connect
	// Core sec. 2, in whole seconds): the first token issued, reset by Session.Regenerate (call it
	// at login). Renewal never extends it: a token issued near the end gets "exp" = auth_time +
	// AbsoluteLifetime, and the cookie's Max-Age and Expires (and the store's expiry in
	// server-side mode) end there too, so any verifier of the token, a gateway reading the cookie
	// included, refuses it once the session has ended. From then on, the request gets a new
	// session and OnInvalid hears ErrAbsoluteLifetime. A token without "auth_time" (issued before
	// this limit existed) counts from its "iat".
	//
	// Negative disables the limit (not recommended: an active session, or a stolen token kept
	// active, then never ends); shorter than Lifetime is refused.
	AbsoluteLifetime time.Duration
	// MaxCookieSize is the largest Set-Cookie header value the session sends, name=value plus
	// attributes (default DefaultMaxCookieSize, at most MaxCookieSize). A session that would need
	// more is not written: the client keeps its old cookie and the error goes to OnError.
	MaxCookieSize int
	// Secure says when the cookie carries the Secure attribute (default SecureAuto: on requests
	// that arrived over TLS). An explicit SecureAlways or SecureNever always wins; SecureNever
	// with a __Host- or __Secure- name, SameSiteNone or Partitioned, which require Secure, is
	// refused.
	Secure Secure
	// TrustForwardedProto lets SecureAuto take a request as TLS when it carries exactly one
	// "X-Forwarded-Proto: https" (one line, one value, ASCII case-insensitive). Turn it on only
	// behind a proxy that sets or removes that header on every request: a client can send it
	// too. Default false: only the connection counts.
	TrustForwardedProto bool
	// ScriptReadable leaves out HttpOnly, so page scripts can read the session (document.cookie).
	// Default false: the cookie is HttpOnly.
	ScriptReadable bool
	// SameSite is the SameSite attribute (default Lax).
	SameSite SameSite
	// Partitioned adds the Partitioned attribute (CHIPS); requires Secure.
	Partitioned bool
	// AcceptUntypedCookies also loads session cookies whose token has no "typ" or typ "JWT", as
	// wsgi-jwt-session-style issuers (and this library before explicit typing) wrote them, and
	// re-issues them typed on first use. It is a migration aid: while it is on, a bearer token
	// signed with the same key and typed "JWT" also loads as a session. Turn it off once the
	// old cookies have expired (Lifetime after the switch), or sign bearer tokens with another key.
	AcceptUntypedCookies bool
	// Store, if set, keeps the session's data server-side (store.NewMemory in this process, or
	// package redisstore), as django-session-jwt does: the
	// cookie's JWT carries a random session id ("sid", 128 bits from crypto/rand), "iat", "exp",
	// "jti" and the names in TokenFields; every other value lives in the Store under the id. A
	// handler that reads only TokenFields never touches the store; the first read or write of
	// another name loads the session's data (one round trip). Writes send only the changed names.
	// When the store cannot answer, the response is 503 (fail closed), never a silently fresh
	// session. nil: the whole session is the cookie's JWT payload.
	Store store.Store
	// TokenFields are the names kept in the JWT itself when Store is set, for federated services
	// that read the cookie's JWT without the store (the user's name, roles...). They change the
	// cookie when written; other names change only the store.
	TokenFields []string
	// Revocations, if set, is checked for every session cookie after its local checks (signature,
	// times, purpose), through a revoke.Checker: a cookie whose token was revoked
	// (Session.Logout, Manager.RevokeSubject, or the list directly) gives a new session, and
	// OnInvalid hears revoke.ErrRevoked. When the list cannot answer, Acquire fails and the
	// adapter answers 503, unless FailOpen.
	Revocations revoke.List
	// FailOpen treats a revocation list that cannot answer as "not revoked": the request goes on,
	// and OnError hears the error (matching revoke.ErrUnavailable). Default false: fail closed,
	// since unknown state is not "valid".
	FailOpen bool
	// Now is the clock used for "iat", "exp", renewal and Expires (default time.Now). Give the
	// codec the same clock (fastjwt.WithClock), since the codec checks "exp" on verify.
	Now func() time.Time
	// OnInvalid, if set, is called with the reason when a request's session cookie is refused
	// (tampered, expired, malformed, issued for another purpose...). The request still gets a
	// fresh, empty session.
	OnInvalid func(err error)
	// Observer, if set, hears the verdict on the request's session cookie, once per Acquire, on
	// the request's goroutine, before Acquire returns: keep it quick (count, or hand the event
	// on). Outcomes and reasons: observe.Accepted with "none" (or "legacy" for a cookie of
	// Legacy's codec); observe.Absent with "no_cookie" for a request without one, which gets a
	// new session; observe.Refused with "unavailable" when the revocation list or the store
	// cannot answer and Acquire fails, or with InvalidReason's name: bearer.Reason's names for
	// the same causes ("expired", "bad_signature", "unknown_key", "malformed", "too_large",
	// "bad_algorithm", "not_yet_valid", "wrong_issuer", "wrong_audience", "wrong_purpose",
	// "revoked", "unavailable"), and the session's own: "absolute_lifetime", "ended" (a
	// server-side session destroyed), "too_many_cookies", "bad_chunks", "bad_compression",
	// "legacy_invalid". Unset, it costs nothing: the clock is not read.
	Observer observe.Observer
	// Compress writes the session's data compressed (raw DEFLATE, in the claim "_deflate") when
	// that makes the token shorter; registered claims ("iss", "sub", "aud", "nbf") stay outside,
	// readable by every verifier. Page scripts and other readers of the token's payload can no
	// longer read the compressed data. Reading does not depend on it: a Manager always reads
	// compressed sessions, after their signature verified, up to MaxCompressionRatio.
	Compress bool
	// MaxCompressionRatio caps what compressed data may inflate to: this many times its own size
	// (default DefaultMaxCompressionRatio), and never more than MaxInflatedSize. Data that would
	// inflate further is refused (ErrCompressed) and the request gets a new session.
	MaxCompressionRatio int
	// Chunked lets a session whose cookie would exceed MaxCookieSize be split over numbered
	// cookies: the session's cookie then holds "chunks-N" and the cookies named CookieName+".1"
	// to CookieName+".N" hold the token's pieces, in order. Every write deletes the chunks the
	// request carried that the new value does not use. A missing, duplicated or stale chunk
	// gives a new session (the reassembled token does not verify). Default false: one cookie.
	Chunked bool
	// MaxChunks is how many chunk cookies a session may use (default DefaultMaxChunks, at most
	// MaxChunkCookies). A session that needs more is not written (ErrCookieTooLarge).
	MaxChunks int
	// MaxChunkedSize bounds the sum of what the chunk cookies and the session's cookie add to the
	// request's Cookie header, name=value and separator each (default DefaultMaxCookieSize: the
	// rule that keeps fasthttp's default server, which reads 4096 bytes of request head, from
	// locking the user out applies to the sum). Raise it only with servers that accept larger
	// heads (fasthttp's Server.ReadBufferSize; net/http's default MaxHeaderBytes is 1 MiB), up
	// to MaxChunkedSize, which fits the 8 KiB header limit of common proxies and upstreams.
	MaxChunkedSize int
	// Legacy, if set, reads (and optionally writes) the cookies of the session library this one
	// replaces, during a rolling migration (see Legacy). Cookie sessions only: refused with Store.
	Legacy *Legacy
	// OnError, if set, is called when the request goes on although something failed: the session
	// cannot be written back (ErrCookieTooLarge, a signing error: the response then keeps the
	// client's old cookie, and Session.Err reports the same error to the handler), or, with
	// FailOpen, the revocation list cannot answer (an error matching revoke.ErrUnavailable and
	// wrapping the list's own: the cookie was accepted unchecked). bearer.Config.OnError has the
	// same meaning for bearer tokens.
	OnError func(err error)
}

// withDefaults fills in the defaults of cfg and refuses what cannot work.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.RenewAfter == 0 {
		cfg.RenewAfter = cfg.Lifetime / 2
	}
	if cfg.AbsoluteLifetime == 0 {
		cfg.AbsoluteLifetime = DefaultAbsoluteLifetime
	}
	if cfg.MaxCookieSize == 0 {
		cfg.MaxCookieSize = DefaultMaxCookieSize
	}
	if cfg.SameSite == SameSiteDefault {
		cfg.SameSite = SameSiteLax
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxCompressionRatio == 0 {
		cfg.MaxCompressionRatio = DefaultMaxCompressionRatio
	}
	if cfg.MaxChunks == 0 {
		cfg.MaxChunks = DefaultMaxChunks
	}
	if cfg.MaxChunkedSize == 0 {
		cfg.MaxChunkedSize = DefaultMaxCookieSize
	}
	prefix := func(p string) bool {
		return len(cfg.CookieName) >= len(p) && strings.EqualFold(cfg.CookieName[:len(p)], p)
	}
	fail := func(format string, args ...any) (Config, error) {
		return cfg, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	switch {
	case !httpsyntax.IsToken(cfg.CookieName):
		return fail("cookie name %q is not an RFC 6265 token", cfg.CookieName)
	case !isAttrValue(cfg.Path) || cfg.Path[0] != '/':
		return fail("Path %q must start with '/' and hold no ';' or control characters", cfg.Path)
	case !isAttrValue(cfg.Domain):
		return fail("Domain %q contains ';' or control characters", cfg.Domain)
	case cfg.Secure < SecureAuto || cfg.Secure > SecureNever:
		return fail("unknown Secure value %d", cfg.Secure)
	case prefix("__Host-") && (cfg.Secure == SecureNever || cfg.Domain != "" || cfg.Path != "/"):
		return fail("a cookie named __Host-... needs Secure, no Domain and Path \"/\" (browsers refuse it otherwise)")
	case prefix("__Secure-") && cfg.Secure == SecureNever:
		return fail("a cookie named __Secure-... needs Secure (browsers refuse it otherwise)")
	case cfg.Lifetime < time.Second:
		return fail("Lifetime must be at least one second")
	case cfg.RenewAfter > cfg.Lifetime:
		return fail("RenewAfter (%v) is longer than Lifetime (%v): sessions would expire before renewal", cfg.RenewAfter, cfg.Lifetime)
	case cfg.AbsoluteLifetime > 0 && cfg.AbsoluteLifetime < cfg.Lifetime:
		return fail("AbsoluteLifetime (%v) is shorter than Lifetime (%v): make Lifetime the shorter, idle, limit", cfg.AbsoluteLifetime, cfg.Lifetime)
	case cfg.MaxCookieSize < 0 || cfg.MaxCookieSize > MaxCookieSize:
		return fail("MaxCookieSize %d is outside 1..%d (browsers drop larger cookies)", cfg.MaxCookieSize, MaxCookieSize)
	case cfg.MaxCompressionRatio < 1:
		return fail("MaxCompressionRatio %d is below 1", cfg.MaxCompressionRatio)
	case cfg.MaxChunks < 1 || cfg.MaxChunks > MaxChunkCookies:
		return fail("MaxChunks %d is outside 1..%d", cfg.MaxChunks, MaxChunkCookies)
	case cfg.MaxChunkedSize < 1 || cfg.MaxChunkedSize > MaxChunkedSize:
		return fail("MaxChunkedSize %d is outside 1..%d (upstreams refuse larger Cookie headers)", cfg.MaxChunkedSize, MaxChunkedSize)
	case cfg.Legacy != nil && cfg.Store != nil:
		return fail("Legacy migrates cookie sessions: it cannot be used with a Store")
	case cfg.Store == nil && len(cfg.TokenFields) > 0:
		return fail("TokenFields without a Store: every name is in the token already")
	case cfg.SameSite < SameSiteDefault || cfg.SameSite > SameSiteOmit:
		return fail("unknown SameSite value %d", cfg.SameSite)
	case cfg.SameSite == SameSiteNone && cfg.Secure == SecureNever:
		return fail("SameSite=None requires Secure")
	case cfg.Partitioned && cfg.Secure == SecureNever:
		return fail("Partitioned requires Secure")
	}
	if cfg.Secure == SecureAuto && (prefix("__Host-") || prefix("__Secure-") || cfg.SameSite == SameSiteNone || cfg.Partitioned) {
		cfg.Secure = SecureAlways // browsers drop such a cookie without Secure
	}
	for _, f := range cfg.TokenFields {
		if isReserved(f) || !utf8.ValidString(f) {
			return fail("TokenFields: %q is reserved or not valid UTF-8", f)
		}
	}
	cfg.TokenFields = slices.Clone(cfg.TokenFields)
	if cfg.Legacy != nil {
		l, err := cfg.Legacy.withDefaults(cfg.CookieName)
		if err != nil {
			return cfg, err
		}
		cfg.Legacy = &l
	}
	return cfg, nil
}

// acceptsType reports whether a session cookie's token of type t may load.
func (cfg *Config) acceptsType(t fastjwt.Type) bool {
	return t == fastjwt.TypeSession || (cfg.AcceptUntypedCookies && (t == fastjwt.TypeJWT || t == fastjwt.TypeNone))
}
