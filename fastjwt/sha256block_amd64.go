//go:build !purego

package fastjwt

import "github.com/klauspost/cpuid/v2"

// hasSHANI reports whether blockSHANI can run: the x86 SHA extensions and the vector
// instructions its code uses around them.
var hasSHANI = cpuid.CPU.Supports(cpuid.SHA, cpuid.AVX, cpuid.SSE2, cpuid.SSSE3, cpuid.SSE4)

// blockSHANI applies SHA-256's compression function to the state dig for each whole 64-byte
// block of p (FIPS 180-4 sec. 6.2.2), with the x86 SHA extensions.
//
//go:noescape
func blockSHANI(dig *[8]uint32, p []byte)
