package session

import (
	"bytes"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// The attribute grammar of the session's Set-Cookie header (RFC 6265 sec. 4.1): which values an
// attribute can take, and the attributes fixed by the Config. The header itself is assembled at
// commit (Manager.appendSetCookie); reading the Cookie request header is internal/httpsyntax's
// job, shared with bearer authentication.

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
// developer tools show them, with Secure or without.
func appendAttrs(dst []byte, cfg *Config, secure bool) []byte {
	dst = append(dst, "; Path="...)
	dst = append(dst, cfg.Path...)
	if cfg.Domain != "" {
		dst = append(dst, "; Domain="...)
		dst = append(dst, cfg.Domain...)
	}
	if secure {
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

// forwardedHTTPS reports whether h carries exactly one X-Forwarded-Proto line holding exactly
// "https" (ASCII case-insensitive, surrounding spaces ignored). A list ("https, http") or several
// lines are ambiguous and count as plain HTTP.
func forwardedHTTPS(h RequestHeader, lines [][]byte) ([][]byte, bool) {
	lines = h.AppendValues(lines[:0], "X-Forwarded-Proto")
	ok := len(lines) == 1 && httpsyntax.EqualFold(bytes.Trim(lines[0], " \t"), "https")
	clear(lines)
	return lines[:0], ok
}
