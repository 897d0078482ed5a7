package issuingtest

import (
	"context"
	"sync"
	"time"

	"github.com/fastjwt/session/issuing"
)

var cases = []struct {
	name string
	run  func(h *harness)
}{
	{"rotation", testRotation},
	{"retried inside the grace, reused at its boundary", testGraceBoundary},
	{"retried after a later rotation", testRetryOfLast},
	{"zero grace accepts no retry", testZeroGrace},
	{"reuse ends the family", testReuseEnds},
	{"ended at End", testEnd},
	{"unknown family", testUnknown},
	{"never-issued jti", testNeverIssued},
	{"throttled at MaxLive", testThrottled},
	{"throttled at DefaultMaxLive", testDefaultMaxLive},
	{"start invalid", testStartInvalid},
	{"start exists", testStartExists},
	{"rotate invalid", testRotateInvalid},
	{"revoke", testRevoke},
	{"revoke unknown or invalid", testRevokeUnknown},
	{"records expire after End plus Grace", testExpiry},
	{"records outlive their access tokens", testOutliveAccess},
	{"concurrent rotations inside the grace", testConcurrentGrace},
	{"concurrent rotations without grace", testConcurrentNoGrace},
	{"concurrent families", testConcurrentFamilies},
	{"done context", testDoneContext},
}

func testRotation(h *harness) {
	f := h.family()
	h.start(f)
	r, b := h.rotate(f, f.First.Refresh, h.at(time.Second), 10*time.Second)
	h.want(r, issuing.Rotated, f, "first rotation")
	if err := SameGeneration(r.Generation, b); err != nil {
		h.t.Fatalf("first rotation: %v", err)
	}
	r, c := h.rotate(f, b.Refresh, h.at(2*time.Second), 10*time.Second)
	h.want(r, issuing.Rotated, f, "second rotation")
	if err := SameGeneration(r.Generation, c); err != nil {
		h.t.Fatalf("second rotation: %v", err)
	}
	// The successor's own successor rotates in turn; the chain goes on.
	r, _ = h.rotate(f, c.Refresh, h.at(3*time.Second), 10*time.Second)
	h.want(r, issuing.Rotated, f, "third rotation")
}

func testGraceBoundary(h *harness) {
	f := h.family()
	h.start(f)
	const grace = 10 * time.Second
	t1 := h.at(time.Second)
	r, b := h.rotate(f, f.First.Refresh, t1, grace)
	h.want(r, issuing.Rotated, f, "rotation")
	for _, now := range []time.Time{t1, t1.Add(-time.Second), t1.Add(grace - 1)} {
		r, _ = h.rotate(f, f.First.Refresh, now, grace)
		h.want(r, issuing.Retried, f, "retry at rotation"+now.Sub(t1).String())
		if err := SameGeneration(r.Generation, b); err != nil {
			h.t.Fatalf("retry at rotation%+v: %v", now.Sub(t1), err)
		}
	}
	// At exactly the grace after the rotation, the window has closed.
	r, _ = h.rotate(f, f.First.Refresh, t1.Add(grace), grace)
	h.want(r, issuing.Reused, f, "retry at rotation+grace")
	h.wantLive(r.Live, Lives(f.First, b), "reuse at the boundary")
}

func testRetryOfLast(h *harness) {
	f := h.family()
	h.start(f)
	const grace = 10 * time.Second
	_, b := h.rotate(f, f.First.Refresh, h.at(time.Second), grace)
	r, c := h.rotate(f, b.Refresh, h.at(2*time.Second), grace)
	h.want(r, issuing.Rotated, f, "second rotation")
	// b is the token the last rotation replaced: its retry gets c.
	r, _ = h.rotate(f, b.Refresh, h.at(3*time.Second), grace)
	h.want(r, issuing.Retried, f, "retry of the last replaced token")
	if err := SameGeneration(r.Generation, c); err != nil {
		h.t.Fatalf("retry: %v", err)
	}
	// The first token is older than the last one replaced: reuse, inside the window or not.
	r, _ = h.rotate(f, f.First.Refresh, h.at(3*time.Second), grace)
	h.want(r, issuing.Reused, f, "an older token")
	h.wantLive(r.Live, Lives(f.First, b, c), "reuse of an older token")
}

