package revoketest_test

import (
	"testing"
	"time"

	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/revoke/revoketest"
)

// An implementation's own test runs the whole contract on fresh lists. A list that reads the
// clock it is given (revoke.MemoryOptions.Clock) needs nothing more; one that follows its
// server's clock runs on real time, with short entries and a bounded wait for their expiry:
//
//	revoketest.Run(t, factory, revoketest.RealClock(500*time.Millisecond, 3*time.Second),
//		revoketest.Margin(time.Millisecond))
func ExampleRun() {
	testMemory := func(t *testing.T) {
		revoketest.Run(t, func(t *testing.T, now func() time.Time) revoke.List {
			return revoke.NewMemory(revoke.MemoryOptions{Clock: now})
		})
	}
	_ = testMemory // func TestMemoryContract(t *testing.T) { ... } in a _test.go file
}
