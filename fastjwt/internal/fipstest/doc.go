// Package fipstest runs the codec in FIPS 140 mode, where it computes HMACs with the standard
// library's crypto/hmac instead of github.com/minio/sha256-simd. FIPS mode is fixed when a
// program starts, so it has a test binary of its own, set by the //go:debug line of its test.
package fipstest
