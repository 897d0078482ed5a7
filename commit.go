package session

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/httpsyntax"
	"github.com/fastjwt/session/revoke"
)

// Cache directives of a response. Every response that depends on the session varies by cookie;
// a response that sets the session cookie must not be stored by any cache, or the cache could
// hand one user's cookie to another: "private, no-store" replaces whatever Cache-Control the
// handler set. (The narrower no-cache="Set-Cookie" is ignored by several caches.)
const (
	varyValue         = "Cookie"
	cacheControlValue = "private, no-store"
)

// Commit writes the session's effect on the response into h: "Vary: Cookie", exactly once
// whatever Vary lines the handler set; a Set-Cookie when the data changed, when the token is past
// its renewal point, was signed by an older key or is untyped (with "Cache-Control: private,
// no-store"); a deleting Set-Cookie when the session was cleared. If the new cookie would exceed
// Config.MaxCookieSize, or signing fails, no Set-Cookie is sent (the client keeps its old cookie),
// Err returns the error and Config.OnError receives it.
//
// Adapters call Commit once, just before the response headers are written; later changes fail
// with ErrCommitted. It returns an error only when the session could not be stored and the
// response must not go out as if it had been (a store that does not answer, or ctx ended before
// the store's write: the adapters then answer 503); a cookie that is too large is not such an
// error.
//
// In server-side mode (Config.Store) the store's writes (the changed names, the renewal of an
// unchanged session's expiry, the destruction of a cleared or regenerated id) use ctx. The load
// of the store's data, which happens lazily at the first read or write of a name outside
// Config.TokenFields, uses the context given to Acquire.
//
// Commit records on the session whether it could be stored: called again, it writes nothing
// and returns that failure again, or the failure of a lazy load that came after the first
// Commit (the handler's view was then not the user's data). The adapters call it once more
// after the handler returns, so that the response is a 503 even when the handler committed
// early and ignored the error.
//
// A cookie re-issued for a valid session (changed data, a renewal, Regenerate) is first checked
// against the revocation list once more, after it is signed: a request that was in flight while
// its token was revoked (Logout of the same cookie, Manager.RevokeSubject) deletes the cookie
// instead of issuing a fresh token of that identity.
func (s *Session) Commit(ctx context.Context, h ResponseHeader) error {
	if s.committed {
		return s.failure()
	}
	s.committed = true
	s.vary(h)
	now := s.m.cfg.Now()
	destroyed, err := s.m.side.commit(ctx, s, now)
	if err != nil {
		return s.fail(err)
	}
	if destroyed {
		s.deleteCookie(h)
		return nil
	}
	if !s.changed && !s.due(now) {
		return nil
	}
	s.ensure()
	if s.empty() && (s.changed || !s.valid) {
		// Cleared: delete the client's cookie, if it had one.
		s.deleteCookie(h)
		return nil
	}
	if s.ended(now) {
		// The session reached its absolute end while this request ran: nothing more is issued.
		s.deleteCookie(h)
		return nil
	}
	if err := s.issue(now); err != nil {
		s.err = err
		if s.m.cfg.OnError != nil {
			s.m.cfg.OnError(err)
		}
		return nil
	}
	if s.valid && !s.legacy {
		// Checked after signing (the old token's claims): a revocation that lands later names
		// the old token's "jti", or has a subject epoch after the new token's "iat"
		// (Manager.RevokeSubject writes its epoch again at a time read after its first write).
		if err := s.m.revocations.Check(ctx, &s.claims); errors.Is(err, revoke.ErrRevoked) {
			s.err = err
			s.deleteCookie(h)
			return nil
		} else if err != nil {
			return s.fail(err)
		}
		if s.revokeOld {
			if err := s.revokeToken(ctx); err != nil {
				return s.fail(fmt.Errorf("session: revoking the regenerated session's token: %w", err))
			}
		}
	}
	h.Set("Cache-Control", cacheControlValue)
	for i := 0; i+1 < len(s.outs); i += 2 {
		h.AddBytes("Set-Cookie", s.buf[s.outs[i]:s.outs[i+1]])
	}
	s.deleteStaleChunks(h, s.nchunks)
	s.deleteLegacy(h, false)
	return nil
}

// fail records err as the reason the session could not be stored, reports it to OnError and
// returns it.
func (s *Session) fail(err error) error {
	s.unstored, s.err = err, err
	if s.m.cfg.OnError != nil {
		s.m.cfg.OnError(err)
	}
	return err
}

// failure returns why the session could not be stored, if it could not: Commit's failure, or a
// lazy load of the store's data that failed (also after Commit).
func (s *Session) failure() error {
	if s.unstored != nil {
		return s.unstored
	}
	return s.store.err
}

// secureIndex is the index in Manager.attrs and Manager.deleteCookie of this request's cookie.
func (s *Session) secureIndex() int {
	if s.secure {
		return 1
	}
	return 0
}

