package fastjwt

import (
	"testing"
	"time"
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

// Each type the codec signs, with and without a kid, is signed without allocating, and its
// token is recognised by the header fast path (byte comparison: no decode, no JSON scan) and
// verified without allocating.
func TestTypedHeadersFastPathAndAllocs(t *testing.T) {
	for _, kid := range []string{"", "key-2026"} {
		// The kid key is second in the ring, so its headers are found by the ring walk.
		keys := []Key{{ID: "first", Secret: []byte("first-secret-0123456789abcdefghij")}, {ID: kid, Secret: benchSecret}}
		if kid == "" {
			keys = keys[1:]
		}
		signer, err := NewHS256(keys[len(keys)-1:], WithClock(func() time.Time { return benchNow }),
			WithIssuer("https://auth.example.com"), WithAudience("api.example.com"))
		if err != nil {
			t.Fatal(err)
		}
		verifier, err := NewHS256(keys, WithClock(func() time.Time { return benchNow }),
			WithIssuer("https://auth.example.com"), WithAudience("api.example.com"))
		if err != nil {
			t.Fatal(err)
		}
		for typ := TypeNone; typ < TypeOther; typ++ {
			buf := make([]byte, 0, 1024)
			tok, err := signer.AppendSignType(buf, typ, benchClaims)
			if err != nil {
				t.Fatal(err)
			}
			d1, _ := indexDots(tok)
			kc, got, ok := verifier.ownHeader(tok[:d1])
			if !ok || got != typ || kc.anyKey != (kid == "") || (kid != "" && kc.index != 1) {
				t.Errorf("kid %q %v: fast path %v, type %v, choice %+v", kid, typ, ok, got, kc)
			}
			// The slow path reads the same header to the same answer.
			skc, styp, err := verifier.readHeaderSlow(tok[:d1])
			if err != nil || styp != typ || skc.anyKey != kc.anyKey || (!kc.anyKey && skc.index != kc.index) {
				t.Errorf("kid %q %v: slow path %+v %v %v", kid, typ, skc, styp, err)
			}
			if raceEnabled {
				continue
			}
			out := make([]byte, 0, 1024)
			if n := testing.AllocsPerRun(200, func() { out, err = signer.AppendSignType(out[:0], typ, benchClaims) }); n != 0 || err != nil {
				t.Errorf("kid %q %v: AppendSignType %v allocs, %v", kid, typ, n, err)
			}
			var cl Claims
			if n := testing.AllocsPerRun(200, func() { out, err = verifier.AppendVerifyClaims(out[:0], tok, &cl) }); n != 0 || err != nil || cl.Type() != typ {
				t.Errorf("kid %q %v: verify %v allocs, %v, Type %v", kid, typ, n, err, cl.Type())
			}
		}
	}
	// A header that is not the codec's own (member order) takes the slow path.
	c := benchCodec(t)
	if _, _, ok := c.ownHeader(appendBase64(nil, []byte(`{"typ":"session+jwt","alg":"HS256"}`))); ok {
		t.Error("a foreign header taken by the fast path")
	}
}

// Classifying an escaped "typ" decodes it on the stack.
func TestTypeOfAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	js := jsonString{raw: []byte(`\u0061pplication/session\u002Bjwt`), esc: true, ok: true}
	var typ Type
	if n := testing.AllocsPerRun(1000, func() { typ = typeOf(js) }); n != 0 || typ != TypeSession {
		t.Fatalf("%v allocs, %v", n, typ)
	}
}
