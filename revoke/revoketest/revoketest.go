// Package revoketest checks an implementation of revoke.List against the contract of the
// interface, as testing/fstest checks an fs.FS: one Run, called from the implementation's own
// tests, runs every case the contract has (revocation by "jti", by subject epoch and globally;
// merging; expiry, with the list's grace, also through a codec with that leeway; idempotence;
// bad inputs; the exact comparison of epochs with "iat"; concurrent use) on fresh lists the
// caller's Factory makes. revoke.Memory and package redisstore's List both
// run it; their own tests keep only what is particular to them.
//
// Expiry needs time to pass. A list that can be given a clock (revoke.MemoryOptions.Clock) gets
// a settable one, and the cases move it, to the nanosecond: an hour passes at once. A list whose
// expiry follows a clock it cannot be given (Redis expires keys by the server's clock) runs
// under RealClock: its entries are made for a short time of real time, and the cases wait, with
// a bound, for them to expire.
//
// An entry applies until its expiry plus the list's grace (revoke.GraceOf): the cases read the
// grace from the list and look at both sides of that boundary. Under RealClock they wait for it
// too, so give the list a grace of a second or so there (at most MaxRealGrace).
package revoketest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// Factory returns a new, empty List for one case of Run, sharing no entry with the lists of
// the other cases (its own key prefix, database or process), and releases it with t.Cleanup.
// now is the clock the List must read for the expiry of its entries: a clock the cases set, or
// time.Now under RealClock (the Factory may then ignore it).
type Factory func(t *testing.T, now func() time.Time) revoke.List

// Option adapts Run to what the List under test can do.
type Option func(*options)

type options struct {
	real   bool
	ttl    time.Duration // the lifetime of an entry that a case waits for
	wait   time.Duration // the longest wait past an expiry for the entry to go
	margin time.Duration
}

// RealClock runs the cases on real time, for a List whose expiry follows a clock it cannot be
// given (its server's). The entries a case waits for last ttl, and must be gone within wait
// after their expiry (plus the Margin); every other entry lasts an hour. Choose ttl long enough
// for a few calls to the List on a loaded machine (Redis on loopback: half a second), wait long
// enough for its expiry to be noticed (Redis expires keys lazily or by sampling, and then
// invalidates the client-side cache: a few seconds).
func RealClock(ttl, wait time.Duration) Option {
	return func(o *options) { o.real, o.ttl, o.wait = true, ttl, wait }
}

// Margin is how long after its expiry an entry may still apply, for a List that rounds expiries
// up (Redis keeps them to the millisecond: a margin of one). Default 0: an entry applies until
// its expiry, exclusive, and not a nanosecond after.
func Margin(d time.Duration) Option {
	return func(o *options) { o.margin = d }
}

// MaxRealGrace is the longest grace a list run under RealClock may have: the cases wait for
// entries to outlive it.
const MaxRealGrace = 5 * time.Second

// Run runs the contract's cases on lists made by newList, each in a subtest of t.
func Run(t *testing.T, newList Factory, opts ...Option) {
	t.Helper()
	o := options{ttl: 10 * time.Minute} // shorter than h.long
	for _, opt := range opts {
		opt(&o)
	}
	if o.real && (o.ttl <= 0 || o.wait <= 0) {
		t.Fatalf("revoketest: RealClock(%v, %v): both must be positive", o.ttl, o.wait)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &harness{t: t, o: o}
			now := time.Now
			if !o.real {
				h.clock = new(clock)
				h.clock.ns.Store(fakeStart.UnixNano())
				now = h.clock.Now
			}
			h.base = now().Truncate(time.Second)
			h.l = newList(t, now)
			if h.l == nil {
				t.Fatal("revoketest: the Factory returned a nil List")
			}
			h.grace = revoke.GraceOf(h.l)
			if o.real && h.grace > MaxRealGrace {
				t.Fatalf("revoketest: under RealClock the list's grace (%v) must be at most %v: give it a shorter one",
					h.grace, MaxRealGrace)
			}
			c.run(h)
		})
	}
}

// fakeStart is where a settable clock starts: a whole second.
var fakeStart = time.Unix(1700000000, 0)

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// harness is one case's list and clock.
type harness struct {
	t     *testing.T
	l     revoke.List
	o     options
	clock *clock    // nil under RealClock
	base  time.Time // a whole second at the start of the case: "iat"s and epochs count from it
	grace time.Duration
}

// end is when an entry given expiry exp stops applying: exp plus the list's grace.
func (h *harness) end(exp time.Time) time.Time { return exp.Add(h.grace) }

var ctx = context.Background()

func (h *harness) now() time.Time {
	if h.clock != nil {
		return h.clock.Now()
	}
	return time.Now()
}

