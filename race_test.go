//go:build race

package session_test

// raceEnabled: sync.Pool drops objects under the race detector, so allocation counts of pooled
// code are not meaningful.
const raceEnabled = true
