// Package revoke is the revocation port: a list, checked after every other check of a token,
// that refuses tokens before they expire, as djangorestframework-jwt's blacklist does. A token is
// revoked by its "jti" (one token), by its subject's epoch ("log out everywhere": every token of
// that "sub" issued before the epoch), or by a global epoch (every token issued before it). Every
// entry expires by itself when the tokens it names would have expired: no clean-up job.
//
// NewMemory is the embedded default; package redisstore (its own module) keeps the list in Redis
// with client-side caching, so that "not revoked" is a local answer until Redis says it changed.
// Checker is the one verdict the layers above give on a token, after their own checks: not
// revoked, revoked (ErrRevoked), or the list cannot answer (ErrUnavailable), failing open or
// closed by configuration. Package revoketest checks a List against the contract.
package revoke

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// List answers whether a verified token is revoked and records revocations. Implementations are
// safe for concurrent use, and a revocation that returned nil is seen by every Revoked that
// starts after it on the same List. Package revoketest checks an implementation against this
// contract.
//
// An epoch is compared with "iat" exactly, to the nanosecond: a token issued at the epoch is not
// revoked by it. Issuers usually write "iat" in whole seconds, so an epoch within a second (as
// time.Now gives) also revokes the tokens issued later in that second, whose "iat" is that
// second: a new login after "log out everywhere" is accepted from the next second on.
//
// Entries expire by themselves when the tokens they name would have expired. A revocation
// whose expiry has already passed records nothing and returns nil (the tokens it names are
// refused by their own "exp"). A revocation that names nothing (an empty jti or sub) or gives a
// zero time.Time fails with an error matching ErrInvalid and records nothing.
type List interface {
	// Revoked reports whether the token whose verified claims are cl is revoked: its "jti" is
	// listed, or its "iat" is before its subject's epoch or the global epoch (a token without
	// "iat" is revoked by any epoch that applies to it). It returns an error when the list
	// cannot answer; the caller then fails closed unless configured to fail open (Checker).
	Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error)
	// RevokeToken revokes the token whose "jti" is jti until its expiry exp.
	RevokeToken(ctx context.Context, jti string, exp time.Time) error
	// RevokeSubject revokes every token of subject sub issued before at; the entry lasts until
	// until (at + the longest lifetime of a token). An entry for the same subject is merged
	// with it: the later epoch and the later expiry are kept.
	RevokeSubject(ctx context.Context, sub string, at, until time.Time) error
	// RevokeAll revokes every token issued before at, until until, merged with an earlier
	// global epoch as RevokeSubject merges.
	RevokeAll(ctx context.Context, at, until time.Time) error
}

// ErrRevoked is the cause given when a verified token is refused because it was revoked.
var ErrRevoked = errors.New("revoke: the token was revoked")

// ErrUnavailable wraps the error of a List that could not answer, in the verdicts of the
// packages that check it (a 503, not a 401: the token may be fine).
var ErrUnavailable = errors.New("revoke: the revocation list cannot answer")

// ErrInvalid: a revocation names nothing (an empty "jti" or "sub") or gives a zero time.Time (a
// token's expiry or an epoch that was never set). Nothing is recorded.
var ErrInvalid = errors.New("revoke: invalid revocation")

// checkToken refuses a token revocation that names nothing.
func checkToken(jti string, exp time.Time) error {
	switch {
	case jti == "":
		return fmt.Errorf("%w: empty jti", ErrInvalid)
	case exp.IsZero():
		return fmt.Errorf("%w: zero exp", ErrInvalid)
	}
	return nil
}

// checkEpoch refuses an epoch that names nothing: an empty name of this kind ("sub"; "" for the
// global epoch, which has none), or a zero at or until.
func checkEpoch(kind, name string, at, until time.Time) error {
	switch {
	case kind != "" && name == "":
		return fmt.Errorf("%w: empty %s", ErrInvalid, kind)
	case at.IsZero():
		return fmt.Errorf("%w: zero epoch", ErrInvalid)
	case until.IsZero():
		return fmt.Errorf("%w: zero until", ErrInvalid)
	}
	return nil
}
