package bench

import (
	"time"

	"golang.org/x/sys/unix"
)

// gateClock is the clock the speed gate times batches with. On Linux it is the CPU time of the
// whole process: time spent descheduled while other processes run on a shared machine is not
// counted, and the garbage collector's background work is, so each contender pays the full CPU
// cost of its allocations, as a server's CPU budget would.
const gateClockName = "process CPU time"

func gateClock() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic(err) // supported since Linux 2.6.12
	}
	return time.Duration(ts.Nano())
}
