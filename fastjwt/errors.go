package fastjwt

import "errors"

// Sentinel errors. Every error the codec returns matches exactly one of them with errors.Is; the
// error's text adds what was wrong, and never contains key material.
var (
	// ErrMalformed: the token is not three segments of canonical base64url, or its header or
	// payload is not one valid JSON object.
	ErrMalformed = errors.New("malformed token")
	// ErrTooLarge: the token is longer than the codec's size cap (WithMaxTokenSize).
	ErrTooLarge = errors.New("token too large")
	// ErrAlgorithm: the header's "alg" is missing, or is not the algorithm of a key that may
	// verify the token (for an HS256 codec: anything but "HS256"; for a ring of public keys, an
	// algorithm no key has, or not the algorithm of the key its "kid" names). ParseAlg returns it
	// for a name that is no algorithm of this package.
	ErrAlgorithm = errors.New("algorithm not allowed")
	// ErrUnsupported: the header asks for a JWS feature this codec refuses ("crit", "enc", "b64"),
	// or AppendSignType was asked for a type it cannot emit (TypeOther).
	ErrUnsupported = errors.New("unsupported header parameter")
	// ErrUnknownKey: the header's "kid" names no key of the ring.
	ErrUnknownKey = errors.New("unknown key id")
	// ErrSignature: the MAC or signature does not verify under any candidate key, or is not of
	// the size of the key's signatures (32 bytes for HS256, 64 for ES256 and EdDSA, the modulus
	// size for RSA).
	ErrSignature = errors.New("signature invalid")
	// ErrClaimType: a registered claim has the wrong JSON type (exp as a string, aud as a number...),
	// or is a NumericDate no time.Time holds (exp 1e400).
	ErrClaimType = errors.New("registered claim has the wrong type")
	// ErrExpired: now is at or after exp (plus leeway).
	ErrExpired = errors.New("token expired")
	// ErrNotYetValid: now is before nbf (minus leeway), or, with RejectFutureIssuedAt, before iat.
	ErrNotYetValid = errors.New("token not valid yet")
	// ErrIssuer: an issuer is configured and iss is missing or different.
	ErrIssuer = errors.New("issuer mismatch")
	// ErrAudience: an audience is configured and aud is missing or does not contain it; or none is
	// configured and aud is present (RFC 7519 sec. 4.1.3; see AcceptAnyAudience).
	ErrAudience = errors.New("audience mismatch")
	// ErrKey: a codec was given no key, an empty or short secret, asymmetric key material as a
	// secret, a key that does not fit its algorithm (an RSA key under 2048 bits, an ECDSA key
	// not on P-256), or two keys with one ID; a PEM or JWK text is not a usable key; or
	// AppendSign was called on a codec without a signing key (NewVerifier).
	ErrKey = errors.New("invalid key")
	// ErrKeysUnavailable: the verifier cannot check any token now, because the keys it would
	// check them with are unknown or too old (a JWK Set no fetch has confirmed within its bound,
	// jwks.ErrSetExpired). It is no verdict on the token, which may be fine: the layers above
	// answer 503, not 401.
	ErrKeysUnavailable = errors.New("verification keys unavailable")
)

// detail is an error that adds a fixed explanation to a sentinel. They are package-level values,
// so returning one allocates nothing, even on the rejection path.
type detail struct {
	kind error
	msg  string
}

func (e *detail) Error() string        { return e.kind.Error() + ": " + e.msg }
func (e *detail) Is(target error) bool { return target == e.kind }
func (e *detail) Unwrap() error        { return e.kind }

func errorf(kind error, msg string) error { return &detail{kind: kind, msg: msg} }

// sentinels lists every sentinel error with its Go name, for ErrorName.
var sentinels = [...]struct {
	name string
	err  error
}{
	{"ErrMalformed", ErrMalformed},
	{"ErrTooLarge", ErrTooLarge},
	{"ErrAlgorithm", ErrAlgorithm},
	{"ErrUnsupported", ErrUnsupported},
	{"ErrUnknownKey", ErrUnknownKey},
	{"ErrSignature", ErrSignature},
	{"ErrClaimType", ErrClaimType},
	{"ErrExpired", ErrExpired},
	{"ErrNotYetValid", ErrNotYetValid},
	{"ErrIssuer", ErrIssuer},
	{"ErrAudience", ErrAudience},
	{"ErrKey", ErrKey},
	{"ErrKeysUnavailable", ErrKeysUnavailable},
}

// ErrorName returns the Go name of the sentinel err matches ("ErrExpired"), or "" if none: for
// callers that report errors by name (the command-line tool prints "ErrExpired: ...").
func ErrorName(err error) string {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return ""
}
