package revoke

import (
	"math/bits"
	"sync/atomic"
)

// table is an open-addressing hash table whose readers take no lock. Its slots come in groups of
// eight (as in Abseil's Swiss tables): each group has a control word, eight one-byte tags in one
// atomic uint64, and eight atomic pointers to immutable entries. A tag holds 7 bits of the
// entry's hash, or marks the slot empty or removed. A lookup probes groups in turn from the one
// its hash picks: it compares its tag with the eight of a group at once, looks at the entries
// whose tags match (with 7 bits, one slot in 128 by chance), and stops at the first group with
// an empty slot, where an entry with its key would have gone.
//
// So a check of a token that no entry names, the common case, reads one control word per table,
// one cache line, where a probe through the pointers would load an entry, a cache miss with many
// entries, for every slot it passes; and the control words of 100 000 entries take 100 KiB.
//
// Writers hold the shard's mutex and publish with atomic stores that a reader sees either
// before or after, never half of one: a new entry's pointer first, then its group's control
// word with its tag (a reader that sees the tag finds the entry); a removal stores the removed
// mark in the control word first, then clears the pointer; a replacement by an entry with the
// same key stores only the pointer. A reader that matched a tag loaded before a slot was reused
// finds another key there and goes on: the full hash and key are compared before an entry is
// taken. A slot never becomes empty again, so a probe never stops short of an entry.
//
// When a write would fill more than 3/4 of the slots (live entries plus removed ones), the
// writer builds a new table from the live entries and publishes it in the shard's atomic
// pointer; readers still on the old table see the state before that write, as if they had run
// just before it.
//
// The usual choice, a Go map under a sync.RWMutex, costs twice as much per check (the read
// lock's atomic add on a shared cache line, and two hashes: one for the shard, one in the map)
// and scales worse on many cores: the benchmarks in bench_test.go measured both.
type table struct {
	ctrl  []atomic.Uint64 // one word of eight tags per group
	slots []atomic.Pointer[entry]
	gmask uint64 // groups - 1
	used  int    // slots holding an entry or a removed mark (writers only)
}

// entry is one revocation: a "jti" until until, or a subject epoch (tokens issued before at)
// until until. Times are Unix nanoseconds. Entries are never modified once published.
type entry struct {
	hash      uint64
	key       string
	at, until int64
}

// The tags of a slot that holds no entry: empty (a probe stops at its group) and removed (a
// probe goes on past it). The tag of an entry has its high bit set, so it is neither.
const (
	tagEmpty   = 0x00
	tagRemoved = 0x01
)

const (
	groupSize    = 8
	minTableSize = 2 * groupSize
	lsb          = 0x0101010101010101
	msb          = 0x8080808080808080
)

// tagOf returns the tag of an entry whose hash is h: its top 7 bits, which neither the shard
// (the low bits) nor the group (bits from 8 up) is chosen by.
func tagOf(h uint64) uint8 { return 0x80 | uint8(h>>57) }

// zeroBytes has the high bit set in each byte of the result where w's byte is zero, and only
// there (exact, unlike the shorter test that may flag the byte above a zero).
func zeroBytes(w uint64) uint64 {
	return ^(((w &^ msb) + ^uint64(msb)) | w) & msb
}

// matchBytes flags the bytes of control word w equal to tag.
func matchBytes(w uint64, tag uint8) uint64 { return zeroBytes(w ^ lsb*uint64(tag)) }

// freeBytes flags the empty and removed slots of control word w.
func freeBytes(w uint64) uint64 { return ^w & msb }

func newTable(size int) *table {
	groups := size / groupSize
	return &table{ctrl: make([]atomic.Uint64, groups), slots: make([]atomic.Pointer[entry], size),
		gmask: uint64(groups - 1)}
}

// group is the first group a key with hash h probes. The low bits of h chose the shard.
func (t *table) group(h uint64) uint64 { return (h >> 8) & t.gmask }

// find returns the entry for key (whose hash is h), or nil. It takes no lock and allocates
// nothing.
func (t *table) find(h uint64, key []byte) *entry {
	return t.findFrom(t.group(h), t.ctrl[t.group(h)].Load(), h, key)
}

