// Package fastjwt signs and verifies compact JWS tokens (RFC 7515) with HMAC-SHA256, the "HS256"
// algorithm of RFC 7518 sec. 3.2, and validates the registered claims of RFC 7519 sec. 4.1.
//
// It is built for servers that verify a token on every request: the sign and verify paths append
// into the caller's buffer and allocate nothing, the HMAC inner and outer states are computed once
// per key (FIPS 198-1 sec. 6 allows storing them), and the MAC is checked in constant time before
// any byte of the payload is parsed.
//
// It is strict. A token is accepted only if it has exactly three segments of canonical,
// unpadded base64url; a header that is one JSON object with "alg":"HS256" and no "crit", "enc" or
// "b64" other than true; a valid MAC under one of the codec's keys; a payload that is one JSON
// object (strict UTF-8, no duplicate member names, bounded depth); and registered claims of the
// right types that pass the configured time, issuer and audience checks (a token carrying "aud"
// needs a configured audience, RFC 7519 sec. 4.1.3, unless AcceptAnyAudience). The header never
// chooses the algorithm, and never supplies a key, URL or path.
//
// Tokens say what they are for (explicit typing, RFC 8725 sec. 3.11): AppendSignType emits the
// "typ" of a Type (a session cookie, an access token), and Claims.Type reports the type of every
// verified token, so that the layers above accept a token only for its purpose. They depend on
// the Verifier and Signer interfaces, not on *Codec.
package fastjwt
