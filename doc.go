// Package session carries HTTP sessions as JWTs (RFC 7519) signed and verified by the codec in
// package fastjwt, in the style of wsgi-jwt-session: the session's data is the JWT payload of a
// cookie. It holds the session policy, written once and free of any HTTP framework; the adapters
// in middleware/fasthttp and middleware/nethttp only translate between their framework's request
// and response and this package, following the contract in ports.go. Bearer authentication is
// package bearer.
//
// A missing, tampered, expired, malformed or wrong-purpose cookie yields a new empty session,
// never an error response. The cookie is re-issued only when the data changed, when the token is
// past its renewal point, or when an older key of the ring signed it. A write that returns nil is
// stored: values are encoded by one encoder and validated by the codec's own rules at the write.
//
// Token purpose: session tokens are typed "session+jwt" (RFC 8725 sec. 3.11). A Manager loads
// only those, and package bearer refuses them by default, so one secret can sign sessions and
// bearer tokens without either passing for the other.
//
// Per-request objects (Session) come from a pool: they are valid until the handler returns, and
// must not be kept or used from other goroutines after that. With net/http, wrap the session
// middleware in http.TimeoutHandler, never the other way round: TimeoutHandler returns on timeout
// while its handler may still be running.
package session