func testZeroGrace(h *harness) {
	f := h.family()
	h.start(f)
	now := h.at(time.Second)
	_, b := h.rotate(f, f.First.Refresh, now, 0)
	r, _ := h.rotate(f, f.First.Refresh, now, 0)
	h.want(r, issuing.Reused, f, "a retry at the rotation's instant without grace")
	h.wantLive(r.Live, Lives(f.First, b), "reuse")
	// Nor one presented at a time before the rotation (another node's clock).
	g := h.family()
	h.start(g)
	h.rotate(g, g.First.Refresh, now, 0)
	r, _ = h.rotate(g, g.First.Refresh, now.Add(-time.Second), 0)
	h.want(r, issuing.Reused, g, "a retry dated before the rotation, without grace")
}

func testReuseEnds(h *harness) {
	f := h.family()
	f.First.AccessExpires = f.Start.Add(time.Minute) // lives a minute, plus the family's grace
	h.start(f)
	_, b := h.rotate(f, f.First.Refresh, h.at(time.Second), time.Second)
	r, _ := h.rotate(f, f.First.Refresh, h.at(2*time.Second), time.Second)
	h.want(r, issuing.Reused, f, "reuse outside the window")
	h.wantLive(r.Live, Lives(f.First, b), "reuse")
	// The family has ended: its current token, the replaced one, any presentation: Ended,
	// and Live again, for a caller whose revocation failed.
	for _, p := range []string{b.Refresh, f.First.Refresh} {
		r, _ = h.rotate(f, p, h.at(3*time.Second), time.Hour)
		h.want(r, issuing.Ended, f, "presentation after the reuse")
		h.wantLive(r.Live, Lives(f.First, b), "Ended after the reuse")
	}
	h.wantLive(h.revoke(f.ID, h.at(3*time.Second)), Lives(f.First, b), "Revoke after the reuse")
	// An access token is listed while it may still be live: until its exp plus the family's
	// grace (a verifier's leeway), exclusive.
	end := f.First.AccessExpires.Add(f.Grace)
	r, _ = h.rotate(f, b.Refresh, end.Add(-1), 0)
	h.wantLive(r.Live, Lives(f.First, b), "just before the first access token's exp+grace")
	r, _ = h.rotate(f, b.Refresh, end, 0)
	h.want(r, issuing.Ended, f, "after the first access token's end")
	h.wantLive(r.Live, Lives(b), "at the first access token's exp+grace")
	h.wantLive(h.revoke(f.ID, end), Lives(b), "Revoke at the first access token's exp+grace")
}

func testEnd(h *harness) {
	f := h.family()
	h.start(f)
	r, b := h.rotate(f, f.First.Refresh, f.End.Add(-2), time.Minute)
	h.want(r, issuing.Rotated, f, "rotation 2ns before End")
	// At End, nothing rotates, and no retry is answered, however recent the rotation.
	r, _ = h.rotate(f, b.Refresh, f.End, time.Minute)
	h.want(r, issuing.Ended, f, "rotation at End")
	r, _ = h.rotate(f, f.First.Refresh, f.End, time.Minute)
	h.want(r, issuing.Ended, f, "retry at End")
	r, _ = h.rotate(f, b.Refresh, f.End.Add(time.Hour), time.Minute)
	h.want(r, issuing.Ended, f, "rotation after End")
	// Ended at End changed nothing: the current token still rotates before End.
	r, _ = h.rotate(f, b.Refresh, f.End.Add(-1), time.Minute)
	h.want(r, issuing.Rotated, f, "rotation 1ns before End, after the refusals")
}

func testUnknown(h *harness) {
	f := h.family()
	r, _ := h.rotate(f, f.First.Refresh, h.at(time.Second), time.Minute)
	h.want(r, issuing.Ended, issuing.Family{}, "a family never started")
	if r.Family.Subject != "" || len(r.Live) != 0 {
		h.t.Fatalf("a family never started: family %+v, live %v", r.Family, r.Live)
	}
}

