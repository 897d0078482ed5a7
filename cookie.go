package session

import "time"

// The Set-Cookie header the session sends (RFC 6265 sec. 4.1). Reading the Cookie request header
// is internal/httpsyntax's job, shared with bearer authentication.

// httpDate is the IMF-fixdate layout of the Expires attribute (RFC 9110 sec. 5.6.7).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// isAttrValue reports whether s can be a cookie attribute value: no control characters, no ';'.
func isAttrValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == ';' {
			return false
		}
	}
	return true
}

// appendAttrs appends the attributes that never change between responses, in the order browsers'
// developer tools show them.
func appendAttrs(dst []byte, cfg *Config) []byte {
	dst = append(dst, "; Path="...)
	dst = append(dst, cfg.Path...)
	if cfg.Domain != "" {
		dst = append(dst, "; Domain="...)
		dst = append(dst, cfg.Domain...)
	}
	if cfg.Secure {
		dst = append(dst, "; Secure"...)
	}
	if !cfg.ScriptReadable {
		dst = append(dst, "; HttpOnly"...)
	}
	switch cfg.SameSite {
	case SameSiteLax:
		dst = append(dst, "; SameSite=Lax"...)
	case SameSiteStrict:
		dst = append(dst, "; SameSite=Strict"...)
	case SameSiteNone:
		dst = append(dst, "; SameSite=None"...)
	}
	if cfg.Partitioned {
		dst = append(dst, "; Partitioned"...)
	}
	return dst
}

// appendSetCookie appends the Set-Cookie value that stores token until now+lifetime.
func (m *Manager) appendSetCookie(dst, token []byte, now time.Time) []byte {
	dst = append(dst, m.cfg.CookieName...)
	dst = append(dst, '=')
	dst = append(dst, token...)
	dst = append(dst, m.maxAge...)
	dst = append(dst, "; Expires="...)
	dst = now.Add(m.cfg.Lifetime).UTC().AppendFormat(dst, httpDate)
	return append(dst, m.attrs...)
}
