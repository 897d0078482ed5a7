package revoke

import "sync/atomic"

// table is an open-addressing hash table (linear probing) whose readers take no lock: every
// slot is an atomic pointer to an immutable entry, and a writer (holding its shard's mutex)
// publishes a new entry, or the tombstone for a removed one, with one atomic store. A reader
// thus sees each slot either before or after a write, never half of one. When a write would
// fill more than 3/4 of the slots (live entries plus tombstones), the writer builds a new
// table from the live entries and publishes it in the shard's atomic pointer; readers still
// on the old table see the state before that write, as if they had run just before it.
//
// The usual choice, a Go map under a sync.RWMutex, costs twice as much per check (the read
// lock's atomic add on a shared cache line, and two hashes: one for the shard, one in the map)
// and scales worse on many cores: the benchmarks in bench_test.go measured both.
type table struct {
	slots []atomic.Pointer[entry]
	mask  uint64
	used  int // slots holding an entry or a tombstone (writers only)
}

// entry is one revocation: a "jti" until until, or a subject epoch (tokens issued before at)
// until until. Times are Unix nanoseconds. Entries are never modified once published.
type entry struct {
	hash      uint64
	key       string
	at, until int64
}

// tombstone marks a removed entry: probes go on past it.
var tombstone = new(entry)

const minTableSize = 16

func newTable(size int) *table {
	return &table{slots: make([]atomic.Pointer[entry], size), mask: uint64(size - 1)}
}

// start is the first slot a key with hash h probes. The low bits of h chose the shard.
func (t *table) start(h uint64) uint64 { return (h >> 8) & t.mask }

// find returns the entry for key (whose hash is h), or nil. It takes no lock and allocates
// nothing.
func (t *table) find(h uint64, key []byte) *entry {
	for i, n := t.start(h), uint64(0); n <= t.mask; i, n = (i+1)&t.mask, n+1 {
		e := t.slots[i].Load()
		if e == nil {
			return nil
		}
		if e.hash == h && e != tombstone && e.key == string(key) {
			return e
		}
	}
	return nil
}

// put stores e, replacing the entry with the same key, and reports whether it replaced one.
// It returns false, without storing, when e is new and the table has no room for it under its
// load bound: the caller then rebuilds. The shard's mutex is held.
func (t *table) put(e *entry) (replaced, stored bool) {
	free := -1
	for i, n := t.start(e.hash), uint64(0); n <= t.mask; i, n = (i+1)&t.mask, n+1 {
		cur := t.slots[i].Load()
		if cur == nil {
			if free < 0 {
				if (t.used+1)*4 > len(t.slots)*3 {
					return false, false
				}
				t.used++
				free = int(i)
			}
			break
		}
		if cur == tombstone {
			if free < 0 {
				free = int(i)
			}
			continue
		}
		if cur.hash == e.hash && cur.key == e.key {
			t.slots[i].Store(e)
			return true, true
		}
	}
	if free < 0 { // cannot happen: a quarter of the slots at least are empty
		return false, false
	}
	t.slots[free].Store(e)
	return false, true
}

// rebuilt returns a new table holding the entries of t that have not expired at now, sized so
// that they and one more fill at most 3/8 of it, and the number of entries it dropped.
func (t *table) rebuilt(now int64) (nt *table, dropped int) {
	live := 0
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
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
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil && e != tombstone && e.until > now {
			nt.put(e)
		}
	}
	return nt, dropped
}

// sweep replaces the expired entries among n slots from *cursor with tombstones, advances the
// cursor, and returns how many it removed and the earliest expiry among the entries it kept.
func (t *table) sweep(cursor *uint64, n int, now int64) (removed int, soonest int64) {
	soonest = 1<<63 - 1
	for range min(n, len(t.slots)) {
		i := *cursor & t.mask
		*cursor = i + 1
		e := t.slots[i].Load()
		if e == nil || e == tombstone {
			continue
		}
		if e.until <= now {
			t.slots[i].Store(tombstone)
			removed++
		} else {
			soonest = min(soonest, e.until)
		}
	}
	return removed, soonest
}
