package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fastjwt/session/store"
)

// A request changes one field of its session; a later request reads them all. Logging out
// leaves a tombstone, so a slower request cannot bring the session back.
func ExampleNewMemory() {
	sessions := store.NewMemory(store.MemoryOptions{})
	ctx := context.Background()
	_ = sessions.Update(ctx, "3q2-7w", []store.Field{{Name: "user", Value: []byte(`"ann"`)}}, nil, time.Hour)
	_ = sessions.Update(ctx, "3q2-7w", []store.Field{{Name: "count", Value: []byte("1")}}, nil, time.Hour)

	found, err := sessions.Load(ctx, "3q2-7w", func(name string, value []byte) {
		fmt.Printf("%s=%s\n", name, value)
	})
	fmt.Println(found, err)

	_ = sessions.Destroy(ctx, "3q2-7w", time.Hour)
	err = sessions.Update(ctx, "3q2-7w", []store.Field{{Name: "count", Value: []byte("2")}}, nil, time.Hour)
	fmt.Println(errors.Is(err, store.ErrDestroyed))
	// Output:
	// user="ann"
	// count=1
	// true <nil>
	// true
}

// An Update that names no session, or whose ttl is not positive, changes nothing.
func ExampleErrInvalid() {
	sessions := store.NewMemory(store.MemoryOptions{})
	err := sessions.Update(context.Background(), "", []store.Field{{Name: "count", Value: []byte("1")}}, nil, time.Hour)
	fmt.Println(errors.Is(err, store.ErrInvalid))
	// Output: true
}

// Requests without a cookie make provisional sessions (Create): past their budget the oldest
// goes, and the sessions that came back keep their place. The first Load of a provisional
// session (its client came back) makes it ordinary.
func ExampleMemory_Create() {
	sessions := store.NewMemory(store.MemoryOptions{MaxEntries: 8}) // MaxProvisional: 8/4 = 2
	ctx := context.Background()
	count := []store.Field{{Name: "count", Value: []byte("1")}}
	_ = sessions.Update(ctx, "came-back", count, nil, time.Hour)
	for _, id := range []string{"anon-1", "anon-2", "anon-3"} {
		fmt.Println(id, sessions.Create(ctx, id, count, time.Hour))
	}
	fmt.Println("sessions:", sessions.Len(), "provisional:", sessions.Provisional())
	for _, id := range []string{"came-back", "anon-1", "anon-3"} {
		found, _ := sessions.Load(ctx, id, func(string, []byte) {})
		fmt.Println(id, found)
	}
	fmt.Println("provisional:", sessions.Provisional())
	// Output:
	// anon-1 <nil>
	// anon-2 <nil>
	// anon-3 <nil>
	// sessions: 3 provisional: 2
	// came-back true
	// anon-1 false
	// anon-3 true
	// provisional: 1
}
