package issuing

import (
	"context"
	"errors"
	"net/http"

	"github.com/fastjwt/session/revoke"
)

// Verify answers a verify (djangorestframework-jwt's verify_jwt_token): the parameter token,
// an access token of this issuer. A valid one (signature, times, type, issuer, audience, and
// not revoked) is answered 200 with its claims, the token's payload as it is; anything else,
// a refresh token or a session cookie too, 401 invalid_token. When the list cannot answer (and
// FailOpen is off) the answer is 503 with Retry-After.
func (i *Issuer) Verify(ctx context.Context, r Request) Response {
	p, refused := i.read(r, "")
	if refused != nil {
		return *refused
	}
	tok, ok := p["token"]
	if !ok {
		return missing("token")
	}
	v, err := i.verifyAccess(tok)
	if err == nil {
		err = i.check.Check(ctx, &v.cl)
	}
	switch {
	case err == nil:
		return Response{Status: http.StatusOK, Body: v.payload}
	case errors.Is(err, revoke.ErrUnavailable):
		return i.unavailable()
	}
	return fail(http.StatusUnauthorized, codeInvalidToken, "the token is not valid")
}

// Revoke answers a revocation (RFC 7009): the parameter token, and token_type_hint, which it
// does not need (each kind of token says what it is) and ignores. An access token is listed in
// the revocation list until its "exp"; a refresh token ends its family, and the family's access
// tokens that may still be live are listed. The answer is 200 with an empty object, also for a
// token that is not valid (RFC 7009 sec. 2.2: there is nothing to revoke), and 503 with
// Retry-After when the list or the families cannot record it (the client retries). Possession of
// the token is the authority to revoke it: no client authentication is asked.
func (i *Issuer) Revoke(ctx context.Context, r Request) Response {
	p, refused := i.read(r, "")
	if refused != nil {
		return *refused
	}
	tok, ok := p["token"]
	if !ok {
		return missing("token")
	}
	done := Response{Status: http.StatusOK, Body: []byte("{}")}
	if v, err := i.verifyAccess(tok); err == nil {
		if err := i.cfg.Revocations.RevokeToken(ctx, v.jti, v.exp); err != nil {
			return i.unavailable()
		}
		return done
	}
	if v, err := i.verifyRefresh(tok); err == nil {
		live, err := i.cfg.Families.Revoke(ctx, v.family, i.now())
		if err == nil {
			err = i.revokeLive(ctx, live)
		}
		if err != nil {
			return i.unavailable()
		}
	}
	return done
}
