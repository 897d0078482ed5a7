// Package swisstable is a hash table of immutable entries whose readers take no lock and
// allocate nothing, for the checks done on every verify: the in-memory revocation list
// (package revoke) and the Redis list's cache of answers (package redisstore).
//
// Its slots come in groups of eight, as in Abseil's Swiss tables: each group has a control
// word, eight one-byte tags in one atomic uint64, and eight atomic pointers to entries. A tag
// holds 7 bits of the entry's hash, or marks the slot empty or removed. A lookup probes groups in
// turn from the one its hash picks: it compares its tag with the eight of a group at once, looks
// at the entries whose tags match (with 7 bits, one slot in 128 by chance), and stops at the
// first group with an empty slot, where an entry with its key would have gone. So a lookup of a
// key the table does not hold, the common case of a revocation check, reads one control word,
// one cache line, where a probe through the pointers would load an entry (a cache miss in a
// large table) for every slot it passes.
//
// Writers are serialized by the caller (a mutex per table) and publish with atomic stores that
// a reader sees either before or after, never half of one: a new entry's pointer first, then
// its group's control word with its tag (a reader that sees the tag finds the entry); a removal
// stores the removed mark in the control word first, then clears the pointer; a replacement by
// an entry with the same key stores only the pointer. A reader that matched a tag loaded before
// a slot was reused finds another key there and goes on: the full hash and key are compared
// before an entry is taken. A slot never becomes empty again, so a probe never stops short of
// an entry.
//
// A table never grows: when a write would fill more than 3/4 of its slots (live entries plus
// removed ones), Put refuses it, and the writer builds a larger table with Rebuilt and publishes
// it in an atomic pointer; readers still on the old table see the state before that write, as
// if they had run just before it.
//
// The hash must be keyed (hash/maphash with a random seed), so that no client can choose keys
// that share a group. The table uses bits 8 to 56 of it for the group and the top 7 for the
// tag; the caller may use the low 8 bits to pick one of several tables (shards).
package swisstable

import (
	"math/bits"
	"sync/atomic"
)

// Entry is one entry: its key's hash, its key and its value. Entries are never modified once
// given to Put.
type Entry[V any] struct {
	Hash uint64
	Key  string
	Val  V
}

// Table is the hash table. Its methods that read (Find, Begin, End, Slots, At) are safe for
// concurrent use with each other and with one writer; the others (Put, Remove, Delete) need
// the caller's lock.
type Table[V any] struct {
	ctrl  []atomic.Uint64 // one word of eight tags per group
	slots []atomic.Pointer[Entry[V]]
	gmask uint64 // groups - 1
	used  int    // slots holding an entry or a removed mark (writers only)
}

// The tags of a slot that holds no entry: empty (a probe stops at its group) and removed (a
// probe goes on past it). The tag of an entry has its high bit set, so it is neither.
const (
	tagEmpty   = 0x00
	tagRemoved = 0x01
)

const (
	groupSize = 8
	// MinSize is the size of the smallest table.
	MinSize = 2 * groupSize
	lsb     = 0x0101010101010101
	msb     = 0x8080808080808080
)

// tagOf returns the tag of an entry whose hash is h: its top 7 bits, which neither the caller's
// shard (the low bits) nor the group (bits from 8 up) is chosen by.
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

// New returns an empty table of size slots, a power of two of at least MinSize.
func New[V any](size int) *Table[V] {
	size = max(size, MinSize)
	groups := size / groupSize
	return &Table[V]{ctrl: make([]atomic.Uint64, groups), slots: make([]atomic.Pointer[Entry[V]], size),
		gmask: uint64(groups - 1)}
}

// SizeFor returns the size of the smallest table in which n entries fill at most half of the
// slots: room to grow by half as many again before Put refuses at 3/4. (Sizing for 3/8, as
// before, made a table of 1,537 entries 8,192 slots where 4,096 hold them at 38%: twice the
// memory a lookup's control words are spread over.)
func SizeFor(n int) int {
	size := MinSize
	for size < n*2 {
		size *= 2
	}
	return size
}

// Probe is a lookup begun by Begin: the hash, the first group and its control word.
type Probe struct{ h, g, w uint64 }

// Begin starts the lookup of a key whose hash is h: it loads the first control word, the one
// load of a lookup likely to miss the CPU's caches. A caller making two lookups begins both
// before ending either, so that the CPU waits for both loads at once.
func (t *Table[V]) Begin(h uint64) Probe {
	g := (h >> 8) & t.gmask
	return Probe{h: h, g: g, w: t.ctrl[g].Load()}
}

