// Package session carries HTTP sessions and bearer credentials as HS256 JWTs (RFC 7519) signed
// and verified by the codec in package fastjwt. It holds the policy, written once and free of any
// HTTP framework; the adapters in middleware/fasthttp and middleware/nethttp only translate
// between their framework's request and response and this package.
//
// Two modes:
//
//   - Cookie sessions (Manager, Session): the session's data is the JWT payload of a cookie, as in
//     wsgi-jwt-session. A missing, tampered, expired or malformed cookie yields a new empty
//     session, never an error response. The cookie is re-issued only when the data changed, when
//     the token is past its renewal point, or when an older key of the ring signed it.
//   - Bearer credentials (Bearer, Token): a token from the Authorization header (RFC 6750), a
//     cookie or a query parameter authenticates the request; failures become 401 or 403 with a
//     WWW-Authenticate challenge. Verified claims can be forwarded to an upstream as request
//     headers, as an API gateway does.
//
// Per-request objects (Session, Token) come from pools: they are valid until the handler
// returns, and must not be kept or used from other goroutines after that.
package session
