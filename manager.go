package session

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// Manager issues and reads cookie sessions under one Config. It is immutable after New and safe
// for concurrent use.
type Manager struct {
	codec   Codec
	checker fastjwt.ClaimsChecker // codec's, when it has one: writes are checked without signing
	cfg     Config
	side    *serverSide // the server-side mode; nil for cookie sessions
	// revocations is the verdict of Config.Revocations under FailOpen, reporting to OnError.
	revocations revoke.Checker

	// attrs is the precomputed cookie attribute suffix without Max-Age and Expires, e.g.
	// "; Path=/; HttpOnly; SameSite=Lax"; deleteCookie the whole deletion header value. Index 1
	// is with Secure.
	attrs        [2][]byte
	maxAge       []byte // "; Max-Age=86400"
	deleteCookie [2]string
	// chunkNames are the chunk cookies' names, CookieName.1 to CookieName.MaxChunks, and
	// deleteChunk their deletion header values (Config.Chunked); deleteLegacyCookie deletes a
	// legacy cookie of another name (Config.Legacy).
	chunkNames         []string
	deleteChunk        [2][]string
	deleteLegacyCookie [2]string
	pool               sync.Pool
}

// New returns a Manager that signs and verifies session cookies with codec under cfg. It refuses
// an inconsistent cfg, and a codec whose policy would refuse the sessions the Manager issues
// (one built with fastjwt.WithAudience or WithIssuer, which session tokens do not carry), or a
// codec whose leeway is longer than the grace of Config.Revocations (revoke.CheckLeeway: a
// revoked session would be accepted again once its entry had expired), with an error matching
// ErrConfig.
func New(codec Codec, cfg Config) (*Manager, error) {
	if codec == nil {
		return nil, fmt.Errorf("%w: nil codec", ErrConfig)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := revoke.CheckLeeway(cfg.Revocations, codec); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	m := &Manager{codec: codec, cfg: cfg, side: newServerSide(&cfg)}
	m.checker, _ = codec.(fastjwt.ClaimsChecker)
	m.revocations = revoke.Checker{List: cfg.Revocations, FailOpen: cfg.FailOpen, OnFailOpen: cfg.OnError}
	m.maxAge = strconv.AppendInt([]byte("; Max-Age="), int64(cfg.Lifetime/time.Second), 10)
	for i, secure := range []bool{false, true} {
		m.attrs[i] = appendAttrs(nil, &cfg, secure)
		del := append([]byte(cfg.CookieName), "=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"...)
		m.deleteCookie[i] = string(append(del, m.attrs[i]...))
		if cfg.Chunked {
			for c := 1; c <= cfg.MaxChunks; c++ {
				name := cfg.CookieName + "." + strconv.Itoa(c)
				if i == 0 {
					m.chunkNames = append(m.chunkNames, name)
				}
				m.deleteChunk[i] = append(m.deleteChunk[i], name+"=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"+string(m.attrs[i]))
			}
		}
		if cfg.Legacy != nil {
			m.deleteLegacyCookie[i] = cfg.Legacy.CookieName + "=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + string(m.attrs[i])
		}
	}
	m.pool.New = func() any { return &Session{m: m} }
	if err := m.probe(); err != nil {
		return nil, err
	}
	return m, nil
}

// probe issues an empty session and verifies it, so that a codec that would refuse every session
// (an audience or issuer the sessions do not carry, a clock far from the Manager's) is refused
// now rather than by every request.
func (m *Manager) probe() error {
	s := m.pool.Get().(*Session)
	defer m.Release(s)
	now := m.cfg.Now()
	token, err := s.sign(now)
	if err == nil {
		var cl fastjwt.Claims
		_, err = m.codec.AppendVerifyClaims(nil, token, &cl)
		if err == nil && !m.cfg.acceptsType(cl.Type()) {
			err = ErrPurpose
		}
	}
	if err != nil {
		return fmt.Errorf("%w: the codec refuses the sessions this Manager issues (use a codec without an audience or issuer for sessions): %w", ErrConfig, err)
	}
	return nil
}

// Acquire returns a pooled Session for one request, loaded from the request's session cookies.
// It verifies the first cookie of the session's name, and the next ones (MaxSessionCookies in
// all) while they fail; the payload is parsed only when the handler first uses the session.
// Adapters call it before the handler, and give the Session back with Release once the handler
// has returned.
//
// It returns an error only when it cannot tell whether the request has a session (a revocation
// list that does not answer); the adapter then answers 503 without running the handler. ctx is
// kept for the lazy load of the store's data in server-side mode (see Session.Commit), so it
// must last until the handler returns. An invalid cookie
// is not an error: the Session is new, and InvalidReason says why.
func (m *Manager) Acquire(ctx context.Context, h RequestHeader) (*Session, error) {
	var start time.Time
	if m.cfg.Observer != nil {
		start = time.Now()
	}
	s := m.pool.Get().(*Session)
	s.ctx = ctx
	s.secure = m.secure(s, h)
	err := s.load(ctx, h)
	if m.cfg.Observer != nil {
		m.observe(start, s, err)
	}
	if err != nil {
		m.Release(s)
		return nil, err
	}
	return s, nil
}

// secure reports whether the cookie of the request with header h carries Secure (Config.Secure).
func (m *Manager) secure(s *Session, h RequestHeader) bool {
	switch m.cfg.Secure {
	case SecureAlways:
		return true
	case SecureNever:
		return false
	}
	if t, ok := h.(TLSRequest); ok && t.TLS() {
		return true
	}
	if !m.cfg.TrustForwardedProto {
		return false
	}
	var https bool
	s.lines, https = forwardedHTTPS(h, s.lines)
	return https
}

// RevokeSubject logs subject sub out everywhere: every session and token of that "sub" issued
// until now is refused from now on (Config.Revocations; ErrConfig without one), to the
// nanosecond: a session issued after it, in the same second too, is accepted ("iat" is written
// to the nanosecond). The entry lasts one Lifetime, after which those sessions would have
// expired anyway, plus the list's grace, which covers the codec's leeway.
//
// The epoch is written twice: at the time read before the first write, then at the time read
// after it (a List keeps the later epoch). A request of that subject in flight meanwhile checks
// the list again once its new cookie is signed (Commit); one whose check came before the first
// write landed signed its cookie before the second time was read, so the second epoch revokes
// it, while a single epoch read before the write would let through a cookie signed between that
// reading and the write.
func (m *Manager) RevokeSubject(ctx context.Context, sub string) error {
	if m.cfg.Revocations == nil {
		return fmt.Errorf("%w: no Revocations configured", ErrConfig)
	}
	now := m.cfg.Now()
	if err := m.cfg.Revocations.RevokeSubject(ctx, sub, now, now.Add(m.cfg.Lifetime)); err != nil {
		return err
	}
	after := m.cfg.Now()
	return m.cfg.Revocations.RevokeSubject(ctx, sub, after, after.Add(m.cfg.Lifetime))
}

// Release returns s to the pool. s must not be used afterwards.
func (m *Manager) Release(s *Session) {
	if s == nil || s.m != m {
		return
	}
	s.reset()
	m.pool.Put(s)
}