// deleteCookie deletes the client's session cookie, if it sent one, with its chunks and a
// legacy cookie of another name.
func (s *Session) deleteCookie(h ResponseHeader) {
	if s.had {
		h.Set("Cache-Control", cacheControlValue)
		h.Add("Set-Cookie", s.m.deleteCookie[s.secureIndex()])
	}
	if s.chunksHad != 0 || s.legacyHad {
		h.Set("Cache-Control", cacheControlValue)
	}
	s.deleteStaleChunks(h, 0)
	s.deleteLegacy(h, true)
}

// deleteLegacy deletes the request's legacy cookie of another name than the session's, once
// the session was written in this library's format (the session moved) or cleared (cleared is
// true: a logout must not leave a cookie that would bring the session back). In LegacyWrite the
// legacy cookie was just written again, unless the session was cleared.
func (s *Session) deleteLegacy(h ResponseHeader, cleared bool) {
	l := s.m.cfg.Legacy
	if !s.legacyHad || (l.Phase == LegacyWrite && !cleared) {
		return
	}
	h.Add("Set-Cookie", s.m.deleteLegacyCookie[s.secureIndex()])
}

// vary makes "Cookie" a member of the response's Vary list exactly once, across every Vary line
// the handler may have set (a list, several lines, "*").
func (s *Session) vary(h ResponseHeader) {
	s.lines = h.AppendValues(s.lines[:0], "Vary")
	switch httpsyntax.CountListToken(s.lines, varyValue) {
	case 0:
		h.Add("Vary", varyValue)
	case 1:
	default:
		// The handler named Cookie more than once: one line with each other member, then Cookie.
		v := httpsyntax.AppendListWithout(nil, s.lines, varyValue)
		if len(v) > 0 {
			v = append(v, ", "...)
		}
		h.Set("Vary", string(append(v, varyValue...)))
	}
	clear(s.lines)
	s.lines = s.lines[:0]
}

// sign builds the session's payload from its entries and signs it as a session token. The token
// is at the end of s.buf; the result is valid until s.buf changes.
func (s *Session) sign(now time.Time) ([]byte, error) {
	b := s.appendMembers(append(s.buf[:0], '{'))
	if len(s.sid) > 0 {
		b = append(b, `"sid":"`...)
		b = append(b, s.sid...) // base64url: nothing to escape
		b = append(b, `",`...)
	}
	b = s.appendTimes(b, now)
	n := len(b)
	b, err := s.m.codec.AppendSignType(b, fastjwt.TypeSession, b[:n:n])
	if err != nil {
		s.buf = b[:0]
		return nil, fmt.Errorf("session: signing the session: %w", err)
	}
	s.buf = b
	return b[n:], nil
}

// issue signs the session and leaves its Set-Cookie values in s.buf, at the offsets s.outs
// holds: one cookie, or its chunks (Config.Chunked), and the legacy cookie (LegacyWrite).
func (s *Session) issue(now time.Time) error {
	token, err := s.sign(now)
	if err != nil {
		return err
	}
	// The token sits after the payload in s.buf; the cookies go after both.
	s.outs, s.nchunks = s.outs[:0], 0
	life, attrs := s.lifetimeSeconds(now.Unix()), s.secureIndex()
	m := len(s.buf)
	b := s.m.appendSetCookie(s.buf, s.m.cfg.CookieName, token, now, life, attrs)
	switch size := len(b) - m; {
	case size <= s.m.cfg.MaxCookieSize:
		s.out(b)
	case !s.m.cfg.Chunked:
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrCookieTooLarge, size, s.m.cfg.MaxCookieSize)
	default:
		if err := s.split(token, now, life, attrs); err != nil {
			return err
		}
	}
	if l := s.m.cfg.Legacy; l != nil && l.Phase == LegacyWrite {
		return s.writeLegacy(now, life, attrs)
	}
	return nil
}

// appendSetCookie appends the Set-Cookie value that stores value under name until
// now+lifetime, or for life seconds when they are fewer (a session near its absolute end), with
// the attributes m.attrs[attrs] (1: with Secure).
func (m *Manager) appendSetCookie(dst []byte, name string, value []byte, now time.Time, life int64, attrs int) []byte {
	dst = append(dst, name...)
	dst = append(dst, '=')
	dst = append(dst, value...)
	end := now.Add(m.cfg.Lifetime)
	if life < int64(m.cfg.Lifetime/time.Second) {
		dst = strconv.AppendInt(append(dst, "; Max-Age="...), life, 10)
		end = time.Unix(now.Unix()+life, 0)
	} else {
		dst = append(dst, m.maxAge...)
	}
	dst = append(dst, "; Expires="...)
	dst = end.UTC().AppendFormat(dst, httpDate)
	return append(dst, m.attrs[attrs]...)
}
