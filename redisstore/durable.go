package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/redis/rueidis"
)

// The errors of a List that cannot trust its Redis. revoke.Checker wraps them, as any error of
// a List, in revoke.ErrUnavailable: the request is refused with 503 unless it fails open.
var (
	// ErrDataLost: the List's marker vanished or was replaced (Redis was flushed, restarted
	// or failed over without the data, or evicted the marker), so every revocation may be gone.
	// The List keeps answering it, whatever Redis holds afterwards, until List.Recover.
	ErrDataLost = errors.New("redisstore: the revocation list's Redis lost its data (flushed, restarted or failed over empty, or evicting): revocations may be gone; List.Recover re-arms the list")
	// ErrEvictingPolicy: the List's Redis has a maxmemory-policy other than noeviction, under
	// which a revocation can be evicted without anyone knowing (Options.AllowEvictingPolicy).
	ErrEvictingPolicy = errors.New("redisstore: the revocation list's Redis may evict revocations: set maxmemory-policy noeviction (or give the list a Redis of its own)")
	// ErrNotArmed: with Options.ExplicitArm, the List found no marker: List.Arm creates it.
	ErrNotArmed = errors.New("redisstore: the revocation list is not armed (no marker in Redis): List.Arm, or List.Recover if Redis lost its data")
)

// policyRecheck is how long the List trusts a maxmemory-policy it read as evicting before
// reading it again: a List refused for its policy does not send CONFIG GET on every check.
const policyRecheck = time.Second

// lostRecheck is how often a List that answers ErrDataLost looks for another process's
// Recover (one GET of the marker).
const lostRecheck = time.Second

// durable is what a List knows of its Redis's data: the value of the marker key it trusts,
// whether the marker vanished (sticky until Recover), and, for a client made by Dial, whether
// the marker was confirmed since Redis last invalidated it.
//
// The marker, <prefix>revoked:marker, has no expiry and is read through the client-side
// cache, so Redis tracks it for this client: a FLUSHALL or FLUSHDB, an eviction of the marker
// or its deletion sends an invalidation, and a broken connection (a restart, a failover)
// drops the cache. Either clears ok; the next check that would answer "not revoked" reads the
// marker again, and finds it gone.
type durable struct {
	c                       *config
	key                     string
	allowEvicting, explicit bool
	alert                   func(error)
	hooked                  bool // invalidations reach ok and gen (a client made by Dial)

	ok  atomic.Bool   // the marker was confirmed since the last invalidation (hooked only)
	gen atomic.Uint64 // bumped by every invalidation of the marker (hooked only)

	known atomic.Pointer[string] // the marker's value this List trusts; nil: none seen yet
	lost  atomic.Pointer[error]  // why the List answers ErrDataLost; nil while it does not

	mu           sync.Mutex // validations
	lostAt       time.Time  // when a List that lost its data last looked for a Recover
	evictingAt   time.Time  // when the policy was last read as evicting
	evictingErr  error
	policyWarned bool
}

func newDurable(c *config, opts Options) *durable {
	return &durable{c: c, key: c.prefix + "revoked:marker", allowEvicting: opts.AllowEvictingPolicy,
		explicit: opts.ExplicitArm, alert: opts.OnAlert}
}

// invalidate is called with the client's invalidations: keys Redis says changed, nil for all
// (a FLUSHALL, or a connection closed).
func (d *durable) invalidate(keys []rueidis.RedisMessage) {
	if keys != nil {
		mine := false
		for i := range keys {
			k, err := keys[i].ToString()
			if err != nil || k == d.key {
				mine = true
				break
			}
		}
		if !mine {
			return
		}
	}
	d.gen.Add(1)
	d.ok.Store(false)
}

// Revoked implements revoke.List. An error (Redis unreachable, the timeout, ErrDataLost,
// ErrEvictingPolicy, ErrNotArmed) means the list could not answer; nothing is assumed.
//
// A "not revoked" answer is given only once the List's marker is confirmed after the entries
// were read: from this process's memory while Redis has not invalidated it, else by reading
// it (and, after a reconnection, the maxmemory-policy) again.
func (l *List) Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error) {
	if l.d.lost.Load() != nil {
		if err := l.d.retry(ctx); err != nil {
			return false, err
		}
	}
	r, err := l.revoked(ctx, cl)
	if err != nil || r {
		return r, err
	}
	if err := l.d.confirm(ctx); err != nil {
		return false, err
	}
	return false, nil
}

