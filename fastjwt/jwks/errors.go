package jwks

import (
	"errors"

	"github.com/fastjwt/session/fastjwt"
)

// Sentinel errors, for errors.Is. The errors of a Client's verify are the codec's (fastjwt's
// sentinels), and ErrSetExpired, which also matches fastjwt.ErrKeysUnavailable.
var (
	// ErrConfig: New, NewFromIssuer, Fetch, Discover or Handler was given a configuration that
	// cannot work (a URL that is not http or https, an issuer URL with a query or a fragment, a
	// negative duration, a minimum refresh above the maximum, a published key without an ID).
	ErrConfig = errors.New("jwks: invalid configuration")
	// ErrFetch: fetching the key set failed: the server could not be reached or did not answer
	// in time, answered with another status than 200 (or 304 to a conditional request), sent more
	// than the size cap, or sent a document that is not a usable JWK Set (the error then also
	// matches fastjwt.ErrKey). The last good key set is kept.
	ErrFetch = errors.New("jwks: fetching the key set failed")
	// ErrDiscovery: an issuer's configuration document (Discover, NewFromIssuer) was fetched
	// but cannot be used: it is not a JSON object, names another issuer than the configured one,
	// or has no jwks_uri or one that is not an http or https URL (or not https for an https
	// issuer). Such errors also match ErrFetch: the fetch failed, and is retried as any other.
	ErrDiscovery = errors.New("jwks: the issuer's configuration document is unusable")
	// ErrNotReady: Ready's answer while no key set is loaded, when the loaded one is older than
	// Options.MaxStale (or Options.ExpireAfter), or after Close.
	ErrNotReady = errors.New("jwks: not ready")
	// ErrSetExpired: a Client's answer to every token while the key set in use was last fetched
	// or confirmed more than Options.ExpireAfter ago, until a fetch succeeds again. It is no
	// verdict on the token, which may be fine: the keys the issuer publishes now are unknown.
	// The error also matches fastjwt.ErrKeysUnavailable, which package bearer answers with 503
	// and Retry-After, not 401.
	ErrSetExpired = errors.New("jwks: the key set has expired")
)

// errSetExpired is the error of a verify with a set older than Options.ExpireAfter. A
// package-level value: answering with it allocates nothing.
var errSetExpired error = &setExpired{}

type setExpired struct{}

func (*setExpired) Error() string {
	return ErrSetExpired.Error() + ": no fetch has succeeded within ExpireAfter; tokens are refused until one does"
}

// Is makes the error match ErrSetExpired and fastjwt.ErrKeysUnavailable.
func (*setExpired) Is(target error) bool {
	return target == ErrSetExpired || target == fastjwt.ErrKeysUnavailable
}
