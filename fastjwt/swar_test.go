package fastjwt

import (
	"encoding/binary"
	"math/bits"
	"testing"
)

// specialBytes must flag exactly the lane the byte-by-byte table would stop at: every byte value
// in every lane, after plain filler, and followed by every byte value in the next lane (a
// borrow may flag lanes above the first special one, never below or instead of it).
func TestSpecialBytes(t *testing.T) {
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			var w [8]byte
			for i := range w {
				w[i] = 'a'
			}
			w[lane] = byte(c)
			for next := 0; next < 256; next++ {
				if lane < 7 {
					w[lane+1] = byte(next)
				} else if next > 0 {
					break
				}
				want := 8 // no special byte
				for i, b := range w {
					if !plainStringByte[b] {
						want = i
						break
					}
				}
				m := specialBytes(binary.LittleEndian.Uint64(w[:]))
				got := 8
				if m != 0 {
					got = bits.TrailingZeros64(m) >> 3
				}
				if got != want {
					t.Fatalf("bytes %q: first special lane %d, want %d", w, got, want)
				}
			}
		}
	}
}
