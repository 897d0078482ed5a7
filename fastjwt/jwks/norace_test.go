//go:build !race

package jwks

const raceEnabled = false
