package revoke_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/revoke/revoketest"
)

// t0 is the tests' "now": tokens are issued around it and the lists' clocks start there.
var t0 = time.Unix(1700000000, 0)

// clock is a settable clock for a list.
type clock struct{ ns atomic.Int64 }

func newClock() *clock                   { c := &clock{}; c.ns.Store(t0.UnixNano()); return c }
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
func newList(c *clock, max int) *revoke.Memory {
	return revoke.NewMemory(revoke.MemoryOptions{MaxEntries: max, Clock: c.Now})
}

var testCodec = func() *fastjwt.Codec {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("revoke-test-secret-0123456789abcdef")}},
		fastjwt.WithClock(func() time.Time { return t0 }))
	if err != nil {
		panic(err)
	}
	return c
}()

// claims returns the verified claims of a token with this payload.
func claims(tb testing.TB, payload string) *fastjwt.Claims {
	tb.Helper()
	tok, err := testCodec.AppendSign(nil, []byte(payload))
	if err != nil {
		tb.Fatal(err)
	}
	cl := new(fastjwt.Claims)
	if _, err := testCodec.AppendVerifyClaims(nil, tok, cl); err != nil {
		tb.Fatal(err)
	}
	return cl
}

// token returns the claims of a token with jti, sub and iat (seconds after t0; nil: no "iat").
func token(tb testing.TB, jti, sub string, iat *int) *fastjwt.Claims {
	p := fmt.Sprintf(`{"exp":%d`, t0.Unix()+3600)
	if jti != "" {
		p += fmt.Sprintf(`,"jti":%q`, jti)
	}
	if sub != "" {
		p += fmt.Sprintf(`,"sub":%q`, sub)
	}
	if iat != nil {
		p += fmt.Sprintf(`,"iat":%d`, t0.Unix()+int64(*iat))
	}
	return claims(tb, p+"}")
}

func ptr(i int) *int { return &i }

func mustRevoked(tb testing.TB, l revoke.List, cl *fastjwt.Claims, want bool, what string) {
	tb.Helper()
	got, err := l.Revoked(context.Background(), cl)
	if err != nil || got != want {
		tb.Fatalf("%s: Revoked = %v, %v; want %v, nil", what, got, err, want)
	}
}

// The memory list meets the contract of revoke.List, on the settable clock of the cases, with
// the default grace, another one, and none.
func TestMemoryContract(t *testing.T) {
	for _, grace := range []time.Duration{0, 90 * time.Second, -1} {
		t.Run(fmt.Sprint("grace ", grace), func(t *testing.T) {
			revoketest.Run(t, func(t *testing.T, now func() time.Time) revoke.List {
				return revoke.NewMemory(revoke.MemoryOptions{Clock: now, Grace: grace})
			})
		})
	}
}

// Grace is the option, DefaultGrace when it is zero, none when it is negative; GraceOf reads it,
// and gives 0 for a List that does not report one.
func TestMemoryGrace(t *testing.T) {
	for _, tc := range []struct{ opt, want time.Duration }{
		{0, revoke.DefaultGrace}, {time.Second, time.Second}, {-time.Second, 0},
	} {
		l := revoke.NewMemory(revoke.MemoryOptions{Grace: tc.opt})
		if l.Grace() != tc.want || revoke.GraceOf(l) != tc.want {
			t.Errorf("Grace %v: Grace() = %v, GraceOf = %v; want %v", tc.opt, l.Grace(), revoke.GraceOf(l), tc.want)
		}
	}
	if g := revoke.GraceOf(downList{}); g != 0 {
		t.Errorf("GraceOf a List without Grace = %v, want 0", g)
	}
	if g := revoke.GraceOf(nil); g != 0 {
		t.Errorf("GraceOf(nil) = %v, want 0", g)
	}
}

// leewayVerifier is a verifier that reports a leeway.
type leewayVerifier struct {
	fastjwt.Verifier
	d time.Duration
}

func (v leewayVerifier) Leeway() time.Duration { return v.d }

