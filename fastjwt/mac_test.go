package fastjwt

import (
	"crypto/fips140"
	"crypto/hmac"
	"crypto/sha256"
	"testing"
)

// Both ways macKey computes a MAC, blockSHANI on its stored states where the CPU has the SHA
// extensions and sha256-simd's hash objects elsewhere, must equal crypto/hmac for every message
// length around the block and padding boundaries (55, 56, 63, 64 bytes and their multiples) and
// for keys shorter than, equal to and longer than a block.
func TestMACMatchesCryptoHMAC(t *testing.T) {
	ways := []bool{false}
	if hasSHANI {
		ways = append(ways, true)
	} else {
		t.Log("no SHA extensions here: only the sha256-simd way is checked")
	}
	msg := make([]byte, 400)
	for i := range msg {
		msg[i] = byte(i*7 + 3)
	}
	for _, direct := range ways {
		for _, keyLen := range []int{0, 1, 32, 63, 64, 65, 200} {
			key := msg[:keyLen]
			k := newMACKeyWith(key, direct)
			if k.direct != direct && !fips140.Enabled() {
				t.Fatalf("direct = %v, want %v", k.direct, direct)
			}
			for n := 0; n <= len(msg); n++ {
				var got [32]byte
				k.sum(&got, msg[:n])
				m := hmac.New(sha256.New, key)
				m.Write(msg[:n])
				if want := m.Sum(nil); !hmac.Equal(got[:], want) {
					t.Fatalf("direct %v, key %d bytes, message %d bytes: MAC %x, want %x", direct, keyLen, n, got, want)
				}
			}
		}
	}
}
