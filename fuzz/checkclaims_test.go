package fuzz

import (
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// FuzzCheckClaims checks arbitrary payloads with Codec.CheckClaims, for every type, under codecs
// of several policies (no audience, any audience, issuer and audience, leeway with future "iat"
// refused, a small cap, a key ID that lengthens the header). Its verdict must be the one of
// signing the payload with the codec and verifying the token (nil for both, or the same
// sentinel), and it must never change the codec's verified-token cache counts.
func FuzzCheckClaims(f *testing.F) {
	addPayloadSeeds(f)
	policies := [][]fastjwt.Option{
		nil,
		{fastjwt.AcceptAnyAudience()},
		{fastjwt.WithIssuer("joe"), fastjwt.WithAudience("api")},
		{fastjwt.WithLeeway(30 * time.Second), fastjwt.RejectFutureIssuedAt(), fastjwt.AcceptAnyAudience()},
		{fastjwt.WithMaxTokenSize(smallCap)},
	}
	type pair struct{ checker, signer *fastjwt.Codec }
	var codecs []pair
	for _, kid := range []string{"", "a-longer-key-id"} {
		for _, opts := range policies {
			codecs = append(codecs, pair{newCodec(f, kid, opts...), newCodec(f, kid, opts...)})
		}
	}
	types := []fastjwt.Type{fastjwt.TypeNone, fastjwt.TypeJWT, fastjwt.TypeAccess, fastjwt.TypeSession, fastjwt.TypeOther}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for i, c := range codecs {
			before := c.checker.CacheStats()
			for _, typ := range types {
				got := c.checker.CheckClaims(typ, payload)
				var want error
				tok, err := c.signer.AppendSignType(nil, typ, payload)
				if err != nil {
					want = err
				} else {
					var cl fastjwt.Claims
					_, want = c.signer.AppendVerifyClaims(nil, tok, &cl)
				}
				switch {
				case (got == nil) != (want == nil):
					t.Fatalf("codec %d, type %d: CheckClaims %v, sign then verify %v\npayload: %q", i, typ, got, want, payload)
				case got != nil && sentinelOf(t, got, payload) != sentinelOf(t, want, payload):
					t.Fatalf("codec %d, type %d: CheckClaims %v, sign then verify %v\npayload: %q", i, typ, got, want, payload)
				}
			}
			if after := c.checker.CacheStats(); after != before {
				t.Fatalf("codec %d: CheckClaims changed the cache counts %+v -> %+v", i, before, after)
			}
		}
	})
}
