package bench

import (
	"fmt"
	"testing"

	"github.com/fastjwt/session/fastjwt"
	gjwt "github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerifyAsym verifies the asymmetric workload's token of each algorithm with every
// contender, the floor included.
func BenchmarkVerifyAsym(b *testing.B) {
	for _, a := range asymAlgs {
		a.load()
		for _, c := range asymContenders {
			b.Run(a.name+"/"+c.name, func(b *testing.B) {
				verify, _ := c.verifier(a, a.tok)
				m := startCPU(b)
				for b.Loop() {
					if err := verify(); err != nil {
						b.Fatal(err)
					}
				}
				m.stop(b)
			})
		}
	}
}

// manyClients is the number of distinct tokens of the many-clients workload.
const manyClients = 10000

// clientTokens returns manyClients distinct tokens of the workload's claims (each with its own
// "jti" and "sub"), signed with a's key, or with the HS256 secret when a is nil.
func clientTokens(tb testing.TB, a *asymAlg) [][]byte {
	tb.Helper()
	var signer *fastjwt.Codec
	if a == nil {
		signer = newCodec()
	} else {
		a.load()
		var err error
		if signer, err = fastjwt.NewSigner(fastjwt.PrivateKey{Alg: a.alg, Key: a.priv}, nil); err != nil {
			tb.Fatal(err)
		}
	}
	toks := make([][]byte, manyClients)
	for i := range toks {
		p := fmt.Appendf(nil, `{"sub":"user-%d","name":"John Doe","admin":true,"iat":1700000000,`+
			`"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com",`+
			`"jti":"3f2c9a1e-7b4d-4e8a-9c1f-%012d","roles":["reader","writer","admin"],"counter":42}`, i, i)
		tok, err := signer.AppendSign(nil, p)
		if err != nil {
			tb.Fatal(err)
		}
		toks[i] = tok
	}
	return toks
}

// BenchmarkClients is the many-clients workload: 10 000 distinct tokens, presented round-robin,
// as 10 000 clients each sending their own token with every request. The verified-token cache
// answers a token only while it is still cached: with the default 256 entries every
// presentation is a miss (the cost of the lookup and the insertion on top of a full verify);
// with 16 384 entries (1.6 per client) about 65% are hits, with 65 536 (6.6 per client) about 96%
// (see WithVerifyCache). Each codec verifies every token once before the timing starts, as a
// server that has been running does.
func BenchmarkClients(b *testing.B) {
	for _, a := range []*asymAlg{nil, asymAlgs[2], asymAlgs[3]} { // HS256, ES256, EdDSA
		name := "HS256"
		if a != nil {
			name = a.name
		}
		toks := clientTokens(b, a)
		newVerifier := func(opts ...fastjwt.Option) *fastjwt.Codec {
			if a == nil {
				return newCodec(opts...)
			}
			return a.codec(opts...)
		}
		for _, v := range []struct {
			name string
			opts []fastjwt.Option
		}{
			{"fastjwt", nil},
			{"fastjwt-cache16k", []fastjwt.Option{fastjwt.WithVerifyCache(16 << 10)}},
			{"fastjwt-cache64k", []fastjwt.Option{fastjwt.WithVerifyCache(64 << 10)}},
			{"fastjwt-nocache", []fastjwt.Option{fastjwt.WithVerifyCache(0)}},
		} {
			b.Run(name+"/"+v.name, func(b *testing.B) {
				c := newVerifier(v.opts...)
				buf := make([]byte, 0, 512)
				for _, tok := range toks { // one round first: the steady state of a server
					if _, err := c.AppendVerify(buf[:0], tok); err != nil {
						b.Fatal(err)
					}
				}
				i := 0
				m := startCPU(b)
				for b.Loop() {
					if _, err := c.AppendVerify(buf[:0], toks[i]); err != nil {
						b.Fatal(err)
					}
					if i++; i == len(toks) {
						i = 0
					}
				}
				m.stop(b)
			})
		}
		b.Run(name+"/golang-jwt", func(b *testing.B) {
			method := "HS256"
			var key any = secret
			if a != nil {
				method, key = a.name, a.priv.Public()
			}
			p := gjwt.NewParser(gjwt.WithValidMethods([]string{method}))
			keyFunc := func(*gjwt.Token) (any, error) { return key, nil }
			strs := make([]string, len(toks))
			for i, t := range toks {
				strs[i] = string(t)
			}
			i := 0
			m := startCPU(b)
			for b.Loop() {
				var v golangJWTClaims
				if _, err := p.ParseWithClaims(strs[i], &v, keyFunc); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(toks) {
					i = 0
				}
			}
			m.stop(b)
		})
	}
}
