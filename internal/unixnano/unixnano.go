// Package unixnano converts instants to Unix nanoseconds for the revocation lists, which keep
// and compare instants as int64s (in memory, and as the answers cached from Redis).
package unixnano

import (
	"math"
	"time"
)

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Of returns t in Unix nanoseconds, saturating outside the years 1678 to 2262 that an int64 of
// nanoseconds spans (where time.Time.UnixNano is undefined), so that comparisons stay in order.
func Of(t time.Time) int64 {
	if t.Before(minTime) {
		return math.MinInt64
	}
	if t.After(maxTime) {
		return math.MaxInt64
	}
	return t.UnixNano()
}