func testNeverIssued(h *harness) {
	f, g := h.family(), h.family()
	h.start(f)
	h.start(g)
	r, _ := h.rotate(f, ID("forged"), h.at(time.Second), time.Minute)
	h.want(r, issuing.Ended, f, "a jti never issued")
	if len(r.Live) != 0 {
		h.t.Fatalf("a jti never issued listed %v", r.Live)
	}
	// Another family's token, presented as f's: never one of f's.
	r, _ = h.rotate(f, g.First.Refresh, h.at(time.Second), time.Minute)
	h.want(r, issuing.Ended, f, "another family's jti")
	// Nothing changed: both families' first tokens rotate.
	r, _ = h.rotate(f, f.First.Refresh, h.at(2*time.Second), time.Minute)
	h.want(r, issuing.Rotated, f, "f after the refusals")
	r, _ = h.rotate(g, g.First.Refresh, h.at(2*time.Second), time.Minute)
	h.want(r, issuing.Rotated, g, "g after the refusals")
}

func testThrottled(h *harness) {
	f := h.family()
	h.start(f) // the first access token lives until Start+15m, and may be live a grace longer
	rot := func(p string, now time.Time, max int) (issuing.Rotation, issuing.Generation) {
		h.t.Helper()
		next := gen(now, 15*time.Minute)
		r, err := h.f.Rotate(bg, issuing.Rotate{Family: f.ID, Presented: p, Now: now, Next: next,
			Grace: time.Second, MaxLive: max})
		if err != nil {
			h.t.Fatalf("Rotate: %v", err)
		}
		return r, next
	}
	_, b := rot(f.First.Refresh, h.at(time.Second), 3)
	r, c := rot(b.Refresh, h.at(2*time.Second), 3)
	h.want(r, issuing.Rotated, f, "third generation")
	r, _ = rot(c.Refresh, h.at(3*time.Second), 3)
	h.want(r, issuing.Throttled, f, "a fourth live access token")
	end := f.First.AccessExpires.Add(f.Grace)
	r, _ = rot(c.Refresh, end.Add(-1), 3)
	h.want(r, issuing.Throttled, f, "1ns before the first access token's end")
	// Throttled changed nothing, and an access token past its end no longer counts.
	r, d := rot(c.Refresh, end, 3)
	h.want(r, issuing.Rotated, f, "at the first access token's end")
	r, _ = rot(d.Refresh, end.Add(time.Millisecond), 3)
	h.want(r, issuing.Throttled, f, "b, c and d live")
	// The pruned token is not listed either.
	h.wantLive(h.revoke(f.ID, end.Add(time.Millisecond)), Lives(b, c, d), "Revoke")
}

func testDefaultMaxLive(h *harness) {
	f := h.family()
	h.start(f)
	p := f.First.Refresh
	for i := 1; i < issuing.DefaultMaxLive; i++ {
		r, next := h.rotate(f, p, h.at(time.Duration(i)*time.Millisecond), 0)
		h.want(r, issuing.Rotated, f, "rotation under DefaultMaxLive")
		p = next.Refresh
	}
	r, _ := h.rotate(f, p, h.at(time.Second), 0)
	h.want(r, issuing.Throttled, f, "rotation with DefaultMaxLive live")
}

func testStartInvalid(h *harness) {
	bad := map[string]func(f *issuing.Family){
		"empty ID":            func(f *issuing.Family) { f.ID = "" },
		"empty Subject":       func(f *issuing.Family) { f.Subject = "" },
		"empty First.Refresh": func(f *issuing.Family) { f.First.Refresh = "" },
		"empty First.Access":  func(f *issuing.Family) { f.First.Access = "" },
		"zero Start":          func(f *issuing.Family) { f.Start = time.Time{} },
		"End at Start":        func(f *issuing.Family) { f.End = f.Start },
		"End before Start":    func(f *issuing.Family) { f.End = f.Start.Add(-time.Second) },
		"Issued before Start": func(f *issuing.Family) { f.First.Issued = f.Start.Add(-1) },
		"Issued at End":       func(f *issuing.Family) { f.First.Issued = f.End },
		"Issued after End":    func(f *issuing.Family) { f.First.Issued = f.End.Add(1) },
	}
	for name, mutate := range bad {
		f := h.family()
		mutate(&f)
		if err := h.f.Start(bg, f); !isErr(err, issuing.ErrInvalid) {
			h.t.Fatalf("Start with %s: %v, want ErrInvalid", name, err)
		}
		if f.ID == "" {
			continue
		}
		// Nothing was recorded: the id is free.
		g := h.family()
		g.ID = f.ID
		if err := h.f.Start(bg, g); err != nil {
			h.t.Fatalf("Start after a refused Start with %s: %v", name, err)
		}
	}
	// The edges that are valid: Issued at Start, Issued a nanosecond before End.
	f := h.family()
	f.First.Issued = f.End.Add(-1)
	h.start(f)
}

