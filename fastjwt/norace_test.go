//go:build !race

package fastjwt

const raceEnabled = false
