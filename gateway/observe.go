package gateway

import (
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
)

// observe reports one decision to Config.Observer: the reason /metrics counts it under, and
// the token's algorithm and cache hit when one was verified.
func (g *Gateway) observe(why reason, alg fastjwt.Alg, hit bool, start time.Time, d time.Duration) {
	out := observe.Refused
	if why == reasonAllowed {
		out = observe.Accepted
	}
	g.cfg.Observer(observe.Event{Kind: observe.KindGateway, Outcome: out, Reason: reasonNames[why],
		Alg: alg, CacheHit: hit, Start: start, Duration: d})
}
