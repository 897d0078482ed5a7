package otelobserve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/otelobserve"
)

// A bearer API reporting its verdicts to OpenTelemetry, exported by the stdout exporter. A
// program gives the exporter no writer (it writes JSON to os.Stdout); here it writes to a
// buffer, and the example prints the counter's data points from that JSON, which, unlike the
// durations, are the same on every run.
func Example() {
	var out bytes.Buffer
	exp, err := stdoutmetric.New(stdoutmetric.WithWriter(&out), stdoutmetric.WithoutTimestamps())
	if err != nil {
		panic(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	o, err := otelobserve.New(otelobserve.Options{MeterProvider: mp})
	if err != nil {
		panic(err)
	}

	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("an example secret of 32 bytes...")}})
	b, _ := bearer.New(codec, bearer.Config{Observer: o.Observe})
	api := nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("hello"))
	}))
	tok, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	// The verified-token cache answers a token from its third presentation on.
	good := "Bearer " + string(tok)
	for _, auth := range []string{good, good, good, "", "Bearer x.y.z"} {
		r := httptest.NewRequestWithContext(context.Background(), "GET", "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		api.ServeHTTP(httptest.NewRecorder(), r)
	}
	if err := mp.Shutdown(context.Background()); err != nil { // exports what was recorded
		panic(err)
	}

	for _, line := range counterPoints(out.Bytes()) {
		fmt.Println(line)
	}
	// Output:
	// fastjwt.verdicts{alg=HS256 cache_hit=false kind=bearer outcome=accepted reason=none} 2
	// fastjwt.verdicts{alg=HS256 cache_hit=true kind=bearer outcome=accepted reason=none} 1
	// fastjwt.verdicts{alg=none cache_hit=false kind=bearer outcome=refused reason=malformed} 1
	// fastjwt.verdicts{alg=none cache_hit=false kind=bearer outcome=refused reason=no_token} 1
	// fastjwt.verdict.duration: 4 data points, 5 durations
}

// exported is the part of the stdout exporter's JSON the example reads.
type exported struct {
	ScopeMetrics []struct {
		Metrics []struct {
			Name string
			Data struct {
				DataPoints []struct {
					Attributes []struct {
						Key   string
						Value struct{ Value any }
					}
					Value any
					Count uint64
				}
			}
		}
	}
}

// counterPoints returns the counter's data points in the stdout exporter's JSON, one line each,
// sorted, and a summary of the histogram's.
func counterPoints(js []byte) []string {
	var doc exported
	if err := json.Unmarshal(js, &doc); err != nil {
		panic(err)
	}
	var lines []string
	for _, sm := range doc.ScopeMetrics {
		for _, m := range sm.Metrics {
			var points []string
			var n uint64
			for _, dp := range m.Data.DataPoints {
				var attrs []string
				for _, a := range dp.Attributes {
					attrs = append(attrs, fmt.Sprintf("%s=%v", strings.TrimPrefix(a.Key, "fastjwt."), a.Value.Value))
				}
				slices.Sort(attrs)
				points = append(points, fmt.Sprintf("%s{%s} %v", m.Name, strings.Join(attrs, " "), dp.Value))
				n += dp.Count
			}
			if m.Name == otelobserve.DurationName {
				points = []string{fmt.Sprintf("%s: %d data points, %d durations", m.Name, len(m.Data.DataPoints), n)}
			}
			slices.Sort(points)
			lines = append(lines, points...)
		}
	}
	return lines
}