// long is an expiry no case waits for.
func (h *harness) long() time.Time { return h.now().Add(time.Hour) }

// passTo moves time to t: the settable clock is set there; under RealClock, the case sleeps
// until then.
func (h *harness) passTo(t time.Time) {
	if h.clock != nil {
		if ns := t.UnixNano(); ns > h.clock.ns.Load() {
			h.clock.ns.Store(ns)
		}
		return
	}
	time.Sleep(time.Until(t))
}

// codec signs and verifies the cases' tokens. It checks no time: the lists do not read "exp".
var codec = func() *fastjwt.Codec {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("revoketest: the contract's own secret")}})
	if err != nil {
		panic(err)
	}
	return c
}()

// claims returns the verified claims of a token with this payload.
func (h *harness) claims(payload string) *fastjwt.Claims {
	h.t.Helper()
	tok, err := codec.AppendSign(nil, []byte(payload))
	if err != nil {
		h.t.Fatalf("signing %s: %v", payload, err)
	}
	cl := new(fastjwt.Claims)
	if _, err := codec.AppendVerifyClaims(nil, tok, cl); err != nil {
		h.t.Fatalf("verifying %s: %v", payload, err)
	}
	return cl
}

// noIat is the iat of token for a token without one.
const noIat = ""

// iat returns the NumericDate off seconds after the case's base, as JSON.
func (h *harness) iat(off int) string { return strconv.FormatInt(h.base.Unix()+int64(off), 10) }

// date returns t as a NumericDate to the nanosecond (t after 1970), as JSON.
func date(t time.Time) string {
	ns := strconv.FormatInt(int64(t.Nanosecond()), 10)
	return strconv.FormatInt(t.Unix(), 10) + "." + "000000000"[len(ns):] + ns
}

// token returns the claims of a token with this jti and sub (each left out when "") and this
// iat (JSON; noIat: none).
func (h *harness) token(jti, sub, iat string) *fastjwt.Claims {
	h.t.Helper()
	p := `{"exp":4102444800`
	if jti != "" {
		p += `,"jti":` + jsonString(jti)
	}
	if sub != "" {
		p += `,"sub":` + jsonString(sub)
	}
	if iat != noIat {
		p += `,"iat":` + iat
	}
	return h.claims(p + "}")
}

// want fails the case unless the List's verdict on cl is revoked.
func (h *harness) want(cl *fastjwt.Claims, revoked bool, what string) {
	h.t.Helper()
	got, err := h.l.Revoked(ctx, cl)
	if err != nil || got != revoked {
		h.t.Fatalf("%s: Revoked = %v, %v; want %v, nil", what, got, err, revoked)
	}
}

// ok fails the case when a revocation fails.
func (h *harness) ok(err error, what string) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// invalid fails the case unless err matches revoke.ErrInvalid.
func (h *harness) invalid(err error, what string) {
	h.t.Helper()
	if !errors.Is(err, revoke.ErrInvalid) {
		h.t.Fatalf("%s: %v, want an error matching revoke.ErrInvalid", what, err)
	}
}

// expires checks that the entries naming cls, given expiry exp, apply until exp plus the
// list's grace and not after that plus the Margin. With a settable clock it looks a nanosecond
// before exp + grace and at exp + grace + Margin; under RealClock it polls until they are gone,
// failing if a verdict given entirely before exp + grace says not revoked, or if they outlast
// exp + grace + Margin + wait.
func (h *harness) expires(exp time.Time, what string, cls ...*fastjwt.Claims) {
	h.t.Helper()
	end := h.end(exp)
	if h.clock != nil {
		h.passTo(end.Add(-time.Nanosecond))
		for _, cl := range cls {
			h.want(cl, true, what+": a nanosecond before the expiry plus the grace")
		}
		h.passTo(end.Add(h.o.margin))
		for _, cl := range cls {
			h.want(cl, false, what+": at the expiry plus the grace")
		}
		return
	}
	deadline := end.Add(h.o.margin + h.o.wait)
	for i, cl := range cls {
		for {
			got, err := h.l.Revoked(ctx, cl)
			done := time.Now()
			if err != nil {
				h.t.Fatalf("%s (token %d): Revoked: %v", what, i, err)
			}
			if !got {
				if done.Before(end) {
					h.t.Fatalf("%s (token %d): not revoked %v before the expiry plus the grace", what, i, end.Sub(done))
				}
				break
			}
			if done.After(deadline) {
				h.t.Fatalf("%s (token %d): still revoked %v after the expiry plus the grace (Margin %v, wait %v)",
					what, i, done.Sub(end), h.o.margin, h.o.wait)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// jsonString returns s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
