package fastjwt

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// After the signature has verified, a refusal keeps the type the signed header declares (so that
// the layers above answer a token of another purpose before its audience), and nothing else;
// before it, nothing of the token is kept.
func TestRefusalKeepsOnlyTheSignedType(t *testing.T) {
	key := []Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}}
	signer, err := NewHS256(key, AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	aud, err := NewHS256(key, WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).Unix()
	for _, withCache := range []bool{false, true} {
		v := aud
		if withCache {
			v, _ = NewHS256(key, WithAudience("api"), WithVerifyCache(16))
		}
		tok, err := signer.AppendSignType(nil, TypeSession, []byte(`{"sub":"u","aud":"web","exp":`+strconv.FormatInt(exp, 10)+`}`))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second verify of the cached codec is a cache hit
			var cl Claims
			if _, err := v.AppendVerifyClaims(nil, tok, &cl); !errors.Is(err, ErrAudience) {
				t.Fatalf("cache %v: %v, want ErrAudience", withCache, err)
			}
			if cl.Type() != TypeSession || cl.Subject() != "" || cl.HasAudience("web") {
				t.Errorf("cache %v: type %v, sub %q: want the type only", withCache, cl.Type(), cl.Subject())
			}
		}
		forged := append(append([]byte(nil), tok[:len(tok)-2]...), "AA"...)
		var cl Claims
		if _, err := v.AppendVerifyClaims(nil, forged, &cl); !errors.Is(err, ErrSignature) {
			t.Fatalf("forged: %v", err)
		}
		if cl.Type() != TypeNone || cl.Subject() != "" {
			t.Errorf("a forged token's refusal kept %+v", cl)
		}
	}
}
