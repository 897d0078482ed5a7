package redisstore

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/rueidis"
)

// answers is a List's own cache of what its keys hold, in front of rueidis's client-side cache,
// for the check on every verify: rueidis's DoCache costs about a microsecond per key on a hit
// (it builds a command, hashes the key's slot, reads the clock, locks its LRU), three keys per
// check; a lookup here costs a map read, allocates nothing and builds no key.
//
// It is exactly as fresh as rueidis's cache: an answer is stored only after rueidis gave it
// (from Redis, or from its cache), and removed by the same invalidations, delivered by the
// client's OnInvalidations hook (so only a client made by Dial has one): a key Redis says
// changed, or everything when a connection closes (rueidis then drops its cache too). A
// generation number per shard, bumped by every invalidation, keeps an answer read before an
// invalidation from being stored after it.
//
// An answer is kept until Redis invalidates it, with no clock: the server tracks every key
// this client read until it sends the invalidation, even after rueidis's own entry has
// expired. A revocation key that expires in Redis may stay "revoked" here until Redis notices
// the expiry; that is harmless, since it expires with the tokens it names, which are then
// refused as expired anyway.
type answers struct {
	seed           maphash.Seed
	jtiKey, subKey string // key prefixes of the two kinds
	allKey         string
	maxPerShard    int

	allMu  sync.Mutex // writers of all
	all    atomic.Pointer[answer]
	allGen atomic.Uint64

	shards [answerShards]answerShard
}

const answerShards = 64

// answer is what a key holds: whether it exists and, for an epoch, its value.
type answer struct {
	found bool
	epoch int64
}

type answerShard struct {
	mu  sync.RWMutex
	gen atomic.Uint64
	m   [2]map[string]answer // by kind
	_   [40]byte
}

const (
	kindJTI = iota
	kindSub
)

func newAnswers(prefix string, maxEntries int) *answers {
	a := &answers{seed: maphash.MakeSeed(), jtiKey: prefix + "revoked:jti:", subKey: prefix + "revoked:sub:",
		allKey: prefix + "revoked:all", maxPerShard: max(maxEntries/answerShards, 16)}
	for i := range a.shards {
		a.shards[i].m = [2]map[string]answer{{}, {}}
	}
	return a
}

func (a *answers) shard(name []byte) *answerShard {
	return &a.shards[maphash.Bytes(a.seed, name)&(answerShards-1)]
}

// lookup returns the cached answer for name of this kind, and the shard's generation to give
// to store when there is none.
func (a *answers) lookup(kind int, name []byte) (ans answer, ok bool, gen uint64) {
	sh := a.shard(name)
	gen = sh.gen.Load() // before the read: an invalidation after it changes gen
	sh.mu.RLock()
	ans, ok = sh.m[kind][string(name)]
	sh.mu.RUnlock()
	return ans, ok, gen
}

// store keeps ans unless an invalidation came since gen was read.
func (a *answers) store(kind int, name []byte, ans answer, gen uint64) {
	sh := a.shard(name)
	sh.mu.Lock()
	if sh.gen.Load() == gen {
		m := sh.m[kind]
		if len(m) >= a.maxPerShard {
			clear(m) // bounded: start the shard afresh
		}
		m[string(name)] = ans
	}
	sh.mu.Unlock()
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
			clear(sh.m[kindJTI])
			clear(sh.m[kindSub])
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
	sh := a.shard([]byte(name))
	sh.mu.Lock()
	delete(sh.m[kind], name)
	sh.gen.Add(1)
	sh.mu.Unlock()
}
