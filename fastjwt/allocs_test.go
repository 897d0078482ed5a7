package fastjwt

import (
	"testing"
)

// The sign and verify paths allocate nothing once the caller's buffer has room: asserted here,
// deterministically, rather than read off benchmark output.

func TestSignAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	c := benchCodec(t)
	buf := make([]byte, 0, 1024)
	var err error
	if n := testing.AllocsPerRun(1000, func() {
		buf, err = c.AppendSign(buf[:0], benchClaims)
	}); n != 0 || err != nil {
		t.Fatalf("AppendSign: %v allocs, err %v", n, err)
	}
}

func TestVerifyAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	c := benchCodec(t) // exp, iss and aud are checked
	tok := benchToken(t, c)
	buf := make([]byte, 0, 1024)
	var cl Claims
	for name, tok := range map[string][]byte{
		"own header": tok,
		// Headers other libraries emit take the strict slow path, still without allocating.
		"other header": resign(t, c, `{"typ":"JWT","alg":"HS256"}`, tok),
		"kid header":   resign(t, c, `{"alg":"HS256","kid":"some-key","typ":"JWT"}`, tok),
	} {
		var err error
		if n := testing.AllocsPerRun(1000, func() {
			buf, err = c.AppendVerifyClaims(buf[:0], tok, &cl)
		}); n != 0 || err != nil {
			t.Fatalf("%s: AppendVerify: %v allocs, err %v", name, n, err)
		}
	}
}

func TestRejectAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	c := benchCodec(t)
	tok := benchToken(t, c)
	bad := append([]byte(nil), tok...)
	bad[len(bad)-2] ^= 1
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(1000, func() { buf, _ = c.AppendVerify(buf[:0], bad) }); n != 0 {
		t.Fatalf("rejecting a bad MAC: %v allocs", n)
	}
}

// resign returns tok's payload signed by c's first key under a different header.
func resign(t *testing.T, c *Codec, header string, tok []byte) []byte {
	t.Helper()
	d1, d2 := indexDots(tok)
	out := appendBase64(nil, []byte(header))
	out = append(out, tok[d1:d2]...)
	var mac [32]byte
	c.keys[0].mac.sum(&mac, out)
	out = append(out, '.')
	return appendBase64(out, mac[:])
}
