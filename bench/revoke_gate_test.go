package bench

import (
	"fmt"
	"net/http"
	"testing"
)

// The gate of the server-side parts, measured as the speed gate is (gate_test.go: interleaved
// rounds, medians, process CPU time), against references in the same process:
//
//   - the in-memory revocation check, of one token and of the many clients' tokens in turn
//     against the list of newRevokeList, beside the codec's verify of a token seen before (the
//     cheapest verify, the one the check follows on most requests);
//   - a server-side session read from its token fields beside a cookie session, and beside a
//     cookie session whose token is as long (the server-side token carries one more claim, its
//     session id), through the fasthttp middleware.
//
// The thresholds leave a margin of about 2x on the check (measured: about 0.4x and 0.5x the
// verify) and cover the server-side token's extra "sid" claim (measured: 1.1-1.2x the cookie
// session; against a token as long, 1.08-1.11x), so that a loaded 2-core machine does not fail
// them; a regression to the pointer-probed list (3-4x slower on the many clients) or a store
// call per request (an in-memory store's Load alone is more than the margin) would.
const (
	maxRevokeOneVsVerify     = 0.8
	maxRevokeClientsVsVerify = 1.0
	maxServerSideVsCookie    = 1.5
	maxServerSideVsAsLong    = 1.2
)

func TestRevokeGateSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("speed gate skipped with -short")
	}
	if raceEnabled {
		t.Skip("speed gate skipped under -race")
	}
	toks := clientTokens(t, nil)
	cls := clientClaims(t, toks)
	l := newRevokeList(t)
	ourVerify, _ := fastjwtRaw(token)
	cases, _ := serverSideCases(t)
	serve := func(c fastHTTPCase) func() error {
		ctx := newFastCtx(c)
		return func() error {
			if st := serveFastHTTP(c, ctx); st != http.StatusOK {
				t.Fatalf("%s: status %d", c.name, st)
			}
			return nil
		}
	}
	verify := &timed{name: "fastjwt verify", run: ourVerify}
	one := &timed{name: "revoke check, one token", run: revokeCheck(l, cls[:1])}
	clients := &timed{name: "revoke check, clients", run: revokeCheck(l, cls)}
	cookie := &timed{name: cases[0].name, run: serve(cases[0])}
	serverSide := &timed{name: cases[1].name, run: serve(cases[1])}
	asLong := &timed{name: cases[2].name, run: serve(cases[2])}
	measureUntil(t, []*timed{verify, one, clients, cookie, serverSide, asLong}, func() []string {
		var failed []string
		for _, g := range []struct {
			what     string
			a, b     *timed
			max      float64
			relation string
		}{
			{"revoke check of one token", one, verify, maxRevokeOneVsVerify, "the verify"},
			{"revoke check of the clients' tokens", clients, verify, maxRevokeClientsVsVerify, "the verify"},
			{"server-side session (token fields)", serverSide, cookie, maxServerSideVsCookie, "the cookie session"},
			{"server-side session (token fields)", serverSide, asLong, maxServerSideVsAsLong, "a cookie session of a token as long"},
		} {
			r := g.a.median() / g.b.median()
			t.Logf("%s: %.2fx %s (gate: <= %.2fx, margin %.2fx)", g.what, r, g.relation, g.max, g.max/r)
			if r > g.max {
				failed = append(failed, fmt.Sprintf("%s takes %.2fx %s (%.0f vs %.0f ns/op), want <= %.2fx",
					g.what, r, g.relation, g.a.median(), g.b.median(), g.max))
			}
		}
		return failed
	})
}

// The check of the many clients' tokens allocates nothing (deterministic; not under -race).
func TestRevokeGateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	cls := clientClaims(t, clientTokens(t, nil))
	check := revokeCheck(newRevokeList(t), cls)
	if n := testing.AllocsPerRun(len(cls), func() {
		if err := check(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per check", n)
	}
}
