package session

import (
	"fmt"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// The session's reasons use bearer.Reason's names for the causes both layers share, so that one
// metric label means one thing whichever layer reports it; the session's own causes have names
// of their own, none of them a bearer name for another cause, and the more specific cause wins
// (an absolute lifetime is an expiry too; too many cookies wraps the first one's reason).
func TestInvalidReasonNames(t *testing.T) {
	shared := []error{fastjwt.ErrMalformed, fastjwt.ErrClaimType, fastjwt.ErrTooLarge, fastjwt.ErrAlgorithm,
		fastjwt.ErrUnsupported, fastjwt.ErrUnknownKey, fastjwt.ErrSignature, fastjwt.ErrExpired,
		fastjwt.ErrNotYetValid, fastjwt.ErrIssuer, fastjwt.ErrAudience, fastjwt.ErrKeysUnavailable,
		revoke.ErrRevoked, fmt.Errorf("wrapped: %w", fastjwt.ErrSignature)}
	bearerNames := map[string]bool{}
	for r := bearer.ReasonNone; r <= bearer.ReasonUnavailable; r++ {
		bearerNames[r.String()] = true
	}
	for _, err := range shared {
		want := (&bearer.AuthError{Err: err}).Reason().String()
		if got := invalidReason(err); got != want {
			t.Errorf("%v: %q, bearer says %q", err, got, want)
		}
	}
	if got, want := invalidReason(ErrPurpose), bearer.ReasonWrongPurpose.String(); got != want {
		t.Errorf("ErrPurpose: %q, want %q", got, want)
	}
	for err, want := range map[error]string{
		ErrAbsoluteLifetime: "absolute_lifetime",
		errEnded:            "ended",
		fmt.Errorf("%w: (first: %w)", ErrTooManyCookies, fastjwt.ErrExpired): "too_many_cookies",
		fmt.Errorf("%w: 2 cookies", ErrChunks):                               "bad_chunks",
		fmt.Errorf("%w: bad", ErrCompressed):                                 "bad_compression",
		fmt.Errorf("%w: %w", ErrLegacy, fastjwt.ErrSignature):                "legacy_invalid",
		store.ErrDestroyed: "ended",
	} {
		if got := invalidReason(err); got != want || bearerNames[got] {
			t.Errorf("%v: %q, want %q (and no bearer name)", err, got, want)
		}
	}
}
