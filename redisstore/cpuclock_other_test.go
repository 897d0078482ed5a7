//go:build !linux

package redisstore

import "testing"

// cpuMeter reports nothing where the process CPU time is not read (see cpuclock_linux_test.go).
type cpuMeter struct{}

func startCPU(b *testing.B) cpuMeter { b.ReportAllocs(); return cpuMeter{} }

func (cpuMeter) stop(*testing.B) {}
