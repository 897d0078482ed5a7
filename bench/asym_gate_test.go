package bench

import (
	"fmt"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// The asymmetric contenders do the real work: each accepts the workload's token of every
// algorithm with the right claims and refuses it with a changed signature.
func TestAsymContendersVerify(t *testing.T) {
	for _, a := range asymAlgs {
		a.load()
		bad := tamper(a.tok)
		for _, c := range asymContenders {
			t.Run(a.name+"/"+c.name, func(t *testing.T) {
				verify, check := c.verifier(a, a.tok)
				if err := verify(); err != nil {
					t.Fatalf("token refused: %v", err)
				}
				if err := check(); err != nil {
					t.Fatal(err)
				}
				verifyBad, _ := c.verifier(a, bad)
				if err := verifyBad(); err == nil {
					t.Fatal("token with a changed signature accepted")
				}
			})
		}
	}
}

// The many-clients tokens are distinct and verify.
func TestClientTokens(t *testing.T) {
	toks := clientTokens(t, asymAlgs[3])
	seen := map[string]bool{}
	c := asymAlgs[3].codec()
	for _, tok := range toks[:100] {
		if seen[string(tok)] {
			t.Fatal("two clients share a token")
		}
		seen[string(tok)] = true
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
}

// Allocations, gated: the codec's uncached asymmetric verify allocates no more than the floor
// (whose allocations are the standard library primitive's), and a cached one allocates nothing.
func TestAsymGateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector (sync.Pool drops objects)")
	}
	for _, a := range asymAlgs {
		a.load()
		t.Run(a.name, func(t *testing.T) {
			buf := make([]byte, 0, 512)
			cold := a.codec(fastjwt.WithVerifyCache(0))
			hot := a.codec()
			var err error
			floor := testing.AllocsPerRun(100, func() { _, err = a.floor(a.tok, buf) })
			if err != nil {
				t.Fatal(err)
			}
			ours := testing.AllocsPerRun(100, func() { buf, err = cold.AppendVerify(buf[:0], a.tok) })
			if err != nil {
				t.Fatal(err)
			}
			cached := testing.AllocsPerRun(100, func() { buf, err = hot.AppendVerify(buf[:0], a.tok) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: floor %v allocs, fastjwt uncached %v, cached %v", a.name, floor, ours, cached)
			if ours > floor {
				t.Errorf("%s: the uncached verify allocates %v times, the floor %v", a.name, ours, floor)
			}
			if cached != 0 {
				t.Errorf("%s: the cached verify allocates %v times", a.name, cached)
			}
		})
	}
}

// minCacheSpeedup: a token seen before must verify at least this many times faster than one
// seen for the first time (the target: the cached repeat of ES256, EdDSA and RS256 at
// most 1.5 µs-equivalent, 30 times faster than their uncached verify). The ratio of two
// measurements of one run is what stays stable on a shared machine; the measured one is about
// 100 to 300.
const minCacheSpeedup = 30.0

// TestAsymGateSpeed gates the verified-token cache of every asymmetric algorithm: cached
// against uncached in the same interleaved rounds (see measure), and logs the uncached verify
// against the floor (not gated: the 1.1x target is within the noise of a 2-core machine;
// BenchmarkVerifyAsym reports it).
func TestAsymGateSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("speed gate skipped with -short")
	}
	if raceEnabled {
		t.Skip("speed gate skipped under -race")
	}
	type row struct{ hot, cold, floor *timed }
	rows := map[string]row{}
	var all []*timed
	for _, a := range asymAlgs {
		a.load()
		mk := func(name string) *timed {
			for _, c := range asymContenders {
				if c.name == name {
					verify, _ := c.verifier(a, a.tok)
					return &timed{name: a.name + " " + name, run: verify}
				}
			}
			panic(name)
		}
		r := row{mk("fastjwt"), mk("fastjwt-nocache"), mk("floor")}
		rows[a.name] = r
		all = append(all, r.hot, r.cold, r.floor)
	}
	measureUntil(t, all, func() []string {
		var failed []string
		for _, a := range asymAlgs {
			r := rows[a.name]
			speedup := r.cold.median() / r.hot.median()
			t.Logf("%s: cached %.0f ns, uncached %.0f ns (%.2fx the floor): cached %.0fx faster (gate: >= %.0fx, margin %.1fx)",
				a.name, r.hot.median(), r.cold.median(), r.cold.median()/r.floor.median(),
				speedup, minCacheSpeedup, speedup/minCacheSpeedup)
			if speedup < minCacheSpeedup {
				failed = append(failed, fmt.Sprintf("%s: a cached verify is only %.1fx faster than an uncached one (%.0f vs %.0f ns/op), want >= %.0fx",
					a.name, speedup, r.hot.median(), r.cold.median(), minCacheSpeedup))
			}
		}
		return failed
	})
}
