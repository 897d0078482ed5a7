//go:build !amd64 || purego

package fastjwt

// hasAVX2 is false: there is no decodeBase64AVX2 or encodeBase64AVX2 here.
const hasAVX2 = false

func decodeBase64AVX2(dst, src []byte) int {
	panic("fastjwt: decodeBase64AVX2 without AVX2") // unreachable: hasAVX2 is false
}

func encodeBase64AVX2(dst, src []byte) int {
	panic("fastjwt: encodeBase64AVX2 without AVX2") // unreachable: hasAVX2 is false
}
