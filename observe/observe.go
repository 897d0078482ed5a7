package observe

import (
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Observer hears one verdict. It is called once per verdict, on the goroutine of the request
// being judged, before the layer answers: it must be quick and must not block (count, or hand
// the event to another goroutine). It may be called from many goroutines at once. The Event is
// passed by value: an Observer that keeps it keeps a copy.
type Observer func(Event)

// Event is one verdict.
type Event struct {
	// Kind is the layer that gave the verdict.
	Kind Kind
	// Outcome is the verdict.
	Outcome Outcome
	// Reason names why, in a small fixed set fit for a metric label: for KindBearer
	// bearer.Reason's String values ("none" when accepted, "no_token", "expired",
	// "wrong_purpose", "revoked", "unavailable"...); for KindSession the same names where the
	// causes are the same, plus the session's own ("no_cookie", "absolute_lifetime", "ended",
	// "too_many_cookies"...; see session.Config.Observer); for KindGateway the reason label of
	// the gateway's fastjwt_gateway_decisions_total ("allowed", bearer.Reason's names,
	// "no_route", "bad_path").
	Reason string
	// Alg is the algorithm of the key that verified the token's signature; zero when no
	// signature verified (no token, a bad signature, an unknown key...).
	Alg fastjwt.Alg
	// CacheHit reports whether the verifier's verified-token cache answered, without a
	// signature check (fastjwt.Claims.CacheHit).
	CacheHit bool
	// Start is when the verdict began: Start and Duration place a span.
	Start time.Time
	// Duration is how long the verdict took, from the request's first look at the credential to
	// the verdict (the revocation check and the session store's liveness check included).
	Duration time.Duration
}

// Kind is the layer that gave a verdict.
type Kind uint8

// The layers.
const (
	// KindBearer: bearer.Bearer.Authenticate, once per request.
	KindBearer Kind = iota + 1
	// KindSession: the session cookie's verdict in session.Manager.Acquire, once per request.
	KindSession
	// KindGateway: one decision of the gateway (forward-auth, ext_authz or reverse proxy).
	KindGateway
	kindEnd
)

var kindNames = [kindEnd]string{KindBearer: "bearer", KindSession: "session", KindGateway: "gateway"}

// String returns "bearer", "session" or "gateway", or "invalid" for a value that is none of the
// constants.
func (k Kind) String() string {
	if k > 0 && k < kindEnd {
		return kindNames[k]
	}
	return "invalid"
}

// Outcome is a verdict.
type Outcome uint8

// The verdicts.
const (
	// Accepted: the credential verified and passed every check.
	Accepted Outcome = iota + 1
	// Refused: the credential was refused, a required one was missing, or a check could not be
	// made and the layer failed closed (Reason "unavailable").
	Refused
	// Absent: the request carried no credential and none was required: a bearer in Optional
	// mode without a token (Reason "no_token"), a request without a session cookie (Reason
	// "no_cookie"), which gets a new session.
	Absent
	outcomeEnd
)

var outcomeNames = [outcomeEnd]string{Accepted: "accepted", Refused: "refused", Absent: "absent"}

// String returns "accepted", "refused" or "absent", or "invalid" for a value that is none of the
// constants.
func (o Outcome) String() string {
	if o > 0 && o < outcomeEnd {
		return outcomeNames[o]
	}
	return "invalid"
}
