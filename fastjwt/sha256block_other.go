//go:build !amd64 || purego

package fastjwt

// hasSHANI is false: there is no blockSHANI here, and macKey hashes through sha256-simd.
const hasSHANI = false

func blockSHANI(dig *[8]uint32, p []byte) {
	panic("fastjwt: blockSHANI without the SHA extensions") // unreachable: hasSHANI is false
}
