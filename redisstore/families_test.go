package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/issuing"
)

// The families on a real redis-server, beyond the contract (families_contract_test.go): the
// record's key, expiry and pruning, its bound, the scripts' arithmetic on instants, atomic
// rotation across clients, and damaged records.

var familyIDs atomic.Int64

// newFamily is a family of a fresh id starting at base, ending an hour later, with a grace of
// 2 s, whose first generation was issued at base with an access token of 15 minutes.
func newFamily(base time.Time) issuing.Family {
	n := familyIDs.Add(1)
	return issuing.Family{ID: fmt.Sprintf("fam-%d", n), Subject: "ann", Start: base, End: base.Add(time.Hour),
		Grace: 2 * time.Second, First: gen(fmt.Sprintf("r0-%d", n), fmt.Sprintf("a0-%d", n), base)}
}

// gen is a generation issued at t, whose access token lasts 15 minutes.
func gen(refresh, access string, t time.Time) issuing.Generation {
	return issuing.Generation{Refresh: refresh, Access: access, Issued: t, AccessExpires: t.Add(15 * time.Minute)}
}

// base is now with a nanosecond part that makes the scripts' subtraction borrow.
func base() time.Time { return time.Now().Truncate(time.Second).Add(999_999_999) }

func mustStart(t *testing.T, f *Families, fam issuing.Family) {
	t.Helper()
	if err := f.Start(context.Background(), fam); err != nil {
		t.Fatalf("Start %s: %v", fam.ID, err)
	}
}

func rotate(t *testing.T, f *Families, r issuing.Rotate) issuing.Rotation {
	t.Helper()
	rot, err := f.Rotate(context.Background(), r)
	if err != nil {
		t.Fatalf("Rotate %s of %s: %v", r.Presented, r.Family, err)
	}
	return rot
}

func sameGen(a, b issuing.Generation) bool {
	return a.Refresh == b.Refresh && a.Access == b.Access && a.Issued.Equal(b.Issued) && a.AccessExpires.Equal(b.AccessExpires)
}

func accesses(lv []issuing.Live) string {
	s := make([]string, len(lv))
	for i, l := range lv {
		s[i] = l.Access
	}
	return strings.Join(s, ",")
}

// Start validates, records, and refuses an id that exists or existed.
func TestFamiliesStart(t *testing.T) {
	needRedis(t)
	f := dial(t, shared, Options{}).Families()
	ctx := context.Background()
	b := base()
	for name, change := range map[string]func(*issuing.Family){
		"empty id":           func(f *issuing.Family) { f.ID = "" },
		"empty subject":      func(f *issuing.Family) { f.Subject = "" },
		"empty refresh":      func(f *issuing.Family) { f.First.Refresh = "" },
		"empty access":       func(f *issuing.Family) { f.First.Access = "" },
		"zero start":         func(f *issuing.Family) { f.Start = time.Time{} },
		"end at start":       func(f *issuing.Family) { f.End = f.Start },
		"end before start":   func(f *issuing.Family) { f.End = f.Start.Add(-time.Nanosecond) },
		"issued before":      func(f *issuing.Family) { f.First.Issued = f.Start.Add(-time.Nanosecond) },
		"issued at end":      func(f *issuing.Family) { f.First.Issued = f.End },
		"negative grace":     func(f *issuing.Family) { f.Grace = -time.Nanosecond },
		"issued after end":   func(f *issuing.Family) { f.First.Issued = f.End.Add(time.Hour) },
		"zero start and end": func(f *issuing.Family) { f.Start, f.End = time.Time{}, time.Time{} },
	} {
		fam := newFamily(b)
		change(&fam)
		if err := f.Start(ctx, fam); !errors.Is(err, issuing.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
		if fam.ID != "" {
			if n := mustCommand(t, shared, "EXISTS", f.key(fam.ID)); n != ":0" {
				t.Errorf("%s: a record was written", name)
			}
		}
	}
	fam := newFamily(b)
	fam.First.Issued = fam.End.Add(-time.Nanosecond) // the last instant of [Start, End)
	mustStart(t, f, fam)
	again := newFamily(b)
	again.ID, again.Subject = fam.ID, "mallory"
	if err := f.Start(ctx, again); !errors.Is(err, issuing.ErrExists) {
		t.Fatalf("Start of a taken id: %v, want ErrExists", err)
	}
	// Never overwritten: the family is Ann's, with her token current.
	rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: gen("r1", "a1", b)})
	if rot.Outcome != issuing.Rotated || rot.Family.Subject != "ann" {
		t.Fatalf("after the refused Start: %v of %q", rot.Outcome, rot.Family.Subject)
	}
	// An ended family's id stays taken.
	if _, err := f.Revoke(ctx, fam.ID, b); err != nil {
		t.Fatal(err)
	}
	if err := f.Start(ctx, again); !errors.Is(err, issuing.ErrExists) {
		t.Fatalf("Start of an ended family's id: %v, want ErrExists", err)
	}
}

