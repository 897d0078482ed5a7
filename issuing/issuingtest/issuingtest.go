// Package issuingtest is the contract of issuing.Families as a test suite, as storetest is
// store.Store's: an implementation's tests call Run with a factory of empty stores and keep for
// themselves only what is particular to the implementation (the memory store's bound, Redis's
// faults).
//
// Time has two sources in the contract, and the suite respects both. Rotate and Revoke are
// given Now by their caller: the cases pass times relative to the real clock, to the
// nanosecond, and test every boundary there exactly (the grace window, a family's End, the
// life of an access token) without waiting. A store expires its records by its own clock
// (Redis by the server's): the cases that look at that use real, short lifetimes (a fraction of
// a second) and wait for the expiry with a bound, so that a memory store on time.Now and a
// Redis store both pass. Its cases run in parallel, each on a store of its own.
//
// Times are compared to the nanosecond: a Generation that Retried returns must be the one that
// was recorded, exactly, because the issuer re-signs the same successor from it.
package issuingtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/issuing"
)

// Factory returns a new, empty Families for one case. It registers with t.Cleanup whatever must
// be closed. Stores returned by two calls must not see each other's families.
type Factory func(t *testing.T) issuing.Families

// Lifetimes of the timed cases: short is the End (and the Grace) of a family whose expiry a
// case waits for, expiryBound how long after End+Grace a store may take to forget it.
const (
	short       = 400 * time.Millisecond
	expiryBound = 3 * time.Second
)

// Run runs the contract against stores made by newFamilies.
func Run(t *testing.T, newFamilies Factory) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFamilies(t)
			if f == nil {
				t.Fatal("issuingtest: the Factory returned nil")
			}
			c.run(&harness{t: t, f: f, base: time.Now()})
		})
	}
}

var bg = context.Background()

// harness is one case's store, and the real instant its caller-given times count from.
type harness struct {
	t    *testing.T
	f    issuing.Families
	base time.Time
}

// at is the caller's time d after the case's start. The base is not rounded: the
// nanoseconds are there to be kept.
func (h *harness) at(d time.Duration) time.Time { return h.base.Add(d).Round(0) }

var seq atomic.Uint64

// ID returns a fresh id for a family or a token: unique in the process, with prefix p to read
// in failures.
func ID(p string) string {
	return p + "-" + strconv.FormatUint(seq.Add(1), 36) + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
}

// gen returns a new generation issued at the caller's time issued, whose access token lives
// accessTTL.
func gen(issued time.Time, accessTTL time.Duration) issuing.Generation {
	return issuing.Generation{Refresh: ID("r"), Access: ID("a"), Issued: issued,
		AccessExpires: issued.Add(accessTTL)}
}

// family returns a family starting at the caller's time h.at(0)+7ns, ending an hour later, its
// first access token living 15 minutes, with a grace of a minute.
func (h *harness) family() issuing.Family {
	start := h.at(7)
	return issuing.Family{ID: ID("f"), Subject: ID("sub"), Start: start, End: start.Add(time.Hour),
		Grace: time.Minute, First: gen(start, 15*time.Minute)}
}

func (h *harness) start(f issuing.Family) {
	h.t.Helper()
	if err := h.f.Start(bg, f); err != nil {
		h.t.Fatalf("Start(%s): %v", f.ID, err)
	}
}

// rotate presents presented of f at now with a new successor issued at now, and returns the
// answer, failing on an error.
func (h *harness) rotate(f issuing.Family, presented string, now time.Time, grace time.Duration) (issuing.Rotation, issuing.Generation) {
	h.t.Helper()
	next := gen(now, 15*time.Minute)
	r, err := h.f.Rotate(bg, issuing.Rotate{Family: f.ID, Presented: presented, Now: now, Next: next, Grace: grace})
	if err != nil {
		h.t.Fatalf("Rotate(%s, %s): %v", f.ID, presented, err)
	}
	return r, next
}

