// Package observe is the one hook through which bearer authentication, sessions and the
// gateway report each verdict they give: what kind of credential was judged, the outcome and
// its reason, the algorithm of the key that verified it, whether the verified-token cache
// answered, and how long the verdict took. An [Observer] is a plain function, so that metrics,
// traces or logs (the otelobserve module implements it with OpenTelemetry) plug in without this
// module depending on any of them.
//
// It is a package of its own, ranked beside fastjwt/jwks and revoke (it imports only fastjwt,
// for [fastjwt.Alg]), because the three layers that report through it sit at two different
// ranks: bearer and the root package (sessions) cannot import each other, and the gateway sits
// above both. The codec is not the place either: it knows nothing of requests, sessions or
// gateways, and a verdict is about a request.
//
// An unset hook costs nothing: the layers read the clock and build an [Event] only when an
// Observer is configured.
package observe