// The record is the hash the package documents, in the slot of its {fam:<id>} tag, expiring
// at End + Grace (or a later access token's expiry + Grace), to the millisecond.
func TestFamiliesKeys(t *testing.T) {
	needRedis(t)
	run := rand.Text() // the id of this run's family: an id is never taken twice
	r := dial(t, shared, Options{Prefix: "fkeys:"})
	f := r.Families()
	b := base()
	fam := newFamily(b)
	fam.ID = "Zq9" + run
	mustStart(t, f, fam)
	key := "fkeys:{fam:Zq9" + run + "}:record"
	if got := mustCommand(t, shared, "TYPE", key); got != "+hash" {
		t.Fatalf("TYPE %s = %q, want hash", key, got)
	}
	if keySlot(key) != keySlot("{fam:Zq9"+run+"}") {
		t.Fatal("the record is not in its family's slot")
	}
	want := ceilMillis(fam.End) + millis(fam.Grace)
	if got := mustCommand(t, shared, "PEXPIRETIME", key); got != ":"+strconv.FormatInt(want, 10) {
		t.Fatalf("PEXPIRETIME = %s, want %d (End + Grace)", got, want)
	}
	// A successor whose access token outlives End keeps the record until its expiry + Grace.
	late := gen("r1", "a1", fam.End.Add(-time.Minute))
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: late.Issued, Next: late}); rot.Outcome != issuing.Rotated {
		t.Fatalf("rotate: %v", rot.Outcome)
	}
	want = ceilMillis(late.AccessExpires) + millis(fam.Grace)
	if got := mustCommand(t, shared, "PEXPIRETIME", key); got != ":"+strconv.FormatInt(want, 10) {
		t.Fatalf("PEXPIRETIME after a late rotation = %s, want %d", got, want)
	}
	// The record holds no token beyond the current and the previous "jti".
	if got := mustCommand(t, shared, "HGET", key, "cr"); got != "r1" {
		t.Fatalf("current = %q", got)
	}
}

// A live access token stops counting toward MaxLive once its expiry plus the family's grace has
// passed, at that exact instant (a grace whose nanoseconds make the script's subtraction
// borrow), and a rotation then deletes it from the record.
func TestFamiliesPruning(t *testing.T) {
	needRedis(t)
	r := dial(t, shared, Options{})
	f := r.Families()
	b := base()
	fam := newFamily(b)
	fam.Grace = 1500*time.Millisecond + 7
	mustStart(t, f, fam)
	cur := fam.First.Refresh
	for i := 1; i < 4; i++ {
		g := gen(fmt.Sprintf("r%d", i), fmt.Sprintf("a%d", i), b.Add(time.Duration(i)*time.Nanosecond))
		if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: cur, Now: g.Issued, Next: g, MaxLive: 4}); rot.Outcome != issuing.Rotated {
			t.Fatalf("rotation %d: %v", i, rot.Outcome)
		}
		cur = g.Refresh
	}
	now := b.Add(time.Minute)
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: cur, Now: now, Next: gen("r9", "a9", now), MaxLive: 4}); rot.Outcome != issuing.Throttled || rot.Family.Subject != "ann" {
		t.Fatalf("the fifth access token: %+v, want throttled", rot)
	}
	// The first access token (issued at b) counts until its expiry + grace, not at it.
	gone := fam.First.AccessExpires.Add(fam.Grace)
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: cur, Now: gone.Add(-time.Nanosecond), Next: gen("r9", "a9", now), MaxLive: 4}); rot.Outcome != issuing.Throttled {
		t.Fatalf("a nanosecond before the first one's end: %v, want throttled", rot.Outcome)
	}
	g := gen("r4", "a4", gone)
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: cur, Now: gone, Next: g, MaxLive: 4}); rot.Outcome != issuing.Rotated {
		t.Fatalf("at the first one's end: %v, want rotated", rot.Outcome)
	}
	if got := mustCommand(t, shared, "HEXISTS", f.key(fam.ID), "l:"+fam.First.Access); got != ":0" {
		t.Fatal("the ended access token is still in the record")
	}
	lv, err := f.Revoke(context.Background(), fam.ID, gone)
	if err != nil || accesses(lv) != "a1,a2,a3,a4" {
		t.Fatalf("Revoke: %v, %v", accesses(lv), err)
	}
}

