package redisstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Many clients' tokens cached on one node, a few revoked on another: the node sees exactly
// those revoked, within the invalidation's round trip, whether its answers fit in their bound
// or keep being started afresh (AnswerEntries far below the number of clients).
func TestListAnswersManyClients(t *testing.T) {
	needRedis(t)
	for _, bound := range []int{0, 64} {
		t.Run(fmt.Sprint("AnswerEntries=", bound), func(t *testing.T) {
			prefix := fmt.Sprintf("many-%d:", bound)
			a := dial(t, shared, Options{Prefix: prefix}).List()
			b := dial(t, shared, Options{Prefix: prefix, AnswerEntries: bound}).List()
			ctx := context.Background()
			now := time.Now()
			const clients, revokedEvery = 2000, 40
			cls := make([]*fastjwt.Claims, clients)
			for i := range cls {
				cls[i] = token(t, fmt.Sprint("tok-", i), fmt.Sprint("user-", i), now.Add(-time.Minute))
				if revoked(t, b, cls[i]) {
					t.Fatalf("client %d revoked before any revocation", i)
				}
			}
			for i := 0; i < clients; i += revokedEvery {
				if err := a.RevokeToken(ctx, fmt.Sprint("tok-", i), now.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.RevokeSubject(ctx, "user-7", now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			eventually(t, 2*time.Second, "b sees a's revocations", func() bool {
				return revoked(t, b, cls[clients-revokedEvery]) && revoked(t, b, cls[7])
			})
			for i, cl := range cls {
				if want := i%revokedEvery == 0 || i == 7; revoked(t, b, cl) != want {
					t.Fatalf("client %d: revoked %v, want %v", i, !want, want)
				}
			}
		})
	}
}

// A cached check allocates nothing with many clients either, whose answers fill several
// tables.
func TestListCachedCheckManyClientsAllocatesNothing(t *testing.T) {
	needRedis(t)
	if raceEnabled {
		t.Log("allocation counts are not meaningful under the race detector: not checked")
		return
	}
	l := dial(t, shared, Options{}).List()
	cls := clientClaims(t, benchCodec(t))[:2000]
	ctx := context.Background()
	for i := range cls {
		if r, err := l.Revoked(ctx, &cls[i]); r || err != nil {
			t.Fatal(r, err)
		}
	}
	i := 0
	if n := testing.AllocsPerRun(len(cls), func() {
		_, _ = l.Revoked(ctx, &cls[i])
		i = (i + 1) % len(cls)
	}); n != 0 {
		t.Errorf("%v allocations per cached check", n)
	}
}
