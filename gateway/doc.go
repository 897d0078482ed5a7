// Package gateway is the server behind `fastjwt gateway`: a JWT verifier that sits behind a
// reverse proxy and answers its authorization subrequests, or in front of an upstream as a
// verifying reverse proxy. One process serves one endpoint per proxy flavour, as Authelia does:
//
//   - /auth: nginx auth_request, Caddy forward_auth, Traefik forwardAuth. 200 allows, with the
//     configured claim headers in the answer; 401, 403, 400 or 503 refuse.
//   - /ext-authz/<original path>: Envoy's HTTP ext_authz service (path_prefix "/ext-authz").
//     Claim headers whose claim the token lacks are named in x-envoy-auth-headers-to-remove.
//
// With [Config.Upstream] set, every request is verified and, when allowed, proxied to the upstream
// with the claim headers set; a refused request never reaches it. The admin endpoints, /healthz,
// /readyz ([Config.Checks]) and /metrics, answer on a listener of their own ([Server.ServeAdmin]),
// never on the public one. [Limits] bound slow, idle and numerous clients on every listener.
//
// Each [Route] is one policy (a [fastjwt.Verifier], audience, token types, claim headers, cookie),
// chosen by the longest [Route.PathPrefix] of the original request path. The token and its checks
// are those of package [bearer]: one Authorization header (schemes Bearer and JWT) or the route's
// cookie, ambiguous requests refused with 400, revocation ([Config.Revocations], a [revoke.List])
// checked fail-closed unless [Config.FailOpen]. Headers a client sends are hostile:
// a client's own claim header never survives, in any spelling.
package gateway
