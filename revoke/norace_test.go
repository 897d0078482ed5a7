//go:build !race

package revoke_test

const raceEnabled = false
