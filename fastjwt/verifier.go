package fastjwt

import "time"

// The seams the layers above depend on. Sessions and bearer authentication take a Verifier (and a
// Signer where they issue tokens), not a *Codec, so that an asymmetric or JWKS-backed
// implementation plugs in without changing them.

// Verifier checks tokens; the layers above (sessions, bearer auth) and [Decode] depend on it, not
// on [*Codec], so asymmetric and JWKS-backed verifiers
// ([github.com/fastjwt/session/fastjwt/jwks.Client]) plug in.
//
// AppendVerifyClaims verifies token, appends its payload to dst and fills cl, with the contract of
// [Codec.AppendVerifyClaims]: on error dst is returned unchanged and cl is zeroed (but for
// [Claims.Type] after the signature has verified), and every error matches one of the package's
// sentinels ([ErrorName] names it).
type Verifier interface {
	AppendVerifyClaims(dst, token []byte, cl *Claims) ([]byte, error)
}

// Signer issues tokens of a given type; sessions and [Encode] depend on it, not on [*Codec].
//
// AppendSignType signs payload as a token whose header declares typ and appends it to dst, with
// the contract of [Codec.AppendSignType].
type Signer interface {
	AppendSignType(dst []byte, typ Type, payload []byte) ([]byte, error)
}

// LeewayReporter is a Verifier that reports the clock skew it allows on "exp": it accepts a
// token until "exp" plus Leeway. [Codec.Leeway] and jwks.Client.Leeway implement it; session.New
// and bearer.New use it to refuse a leeway longer than their revocation list's grace (a revoked
// token would be accepted again once its entry had expired). A verifier that does not implement
// it is not checked.
type LeewayReporter interface {
	Leeway() time.Duration
}

var (
	_ Verifier       = (*Codec)(nil)
	_ Signer         = (*Codec)(nil)
	_ LeewayReporter = (*Codec)(nil)
)
