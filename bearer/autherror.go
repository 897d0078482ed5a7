package bearer

import (
	"strconv"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// AuthError is a refused bearer request: the status to answer with, the RFC 6750 error code and
// description, and the cause. It lives in its Token and is valid until the Token is released.
type AuthError struct {
	// Status is 400 (ambiguous request), 401 (no token, invalid, revoked, another purpose), 403
	// (audience or required claim) or 503 (the revocation list or the verifier's keys cannot
	// answer: answer with Retry-After, see RetryAfter, and no challenge).
	Status int
	// Code is "" (no token), "invalid_request", "invalid_token" or "insufficient_scope" (RFC 6750
	// sec. 3.1).
	Code string
	// Description is a fixed, human-readable error_description ("" when Code is "").
	Description string
	// Err is the cause: ErrNoToken, ErrAmbiguous, ErrPurpose, a fastjwt error, revoke.ErrRevoked,
	// an error wrapping revoke.ErrUnavailable, ErrMissingClaim or fastjwt.ErrAudience. Reason
	// names it in a fixed set.
	Err error

	challenge []byte
}

// Error returns "bearer: 401 invalid_token: <cause>".
func (e *AuthError) Error() string {
	s := "bearer: " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *AuthError) Unwrap() error { return e.Err }

// Challenge returns the value of the WWW-Authenticate header to answer with, e.g.
// `Bearer realm="api", error="invalid_token", error_description="the token has expired"`; nil
// for a 503, which is no verdict on the credentials.
func (e *AuthError) Challenge() []byte { return e.challenge }

// RetryAfter is the Retry-After value (seconds) of a 503 answer.
const RetryAfter = "1"

func (t *Token) fail(status int, code, desc string, err error) *AuthError {
	b := t.b
	t.valid = false
	t.aerr = AuthError{Status: status, Code: code, Description: desc, Err: err}
	switch {
	case status == 503:
	case code == "":
		t.aerr.challenge = b.challenge401
	default:
		start := len(t.buf)
		t.buf = b.appendChallenge(t.buf, code, desc)
		t.aerr.challenge = t.buf[start:]
	}
	if b.cfg.OnInvalid != nil {
		b.cfg.OnInvalid(err)
	}
	return &t.aerr
}

// appendChallenge appends a challenge (RFC 6750 sec. 3) for the first accepted scheme.
func (b *Bearer) appendChallenge(dst []byte, code, desc string) []byte {
	dst = append(dst, b.cfg.Schemes[0]...)
	dst = append(dst, ` realm=`...)
	dst = httpsyntax.AppendQuotedString(dst, b.cfg.Realm)
	if code != "" {
		dst = append(dst, `, error=`...)
		dst = httpsyntax.AppendQuotedString(dst, code)
		if desc != "" {
			dst = append(dst, `, error_description=`...)
			dst = httpsyntax.AppendQuotedString(dst, desc)
		}
	}
	return dst
}
