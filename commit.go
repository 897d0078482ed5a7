package session

import (
	"fmt"
	"strconv"
	"time"
)

// ResponseHeader is the part of a response's header that the session layer writes. Adapters
// implement it over their framework's response; names are given in canonical form.
type ResponseHeader interface {
	// Peek returns the first value of the named header, or nil.
	Peek(name string) []byte
	// Set replaces every value of the named header with value.
	Set(name, value string)
	// Add appends one more header line name: value.
	Add(name, value string)
	// AddBytes is Add with a value the adapter must copy if it keeps it.
	AddBytes(name string, value []byte)
}

// Cache directives of a response. Every response that depends on the session varies by cookie;
// a response that sets the session cookie must not be stored by any cache, or the cache could
// hand one user's cookie to another: "private, no-store" replaces whatever Cache-Control the
// handler set. (The narrower no-cache="Set-Cookie" is ignored by several caches.)
const (
	varyValue         = "Cookie"
	cacheControlValue = "private, no-store"
)

// Commit writes the session's effect on the response into h: always "Vary: Cookie"; a Set-Cookie
// when the data changed, when the token is past its renewal point or was signed by an older key
// (with "Cache-Control: private, no-store"); a deleting Set-Cookie when the session was cleared.
// If the new cookie would exceed MaxCookieSize, or signing fails, no Set-Cookie is sent (the client
// keeps its old cookie), Err returns the error and Config.OnError receives it. Adapters call
// Commit once, just before the response headers are written; later changes fail with ErrCommitted.
func (s *Session) Commit(h ResponseHeader) {
	if s.committed {
		return
	}
	s.committed = true
	if v := h.Peek("Vary"); !hasToken(v, varyValue) && !hasToken(v, "*") {
		h.Add("Vary", varyValue)
	}
	now := s.m.now()
	if !s.changed && !s.due(now) {
		return
	}
	s.ensure()
	if len(s.entries) == 0 && (s.changed || !s.valid) {
		// Cleared: delete the client's cookie, if it had one.
		if s.had {
			h.Set("Cache-Control", cacheControlValue)
			h.Add("Set-Cookie", s.m.deleteCookie)
		}
		return
	}
	if err := s.issue(now); err != nil {
		s.err = err
		if s.m.cfg.OnError != nil {
			s.m.cfg.OnError(err)
		}
		return
	}
	h.Set("Cache-Control", cacheControlValue)
	h.AddBytes("Set-Cookie", s.cookie)
}

// issue builds the new payload, signs it and leaves the Set-Cookie value in s.cookie (inside s.buf).
func (s *Session) issue(now time.Time) error {
	b := append(s.buf[:0], '{')
	for _, e := range s.entries {
		b = appendQuoted(b, string(e.name))
		b = append(b, ':')
		b = append(b, e.value...)
		b = append(b, ',')
	}
	iat := now.Unix()
	b = append(b, `"iat":`...)
	b = strconv.AppendInt(b, iat, 10)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, iat+int64(s.m.cfg.Lifetime/time.Second), 10)
	b = append(b, '}')
	n := len(b)
	b, err := s.m.codec.AppendSign(b, b[:n:n])
	if err != nil {
		s.buf = b[:0]
		return fmt.Errorf("session: signing the session: %w", err)
	}
	// The token sits after the payload in b; the cookie goes after both.
	m := len(b)
	b = s.m.appendSetCookie(b, b[n:m], now)
	s.buf = b
	if len(b)-m > MaxCookieSize {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrCookieTooLarge, len(b)-m, MaxCookieSize)
	}
	s.cookie = b[m:]
	return nil
}
