package revoketest_test

import (
	"testing"
	"time"

	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/revoke/revoketest"
)

// The kit on real time, as a list that cannot be given a clock runs it (revoke's own tests run
// it on the settable clock).
func TestRunRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for entries to expire in real time (about 6s)")
	}
	revoketest.Run(t, func(t *testing.T, _ func() time.Time) revoke.List {
		return revoke.NewMemory(revoke.MemoryOptions{Grace: 300 * time.Millisecond})
	}, revoketest.RealClock(300*time.Millisecond, time.Second))
}
