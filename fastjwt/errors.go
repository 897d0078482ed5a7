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
	// ErrAlgorithm: the header's "alg" is missing or is anything but "HS256".
	ErrAlgorithm = errors.New("algorithm not allowed")
	// ErrUnsupported: the header asks for a JWS feature this codec refuses ("crit", "enc", "b64"),
	// or AppendSignType was asked for a type it cannot emit (TypeOther).
	ErrUnsupported = errors.New("unsupported header parameter")
	// ErrUnknownKey: the header's "kid" names no key of the ring.
	ErrUnknownKey = errors.New("unknown key id")
	// ErrSignature: the MAC does not match under any candidate key, or is not 32 bytes.
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
	// ErrKey: NewHS256 was given no key, an empty or short secret, asymmetric key material as a
	// secret, or two keys with one ID.
	ErrKey = errors.New("invalid key")
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

// Sentinels lists every sentinel error with its Go name, for callers that report errors by name
// (the CLI prints "ErrExpired: ...").
var Sentinels = []struct {
	Name string
	Err  error
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
}

// ErrorName returns the Go name of the sentinel err matches ("ErrExpired"), or "" if none.
func ErrorName(err error) string {
	for _, s := range Sentinels {
		if errors.Is(err, s.Err) {
			return s.Name
		}
	}
	return ""
}
