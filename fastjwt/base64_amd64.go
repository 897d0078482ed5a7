//go:build !purego

package fastjwt

import "github.com/klauspost/cpuid/v2"

// hasAVX2 reports whether decodeBase64AVX2 can run.
var hasAVX2 = cpuid.CPU.Supports(cpuid.AVX2)

// decodeBase64AVX2 decodes base64url characters from src to dst, 32 characters to 24 bytes at a
// time, while src has 32 characters left and dst room for 32 bytes (each step stores 32, the
// last 8 of which the next step or the caller overwrites). It returns how many characters it
// decoded, a multiple of 32, or -1 if it met a character outside the alphabet.
//
//go:noescape
func decodeBase64AVX2(dst, src []byte) int

// encodeBase64AVX2 encodes bytes from src to base64url characters in dst, 24 bytes to 32
// characters at a time, while src has 28 bytes left (each step reads 28) and dst room for 32.
// It returns how many bytes it encoded, a multiple of 24.
//
//go:noescape
func encodeBase64AVX2(dst, src []byte) int
