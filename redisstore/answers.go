package redisstore

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastjwt/session/internal/swisstable"
	"github.com/redis/rueidis"
)

// answers is a List's own cache of what its keys hold, in front of rueidis's client-side cache,
// for the check on every verify: rueidis's DoCache costs about a microsecond per key on a hit
// (it builds a command, hashes the key's slot, reads the clock, locks its LRU), three keys per
// check; a lookup here costs a hash and a read of a lock-free table, allocates nothing and builds
// no key.
//
// It is exactly as fresh as rueidis's cache: an answer is stored only after rueidis gave it
// (from Redis, or from its cache), and removed by the same invalidations, delivered by the
// client's OnInvalidations hook (so only a client made by Dial has one): a key Redis says
// changed, or everything when a connection closes (rueidis then drops its cache too). A
// generation number per shard, bumped by every invalidation, keeps an answer read before an
// invalidation from being stored after it.
//
// An answer that a key is absent is kept until Redis invalidates it, with no clock: the server
// tracks every key this client read until it sends the invalidation, even after rueidis's own
// entry has expired. An answer that a key exists also carries the key's expiry, as rueidis
// computed it when it read the key (now plus its PTTL, capped by CacheTTL), and stops applying
// then, reading the clock only for such an answer: Redis tells of a key that expired only once
// it notices the expiry (on an access, or by sampling keys, which may take long among many),
// and a revocation ends at its expiry here as in Redis.
type answers struct {
	seed           maphash.Seed
	jtiKey, subKey string // key prefixes of the two kinds
	allKey         string
	sessKey        string // key prefix of a session's hash, "<prefix>{sess:", before "<id>}:data"
	maxPerShard    int

	allMu  sync.Mutex // writers of all
	all    atomic.Pointer[answer]
	allGen atomic.Uint64

	shards [answerShards]answerShard
}

const answerShards = 64 // a power of two, at most 256 (the low 8 bits of a hash pick the shard)

// answer is what a key holds: whether it exists, for an epoch its value, and when the answer
// that it exists stops applying (Unix milliseconds; 0: no expiry known).
type answer struct {
	found bool
	epoch int64
	until int64
}

// stale reports whether ans says a key exists past the expiry it was read with. It reads the
// clock only for such an answer.
func (ans *answer) stale() bool {
	return ans.found && ans.until != 0 && time.Now().UnixMilli() >= ans.until
}

// answerTable holds the answers of one kind in a shard: a table of package internal/swisstable,
// which readers look up with no lock. A Go map under a sync.RWMutex cost 1.6 times as much per
// check with 10,000 clients (215 against 130 ns: a second hash in the map, and the read lock's
// atomic adds), and the read lock's shared counter made checks on both cores contend.
type answerTable = swisstable.Table[answer]

type answerShard struct {
	mu   sync.Mutex // writers
	gen  atomic.Uint64
	tabs [kinds]atomic.Pointer[answerTable] // by kind
	n    [kinds]int                         // answers held by each table (writers only)
	_    [64]byte                           // keep shards on separate cache lines
}

const (
	kindJTI = iota
	kindSub
	kindSession // a session id: whether its hash exists (Store.Alive)
	kinds
)

// sessDataSuffix ends the key of a session's hash.
const sessDataSuffix = "}:data"

func newAnswers(prefix string, maxEntries int) *answers {
	a := &answers{seed: maphash.MakeSeed(), jtiKey: prefix + "revoked:jti:", subKey: prefix + "revoked:sub:",
		allKey: prefix + "revoked:all", sessKey: prefix + "{sess:", maxPerShard: max(maxEntries/answerShards, 16)}
	for i := range a.shards {
		for k := range a.shards[i].tabs {
			a.shards[i].tabs[k].Store(swisstable.New[answer](swisstable.MinSize))
		}
	}
	return a
}

