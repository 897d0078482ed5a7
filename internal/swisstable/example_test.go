package swisstable_test

import (
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/fastjwt/session/internal/swisstable"
)

// Readers call Find with no lock; writers hold a mutex, and publish a rebuilt table when Put
// finds no room.
func Example() {
	seed := maphash.MakeSeed()
	var mu sync.Mutex
	t := swisstable.New[int](swisstable.MinSize)
	for i, k := range []string{"alice", "bob", "carol"} {
		h := maphash.String(seed, k)
		mu.Lock()
		if _, stored := t.Put(&swisstable.Entry[int]{Hash: h, Key: k, Val: i}); !stored {
			t, _ = t.Rebuilt(func(*swisstable.Entry[int]) bool { return true })
			t.Put(&swisstable.Entry[int]{Hash: h, Key: k, Val: i})
		}
		mu.Unlock()
	}
	e := t.Find(maphash.String(seed, "bob"), []byte("bob"))
	fmt.Println(e.Key, e.Val, t.Find(maphash.String(seed, "dave"), []byte("dave")) == nil)
	// Output: bob 1 true
}
