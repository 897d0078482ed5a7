// Package issuing issues the tokens that package bearer verifies, framework-neutral, as
// djangorestframework-jwt and simplejwt do: obtain (credentials checked by the application's
// callback) gives an access token and a refresh token; refresh rotates the refresh token, with
// reuse detection, a grace window and an absolute lifetime; verify and revoke (RFC 7009) answer
// for both kinds. Refresh-token families are kept behind the Families port.
//
// An Issuer (New, Config) answers the four endpoints, Obtain, Refresh, Verify and Revoke, each
// a method taking a Request (method, content type, capped body, remote address) and returning a
// Response (status, headers, JSON body) as RFC 6749 sec. 5.1 and 5.2 say; the middleware
// adapters make handlers of them (TokenHandler), and only translate. Access tokens are typed
// "at+jwt" (RFC 9068), refresh tokens "refresh+jwt" (fastjwt.TypeRefresh), so that neither
// passes for the other or for a session cookie. NewMemory is the embedded Families; package
// redisstore keeps them in Redis; package issuingtest is the contract as a test suite.
//
// docs/tokens.md gives the rules: rotation, the grace window, families, the absolute
// lifetime, and what is stored where, for how long.
package issuing
