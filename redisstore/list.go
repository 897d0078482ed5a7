package redisstore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/unixnano"
	"github.com/fastjwt/session/revoke"
	"github.com/redis/rueidis"
)

// List is a revoke.List in Redis. Revoked reads up to three keys (the global epoch, the
// token's "jti", its subject's epoch) through the client-side cache, so that once a node has
// seen them a check is local until one of them changes, on any node. A List of a client made by
// Dial also keeps its own cache of these answers (see answers), which makes a check that
// stays local cost about as much as the in-memory list's.
type List struct {
	c   *config
	ans *answers // nil for a client given to New: no invalidation hook
	d   *durable // the marker: whether Redis kept its data (durable.go)
}

var (
	_ revoke.List   = (*List)(nil)
	_ revoke.Graced = (*List)(nil)
)

// listGrace is the grace of Options.Grace: revoke.DefaultGrace for zero, none for a negative one.
func listGrace(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return revoke.DefaultGrace
	case d < 0:
		return 0
	}
	return d
}

// Grace implements revoke.Graced: how long past its expiry an entry still applies (Options.Grace).
func (l *List) Grace() time.Duration { return l.c.grace }

const keyBufSize = 160

var kindNames = [2]string{kindJTI: "jti", kindSub: "sub"}

// appendKey appends the key of a "jti" or "sub" entry to dst: prefix, "revoked:", kind, ":", name.
func (l *List) appendKey(dst []byte, kind int, name []byte) []byte {
	dst = append(dst, l.c.prefix...)
	dst = append(dst, "revoked:"...)
	dst = append(dst, kindNames[kind]...)
	dst = append(dst, ':')
	return append(dst, name...)
}

// get reads key through the client-side cache: its value, whether it exists, and whether the
// answer came from the cache.
func (l *List) get(ctx context.Context, key string) (v string, found, hit bool, err error) {
	resp := l.read(ctx, key)
	v, found, err = value(resp)
	return v, found, err == nil && resp.IsCacheHit(), err
}

// read sends GET key through the client-side cache.
func (l *List) read(ctx context.Context, key string) rueidis.RedisResult {
	cc := l.c.bound(ctx)
	resp := l.c.client.DoCache(cc, l.c.client.B().Get().Key(key).Cache(), l.c.cacheTTL)
	cc.release()
	return resp
}

// value returns what a GET answered: the value and whether the key exists.
func value(resp rueidis.RedisResult) (string, bool, error) {
	v, err := resp.ToString()
	if rueidis.IsRedisNil(err) {
		return "", false, nil
	}
	return v, err == nil, err
}

// fetch reads key and returns what it holds, with the expiry of the cached answer.
func (l *List) fetch(ctx context.Context, key string) (answer, error) {
	resp := l.read(ctx, key)
	v, found, err := value(resp)
	if err != nil || !found {
		return answer{}, err
	}
	return answer{found: true, epoch: parseEpoch(v), until: max(resp.CachePXAT(), 0)}, nil
}

// global returns what the global epoch's key holds.
func (l *List) global(ctx context.Context) (answer, error) {
	var gen uint64
	if l.ans != nil {
		if p := l.ans.all.Load(); p != nil && !p.stale() {
			return *p, nil
		}
		gen = l.ans.allGen.Load()
	}
	ans, err := l.fetch(ctx, l.c.allKey)
	if err == nil && l.ans != nil {
		l.ans.storeAll(ans, gen)
	}
	return ans, err
}

// entry returns what the key of name (a "jti" or a "sub") holds, from the List's answers when
// they have it (p is the lookup begun there; nil without answers), else through the
// client-side cache.
func (l *List) entry(ctx context.Context, kind int, name []byte, p *answerProbe) (answer, error) {
	if p != nil {
		if ans, ok := l.ans.end(p, name); ok && !ans.stale() {
			return ans, nil
		}
	}
	// name is the start of a buffer with room after it: the key is built there.
	ans, err := l.fetch(ctx, string(l.appendKey(name[len(name):], kind, name)))
	if err == nil && p != nil {
		l.ans.store(kind, name, ans, p)
	}
	return ans, err
}

// revoked is Revoked before the marker's confirmation. An error (Redis unreachable, the
// timeout) means the list could not answer; nothing is assumed.
func (l *List) revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error) {
	var idBuf, subBuf [keyBufSize]byte
	iat := int64(math.MinInt64) // a token without "iat" is revoked by any epoch
	if t, ok := cl.IssuedAt(); ok {
		iat = unixnano.Of(t)
	}
	// The global epoch: one key every check reads, so always in the cache.
	all, err := l.global(ctx)
	if err != nil {
		return false, wrap("reading the global epoch", err)
	}
	if all.found && iat < all.epoch {
		return true, nil
	}
	id, hasID := cl.AppendID(idBuf[:0])
	sub, hasSub := cl.AppendSubject(subBuf[:0])
	// Both lookups in the answers are begun before either is ended, so that the CPU waits for
	// their memory reads at the same time.
	var byID, bySub *answerProbe
	var probes [2]answerProbe
	if l.ans != nil {
		if hasID {
			probes[kindJTI] = l.ans.begin(kindJTI, id)
			byID = &probes[kindJTI]
		}
		if hasSub {
			probes[kindSub] = l.ans.begin(kindSub, sub)
			bySub = &probes[kindSub]
		}
	}
	if hasID {
		ans, err := l.entry(ctx, kindJTI, id, byID)
		if err != nil {
			return false, wrap("reading a token's entry", err)
		}
		if ans.found {
			return true, nil
		}
	}
	if hasSub {
		ans, err := l.entry(ctx, kindSub, sub, bySub)
		if err != nil {
			return false, wrap("reading a subject's epoch", err)
		}
		if ans.found && iat < ans.epoch {
			return true, nil
		}
	}
	return false, nil
}

