package gateway

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// The metrics are a handful of atomic counters written out in the Prometheus text format 0.0.4
// by hand, not a client library: an observation is then one or two atomic adds, with no
// allocation, no lock and no map lookup on the hot path of a decision, and the library's go.mod
// gains no dependency (prometheus/client_golang would bring a dozen modules into every user's
// build for a few metric families).
//
// The verified-token cache is counted from the codecs' own CacheStats (appendCache), not per
// decision; a decision's cache hit (fastjwt.Claims.CacheHit) goes to Config.Observer.

// endpoint is what a request asked for: a label of the request counter.
type endpoint int

const (
	epAuth endpoint = iota
	epExtAuthz
	epProxy
	epHealthz
	epReadyz
	epMetrics
	epOther
	numEndpoints
)

var endpointNames = [numEndpoints]string{"auth", "ext_authz", "proxy", "healthz", "readyz", "metrics", "other"}

// outcome is how a request was answered: a label of the request counter.
type outcome int

const (
	outAllowed      outcome = iota // 200: the token verified (or an admin endpoint answered)
	outBadRequest                  // 400: ambiguous request
	outUnauthorized                // 401: no token, or an invalid, expired, revoked or other-purpose one
	outForbidden                   // 403: wrong audience, or no route for the path
	outUnavailable                 // 503: revocation cannot be checked, or not ready
	outNotFound                    // 404: no such endpoint
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"allowed", "bad_request", "unauthorized", "forbidden", "unavailable", "not_found"}

func outcomeOf(status int) outcome {
	switch status {
	case 200:
		return outAllowed
	case 400:
		return outBadRequest
	case 401:
		return outUnauthorized
	case 403:
		return outForbidden
	case 503:
		return outUnavailable
	}
	return outNotFound
}

// decisionEndpoints are the endpoints whose decisions the latency histogram records.
const decisionEndpoints = epProxy + 1

// reason is why a decision went the way it did: a label of the decision counter. The values
// below numBearerReasons are bearer.Reason's (a refusal's cause, classified by the Bearer);
// the gateway adds the outcomes decided before a Bearer is asked. reasonAllowed takes
// bearer.ReasonNone's place: no refusal.
type reason uint8

const (
	numBearerReasons        = reason(bearer.ReasonUnavailable) + 1
	reasonAllowed    reason = reason(bearer.ReasonNone)
	reasonNoRoute           = numBearerReasons     // 403: no route covers the path
	reasonBadPath           = numBearerReasons + 1 // 400: the target has more than one reading
	numReasons              = numBearerReasons + 2
	// reasonAmbiguous (400): two original targets that differ, as two Authorization headers.
	reasonAmbiguous = reason(bearer.ReasonAmbiguous)
)

// reasonNames are the label values of the reasons: bearer.Reason's names, and the gateway's.
var reasonNames = func() (names [numReasons]string) {
	for r := range numBearerReasons {
		names[r] = bearer.Reason(r).String()
	}
	names[reasonAllowed], names[reasonNoRoute], names[reasonBadPath] = "allowed", "no_route", "bad_path"
	return names
}()

// refusalReason is the reason of a refusal by a route's Bearer. A reason a newer bearer
// package might add is counted as malformed, never out of the counters' bounds.
func refusalReason(aerr *bearer.AuthError) reason {
	r := reason(aerr.Reason())
	if r >= numBearerReasons || r == reasonAllowed {
		return reason(bearer.ReasonMalformed)
	}
	return r
}

// bucketBounds are the upper bounds of the latency histogram's buckets: a decision costs
// microseconds (a verify, with a cache hit below one), or milliseconds when the revocation list
// is remote.
var bucketBounds = [...]time.Duration{
	5 * time.Microsecond, 10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond,
	2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond,
	100 * time.Millisecond, time.Second,
}

// histogram counts observations per bucket (not cumulated: the output sums them), the last
// bucket being +Inf.
type histogram struct {
	buckets [len(bucketBounds) + 1]atomic.Uint64
	sum     atomic.Int64 // nanoseconds
}

// Metrics holds the gateway's counters and latency histogram. It is safe for concurrent use and
// survives reloads: give the same Metrics to every Gateway of one process.
type Metrics struct {
	requests  [numEndpoints][numOutcomes]atomic.Uint64
	latency   [decisionEndpoints]histogram
	decisions [decisionEndpoints][numReasons]atomic.Uint64
	upstream  atomic.Uint64 // proxied requests that got no answer from the upstream
	swaps     atomic.Uint64
	// failOpen counts, by route name, the requests let through because the revocation list
	// could not answer (Config.FailOpen). Keyed by name so that the counts survive reloads; a
	// route's counter is looked up once, when its Gateway is built, never per request.
	mu       sync.Mutex
	failOpen map[string]*atomic.Uint64
}

