package jwks

import "errors"

// Sentinel errors, for errors.Is. The errors of a Client's verify are the codec's (fastjwt's
// sentinels), never these.
var (
	// ErrConfig: New, Fetch or Handler was given a configuration that cannot work (a URL that is
	// not http or https, a negative duration, a minimum refresh above the maximum, a published key
	// without an ID).
	ErrConfig = errors.New("jwks: invalid configuration")
	// ErrFetch: fetching the key set failed: the server could not be reached or did not answer
	// in time, answered with another status than 200 (or 304 to a conditional request), sent more
	// than the size cap, or sent a document that is not a usable JWK Set (the error then also
	// matches fastjwt.ErrKey). The last good key set is kept.
	ErrFetch = errors.New("jwks: fetching the key set failed")
	// ErrNotReady: Ready's answer while no key set is loaded, when the loaded one is older than
	// Options.MaxStale, or after Close.
	ErrNotReady = errors.New("jwks: not ready")
)
