package fastjwt

import (
	"encoding/binary"
	"testing"
)

// hasSpecialByte must flag a word exactly when the byte-by-byte table would stop in it: checked
// for every byte value in every lane, against plain filler.
func TestHasSpecialByte(t *testing.T) {
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			var w [8]byte
			for i := range w {
				w[i] = 'a'
			}
			w[lane] = byte(c)
			got := hasSpecialByte(binary.LittleEndian.Uint64(w[:]))
			if want := !plainStringByte[c]; got != want {
				t.Fatalf("byte %#x in lane %d: hasSpecialByte = %v, want %v", c, lane, got, want)
			}
		}
	}
}
