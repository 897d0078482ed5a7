package issuing

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/fastjwt/session/revoke"
)

// Refresh answers a refresh (RFC 6749 sec. 6): the parameter refresh_token (and grant_type
// "refresh_token", if present). The token must be a refresh token of this issuer (its
// signature, "exp", type, issuer and audience), not revoked in the list (a subject epoch set by
// RevokeSubject ends it), and the current one of its family: it is then rotated, and the
// answer is a new pair, as Obtain's.
//
// A retry of the token the last rotation replaced, less than Config.Grace after it, gets the
// same successor: the same "jti"s, "iat" and "exp" and claims, signed again (byte for byte the
// same token with a deterministic algorithm: HS256, RS256, EdDSA). A replaced token presented
// outside the window is a reuse: the family ends, its access tokens that may still be live are
// revoked in the list, and the answer is 400 invalid_grant, as for every token that does not
// rotate (an ended family, one past its absolute End, a token never issued). A family with
// MaxLive access tokens live is answered 429. When the families or the list cannot answer, or
// the revocation of an ended family's tokens fails, the answer is 503 with Retry-After (the
// next presentation revokes them again).
func (i *Issuer) Refresh(ctx context.Context, r Request) Response {
	p, refused := i.read(r, "refresh_token")
	if refused != nil {
		return *refused
	}
	tok, ok := p["refresh_token"]
	if !ok {
		return missing("refresh_token")
	}
	v, err := i.verifyRefresh(tok)
	if err != nil {
		return invalidGrant()
	}
	switch err := i.check.Check(ctx, &v.cl); {
	case errors.Is(err, revoke.ErrRevoked):
		return invalidGrant()
	case err != nil:
		return i.unavailable()
	}
	now := i.now()
	next := i.generation(now)
	rot, err := i.cfg.Families.Rotate(ctx, Rotate{Family: v.family, Presented: v.jti, Now: now, Next: next,
		Grace: i.cfg.Grace, MaxLive: i.cfg.MaxLive})
	if err != nil {
		return i.unavailable()
	}
	switch rot.Outcome {
	case Rotated, Retried:
		if rot.Family.Subject != v.subject {
			return invalidGrant() // a family is of one subject: a store answering otherwise is wrong
		}
		pr := pair{subject: v.subject, family: v.family, end: rot.Family.End, extra: v.extra, gen: rot.Generation}
		access, refresh, err := i.sign(&pr)
		if err != nil {
			return fail(http.StatusInternalServerError, codeServerError, "")
		}
		return i.tokens(access, refresh, rot.Generation, now)
	case Throttled:
		return tooMany(time.Second)
	}
	// Reused, Ended: the family is over; revoke what it may still have live.
	if err := i.revokeLive(ctx, rot.Live); err != nil {
		return i.unavailable()
	}
	return invalidGrant()
}

func invalidGrant() Response {
	return fail(http.StatusBadRequest, codeInvalidGrant, "the refresh token is not valid")
}
