// Package bearer authenticates HTTP requests by bearer token (RFC 6750), as PyJWT with FastAPI's
// HTTPBearer and djangorestframework-jwt do, and as an API gateway does before it forwards a
// request: it finds the token (the Authorization header with a configured scheme, a cookie, or
// opt-in a query parameter), verifies it with a [fastjwt.Verifier], enforces its purpose, audience
// and required claims, answers refusals with the status and WWW-Authenticate challenge RFC 6750
// prescribes, and copies verified claims into request headers for the handler or upstream.
//
// Headers a client sends are hostile: every header the [Bearer] sets for the handler is first
// removed in every spelling, whether or not the request carries a valid token, and the adapters
// keep trailers from adding them back. Ambiguous requests (two Authorization headers, a token in
// two places) are refused with 400 invalid_request, never resolved by order.
//
// Token purpose: by default a Bearer accepts tokens whose "typ" is absent, "JWT" or "at+jwt"
// (RFC 9068), and refuses the library's session cookies ("session+jwt") and any other type, even
// when one secret signs both; [Config.Types] changes the set (django-session-jwt's federated
// pattern adds [fastjwt.TypeSession] to [DefaultTypes]). The purpose is checked before the
// audience, the verifier's own audience rule included: a token of another purpose is 401
// invalid_token whatever its "aud", and 403 insufficient_scope is for a valid access token of
// another audience or without a required claim (RFC 6750 sec. 3.1).
//
// Revocation: [Config.Revocations], a [revoke.List], is consulted for every token whose
// signature verified.
//
// [AuthError.Reason] names the cause of a refusal in a small fixed set (no_token, expired,
// wrong_purpose...), for metrics and logs. [Config.OnInvalid] hears every refusal,
// [Config.OnError] every request let through unchecked ([Config.FailOpen]), as session.Config's
// hooks of the same names.
//
// The framework adapters (middleware/fasthttp, middleware/nethttp) call it; the contract they
// follow is in ports.go. A [Token] is pooled: valid until the handler returns.
package bearer
