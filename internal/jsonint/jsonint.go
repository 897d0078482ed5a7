// Package jsonint reads JSON integers without allocating, for the session and bearer packages'
// Int accessors: one definition of which JSON numbers are ints.
package jsonint

import "math"

// Parse parses a JSON integer (RFC 8259 sec. 6, without fraction or exponent) that fits an int.
func Parse(raw []byte) (int, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	if len(raw) == 0 || len(raw) > 19 || (raw[0] == '0' && len(raw) > 1) {
		return 0, false
	}
	var n uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return int(-int64(n)), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int(n), true
}
