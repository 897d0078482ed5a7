package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/fastjwt/session/store"
)

// BenchmarkMemoryAlive is the liveness check of a session id on every request (Store.Alive)
// against a store of 10,000 sessions, taken in turn: a map lookup under a shard's read lock.
func BenchmarkMemoryAlive(b *testing.B) {
	s := store.NewMemory(store.MemoryOptions{})
	ctx := context.Background()
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = "sid-" + strconv.Itoa(i)
		if err := s.Update(ctx, ids[i], []store.Field{{Name: "n", Value: []byte("1")}}, nil, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if ok, err := s.Alive(ctx, ids[i]); !ok || err != nil {
			b.Fatal(ok, err)
		}
		if i++; i == len(ids) {
			i = 0
		}
	}
}
