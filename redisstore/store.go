package redisstore

import (
	"context"
	"strconv"
	"time"
	"unsafe"

	"github.com/fastjwt/session/store"
)

// Store is a store.Store in Redis: each session is a hash, written a field at a time, and
// read through the client-side cache. See the package documentation for its keys and why its
// writes are atomic.
type Store struct {
	c   *config
	ans *answers // nil for a client given to New: no invalidation hook
}

var _ store.Store = (*Store)(nil)

func (s *Store) dataKey(id string) string { return s.c.prefix + "{sess:" + id + "}:data" }
func (s *Store) tombKey(id string) string { return s.c.prefix + "{sess:" + id + "}:tomb" }

// Load implements store.Store: one HGETALL, served from the client-side cache until the
// session changes. A session exists while its hash has a field.
func (s *Store) Load(ctx context.Context, id string, fn func(name string, value []byte)) (bool, error) {
	found, _, err := s.load(ctx, id, fn)
	return found, err
}

// load is Load, reporting also whether the answer came from the client-side cache.
func (s *Store) load(ctx context.Context, id string, fn func(name string, value []byte)) (found, hit bool, err error) {
	if err := check(ctx, id); err != nil {
		return false, false, err
	}
	cc := s.c.bound(ctx)
	resp := s.c.client.DoCache(cc, s.c.client.B().Hgetall().Key(s.dataKey(id)).Cache(), s.c.cacheTTL)
	cc.release()
	m, err := resp.AsStrMap()
	if err != nil {
		return false, false, wrap("loading a session", err)
	}
	if _, provisional := m[provisionalField]; provisional {
		// The client came back: an ordinary session from now on, lasting its Create's ttl.
		delete(m, provisionalField)
		if err := s.c.exec(ctx, promoteScript, []string{s.dataKey(id)}, nil).Error(); err != nil {
			return false, false, wrap("loading a session", err)
		}
	}
	for name, value := range m {
		fn(name, []byte(value))
	}
	return len(m) > 0, resp.IsCacheHit(), nil
}

// Alive implements store.Store: whether the session's hash exists. The tombstone need not be
// read: Destroy deletes the hash in the script that sets the tombstone, and Update refuses to
// write under a tombstone, so a hash exists only while no tombstone does.
//
// With a client made by Dial the answer is the Store's own cache (the List's, see answers): a
// hash and a lock-free table read, no allocation, no key built. On a miss it is one HLEN
// through rueidis's client-side cache, whose key Redis then tracks: an Update or a Destroy on
// any client (a logout on another node) invalidates it here, and the next request asks Redis
// again. An answer that the session exists also stops applying at the hash's expiry as read
// (capped by Options.CacheTTL), so an expired session is not alive here either.
func (s *Store) Alive(ctx context.Context, id string) (bool, error) {
	if err := check(ctx, id); err != nil {
		return false, err
	}
	name := unsafe.Slice(unsafe.StringData(id), len(id)) // read only, during the call
	var p answerProbe
	if s.ans != nil {
		p = s.ans.begin(kindSession, name)
		if ans, ok := s.ans.end(&p, name); ok && !ans.stale() {
			return ans.found, nil
		}
	}
	// A provisional session (Create) becomes ordinary now, as on Load: its client came back.
	// Before the cached read, so that the promotion's own invalidation of the key precedes the
	// answer cached here; on an ordinary session the script changes nothing, so a session pays
	// it on its cache misses only.
	if err := s.c.exec(ctx, promoteScript, []string{s.dataKey(id)}, nil).Error(); err != nil {
		return false, wrap("checking a session", err)
	}
	cc := s.c.bound(ctx)
	resp := s.c.client.DoCache(cc, s.c.client.B().Hlen().Key(s.dataKey(id)).Cache(), s.c.cacheTTL)
	cc.release()
	n, err := resp.AsInt64()
	if err != nil {
		return false, wrap("checking a session", err)
	}
	ans := answer{found: n > 0}
	if ans.found {
		ans.until = max(resp.CachePXAT(), 0)
	}
	if s.ans != nil {
		s.ans.store(kindSession, name, ans, &p)
	}
	return ans.found, nil
}

// provisionalField marks the hash of a provisional session (Create) until a Load or an Update
// makes it ordinary; its value is the ttl Create was given, in milliseconds. Its name is not
// valid UTF-8, so no session's field can have it (session.Session refuses such names).
const provisionalField = "\xffprovisional"

// promoteScript: KEYS[1] the hash. If it is still provisional, the mark goes and the hash
// lasts the ttl the mark holds, from now (or longer, if it already did).
var promoteScript = newScript(`
local ttl = redis.call('HGET', KEYS[1], '\255provisional')
if not ttl then return 0 end
redis.call('HDEL', KEYS[1], '\255provisional')
if redis.call('PTTL', KEYS[1]) < tonumber(ttl) then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`)

