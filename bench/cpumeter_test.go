package bench

import (
	"testing"
	"time"
)

// cpuMeter adds a "cpu-ns/op" metric to a benchmark: the process CPU time (gateClock) per
// operation. Unlike ns/op it does not grow when other processes take the CPU away, and it counts
// the garbage collector's background work, so on a shared machine it is the steadier measure of
// what an operation costs. report.sh computes its ratios from it.
type cpuMeter struct{ start time.Duration }

// startCPU turns on allocation reporting and starts the meter; call it just before b.Loop.
func startCPU(b *testing.B) cpuMeter {
	b.ReportAllocs()
	return cpuMeter{gateClock()}
}

// stop reports the metric; call it after the b.Loop loop, when b.N holds the iteration count.
func (m cpuMeter) stop(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(gateClock()-m.start)/float64(b.N), "cpu-ns/op")
	}
}
