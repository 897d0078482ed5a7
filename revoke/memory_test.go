package revoke_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
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

func TestMemoryRevokeToken(t *testing.T) {
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	a, b := token(t, "a", "u1", ptr(0)), token(t, "b", "u1", ptr(0))
	mustRevoked(t, l, a, false, "empty list")
	if err := l.RevokeToken(ctx, "a", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, a, true, "revoked jti")
	mustRevoked(t, l, b, false, "another jti")
	mustRevoked(t, l, token(t, "", "u1", ptr(0)), false, "a token without jti")
	// Escaped JSON: the jti is compared decoded.
	mustRevoked(t, l, claims(t, `{"jti":"\u0061"}`), true, "escaped jti")
	if l.Len() != 1 {
		t.Fatalf("Len = %d, want 1", l.Len())
	}
	c.Advance(time.Hour - time.Nanosecond)
	mustRevoked(t, l, a, true, "a nanosecond before expiry")
	c.Advance(time.Nanosecond)
	mustRevoked(t, l, a, false, "at expiry")

	// Already expired: nothing to record.
	if err := l.RevokeToken(ctx, "old", c.Now()); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "old", "", nil), false, "revoked after its expiry")
	if err := l.RevokeToken(ctx, "", c.Now().Add(time.Hour)); !errors.Is(err, revoke.ErrInvalid) {
		t.Fatalf("empty jti: %v, want ErrInvalid", err)
	}
	// A jti longer than the stack buffer still works (it allocates).
	longJTI := fmt.Sprintf("%0300d", 7)
	if err := l.RevokeToken(ctx, longJTI, c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, longJTI, "", nil), true, "a 300-byte jti")
}

func TestMemoryRevokeSubject(t *testing.T) {
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	at := t0.Add(10 * time.Second)
	if err := l.RevokeSubject(ctx, "u1", at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), true, "issued before the epoch")
	mustRevoked(t, l, token(t, "x", "u1", ptr(10)), false, "issued at the epoch")
	mustRevoked(t, l, token(t, "x", "u1", ptr(11)), false, "issued after the epoch")
	mustRevoked(t, l, token(t, "x", "u1", nil), true, "no iat")
	mustRevoked(t, l, token(t, "x", "u2", ptr(9)), false, "another subject")
	mustRevoked(t, l, claims(t, `{"iat":1700000000.5,"sub":"u1"}`), true, "fractional iat before")
	mustRevoked(t, l, claims(t, `{"iat":1700000010.000000001,"sub":"u1"}`), false, "a nanosecond after")

	// Merging keeps the later epoch and the later expiry.
	if err := l.RevokeSubject(ctx, "u1", t0, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), true, "an earlier epoch does not undo a later one")
	if l.Len() != 1 {
		t.Fatalf("Len = %d, want 1 (merged)", l.Len())
	}
	c.Advance(time.Hour + 11*time.Second)
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), true, "the later expiry is kept")
	c.Advance(time.Hour)
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), false, "expired")

	if err := l.RevokeSubject(ctx, "", at, c.Now().Add(time.Hour)); !errors.Is(err, revoke.ErrInvalid) {
		t.Fatalf("empty sub: %v, want ErrInvalid", err)
	}
}

func TestMemoryRevokeAll(t *testing.T) {
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	at := t0.Add(10 * time.Second)
	if err := l.RevokeAll(ctx, at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), true, "issued before")
	mustRevoked(t, l, token(t, "", "", ptr(9)), true, "no jti, no sub, issued before")
	mustRevoked(t, l, token(t, "", "", nil), true, "no claims at all")
	mustRevoked(t, l, token(t, "x", "u1", ptr(10)), false, "issued at the epoch")
	if err := l.RevokeAll(ctx, t0, at.Add(2*time.Hour)); err != nil { // merged
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), true, "merged: the later epoch stays")
	c.Advance(90 * time.Minute)
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), true, "merged: the later expiry stays")
	c.Advance(time.Hour)
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), false, "expired")
	// An expired global epoch is replaced, not merged.
	if err := l.RevokeAll(ctx, t0, c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustRevoked(t, l, token(t, "x", "u1", ptr(9)), false, "the old epoch is gone")
	if l.Len() != 0 {
		t.Fatalf("Len = %d: the global epoch is not an entry", l.Len())
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

// Checks and revocations from many goroutines (run it with -race): every revocation that
// returned is seen by every check after it.
func TestMemoryConcurrent(t *testing.T) {
	c := newClock()
	l := newList(c, 0)
	ctx := context.Background()
	const writers, perWriter = 4, 500
	toks := make([][]*fastjwt.Claims, writers)
	for w := range writers {
		for i := range perWriter {
			toks[w] = append(toks[w], token(t, fmt.Sprint(w, "-", i), fmt.Sprint("u", i%7), ptr(0)))
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 { // readers, checking all the time
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.Revoked(ctx, toks[r][i%perWriter]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Add(1)
		go func() {
			defer writersWG.Done()
			for i, cl := range toks[w] {
				if err := l.RevokeToken(ctx, cl.ID(), t0.Add(time.Hour)); err != nil {
					t.Error(err)
					return
				}
				if ok, err := l.Revoked(ctx, cl); !ok || err != nil {
					t.Errorf("writer %d token %d: revoked %v, %v right after RevokeToken", w, i, ok, err)
					return
				}
				if i%100 == 0 {
					_ = l.RevokeSubject(ctx, fmt.Sprint("s", w, i), t0, t0.Add(time.Hour))
					_ = l.RevokeAll(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
				}
			}
		}()
	}
	writersWG.Wait()
	close(stop)
	wg.Wait()
	for w := range writers {
		for _, cl := range toks[w] {
			mustRevoked(t, l, cl, true, "after the concurrent run")
		}
	}
	if want := writers*perWriter + writers*perWriter/100; l.Len() != want {
		t.Fatalf("Len = %d, want %d", l.Len(), want)
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
