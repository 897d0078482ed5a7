// Package otelobserve reports the verdicts of bearer authentication, sessions and the gateway
// to OpenTelemetry: it implements the observe.Observer hook of github.com/fastjwt/session with
// go.opentelemetry.io/otel metrics, and spans when a TracerProvider is given. It is a module of
// its own, so that OpenTelemetry never enters the library's go.mod: only programs that import
// this package build against it.
//
// Two instruments, on the meter named by ScopeName:
//
//   - fastjwt.verdicts, a counter of verdicts ({verdict});
//   - fastjwt.verdict.duration, a histogram of how long each took (s), with buckets from 5 µs
//     to 1 s (the gateway's /metrics buckets): a verify costs microseconds, a remote revocation
//     list milliseconds.
//
// Both carry the attributes fastjwt.kind ("bearer", "session", "gateway"), fastjwt.outcome
// ("accepted", "refused", "absent"), fastjwt.reason (the layer's reason name: "none",
// "expired", "wrong_purpose", "no_route"...), fastjwt.alg (the JOSE name, "HS256", or "none"
// when no signature verified) and fastjwt.cache_hit (a bool). Every attribute takes its values
// from a small fixed set, so the number of series stays bounded whatever clients send.
//
// A span per verdict, named "fastjwt.bearer", "fastjwt.session" or "fastjwt.gateway", with the
// same attributes, starts and ends at the verdict's real times (trace.WithTimestamp). The hook
// carries no context, so these spans are roots of their own traces, not children of the
// request's span.
package otelobserve
