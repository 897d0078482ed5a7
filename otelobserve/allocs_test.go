//go:build !race

package otelobserve_test

import (
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/otelobserve"
)

// Once a label combination has been seen, recording a verdict without spans allocates nothing:
// its attribute set and options are made once.
func TestObserveAllocs(t *testing.T) {
	o, _ := otelobserve.New(otelobserve.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))})
	e := observe.Event{Kind: observe.KindSession, Outcome: observe.Refused, Reason: "expired", Alg: fastjwt.HS256,
		Start: time.Now(), Duration: time.Microsecond}
	o.Observe(e)
	if n := testing.AllocsPerRun(200, func() { o.Observe(e) }); n != 0 {
		t.Errorf("%v allocs per verdict, want 0", n)
	}
}
