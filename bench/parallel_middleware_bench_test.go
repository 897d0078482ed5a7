package bench

import (
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// coresMeter adds a "cores" metric to a parallel benchmark: the process CPU time over the wall
// time of its run, how many cores it actually had. On a shared machine a -cpu 2 run that got
// 1.0 cores measured the machine, not the code: its scaling says nothing, where a run that got
// 2.0 cores and did not scale shows contention in the code.
type coresMeter struct {
	cpu  time.Duration
	wall time.Time
}

// startCores starts the meter; call it just before RunParallel.
func startCores() coresMeter { return coresMeter{gateClock(), time.Now()} }

// stop reports the metric; call it after RunParallel.
func (m coresMeter) stop(b *testing.B) {
	if wall := time.Since(m.wall); wall > 0 {
		b.ReportMetric(float64(gateClock()-m.cpu)/float64(wall), "cores")
	}
}

// BenchmarkParallelMiddleware serves the middleware cases of BenchmarkMiddleware on every CPU of
// -cpu (RunParallel): one handler chain shared by all goroutines, as in a server, each goroutine
// with its own request and response, as each of a server's connections has. With -cpu 1,2 the
// ratio shows whether the middleware (or the codec, manager or pools under it) holds a lock or
// writes a shared counter that keeps the second core from adding throughput. Every request
// carries the same credential, as one client's requests do.
func BenchmarkParallelMiddleware(b *testing.B) {
	for _, c := range netHTTPCases(b) {
		if !ourCase(c.name) {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			m := startCores()
			defer m.stop(b)
			b.RunParallel(func(pb *testing.PB) {
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					if serveNetHTTP(c, w) != http.StatusOK {
						b.Error("refused")
						return
					}
				}
			})
		})
	}
	for _, c := range fastHTTPCases(b) {
		b.Run(c.name, func(b *testing.B) {
			m := startCores()
			defer m.stop(b)
			b.RunParallel(func(pb *testing.PB) {
				ctx := newFastCtx(c)
				for pb.Next() {
					if serveFastHTTP(c, ctx) != http.StatusOK {
						b.Error("refused")
						return
					}
				}
			})
		})
	}
}

// ourCase reports whether a net/http case is the bare handler or this project's middleware (the
// contenders' rows are in BenchmarkMiddleware; their scaling is theirs).
func ourCase(name string) bool {
	return name == "nethttp-bare" || name == "nethttp-fastjwt-bearer" || name == "nethttp-fastjwt-session"
}

// BenchmarkParallelGateway runs the gateway's /auth decision of BenchmarkGateway on every CPU of
// -cpu: one gateway (its codec, verified-token cache and metrics counters) shared by all
// goroutines, each goroutine answering its own copy of the gatewayClients subrequests in turn,
// starting at its own offset. "first-seen" has the codec's cache off, "repeated" a cache large
// enough for every client.
func BenchmarkParallelGateway(b *testing.B) {
	for _, v := range []struct {
		name  string
		cache bool
	}{{"auth-first-seen", false}, {"auth-repeated", true}} {
		b.Run(v.name, func(b *testing.B) {
			w := newGatewayWorkload(b, v.cache)
			// One set of subrequests per goroutine (RunParallel starts GOMAXPROCS of them): a
			// RequestCtx is one connection's, never shared.
			sets := make([][]*fasthttp.RequestCtx, runtime.GOMAXPROCS(0))
			for i := range sets {
				sets[i] = gatewaySubrequests(b, w.toks)
			}
			var next atomic.Int64
			b.ResetTimer()
			m := startCores()
			defer m.stop(b)
			b.RunParallel(func(pb *testing.PB) {
				g := int(next.Add(1) - 1)
				ctxs := sets[g%len(sets)]
				i := (g * 7919) % len(ctxs)
				for pb.Next() {
					ctx := ctxs[i]
					ctx.Response.Reset()
					w.handle(ctx)
					if ctx.Response.StatusCode() != http.StatusOK {
						b.Errorf("decision %d: %d", i, ctx.Response.StatusCode())
						return
					}
					if i++; i == len(ctxs) {
						i = 0
					}
				}
			})
		})
	}
}
