// Package issuing issues the tokens that package bearer verifies, framework-neutral, as
// djangorestframework-jwt and simplejwt do: obtain (credentials checked by the application's
// callback) gives an access token and a refresh token; refresh rotates the refresh token, with
// reuse detection, a grace window and an absolute lifetime; verify and revoke (RFC 7009) answer
// for both kinds. Refresh-token families are kept behind the Families port.
package issuing
