package session

import (
	"errors"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// observe reports to Config.Observer the verdict Acquire gave on s's cookie, begun at start;
// err is what loading the session returned.
func (m *Manager) observe(start time.Time, s *Session, err error) {
	e := observe.Event{Kind: observe.KindSession, Outcome: observe.Accepted, Reason: "none",
		Alg: s.alg, CacheHit: s.cacheHit, Start: start, Duration: time.Since(start)}
	switch {
	case err != nil: // the revocation list or the store could not answer: Acquire fails closed
		e.Outcome, e.Reason = observe.Refused, "unavailable"
	case s.valid && s.legacy:
		e.Reason = "legacy"
	case s.valid:
	case s.invalid != nil:
		e.Outcome, e.Reason = observe.Refused, invalidReason(s.invalid)
	default:
		e.Outcome, e.Reason = observe.Absent, "no_cookie"
	}
	m.cfg.Observer(e)
}

// invalidReason names the InvalidReason err for Config.Observer: bearer.Reason's names where the
// cause is the same (a codec error, another purpose, a revoked token), and the session's own.
func invalidReason(err error) string {
	switch {
	case errors.Is(err, ErrTooManyCookies):
		return "too_many_cookies"
	case errors.Is(err, ErrLegacy):
		return "legacy_invalid"
	case errors.Is(err, ErrChunks):
		return "bad_chunks"
	case errors.Is(err, ErrCompressed):
		return "bad_compression"
	case errors.Is(err, ErrAbsoluteLifetime):
		return "absolute_lifetime"
	case errors.Is(err, store.ErrDestroyed):
		return "ended"
	case errors.Is(err, ErrPurpose):
		return "wrong_purpose"
	case errors.Is(err, revoke.ErrRevoked):
		return "revoked"
	case errors.Is(err, fastjwt.ErrKeysUnavailable):
		return "unavailable"
	case errors.Is(err, fastjwt.ErrExpired):
		return "expired"
	case errors.Is(err, fastjwt.ErrNotYetValid):
		return "not_yet_valid"
	case errors.Is(err, fastjwt.ErrSignature):
		return "bad_signature"
	case errors.Is(err, fastjwt.ErrUnknownKey):
		return "unknown_key"
	case errors.Is(err, fastjwt.ErrIssuer):
		return "wrong_issuer"
	case errors.Is(err, fastjwt.ErrAudience):
		return "wrong_audience"
	case errors.Is(err, fastjwt.ErrTooLarge):
		return "too_large"
	case errors.Is(err, fastjwt.ErrAlgorithm), errors.Is(err, fastjwt.ErrUnsupported):
		return "bad_algorithm"
	}
	return "malformed"
}
