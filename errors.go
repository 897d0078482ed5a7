package session

import (
	"errors"
	"fmt"

	"github.com/fastjwt/session/fastjwt"
)

// Errors reported by the session layer. They work with errors.Is; codec errors (fastjwt.ErrExpired
// and the others) are passed through unchanged, wrapped with what was being done.
var (
	// ErrConfig: a Config is inconsistent (SameSite=None without Secure, a __Host- cookie with a
	// Domain, RenewAfter longer than Lifetime, a codec that refuses the sessions it would issue...).
	ErrConfig = errors.New("session: invalid configuration")
	// ErrCookieTooLarge: the Set-Cookie header the session needs would exceed Config.MaxCookieSize
	// bytes. The response keeps the client's old cookie; nothing is truncated.
	ErrCookieTooLarge = errors.New("session: cookie would exceed the size limit")
	// ErrReserved: the handler tried to set "exp", "iat", "jti" or "auth_time", which the session
	// layer manages.
	ErrReserved = errors.New("session: reserved claim name")
	// ErrValue: a value given to Set, SetRaw or Encode cannot be stored: not valid JSON under the
	// codec's rules (invalid UTF-8, duplicate member names, nesting deeper than the codec allows,
	// a number JSON cannot hold), or a registered claim the codec would refuse ("sub" that is not
	// a string, "nbf" in the future...).
	ErrValue = errors.New("session: value cannot be stored")
	// ErrCommitted: the session was changed after its response headers were written.
	ErrCommitted = errors.New("session: changed after the response headers were written")
	// ErrPurpose: the cookie holds a valid token that was issued for another purpose (its "typ"
	// is not the session's: an access token put in the session cookie, for example).
	ErrPurpose = errors.New("session: token was issued for another purpose")
	// ErrAbsoluteLifetime: the cookie's session started ("auth_time") longer ago than
	// Config.AbsoluteLifetime; the request gets a new session. It also matches fastjwt.ErrExpired:
	// the session has expired, by its absolute limit rather than by inactivity.
	ErrAbsoluteLifetime = fmt.Errorf("session: past its absolute lifetime: %w", fastjwt.ErrExpired)
	// ErrTooManyCookies: the request carries more session cookies than MaxSessionCookies and none
	// of the first ones verified.
	ErrTooManyCookies = errors.New("session: too many session cookies")
	// ErrLogoutNotFinal: Logout of a cookie session without Config.Revocations. The session was
	// cleared and its cookie is deleted from this client, but the token is all there is: a copy
	// of it (another tab's, a stolen one) stays valid until it expires. Configure a revocation
	// list, or the server-side mode, for a logout that is final; a caller that accepts cookie
	// logout as it is checks for this error with errors.Is and carries on.
	ErrLogoutNotFinal = errors.New("session: logout without a revocation list deletes this client's cookie only")
)
