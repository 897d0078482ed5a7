package storetest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fastjwt/session/store"
	"github.com/fastjwt/session/store/storetest"
)

// An implementation's test runs the contract on stores its factory makes, one per case:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory(store.MemoryOptions{}) })
//	}
//
// Its own tests can use the kit's helpers: Fields builds what an Update sets, and Dump(t, s, id)
// shows what a session holds ("count=1 user=\"ann\"", or "absent").
func Example() {
	s := store.NewMemory(store.MemoryOptions{})
	ctx := context.Background()
	err := s.Update(ctx, "sid", storetest.Fields("count", "1", "user", `"ann"`), nil, time.Hour)
	fmt.Println(err)
	found, err := s.Load(ctx, "sid", func(name string, value []byte) { fmt.Printf("%s=%s\n", name, value) })
	fmt.Println(found, err)
	// Output:
	// <nil>
	// count=1
	// user="ann"
	// true <nil>
}
