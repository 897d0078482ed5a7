package redisstore

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/rueidis"
)

// Defaults of Options.
const (
	// DefaultPrefix starts every key.
	DefaultPrefix = "fastjwt:"
	// DefaultTimeout bounds every call.
	DefaultTimeout = 250 * time.Millisecond
	// DefaultAnswerEntries bounds the answers (one per "jti" or "sub" checked) a List of a
	// client made by Dial keeps in front of the client-side cache: 1<<18, about 30 MiB.
	DefaultAnswerEntries = 1 << 18
	// DefaultCacheTTL is the longest a read stays in the client-side cache without Redis
	// confirming it; Redis's invalidations end it sooner when the key changes.
	DefaultCacheTTL = time.Minute
)

// ErrConfig: Options that cannot work (no address, a prefix with a brace, a negative duration).
var ErrConfig = errors.New("redisstore: invalid configuration")

// Options configure a Redis. The zero value is usable with New; Dial needs Addrs.
type Options struct {
	// Addrs are the "host:port" addresses Dial connects to: one standalone server, or any
	// nodes of a cluster (the client finds the others). Not used by New.
	Addrs []string
	// Standalone makes Dial treat the server as standalone without asking whether it is a
	// cluster node. Not used by New.
	Standalone bool
	// Username and Password authenticate Dial's connections (Redis ACL, or Password alone for
	// requirepass). TLS, when set, encrypts them. Not used by New.
	Username, Password string
	TLS                *tls.Config
	// CacheBytes is the size of Dial's client-side cache for each connection (default
	// rueidis's, 128 MiB). Not used by New.
	CacheBytes int
	// AnswerEntries bounds the List's own cache of answers, which a client made by Dial
	// keeps (default DefaultAnswerEntries; see List).
	AnswerEntries int

	// Prefix starts every key (default DefaultPrefix). It must not contain '{' or '}', which
	// would change the keys' hash slots.
	Prefix string
	// Timeout bounds every call, on top of the caller's context (default DefaultTimeout).
	Timeout time.Duration
	// CacheTTL bounds how long a read is served from the client-side cache (default
	// DefaultCacheTTL).
	CacheTTL time.Duration
	// Grace is how long past the expiry it is given a List's entry still applies (default
	// revoke.DefaultGrace; negative: none): its key's expiry is the token's "exp" plus Grace.
	// It must cover the leeway of every verifier that checks the list (see revoke.Graced).
	Grace time.Duration

	// AllowEvictingPolicy lets the List answer on a Redis whose maxmemory-policy is not
	// noeviction. By default such a List answers ErrEvictingPolicy (and List.Check says so at
	// start): under an evicting policy a revocation can vanish unnoticed, since the marker,
	// which has no expiry, survives a volatile-* policy that evicts revocations.
	AllowEvictingPolicy bool
	// ExplicitArm keeps the List from creating its marker on first use: a List that finds no
	// marker answers ErrNotArmed until List.Arm (once, when the Redis is new) or List.Recover.
	// With it, a process started after Redis lost its data refuses to answer too, instead of
	// arming the empty Redis; without it only the processes that knew the marker do.
	ExplicitArm bool
	// OnAlert, if set, hears what an operator must see: ErrDataLost when the List finds it,
	// ErrEvictingPolicy, and a maxmemory-policy that Redis refused to tell. It is called by the
	// call that found it, and must not block.
	OnAlert func(error)
}

// Redis is a connection to Redis serving a Store, a List and Families. It is safe for
// concurrent use.
type Redis struct {
	client   rueidis.Client
	owned    bool
	store    *Store
	list     *List
	families *Families
}

