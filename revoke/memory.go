package revoke

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/swisstable"
	"github.com/fastjwt/session/internal/unixnano"
)

// DefaultMaxEntries is the soft bound of a Memory list when MemoryOptions.MaxEntries is zero:
// 1<<20, about a million entries (revoked "jti"s plus subject epochs).
//
// What it costs, and what a deployment needs. An entry is recorded only by an authenticated
// action: a logout revokes one token ("jti"), "log out everywhere" records one subject epoch;
// nothing an anonymous client sends creates one. A UUID "jti" entry takes about 120 bytes: the
// entry (48), its key's bytes (48, the allocation a 36-byte string gets), and its share of the
// table (a pointer and a one-byte tag per slot, at a load between 7/16 and 7/8: about 20);
// TestMemoryEntryBytes measures it. A full default list is then about 120 MiB. An entry lives
// until its token's "exp" plus the grace, at most Lifetime + Grace after the login, so a
// deployment with N logouts a day and tokens living L holds at most N × (L + Grace) / 24h
// entries: 100,000 logouts a day of 24-hour tokens with the default grace hold at most 100,348
// entries (12 MB); the default bound holds a million logouts a day of such tokens. Size
// MaxEntries from that product, not from the number of requests or clients.
const DefaultMaxEntries = 1 << 20

// MemoryOptions configure NewMemory. The zero value is usable.
type MemoryOptions struct {
	// MaxEntries is the soft bound of the entries held: revoked "jti"s plus subject epochs (the
	// global epoch is one value, not counted). Default DefaultMaxEntries, whose documentation
	// gives the arithmetic of the size a deployment needs. A revocation that finds the list at
	// the bound first removes every entry that has expired (its expiry plus the grace is past:
	// no entry that still applies is ever evicted); if the list is still at the bound, the entry
	// is recorded all the same, past the bound, and OnOverflow hears it. A revocation is never
	// refused or dropped for want of room: a logout that fails leaves a stolen token valid, and
	// only authenticated actions create entries, so a list past its bound is a sizing error to
	// report, not an attack to absorb by forgetting revocations.
	MaxEntries int
	// OnOverflow, if set, is called with the number of entries held each time a revocation is
	// recorded past MaxEntries, e.g. to alert: the list is growing beyond what it was sized for.
	// It runs on the revoking goroutine, with no lock of the list held: keep it short.
	OnOverflow func(entries int)
	// Grace is how long past the expiry it is given an entry still applies (default
	// DefaultGrace; negative: none). It must cover the leeway of every verifier that checks the
	// list, which accepts a token until its "exp" plus its leeway: session.New and bearer.New
	// refuse a codec whose leeway is longer. A revocation whose expiry has passed but not its
	// expiry plus the grace is recorded.
	Grace time.Duration
	// Clock returns the current time (default time.Now). Entries apply until their expiry plus
	// the grace by this clock.
	Clock func() time.Time
}

// Memory is the embedded revocation list: a List held in this process's memory, for a single
// node (several nodes share a list in Redis: package redisstore). It is safe for concurrent use.
//
// Entries expire by themselves: an entry no longer applies from the moment its expiry plus the
// grace has passed,
// and its memory is reclaimed by later writes, each of which looks at a few entries of its
// shard and removes the expired ones (as Redis's own expiry does), by the rebuilds of a shard's
// table as it grows, and by a full sweep when the list is at its bound. There is no background
// goroutine and nothing to close.
//
// Revoked takes no lock (see table): checks on all cores proceed in parallel, and it allocates
// nothing for a "jti" or "sub" of up to 128 bytes.
type Memory struct {
	seed   maphash.Seed
	max    int64
	grace  time.Duration
	over   func(entries int)
	clock  func() time.Time
	count  atomic.Int64          // entries in the shards, expired or not
	all    atomic.Pointer[epoch] // the global epoch; nil when never set
	allMu  sync.Mutex            // serializes writers of all
	fullMu sync.Mutex            // one full sweep at a time
	shards [memShards]memShard
}

const (
	memShards   = 64 // a power of two, at most 256 (the low 8 bits of a hash are the caller's: see swisstable)
	sweepSample = 8  // slots of a table looked at by each write
	keyBufSize  = 128
)

// The two kinds of entries, each in its own table.
const (
	kindJTI = iota
	kindSub
)