// confirm returns nil when the marker is as this List knows it.
func (d *durable) confirm(ctx context.Context) error {
	if d.hooked {
		if d.ok.Load() {
			return nil
		}
		return d.validate(ctx, false)
	}
	// A client given to New: rueidis's cache, kept by the same invalidations, holds the marker.
	if k := d.known.Load(); k != nil {
		cc := d.c.bound(ctx)
		v, found, err := value(d.c.client.DoCache(cc, d.c.client.B().Get().Key(d.key).Cache(), d.c.cacheTTL))
		cc.release()
		if err != nil {
			return wrap("reading the list's marker", err)
		}
		if found && v == *k {
			return nil
		}
	}
	return d.validate(ctx, false)
}

// validate reads the policy (unless allowed) and the marker, arms the marker on first use
// (unless explicit), and decides: nil, or why the List cannot answer. force skips what the
// List already confirmed since the last invalidation.
func (d *durable) validate(ctx context.Context, force bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.lost.Load(); p != nil {
		return d.retryLocked(ctx, *p)
	}
	if !force && d.hooked && d.ok.Load() {
		return nil // confirmed by the validation this one waited for
	}
	gen := d.gen.Load()
	if err := d.checkPolicy(ctx); err != nil {
		return err
	}
	v, found, err := d.readMarker(ctx)
	if err != nil {
		return err
	}
	k := d.known.Load()
	switch {
	case !found && k == nil && d.explicit:
		return ErrNotArmed
	case !found && k == nil:
		if _, err = d.arm(ctx, "a"); err != nil {
			return err
		}
		// Arming invalidated the marker this client had read as absent, which ends Redis's
		// tracking of it: read it again, so that Redis tracks it.
		gen = d.gen.Load()
		if v, found, err = d.readMarker(ctx); err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w (the marker %s vanished as it was armed)", ErrDataLost, d.key)
		}
		d.known.Store(&v)
	case k == nil:
		d.known.Store(&v)
	case found && v == *k:
	case found && strings.HasPrefix(v, "r") && d.recovered(ctx, v):
		d.known.Store(&v) // another process's Recover: its global epoch is in place
	default:
		what := "is gone"
		if found {
			what = "was replaced by " + v
		}
		err := fmt.Errorf("%w (the marker %s %s; this process knew it as %s)", ErrDataLost, d.key, what, *k)
		d.lost.Store(&err)
		d.lostAt = time.Now()
		if d.alert != nil {
			d.alert(err)
		}
		return err
	}
	if d.hooked && d.gen.Load() == gen {
		d.ok.Store(true)
	}
	return nil
}

// retry is validate for a List that answers ErrDataLost: at most once every lostRecheck, it
// looks for another process's Recover; nil once it found one.
func (d *durable) retry(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.lost.Load()
	if p == nil {
		return nil
	}
	if time.Since(d.lostAt) < lostRecheck {
		return *p
	}
	return d.retryLocked(ctx, *p)
}

func (d *durable) retryLocked(ctx context.Context, lost error) error {
	d.lostAt = time.Now()
	v, found, err := d.readMarker(ctx)
	if err != nil || !found || v == *d.known.Load() || !strings.HasPrefix(v, "r") || !d.recovered(ctx, v) {
		return lost
	}
	d.known.Store(&v)
	d.lost.Store(nil)
	return nil
}

// readMarker reads the marker through the client-side cache, so that Redis tracks it.
func (d *durable) readMarker(ctx context.Context) (string, bool, error) {
	cc := d.c.bound(ctx)
	v, found, err := value(d.c.client.DoCache(cc, d.c.client.B().Get().Key(d.key).Cache(), d.c.cacheTTL))
	cc.release()
	if err != nil {
		return "", false, wrap("reading the list's marker", err)
	}
	return v, found, nil
}

// arm sets the marker, unless one exists, to a new value of this kind ("a" armed, "r"
// recovered: "r" then the epoch of the recovery), and returns the value Redis holds.
func (d *durable) arm(ctx context.Context, kind string) (string, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	v := kind + formatEpoch(time.Now()) + ":" + hex.EncodeToString(b[:])
	return d.setMarker(ctx, v, true)
}

