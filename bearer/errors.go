package bearer

import "errors"

// Errors reported by bearer authentication, the causes in AuthError.Err. They work with
// errors.Is; codec errors (fastjwt.ErrExpired and the others) are passed through unchanged.
var (
	// ErrConfig: a Config is inconsistent (a header name that is not a token, an unknown type...).
	ErrConfig = errors.New("bearer: invalid configuration")
	// ErrNoToken: the request carried no token.
	ErrNoToken = errors.New("bearer: no token")
	// ErrAmbiguous: the request carried more than one Authorization header, more than one token
	// cookie or query parameter, or tokens in more than one place (RFC 6750 sec. 2: a client uses
	// one method per request). Answered 400 invalid_request.
	ErrAmbiguous = errors.New("bearer: more than one token in the request")
	// ErrPurpose: the token verified but was issued for another purpose: its "typ" is not one of
	// Config.Types (a session cookie sent as a bearer token, for example).
	ErrPurpose = errors.New("bearer: token was issued for another purpose")
	// ErrMissingClaim: a verified token lacks a claim listed in Config.RequiredClaims.
	ErrMissingClaim = errors.New("bearer: required claim missing")
)
