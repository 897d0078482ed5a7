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

// The share of a Memory's bounds that provisional sessions (Store.Create) may take when
// MemoryOptions leaves theirs zero: a quarter of MaxEntries and of MaxBytes, 65,536 sessions
// and 64 MiB by default. Their ids came from requests without a cookie, so they are what a
// flood makes; the other three quarters, and any room the provisional sessions leave, are for
// sessions that came back.
const provisionalShare = 4

// ErrFull: a Memory is at one of its bounds, with nothing expired to remove and no
// provisional session left to evict, so an Update or Create that needed room (a new session,
// or more data) or a Destroy that needed a new tombstone was refused. Nothing was changed; the
// caller fails as for any store error (503). Only provisional sessions are ever evicted to make
// room: at ErrFull the store is full of sessions that came back, and of tombstones.
var ErrFull = errors.New("store: the memory store is full")

// MemoryOptions configure NewMemory. The zero value is usable.
type MemoryOptions struct {
	// MaxEntries bounds the sessions plus tombstones held (default DefaultMaxEntries).
	MaxEntries int
	// MaxBytes bounds the data held, counted as the bytes of the ids, names and values plus 64
	// bytes per session or tombstone and 32 per field, close to what they take in memory
	// (default DefaultMaxBytes).
	MaxBytes int64
	// MaxProvisional bounds the provisional sessions (Store.Create, not yet loaded or updated)
	// among MaxEntries (default MaxEntries/4, at least 1; at most MaxEntries). A Create beyond
	// it evicts the oldest provisional session.
	MaxProvisional int
	// MaxProvisionalBytes bounds their data among MaxBytes, counted as MaxBytes counts it
	// (default MaxBytes/4; at most MaxBytes).
	MaxProvisionalBytes int64
	// ProvisionalLifetime is a provisional session's idle lifetime: Create's ttl is cut to it
	// (default store.ProvisionalLifetime, 10 minutes).
	ProvisionalLifetime time.Duration
	// Clock returns the current time (default time.Now).
	Clock func() time.Time
}

// Memory is the embedded Store: sessions in this process's memory, for a single node
// (several nodes share sessions in Redis: package redisstore). It is safe for concurrent use.
//
// It is bounded (MaxEntries, MaxBytes: at a bound it first removes what has expired, then
// evicts provisional sessions, oldest first, then refuses with ErrFull) and keeps provisional
// sessions (Create) within budgets of their own (MaxProvisional, MaxProvisionalBytes, evicting
// their oldest) and ProvisionalLifetime: sessions made by requests without a cookie never take
// the room of sessions that came back, and a login (Session.Regenerate, an Update) finds room
// while provisional sessions hold any. It expires by itself: an expired session or tombstone is
// gone from the moment it expires, and its memory is reclaimed by later writes, each of which looks at a
// few sessions of its shard and removes the expired ones, and by a full sweep at a bound. There
// is no background goroutine and nothing to close.
//
// As in Redis, where a session is a hash, a session exists while it has at least one field:
// an Update that leaves none removes it.
type Memory struct {
	seed                 maphash.Seed
	maxEntries, maxBytes int64
	maxProv, maxProvSize int64
	provLifetime         time.Duration
	clock                func() time.Time
	entries, bytes       atomic.Int64
	fullMu               sync.Mutex // one full sweep at a time

	// The provisional sessions, oldest first; their count and size change under provMu. A
	// shard's lock is taken before provMu, never while holding it.
	provMu               sync.Mutex
	provHead, provTail   *provNode
	provCount, provBytes atomic.Int64

	shards [storeShards]storeShard
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
	// prov is the session's place in the provisional list while it is provisional (Create);
	// nil for an ordinary session or a tombstone. A Create on a provisional session hands it on.
	prov *provNode
	ttl  time.Duration // a provisional session's: Create's, before the cut to ProvisionalLifetime
}

