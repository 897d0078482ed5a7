//go:build !race

package bench

// raceEnabled is true under -race, whose instrumentation makes timings meaningless.
const raceEnabled = false