// findFrom is find given the first group g and its control word w, which a caller doing two
// lookups loads for both before looking at either, so that their cache misses overlap.
func (t *table) findFrom(g, w, h uint64, key []byte) *entry {
	tag := tagOf(h)
	for n := uint64(0); ; {
		for m := matchBytes(w, tag); m != 0; m &= m - 1 {
			i := g*groupSize + uint64(bits.TrailingZeros64(m)/8)
			if e := t.slots[i].Load(); e != nil && e.hash == h && e.key == string(key) {
				return e
			}
		}
		if zeroBytes(w) != 0 || n == t.gmask {
			return nil
		}
		g, n = (g+1)&t.gmask, n+1
		w = t.ctrl[g].Load()
	}
}

// setTag stores tag as the tag of slot i. The shard's mutex is held: only writers change
// control words, so the rest of the word is unchanged.
func (t *table) setTag(i uint64, tag uint8) {
	c := &t.ctrl[i/groupSize]
	shift := 8 * (i % groupSize)
	c.Store(c.Load()&^(0xff<<shift) | uint64(tag)<<shift)
}

// tagAt returns the tag of slot i.
func (t *table) tagAt(i uint64) uint8 {
	return uint8(t.ctrl[i/groupSize].Load() >> (8 * (i % groupSize)))
}

// put stores e, replacing the entry with the same key, and reports whether it replaced one.
// It returns false, without storing, when e is new and the table has no room for it under its
// load bound: the caller then rebuilds. The shard's mutex is held.
func (t *table) put(e *entry) (replaced, stored bool) {
	tag := tagOf(e.hash)
	free := int64(-1)
	g := t.group(e.hash)
	for n := uint64(0); n <= t.gmask; g, n = (g+1)&t.gmask, n+1 {
		w := t.ctrl[g].Load()
		for m := matchBytes(w, tag); m != 0; m &= m - 1 {
			i := g*groupSize + uint64(bits.TrailingZeros64(m)/8)
			if cur := t.slots[i].Load(); cur != nil && cur.hash == e.hash && cur.key == e.key {
				t.slots[i].Store(e)
				return true, true
			}
		}
		if m := freeBytes(w); free < 0 && m != 0 {
			free = int64(g*groupSize) + int64(bits.TrailingZeros64(m)/8)
		}
		if zeroBytes(w) != 0 {
			break
		}
	}
	if free < 0 { // cannot happen: a quarter of the slots at least are empty
		return false, false
	}
	i := uint64(free)
	if t.tagAt(i) == tagEmpty {
		if (t.used+1)*4 > len(t.slots)*3 {
			return false, false
		}
		t.used++
	}
	t.slots[i].Store(e) // the pointer first: a reader that sees the tag finds the entry
	t.setTag(i, tag)
	return false, true
}

// remove marks slot i removed. The shard's mutex is held.
func (t *table) remove(i uint64) {
	t.setTag(i, tagRemoved) // the tag first: a reader that sees it no more looks at the slot
	t.slots[i].Store(nil)
}

// live returns the entry in slot i, or nil when it holds none.
func (t *table) live(i uint64) *entry {
	if t.tagAt(i) < 0x80 {
		return nil
	}
	return t.slots[i].Load()
}

// rebuilt returns a new table holding the entries of t that have not expired at now, sized so
// that they and one more fill at most 3/8 of it, and the number of entries it dropped.
func (t *table) rebuilt(now int64) (nt *table, dropped int) {
	live := 0
	for i := range uint64(len(t.slots)) {
		if e := t.live(i); e != nil {
			if e.until > now {
				live++
			} else {
				dropped++
			}
		}
	}
	size := minTableSize
	for size*3 < (live+1)*8 {
		size *= 2
	}
	nt = newTable(size)
	for i := range uint64(len(t.slots)) {
		if e := t.live(i); e != nil && e.until > now {
			nt.put(e)
		}
	}
	return nt, dropped
}

// sweep removes the expired entries among n slots from *cursor, advances the cursor, and
// returns how many it removed and the earliest expiry among the entries it kept.
func (t *table) sweep(cursor *uint64, n int, now int64) (removed int, soonest int64) {
	soonest = 1<<63 - 1
	mask := uint64(len(t.slots) - 1)
	for range min(n, len(t.slots)) {
		i := *cursor & mask
		*cursor = i + 1
		e := t.live(i)
		if e == nil {
			continue
		}
		if e.until <= now {
			t.remove(i)
			removed++
		} else {
			soonest = min(soonest, e.until)
		}
	}
	return removed, soonest
}