// End finishes the lookup p of key: its entry, or nil.
func (t *Table[V]) End(p Probe, key []byte) *Entry[V] {
	tag := tagOf(p.h)
	g, w := p.g, p.w
	for n := uint64(0); ; {
		for m := matchBytes(w, tag); m != 0; m &= m - 1 {
			i := g*groupSize + uint64(bits.TrailingZeros64(m)/8)
			if e := t.slots[i].Load(); e != nil && e.Hash == p.h && e.Key == string(key) {
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

// Find returns the entry for key (whose hash is h), or nil.
func (t *Table[V]) Find(h uint64, key []byte) *Entry[V] { return t.End(t.Begin(h), key) }

// slotOf returns the slot of the entry for key (whose hash is h), or -1.
func (t *Table[V]) slotOf(h uint64, key string) int {
	tag := tagOf(h)
	g := (h >> 8) & t.gmask
	for n := uint64(0); n <= t.gmask; g, n = (g+1)&t.gmask, n+1 {
		w := t.ctrl[g].Load()
		for m := matchBytes(w, tag); m != 0; m &= m - 1 {
			i := g*groupSize + uint64(bits.TrailingZeros64(m)/8)
			if e := t.slots[i].Load(); e != nil && e.Hash == h && e.Key == key {
				return int(i)
			}
		}
		if zeroBytes(w) != 0 {
			break
		}
	}
	return -1
}

// setTag stores tag as the tag of slot i. Only writers change control words, one at a time, so
// the rest of the word is unchanged.
func (t *Table[V]) setTag(i uint64, tag uint8) {
	c := &t.ctrl[i/groupSize]
	shift := 8 * (i % groupSize)
	c.Store(c.Load()&^(0xff<<shift) | uint64(tag)<<shift)
}

// tagAt returns the tag of slot i.
func (t *Table[V]) tagAt(i uint64) uint8 {
	return uint8(t.ctrl[i/groupSize].Load() >> (8 * (i % groupSize)))
}

// Put stores e, replacing the entry with the same key, and reports whether it replaced one. It
// returns false, without storing, when e is new and the table has no room for it under its load
// bound: the caller then rebuilds. The caller holds the writers' lock.
func (t *Table[V]) Put(e *Entry[V]) (replaced, stored bool) {
	tag := tagOf(e.Hash)
	free := int64(-1)
	g := (e.Hash >> 8) & t.gmask
	for n := uint64(0); n <= t.gmask; g, n = (g+1)&t.gmask, n+1 {
		w := t.ctrl[g].Load()
		for m := matchBytes(w, tag); m != 0; m &= m - 1 {
			i := g*groupSize + uint64(bits.TrailingZeros64(m)/8)
			if cur := t.slots[i].Load(); cur != nil && cur.Hash == e.Hash && cur.Key == e.Key {
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

// Remove removes the entry in slot i, if any. The caller holds the writers' lock.
func (t *Table[V]) Remove(i int) {
	if t.tagAt(uint64(i)) < 0x80 {
		return
	}
	t.setTag(uint64(i), tagRemoved) // the tag first: a reader that sees it no more looks at the slot
	t.slots[i].Store(nil)
}

// Delete removes the entry for key (whose hash is h) and reports whether there was one. The
// caller holds the writers' lock.
func (t *Table[V]) Delete(h uint64, key string) bool {
	i := t.slotOf(h, key)
	if i >= 0 {
		t.Remove(i)
	}
	return i >= 0
}

// Slots returns the number of slots, for walking them with At.
func (t *Table[V]) Slots() int { return len(t.slots) }

// At returns the entry in slot i, or nil when it holds none.
func (t *Table[V]) At(i int) *Entry[V] {
	if t.tagAt(uint64(i)) < 0x80 {
		return nil
	}
	return t.slots[i].Load()
}

// Rebuilt returns a new table holding the entries of t for which keep is true, sized by SizeFor
// for them and one more, and the number of entries it left out. The caller holds the writers'
// lock.
func (t *Table[V]) Rebuilt(keep func(*Entry[V]) bool) (nt *Table[V], dropped int) {
	live := 0
	for i := range t.slots {
		if e := t.At(i); e != nil {
			if keep(e) {
				live++
			} else {
				dropped++
			}
		}
	}
	nt = New[V](SizeFor(live + 1))
	for i := range t.slots {
		if e := t.At(i); e != nil && keep(e) {
			nt.Put(e)
		}
	}
	return nt, dropped
}
