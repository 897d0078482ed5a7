package unixnano

import (
	"math"
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(1_800_000_000, 5), 1_800_000_000_000_000_005},
		{time.Unix(0, math.MaxInt64), math.MaxInt64},
		{time.Unix(0, math.MinInt64), math.MinInt64},
		{time.Unix(1<<40, 0), math.MaxInt64},      // after 2262
		{time.Unix(-(1 << 40), 0), math.MinInt64}, // before 1678
		{time.Time{}, math.MinInt64},              // year 1
	} {
		if got := Of(c.t); got != c.want {
			t.Errorf("Of(%v) = %d, want %d", c.t, got, c.want)
		}
	}
}
