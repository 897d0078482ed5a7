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

// A flood of provisional sessions (Create: ids made up by requests without a cookie) fills
// only their budget, evicting its own oldest: the sessions that came back stay, and a login's
// write (an Update of a new id, as Session.Regenerate makes) still finds room. Before
// provisional sessions had a budget, the flood filled the store and that write was ErrFull.
func TestMemoryFloodOfProvisionalSessions(t *testing.T) {
	c := newClock()
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{MaxEntries: 40, Clock: c.Now}) // MaxProvisional: 10
	for i := range 5 {
		if err := s.Update(ctx, fmt.Sprint("back", i), fields("a", "1"), nil, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	const flood = 11 // the provisional budget + 10%
	for i := range flood {
		if err := s.Create(ctx, fmt.Sprint("anon", i), fields("counter", "1"), time.Hour); err != nil {
			t.Fatalf("provisional session %d: %v", i, err)
		}
	}
	if s.Len() != 15 || s.Provisional() != 10 {
		t.Fatalf("after the flood: Len %d, Provisional %d; want 15 and 10", s.Len(), s.Provisional())
	}
	if got := loadAll(t, s, "anon0"); got != "absent" {
		t.Errorf("the oldest provisional session: %s, want it evicted", got)
	}
	for i := range 5 {
		if got := loadAll(t, s, fmt.Sprint("back", i)); got != "a=1" {
			t.Errorf("back%d after the flood: %s", i, got)
		}
	}
	if err := s.Update(ctx, "login", fields("sub", `"ann"`), nil, time.Hour); err != nil {
		t.Fatalf("a login after the flood: %v", err)
	}
	if err := s.Update(ctx, "back0", fields("a", "2"), nil, time.Hour); err != nil {
		t.Fatalf("a returning session's write after the flood: %v", err)
	}

	// At the store's own bound, ordinary sessions take the room of provisional ones, oldest
	// first; with none left, ErrFull, and no ordinary session is evicted.
	for i := range 24 {
		if err := s.Update(ctx, fmt.Sprint("user", i), fields("a", "1"), nil, time.Hour); err != nil {
			t.Fatalf("user%d: %v", i, err)
		}
	}
	if s.Len() != 40 || s.Provisional() != 10 {
		t.Fatalf("full: Len %d, Provisional %d; want 40 and 10", s.Len(), s.Provisional())
	}
	for i := range 10 {
		if err := s.Update(ctx, fmt.Sprint("late", i), fields("a", "1"), nil, time.Hour); err != nil {
			t.Fatalf("late%d, with provisional sessions to evict: %v", i, err)
		}
	}
	if s.Len() != 40 || s.Provisional() != 0 {
		t.Fatalf("provisional sessions evicted: Len %d, Provisional %d; want 40 and 0", s.Len(), s.Provisional())
	}
	if err := s.Update(ctx, "one-more", fields("a", "1"), nil, time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("full of ordinary sessions: %v, want ErrFull", err)
	}
	if err := s.Create(ctx, "anon-more", fields("a", "1"), time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("a provisional session in a store full of ordinary ones: %v, want ErrFull", err)
	}
	for _, id := range []string{"back0", "login", "user0", "late9"} {
		if got := loadAll(t, s, id); got == "absent" {
			t.Errorf("%s was evicted", id)
		}
	}
}

// The byte budget of provisional sessions works as their count: the oldest go; a session too
// large for the whole budget is refused, evicting nothing.
func TestMemoryProvisionalBytes(t *testing.T) {
	c := newClock()
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{MaxBytes: 4000, Clock: c.Now}) // MaxProvisionalBytes: 1000
	big := strings.Repeat("x", 300)                                         // 300 + 32 + 64 + the id's bytes
	for i := range 3 {
		if err := s.Create(ctx, fmt.Sprint("p", i), fields("a", big), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if s.Provisional() != 2 || loadAll(t, s, "p0") != "absent" {
		t.Fatalf("Provisional %d, p0 %s; want 2 and p0 evicted", s.Provisional(), loadAll(t, s, "p0"))
	}
	if err := s.Create(ctx, "huge", fields("a", strings.Repeat("x", 1000)), time.Hour); !errors.Is(err, store.ErrFull) {
		t.Fatalf("a provisional session over the byte budget: %v, want ErrFull", err)
	}
	if s.Provisional() != 2 {
		t.Fatalf("the refused session evicted others: Provisional %d, want 2", s.Provisional())
	}
}

// A provisional session lasts ProvisionalLifetime at most; a Load or an Update makes it an
// ordinary session that lasts the ttl its Create (or the Update) gave, and leaves the budget.
func TestMemoryProvisionalLifetime(t *testing.T) {
	c := newClock()
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{ProvisionalLifetime: time.Minute, Clock: c.Now})
	for _, id := range []string{"idle", "loaded", "updated", "alive"} {
		if err := s.Create(ctx, id, fields("a", "1"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(30 * time.Second)
	if got := loadAll(t, s, "loaded"); got != "a=1" {
		t.Fatalf("loaded: %s", got)
	}
	if err := s.Update(ctx, "updated", fields("b", "2"), nil, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	// A request that reads only token fields asks Alive: its client came back too.
	if ok, err := s.Alive(ctx, "alive"); err != nil || !ok {
		t.Fatalf("Alive of a created session: %v, %v", ok, err)
	}
	if s.Provisional() != 1 {
		t.Fatalf("Provisional %d, want 1 (idle)", s.Provisional())
	}
	c.Advance(30 * time.Second)
	if got := loadAll(t, s, "idle"); got != "absent" {
		t.Errorf("idle after ProvisionalLifetime: %s, want absent", got)
	}
	c.Advance(time.Hour - 30*time.Second - time.Nanosecond)
	if got := loadAll(t, s, "loaded"); got != "a=1" {
		t.Errorf("loaded, just before its hour from the Load: %s", got)
	}
	c.Advance(time.Nanosecond)
	if got := loadAll(t, s, "loaded"); got != "absent" {
		t.Errorf("loaded, an hour after the Load: %s, want absent", got)
	}
	if got := loadAll(t, s, "updated"); got != "a=1 b=2" {
		t.Errorf("updated, within the two hours of its Update: %s", got)
	}
	if ok, _ := s.Alive(ctx, "alive"); ok {
		t.Errorf("alive, an hour after its Alive: still there")
	}
}

// Concurrent floods, returning sessions and promotions keep the bounds and the list of
// provisional sessions consistent, and never evict an ordinary session.
func TestMemoryConcurrentFlood(t *testing.T) {
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{MaxEntries: 64, MaxProvisional: 16})
	for i := range 8 {
		if err := s.Update(ctx, fmt.Sprint("back", i), fields("a", "1"), nil, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	var failed atomic.Int64
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 2000 {
				id := fmt.Sprint("w", w, "-", i)
				if err := s.Create(ctx, id, fields("a", "1"), time.Hour); err != nil {
					failed.Add(1)
				}
				switch i % 7 {
				case 0:
					s.Load(ctx, fmt.Sprint("w", w, "-", i/2), func(string, []byte) {})
				case 3:
					s.Update(ctx, fmt.Sprint("w", w, "-", i-1), fields("b", "2"), nil, time.Hour)
				case 5:
					s.Destroy(ctx, fmt.Sprint("w", w, "-", i-2), time.Hour)
				}
				if p := s.Provisional(); p > 16 {
					t.Errorf("Provisional %d: past its bound, 16", p)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if n := s.Len(); n > 64 { // during the writes, Len may count one being refused
		t.Errorf("Len %d: past MaxEntries, 64", n)
	}
	if listed, stray := s.ProvisionalListed(); listed != s.Provisional() || stray != 0 {
		t.Errorf("the provisional list holds %d (%d stray), Provisional says %d", listed, stray, s.Provisional())
	}
	for i := range 8 {
		if got := loadAll(t, s, fmt.Sprint("back", i)); got != "a=1" {
			t.Errorf("back%d: %s", i, got)
		}
	}
	t.Logf("Creates refused (the store full of ordinary sessions and tombstones): %d", failed.Load())
}