// updateScript: KEYS[1] the hash, KEYS[2] the tombstone; ARGV[1] the ttl in milliseconds,
// ARGV[2] the number of names to delete, then those names, then name, value pairs to set.
// unpack is given at most a few hundred values at a time (Lua's stack is bounded). The
// provisional mark goes after the fields are set, not before: Redis checks a script's writes
// against maxmemory only until its first write, so under noeviction a script whose first write
// is an HDEL (which Redis allows when out of memory) would go on to set fields past the limit
// instead of failing with OOM.
var updateScript = newScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local last = 2 + tonumber(ARGV[2])
local i = 3
while i <= last do
  local j = math.min(i + 255, last)
  redis.call('HDEL', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
while i <= #ARGV do
  local j = math.min(i + 511, #ARGV)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
redis.call('HDEL', KEYS[1], '\255provisional')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`)

// Update implements store.Store: one script, so one round trip, that refuses if the
// session's tombstone exists (store.ErrDestroyed), then deletes the names in del, sets the
// fields in set (a name in both is set) and sets the hash's expiry to ttl; a provisional
// session (Create) becomes ordinary. Only what changed
// is sent; other fields, possibly being changed by a concurrent request, are untouched.
func (s *Store) Update(ctx context.Context, id string, set []store.Field, del []string, ttl time.Duration) error {
	if ttl <= 0 {
		return store.ErrInvalid
	}
	if err := check(ctx, id); err != nil {
		return err
	}
	args := make([]string, 0, 2+len(del)+2*len(set))
	args = append(args, strconv.FormatInt(millis(ttl), 10), strconv.Itoa(len(del)))
	args = append(args, del...)
	for _, f := range set {
		args = append(args, f.Name, string(f.Value))
	}
	resp := s.c.exec(ctx, updateScript, []string{s.dataKey(id), s.tombKey(id)}, args)
	n, err := resp.AsInt64()
	if err != nil {
		return wrap("updating a session", err)
	}
	if n == 0 {
		return store.ErrDestroyed
	}
	return nil
}

// createScript: KEYS[1] the hash, KEYS[2] the tombstone; ARGV[1] the ttl in milliseconds,
// ARGV[2] the provisional one (ttl cut to store.ProvisionalLifetime), then name, value pairs to
// set. A new hash is marked provisional and lasts ARGV[2]; an ordinary one is updated.
var createScript = newScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local fresh = redis.call('EXISTS', KEYS[1]) == 0
if fresh and #ARGV < 3 then return 1 end
local provisional = fresh or redis.call('HEXISTS', KEYS[1], '\255provisional') == 1
local i = 3
while i <= #ARGV do
  local j = math.min(i + 511, #ARGV)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
if provisional then
  redis.call('HSET', KEYS[1], '\255provisional', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1
`)

// Create implements store.Store: one script, as Update's. A new session's hash is marked
// provisional (a field of its own, provisionalField) and lasts min(ttl,
// store.ProvisionalLifetime); the first Load or Update removes the mark and gives it ttl. Redis
// evicts by its own policy, not by this mark: what the short lifetime buys is that a flood of
// requests without a cookie holds at most ProvisionalLifetime of its sessions (its rate times
// ten minutes), not a whole session Lifetime of them (see the package documentation).
func (s *Store) Create(ctx context.Context, id string, set []store.Field, ttl time.Duration) error {
	if ttl <= 0 {
		return store.ErrInvalid
	}
	if err := check(ctx, id); err != nil {
		return err
	}
	args := make([]string, 0, 2+2*len(set))
	args = append(args, strconv.FormatInt(millis(ttl), 10), strconv.FormatInt(millis(min(ttl, store.ProvisionalLifetime)), 10))
	for _, f := range set {
		args = append(args, f.Name, string(f.Value))
	}
	resp := s.c.exec(ctx, createScript, []string{s.dataKey(id), s.tombKey(id)}, args)
	n, err := resp.AsInt64()
	if err != nil {
		return wrap("creating a session", err)
	}
	if n == 0 {
		return store.ErrDestroyed
	}
	return nil
}

// destroyScript: KEYS[1] the hash, KEYS[2] the tombstone; ARGV[1] the tombstone's ttl in
// milliseconds, 0 for none. A tombstone already there that lasts longer is kept. It returns 0
// when a tombstone was there (another Destroy came first), 1 otherwise.
var destroyScript = newScript(`
local first = 1
if redis.call('EXISTS', KEYS[2]) == 1 then first = 0 end
redis.call('DEL', KEYS[1])
local ttl = tonumber(ARGV[1])
if ttl > 0 and redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
end
return first
`)

// Destroy implements store.Store: one script deletes the hash and sets the tombstone for
// ttl; a tombstone already there that lasts longer is kept. A ttl that is not positive (the
// token has expired: no request can carry it) adds no tombstone. When a tombstone was there,
// the same script says so and Destroy returns store.ErrDestroyed, its work done.
func (s *Store) Destroy(ctx context.Context, id string, ttl time.Duration) error {
	if err := check(ctx, id); err != nil {
		return err
	}
	ms := int64(0)
	if ttl > 0 {
		ms = millis(ttl)
	}
	resp := s.c.exec(ctx, destroyScript, []string{s.dataKey(id), s.tombKey(id)}, []string{strconv.FormatInt(ms, 10)})
	first, err := resp.AsInt64()
	if err != nil {
		return wrap("destroying a session", err)
	}
	if first == 0 {
		return store.ErrDestroyed
	}
	return nil
}

// check refuses an empty id (store.ErrInvalid) and a call whose ctx is already done (its
// error), before anything is sent: such a call changes nothing.
func check(ctx context.Context, id string) error {
	if id == "" {
		return store.ErrInvalid
	}
	return ctx.Err()
}

// millis rounds a positive duration up to whole milliseconds, Redis's unit, without
// overflowing.
func millis(d time.Duration) int64 {
	ms := int64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		ms++
	}
	return ms
}
