package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/store"
	"github.com/fastjwt/session/store/storetest"
)

// clock is a settable clock for a Memory store.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Unix(1700000000, 0).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

var (
	fields  = storetest.Fields
	loadAll = storetest.Dump
)

// The contract, on the real clock.
func TestMemoryContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory(store.MemoryOptions{}) })
}

// Expiry is exact on the store's clock: a session lasts until its ttl has passed, not a moment
// more, and each Update sets it from now.
func TestMemoryExpiryOnItsClock(t *testing.T) {
	c := newClock()
	s := store.NewMemory(store.MemoryOptions{Clock: c.Now})
	ctx := context.Background()
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(59 * time.Second)
	if err := s.Update(ctx, "sid", fields("b", "2"), nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute - time.Nanosecond)
	if got := loadAll(t, s, "sid"); got != "a=1 b=2" {
		t.Fatalf("renewed: %s", got)
	}
	c.Advance(time.Nanosecond)
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("expired: %s", got)
	}
	if err := s.Destroy(ctx, "sid", time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Minute); err != nil {
		t.Fatalf("after the tombstone's minute: %v", err)
	}
	// Every field deleted: the session and its memory go.
	if err := s.Update(ctx, "sid", nil, []string{"a"}, time.Minute); err != nil || s.Len() != 0 {
		t.Fatalf("every field deleted: %v, Len %d", err, s.Len())
	}
}

// At a bound the store removes what has expired, then refuses: nothing is evicted.
func TestMemoryBounds(t *testing.T) {
	c := newClock()
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{MaxEntries: 3, Clock: c.Now})
	for i := range 3 {
		if err := s.Update(ctx, fmt.Sprint("s", i), fields("a", "1"), nil, time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, "s3", fields("a", "1"), nil, time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("a fourth session: %v, want ErrFull", err)
	}
	if err := s.Destroy(ctx, "s4", time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("a tombstone where there was nothing: %v, want ErrFull", err)
	}
	// Sessions that exist can still change, and be destroyed (their tombstone takes their place).
	if err := s.Update(ctx, "s0", fields("b", "2"), nil, time.Minute); err != nil {
		t.Fatalf("changing a session at the bound: %v", err)
	}
	if err := s.Destroy(ctx, "s0", time.Hour); err != nil {
		t.Fatalf("destroying a session at the bound: %v", err)
	}
	c.Advance(2 * time.Minute) // s1 expires: room for one
	if err := s.Update(ctx, "s3", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if err := s.Update(ctx, "s5", fields("a", "1"), nil, time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("past the room made by expiry: %v, want ErrFull", err)
	}

	// The byte bound: a session that grows past it is refused, and keeps what it had.
	s = store.NewMemory(store.MemoryOptions{MaxBytes: 1000, Clock: c.Now})
	if err := s.Update(ctx, "big", fields("a", strings.Repeat("x", 500)), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "big", fields("b", strings.Repeat("y", 500)), nil, time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("past MaxBytes: %v, want ErrFull", err)
	}
	if got := loadAll(t, s, "big"); got != "a="+strings.Repeat("x", 500) {
		t.Fatalf("a refused Update changed the session: %.40s...", got)
	}
	// Shrinking needs no room.
	if err := s.Update(ctx, "big", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
}

// Writes remove expired sessions as they go: a store whose sessions keep expiring does not
// grow with the number of sessions ever made.
func TestMemorySweepsAsItWrites(t *testing.T) {
	c := newClock()
	s := store.NewMemory(store.MemoryOptions{Clock: c.Now})
	ctx := context.Background()
	for round := range 50 {
		for i := range 1000 {
			if err := s.Update(ctx, fmt.Sprint(round, "-", i), fields("a", "1"), nil, time.Second); err != nil {
				t.Fatal(err)
			}
		}
		c.Advance(2 * time.Second)
	}
	if n := s.Len(); n > 5000 {
		t.Fatalf("Len = %d after 50 rounds of 1000 short-lived sessions", n)
	}
}
