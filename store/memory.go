package store

import (
	"context"
	"errors"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of a Memory when MemoryOptions leaves them zero.
const (
	// DefaultMaxEntries is the number of sessions and tombstones a Memory holds:
	// 1<<18, about 262,144.
	DefaultMaxEntries = 1 << 18
	// DefaultMaxBytes is the size of the data a Memory holds, as it counts it (see
	// MemoryOptions.MaxBytes): 256 MiB.
	DefaultMaxBytes = 256 << 20
)

// ErrFull: a Memory is at one of its bounds, with nothing expired to remove, so an
// Update that needed room (a new session, or more data) or a Destroy that needed a new tombstone
// was refused. Nothing was changed; the caller fails as for any store error (503), and no
// session is ever evicted to make room.
var ErrFull = errors.New("store: the memory store is full")

// MemoryOptions configure NewMemory. The zero value is usable.
type MemoryOptions struct {
	// MaxEntries bounds the sessions plus tombstones held (default DefaultMaxEntries).
	MaxEntries int
	// MaxBytes bounds the data held, counted as the bytes of the ids, names and values plus 64
	// bytes per session or tombstone and 32 per field, close to what they take in memory
	// (default DefaultMaxBytes).
	MaxBytes int64
	// Clock returns the current time (default time.Now).
	Clock func() time.Time
}

// Memory is the embedded Store: sessions in this process's memory, for a single node
// (several nodes share sessions in Redis: package redisstore). It is safe for concurrent use.
//
// It is bounded (MaxEntries, MaxBytes: at a bound it first removes what has expired, then
// refuses with ErrFull) and expires by itself: an expired session or tombstone is gone from
// the moment it expires, and its memory is reclaimed by later writes, each of which looks at a
// few sessions of its shard and removes the expired ones, and by a full sweep at a bound. There
// is no background goroutine and nothing to close.
//
// As in Redis, where a session is a hash, a session exists while it has at least one field:
// an Update that leaves none removes it.
type Memory struct {
	seed                 maphash.Seed
	maxEntries, maxBytes int64
	clock                func() time.Time
	entries, bytes       atomic.Int64
	fullMu               sync.Mutex // one full sweep at a time
	shards               [storeShards]storeShard
}

const (
	storeShards      = 64 // a power of two
	storeSweepSample = 4  // sessions of a shard looked at by each write
	entryOverhead    = 64
	fieldOverhead    = 32
)

type storeShard struct {
	mu sync.RWMutex
	m  map[string]*memSession
	// soonest is at most the earliest expiry in the shard: a full sweep skips the shard while
	// it is in the future.
	soonest int64
	_       [64]byte // keep shards on separate cache lines
}

// memSession is a session or a tombstone. It is never modified once in the map: an Update
// replaces it, so Load can hand out its fields after releasing the lock.
type memSession struct {
	fields []Field // nil for a tombstone
	until  int64   // expiry, Unix nanoseconds
	size   int64   // what it counts for MaxBytes
}

// NewMemory returns an empty in-memory Store.
func NewMemory(opts MemoryOptions) *Memory {
	s := &Memory{seed: maphash.MakeSeed(), maxEntries: int64(opts.MaxEntries),
		maxBytes: opts.MaxBytes, clock: opts.Clock}
	if s.maxEntries <= 0 {
		s.maxEntries = DefaultMaxEntries
	}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxBytes
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*memSession)
		s.shards[i].soonest = math.MaxInt64
	}
	return s
}

var _ Store = (*Memory)(nil)

func (s *Memory) shard(id string) *storeShard {
	return &s.shards[maphash.String(s.seed, id)&(storeShards-1)]
}

func (s *Memory) now() int64 { return s.clock().UnixNano() }

// Load implements Store. It fails only on an empty id or a done ctx. The values passed to fn
// are the store's own: fn must not modify them.
func (s *Memory) Load(ctx context.Context, id string, fn func(name string, value []byte)) (bool, error) {
	if err := check(ctx, id); err != nil {
		return false, err
	}
	sh := s.shard(id)
	sh.mu.RLock()
	e := sh.m[id]
	sh.mu.RUnlock()
	if e == nil || e.fields == nil || e.until <= s.now() {
		return false, nil
	}
	for _, f := range e.fields {
		fn(f.Name, f.Value)
	}
	return true, nil
}

// Alive implements Store: one map lookup under the shard's read lock. It fails only on an empty
// id or a done ctx.
func (s *Memory) Alive(ctx context.Context, id string) (bool, error) {
	if err := check(ctx, id); err != nil {
		return false, err
	}
	sh := s.shard(id)
	sh.mu.RLock()
	e := sh.m[id]
	sh.mu.RUnlock()
	return e != nil && e.fields != nil && e.until > s.now(), nil
}

// Update implements Store. The values in set are copied. A name both in set and in del is set.
// It fails with ErrDestroyed while the session's tombstone lasts, and with ErrFull when
// the store has no room for a new session or for more data.
func (s *Memory) Update(ctx context.Context, id string, set []Field, del []string, ttl time.Duration) error {
	if ttl <= 0 {
		return ErrInvalid
	}
	if err := check(ctx, id); err != nil {
		return err
	}
	return s.write(id, func(old *memSession, now int64) (*memSession, error) {
		if old != nil && old.fields == nil {
			return nil, ErrDestroyed
		}
		var fields []Field
		if old != nil {
			fields = old.fields
		}
		ne := &memSession{fields: applyFields(fields, set, del), until: expiry(now, ttl)}
		if len(ne.fields) == 0 {
			return nil, nil // every field deleted: the session goes, as in Redis
		}
		ne.size = sessionSize(id, ne.fields)
		return ne, nil
	})
}