func testStartExists(h *harness) {
	f := h.family()
	h.start(f)
	g := h.family()
	g.ID = f.ID
	if err := h.f.Start(bg, g); !isErr(err, issuing.ErrExists) {
		h.t.Fatalf("a second Start of one id: %v, want ErrExists", err)
	}
	// Not overwritten: the first family's token rotates, the second's is not one of it.
	r, _ := h.rotate(f, g.First.Refresh, h.at(time.Second), time.Minute)
	h.want(r, issuing.Ended, f, "the refused family's token")
	r, _ = h.rotate(f, f.First.Refresh, h.at(time.Second), time.Minute)
	h.want(r, issuing.Rotated, f, "the first family's token")
	// A revoked family existed: its id stays taken.
	h.revoke(f.ID, h.at(2*time.Second))
	if err := h.f.Start(bg, g); !isErr(err, issuing.ErrExists) {
		h.t.Fatalf("Start of a revoked family's id: %v, want ErrExists", err)
	}
}

func testRotateInvalid(h *harness) {
	f := h.family()
	h.start(f)
	bad := map[string]func(r *issuing.Rotate){
		"empty Family":       func(r *issuing.Rotate) { r.Family = "" },
		"empty Presented":    func(r *issuing.Rotate) { r.Presented = "" },
		"zero Now":           func(r *issuing.Rotate) { r.Now = time.Time{} },
		"empty Next.Refresh": func(r *issuing.Rotate) { r.Next.Refresh = "" },
		"empty Next.Access":  func(r *issuing.Rotate) { r.Next.Access = "" },
		"zero Next.Issued":   func(r *issuing.Rotate) { r.Next.Issued = time.Time{} },
		"zero AccessExpires": func(r *issuing.Rotate) { r.Next.AccessExpires = time.Time{} },
		"negative Grace":     func(r *issuing.Rotate) { r.Grace = -1 },
	}
	for name, mutate := range bad {
		now := h.at(time.Second)
		r := issuing.Rotate{Family: f.ID, Presented: f.First.Refresh, Now: now, Next: gen(now, time.Minute),
			Grace: time.Minute}
		mutate(&r)
		if _, err := h.f.Rotate(bg, r); !isErr(err, issuing.ErrInvalid) {
			h.t.Fatalf("Rotate with %s: %v, want ErrInvalid", name, err)
		}
	}
	// Nothing changed.
	r, _ := h.rotate(f, f.First.Refresh, h.at(2*time.Second), time.Minute)
	h.want(r, issuing.Rotated, f, "rotation after the refusals")
}

func testRevoke(h *harness) {
	f := h.family()
	f.First.AccessExpires = f.Start.Add(time.Minute)
	h.start(f)
	_, b := h.rotate(f, f.First.Refresh, h.at(time.Second), time.Hour)
	now := h.at(2 * time.Second)
	h.wantLive(h.revoke(f.ID, now), Lives(f.First, b), "Revoke")
	// Idempotent, and Live again each time.
	h.wantLive(h.revoke(f.ID, now), Lives(f.First, b), "a second Revoke")
	// Nothing rotates, nothing is retried, even inside the grace of the last rotation.
	for _, p := range []string{b.Refresh, f.First.Refresh} {
		r, _ := h.rotate(f, p, now, time.Hour)
		h.want(r, issuing.Ended, f, "presentation after Revoke")
		h.wantLive(r.Live, Lives(f.First, b), "Ended after Revoke")
	}
	// Later, only what may still be live.
	late := f.First.AccessExpires.Add(f.Grace)
	h.wantLive(h.revoke(f.ID, late), Lives(b), "Revoke after the first access token's end")
	// Revoking one family leaves another alone.
	g := h.family()
	h.start(g)
	h.revoke(f.ID, now)
	r, _ := h.rotate(g, g.First.Refresh, now, time.Hour)
	h.want(r, issuing.Rotated, g, "another family")
}