// want checks a Rotation's outcome, and for every outcome but that of a family that does not
// exist, that it carries f's Subject, Start and End.
func (h *harness) want(r issuing.Rotation, o issuing.Outcome, f issuing.Family, what string) {
	h.t.Helper()
	if r.Outcome != o {
		h.t.Fatalf("%s: outcome %v, want %v", what, r.Outcome, o)
	}
	if f.ID == "" {
		return
	}
	if err := SameFamily(r.Family, f); err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// SameFamily reports how got, a Family that Rotate returned, differs from want, what Start was
// given, in its Subject, Start and End (to the nanosecond), or nil.
func SameFamily(got, want issuing.Family) error {
	if got.Subject != want.Subject || !sameTime(got.Start, want.Start) || !sameTime(got.End, want.End) {
		return fmt.Errorf("family {%q %v %v}, want {%q %v %v}", got.Subject, got.Start.UnixNano(),
			got.End.UnixNano(), want.Subject, want.Start.UnixNano(), want.End.UnixNano())
	}
	return nil
}

// SameGeneration reports how got differs from want, to the nanosecond, or nil.
func SameGeneration(got, want issuing.Generation) error {
	if got.Refresh != want.Refresh || got.Access != want.Access || !sameTime(got.Issued, want.Issued) ||
		!sameTime(got.AccessExpires, want.AccessExpires) {
		return fmt.Errorf("generation {%s %s %d %d}, want {%s %s %d %d}", got.Refresh, got.Access,
			got.Issued.UnixNano(), got.AccessExpires.UnixNano(), want.Refresh, want.Access,
			want.Issued.UnixNano(), want.AccessExpires.UnixNano())
	}
	return nil
}

func sameTime(a, b time.Time) bool { return a.UnixNano() == b.UnixNano() && !a.IsZero() == !b.IsZero() }

// Lives returns the access tokens of the generations as Live, in "jti" order.
func Lives(gs ...issuing.Generation) []issuing.Live {
	l := make([]issuing.Live, 0, len(gs))
	for _, g := range gs {
		l = append(l, issuing.Live{Access: g.Access, Expires: g.AccessExpires})
	}
	return sortLive(l)
}

func sortLive(l []issuing.Live) []issuing.Live {
	l = slices.Clone(l)
	slices.SortFunc(l, func(a, b issuing.Live) int {
		if a.Access < b.Access {
			return -1
		}
		if a.Access > b.Access {
			return 1
		}
		return 0
	})
	return l
}

// SameLive reports how got differs from want as sets (order does not matter; expiries to the
// nanosecond), or nil.
func SameLive(got, want []issuing.Live) error {
	g, w := sortLive(got), sortLive(want)
	eq := len(g) == len(w)
	for i := 0; eq && i < len(g); i++ {
		eq = g[i].Access == w[i].Access && sameTime(g[i].Expires, w[i].Expires)
	}
	if !eq {
		return fmt.Errorf("live %s, want %s", showLive(g), showLive(w))
	}
	return nil
}

func showLive(l []issuing.Live) string {
	s := "["
	for i, x := range l {
		if i > 0 {
			s += " "
		}
		s += x.Access + "@" + strconv.FormatInt(x.Expires.UnixNano(), 10)
	}
	return s + "]"
}

func (h *harness) wantLive(got []issuing.Live, want []issuing.Live, what string) {
	h.t.Helper()
	if err := SameLive(got, want); err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// revoke revokes f at now and returns the Live it gave.
func (h *harness) revoke(id string, now time.Time) []issuing.Live {
	h.t.Helper()
	l, err := h.f.Revoke(bg, id, now)
	if err != nil {
		h.t.Fatalf("Revoke(%s): %v", id, err)
	}
	return l
}

// waitGone waits, until the real time deadline, for Rotate of f's token presented at now to
// answer that the family does not exist (Ended, no Family).
func (h *harness) waitGone(f issuing.Family, presented string, deadline time.Time) {
	h.t.Helper()
	for {
		r, _ := h.rotate(f, presented, time.Now(), 0)
		if r.Outcome == issuing.Ended && r.Family.Subject == "" {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("family %s still known (%v, subject %q) %v after its expiry", f.ID, r.Outcome,
				r.Family.Subject, expiryBound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }
