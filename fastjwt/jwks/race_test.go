//go:build race

package jwks

// raceEnabled: the race detector makes sync.Pool drop objects on purpose, so allocation counts
// are not meaningful under it.
const raceEnabled = true