// mergeScript sets KEYS[1] to ARGV[1] unless it holds a greater value (values compare as
// strings of the same length), and its expiry to ARGV[2] (Unix milliseconds) unless it
// already expires later.
var mergeScript = newScript(`
local v = ARGV[1]
local cur = redis.call('GET', KEYS[1])
if cur and cur > v then v = cur end
local at = ARGV[2]
local old = redis.call('PEXPIRETIME', KEYS[1])
if old > tonumber(at) then at = tostring(old) end
redis.call('SET', KEYS[1], v, 'PXAT', at)
return 1
`)

// merge records an entry: value v on key, until until, merged with what is there.
func (l *List) merge(ctx context.Context, key, v string, until time.Time) error {
	return l.c.exec(ctx, mergeScript, []string{key}, []string{v, strconv.FormatInt(ceilMillis(until), 10)}).Error()
}

// RevokeToken implements revoke.List: SET <prefix>revoked:jti:<jti> 1 PXAT exp+grace. A token
// whose exp plus the grace has passed needs no entry: nothing is sent. An empty jti or a zero
// exp fails with revoke.ErrInvalid.
func (l *List) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	switch {
	case jti == "":
		return fmt.Errorf("%w: empty jti", revoke.ErrInvalid)
	case exp.IsZero():
		return fmt.Errorf("%w: zero exp", revoke.ErrInvalid)
	}
	until := exp.Add(l.c.grace)
	if !until.After(time.Now()) {
		return nil
	}
	if err := l.merge(ctx, l.c.prefix+"revoked:jti:"+jti, "1", until); err != nil {
		return wrap("revoking a token", err)
	}
	return nil
}

// RevokeSubject implements revoke.List: the subject's epoch, until until plus the grace, merged
// with the one already there (the later epoch, the later expiry; a key that has expired is gone,
// so an expired epoch is replaced). An empty sub or a zero time fails with revoke.ErrInvalid.
func (l *List) RevokeSubject(ctx context.Context, sub string, at, until time.Time) error {
	if sub == "" {
		return fmt.Errorf("%w: empty sub", revoke.ErrInvalid)
	}
	if err := checkEpoch(at, until); err != nil {
		return err
	}
	until = until.Add(l.c.grace)
	if !until.After(time.Now()) {
		return nil
	}
	if err := l.merge(ctx, l.c.prefix+"revoked:sub:"+sub, formatEpoch(at), until); err != nil {
		return wrap("revoking a subject", err)
	}
	return nil
}

// RevokeAll implements revoke.List: the global epoch, until until plus the grace, merged as
// RevokeSubject merges.
func (l *List) RevokeAll(ctx context.Context, at, until time.Time) error {
	if err := checkEpoch(at, until); err != nil {
		return err
	}
	until = until.Add(l.c.grace)
	if !until.After(time.Now()) {
		return nil
	}
	if err := l.merge(ctx, l.c.allKey, formatEpoch(at), until); err != nil {
		return wrap("revoking every token", err)
	}
	return nil
}

// checkEpoch refuses a zero epoch or expiry, as revoke.List requires.
func checkEpoch(at, until time.Time) error {
	switch {
	case at.IsZero():
		return fmt.Errorf("%w: zero epoch", revoke.ErrInvalid)
	case until.IsZero():
		return fmt.Errorf("%w: zero until", revoke.ErrInvalid)
	}
	return nil
}

// An epoch is stored as its Unix nanoseconds in 20 decimal digits, so that the merge script
// can compare two as strings; times before 1970 are stored as 0 (no token is issued then).
const epochDigits = 20

func formatEpoch(t time.Time) string {
	n := max(unixnano.Of(t), 0)
	s := strconv.FormatInt(n, 10)
	return "00000000000000000000"[:epochDigits-len(s)] + s
}

// parseEpoch reads a stored epoch. A value that is not one (written by something else) is
// the largest epoch: every token is revoked rather than none, failing closed.
func parseEpoch(v string) int64 {
	if len(v) != epochDigits {
		return math.MaxInt64
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' || n > (math.MaxInt64-int64(c-'0'))/10 {
			return math.MaxInt64
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// ceilMillis is t in Unix milliseconds, rounded up so that an entry lasts at least until t.
func ceilMillis(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).Before(t) {
		ms++
	}
	return ms
}