// Revoke ends the family; its live access tokens are answered on every call, pruned at each
// call's now; a family that does not exist answers none.
func TestFamiliesRevoke(t *testing.T) {
	needRedis(t)
	f := dial(t, shared, Options{}).Families()
	ctx := context.Background()
	b := base()
	fam := newFamily(b)
	mustStart(t, f, fam)
	g1 := gen("r1", "a1", b.Add(time.Minute))
	rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: g1.Issued, Next: g1})
	for i := 0; i < 2; i++ {
		lv, err := f.Revoke(ctx, fam.ID, b.Add(time.Minute))
		if err != nil || accesses(lv) != fam.First.Access+",a1" {
			t.Fatalf("Revoke %d: %v, %v", i, accesses(lv), err)
		}
	}
	later := fam.First.AccessExpires.Add(fam.Grace)
	if lv, err := f.Revoke(ctx, fam.ID, later); err != nil || accesses(lv) != "a1" {
		t.Fatalf("Revoke once the first token ended: %v, %v", accesses(lv), err)
	}
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: "r1", Now: later, Next: gen("r2", "a2", b)}); rot.Outcome != issuing.Ended || accesses(rot.Live) != "a1" {
		t.Fatalf("the current token after Revoke: %+v", rot)
	}
	if lv, err := f.Revoke(ctx, "no-such", b); err != nil || lv != nil {
		t.Fatalf("Revoke of no family: %v, %v", lv, err)
	}
	if _, err := f.Revoke(ctx, "", b); !errors.Is(err, issuing.ErrInvalid) {
		t.Fatalf("Revoke of an empty id: %v", err)
	}
}

// 50 concurrent presentations of one token from five clients (five connections, as five
// processes): exactly one rotates; with a grace window every other one is Retried with the
// same successor; without one, the others are reuse and the family ends.
func TestFamiliesConcurrentRotate(t *testing.T) {
	needRedis(t)
	var clients []*Families
	for i := 0; i < 5; i++ {
		clients = append(clients, dial(t, shared, Options{Prefix: "t:concurrent:"}).Families())
	}
	for _, grace := range []time.Duration{10 * time.Second, 0} {
		t.Run(grace.String(), func(t *testing.T) {
			b := base()
			fam := newFamily(b)
			mustStart(t, clients[0], fam)
			const n = 50
			var wg sync.WaitGroup
			rots := make([]issuing.Rotation, n)
			errs := make([]error, n)
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					now := time.Now()
					rots[i], errs[i] = clients[i%len(clients)].Rotate(context.Background(), issuing.Rotate{Family: fam.ID,
						Presented: fam.First.Refresh, Now: now, Next: gen(fmt.Sprintf("r-%d", i), fmt.Sprintf("a-%d", i), now), Grace: grace})
				}()
			}
			close(start)
			wg.Wait()
			count := map[issuing.Outcome]int{}
			var winner issuing.Generation
			for i := range rots {
				if errs[i] != nil {
					t.Fatalf("Rotate %d: %v", i, errs[i])
				}
				count[rots[i].Outcome]++
				if rots[i].Outcome == issuing.Rotated {
					winner = rots[i].Generation
				}
			}
			if count[issuing.Rotated] != 1 {
				t.Fatalf("outcomes %v: want exactly one rotated", count)
			}
			for i := range rots {
				switch {
				case grace > 0 && rots[i].Outcome != issuing.Rotated && (rots[i].Outcome != issuing.Retried || !sameGen(rots[i].Generation, winner)):
					t.Fatalf("presentation %d: %+v, want retried with %+v", i, rots[i], winner)
				case grace == 0 && rots[i].Outcome != issuing.Rotated && rots[i].Outcome != issuing.Reused && rots[i].Outcome != issuing.Ended:
					t.Fatalf("presentation %d without grace: %v", i, rots[i].Outcome)
				}
			}
			if grace == 0 && count[issuing.Reused] != 1 {
				t.Fatalf("outcomes without grace %v: want one reuse (which ends the family), the rest ended", count)
			}
			t.Logf("outcomes: %v", count)
		})
	}
}