func testRevokeUnknown(h *harness) {
	l, err := h.f.Revoke(bg, ID("f"), h.at(0))
	if err != nil || len(l) != 0 {
		h.t.Fatalf("Revoke of a family never started: %v, %v; want none, nil", l, err)
	}
	if _, err := h.f.Revoke(bg, "", h.at(0)); !isErr(err, issuing.ErrInvalid) {
		h.t.Fatalf("Revoke(\"\"): %v, want ErrInvalid", err)
	}
}

// realFamily returns a family of real time: started now, ending after end, its first access
// token living access, with grace g.
func realFamily(end, access, g time.Duration) issuing.Family {
	start := time.Now().Round(0)
	return issuing.Family{ID: ID("f"), Subject: ID("sub"), Start: start, End: start.Add(end), Grace: g,
		First: gen(start, access)}
}

// known reports whether the store still has the record of f: a jti it never issued, presented
// at real now, is Ended with the family's Subject while it does.
func (h *harness) known(f issuing.Family) bool {
	h.t.Helper()
	r, _ := h.rotate(f, ID("probe"), time.Now(), 0)
	if r.Outcome != issuing.Ended {
		h.t.Fatalf("probe of %s: %v, want ended", f.ID, r.Outcome)
	}
	return r.Family.Subject != ""
}

func testExpiry(h *harness) {
	const grace = time.Second
	live := realFamily(short, short/2, grace)
	revoked := realFamily(short, short/2, grace)
	h.start(live)
	h.start(revoked)
	h.revoke(revoked.ID, time.Now())
	// Past End, inside the grace: both records, and the mark that one ended, are kept.
	time.Sleep(time.Until(live.End.Add(grace / 10)))
	for _, f := range []issuing.Family{live, revoked} {
		if !h.known(f) {
			h.t.Fatalf("family %s forgotten a tenth of its grace after End", f.ID)
		}
	}
	r, _ := h.rotate(revoked, revoked.First.Refresh, time.Now(), 0)
	h.want(r, issuing.Ended, revoked, "the revoked family inside the grace")
	// After End+Grace, both go.
	deadline := live.End.Add(grace + expiryBound)
	h.waitGone(live, live.First.Refresh, deadline)
	h.waitGone(revoked, revoked.First.Refresh, deadline)
}

func testOutliveAccess(h *harness) {
	const grace = 400 * time.Millisecond
	f := realFamily(short, short+time.Second, grace) // its access token outlives End by a second
	h.start(f)
	time.Sleep(time.Until(f.End.Add(grace + 200*time.Millisecond)))
	if !h.known(f) {
		h.t.Fatal("family forgotten at End+Grace while its access token lives")
	}
	h.waitGone(f, f.First.Refresh, f.First.AccessExpires.Add(grace+expiryBound))
}

const concurrent = 50

// race rotates f's first token from concurrent goroutines at once, each with a successor of
// its own, at real now, and returns the answers and the successors offered.
func (h *harness) race(f issuing.Family, grace time.Duration) ([]issuing.Rotation, []issuing.Generation) {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		rs    = make([]issuing.Rotation, concurrent)
		nexts = make([]issuing.Generation, concurrent)
		errs  = make([]error, concurrent)
	)
	for i := range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			now := time.Now().Round(0)
			nexts[i] = gen(now, 15*time.Minute)
			rs[i], errs[i] = h.f.Rotate(bg, issuing.Rotate{Family: f.ID, Presented: f.First.Refresh, Now: now,
				Next: nexts[i], Grace: grace})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			h.t.Fatalf("concurrent Rotate %d: %v", i, err)
		}
	}
	return rs, nexts
}

