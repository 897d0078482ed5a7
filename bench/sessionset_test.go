package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// The cost of one write to a cookie session: Session.Set of an ordinary name beside Set of "sub",
// a registered claim whose value the codec checks (type, issuer and audience policy, size cap)
// at the write. Each operation acquires a new session (no cookie), writes one string and
// releases it, for HS256 and for codecs that sign with ES256 and RS256.

// noCookie is a request header without a Cookie field.
type noCookie struct{}

func (noCookie) AppendValues(dst [][]byte, _ string) [][]byte { return dst }

// sessionSetCodecs returns a signing codec per algorithm of the benchmark.
func sessionSetCodecs(tb testing.TB) []struct {
	name  string
	codec *fastjwt.Codec
} {
	signer := func(alg fastjwt.Alg, file string) *fastjwt.Codec {
		data, err := os.ReadFile(filepath.Join("..", "fastjwt", "testdata", "keys", file))
		if err != nil {
			tb.Fatal(err)
		}
		priv, err := fastjwt.ParsePrivateKeyPEM(data, alg, "")
		if err != nil {
			tb.Fatal(err)
		}
		c, err := fastjwt.NewSigner(priv, nil)
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	return []struct {
		name  string
		codec *fastjwt.Codec
	}{
		{"HS256", sessionCodec()},
		{"ES256", signer(fastjwt.ES256, "p256.pkcs8.pem")},
		{"RS256", signer(fastjwt.RS256, "rsa2048.pkcs8.pem")},
	}
}

// BenchmarkSessionSet: Set("name", "alice") and Set("sub", "alice") on a new session.
func BenchmarkSessionSet(b *testing.B) {
	ctx := context.Background()
	for _, c := range sessionSetCodecs(b) {
		m, err := session.New(c.codec, session.Config{})
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"name", "sub"} {
			b.Run(c.name+"/"+name, func(b *testing.B) {
				meter := startCPU(b)
				for b.Loop() {
					s, err := m.Acquire(ctx, noCookie{})
					if err != nil {
						b.Fatal(err)
					}
					if err := s.Set(name, "alice"); err != nil {
						b.Fatal(err)
					}
					m.Release(s)
				}
				meter.stop(b)
			})
		}
	}
}

// TestSessionSetAllocs: a write to a new session allocates nothing, of an ordinary name or of a
// registered claim the codec checks, whatever the codec's algorithm.
func TestSessionSetAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops objects on purpose under -race")
	}
	ctx := context.Background()
	for _, c := range sessionSetCodecs(t) {
		m, err := session.New(c.codec, session.Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"name", "sub", "iss", "nbf"} {
			var value any = "alice"
			if name == "nbf" {
				value = 1700000000
			}
			n := testing.AllocsPerRun(200, func() {
				s, err := m.Acquire(ctx, noCookie{})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Set(name, value); err != nil {
					t.Fatal(err)
				}
				m.Release(s)
			})
			if n != 0 {
				t.Errorf("%s: Set(%q): %v allocations", c.name, name, n)
			}
		}
	}
}