// CheckLeeway refuses a leeway longer than the list's grace, and nothing else.
func TestCheckLeeway(t *testing.T) {
	list := revoke.NewMemory(revoke.MemoryOptions{Grace: time.Minute})
	for _, tc := range []struct {
		name string
		l    revoke.List
		v    fastjwt.Verifier
		want string // "" for nil
	}{
		{"no list", nil, leewayVerifier{d: time.Hour}, ""},
		{"a verifier that reports no leeway", list, testCodec, ""},
		{"the leeway equal to the grace", list, leewayVerifier{d: time.Minute}, ""},
		{"a leeway longer than the grace", list, leewayVerifier{d: time.Minute + time.Nanosecond},
			"revoke: the verifier's leeway is longer than the revocation list's grace: a leeway of 1m0.000000001s, a grace of 1m0s (give the list a grace of at least the leeway)"},
		{"a list without grace", downList{}, leewayVerifier{d: time.Second},
			"revoke: the verifier's leeway is longer than the revocation list's grace: a leeway of 1s, a grace of 0s (give the list a grace of at least the leeway)"},
		{"a list without grace, no leeway", downList{}, leewayVerifier{}, ""},
	} {
		err := revoke.CheckLeeway(tc.l, tc.v)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, revoke.ErrLeeway)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// A revocation whose expiry has passed but not its expiry plus the grace is recorded; one past
// both is not.
func TestMemoryRevokeWithinGrace(t *testing.T) {
	c := newClock()
	l := revoke.NewMemory(revoke.MemoryOptions{Clock: c.Now, Grace: time.Minute})
	ctx := context.Background()
	for _, r := range []struct {
		jti string
		exp time.Time
	}{{"inside", t0.Add(-time.Minute + time.Nanosecond)}, {"outside", t0.Add(-time.Minute)}} {
		if err := l.RevokeToken(ctx, r.jti, r.exp); err != nil {
			t.Fatal(err)
		}
	}
	mustRevoked(t, l, token(t, "inside", "", nil), true, "expired a nanosecond less than the grace ago")
	mustRevoked(t, l, token(t, "outside", "", nil), false, "expired the grace ago")
	if l.Len() != 1 {
		t.Fatalf("Len = %d, want 1", l.Len())
	}
	c.Advance(time.Nanosecond)
	mustRevoked(t, l, token(t, "inside", "", nil), false, "a nanosecond later")
}

// Len counts entries: one per "jti" or subject however often it is revoked, none for the global
// epoch or for a revocation that had already expired.
func TestMemoryLen(t *testing.T) {
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	for range 3 {
		if err := l.RevokeToken(ctx, "a", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := l.RevokeSubject(ctx, "u1", t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := l.RevokeAll(ctx, t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.RevokeToken(ctx, "old", t0.Add(-revoke.DefaultGrace)); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeSubject(ctx, "", t0, t0.Add(time.Hour)); !errors.Is(err, revoke.ErrInvalid) {
		t.Fatalf("empty sub: %v", err)
	}
	if l.Len() != 2 {
		t.Fatalf("Len = %d, want 2 (one jti, one subject)", l.Len())
	}
}

// At its bound a list removes the entries that have expired (their expiry plus the grace is
// past) to make room, and otherwise records the revocation past the bound, telling OnOverflow:
// a revocation is never refused or dropped, and no entry that applies is evicted.
func TestMemoryBound(t *testing.T) {
	c := newClock()
	var heard []int
	l := revoke.NewMemory(revoke.MemoryOptions{MaxEntries: 10, Clock: c.Now, Grace: time.Minute,
		OnOverflow: func(n int) { heard = append(heard, n) }})
	ctx := context.Background()
	for i := range 10 {
		if err := l.RevokeToken(ctx, fmt.Sprint("t", i), t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if len(heard) != 0 {
		t.Fatalf("OnOverflow heard %v at the bound", heard)
	}
	if err := l.RevokeToken(ctx, "one more", t0.Add(time.Hour)); err != nil {
		t.Fatalf("11th entry: %v", err)
	}
	if err := l.RevokeSubject(ctx, "u", t0, t0.Add(time.Hour)); err != nil {
		t.Fatalf("12th entry (subject): %v", err)
	}
	if fmt.Sprint(heard) != "[11 12]" || l.Len() != 12 {
		t.Fatalf("past the bound: OnOverflow heard %v, Len %d; want [11 12], 12", heard, l.Len())
	}
	mustRevoked(t, l, token(t, "one more", "", nil), true, "a revocation past the bound")
	mustRevoked(t, l, token(t, "", "u", ptr(-1)), true, "a subject revoked past the bound")
	for i := range 10 {
		mustRevoked(t, l, token(t, fmt.Sprint("t", i), "", nil), true, "kept at the bound")
	}
	// Updating an entry that exists needs no room; the global epoch is not an entry.
	heard = nil
	if err := l.RevokeToken(ctx, "t0", t0.Add(time.Hour)); err != nil {
		t.Fatalf("updating an entry past the bound: %v", err)
	}
	if err := l.RevokeAll(ctx, t0.Add(-time.Hour), t0.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeAll past the bound: %v", err)
	}
	if len(heard) != 0 {
		t.Fatalf("OnOverflow heard %v for an update and the global epoch", heard)
	}
	// At t0+5m the entries of t1..t3 (expiring at t0+2m..t0+4m, plus a minute of grace) have
	// gone, t4's (t0+5m, plus the grace) applies still, t0 was extended: the next revocation
	// removes three and finds room (12 - 3 + 1 = 10), the one after is the 11th again.
	c.Advance(5 * time.Minute)
	mustRevoked(t, l, token(t, "t4", "", ptr(0)), true, "an entry past its expiry, within the grace")
	if err := l.RevokeToken(ctx, "n0", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "t4", "", ptr(0)), true, "an entry within the grace, after the sweep")
	mustRevoked(t, l, token(t, "t1", "", ptr(0)), false, "an entry past its expiry plus the grace")
	if len(heard) != 0 || l.Len() != 10 {
		t.Fatalf("after the sweep: OnOverflow heard %v, Len %d; want none, 10", heard, l.Len())
	}
	if err := l.RevokeToken(ctx, "n1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(heard) != "[11]" || l.Len() != 11 {
		t.Fatalf("past the bound again: OnOverflow heard %v, Len %d; want [11], 11", heard, l.Len())
	}
}

// Writes remove expired entries as they go, so a list whose entries keep expiring does not
// grow with the number of revocations ever made.
func TestMemorySweepsAsItWrites(t *testing.T) {
	c := newClock()
	l := revoke.NewMemory(revoke.MemoryOptions{Clock: c.Now, Grace: time.Second})
	ctx := context.Background()
	for round := range 50 {
		for i := range 1000 {
			if err := l.RevokeToken(ctx, fmt.Sprint(round, "-", i), c.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		c.Advance(3 * time.Second) // this round's entries expire, with the grace
	}
	// 50,000 revocations, at most 1,000 alive at a time.
	if n := l.Len(); n > 5000 {
		t.Fatalf("Len = %d after 50 rounds of 1000 short-lived entries: expired entries are not reclaimed", n)
	}
}

// The check on every verify allocates nothing, whether an entry names the token or not.
func TestMemoryRevokedAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	for i := range 1000 {
		_ = l.RevokeToken(ctx, fmt.Sprint("jti-", i), t0.Add(time.Hour))
		_ = l.RevokeSubject(ctx, fmt.Sprint("user-", i), t0, t0.Add(time.Hour))
	}
	_ = l.RevokeAll(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	for name, cl := range map[string]*fastjwt.Claims{
		"not revoked":        token(t, "b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e", "1234567890", ptr(0)),
		"revoked jti":        token(t, "jti-7", "1234567890", ptr(0)),
		"revoked by subject": token(t, "b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e", "user-7", ptr(-1)),
		"escaped claims":     claims(t, `{"jti":"\u0041bc","sub":"\u00e9t\u00e9","iat":1700000000}`),
	} {
		if n := testing.AllocsPerRun(1000, func() { _, _ = l.Revoked(ctx, cl) }); n != 0 {
			t.Errorf("%s: %v allocations per Revoked", name, n)
		}
	}
}

// An entry of a UUID "jti" costs what DefaultMaxEntries's arithmetic says: at most 160 bytes of
// heap, table included (about 130 on a 64-bit platform, depending on where the tables' growth
// stands).
func TestMemoryEntryBytes(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures the heap")
	}
	const n = 100000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l := newList(newClock(), 0)
	ctx := context.Background()
	for i := range n { // the key as a caller gives it: a string of its own, which the entry keeps
		if err := l.RevokeToken(ctx, fmt.Sprintf("%08x-9a4c-4f5e-8d7b-0c1a2b3c4d5e", i), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.1f bytes per entry", per)
	if per > 160 {
		t.Fatalf("%.1f bytes per entry, more than the 160 documented", per)
	}
	runtime.KeepAlive(l)
}
