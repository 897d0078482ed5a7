package revoke_test

import (
	"context"
	"errors"
	"fmt"
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

// The memory list meets the contract of revoke.List, on the settable clock of the cases.
func TestMemoryContract(t *testing.T) {
	revoketest.Run(t, func(t *testing.T, now func() time.Time) revoke.List {
		return revoke.NewMemory(revoke.MemoryOptions{Clock: now})
	})
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
	if err := l.RevokeToken(ctx, "old", t0); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeSubject(ctx, "", t0, t0.Add(time.Hour)); !errors.Is(err, revoke.ErrInvalid) {
		t.Fatalf("empty sub: %v", err)
	}
	if l.Len() != 2 {
		t.Fatalf("Len = %d, want 2 (one jti, one subject)", l.Len())
	}
}

// At its bound a list removes expired entries to make room, and otherwise refuses: a
// revocation is never dropped, and no entry is evicted.
func TestMemoryBound(t *testing.T) {
	c := newClock()
	l := newList(c, 10)
	ctx := context.Background()
	for i := range 10 {
		if err := l.RevokeToken(ctx, fmt.Sprint("t", i), t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.RevokeToken(ctx, "one more", t0.Add(time.Hour)); !errors.Is(err, revoke.ErrFull) {
		t.Fatalf("11th entry: %v, want ErrFull", err)
	}
	if err := l.RevokeSubject(ctx, "u", t0, t0.Add(time.Hour)); !errors.Is(err, revoke.ErrFull) {
		t.Fatalf("11th entry (subject): %v, want ErrFull", err)
	}
	mustRevoked(t, l, token(t, "one more", "", nil), false, "a refused revocation")
	for i := range 10 {
		mustRevoked(t, l, token(t, fmt.Sprint("t", i), "", nil), true, "kept at the bound")
	}
	// Updating an entry that exists needs no room; the global epoch is not an entry.
	if err := l.RevokeToken(ctx, "t0", t0.Add(time.Hour)); err != nil {
		t.Fatalf("updating an entry at the bound: %v", err)
	}
	if err := l.RevokeAll(ctx, t0, t0.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeAll at the bound: %v", err)
	}
	// Three entries expire (t1, t2, t3; t0 was extended): three new ones fit, not a fourth.
	c.Advance(4 * time.Minute)
	for i := range 3 {
		if err := l.RevokeToken(ctx, fmt.Sprint("n", i), t0.Add(time.Hour)); err != nil {
			t.Fatalf("after expiry, entry %d: %v", i, err)
		}
	}
	if err := l.RevokeToken(ctx, "n3", t0.Add(time.Hour)); !errors.Is(err, revoke.ErrFull) {
		t.Fatalf("past the room made by expiry: %v, want ErrFull", err)
	}
	if l.Len() != 10 {
		t.Fatalf("Len = %d, want 10", l.Len())
	}
}

// Writes remove expired entries as they go, so a list whose entries keep expiring does not
// grow with the number of revocations ever made.
func TestMemorySweepsAsItWrites(t *testing.T) {
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	for round := range 50 {
		for i := range 1000 {
			if err := l.RevokeToken(ctx, fmt.Sprint(round, "-", i), c.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		c.Advance(2 * time.Second) // this round's entries expire
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