type memShard struct {
	tabs [2]atomic.Pointer[table] // by kind
	mu   sync.Mutex               // writers
	// cursors of the sweeps, and a lower bound of the expiries in the shard: a full sweep
	// skips the shard while it is in the future (writers only).
	cursor  [2]uint64
	soonest int64
	_       [64]byte // keep shards on separate cache lines
}

// epoch revokes tokens issued before at (Unix nanoseconds), until until.
type epoch struct{ at, until int64 }

// NewMemory returns an empty in-memory revocation list.
func NewMemory(opts MemoryOptions) *Memory {
	m := &Memory{seed: maphash.MakeSeed(), max: int64(opts.MaxEntries), grace: opts.Grace,
		over: opts.OnOverflow, clock: opts.Clock}
	if m.max <= 0 {
		m.max = DefaultMaxEntries
	}
	switch {
	case m.grace == 0:
		m.grace = DefaultGrace
	case m.grace < 0:
		m.grace = 0
	}
	if m.clock == nil {
		m.clock = time.Now
	}
	for i := range m.shards {
		for k := range m.shards[i].tabs {
			m.shards[i].tabs[k].Store(newTable())
		}
		m.shards[i].soonest = math.MaxInt64
	}
	return m
}

var (
	_ List   = (*Memory)(nil)
	_ Graced = (*Memory)(nil)
)

// Grace implements Graced: how long past its expiry an entry still applies
// (MemoryOptions.Grace).
func (m *Memory) Grace() time.Duration { return m.grace }

// end returns when an entry given this expiry stops applying: the expiry plus the grace, in Unix
// nanoseconds.
func (m *Memory) end(exp time.Time) int64 { return unixnano.Of(exp.Add(m.grace)) }

func (m *Memory) now() int64 { return unixnano.Of(m.clock()) }

// probe is a lookup under way: its table and the probe begun there.
type probe struct {
	t *table
	p swisstable.Probe
}

// begin starts the lookup of key in the table of this kind: it hashes the key and loads the
// first control word, the one load of a lookup that is likely to miss the CPU's caches.
func (m *Memory) begin(kind int, key []byte) probe {
	h := maphash.Bytes(m.seed, key)
	t := m.shards[h&(memShards-1)].tabs[kind].Load()
	return probe{t: t, p: t.Begin(h)}
}

// end finishes the lookup of key: its entry, or nil.
func (p *probe) end(key []byte) *entry { return p.t.End(p.p, key) }

// Revoked implements List. It never fails: the list is in memory. The clock is read only when
// an entry names the token.
//
// Both lookups, of the "jti" and of the "sub", are begun before either is looked at, so that
// the CPU waits for their memory reads (cache misses when the list is large) at the same time,
// not one after the other.
func (m *Memory) Revoked(_ context.Context, cl *fastjwt.Claims) (bool, error) {
	var idBuf, subBuf [keyBufSize]byte
	id, hasID := cl.AppendID(idBuf[:0])
	sub, hasSub := cl.AppendSubject(subBuf[:0])
	var byID, bySub probe
	if hasID {
		byID = m.begin(kindJTI, id)
	}
	if hasSub {
		bySub = m.begin(kindSub, sub)
	}
	now := int64(math.MinInt64) // not read yet
	if hasID {
		if e := byID.end(id); e != nil {
			now = m.now()
			if now < e.Val.until {
				return true, nil
			}
		}
	}
	var epochs [2]epoch
	n := 0
	if e := m.all.Load(); e != nil {
		epochs[n] = *e
		n++
	}
	if hasSub {
		if e := bySub.end(sub); e != nil {
			epochs[n] = e.Val
			n++
		}
	}
	if n == 0 {
		return false, nil
	}
	iat := issuedAt(cl)
	for _, e := range epochs[:n] {
		if iat < e.at {
			if now == math.MinInt64 {
				now = m.now()
			}
			if now < e.until {
				return true, nil
			}
		}
	}
	return false, nil
}

// issuedAt returns the token's "iat" in Unix nanoseconds. A token without "iat" was issued
// before any epoch: math.MinInt64.
func issuedAt(cl *fastjwt.Claims) int64 {
	if t, ok := cl.IssuedAt(); ok {
		return unixnano.Of(t)
	}
	return math.MinInt64
}