// A canceled context, or one past its deadline, sends nothing and changes nothing.
func TestFamiliesContext(t *testing.T) {
	needRedis(t)
	f := dial(t, shared, Options{}).Families()
	b := base()
	fam := newFamily(b)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Start(ctx, fam); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start: %v", err)
	}
	if n := mustCommand(t, shared, "EXISTS", f.key(fam.ID)); n != ":0" {
		t.Fatal("a canceled Start wrote the record")
	}
	mustStart(t, f, fam)
	r := issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: gen("r1", "a1", b)}
	if _, err := f.Rotate(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rotate: %v", err)
	}
	if _, err := f.Revoke(ctx, fam.ID, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("Revoke: %v", err)
	}
	dl, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if _, err := f.Rotate(dl, r); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Rotate past its deadline: %v", err)
	}
	if rot := rotate(t, f, r); rot.Outcome != issuing.Rotated {
		t.Fatalf("after the canceled calls: %v, want rotated (nothing changed)", rot.Outcome)
	}
}

// The scripts' subtraction of a span from an instant, on two halves that Lua's doubles hold
// exactly, is Go's to the nanosecond: with and without a borrow, at the ends of the range.
func TestFamiliesScriptArithmetic(t *testing.T) {
	needRedis(t)
	r := dial(t, shared, Options{})
	minus := newScript(familyScript(`return minus(ARGV[1], ARGV[2])`))
	now := time.Now()
	instants := []time.Time{now, now.Truncate(time.Second), now.Truncate(time.Second).Add(999_999_999),
		time.Unix(0, 0), time.Unix(0, 1), time.Unix(0, -1), time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64),
		time.Unix(0, math.MinInt64+5)}
	spans := []time.Duration{0, 1, 999_999_999, time.Second, 1500*time.Millisecond + 7, 10 * time.Second,
		time.Minute, 7 * 24 * time.Hour, math.MaxInt64}
	for _, at := range instants {
		for _, d := range spans {
			got, err := r.Families().c.exec(context.Background(), minus, []string{"t:arith"}, []string{formatInstant(at), formatSpan(d)}).ToString()
			if err != nil {
				t.Fatal(err)
			}
			if want := instantMinus(at, d); got != want {
				t.Errorf("%d ns less %d ns: the script says %s, Go %s", at.UnixNano(), d, got, want)
			}
		}
	}
	// The stored form keeps the order of the instants, and reads back exactly.
	for i, a := range instants {
		back, ok := parseInstant(formatInstant(a))
		if !ok || back.UnixNano() != a.UnixNano() {
			t.Errorf("%d ns read back as %d ns", a.UnixNano(), back.UnixNano())
		}
		for _, b := range instants[i+1:] {
			if (formatInstant(a) < formatInstant(b)) != a.Before(b) {
				t.Errorf("%d and %d ns: the stored order differs", a.UnixNano(), b.UnixNano())
			}
		}
	}
}

