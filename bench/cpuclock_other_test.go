//go:build !linux

package bench

import "time"

// gateClock is the clock the speed gate times batches with: wall time where no per-thread CPU
// clock is used.
const gateClockName = "wall time"

var gateEpoch = time.Now()

func gateClock() time.Duration { return time.Since(gateEpoch) }
