package bearer

import (
	"errors"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// Reason names why a request was refused, in a small fixed set meant for metrics and logs (a
// label value per reason, where the cause's text is unbounded). AuthError.Reason reads it from
// the cause without allocating.
type Reason uint8

// The reasons of a refusal. Their String values are the names a metric label or a log
// attribute carries.
const (
	// ReasonNone: no refusal (a nil *AuthError).
	ReasonNone Reason = iota
	// ReasonNoToken: the request carried no token (ErrNoToken).
	ReasonNoToken
	// ReasonAmbiguous: the request carried more than one token (ErrAmbiguous).
	ReasonAmbiguous
	// ReasonMalformed: the token is not a well-formed JWS, or a registered claim has the wrong
	// type (fastjwt.ErrMalformed, fastjwt.ErrClaimType, and any error of another verifier that
	// matches none of fastjwt's sentinels).
	ReasonMalformed
	// ReasonTooLarge: the token exceeds the verifier's size cap (fastjwt.ErrTooLarge).
	ReasonTooLarge
	// ReasonBadAlgorithm: the header's "alg" is not accepted, or it asks for an unsupported
	// feature (fastjwt.ErrAlgorithm, fastjwt.ErrUnsupported).
	ReasonBadAlgorithm
	// ReasonUnknownKey: the header's "kid" names no key (fastjwt.ErrUnknownKey).
	ReasonUnknownKey
	// ReasonBadSignature: the signature does not verify (fastjwt.ErrSignature).
	ReasonBadSignature
	// ReasonExpired: the token has expired (fastjwt.ErrExpired).
	ReasonExpired
	// ReasonNotYetValid: the token is not valid yet (fastjwt.ErrNotYetValid).
	ReasonNotYetValid
	// ReasonWrongIssuer: the issuer is not the expected one (fastjwt.ErrIssuer).
	ReasonWrongIssuer
	// ReasonWrongPurpose: the token was issued for another purpose (ErrPurpose).
	ReasonWrongPurpose
	// ReasonWrongAudience: the token is not for this audience (fastjwt.ErrAudience).
	ReasonWrongAudience
	// ReasonMissingClaim: a required claim is missing (ErrMissingClaim).
	ReasonMissingClaim
	// ReasonRevoked: the token was revoked (revoke.ErrRevoked).
	ReasonRevoked
	// ReasonUnavailable: the revocation list could not answer (revoke.ErrUnavailable), or the
	// verifier's keys are unknown or too old (fastjwt.ErrKeysUnavailable).
	ReasonUnavailable
)

// reasonNames are the String values of the reasons, indexed by Reason.
var reasonNames = [...]string{
	ReasonNone:          "none",
	ReasonNoToken:       "no_token",
	ReasonAmbiguous:     "ambiguous",
	ReasonMalformed:     "malformed",
	ReasonTooLarge:      "too_large",
	ReasonBadAlgorithm:  "bad_algorithm",
	ReasonUnknownKey:    "unknown_key",
	ReasonBadSignature:  "bad_signature",
	ReasonExpired:       "expired",
	ReasonNotYetValid:   "not_yet_valid",
	ReasonWrongIssuer:   "wrong_issuer",
	ReasonWrongPurpose:  "wrong_purpose",
	ReasonWrongAudience: "wrong_audience",
	ReasonMissingClaim:  "missing_claim",
	ReasonRevoked:       "revoked",
	ReasonUnavailable:   "unavailable",
}

// String returns the reason's name in snake case ("no_token", "expired", "wrong_purpose"...),
// or "invalid" for a value that is none of the constants.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "invalid"
}

// Reason returns why the request was refused, read from the cause (Err); ReasonNone for a nil
// e. It allocates nothing.
func (e *AuthError) Reason() Reason {
	if e == nil {
		return ReasonNone
	}
	return reasonOf(e.Err)
}

// reasonOf classifies a refusal's cause.
func reasonOf(err error) Reason {
	switch {
	case err == nil:
		return ReasonNone
	case errors.Is(err, ErrNoToken):
		return ReasonNoToken
	case errors.Is(err, ErrAmbiguous):
		return ReasonAmbiguous
	case errors.Is(err, ErrPurpose):
		return ReasonWrongPurpose
	case errors.Is(err, ErrMissingClaim):
		return ReasonMissingClaim
	case errors.Is(err, revoke.ErrRevoked):
		return ReasonRevoked
	case errors.Is(err, revoke.ErrUnavailable), errors.Is(err, fastjwt.ErrKeysUnavailable):
		return ReasonUnavailable
	}
	return codecReason(err)
}

// codecReason classifies a verifier's error by the fastjwt sentinel it matches.
func codecReason(err error) Reason {
	switch {
	case errors.Is(err, fastjwt.ErrExpired):
		return ReasonExpired
	case errors.Is(err, fastjwt.ErrNotYetValid):
		return ReasonNotYetValid
	case errors.Is(err, fastjwt.ErrSignature):
		return ReasonBadSignature
	case errors.Is(err, fastjwt.ErrUnknownKey):
		return ReasonUnknownKey
	case errors.Is(err, fastjwt.ErrIssuer):
		return ReasonWrongIssuer
	case errors.Is(err, fastjwt.ErrAudience):
		return ReasonWrongAudience
	case errors.Is(err, fastjwt.ErrTooLarge):
		return ReasonTooLarge
	case errors.Is(err, fastjwt.ErrAlgorithm), errors.Is(err, fastjwt.ErrUnsupported):
		return ReasonBadAlgorithm
	}
	return ReasonMalformed
}