// Destroy implements Store: the session is removed and a tombstone lasts ttl, or longer if one
// was there. A ttl that is not positive (its token has expired: no request can carry it) adds
// no tombstone. It fails with ErrDestroyed, its work done, when a tombstone was there, and
// with ErrFull when a tombstone is needed where there was nothing and the store is full.
func (s *Memory) Destroy(ctx context.Context, id string, ttl time.Duration) error {
	if err := check(ctx, id); err != nil {
		return err
	}
	var before bool // a tombstone was there: another Destroy came first
	err := s.write(id, func(old *memSession, now int64) (*memSession, error) {
		before = old != nil && old.fields == nil
		if before && (ttl <= 0 || old.until >= expiry(now, ttl)) {
			return old, nil // the tombstone there lasts longer: kept
		}
		if ttl <= 0 {
			return nil, nil
		}
		return &memSession{until: expiry(now, ttl), size: sessionSize(id, nil)}, nil
	})
	if err == nil && before {
		return ErrDestroyed
	}
	return err
}

// check refuses an empty id (ErrInvalid) and a call whose ctx is done (its error): the store
// never waits, so the context is looked at once, before anything is read or changed.
func check(ctx context.Context, id string) error {
	if id == "" {
		return ErrInvalid
	}
	return ctx.Err()
}

// write changes the entry of id under its shard's lock: change gets the live session or
// tombstone (nil: none) and returns what replaces it (nil: nothing, the entry is removed) or
// an error, which write returns with nothing changed. When the store has no room, every expired
// entry is swept and change runs once more; still no room is ErrFull.
func (s *Memory) write(id string, change func(old *memSession, now int64) (*memSession, error)) error {
	sh := s.shard(id)
	for swept := false; ; swept = true {
		now := s.now()
		sh.mu.Lock()
		old := s.live(sh, id, now)
		ne, err := change(old, now)
		switch {
		case err != nil:
			sh.mu.Unlock()
			return err
		case ne == nil:
			if old != nil {
				s.remove(sh, id, old)
			}
			sh.mu.Unlock()
			return nil
		case !s.replace(sh, id, old, ne, now):
			sh.mu.Unlock()
			if swept {
				return ErrFull
			}
			s.sweepAll(now)
			continue
		}
		sh.mu.Unlock()
		return nil
	}
}

// live returns the session or tombstone of id in sh, removing it when it has expired. sh.mu must
// be held.
func (s *Memory) live(sh *storeShard, id string, now int64) *memSession {
	old := sh.m[id]
	if old != nil && old.until <= now {
		s.remove(sh, id, old)
		return nil
	}
	return old
}

// Len returns the number of sessions and tombstones held, counting expired ones not yet
// removed.
func (s *Memory) Len() int { return int(s.entries.Load()) }

// applyFields returns a new slice: old without the names in del, with the fields of set
// (copied) replacing or added. old is not modified.
func applyFields(old, set []Field, del []string) []Field {
	out := make([]Field, 0, len(old)+len(set))
	for _, f := range old {
		if !containsName(del, f.Name) && !setHas(set, f.Name) {
			out = append(out, f)
		}
	}
	for i, f := range set {
		if setHas(set[i+1:], f.Name) { // a later field of set wins
			continue
		}
		out = append(out, Field{Name: f.Name, Value: append([]byte(nil), f.Value...)})
	}
	return out
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func setHas(set []Field, name string) bool {
	for _, f := range set {
		if f.Name == name {
			return true
		}
	}
	return false
}

// expiry is now plus a positive ttl, in Unix nanoseconds, saturating instead of overflowing.
func expiry(now int64, ttl time.Duration) int64 {
	if now > math.MaxInt64-int64(ttl) {
		return math.MaxInt64
	}
	return now + int64(ttl)
}

func sessionSize(id string, fields []Field) int64 {
	n := int64(len(id) + entryOverhead)
	for _, f := range fields {
		n += int64(len(f.Name) + len(f.Value) + fieldOverhead)
	}
	return n
}

// replace puts ne in place of old (nil: none) if the bounds allow it, and reports whether it
// did. sh is locked.
func (s *Memory) replace(sh *storeShard, id string, old, ne *memSession, now int64) bool {
	var addEntries, addBytes int64 = 1, ne.size
	if old != nil {
		addEntries, addBytes = 0, ne.size-old.size
	}
	if s.entries.Add(addEntries) > s.maxEntries && addEntries > 0 {
		s.entries.Add(-addEntries)
		return false
	}
	if s.bytes.Add(addBytes) > s.maxBytes && addBytes > 0 {
		s.bytes.Add(-addBytes)
		s.entries.Add(-addEntries)
		return false
	}
	sh.m[id] = ne
	sh.soonest = min(sh.soonest, ne.until)
	// Go starts each map iteration at a random place: successive writes look at different
	// sessions.
	n := 0
	for k, e := range sh.m {
		if e.until <= now {
			s.remove(sh, k, e)
		}
		if n++; n == storeSweepSample {
			break
		}
	}
	return true
}

// remove deletes the entry e of id. sh is locked.
func (s *Memory) remove(sh *storeShard, id string, e *memSession) {
	delete(sh.m, id)
	s.entries.Add(-1)
	s.bytes.Add(-e.size)
}

// sweepAll removes every expired session and tombstone, looking only at the shards whose
// earliest expiry is past.
func (s *Memory) sweepAll(now int64) {
	s.fullMu.Lock()
	defer s.fullMu.Unlock()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		if sh.soonest <= now {
			soonest := int64(math.MaxInt64)
			for k, e := range sh.m {
				if e.until <= now {
					s.remove(sh, k, e)
				} else {
					soonest = min(soonest, e.until)
				}
			}
			sh.soonest = soonest
		}
		sh.mu.Unlock()
	}
}