// NewMetrics returns empty Metrics.
func NewMetrics() *Metrics { return &Metrics{} }

// count records one answered request.
func (m *Metrics) count(ep endpoint, status int) {
	m.requests[ep][outcomeOf(status)].Add(1)
}

// failOpenCounter returns the fail-open counter of the named route, created at zero.
func (m *Metrics) failOpenCounter(route string) *atomic.Uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.failOpen[route]
	if c == nil {
		if m.failOpen == nil {
			m.failOpen = make(map[string]*atomic.Uint64)
		}
		c = new(atomic.Uint64)
		m.failOpen[route] = c
	}
	return c
}

// decided records one decision: its answer, its reason and how long it took.
func (m *Metrics) decided(ep endpoint, status int, r reason, d time.Duration) {
	m.decisions[ep][r].Add(1)
	m.observe(ep, status, d)
}

// observe records one decision's answer and how long it took.
func (m *Metrics) observe(ep endpoint, status int, d time.Duration) {
	m.count(ep, status)
	h := &m.latency[ep]
	i := 0
	for i < len(bucketBounds) && d > bucketBounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sum.Add(int64(d))
}

// appendText appends the metrics in the Prometheus text format 0.0.4, with those of the JWK Set
// clients among g's verifiers.
func (m *Metrics) appendText(b []byte, g *Gateway) []byte {
	b = append(b, "# HELP fastjwt_gateway_requests_total Requests answered, by endpoint and outcome.\n"+
		"# TYPE fastjwt_gateway_requests_total counter\n"...)
	for ep := range numEndpoints {
		for out := range numOutcomes {
			b = append(b, `fastjwt_gateway_requests_total{endpoint="`...)
			b = append(b, endpointNames[ep]...)
			b = append(b, `",outcome="`...)
			b = append(b, outcomeNames[out]...)
			b = append(b, `"} `...)
			b = strconv.AppendUint(b, m.requests[ep][out].Load(), 10)
			b = append(b, '\n')
		}
	}
	b = append(b, "# HELP fastjwt_gateway_decision_seconds Time from the request to the decision (route, token, verify, revocation, answer headers), by endpoint.\n"+
		"# TYPE fastjwt_gateway_decision_seconds histogram\n"...)
	for ep := range decisionEndpoints {
		h := &m.latency[ep]
		var cum uint64
		for i := range h.buckets {
			cum += h.buckets[i].Load()
			b = append(b, `fastjwt_gateway_decision_seconds_bucket{endpoint="`...)
			b = append(b, endpointNames[ep]...)
			b = append(b, `",le="`...)
			if i < len(bucketBounds) {
				b = strconv.AppendFloat(b, bucketBounds[i].Seconds(), 'g', -1, 64)
			} else {
				b = append(b, "+Inf"...)
			}
			b = append(b, `"} `...)
			b = strconv.AppendUint(b, cum, 10)
			b = append(b, '\n')
		}
		b = append(b, `fastjwt_gateway_decision_seconds_sum{endpoint="`...)
		b = append(b, endpointNames[ep]...)
		b = append(b, `"} `...)
		b = strconv.AppendFloat(b, time.Duration(h.sum.Load()).Seconds(), 'g', -1, 64)
		b = append(b, "\nfastjwt_gateway_decision_seconds_count{endpoint=\""...)
		b = append(b, endpointNames[ep]...)
		b = append(b, `"} `...)
		b = strconv.AppendUint(b, cum, 10)
		b = append(b, '\n')
	}
	b = append(b, "# HELP fastjwt_gateway_decisions_total Decisions, by endpoint and reason (allowed, or why the request was refused).\n"+
		"# TYPE fastjwt_gateway_decisions_total counter\n"...)
	for ep := range decisionEndpoints {
		for r := range numReasons {
			b = append(b, `fastjwt_gateway_decisions_total{endpoint="`...)
			b = append(b, endpointNames[ep]...)
			b = append(b, `",reason="`...)
			b = append(b, reasonNames[r]...)
			b = append(b, `"} `...)
			b = strconv.AppendUint(b, m.decisions[ep][r].Load(), 10)
			b = append(b, '\n')
		}
	}
	b = m.appendFailOpen(b, g)
	b = append(b, "# HELP fastjwt_gateway_upstream_errors_total Allowed requests the upstream did not answer (502).\n"+
		"# TYPE fastjwt_gateway_upstream_errors_total counter\nfastjwt_gateway_upstream_errors_total "...)
	b = strconv.AppendUint(b, m.upstream.Load(), 10)
	b = append(b, "\n# HELP fastjwt_gateway_config_swaps_total Configurations swapped in by reloads.\n"+
		"# TYPE fastjwt_gateway_config_swaps_total counter\nfastjwt_gateway_config_swaps_total "...)
	b = strconv.AppendUint(b, m.swaps.Load(), 10)
	b = append(b, '\n')
	b = appendCache(b, g)
	return appendJWKS(b, g)
}

