//go:build race

package redisstore

// raceEnabled: allocation counts are not meaningful under the race detector.
const raceEnabled = true
