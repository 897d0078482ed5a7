package fastjwt

import "testing"

// The parts of a verify, timed alone, to see where its time goes relative to the floor.

func BenchmarkPartScanPayload(b *testing.B) {
	var cl Claims
	for b.Loop() {
		if err := scanPayload(benchClaims, &cl); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPartMAC(b *testing.B) {
	c := benchCodec(b)
	tok := benchToken(b, c)
	_, d2 := indexDots(tok)
	var mac [32]byte
	for b.Loop() {
		c.keys[0].mac.sum(&mac, tok[:d2])
	}
}
