package session_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/fastjwt/session"
)

// storeClock is a settable clock for a MemoryStore.
type storeClock struct{ ns atomic.Int64 }

func newStoreClock() *storeClock {
	c := &storeClock{}
	c.ns.Store(time.Unix(1700000000, 0).UnixNano())
	return c
}
func (c *storeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *storeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// loadAll returns a session's fields as "name=value" in name order, or "absent".
func loadAll(tb testing.TB, s session.Store, id string) string {
	tb.Helper()
	var fs []string
	found, err := s.Load(context.Background(), id, func(name string, value []byte) {
		fs = append(fs, name+"="+string(value))
	})
	if err != nil {
		tb.Fatalf("Load(%q): %v", id, err)
	}
	if !found {
		if len(fs) != 0 {
			tb.Fatalf("Load(%q): not found, yet fields %v", id, fs)
		}
		return "absent"
	}
	sort.Strings(fs)
	return strings.Join(fs, " ")
}

func fields(kv ...string) []session.Field {
	var fs []session.Field
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, session.Field{Name: kv[i], Value: []byte(kv[i+1])})
	}
	return fs
}

func TestMemoryStoreRoundTrip(t *testing.T) {
	c := newStoreClock()
	s := session.NewMemoryStore(session.MemoryStoreOptions{Clock: c.Now})
	ctx := context.Background()
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("new store: %s", got)
	}
	val := []byte("1")
	if err := s.Update(ctx, "sid", []session.Field{{Name: "count", Value: val}, {Name: "user", Value: []byte(`"ann"`)}}, nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	val[0] = '9' // the store copied the value
	if got := loadAll(t, s, "sid"); got != `count=1 user="ann"` {
		t.Fatalf("after the first Update: %s", got)
	}
	// Only what changed: set one, delete another, the rest stays.
	if err := s.Update(ctx, "sid", fields("count", "2", "cart", "[]"), []string{"user", "never-set"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "cart=[] count=2" {
		t.Fatalf("after the second Update: %s", got)
	}
	// A name in set and in del is set; a later duplicate in set wins.
	if err := s.Update(ctx, "sid", fields("x", "1", "x", "2"), []string{"x"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "cart=[] count=2 x=2" {
		t.Fatalf("set and del of one name: %s", got)
	}
	if got := loadAll(t, s, "other"); got != "absent" {
		t.Fatalf("another id: %s", got)
	}
	// Deleting every field removes the session, as in Redis.
	if err := s.Update(ctx, "sid", nil, []string{"cart", "count", "x"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "absent" || s.Len() != 0 {
		t.Fatalf("every field deleted: %s, Len %d", got, s.Len())
	}
	// The longest ttl does not overflow into the past.
	if err := s.Update(ctx, "forever", fields("a", "1"), nil, time.Duration(math.MaxInt64)); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "forever"); got != "a=1" {
		t.Fatalf("the longest ttl: %s", got)
	}
	if err := s.Update(ctx, "", fields("a", "1"), nil, time.Hour); err == nil {
		t.Fatal("an empty id was accepted")
	}
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, 0); err == nil {
		t.Fatal("a zero ttl was accepted")
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	c := newStoreClock()
	s := session.NewMemoryStore(session.MemoryStoreOptions{Clock: c.Now})
	ctx := context.Background()
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(59 * time.Second)
	// Every Update sets the expiry from now.
	if err := s.Update(ctx, "sid", fields("b", "2"), nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(59 * time.Second)
	if got := loadAll(t, s, "sid"); got != "a=1 b=2" {
		t.Fatalf("renewed: %s", got)
	}
	c.Advance(time.Second)
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("expired: %s", got)
	}
	// An Update after expiry starts anew: the old fields are gone.
	if err := s.Update(ctx, "sid", fields("c", "3"), nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "c=3" {
		t.Fatalf("after expiry: %s", got)
	}
}

// A destroyed session stays destroyed for the tombstone's life: a slower request's Update
// cannot resurrect it.
func TestMemoryStoreTombstone(t *testing.T) {
	c := newStoreClock()
	s := session.NewMemoryStore(session.MemoryStoreOptions{Clock: c.Now})
	ctx := context.Background()
	if err := s.Update(ctx, "sid", fields("user", `"ann"`), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "sid", 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("destroyed: %s", got)
	}
	if err := s.Update(ctx, "sid", fields("count", "5"), nil, time.Hour); !errors.Is(err, session.ErrDestroyed) {
		t.Fatalf("a late Update: %v, want ErrDestroyed", err)
	}
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("after the late Update: %s", got)
	}
	// Destroying a session the store never had leaves a tombstone too.
	if err := s.Destroy(ctx, "unknown", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "unknown", fields("a", "1"), nil, time.Hour); !errors.Is(err, session.ErrDestroyed) {
		t.Fatalf("Update after Destroy of an unknown id: %v, want ErrDestroyed", err)
	}
	// The tombstone ends with the token's life; the id could then be used again.
	c.Advance(30 * time.Minute)
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatalf("after the tombstone expired: %v", err)
	}
	// A ttl that is not positive: the session is removed, no tombstone.
	if err := s.Destroy(ctx, "sid", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatalf("after a Destroy without tombstone: %v", err)
	}
}

// Two requests of one session that change different names at the same time both survive,
// and a Destroy racing with Updates always wins once it has returned (run with -race).
func TestMemoryStoreConcurrentUpdates(t *testing.T) {
	s := session.NewMemoryStore(session.MemoryStoreOptions{})
	ctx := context.Background()
	const writers, rounds = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				name := fmt.Sprintf("w%d", w)
				if err := s.Update(ctx, "shared", fields(name, fmt.Sprint(i)), nil, time.Hour); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Load(ctx, "shared", func(string, []byte) {}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	want := make([]string, writers)
	for w := range writers {
		want[w] = fmt.Sprintf("w%d=%d", w, rounds-1)
	}
	sort.Strings(want)
	if got := loadAll(t, s, "shared"); got != strings.Join(want, " ") {
		t.Fatalf("after concurrent Updates: %s", got)
	}

	// Destroy while Updates run: after Destroy returns, every Update fails and the session
	// stays absent.
	var destroyed atomic.Bool
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				after := destroyed.Load()
				err := s.Update(ctx, "shared", fields(fmt.Sprint("v", w), "1"), nil, time.Hour)
				if after && !errors.Is(err, session.ErrDestroyed) {
					t.Errorf("an Update after Destroy returned: %v", err)
					return
				}
				if errors.Is(err, session.ErrDestroyed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := s.Destroy(ctx, "shared", time.Hour); err != nil {
		t.Fatal(err)
	}
	destroyed.Store(true)
	wg.Wait()
	if got := loadAll(t, s, "shared"); got != "absent" {
		t.Fatalf("after Destroy: %s", got)
	}
}

// At a bound the store removes what has expired, then refuses: nothing is evicted.
func TestMemoryStoreBounds(t *testing.T) {
	c := newStoreClock()
	ctx := context.Background()
	s := session.NewMemoryStore(session.MemoryStoreOptions{MaxEntries: 3, Clock: c.Now})
	for i := range 3 {
		if err := s.Update(ctx, fmt.Sprint("s", i), fields("a", "1"), nil, time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, "s3", fields("a", "1"), nil, time.Hour); !errors.Is(err, session.ErrStoreFull) {
		t.Fatalf("a fourth session: %v, want ErrStoreFull", err)
	}
	if err := s.Destroy(ctx, "s4", time.Hour); !errors.Is(err, session.ErrStoreFull) {
		t.Fatalf("a tombstone where there was nothing: %v, want ErrStoreFull", err)
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
	if err := s.Update(ctx, "s5", fields("a", "1"), nil, time.Hour); !errors.Is(err, session.ErrStoreFull) {
		t.Fatalf("past the room made by expiry: %v, want ErrStoreFull", err)
	}

	// The byte bound: a session that grows past it is refused, and keeps what it had.
	s = session.NewMemoryStore(session.MemoryStoreOptions{MaxBytes: 1000, Clock: c.Now})
	if err := s.Update(ctx, "big", fields("a", strings.Repeat("x", 500)), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "big", fields("b", strings.Repeat("y", 500)), nil, time.Hour); !errors.Is(err, session.ErrStoreFull) {
		t.Fatalf("past MaxBytes: %v, want ErrStoreFull", err)
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
func TestMemoryStoreSweepsAsItWrites(t *testing.T) {
	c := newStoreClock()
	s := session.NewMemoryStore(session.MemoryStoreOptions{Clock: c.Now})
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

// A request changes one field of its session; a later request reads them all. Logging out
// leaves a tombstone, so a slower request cannot bring the session back.
func ExampleNewMemoryStore() {
	store := session.NewMemoryStore(session.MemoryStoreOptions{})
	ctx := context.Background()
	_ = store.Update(ctx, "3q2-7w", []session.Field{{Name: "user", Value: []byte(`"ann"`)}}, nil, time.Hour)
	_ = store.Update(ctx, "3q2-7w", []session.Field{{Name: "count", Value: []byte("1")}}, nil, time.Hour)

	found, err := store.Load(ctx, "3q2-7w", func(name string, value []byte) {
		fmt.Printf("%s=%s\n", name, value)
	})
	fmt.Println(found, err)

	_ = store.Destroy(ctx, "3q2-7w", time.Hour)
	err = store.Update(ctx, "3q2-7w", []session.Field{{Name: "count", Value: []byte("2")}}, nil, time.Hour)
	fmt.Println(errors.Is(err, session.ErrDestroyed))
	// Output:
	// user="ann"
	// count=1
	// true <nil>
	// true
}
