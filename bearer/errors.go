package bearer

import (
	"errors"
	"fmt"

	"github.com/fastjwt/session/fastjwt"
)

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
	// ErrAuthAge: the token's authentication ("auth_time", or "iat" without it) is at least
	// Config.MaxAuthAge old, or the token carries neither claim. It also matches
	// fastjwt.ErrExpired: the token has expired, by the age of its authentication.
	ErrAuthAge = fmt.Errorf("bearer: authentication too old: %w", fastjwt.ErrExpired)
	// ErrMissingClaim: a verified token lacks a claim listed in Config.RequiredClaims.
	ErrMissingClaim = errors.New("bearer: required claim missing")
)
