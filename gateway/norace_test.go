//go:build !race

package gateway

// raceEnabled: the race detector makes sync.Pool drop objects on purpose, so allocation counts
// are not meaningful under it.
const raceEnabled = false
