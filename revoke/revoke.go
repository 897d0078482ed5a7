// Package revoke is the revocation port: a list, checked after every other check of a token,
// that refuses tokens before they expire, as djangorestframework-jwt's blacklist does. A token is
// revoked by its "jti" (one token), by its subject's epoch ("log out everywhere": every token of
// that "sub" issued before the epoch), or by a global epoch (every token issued before it). Every
// entry expires by itself, a grace (DefaultGrace) after the tokens it names would have expired,
// so that no verifier's leeway accepts them again: no clean-up job.
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
// An epoch is compared with "iat" exactly, to the nanosecond: a token issued before the epoch
// ("iat" < epoch) is revoked, one issued at or after it is not. The session tokens of package
// session carry "iat" to the nanosecond, so a login right after "log out everywhere", in the
// same second, is accepted. An issuer that writes "iat" in whole seconds truncates it: its
// tokens issued in the epoch's second, after the epoch, are revoked too (never a token issued
// before the epoch spared), and its logins are accepted from the next second on.
//
// Entries expire by themselves, a grace after the tokens they name would have expired: a
// verifier with a leeway accepts a token until its "exp" plus the leeway, so an entry that
// expired at "exp" would let a revoked token back in for the leeway. A List that implements
// Graced keeps every entry until its expiry plus Grace (DefaultGrace for the lists of this
// module and of redisstore); CheckLeeway refuses a verifier whose leeway is longer. A List that
// does not implement Graced has no grace: its entries apply until their expiry. A revocation
// whose expiry plus the grace has already passed records nothing and returns nil (the tokens it
// names are refused by their own "exp" and every leeway). A revocation that names nothing (an
// empty jti or sub) or gives a zero time.Time fails with an error matching ErrInvalid and
// records nothing.
type List interface {
	// Revoked reports whether the token whose verified claims are cl is revoked: its "jti" is
	// listed, or its "iat" is before its subject's epoch or the global epoch (a token without
	// "iat" is revoked by any epoch that applies to it). It returns an error when the list
	// cannot answer; the caller then fails closed unless configured to fail open (Checker).
	Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error)
	// RevokeToken revokes the token whose "jti" is jti until its expiry exp (plus the grace).
	RevokeToken(ctx context.Context, jti string, exp time.Time) error
	// RevokeSubject revokes every token of subject sub issued before at; the entry lasts until
	// until (at + the longest lifetime of a token), plus the grace. An entry for the same subject is merged
	// with it: the later epoch and the later expiry are kept.
	RevokeSubject(ctx context.Context, sub string, at, until time.Time) error
	// RevokeAll revokes every token issued before at, until until, merged with an earlier
	// global epoch as RevokeSubject merges.
	RevokeAll(ctx context.Context, at, until time.Time) error
}

// DefaultGrace is how long past its expiry a revocation still applies in the lists of this
// module and of redisstore when they are not given a grace: 5 minutes. It covers the leeways in
// use: PyJWT's and golang-jwt's default is 0, common configurations allow 30 to 60 seconds (as
// Envoy's jwt_authn and Spring Security do by default), and the largest common default is
// Microsoft.IdentityModel's 5-minute ClockSkew (Kerberos's skew bound). It costs little: an
// entry lives Grace longer, 0.35% more entries for 24-hour tokens, a third more for 15-minute
// ones.
const DefaultGrace = 5 * time.Minute

// Graced is a List that keeps every entry past its expiry for a grace: an entry given expiry
// exp applies until exp + Grace(), exclusive. revoke.Memory and redisstore's List implement it.
type Graced interface {
	Grace() time.Duration
}

// GraceOf returns the grace of l: Grace() when l implements Graced, else 0 (its entries apply
// until their expiry). A nil l has none either.
func GraceOf(l List) time.Duration {
	if g, ok := l.(Graced); ok {
		return max(g.Grace(), 0)
	}
	return 0
}

// ErrLeeway: a verifier accepts tokens past their "exp" for longer than the revocation list
// keeps its entries past it (its grace), so a revoked token would be accepted again, between
// the end of its entry and the end of the leeway. session.New and bearer.New refuse such a
// configuration (wrapped in their ErrConfig).
var ErrLeeway = errors.New("revoke: the verifier's leeway is longer than the revocation list's grace")

// CheckLeeway returns nil when the list l covers the leeway of the verifier v: l is nil (no
// revocation), v does not report a leeway (it does not implement fastjwt.LeewayReporter: it is
// not checked), or its leeway is at most GraceOf(l). Otherwise it returns an error matching
// ErrLeeway that gives both durations.
func CheckLeeway(l List, v fastjwt.Verifier) error {
	if l == nil {
		return nil
	}
	r, ok := v.(fastjwt.LeewayReporter)
	if !ok {
		return nil
	}
	if leeway, grace := r.Leeway(), GraceOf(l); leeway > grace {
		return fmt.Errorf("%w: a leeway of %v, a grace of %v (give the list a grace of at least the leeway)",
			ErrLeeway, leeway, grace)
	}
	return nil
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
