package session

import (
	"bytes"
	"time"
)

// Cookie syntax (RFC 6265 sec. 4.1.1) and the Set-Cookie attributes the session sends.

// httpDate is the IMF-fixdate layout of the Expires attribute (RFC 9110 sec. 5.6.7).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// isTokenByte marks the bytes of an RFC 7230 token (tchar), which cookie and header names use.
var isTokenByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte[s[i]] {
			return false
		}
	}
	return true
}

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

// CookieValue returns the value of the first cookie called name in header, the value of one
// Cookie request header ("a=1; session=xyz"), or nil. A value in double quotes is returned
// without them. It allocates nothing; the result points into header.
func CookieValue(header []byte, name string) []byte {
	for len(header) > 0 {
		var pair []byte
		if i := bytes.IndexByte(header, ';'); i >= 0 {
			pair, header = header[:i], header[i+1:]
		} else {
			pair, header = header, nil
		}
		pair = bytes.TrimLeft(pair, " \t")
		eq := bytes.IndexByte(pair, '=')
		if eq < 0 || string(bytes.TrimRight(pair[:eq], " \t")) != name {
			continue
		}
		v := bytes.TrimSpace(pair[eq+1:])
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		return v
	}
	return nil
}

// hasToken reports whether the comma-separated header value list contains tok, ignoring case.
func hasToken(list []byte, tok string) bool {
	for len(list) > 0 {
		var item []byte
		if i := bytes.IndexByte(list, ','); i >= 0 {
			item, list = list[:i], list[i+1:]
		} else {
			item, list = list, nil
		}
		if bytes.EqualFold(bytes.TrimSpace(item), []byte(tok)) {
			return true
		}
	}
	return false
}
