//go:build !race

package fipstest

const raceEnabled = false
