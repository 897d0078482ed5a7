package bearer

import (
	"errors"

	"github.com/fastjwt/session/internal/httpsyntax"
)

var errNone = errors.New("no token")

// extract finds the request's one token: the Authorization header with an accepted scheme, the
// token cookie, or the query parameter. Two Authorization headers, two token cookies, two query
// parameters, or tokens in two of those places are ErrAmbiguous: RFC 6750 sec. 2 has a client
// use one method per request, and picking one by order would let the two stacks (or two proxies)
// disagree about who the request is. An Authorization header with another scheme (Basic...) is
// not a bearer token and is left to other handlers. A present but empty credential counts as a
// token (and fails to verify).
func (b *Bearer) extract(t *Token, r Request) ([]byte, error) {
	var tok []byte
	sources := 0
	t.lines = r.AppendValues(t.lines[:0], "Authorization")
	if len(t.lines) > 1 {
		return nil, ErrAmbiguous
	}
	if len(t.lines) == 1 {
		if cred, ok := b.credentials(t.lines[0]); ok {
			tok, sources = cred, 1
		}
	}
	if b.cfg.Cookie != "" {
		t.lines = r.AppendValues(t.lines[:0], "Cookie")
		var n int
		t.vals, n = httpsyntax.AppendCookieValues(t.vals[:0], t.lines, b.cfg.Cookie, 1)
		switch {
		case n > 1:
			return nil, ErrAmbiguous
		case n == 1:
			tok, sources = t.vals[0], sources+1
		}
	}
	if b.cfg.Query != "" {
		t.vals = r.AppendQuery(t.vals[:0], b.cfg.Query)
		switch {
		case len(t.vals) > 1:
			return nil, ErrAmbiguous
		case len(t.vals) == 1:
			tok, sources = t.vals[0], sources+1
		}
	}
	switch sources {
	case 0:
		return nil, errNone
	case 1:
		return tok, nil
	}
	return nil, ErrAmbiguous
}

// credentials parses one Authorization field value, credentials = auth-scheme [ 1*SP token68 ]
// (RFC 9110 sec. 11.4), and returns the token68 if the scheme is accepted (ASCII
// case-insensitively).
func (b *Bearer) credentials(h []byte) ([]byte, bool) {
	scheme, rest := h, []byte(nil)
	for i, c := range h {
		if c == ' ' {
			scheme, rest = h[:i], h[i+1:]
			break
		}
	}
	for _, s := range b.cfg.Schemes {
		if httpsyntax.EqualFold(scheme, s) {
			return httpsyntax.TrimOWS(rest), true
		}
	}
	return nil, false
}

// safeHeaderValue reports whether a claim's value can be forwarded as a header value as is.
func safeHeaderValue(v []byte) bool { return httpsyntax.SafeFieldValue(v) }
