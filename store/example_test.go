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
