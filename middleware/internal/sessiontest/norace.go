//go:build !race

package sessiontest

// RaceEnabled reports whether the race detector is on. sync.Pool then drops objects at random
// on purpose, so allocation counts of pooled code are not meaningful.
const RaceEnabled = false