// answerProbe is a lookup under way: the name's hash, the shard's generation before the lookup,
// and the probe begun in the table.
type answerProbe struct {
	h, gen uint64
	t      *answerTable
	p      swisstable.Probe
}

// begin starts the lookup of name of this kind: it hashes the name, reads the shard's
// generation (before the table: an invalidation after that changes it) and loads the table's
// first control word. A check begins both its lookups before ending either, so that the CPU
// waits for their memory reads at the same time.
func (a *answers) begin(kind int, name []byte) answerProbe {
	h := maphash.Bytes(a.seed, name)
	sh := &a.shards[h&(answerShards-1)]
	gen := sh.gen.Load()
	t := sh.tabs[kind].Load()
	return answerProbe{h: h, gen: gen, t: t, p: t.Begin(h)}
}

// end returns the cached answer for name, begun by p, if there is one.
func (a *answers) end(p *answerProbe, name []byte) (answer, bool) {
	if e := p.t.End(p.p, name); e != nil {
		return e.Val, true
	}
	return answer{}, false
}

// store keeps ans for name of this kind, looked up by p, unless an invalidation came since p
// read the generation.
func (a *answers) store(kind int, name []byte, ans answer, p *answerProbe) {
	sh := &a.shards[p.h&(answerShards-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.gen.Load() != p.gen {
		return
	}
	t := sh.tabs[kind].Load()
	if sh.n[kind] >= a.maxPerShard { // bounded: start the table afresh
		t = swisstable.New[answer](swisstable.MinSize)
		sh.tabs[kind].Store(t)
		sh.n[kind] = 0
	}
	e := &swisstable.Entry[answer]{Hash: p.h, Key: string(name), Val: ans}
	replaced, stored := t.Put(e)
	if !stored {
		t, _ = t.Rebuilt(func(*swisstable.Entry[answer]) bool { return true })
		replaced, _ = t.Put(e)
		sh.tabs[kind].Store(t)
	}
	if !replaced {
		sh.n[kind]++
	}
}

func (a *answers) storeAll(ans answer, gen uint64) {
	a.allMu.Lock()
	if a.allGen.Load() == gen {
		a.all.Store(&ans)
	}
	a.allMu.Unlock()
}

// invalidate is the client's OnInvalidations hook: keys Redis says changed, nil for all.
func (a *answers) invalidate(keys []rueidis.RedisMessage) {
	if keys == nil {
		a.forgetAll()
		for i := range a.shards {
			sh := &a.shards[i]
			sh.mu.Lock()
			for k := range sh.tabs {
				sh.tabs[k].Store(swisstable.New[answer](swisstable.MinSize))
				sh.n[k] = 0
			}
			sh.gen.Add(1)
			sh.mu.Unlock()
		}
		return
	}
	for i := range keys {
		key, err := keys[i].ToString()
		if err != nil {
			a.invalidate(nil) // not a key name: forget everything rather than guess
			return
		}
		switch {
		case key == a.allKey:
			a.forgetAll()
		case strings.HasPrefix(key, a.jtiKey):
			a.forget(kindJTI, key[len(a.jtiKey):])
		case strings.HasPrefix(key, a.subKey):
			a.forget(kindSub, key[len(a.subKey):])
		case strings.HasPrefix(key, a.sessKey) && strings.HasSuffix(key, sessDataSuffix):
			a.forget(kindSession, key[len(a.sessKey):len(key)-len(sessDataSuffix)])
		}
	}
}

func (a *answers) forgetAll() {
	a.allMu.Lock()
	a.allGen.Add(1)
	a.all.Store(nil)
	a.allMu.Unlock()
}

func (a *answers) forget(kind int, name string) {
	h := maphash.String(a.seed, name)
	sh := &a.shards[h&(answerShards-1)]
	sh.mu.Lock()
	if sh.tabs[kind].Load().Delete(h, name) {
		sh.n[kind]--
	}
	sh.gen.Add(1)
	sh.mu.Unlock()
}