// provNode is a provisional session in the Memory's list, oldest first: its id, and its links,
// which change under provMu.
type provNode struct {
	id         string
	prev, next *provNode
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
	s.maxProv, s.maxProvSize = int64(opts.MaxProvisional), opts.MaxProvisionalBytes
	if s.maxProv <= 0 {
		s.maxProv = max(1, s.maxEntries/provisionalShare)
	}
	if s.maxProvSize <= 0 {
		s.maxProvSize = s.maxBytes / provisionalShare
	}
	s.maxProv, s.maxProvSize = min(s.maxProv, s.maxEntries), min(s.maxProvSize, s.maxBytes)
	s.provLifetime = opts.ProvisionalLifetime
	if s.provLifetime <= 0 {
		s.provLifetime = ProvisionalLifetime
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
// are the store's own: fn must not modify them. A provisional session it finds becomes an
// ordinary one, lasting the ttl its Create was given, from now.
func (s *Memory) Load(ctx context.Context, id string, fn func(name string, value []byte)) (bool, error) {
	e, err := s.find(ctx, id)
	if e == nil {
		return false, err
	}
	for _, f := range e.fields {
		fn(f.Name, f.Value)
	}
	return true, nil
}

// find returns the live session of id, made ordinary if it was provisional (its client came
// back), or nil; it fails only on an empty id or a done ctx.
func (s *Memory) find(ctx context.Context, id string) (*memSession, error) {
	if err := check(ctx, id); err != nil {
		return nil, err
	}
	sh := s.shard(id)
	sh.mu.RLock()
	e := sh.m[id]
	sh.mu.RUnlock()
	now := s.now()
	if e == nil || e.fields == nil || e.until <= now {
		return nil, nil
	}
	if e.prov != nil {
		s.promote(sh, id, e, now)
	}
	return e, nil
}

// Alive implements Store: one map lookup under the shard's read lock. It fails only on an empty
// id or a done ctx. A provisional session it finds becomes an ordinary one, as with Load: its
// client came back (a request that reads only token fields asks Alive, not Load).
func (s *Memory) Alive(ctx context.Context, id string) (bool, error) {
	e, err := s.find(ctx, id)
	return e != nil, err
}

// Update implements Store. The values in set are copied. A name both in set and in del is set.
// A provisional session it writes becomes an ordinary one. It fails with ErrDestroyed while the
// session's tombstone lasts, and with ErrFull when the store has no room for a new session or
// for more data, even with every provisional session evicted.
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
		return ne, nil // an ordinary session, even if it was provisional
	})
}

// Create implements Store. A new session is provisional: it counts against MaxProvisional and
// MaxProvisionalBytes, lasts min(ttl, ProvisionalLifetime) unless a Load or an Update makes it
// ordinary, and is evicted, oldest first, when a Create needs room in those budgets or any
// write needs room in the store's. On a session that exists and is not provisional, Create is
// Update. It fails with ErrDestroyed while the id's tombstone lasts, and with ErrFull when even
// evicting every provisional session would not make room.
func (s *Memory) Create(ctx context.Context, id string, set []Field, ttl time.Duration) error {
	if ttl <= 0 {
		return ErrInvalid
	}
	if err := check(ctx, id); err != nil {
		return err
	}
	return s.write(id, func(old *memSession, now int64) (*memSession, error) {
		switch {
		case old != nil && old.fields == nil:
			return nil, ErrDestroyed
		case old != nil && old.prov == nil:
			ne := &memSession{fields: applyFields(old.fields, set, nil), until: expiry(now, ttl)}
			ne.size = sessionSize(id, ne.fields)
			return ne, nil
		case old == nil && len(set) == 0:
			return nil, nil // nothing to create
		}
		var fields []Field
		prov := &provNode{id: id}
		if old != nil {
			fields, prov = old.fields, old.prov
		}
		ne := &memSession{fields: applyFields(fields, set, nil), until: expiry(now, min(ttl, s.provLifetime)),
			prov: prov, ttl: ttl}
		ne.size = sessionSize(id, ne.fields)
		return ne, nil
	})
}

