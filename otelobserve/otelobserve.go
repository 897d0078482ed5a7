package otelobserve

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
)

// ScopeName is the instrumentation scope of the meter and the tracer.
const ScopeName = "github.com/fastjwt/session/otelobserve"

// The instruments' names and the attributes' keys.
const (
	VerdictsName = "fastjwt.verdicts"
	DurationName = "fastjwt.verdict.duration"

	KindKey     = attribute.Key("fastjwt.kind")
	OutcomeKey  = attribute.Key("fastjwt.outcome")
	ReasonKey   = attribute.Key("fastjwt.reason")
	AlgKey      = attribute.Key("fastjwt.alg")
	CacheHitKey = attribute.Key("fastjwt.cache_hit")
)

// durationBuckets are the histogram's bucket bounds in seconds: the gateway's /metrics
// buckets.
var durationBuckets = []float64{5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 0.1, 1}

// Options configures an Observer.
type Options struct {
	// MeterProvider provides the meter (default: otel.GetMeterProvider(), the global one).
	MeterProvider metric.MeterProvider
	// TracerProvider, if set, gets a span per verdict. Nil: no spans.
	TracerProvider trace.TracerProvider
}

// Observer records verdicts. Its Observe method is the hook: give it to bearer.Config,
// session.Config and gateway.Config (Observer: o.Observe). It is safe for concurrent use.
type Observer struct {
	verdicts metric.Int64Counter
	duration metric.Float64Histogram
	tracer   trace.Tracer // nil: no spans

	mu   sync.RWMutex
	sets map[labels]*series // each label combination seen
}

// series is what recording one label combination needs, made once: the attribute set and the
// options that carry it (made per call, they would cost allocations on every verdict).
type series struct {
	set attribute.Set
	add []metric.AddOption
	rec []metric.RecordOption
}

// labels is one combination of an event's attribute values.
type labels struct {
	kind    observe.Kind
	outcome observe.Outcome
	reason  string
	alg     fastjwt.Alg
	hit     bool
}

// maxSets bounds the attribute sets kept: the layers' reasons are a few dozen names, so every
// combination they can report fits many times over.
const maxSets = 4096

// New returns an Observer whose instruments come from opts.MeterProvider.
func New(opts Options) (*Observer, error) {
	mp := opts.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName)
	o := &Observer{sets: make(map[labels]*series)}
	var err error
	if o.verdicts, err = m.Int64Counter(VerdictsName, metric.WithUnit("{verdict}"),
		metric.WithDescription("Verdicts on bearer tokens, session cookies and gateway requests.")); err != nil {
		return nil, err
	}
	if o.duration, err = m.Float64Histogram(DurationName, metric.WithUnit("s"),
		metric.WithDescription("How long each verdict took (verify, revocation, store)."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	if opts.TracerProvider != nil {
		o.tracer = opts.TracerProvider.Tracer(ScopeName)
	}
	return o, nil
}

// Observe records one verdict: a count and a duration under its attributes, and a span when
// the Observer has a tracer. It is an observe.Observer.
func (o *Observer) Observe(e observe.Event) {
	s := o.series(labels{e.Kind, e.Outcome, e.Reason, e.Alg, e.CacheHit})
	ctx := context.Background()
	o.verdicts.Add(ctx, 1, s.add...)
	o.duration.Record(ctx, e.Duration.Seconds(), s.rec...)
	if o.tracer == nil {
		return
	}
	_, span := o.tracer.Start(ctx, spanName(e.Kind), trace.WithTimestamp(e.Start),
		trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(s.set.ToSlice()...))
	if e.Outcome == observe.Refused && e.Reason == "unavailable" {
		// A check that could not be made is a failure of the server's; a refused credential is
		// the verdict working.
		span.SetStatus(codes.Error, "unavailable")
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
}

// series returns the series of l, made once per combination.
func (o *Observer) series(l labels) *series {
	o.mu.RLock()
	s := o.sets[l]
	o.mu.RUnlock()
	if s != nil {
		return s
	}
	alg := "none"
	if l.alg != 0 {
		alg = l.alg.String()
	}
	set := attribute.NewSet(KindKey.String(l.kind.String()), OutcomeKey.String(l.outcome.String()),
		ReasonKey.String(l.reason), AlgKey.String(alg), CacheHitKey.Bool(l.hit))
	opt := metric.WithAttributeSet(set)
	s = &series{set: set, add: []metric.AddOption{opt}, rec: []metric.RecordOption{opt}}
	o.mu.Lock()
	if len(o.sets) < maxSets {
		o.sets[l] = s
	}
	o.mu.Unlock()
	return s
}

func spanName(k observe.Kind) string {
	switch k {
	case observe.KindBearer:
		return "fastjwt.bearer"
	case observe.KindSession:
		return "fastjwt.session"
	case observe.KindGateway:
		return "fastjwt.gateway"
	}
	return "fastjwt.verdict"
}
