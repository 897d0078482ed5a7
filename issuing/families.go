package issuing

import (
	"context"
	"errors"
	"time"
)

// Families keeps refresh-token families: the chain of refresh tokens that one obtain starts and
// each refresh extends by one, as OWASP ASVS 5.0 (10.4.5) and simplejwt's rotation with a
// blacklist keep it. The store holds no token, only identifiers and times: a family's id, its
// subject, its absolute end, the refresh "jti" that may be presented now, the one it replaced
// (for the grace window) and the access tokens the family issued that may still be live (so
// that ending the family can revoke them). Implementations are safe for concurrent use;
// package issuingtest checks one against this contract.
//
// Every method takes the request's context and returns an error when the store cannot answer;
// the caller then fails closed (503), never treating "unknown" as "no family". A family's
// record, and the mark that it ended, last until its End plus the revocation grace given to
// Start (so that no verifier's leeway outlives them), or until the latest expiry of its access
// tokens plus that grace if later, then expire by themselves, by the store's own clock: no
// clean-up job. A call whose context is already done fails with an error matching the
// context's error and changes nothing.
//
// An access token "may still be live" at a time now while now is before its expiry plus the
// family's Grace: a verifier with a leeway up to that grace may still take it. Live lists
// those, and Throttled counts those.
type Families interface {
	// Start records a new family f, whose first generation is f.First. It fails with
	// ErrInvalid when f names nothing (an empty ID, Subject or First.Refresh or First.Access,
	// a zero Start, an End not after Start, a First.Issued outside [Start, End)) and with
	// ErrExists when a family of that ID exists or existed (ids are random; a clash is a bug
	// or an attack, never overwritten).
	Start(ctx context.Context, f Family) error
	// Rotate presents the refresh token whose "jti" is r.Presented, of family r.Family, at
	// r.Now, as one atomic step; two concurrent Rotates of one token cannot both rotate. Its
	// Outcome:
	//
	//   - Rotated: r.Presented was the family's current refresh token, and r.Now is before the
	//     family's End. r.Next becomes current; Generation is r.Next.
	//   - Retried: r.Presented is the refresh token the last rotation replaced, r.Grace is
	//     positive, and r.Now is less than r.Grace after that rotation's r.Now (or before it:
	//     another node's clock): nothing changes, and Generation is the successor that
	//     rotation issued, to the nanosecond, so every retry inside the window gets the same
	//     one.
	//   - Reused: r.Presented is a token of the family that was already replaced (outside the
	//     window, or older than the last one): the family ends now, and Live lists the access
	//     tokens it issued that may still be live, for the caller to revoke.
	//   - Ended: the family does not exist, has ended (Reused, Revoke) or has reached its End,
	//     or r.Presented was never one of its tokens. At or after End, every presentation is
	//     Ended, a retry inside the window too. Nothing changes; Live lists the access
	//     tokens of a family that ended by Reused or Revoke, so that a caller whose revocation
	//     of them failed can retry it.
	//   - Throttled: r.Presented is current, but the family already has MaxLive access tokens
	//     live at r.Now: nothing changes (a client refreshing hundreds of times per access
	//     lifetime is misbehaving; refusing keeps the record, and what ending it must revoke,
	//     bounded).
	//
	// The Family returned carries the family's Subject, Start and End for every outcome but a
	// family that does not exist. It fails with ErrInvalid when r names nothing (an empty
	// Family or Presented, a zero Now, a Next with an empty Refresh or Access or a zero
	// Issued or AccessExpires, or a negative Grace).
	Rotate(ctx context.Context, r Rotate) (Rotation, error)
	// Revoke ends the family id at now (RFC 7009 on a refresh token, a logout): no refresh of
	// it rotates again. It returns the access tokens the family issued that may still be live
	// at now, for the caller to revoke, and returns them again on every later call, so that a
	// caller whose revocation of them failed can retry. Revoking a family that does not exist
	// returns no tokens and no error. An empty id fails with ErrInvalid.
	Revoke(ctx context.Context, id string, now time.Time) ([]Live, error)
}

// Family is one refresh-token family as Start records it.
type Family struct {
	// ID is the family's random id, carried by each of its tokens.
	ID string
	// Subject is the "sub" of every token of the family.
	Subject string
	// Start is when the family began (the obtain: the user's authentication). End is when it
	// ends however active (its absolute lifetime): no Rotate at or after End rotates.
	Start, End time.Time
	// Grace is how long past End (and past the end of its access tokens) the record and the
	// mark that it ended are kept: the revocation list's grace (revoke.GraceOf), so that the
	// family outlives every verifier's leeway.
	Grace time.Duration
	// First is the generation the obtain issued.
	First Generation
}

// Generation is what one obtain or one rotation issued: a refresh token and an access token,
// signed at the same instant.
type Generation struct {
	// Refresh is the refresh token's "jti"; Access is the access token's.
	Refresh, Access string
	// Issued is the "iat" of both tokens, to the nanosecond.
	Issued time.Time
	// AccessExpires is the access token's "exp": how long the family must remember it.
	AccessExpires time.Time
}

// Rotate is one presentation of a refresh token to Families.Rotate.
type Rotate struct {
	// Family is the presented token's family id; Presented its "jti".
	Family, Presented string
	// Now is the time of the presentation.
	Now time.Time
	// Next is the successor to record if the presented token is the current one.
	Next Generation
	// Grace is the reuse grace window: a retry of the token the last rotation replaced, less
	// than Grace after it, gets that rotation's successor. Zero: no retry is accepted.
	Grace time.Duration
	// MaxLive bounds the access tokens of the family live at once (Throttled beyond).
	// Zero or less: DefaultMaxLive.
	MaxLive int
}

// DefaultMaxLive is the default bound of a family's access tokens live at once: 32, some thirty
// times what a client refreshing once per access token's lifetime ever holds.
const DefaultMaxLive = 32

// Rotation is the answer of Families.Rotate.
type Rotation struct {
	Outcome Outcome
	// Family is the family's record (its First is not kept: zero).
	Family Family
	// Generation is the successor, for Rotated and Retried.
	Generation Generation
	// Live lists the access tokens to revoke, for Reused and Ended.
	Live []Live
}

// Live is an access token of a family that may still be live: its "jti" and its "exp".
type Live struct {
	Access  string
	Expires time.Time
}

// Outcome is the verdict of Families.Rotate.
type Outcome uint8

// The outcomes of Families.Rotate; their meaning is given there.
const (
	Ended Outcome = iota
	Rotated
	Retried
	Reused
	Throttled
)

// String returns the outcome's name, in lower case.
func (o Outcome) String() string {
	switch o {
	case Ended:
		return "ended"
	case Rotated:
		return "rotated"
	case Retried:
		return "retried"
	case Reused:
		return "reused"
	case Throttled:
		return "throttled"
	}
	return "invalid"
}

// ErrInvalid: a call to Families names nothing or gives impossible times. Nothing was changed.
var ErrInvalid = errors.New("issuing: invalid family record or rotation")

// ErrExists: Start was given the id of a family that exists or existed.
var ErrExists = errors.New("issuing: the family id is already taken")
