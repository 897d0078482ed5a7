// Package fastjwt signs and verifies compact JWS tokens (RFC 7515) and validates the registered
// claims of RFC 7519 sec. 4.1. Its algorithms are HS256, HMAC-SHA256 (RFC 7518 sec. 3.2), for
// services that share a secret; and for those that hold only a public key (federated services,
// gateways in front of an identity provider) RS256, PS256, ES256 (RFC 7518 sec. 3.3-3.5) and
// EdDSA with Ed25519 (RFC 8037), all on the standard library's crypto.
//
// It is built for servers that verify a token on every request: the sign and verify paths append
// into the caller's buffer and allocate nothing for HS256 (and nothing beyond what the standard
// library's RSA, ECDSA or Ed25519 verify allocates for the others), the HMAC inner and outer
// states are computed once per key (FIPS 198-1 sec. 6 allows storing them), the signature is
// checked before any byte of the payload is parsed, and a token that verified before, byte for
// byte, is answered from a bounded cache of keyed digests without checking its signature again
// ([WithVerifyCache]); its times are checked on every presentation.
//
// It is strict. A token is accepted only if it has exactly three segments of canonical,
// unpadded base64url; a header that is one JSON object whose "alg" is the algorithm of a key of
// the ring, with no "crit", "enc" or "b64" other than true; a valid signature under one of the
// codec's keys of that algorithm; a payload that is one JSON object (strict UTF-8, no duplicate
// member names, bounded depth); and registered claims of the right types that pass the
// configured time, issuer and audience checks (a token carrying "aud" needs a configured
// audience, RFC 7519 sec. 4.1.3, unless [AcceptAnyAudience]). Every key is bound to one algorithm
// when the ring is built ([NewHS256], [NewSigner], [NewVerifier]): the header never chooses the
// algorithm, and never supplies a key, URL or path ("jwk", "jku", "x5u", "x5c" are not used).
//
// Keys come in the formats people have: PEM ([ParsePublicKeyPEM], [ParsePrivateKeyPEM]: PKCS #1,
// PKCS #8, SubjectPublicKeyInfo, SEC 1, certificates) and JWK ([ParseJWK], [ParseJWKSet],
// [ParsePrivateJWK]; [AppendJWKSet] publishes a ring's public keys).
//
// Tokens say what they are for (explicit typing, RFC 8725 sec. 3.11): [Codec.AppendSignType]
// emits the "typ" of a [Type] (a session cookie, an access token), and [Claims.Type] reports the
// type of every verified token, so that the layers above accept a token only for its purpose.
// They depend on the [Verifier] and [Signer] interfaces, not on [*Codec], and so do the typed
// helpers [Encode] and [Decode]: a [github.com/fastjwt/session/fastjwt/jwks.Client], which
// verifies with the keys an issuer publishes, plugs in wherever a Verifier is taken.
package fastjwt