func testConcurrentGrace(h *harness) {
	f := realFamily(time.Hour, 15*time.Minute, time.Minute)
	h.start(f)
	rs, nexts := h.race(f, time.Minute)
	won := -1
	for i, r := range rs {
		if r.Outcome == issuing.Rotated {
			if won >= 0 {
				h.t.Fatalf("two concurrent Rotates of one token rotated (%d and %d)", won, i)
			}
			won = i
		}
	}
	if won < 0 {
		h.t.Fatal("no concurrent Rotate rotated")
	}
	for i, r := range rs {
		if i == won {
			continue
		}
		h.want(r, issuing.Retried, f, "a concurrent Rotate that lost")
		if err := SameGeneration(r.Generation, nexts[won]); err != nil {
			h.t.Fatalf("retry %d: %v, the winner's successor", i, err)
		}
	}
	r, _ := h.rotate(f, nexts[won].Refresh, time.Now(), time.Minute)
	h.want(r, issuing.Rotated, f, "the winner's successor")
}

func testConcurrentNoGrace(h *harness) {
	f := realFamily(time.Hour, 15*time.Minute, time.Minute)
	h.start(f)
	rs, nexts := h.race(f, 0)
	count := map[issuing.Outcome]int{}
	won := -1
	for i, r := range rs {
		count[r.Outcome]++
		if r.Outcome == issuing.Rotated {
			won = i
		}
	}
	if count[issuing.Rotated] != 1 || count[issuing.Reused] == 0 ||
		count[issuing.Rotated]+count[issuing.Reused]+count[issuing.Ended] != concurrent {
		h.t.Fatalf("concurrent Rotates without grace: %v; want one rotated, the others reused or ended, one reused at least", count)
	}
	// The reuse ended the family: the winner's successor is refused too.
	r, _ := h.rotate(f, nexts[won].Refresh, time.Now(), 0)
	h.want(r, issuing.Ended, f, "the winner's successor after the reuse")
}

func testConcurrentFamilies(h *harness) {
	fs := make([]issuing.Family, concurrent)
	for i := range fs {
		fs[i] = h.family()
	}
	var wg sync.WaitGroup
	errs := make(chan string, concurrent)
	for _, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.f.Start(bg, f); err != nil {
				errs <- "Start: " + err.Error()
				return
			}
			now := h.at(time.Second)
			r, err := h.f.Rotate(bg, issuing.Rotate{Family: f.ID, Presented: f.First.Refresh, Now: now,
				Next: gen(now, time.Minute), Grace: time.Second})
			if err != nil || r.Outcome != issuing.Rotated || SameFamily(r.Family, f) != nil {
				errs <- "Rotate: " + r.Outcome.String()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		h.t.Fatal(e)
	}
}

func testDoneContext(h *harness) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	f := h.family()
	if err := h.f.Start(ctx, f); !isErr(err, context.Canceled) {
		h.t.Fatalf("Start with a done context: %v, want context.Canceled", err)
	}
	r, _ := h.rotate(f, f.First.Refresh, h.at(time.Second), 0)
	h.want(r, issuing.Ended, issuing.Family{}, "the family a canceled Start named")
	if r.Family.Subject != "" {
		h.t.Fatal("a canceled Start recorded its family")
	}
	h.start(f)
	now := h.at(time.Second)
	if _, err := h.f.Rotate(ctx, issuing.Rotate{Family: f.ID, Presented: f.First.Refresh, Now: now,
		Next: gen(now, time.Minute)}); !isErr(err, context.Canceled) {
		h.t.Fatalf("Rotate with a done context: %v, want context.Canceled", err)
	}
	if _, err := h.f.Revoke(ctx, f.ID, now); !isErr(err, context.Canceled) {
		h.t.Fatalf("Revoke with a done context: %v, want context.Canceled", err)
	}
	// Neither changed anything.
	r, _ = h.rotate(f, f.First.Refresh, now, 0)
	h.want(r, issuing.Rotated, f, "rotation after the canceled calls")
}
