package revoke

import (
	"context"
	"fmt"

	"github.com/fastjwt/session/fastjwt"
)

// Checker is the one verdict of revocation that sessions, bearer tokens and the gateway give,
// under one policy: the List asked, what a List that cannot answer means (FailOpen), and who
// hears of a request let through unchecked (OnFailOpen). It runs after every check the caller
// makes on its own (signature, times, purpose, issuer, audience, required claims), because
// asking the List may be a round trip to another server: a token refused for a local reason
// never reaches it.
//
// The zero value checks nothing. A Checker is not modified by Check and is safe for concurrent
// use when its List is.
type Checker struct {
	// List is asked about every token. nil: no token is revoked.
	List List
	// FailOpen treats a List that cannot answer as "not revoked": Check returns nil and
	// OnFailOpen hears the error. Default false: fail closed, since unknown state is not "valid".
	FailOpen bool
	// OnFailOpen, if set, is called by Check each time it lets a token through because the List
	// could not answer (FailOpen), with an error matching ErrUnavailable and wrapping the List's
	// own. It runs on the caller's goroutine: keep it short.
	OnFailOpen func(err error)
}

// Check returns the verdict on the verified token whose claims are cl:
//
//   - nil: not revoked, or the List could not answer and c fails open (OnFailOpen heard it);
//   - ErrRevoked: the List names the token (answer 401);
//   - an error matching ErrUnavailable and wrapping the List's: the List could not answer and c
//     fails closed (answer 503 with Retry-After: the token may be fine).
//
// It allocates nothing when the token is not revoked, beyond what the List's Revoked allocates.
func (c *Checker) Check(ctx context.Context, cl *fastjwt.Claims) error {
	if c.List == nil {
		return nil
	}
	revoked, err := c.List.Revoked(ctx, cl)
	switch {
	case err != nil && c.FailOpen:
		if c.OnFailOpen != nil {
			c.OnFailOpen(fmt.Errorf("%w (failing open): %w", ErrUnavailable, err))
		}
		return nil
	case err != nil:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case revoked:
		return ErrRevoked
	}
	return nil
}
