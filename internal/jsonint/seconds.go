package jsonint

import "bytes"

// Seconds reads a non-negative NumericDate (RFC 7519 sec. 2) written as digits with an optional
// fraction, as "auth_time" is, and returns its whole seconds: the fraction is dropped, so a time
// of authentication read with it can only move earlier. An exponent, a sign or more than 18
// digits before the point are refused.
func Seconds(raw []byte) (int64, bool) {
	whole, frac := raw, []byte(nil)
	if i := bytes.IndexByte(raw, '.'); i >= 0 {
		whole, frac = raw[:i], raw[i+1:]
		if len(frac) == 0 {
			return 0, false
		}
	}
	if len(whole) == 0 || len(whole) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return v, true
}
