// Package revoke is the revocation port: a list, checked after the signature on every verify,
// that refuses tokens before they expire, as djangorestframework-jwt's blacklist does. A token is
// revoked by its "jti" (one token), by its subject's epoch ("log out everywhere": every token of
// that "sub" issued before the epoch), or by a global epoch (every token issued before it). Every
// entry expires by itself when the tokens it names would have expired: no clean-up job.
//
// NewMemory is the embedded default; package redisstore (its own module) keeps the list in Redis
// with client-side caching, so that "not revoked" is a local answer until Redis says it changed.
package revoke

import (
	"context"
	"errors"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// List answers whether a verified token is revoked and records revocations. Implementations are
// safe for concurrent use.
type List interface {
	// Revoked reports whether the token whose verified claims are cl is revoked: its "jti" is
	// listed, or its "iat" is before its subject's epoch or the global epoch (a token without
	// "iat" is revoked by any epoch that applies to it). It returns an error when the list
	// cannot answer; the caller then fails closed unless configured to fail open.
	Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error)
	// RevokeToken revokes the token whose "jti" is jti until its expiry exp.
	RevokeToken(ctx context.Context, jti string, exp time.Time) error
	// RevokeSubject revokes every token of subject sub issued before at; the entry lasts until
	// until (at + the longest lifetime of a token).
	RevokeSubject(ctx context.Context, sub string, at, until time.Time) error
	// RevokeAll revokes every token issued before at, until until.
	RevokeAll(ctx context.Context, at, until time.Time) error
}

// ErrRevoked is the cause given when a verified token is refused because it was revoked.
var ErrRevoked = errors.New("revoke: the token was revoked")

// ErrUnavailable wraps the error of a List that could not answer, in the verdicts of the
// packages that check it (a 503, not a 401: the token may be fine).
var ErrUnavailable = errors.New("revoke: the revocation list cannot answer")
