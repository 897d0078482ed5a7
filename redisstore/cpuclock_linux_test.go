package redisstore

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time (user and system) of the whole process: on a shared machine,
// time spent waiting for a CPU while other processes run does not count.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter adds a "cpu-ns/op" metric to a benchmark (the process CPU time per operation), the
// steadier measure of a local operation's cost on a shared machine; ns/op stays the figure of
// a round trip, which waits for the server.
type cpuMeter struct{ start time.Duration }

// startCPU turns on allocation reporting and starts the meter; call it just before b.Loop.
func startCPU(b *testing.B) cpuMeter {
	b.ReportAllocs()
	return cpuMeter{processCPU()}
}

// stop reports the metric; call it after the loop, when b.N holds the iteration count.
func (m cpuMeter) stop(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-m.start)/float64(b.N), "cpu-ns/op")
	}
}
