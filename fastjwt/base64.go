package fastjwt

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
)

// The JWS compact serialization uses base64url without padding (RFC 7515 sec. 2 and appendix C).
// The standard library's decoder is not strict enough for a verifier: it skips CR and LF even in
// Strict mode, so this file has its own decoder that accepts exactly the canonical encoding.

const invalid = 0xff

// decodeMap maps a base64url character to its 6-bit value, anything else to invalid.
var decodeMap = func() (m [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range m {
		m[i] = invalid
	}
	for i := 0; i < len(alphabet); i++ {
		m[alphabet[i]] = byte(i)
	}
	return m
}()

// decodeMap2 maps two base64url characters, first<<8|second, to their 12 bits, or to invalid2
// if either is not in the alphabet. Decoding two characters per lookup halves the lookups of
// the payload decode, which every verify does; the table is 128 KiB, of which text touches
// the 64 rows of alphabet characters.
var decodeMap2 = func() *[1 << 16]uint16 {
	m := new([1 << 16]uint16)
	for i := range m {
		a, b := decodeMap[i>>8], decodeMap[i&0xff]
		if a == invalid || b == invalid {
			m[i] = invalid2
		} else {
			m[i] = uint16(a)<<6 | uint16(b)
		}
	}
	return m
}()

const invalid2 = 0xf000 // above any 12-bit value

// encodeMap2 maps 12 bits to their two base64url characters, the first in the high byte.
var encodeMap2 = func() *[1 << 12]uint16 {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	m := new([1 << 12]uint16)
	for i := range m {
		m[i] = uint16(alphabet[i>>6])<<8 | uint16(alphabet[i&63])
	}
	return m
}()

// appendBase64 appends the unpadded base64url encoding of src to dst, which every sign does for
// its payload: 24 bytes at a time with AVX2 (encodeBase64AVX2) where the CPU has it; then six
// bytes at a time become eight characters with four lookups of two characters each and one
// 8-byte store; the last bytes (fewer than eight) go through encoding/base64.
func appendBase64(dst, src []byte) []byte {
	start := len(dst)
	n := base64Len(len(src))
	out := slices.Grow(dst, n)[:start+n]
	o := out[start:]
	i, j := 0, 0
	if hasAVX2 && len(src) >= 28 {
		i = encodeBase64AVX2(o, src)
		j = i / 3 * 4
	}
	for ; i+8 <= len(src) && j+8 <= len(o); i, j = i+6, j+8 {
		w := binary.BigEndian.Uint64(src[i:]) // its top 48 bits are the six bytes
		a, b := encodeMap2[w>>52], encodeMap2[w>>40&0xfff]
		c, e := encodeMap2[w>>28&0xfff], encodeMap2[w>>16&0xfff]
		binary.BigEndian.PutUint64(o[j:], uint64(a)<<48|uint64(b)<<32|uint64(c)<<16|uint64(e))
	}
	base64.RawURLEncoding.Encode(o[j:], src[i:]) // i is a multiple of 3: the same characters
	return out
}

// base64Len returns the length of the unpadded base64url encoding of n bytes.
func base64Len(n int) int { return (n*8 + 5) / 6 }

// appendDecodeBase64 appends the decoding of the unpadded base64url text src to dst. It accepts
// only the canonical encoding: the 64-character alphabet, no padding, no whitespace, a length
// that is not 1 modulo 4, and zero bits in the unused low bits of the last character (so each
// byte string has exactly one accepted encoding). On failure it returns dst unchanged and false.
func appendDecodeBase64(dst, src []byte) ([]byte, bool) {
	tail := len(src) % 4
	if tail == 1 {
		return dst, false
	}
	n := len(src) / 4 * 3
	if tail > 0 {
		n += tail - 1
	}
	start := len(dst)
	out := slices.Grow(dst, n)[:start+n]
	o := out[start:]
	body := len(src) - tail
	var bad byte
	i, j := 0, 0
	var bad2 uint16
	if hasAVX2 && body >= 32 {
		k := decodeBase64AVX2(o, src[:body])
		if k < 0 {
			return dst, false
		}
		i, j = k, k/4*3
	}
	for ; i+8 <= body; i, j = i+8, j+6 {
		s, d := src[i:i+8:i+8], o[j:j+6:j+6] // one bounds check for the block
		a := decodeMap2[uint16(s[0])<<8|uint16(s[1])]
		b := decodeMap2[uint16(s[2])<<8|uint16(s[3])]
		c := decodeMap2[uint16(s[4])<<8|uint16(s[5])]
		e := decodeMap2[uint16(s[6])<<8|uint16(s[7])]
		bad2 |= a | b | c | e
		v := uint64(a)<<36 | uint64(b)<<24 | uint64(c)<<12 | uint64(e)
		d[0], d[1], d[2], d[3], d[4], d[5] = byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	if bad2&invalid2 != 0 {
		return dst, false
	}
	for ; i < body; i, j = i+4, j+3 {
		s, d := src[i:i+4:i+4], o[j:j+3:j+3]
		a, b, c, e := decodeMap[s[0]], decodeMap[s[1]], decodeMap[s[2]], decodeMap[s[3]]
		bad |= a | b | c | e
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(e)
		d[0], d[1], d[2] = byte(v>>16), byte(v>>8), byte(v)
	}
	switch tail {
	case 2:
		a, b := decodeMap[src[i]], decodeMap[src[i+1]]
		bad |= a | b
		if b&0x0f != 0 { // the last character's low 4 bits encode nothing
			bad |= invalid
		}
		o[j] = a<<2 | b>>4
	case 3:
		a, b, c := decodeMap[src[i]], decodeMap[src[i+1]], decodeMap[src[i+2]]
		bad |= a | b | c
		if c&0x03 != 0 { // the last character's low 2 bits encode nothing
			bad |= invalid
		}
		o[j], o[j+1] = a<<2|b>>4, b<<4|c>>2
	}
	// Valid values are below 64; invalid (0xff) sets the high bits.
	if bad&0xc0 != 0 {
		return dst, false
	}
	return out, true
}
