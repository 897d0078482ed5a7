package fastjwt

import (
	"testing"
	"time"
)

// checkTimes applies the leeway to the clock's reading in Unix seconds and nanoseconds; that must
// be exactly time.Time.Add followed by the conversion, for readings either side of the epoch and
// of whole seconds, and leeways with and without a fraction of a second.
func TestLeewayArithmeticMatchesTimeAdd(t *testing.T) {
	nows := []time.Time{time.Unix(0, 0), time.Unix(-1, 0), time.Unix(-1, 1), time.Unix(0, 999_999_999),
		time.Unix(1700000000, 0), time.Unix(1700000000, 500_000_000), time.Unix(-62135596800, 0),
		time.Unix(1<<40, 999_999_999), time.Now()}
	leeways := []time.Duration{0, 1, time.Second - 1, time.Second, 1500 * time.Millisecond,
		time.Hour + 1, 290 * 365 * 24 * time.Hour}
	for _, now := range nows {
		for _, l := range leeways {
			sec, nsec := now.Unix(), int64(now.Nanosecond())
			ls, ln := int64(l/time.Second), int64(l%time.Second)
			if got, want := unixDate(sec-ls, nsec-ln), dateOf(now.Add(-l)); got != want {
				t.Errorf("%v - %v: %+v, want %+v", now, l, got, want)
			}
			if got, want := unixDate(sec+ls, nsec+ln), dateOf(now.Add(l)); got != want {
				t.Errorf("%v + %v: %+v, want %+v", now, l, got, want)
			}
		}
	}
}

// dateOf returns t as an exact numericDate, through time.Time's own conversion.
func dateOf(t time.Time) numericDate { return unixDate(t.Unix(), int64(t.Nanosecond())) }