// A family remembers its last maxPast replaced tokens: one replaced before them is Ended
// (refused, the family goes on), the oldest one kept is Reused; the record stays within its
// documented size at the bound.
func TestFamiliesPastBound(t *testing.T) {
	needRedis(t)
	f := dial(t, shared, Options{}).Families()
	b := base()
	fam := newFamily(b)
	fam.Grace = 0
	fam.First.AccessExpires = b.Add(time.Nanosecond) // no access token outlives its rotation
	mustStart(t, f, fam)
	cur := fam.First.Refresh
	for i := 1; i <= maxPast+1; i++ {
		g := issuing.Generation{Refresh: fmt.Sprintf("r%021d", i), Access: fmt.Sprintf("a%021d", i), Issued: b.Add(time.Duration(i)), AccessExpires: b.Add(time.Duration(i) + 1)}
		if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: cur, Now: g.Issued, Next: g}); rot.Outcome != issuing.Rotated {
			t.Fatalf("rotation %d: %v", i, rot.Outcome)
		}
		cur = g.Refresh
	}
	size, err := strconv.Atoi(strings.TrimPrefix(mustCommand(t, shared, "MEMORY", "USAGE", f.key(fam.ID), "SAMPLES", "0"), ":"))
	if err != nil || size > 11*1024+512 {
		t.Fatalf("the record at the bound takes %d bytes (%v), more than about 11 KiB", size, err)
	}
	t.Logf("the record at the bound: %d bytes", size)
	now := b.Add(time.Second)
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: now, Next: gen("rx", "ax", now)}); rot.Outcome != issuing.Ended || rot.Family.Subject != "ann" {
		t.Fatalf("the token replaced before the last %d: %+v, want ended", maxPast, rot)
	}
	oldest := fmt.Sprintf("r%021d", 1)
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: oldest, Now: now, Next: gen("rx", "ax", now)}); rot.Outcome != issuing.Reused {
		t.Fatalf("the oldest token kept: %v, want reused", rot.Outcome)
	}
}

// A record that is not one this package wrote (another program's key, a damaged value) is an
// error, never an outcome: the caller fails closed.
func TestFamiliesUnreadableRecordFailsClosed(t *testing.T) {
	needRedis(t)
	f := dial(t, shared, Options{}).Families()
	b := base()
	for name, fields := range map[string][]string{
		"fields missing":     {"sub", "ann"},
		"a start not a time": {"sub", "ann", "st", "yesterday", "en", formatInstant(b.Add(time.Hour)), "gr", formatSpan(0), "gms", "0", "cr", "r0", "ca", "a0", "ci", formatInstant(b), "cx", formatInstant(b)},
		"an exp not a time":  {"sub", "ann", "st", formatInstant(b), "en", formatInstant(b.Add(time.Hour)), "gr", formatSpan(0), "gms", "0", "cr", "r0", "ca", "a0", "ci", formatInstant(b), "cx", "soon", "ended", formatInstant(b), "l:a0", "soon"},
	} {
		id := "damaged-" + strings.ReplaceAll(name, " ", "-")
		mustCommand(t, shared, append([]string{"HSET", f.key(id)}, fields...)...)
		mustCommand(t, shared, "PEXPIRE", f.key(id), "60000")
		rot, err := f.Rotate(context.Background(), issuing.Rotate{Family: id, Presented: "r0", Now: b, Next: gen("r1", "a1", b)})
		if err == nil {
			t.Errorf("%s: Rotate answered %v, no error", name, rot.Outcome)
		}
		if name == "an exp not a time" {
			if lv, err := f.Revoke(context.Background(), id, b); err == nil {
				t.Errorf("%s: Revoke answered %v, no error", name, lv)
			}
		}
	}
	// A string where the hash should be.
	mustCommand(t, shared, "SET", f.key("a-string"), "x", "EX", "60")
	if _, err := f.Rotate(context.Background(), issuing.Rotate{Family: "a-string", Presented: "r0", Now: b, Next: gen("r1", "a1", b)}); err == nil {
		t.Error("a string as the record: no error")
	}
	if err := f.Start(context.Background(), issuing.Family{ID: "a-string", Subject: "ann", Start: b, End: b.Add(time.Hour), First: gen("r0", "a0", b)}); !errors.Is(err, issuing.ErrExists) {
		t.Errorf("Start over another key: %v, want ErrExists", err)
	}
}
