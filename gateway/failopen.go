package gateway

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Failing open (Config.FailOpen) lets a token through unchecked while the revocation list
// cannot answer: a revoked token then works. It must be visible: every such request is counted
// (fastjwt_gateway_fail_open_total, by route) and logged at warn level, at most one line per
// route every failOpenLogEvery with the number of events the window suppressed, so that an
// outage at full traffic does not flood the log. A suppressed event costs two atomic operations
// and a reading of the clock, and allocates nothing.

// failOpenLogEvery is the shortest time between two fail-open log lines of one route.
const failOpenLogEvery = 10 * time.Second

// msgFailOpen is the message of the fail-open log line.
const msgFailOpen = "revocation list unavailable: request let through unchecked (fail-open)"

// failOpenHook returns the bearer.Config.OnError of the named route: the route's Bearer gives
// it to its revoke.Checker as OnFailOpen, which calls it for every request let through because
// the revocation list could not answer, with an error matching revoke.ErrUnavailable.
func (g *Gateway) failOpenHook(route string) func(error) {
	n := g.metrics.failOpenCounter(route)
	lim := newRateLimit(failOpenLogEvery)
	log := g.log
	return func(err error) {
		n.Add(1)
		suppressed, ok := lim.allow(time.Now())
		if !ok || !log.Enabled(callContext, slog.LevelWarn) {
			return
		}
		// The list's error names the list's failure (a connection refused, a timeout), not
		// the token, which is never logged.
		log.LogAttrs(callContext, slog.LevelWarn, msgFailOpen, slog.String("route", route),
			slog.Uint64("suppressed", suppressed), slog.String("error", err.Error()))
	}
}

// rateLimit lets one event through per window and counts the others. It is safe for
// concurrent use and allocates nothing.
//
// An event inside the open window costs one atomic load and one atomic add. The event that
// opens a window takes mu, so that no concurrent event is counted into the line it reports:
// events arriving at the same instant see the new window under mu and count toward the next
// line. The count is never lost; an event that read the clock before a window opened and adds
// after it is counted in the line after, which is the only imprecision.
type rateLimit struct {
	start time.Time // the origin of next, read on the monotonic clock
	every time.Duration
	// next is when the next event may go through, as a duration since start; zero at first.
	next       atomic.Int64
	suppressed atomic.Uint64
	mu         sync.Mutex // held by an event that may open a window
}

func newRateLimit(every time.Duration) *rateLimit {
	return &rateLimit{start: time.Now(), every: every}
}

// allow reports whether an event at now goes through, and then how many were suppressed since
// the last one that did.
func (l *rateLimit) allow(now time.Time) (suppressed uint64, ok bool) {
	t := int64(now.Sub(l.start))
	if t < l.next.Load() {
		l.suppressed.Add(1)
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if t < l.next.Load() {
		l.suppressed.Add(1)
		return 0, false
	}
	suppressed = l.suppressed.Swap(0)
	l.next.Store(t + int64(l.every))
	return suppressed, true
}
