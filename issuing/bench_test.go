package issuing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
)

// The costs of an obtain and a refresh in memory (HS256), beside what signing their two tokens
// alone costs (BenchmarkSignPair): the ratio is the issuer's overhead (parse, ids, families,
// revocation check, JSON answer).

func BenchmarkSignPair(b *testing.B) {
	f := newFixture(b)
	access := []byte(`{"iss":"https://issuer.test","sub":"ann","aud":"api","iat":1772366400.123456789,"exp":1772367300.123456789,"jti":"qGxQEaSpSHI-oV43kfw7mQ","role":"admin"}`)
	refresh := []byte(`{"iss":"https://issuer.test","sub":"ann","aud":"api","iat":1772366400.123456789,"exp":1772971200.123456789,"jti":"5U7c6bKkILB0mgko4hRumg","fid":"6zuBPVQRX62Go0QHMTVr3g","ext":{"role":"admin"}}`)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = f.codec.AppendSignType(buf[:0], fastjwt.TypeAccess, access)
		buf, _ = f.codec.AppendSignType(buf[:0], fastjwt.TypeRefresh, refresh)
	}
}

func BenchmarkObtain(b *testing.B) {
	f := newFixture(b, func(c *issuing.Config) {
		c.Families = issuing.NewMemory(issuing.MemoryOptions{MaxFamilies: 1 << 24})
	})
	req := form("username", "ann", "password", "s3cret")
	b.ReportAllocs()
	for b.Loop() {
		if r := f.iss.Obtain(bg, req); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}

func BenchmarkRefresh(b *testing.B) {
	f := newFixture(b)
	// A pool of families, each refreshed in turn, so that no family reaches MaxLive: the clock
	// moves past an access token's life between two refreshes of one family.
	toks := make([]string, 1024)
	for i := range toks {
		toks[i] = f.obtain().Refresh
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := f.iss.Refresh(bg, form("refresh_token", toks[i]))
		if r.Status != 200 {
			b.Fatal(r.Status)
		}
		toks[i] = refreshOf(r.Body)
		if i++; i == len(toks) {
			i = 0
			f.clock.Add(time.Hour)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	req := form("token", f.obtain().Access)
	b.ReportAllocs()
	for b.Loop() {
		if r := f.iss.Verify(bg, req); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}

// refreshOf returns the refresh_token of an answer, without the cost of a JSON decode.
func refreshOf(body []byte) string {
	const key = `"refresh_token":"`
	s := string(body)
	i := strings.Index(s, key) + len(key)
	return s[i : i+strings.IndexByte(s[i:], '"')]
}