// setMarker writes v to the marker (only when there is none, with nx) and returns what the
// marker holds afterwards. SET ... NX GET answers the old value, if any, in one round trip.
func (d *durable) setMarker(ctx context.Context, v string, nx bool) (string, error) {
	cc := d.c.bound(ctx)
	defer cc.release()
	b := d.c.client.B()
	var cmd rueidis.Completed
	if nx {
		cmd = b.Set().Key(d.key).Value(v).Nx().Get().Build()
	} else {
		cmd = b.Set().Key(d.key).Value(v).Build()
	}
	resps := d.c.client.DoMulti(cc, cmd, b.Pttl().Key(d.key).Build())
	old, found, err := value(resps[0])
	if err == nil {
		err = resps[1].NonRedisError() // the barrier: this client saw its own invalidation
	}
	if err != nil {
		return "", wrap("arming the list's marker", err)
	}
	if nx && found {
		return old, nil
	}
	return v, nil
}

// recovered reports whether the recovery marker v is backed by the global epoch it names.
func (d *durable) recovered(ctx context.Context, v string) bool {
	if len(v) < 1+epochDigits {
		return false
	}
	want := parseEpoch(v[1 : 1+epochDigits])
	cc := d.c.bound(ctx)
	got, found, err := value(d.c.client.Do(cc, d.c.client.B().Get().Key(d.c.allKey).Build()))
	cc.release()
	return err == nil && found && parseEpoch(got) >= want
}

// checkPolicy refuses a Redis whose maxmemory-policy evicts keys, unless allowed. A Redis
// that refuses CONFIG GET (managed services often do) is told of once, through OnAlert, and
// trusted to be configured as the package documentation says.
func (d *durable) checkPolicy(ctx context.Context) error {
	if d.allowEvicting {
		return nil
	}
	if d.evictingErr != nil && time.Since(d.evictingAt) < policyRecheck {
		return d.evictingErr
	}
	cc := d.c.bound(ctx)
	resp := d.c.client.Do(cc, d.c.client.B().ConfigGet().Parameter("maxmemory-policy").Build())
	cc.release()
	if err := resp.NonRedisError(); err != nil {
		return wrap("reading maxmemory-policy", err)
	}
	m, err := resp.AsStrMap()
	policy, ok := m["maxmemory-policy"]
	if err != nil || !ok {
		if !d.policyWarned && d.alert != nil {
			d.policyWarned = true
			d.alert(fmt.Errorf("redisstore: cannot read the maxmemory-policy of the revocation list's Redis (%v): make sure it is noeviction", err))
		}
		return nil
	}
	if policy == "noeviction" {
		d.evictingErr = nil
		return nil
	}
	d.evictingErr = fmt.Errorf("%w (it is %s)", ErrEvictingPolicy, policy)
	d.evictingAt = time.Now()
	if d.alert != nil {
		d.alert(d.evictingErr)
	}
	return d.evictingErr
}

// Check reports whether the List can answer now: nil, or ErrDataLost, ErrEvictingPolicy,
// ErrNotArmed, or Redis's or the network's error. It reads the maxmemory-policy and the marker
// (through the client-side cache), arming the marker on first use unless Options.ExplicitArm.
// A program calls it at start, to refuse a Redis that evicts; a readiness check calls it on
// every probe, which also finds a policy changed at run time.
func (l *List) Check(ctx context.Context) error { return l.d.validate(ctx, true) }

// Arm creates the List's marker in Redis if there is none, and checks the List as Check does.
// A List arms it by itself on first use, unless Options.ExplicitArm; a deployment that sets
// ExplicitArm calls Arm once, when its Redis is new. Arm does not end ErrDataLost: Recover does.
func (l *List) Arm(ctx context.Context) error {
	if p := l.d.lost.Load(); p != nil {
		return *p
	}
	if _, err := l.d.arm(ctx, "a"); err != nil {
		return err
	}
	return l.Check(ctx)
}

// Recover ends ErrDataLost once Redis holds no more than it can be trusted with: it revokes
// every token issued before now (RevokeAll(now, until): until is when the last of them has
// expired, plus the verifiers' leeway), then writes a new marker, which every other List on
// this Redis accepts once it has read that global epoch back. Users sign in again; revocations
// made since the loss are kept. It is safe to run on several processes: each revokes up to its
// own now.
func (l *List) Recover(ctx context.Context, until time.Time) error {
	now := time.Now()
	if !until.After(now) {
		return fmt.Errorf("%w: until %v is not in the future", revoke.ErrInvalid, until)
	}
	if err := l.RevokeAll(ctx, now, until); err != nil {
		return err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	v, err := l.d.setMarker(ctx, "r"+formatEpoch(now)+":"+hex.EncodeToString(b[:]), false)
	if err != nil {
		return err
	}
	l.d.mu.Lock()
	l.d.known.Store(&v)
	l.d.lost.Store(nil)
	l.d.mu.Unlock()
	return l.Check(ctx)
}
