package issuing

import (
	"context"
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxFamilies is the number of families a Memory holds when MemoryOptions leaves it
// zero: 1<<18, about 262,144 (a few hundred bytes each, plus some forty per rotation).
const DefaultMaxFamilies = 1 << 18

// ErrFull: a Memory holds MaxFamilies families that have not expired, so Start was refused.
// Nothing was changed; the issuer answers 503, as for any store that cannot answer. A family is
// security state: none is ever evicted to make room.
var ErrFull = errors.New("issuing: the memory family store is full")

// MemoryOptions configure NewMemory. The zero value is usable.
type MemoryOptions struct {
	// MaxFamilies bounds the families held, ended or not, until they expire (default
	// DefaultMaxFamilies).
	MaxFamilies int
	// Clock is the clock records expire by (default time.Now). Rotate and Revoke take their
	// Now from the caller, as the contract says; only the forgetting follows this clock.
	Clock func() time.Time
}

// Memory is the embedded Families: refresh-token families in this process's memory, for a
// single node (several nodes share them in Redis: package redisstore). It is safe for
// concurrent use: each family is under the lock of one of 64 shards, so every call on a family
// is one atomic step. It is bounded by MaxFamilies (ErrFull beyond) and expires by itself:
// a family's record is gone from End plus its Grace (or from its last access token's expiry
// plus the Grace, if later), and its memory is reclaimed by later Starts, each of which looks at
// a few families of its shard, and by a full sweep when the store is full. There is no
// background goroutine and nothing to close.
type Memory struct {
	seed   maphash.Seed
	max    int64
	clock  func() time.Time
	count  atomic.Int64
	fullMu sync.Mutex // one full sweep at a time
	shards [familyShards]familyShard
}

const (
	familyShards      = 64 // a power of two
	familySweepSample = 4  // families of a shard each Start looks at
)

type familyShard struct {
	mu sync.Mutex
	m  map[string]*memFamily
	_  [64]byte // keep shards on separate cache lines
}

// memFamily is one family's record, changed in place under its shard's lock.
type memFamily struct {
	subject    string
	start, end time.Time
	grace      time.Duration
	ended      bool
	current    Generation
	last       string    // the refresh "jti" the last rotation replaced; "" before any
	rotated    time.Time // that rotation's Now
	replaced   map[string]struct{}
	live       []Live
	until      int64 // when the record expires, Unix nanoseconds by the store's clock
}

// NewMemory returns an empty in-memory Families.
func NewMemory(opts MemoryOptions) *Memory {
	m := &Memory{seed: maphash.MakeSeed(), max: int64(opts.MaxFamilies), clock: opts.Clock}
	if m.max <= 0 {
		m.max = DefaultMaxFamilies
	}
	if m.clock == nil {
		m.clock = time.Now
	}
	for i := range m.shards {
		m.shards[i].m = make(map[string]*memFamily)
	}
	return m
}

var _ Families = (*Memory)(nil)

func (m *Memory) shard(id string) *familyShard {
	return &m.shards[maphash.String(m.seed, id)&(familyShards-1)]
}

// Start implements Families. Beyond MaxFamilies families not expired, it fails with ErrFull.
func (m *Memory) Start(ctx context.Context, f Family) error {
	if f.ID == "" || f.Subject == "" || f.First.Refresh == "" || f.First.Access == "" || f.Start.IsZero() ||
		!f.End.After(f.Start) || f.First.Issued.Before(f.Start) || !f.First.Issued.Before(f.End) || f.Grace < 0 {
		return ErrInvalid
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !m.reserve() {
		return ErrFull
	}
	sh := m.shard(f.ID)
	now := m.clock().UnixNano()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	m.sweepSome(sh, now)
	if e, ok := sh.m[f.ID]; ok {
		if e.until > now {
			m.count.Add(-1)
			return ErrExists
		}
		m.count.Add(-1) // the expired record's place is taken over
	}
	e := &memFamily{subject: f.Subject, start: f.Start, end: f.End, grace: f.Grace, current: f.First,
		replaced: make(map[string]struct{}), live: []Live{{Access: f.First.Access, Expires: f.First.AccessExpires}}}
	e.extend(f.End)
	e.extend(f.First.AccessExpires)
	sh.m[f.ID] = e
	return nil
}

// extend makes the record last at least until t plus its grace.
func (e *memFamily) extend(t time.Time) {
	e.until = max(e.until, t.Add(e.grace).UnixNano())
}

// reserve counts a new family in, sweeping the expired ones when the store is full; it reports
// false when there is still no room.
func (m *Memory) reserve() bool {
	if m.count.Add(1) <= m.max {
		return true
	}
	m.count.Add(-1)
	m.fullMu.Lock()
	now := m.clock().UnixNano()
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		for id, e := range sh.m {
			if e.until <= now {
				delete(sh.m, id)
				m.count.Add(-1)
			}
		}
		sh.mu.Unlock()
	}
	m.fullMu.Unlock()
	if m.count.Add(1) <= m.max {
		return true
	}
	m.count.Add(-1)
	return false
}

// sweepSome removes the expired families among a few of sh (map order is random).
func (m *Memory) sweepSome(sh *familyShard, now int64) {
	n := 0
	for id, e := range sh.m {
		if n++; n > familySweepSample {
			return
		}
		if e.until <= now {
			delete(sh.m, id)
			m.count.Add(-1)
		}
	}
}

// find returns the record of id, or nil when there is none or it has expired. The caller holds
// sh.mu.
func (m *Memory) find(sh *familyShard, id string) *memFamily {
	e := sh.m[id]
	if e == nil || e.until <= m.clock().UnixNano() {
		return nil
	}
	return e
}

// Rotate implements Families.
func (m *Memory) Rotate(ctx context.Context, r Rotate) (Rotation, error) {
	if r.Family == "" || r.Presented == "" || r.Now.IsZero() || r.Next.Refresh == "" || r.Next.Access == "" ||
		r.Next.Issued.IsZero() || r.Next.AccessExpires.IsZero() || r.Grace < 0 {
		return Rotation{}, ErrInvalid
	}
	if err := ctx.Err(); err != nil {
		return Rotation{}, err
	}
	maxLive := r.MaxLive
	if maxLive <= 0 {
		maxLive = DefaultMaxLive
	}
	sh := m.shard(r.Family)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := m.find(sh, r.Family)
	if e == nil {
		return Rotation{Outcome: Ended}, nil
	}
	out := Rotation{Family: Family{ID: r.Family, Subject: e.subject, Start: e.start, End: e.end, Grace: e.grace}}
	switch {
	case e.ended:
		out.Outcome, out.Live = Ended, e.liveAt(r.Now)
	case !r.Now.Before(e.end):
		out.Outcome = Ended
	case r.Presented == e.current.Refresh:
		e.prune(r.Now)
		if len(e.live) >= maxLive {
			out.Outcome = Throttled
			break
		}
		e.replaced[e.current.Refresh] = struct{}{}
		e.last, e.rotated, e.current = e.current.Refresh, r.Now, r.Next
		e.live = append(e.live, Live{Access: r.Next.Access, Expires: r.Next.AccessExpires})
		e.extend(r.Next.AccessExpires)
		out.Outcome, out.Generation = Rotated, r.Next
	case r.Presented == e.last && r.Grace > 0 && r.Now.Before(e.rotated.Add(r.Grace)):
		out.Outcome, out.Generation = Retried, e.current
	case e.isReplaced(r.Presented):
		e.ended = true
		out.Outcome, out.Live = Reused, e.liveAt(r.Now)
	default:
		out.Outcome = Ended
	}
	return out, nil
}

func (e *memFamily) isReplaced(jti string) bool {
	_, ok := e.replaced[jti]
	return ok
}

// mayLive reports whether an access token expiring at exp may still be live at now: a verifier
// with a leeway up to the grace may still take it.
func (e *memFamily) mayLive(exp, now time.Time) bool { return now.Before(exp.Add(e.grace)) }

// prune drops the access tokens that can no longer be live at now.
func (e *memFamily) prune(now time.Time) {
	kept := e.live[:0]
	for _, l := range e.live {
		if e.mayLive(l.Expires, now) {
			kept = append(kept, l)
		}
	}
	clear(e.live[len(kept):])
	e.live = kept
}

// liveAt returns a copy of the access tokens that may still be live at now.
func (e *memFamily) liveAt(now time.Time) []Live {
	var out []Live
	for _, l := range e.live {
		if e.mayLive(l.Expires, now) {
			out = append(out, l)
		}
	}
	return out
}

// Revoke implements Families.
func (m *Memory) Revoke(ctx context.Context, id string, now time.Time) ([]Live, error) {
	if id == "" {
		return nil, ErrInvalid
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sh := m.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := m.find(sh, id)
	if e == nil {
		return nil, nil
	}
	e.ended = true
	return e.liveAt(now), nil
}

// Len returns the number of families held, the expired ones not yet reclaimed included.
func (m *Memory) Len() int { return int(m.count.Load()) }
