package swisstable

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// The table is tested here with hashes chosen by the test, so that keys collide at will: same
// group, same tag, same everything but the key.

// hashIn returns a hash whose first group in a table of size slots is g and whose tag is
// 0x80|tag7. The shard bits (the low 8) are left zero.
func hashIn(g uint64, tag7 uint8) uint64 { return uint64(tag7)<<57 | g<<8 }

// entry is the entry of the tests: its value is an expiry.
type entry = Entry[int64]

func mustFind(t *testing.T, tb *Table[int64], h uint64, key string, want bool) {
	t.Helper()
	e := tb.Find(h, []byte(key))
	if (e != nil) != want {
		t.Fatalf("Find(%q) = %v, want found %v", key, e, want)
	}
	if e != nil && e.Key != key {
		t.Fatalf("Find(%q) returned the entry of %q", key, e.Key)
	}
}

func TestTableCollisions(t *testing.T) {
	tb := New[int64](64) // 8 groups of 8
	h := hashIn(3, 5)    // every key: group 3, the same tag, the same hash
	const n = 40         // five groups' worth: probes cross groups and wrap around
	for i := range n {
		e := &entry{Hash: h, Key: fmt.Sprint("k", i), Val: 100}
		if replaced, stored := tb.Put(e); replaced || !stored {
			t.Fatalf("put k%d: replaced %v, stored %v", i, replaced, stored)
		}
	}
	for i := range n {
		mustFind(t, tb, h, fmt.Sprint("k", i), true)
	}
	mustFind(t, tb, h, "absent", false)
	mustFind(t, tb, hashIn(3, 6), "k1", false) // another tag: not this entry
	// Replacing keeps one entry per key.
	if replaced, stored := tb.Put(&entry{Hash: h, Key: "k7", Val: 200}); !replaced || !stored {
		t.Fatalf("put k7 again: replaced %v, stored %v", replaced, stored)
	}
	if e := tb.Find(h, []byte("k7")); e == nil || e.Val != 200 {
		t.Fatalf("k7 after replacement: %+v", e)
	}
	// Remove every other entry: the rest are still found past the removed slots, and a new
	// key reuses a removed slot without growing the count of used slots.
	for i := range tb.Slots() {
		if e := tb.At(i); e != nil && e.Key[1]%2 == 0 {
			tb.Remove(i)
		}
	}
	for i := range n {
		k := fmt.Sprint("k", i)
		mustFind(t, tb, h, k, k[1]%2 != 0)
	}
	used := tb.used
	if _, stored := tb.Put(&entry{Hash: h, Key: "new", Val: 100}); !stored {
		t.Fatal("put into a removed slot failed")
	}
	if tb.used != used {
		t.Fatalf("used %d -> %d: a removed slot was not reused", used, tb.used)
	}
	mustFind(t, tb, h, "new", true)
}

func TestTableLoadBound(t *testing.T) {
	tb := New[int64](MinSize)
	stored := 0
	for i := range 100 {
		h := rand.Uint64() &^ 0xff
		if _, ok := tb.Put(&entry{Hash: h, Key: fmt.Sprint(i), Val: 100}); !ok {
			break
		}
		stored++
	}
	if stored != MinSize*3/4 {
		t.Fatalf("stored %d entries in %d slots, want %d (3/4)", stored, MinSize, MinSize*3/4)
	}
	nt, dropped := tb.Rebuilt(func(*entry) bool { return true })
	if dropped != 0 || nt.Slots() < (stored+1)*2 {
		t.Fatalf("Rebuilt: %d slots, %d dropped", nt.Slots(), dropped)
	}
	for i := range tb.Slots() {
		if e := tb.At(i); e != nil {
			mustFind(t, nt, e.Hash, e.Key, true)
		}
	}
	nt, dropped = tb.Rebuilt(func(*entry) bool { return false })
	if dropped != stored || nt.Slots() != MinSize {
		t.Fatalf("Rebuilt keeping none: %d slots, %d dropped", nt.Slots(), dropped)
	}
}

// A model check: random puts, removals and lookups on a small table with few distinct hashes,
// compared with a map.
func TestTableModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tb := New[int64](128)
	model := map[string]uint64{}
	hashes := []uint64{hashIn(0, 1), hashIn(0, 2), hashIn(7, 1), hashIn(15, 1), hashIn(15, 9)}
	hashOf := func(k string) uint64 { return hashes[int(k[0])%len(hashes)] }
	for step := range 20000 {
		k := string(rune('a' + r.IntN(40)))
		switch r.IntN(3) {
		case 0:
			if _, ok := tb.Put(&entry{Hash: hashOf(k), Key: k, Val: 1}); ok {
				model[k] = hashOf(k)
			} else if _, had := model[k]; had {
				t.Fatalf("step %d: put of an existing key failed", step)
			}
		case 1:
			if tb.Delete(hashOf(k), k) {
				delete(model, k)
			} else if _, had := model[k]; had {
				t.Fatalf("step %d: Delete of an existing key found nothing", step)
			}
		case 2:
			_, want := model[k]
			mustFind(t, tb, hashOf(k), k, want)
		}
	}
}

// Readers never miss an entry that stays, while a writer adds, replaces and removes others that
// share its hash and its groups (run with -race).
func TestTableConcurrent(t *testing.T) {
	tb := New[int64](256)
	var mu sync.Mutex // the shard's mutex: writers only
	h := hashIn(2, 3)
	const stay = 6
	for i := range stay {
		tb.Put(&entry{Hash: h, Key: fmt.Sprint("stay", i), Val: 1})
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				k := fmt.Sprint("stay", (n+r)%stay)
				if e := tb.Find(h, []byte(k)); e == nil || e.Key != k {
					t.Errorf("reader %d: %s not found (%v)", r, k, e)
					return
				}
			}
		}()
	}
	for round := range 2000 {
		mu.Lock()
		for i := range 8 {
			tb.Put(&entry{Hash: h, Key: fmt.Sprint("churn", i), Val: int64(round)})
		}
		for i := range tb.Slots() {
			if e := tb.At(i); e != nil && e.Key[0] == 'c' && (round+i)%3 == 0 {
				tb.Remove(i)
			}
		}
		mu.Unlock()
	}
	stop.Store(true)
	wg.Wait()
}