// promote makes the provisional session e of id ordinary (it was loaded: its client came
// back), lasting the ttl of its Create from now, unless it changed meanwhile.
func (s *Memory) promote(sh *storeShard, id string, e *memSession, now int64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m[id] != e {
		return
	}
	ne := &memSession{fields: e.fields, until: max(e.until, expiry(now, e.ttl)), size: e.size}
	s.unlinkProv(e)
	sh.m[id] = ne
	sh.soonest = min(sh.soonest, ne.until)
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
// entry is swept, then provisional sessions are evicted, oldest first, one before each new try,
// as long as evicting them all would make room; when a provisional budget has no room, only
// the eviction. Still no room is ErrFull.
func (s *Memory) write(id string, change func(old *memSession, now int64) (*memSession, error)) error {
	sh := s.shard(id)
	for swept := false; ; {
		now := s.now()
		sh.mu.Lock()
		old := s.live(sh, id, now)
		ne, err := change(old, now)
		if err != nil {
			sh.mu.Unlock()
			return err
		}
		if ne == nil {
			if old != nil {
				s.remove(sh, id, old)
			}
			sh.mu.Unlock()
			return nil
		}
		r := s.replace(sh, id, old, ne, now)
		sh.mu.Unlock()
		switch {
		case r == fits:
			return nil
		case r != provFull && !swept:
			s.sweepAll(now)
			swept = true
		case r == never || !s.evictOldest():
			return ErrFull
		}
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

// What replace found: room, or a bound that an eviction may make room under, or one under
// which no eviction can.
const (
	fits      = iota
	storeFull // MaxEntries or MaxBytes
	provFull  // MaxProvisional or MaxProvisionalBytes
	never     // not even with every provisional session evicted
)

// replace puts ne in place of old (nil: none) if the bounds allow it, and reports what it
// found. sh is locked.
func (s *Memory) replace(sh *storeShard, id string, old, ne *memSession, now int64) int {
	var addEntries, addBytes int64 = 1, ne.size
	if old != nil {
		addEntries, addBytes = 0, ne.size-old.size
	}
	oldProv := old != nil && old.prov != nil
	if addEntries > 0 && s.entries.Add(addEntries) > s.maxEntries {
		s.entries.Add(-addEntries)
		return s.roomAfterEviction(addEntries, addBytes, ne, old)
	}
	if addBytes > 0 && s.bytes.Add(addBytes) > s.maxBytes {
		s.bytes.Add(-addBytes)
		s.entries.Add(-addEntries)
		return s.roomAfterEviction(addEntries, addBytes, ne, old)
	}
	if ne.prov != nil || oldProv {
		s.provMu.Lock()
		var pe, pb int64
		if ne.prov != nil {
			pe, pb = 1, ne.size
		}
		if oldProv {
			pe, pb = pe-1, pb-old.size
		}
		if pe > 0 && s.provCount.Load()+pe > s.maxProv || pb > 0 && s.provBytes.Load()+pb > s.maxProvSize {
			s.provMu.Unlock()
			s.bytes.Add(-addBytes)
			s.entries.Add(-addEntries)
			if ne.size > s.maxProvSize {
				return never
			}
			return provFull
		}
		switch {
		case ne.prov != nil && !oldProv:
			s.linkProv(ne.prov)
		case ne.prov == nil && oldProv:
			s.unlinkProvLocked(old.prov)
		}
		s.provCount.Add(pe)
		s.provBytes.Add(pb)
		s.provMu.Unlock()
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
	return fits
}

// roomAfterEviction tells, for a write that found the store full, whether evicting every
// provisional session (but the one being written) would make room for it: storeFull if so,
// never if not.
func (s *Memory) roomAfterEviction(addEntries, addBytes int64, ne, old *memSession) int {
	entries, bytes := s.entries.Load()-s.provCount.Load(), s.bytes.Load()-s.provBytes.Load()
	if old != nil && old.prov != nil { // the session itself stays
		entries, bytes = entries+1, bytes+old.size
	}
	if entries+addEntries > s.maxEntries || bytes+addBytes > s.maxBytes {
		return never
	}
	return storeFull
}

// linkProv appends n to the provisional list, as its newest. provMu is held.
func (s *Memory) linkProv(n *provNode) {
	n.prev, n.next = s.provTail, nil
	if s.provTail != nil {
		s.provTail.next = n
	} else {
		s.provHead = n
	}
	s.provTail = n
}

// unlinkProvLocked takes n out of the provisional list. provMu is held.
func (s *Memory) unlinkProvLocked(n *provNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		s.provHead = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		s.provTail = n.prev
	}
	n.prev, n.next = nil, nil
}

// unlinkProv makes the provisional session e no longer count as one, as it is removed or made
// ordinary. Its shard is locked.
func (s *Memory) unlinkProv(e *memSession) {
	s.provMu.Lock()
	s.unlinkProvLocked(e.prov)
	s.provCount.Add(-1)
	s.provBytes.Add(-e.size)
	s.provMu.Unlock()
}

// evictOldest removes the oldest provisional session, and reports whether there was one. No
// lock is held: it takes the session's shard lock after provMu is released.
func (s *Memory) evictOldest() bool {
	s.provMu.Lock()
	n := s.provHead
	var id string
	if n != nil {
		id = n.id
	}
	s.provMu.Unlock()
	if n == nil {
		return false
	}
	sh := s.shard(id)
	sh.mu.Lock()
	if e := sh.m[id]; e != nil && e.prov == n {
		s.remove(sh, id, e)
	} // else it was made ordinary or removed meanwhile: the list has a new oldest
	sh.mu.Unlock()
	return true
}

// remove deletes the entry e of id. sh is locked.
func (s *Memory) remove(sh *storeShard, id string, e *memSession) {
	delete(sh.m, id)
	s.entries.Add(-1)
	s.bytes.Add(-e.size)
	if e.prov != nil {
		s.unlinkProv(e)
	}
}

// Provisional returns the number of provisional sessions held (Create, not yet loaded or
// updated), counting expired ones not yet removed.
func (s *Memory) Provisional() int { return int(s.provCount.Load()) }

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