// RevokeToken implements List: the entry applies until exp plus the grace. A token whose exp
// plus the grace has passed needs no entry: nothing is recorded and the result is nil. It fails
// only with ErrInvalid, for an empty jti or a zero exp.
func (m *Memory) RevokeToken(_ context.Context, jti string, exp time.Time) error {
	if err := checkToken(jti, exp); err != nil {
		return err
	}
	now, until := m.now(), m.end(exp)
	if until <= now {
		return nil
	}
	return m.insert(kindJTI, jti, now, epoch{until: until})
}

// RevokeSubject implements List. An entry for the same subject that has not expired is merged
// with this one: the later epoch and the later expiry are kept, which revokes at least what each
// of them revoked. The entry applies until until plus the grace; one whose until plus the grace
// has passed is not recorded (nil). It fails only with ErrInvalid, for an empty sub or a zero
// time.
func (m *Memory) RevokeSubject(_ context.Context, sub string, at, until time.Time) error {
	if err := checkEpoch("sub", sub, at, until); err != nil {
		return err
	}
	e := epoch{at: unixnano.Of(at), until: m.end(until)}
	now := m.now()
	if e.until <= now {
		return nil
	}
	return m.insert(kindSub, sub, now, e)
}

// RevokeAll implements List. It is merged with an earlier global epoch that has not expired,
// as RevokeSubject merges, and applies until until plus the grace. It fails only with
// ErrInvalid (a zero time).
func (m *Memory) RevokeAll(_ context.Context, at, until time.Time) error {
	if err := checkEpoch("", "", at, until); err != nil {
		return err
	}
	e := epoch{at: unixnano.Of(at), until: m.end(until)}
	now := m.now()
	if e.until <= now {
		return nil
	}
	m.allMu.Lock()
	defer m.allMu.Unlock()
	if old := m.all.Load(); old != nil && now < old.until {
		e = epoch{at: max(old.at, e.at), until: max(old.until, e.until)}
	}
	m.all.Store(&e)
	return nil
}

// Len returns the number of entries held, counting expired ones not yet removed.
func (m *Memory) Len() int { return int(m.count.Load()) }

// insert records e for key, merged with the entry already there unless it has expired (the
// later epoch and the later expiry). A new entry that brings the list past its bound first
// removes the expired entries of the whole list; if it is still past the bound the entry is
// recorded all the same, and OnOverflow hears it.
func (m *Memory) insert(kind int, key string, now int64, e epoch) error {
	h := maphash.String(m.seed, key)
	s := &m.shards[h&(memShards-1)]
	over := int64(0)
	for swept := false; ; swept = true {
		s.mu.Lock()
		t := s.tabs[kind].Load()
		old := t.Find(h, []byte(key))
		if old == nil {
			if n := m.count.Add(1); n > m.max {
				if !swept {
					m.count.Add(-1)
					s.mu.Unlock()
					m.sweepAll(now)
					continue
				}
				over = n
			}
		}
		ne := &entry{Hash: h, Key: key, Val: e}
		if old != nil && now < old.Val.until { // an expired entry is replaced, not merged
			ne.Val = epoch{at: max(old.Val.at, e.at), until: max(old.Val.until, e.until)}
		}
		if _, stored := t.Put(ne); !stored {
			nt, dropped := rebuilt(t, now)
			m.count.Add(-int64(dropped))
			nt.Put(ne)
			s.tabs[kind].Store(nt)
			t = nt
		}
		s.soonest = min(s.soonest, ne.Val.until)
		removed, _ := sweep(t, &s.cursor[kind], sweepSample, now)
		m.count.Add(-int64(removed))
		s.mu.Unlock()
		if over > 0 && m.over != nil {
			m.over(int(over))
		}
		return nil
	}
}

// sweepAll removes every expired entry, looking only at shards whose earliest expiry is past.
func (m *Memory) sweepAll(now int64) {
	m.fullMu.Lock()
	defer m.fullMu.Unlock()
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		if s.soonest <= now {
			soonest := int64(math.MaxInt64)
			for k := range s.tabs {
				t := s.tabs[k].Load()
				var cursor uint64
				removed, soon := sweep(t, &cursor, t.Slots(), now)
				m.count.Add(-int64(removed))
				soonest = min(soonest, soon)
			}
			s.soonest = soonest
		}
		s.mu.Unlock()
	}
}