// New serves a Store, a List and Families through client, which the caller made (with
// client-side caching enabled, as rueidis does by default on RESP3) and keeps: Close does not
// close it.
// Make it with rueidis.ClientOption.PipelineMultiplex -1 (one connection per node, as Dial
// does) for a read right after a write on this client to see the write (see exec); with more
// connections it may see the old value for the moment the invalidation takes to arrive.
func New(client rueidis.Client, opts Options) (*Redis, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrConfig)
	}
	c, err := newConfig(client, opts)
	if err != nil {
		return nil, err
	}
	r := &Redis{client: client, store: &Store{c: c}, list: &List{c: c, d: newDurable(c, opts)}}
	r.families = &Families{c: c, list: r.list}
	return r, nil
}

// Dial connects to Redis at opts.Addrs (standalone or cluster) with client-side caching, and
// serves a Store, a List and Families through that client; Close closes it. It fails when no
// server answers now; later outages are errors of the calls, from which the client recovers
// by itself (it reconnects) when the server is back.
func Dial(opts Options) (*Redis, error) {
	if len(opts.Addrs) == 0 {
		return nil, fmt.Errorf("%w: no address", ErrConfig)
	}
	c, err := newConfig(nil, opts)
	if err != nil {
		return nil, err
	}
	if opts.AnswerEntries < 0 {
		return nil, fmt.Errorf("%w: negative AnswerEntries", ErrConfig)
	}
	if opts.AnswerEntries == 0 {
		opts.AnswerEntries = DefaultAnswerEntries
	}
	ans := newAnswers(c.prefix, opts.AnswerEntries)
	d := newDurable(c, opts)
	d.hooked = true
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	client, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:       opts.Addrs,
		ForceSingleClient: opts.Standalone,
		Username:          opts.Username,
		Password:          opts.Password,
		TLSConfig:         opts.TLS,
		CacheSizeEachConn: opts.CacheBytes,
		// A connection that cannot write or answer a PING for this long is closed and made
		// again: an unresponsive server does not keep one forever.
		ConnWriteTimeout: max(4*timeout, time.Second),
		// One connection per node, shared by cached reads and writes: see exec.
		PipelineMultiplex: -1,
		// Redis's invalidations (and a closed connection) reach the List's and the Store's
		// answers, and the marker's state, too.
		OnInvalidations: func(keys []rueidis.RedisMessage) {
			ans.invalidate(keys)
			d.invalidate(keys)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: connecting to %s: %w", strings.Join(opts.Addrs, ","), err)
	}
	r, err := New(client, opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	r.owned = true
	r.list.ans = ans
	r.store.ans = ans
	d.c = r.list.c
	r.list.d = d
	return r, nil
}

// Store returns the session store.
func (r *Redis) Store() *Store { return r.store }

// List returns the revocation list.
func (r *Redis) List() *List { return r.list }

// Families returns the refresh-token families, on the List's Redis: they share its marker
// (see Durability in the package documentation).
func (r *Redis) Families() *Families { return r.families }

// Client returns the rueidis client.
func (r *Redis) Client() rueidis.Client { return r.client }

// Close closes the client if Dial made it; it leaves a client given to New open.
func (r *Redis) Close() {
	if r.owned {
		r.client.Close()
	}
}

// config is what a Store, a List and Families share.
type config struct {
	client            rueidis.Client
	prefix            string
	timeout, cacheTTL time.Duration
	grace             time.Duration // of the List's entries
	allKey            string        // the global epoch's key, built once
}

func newConfig(client rueidis.Client, opts Options) (*config, error) {
	c := &config{client: client, prefix: opts.Prefix, timeout: opts.Timeout, cacheTTL: opts.CacheTTL,
		grace: listGrace(opts.Grace)}
	if c.prefix == "" {
		c.prefix = DefaultPrefix
	}
	if strings.ContainsAny(c.prefix, "{}") {
		return nil, fmt.Errorf("%w: the prefix %q contains a brace", ErrConfig, c.prefix)
	}
	if c.timeout < 0 || c.cacheTTL < 0 {
		return nil, fmt.Errorf("%w: negative Timeout or CacheTTL", ErrConfig)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.cacheTTL == 0 {
		c.cacheTTL = DefaultCacheTTL
	}
	c.allKey = c.prefix + "revoked:all"
	return c, nil
}

// bound returns a context that ends c.timeout after its first use, or with parent; release must
// be called once the call has returned. It is lazy: a read served from the client-side cache
// never looks at its context, so it pays for no timer.
//
// It is not pooled: a context derived from it (context.WithCancel inside the client) may start a
// goroutine that calls Done after the call has returned, so the object must stay valid, and
// canceled, after release.
func (c *config) bound(parent context.Context) *callCtx {
	return &callCtx{parent: parent, timeout: c.timeout}
}

// callCtx is the context of one call: parent bounded by timeout, the timer started only when
// the call first waits on it (Done or Deadline).
type callCtx struct {
	parent   context.Context
	timeout  time.Duration
	mu       sync.Mutex // the client may wait on one context from several goroutines (cluster)
	ctx      context.Context
	cancel   context.CancelFunc
	released bool
}

func (c *callCtx) bounded() context.Context {
	c.mu.Lock()
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithTimeout(c.parent, c.timeout)
		if c.released {
			c.cancel() // looked at only after the call: done already
		}
	}
	ctx := c.ctx
	c.mu.Unlock()
	return ctx
}

func (c *callCtx) Deadline() (time.Time, bool) { return c.bounded().Deadline() }
func (c *callCtx) Done() <-chan struct{}       { return c.bounded().Done() }
func (c *callCtx) Value(key any) any           { return c.parent.Value(key) }
func (c *callCtx) Err() error {
	c.mu.Lock()
	ctx := c.ctx
	c.mu.Unlock()
	if ctx == nil {
		return c.parent.Err()
	}
	return ctx.Err()
}

// release ends the call's context: its timer stops, and anything still waiting on it is done.
func (c *callCtx) release() {
	c.mu.Lock()
	c.released = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
}

// script is a Lua script that writes keys which clients may hold in their caches.
type script struct{ src, sha string }

func newScript(src string) *script {
	sum := sha1.Sum([]byte(src))
	return &script{src: src, sha: hex.EncodeToString(sum[:])}
}

// exec runs s with keys (all in one slot) and args, by EVALSHA, or EVAL when the server does
// not know the script yet (a new or restarted server), and returns the script's reply.
//
// The script is followed, in the same pipeline, by a PTTL of its first key, and exec waits
// for both replies: a barrier for read-your-writes. Redis sends a connection the
// invalidations of keys that the connection itself wrote right after the reply of the command
// that wrote them, before it runs the connection's next command, and rueidis applies each
// invalidation to the cache as it reads it. So once the PTTL's reply is in, no read through
// this client is served a value from before the write. This holds when the writes and the
// cached reads of a key share one connection, as in a client made by Dial (one connection per
// node, PipelineMultiplex -1); with several connections per node the invalidation may arrive a
// moment after exec returns.
func (c *config) exec(ctx context.Context, s *script, keys, args []string) rueidis.RedisResult {
	cc := c.bound(ctx)
	defer cc.release()
	b := c.client.B()
	resps := c.client.DoMulti(cc,
		b.Evalsha().Sha1(s.sha).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build(),
		b.Pttl().Key(keys[0]).Build())
	if err, ok := rueidis.IsRedisErr(resps[0].Error()); ok && err.IsNoScript() {
		resps = c.client.DoMulti(cc,
			b.Eval().Script(s.src).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build(),
			b.Pttl().Key(keys[0]).Build())
	}
	if resps[0].Error() == nil && resps[1].NonRedisError() != nil {
		// The write was done, but the barrier did not come back (the connection broke or the
		// time ran out): report the failure rather than risk a stale read.
		return resps[1]
	}
	return resps[0]
}

// wrap names what failed and keeps the cause for errors.Is (context.DeadlineExceeded,
// rueidis's errors, *rueidis.RedisError).
func wrap(what string, err error) error {
	return fmt.Errorf("redisstore: %s: %w", what, err)
}
