package session

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Defaults of Config.
const (
	// DefaultCookieName is the session cookie's name when Config.CookieName is empty.
	DefaultCookieName = "session"
	// DefaultLifetime is a session token's lifetime when Config.Lifetime is zero: the "exp" the
	// session layer writes is "iat" plus this, and the cookie's Max-Age/Expires match it.
	DefaultLifetime = 24 * time.Hour
	// MaxCookieSize is the largest Set-Cookie header value (name=value plus attributes) a session
	// sends: 4096 bytes, the least every browser must store (RFC 6265 sec. 6.1).
	MaxCookieSize = 4096
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

// Config is the policy of cookie sessions. The zero value is usable: a cookie named "session",
// Path=/, 24 hours of lifetime renewed after 12, HttpOnly, SameSite=Lax.
type Config struct {
	// CookieName is the cookie's name (default "session"). It must be an RFC 6265 token.
	CookieName string
	// Path is the cookie's Path attribute (default "/").
	Path string
	// Domain is the cookie's Domain attribute; empty means none (a host-only cookie).
	Domain string
	// Lifetime is how long an issued session token is valid (default 24h). The token's "exp" is
	// its "iat" plus Lifetime, and the cookie carries Max-Age and Expires for the same span.
	Lifetime time.Duration
	// RenewAfter is the age of a token after which an unchanged session is re-issued anyway, so
	// active users keep their session (default Lifetime/2). Negative disables renewal.
	RenewAfter time.Duration
	// Secure adds the Secure attribute (required for SameSiteNone and Partitioned).
	Secure bool
	// ScriptReadable leaves out HttpOnly, so page scripts can read the session (document.cookie).
	// Default false: the cookie is HttpOnly.
	ScriptReadable bool
	// SameSite is the SameSite attribute (default Lax).
	SameSite SameSite
	// Partitioned adds the Partitioned attribute (CHIPS); requires Secure.
	Partitioned bool
	// Now is the clock used for "iat", "exp", renewal and Expires (default time.Now). Give the
	// codec the same clock (fastjwt.WithClock), since the codec checks "exp" on verify.
	Now func() time.Time
	// OnInvalid, if set, is called with the reason when a request's session cookie is refused
	// (tampered, expired, malformed...). The request still gets a fresh, empty session.
	OnInvalid func(err error)
	// OnError, if set, is called when the session cannot be written back (ErrCookieTooLarge, or a
	// signing error such as a registered claim of the wrong type). The response then keeps the
	// client's old cookie; Session.Err reports the same error to the handler.
	OnError func(err error)
}

// Manager issues and reads cookie sessions under one Config. It is immutable after New and safe
// for concurrent use.
type Manager struct {
	codec *fastjwt.Codec
	cfg   Config
	now   func() time.Time
	renew time.Duration // < 0: never

	// attrs is the precomputed cookie attribute suffix without Max-Age and Expires, e.g.
	// "; Path=/; HttpOnly; SameSite=Lax"; deleteCookie the whole deletion header value.
	attrs        []byte
	maxAge       []byte // "; Max-Age=86400"
	deleteCookie string
	pool         sync.Pool
}

// New returns a Manager that signs and verifies session cookies with codec under cfg. It refuses
// an inconsistent cfg with an error matching ErrConfig.
func New(codec *fastjwt.Codec, cfg Config) (*Manager, error) {
	if codec == nil {
		return nil, fmt.Errorf("%w: nil codec", ErrConfig)
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.Lifetime < time.Second {
		return nil, fmt.Errorf("%w: Lifetime must be at least one second", ErrConfig)
	}
	if cfg.RenewAfter == 0 {
		cfg.RenewAfter = cfg.Lifetime / 2
	}
	if cfg.SameSite == SameSiteDefault {
		cfg.SameSite = SameSiteLax
	}
	switch {
	case !isToken(cfg.CookieName):
		return nil, fmt.Errorf("%w: cookie name %q is not an RFC 6265 token", ErrConfig, cfg.CookieName)
	case !isAttrValue(cfg.Path):
		return nil, fmt.Errorf("%w: Path %q contains ';' or control characters", ErrConfig, cfg.Path)
	case !isAttrValue(cfg.Domain):
		return nil, fmt.Errorf("%w: Domain %q contains ';' or control characters", ErrConfig, cfg.Domain)
	case cfg.SameSite < SameSiteDefault || cfg.SameSite > SameSiteOmit:
		return nil, fmt.Errorf("%w: unknown SameSite value %d", ErrConfig, cfg.SameSite)
	case cfg.SameSite == SameSiteNone && !cfg.Secure:
		return nil, fmt.Errorf("%w: SameSite=None requires Secure", ErrConfig)
	case cfg.Partitioned && !cfg.Secure:
		return nil, fmt.Errorf("%w: Partitioned requires Secure", ErrConfig)
	}
	m := &Manager{codec: codec, cfg: cfg, now: cfg.Now, renew: cfg.RenewAfter}
	if m.now == nil {
		m.now = time.Now
	}
	m.attrs = appendAttrs(nil, &cfg)
	m.maxAge = strconv.AppendInt([]byte("; Max-Age="), int64(cfg.Lifetime/time.Second), 10)
	del := append([]byte(cfg.CookieName), "=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"...)
	m.deleteCookie = string(append(del, m.attrs...))
	m.pool.New = func() any { return &Session{m: m} }
	return m, nil
}

// CookieName returns the name of the session cookie, for adapters that read it from requests.
func (m *Manager) CookieName() string { return m.cfg.CookieName }

// Acquire returns a pooled, empty Session loaded from cookie, the value of the request's session
// cookie (nil or empty when absent). It verifies the token at once; the payload is parsed only
// when the handler first uses the session. Adapters call it; handlers get the Session from their
// adapter. Give it back with Release once the response headers are written.
func (m *Manager) Acquire(cookie []byte) *Session {
	s := m.pool.Get().(*Session)
	s.load(cookie)
	return s
}

// Release returns s to the pool. s must not be used afterwards.
func (m *Manager) Release(s *Session) {
	if s == nil || s.m != m {
		return
	}
	s.reset()
	m.pool.Put(s)
}
