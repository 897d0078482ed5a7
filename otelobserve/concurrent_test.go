package otelobserve_test

import (
	"sync"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/otelobserve"
)

// Observe is called from many request goroutines at once (run under -race): every verdict is
// counted once, under its own attributes.
func TestConcurrent(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	o, err := otelobserve.New(otelobserve.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	if err != nil {
		t.Fatal(err)
	}
	reasons := []string{"none", "expired", "revoked", "no_token"}
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r := reasons[(w+i)%len(reasons)]
				out := observe.Refused
				if r == "none" {
					out = observe.Accepted
				}
				o.Observe(observe.Event{Kind: observe.KindBearer, Outcome: out, Reason: r, Alg: fastjwt.HS256, CacheHit: i%2 == 0,
					Start: time.Now(), Duration: time.Microsecond})
			}
		})
	}
	wg.Wait()
	counts, observed := collect(t, reader)
	var total int64
	for p, n := range counts {
		total += n
		if n != int64(workers*each/len(reasons)/2) {
			t.Errorf("%v: %d", p, n)
		}
	}
	if total != workers*each || observed != workers*each || len(counts) != 2*len(reasons) {
		t.Errorf("%d verdicts in %d series, %d durations; want %d in %d", total, len(counts), observed, workers*each, 2*len(reasons))
	}
}

// BenchmarkObserve is the cost of one verdict recorded by the SDK (count and duration), and with
// a span, beside the verdict itself (see bearer's and session's BenchmarkObserver).
func BenchmarkObserve(b *testing.B) {
	o, _ := otelobserve.New(otelobserve.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))})
	e := observe.Event{Kind: observe.KindBearer, Outcome: observe.Accepted, Reason: "none", Alg: fastjwt.HS256, CacheHit: true,
		Start: time.Now(), Duration: 3 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		o.Observe(e)
	}
}
