package otelobserve_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/otelobserve"
)

// With a TracerProvider every verdict is a span at its real start and end, named by its kind,
// with the metric's attributes; only a check that could not be made is an error. Without one,
// no span is made.
func TestSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	mp := sdkmetric.NewMeterProvider()
	o, err := otelobserve.New(otelobserve.Options{MeterProvider: mp, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	events := []observe.Event{
		{Kind: observe.KindBearer, Outcome: observe.Accepted, Reason: "none", Alg: fastjwt.ES256, CacheHit: true, Start: start, Duration: 3 * time.Microsecond},
		{Kind: observe.KindSession, Outcome: observe.Refused, Reason: "unavailable", Alg: fastjwt.HS256, Start: start.Add(time.Second), Duration: time.Millisecond},
		{Kind: observe.KindGateway, Outcome: observe.Refused, Reason: "no_route", Start: start, Duration: time.Microsecond},
	}
	for _, e := range events {
		o.Observe(e)
	}
	spans := rec.Ended()
	if len(spans) != len(events) {
		t.Fatalf("%d spans, want %d", len(spans), len(events))
	}
	for i, s := range spans {
		e := events[i]
		if want := "fastjwt." + e.Kind.String(); s.Name() != want {
			t.Errorf("span %d: name %q, want %q", i, s.Name(), want)
		}
		if !s.StartTime().Equal(e.Start) || !s.EndTime().Equal(e.Start.Add(e.Duration)) {
			t.Errorf("span %d: %v to %v, want %v for %v", i, s.StartTime(), s.EndTime(), e.Start, e.Duration)
		}
		if s.Parent().IsValid() {
			t.Errorf("span %d has a parent", i)
		}
		attrs := attribute.NewSet(s.Attributes()...)
		if v, _ := attrs.Value(otelobserve.ReasonKey); v.AsString() != e.Reason || attrs.Len() != 5 {
			t.Errorf("span %d: attributes %v", i, s.Attributes())
		}
		wantCode := codes.Unset
		if e.Reason == "unavailable" {
			wantCode = codes.Error
		}
		if s.Status().Code != wantCode {
			t.Errorf("span %d: status %v, want %v", i, s.Status().Code, wantCode)
		}
	}
	first, last := attribute.NewSet(spans[0].Attributes()...), attribute.NewSet(spans[2].Attributes()...)
	if v, _ := first.Value(otelobserve.AlgKey); v.AsString() != "ES256" {
		t.Errorf("alg %q", v.AsString())
	}
	if v, _ := last.Value(otelobserve.AlgKey); v.AsString() != "none" {
		t.Errorf("alg of a verdict without a verified signature: %q", v.AsString())
	}

	// Without a TracerProvider, not even the global one gets spans.
	global := tracetest.NewSpanRecorder()
	defer otel.SetTracerProvider(otel.GetTracerProvider())
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(global)))
	plain, _ := otelobserve.New(otelobserve.Options{MeterProvider: mp})
	plain.Observe(events[0])
	if n := len(rec.Ended()) + len(global.Ended()); n != len(events) {
		t.Errorf("an Observer without a TracerProvider made %d spans", n-len(events))
	}
}