// appendFailOpen appends the fail-open counter of every route of g, once per route name.
func (m *Metrics) appendFailOpen(b []byte, g *Gateway) []byte {
	b = append(b, "# HELP fastjwt_gateway_fail_open_total Requests let through unchecked because the revocation list could not answer (fail-open), by route.\n"+
		"# TYPE fastjwt_gateway_fail_open_total counter\n"...)
	for i, rt := range g.routes {
		seen := false
		for _, o := range g.routes[:i] {
			seen = seen || o.name == rt.name
		}
		if seen {
			continue
		}
		b = append(b, `fastjwt_gateway_fail_open_total{route="`...)
		b = appendLabelValue(b, rt.name)
		b = append(b, `"} `...)
		b = strconv.AppendUint(b, m.failOpenCounter(rt.name).Load(), 10)
		b = append(b, '\n')
	}
	return b
}

// cacheStats is what a verifier with a verified-token cache (*fastjwt.Codec, *jwks.Client)
// reports about it.
type cacheStats interface {
	CacheStats() fastjwt.CacheStats
}

// appendCache appends the hits and misses of the verified-token cache of every route whose
// verifier reports them. The counts belong to the verifier: they start again from zero when a
// reload or a new JWK Set brings a new one (Prometheus reads a decrease as a counter reset), and
// routes of one issuer, which share a verifier, show the same counts.
func appendCache(b []byte, g *Gateway) []byte {
	has := false
	for _, rt := range g.routes {
		has = has || rt.cache != nil
	}
	if !has {
		return b
	}
	for f, name := range [...]string{"fastjwt_gateway_verify_cache_hits_total", "fastjwt_gateway_verify_cache_misses_total"} {
		help := "Verifies answered by the route's verified-token cache, without a signature check."
		if f == 1 {
			help = "Verifies of tokens the route's verified-token cache did not hold."
		}
		b = append(b, "# HELP "+name+" "+help+"\n# TYPE "+name+" counter\n"...)
		for _, rt := range g.routes {
			if rt.cache == nil {
				continue
			}
			st := rt.cache.CacheStats()
			b = append(b, name+`{route="`...)
			b = appendLabelValue(b, rt.name)
			b = append(b, `"} `...)
			if f == 0 {
				b = strconv.AppendUint(b, st.Hits, 10)
			} else {
				b = strconv.AppendUint(b, st.Misses, 10)
			}
			b = append(b, '\n')
		}
	}
	return b
}

// jwksStats is what a JWK Set client (*jwks.Client) reports about its fetches.
type jwksStats interface {
	Age() time.Duration
	Fetches() uint64
	FailedFetches() uint64
}

// appendJWKS appends the fetch counters and the key set age of every route whose verifier
// reports them.
func appendJWKS(b []byte, g *Gateway) []byte {
	families := [...]struct{ name, typ, help string }{
		{"fastjwt_gateway_jwks_fetches_total", "counter", "Fetches of the route's JWK Set, successful or not."},
		{"fastjwt_gateway_jwks_fetch_failures_total", "counter", "Fetches of the route's JWK Set that failed."},
		{"fastjwt_gateway_jwks_age_seconds", "gauge", "Time since the route's JWK Set was last fetched or confirmed (0: none loaded)."},
	}
	has := false
	for _, rt := range g.routes {
		has = has || rt.stats != nil
	}
	if !has {
		return b
	}
	for f, fam := range families {
		b = append(b, "# HELP "+fam.name+" "+fam.help+"\n# TYPE "+fam.name+" "+fam.typ+"\n"...)
		for _, rt := range g.routes {
			if rt.stats == nil {
				continue
			}
			b = append(b, fam.name+`{route="`...)
			b = appendLabelValue(b, rt.name)
			b = append(b, `"} `...)
			switch f {
			case 0:
				b = strconv.AppendUint(b, rt.stats.Fetches(), 10)
			case 1:
				b = strconv.AppendUint(b, rt.stats.FailedFetches(), 10)
			case 2:
				b = strconv.AppendFloat(b, rt.stats.Age().Seconds(), 'f', 3, 64)
			}
			b = append(b, '\n')
		}
	}
	return b
}

// appendLabelValue escapes a label value: backslash, double quote and line feed (text format
// 0.0.4).
func appendLabelValue(b []byte, v string) []byte {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return append(b, r.Replace(v)...)
}
