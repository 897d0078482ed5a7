package session

import "errors"

// Errors reported by the session layer. They work with errors.Is; codec errors (fastjwt.ErrExpired
// and the others) are passed through unchanged.
var (
	// ErrConfig: a Config or BearerConfig is inconsistent (SameSite=None without Secure, a cookie
	// name that is not a token, a header name with forbidden characters...).
	ErrConfig = errors.New("session: invalid configuration")
	// ErrCookieTooLarge: the Set-Cookie header the session needs would exceed MaxCookieSize
	// bytes. The response keeps the client's old cookie; nothing is truncated.
	ErrCookieTooLarge = errors.New("session: cookie would exceed the size limit")
	// ErrReserved: the handler tried to set "exp" or "iat", which the session layer manages.
	ErrReserved = errors.New("session: reserved claim name")
	// ErrCommitted: the session was changed after its response headers were written.
	ErrCommitted = errors.New("session: changed after the response headers were written")
	// ErrNoToken: a bearer-protected request carried no token.
	ErrNoToken = errors.New("session: no bearer token")
	// ErrMissingClaim: a verified bearer token lacks a claim listed in BearerConfig.RequiredClaims.
	ErrMissingClaim = errors.New("session: required claim missing")
)
