package issuingtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/issuing/issuingtest"
)

// An implementation's test runs the contract on stores its factory makes, one per case:
//
//	func TestContract(t *testing.T) {
//		issuingtest.Run(t, func(t *testing.T) issuing.Families { return issuing.NewMemory(issuing.MemoryOptions{}) })
//	}
//
// Its own tests can use the kit's comparisons: SameGeneration and SameLive compare to the
// nanosecond, as the contract does.
func Example() {
	f := issuing.NewMemory(issuing.MemoryOptions{})
	ctx, now := context.Background(), time.Now()
	first := issuing.Generation{Refresh: "r1", Access: "a1", Issued: now, AccessExpires: now.Add(15 * time.Minute)}
	next := issuing.Generation{Refresh: "r2", Access: "a2", Issued: now, AccessExpires: now.Add(15 * time.Minute)}
	fmt.Println(f.Start(ctx, issuing.Family{ID: "fam", Subject: "ann", Start: now, End: now.Add(time.Hour),
		Grace: time.Minute, First: first}))
	r, _ := f.Rotate(ctx, issuing.Rotate{Family: "fam", Presented: "r1", Now: now, Next: next, Grace: 10 * time.Second})
	fmt.Println(r.Outcome, issuingtest.SameGeneration(r.Generation, next))
	r, _ = f.Rotate(ctx, issuing.Rotate{Family: "fam", Presented: "r1", Now: now.Add(time.Second), Next: first, Grace: 10 * time.Second})
	fmt.Println(r.Outcome, r.Generation.Refresh)
	r, _ = f.Rotate(ctx, issuing.Rotate{Family: "fam", Presented: "r1", Now: now.Add(time.Minute), Next: first, Grace: 10 * time.Second})
	fmt.Println(r.Outcome, issuingtest.SameLive(r.Live, issuingtest.Lives(first, next)))
	// Output:
	// <nil>
	// rotated <nil>
	// retried r2
	// reused <nil>
}
