package redisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/issuing"
)

// What a loss of data does to the families, each on a server of its own: it only ever refuses.
// A lost record is never taken for a family that does not exist while the process can tell
// that Redis lost its data (ErrDataLost, 503 for the caller); a process that cannot tell (started
// after the loss, without ExplicitArm) answers Ended, which refuses too.

// lostFamily waits until f's Rotate of fam answers ErrDataLost, within bound.
func lostFamily(t *testing.T, f *Families, fam issuing.Family, bound time.Duration) time.Duration {
	t.Helper()
	return eventually(t, bound, "ErrDataLost from Rotate", func() bool {
		_, err := f.Rotate(context.Background(), issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh,
			Now: time.Now(), Next: gen("rx", "ax", time.Now())})
		return errors.Is(err, ErrDataLost)
	})
}

// After a FLUSHALL every call of a process that knew the marker answers ErrDataLost (Revoke
// too: the access tokens the lost record listed are unknown, so "none" would let them in), and
// goes on answering it until List.Recover, whose global epoch revokes every access token issued
// before it; then the lost family is Ended and new families start. On a client made by Dial
// and on one given to New.
func TestFamiliesFlushFailsClosed(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	ctx := context.Background()
	for _, client := range []string{"Dial", "New"} {
		t.Run(client, func(t *testing.T) {
			opts := Options{Prefix: "t:ffl:"}
			var r *Redis
			if client == "Dial" {
				r = dial(t, srv, opts)
			} else {
				r = newClient(t, srv, opts)
			}
			f, l := r.Families(), r.List()
			b := time.Now()
			fam := newFamily(b)
			mustStart(t, f, fam)
			g1 := gen("r1", "a1", b)
			if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: g1}); rot.Outcome != issuing.Rotated {
				t.Fatalf("before the flush: %v", rot.Outcome)
			}
			mustCommand(t, srv, "FLUSHALL")
			t.Logf("found after %v", lostFamily(t, f, fam, time.Second))
			if err := l.Check(ctx); !errors.Is(err, ErrDataLost) {
				t.Fatalf("Check after the families found the loss: %v, want ErrDataLost", err)
			}
			for i := 0; i < 2; i++ { // it stays, whatever is written meanwhile
				if _, err := f.Revoke(ctx, fam.ID, time.Now()); !errors.Is(err, ErrDataLost) {
					t.Fatalf("Revoke after the flush: %v, want ErrDataLost", err)
				}
				if err := f.Start(ctx, newFamily(time.Now())); !errors.Is(err, ErrDataLost) {
					t.Fatalf("Start after the flush: %v, want ErrDataLost", err)
				}
				if _, err := f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: "r1", Now: time.Now(), Next: gen("r2", "a2", time.Now())}); !errors.Is(err, ErrDataLost) {
					t.Fatalf("Rotate of the current token after the flush: %v, want ErrDataLost", err)
				}
				// Another process, started after the loss, arms the empty Redis; it cannot tell
				// the family was lost, and refuses it as Ended.
				other := dial(t, srv, opts).Families()
				if rot := rotate(t, other, issuing.Rotate{Family: fam.ID, Presented: "r1", Now: time.Now(), Next: gen("r2", "a2", time.Now())}); rot.Outcome != issuing.Ended {
					t.Fatalf("a new process: %v, want ended", rot.Outcome)
				}
				time.Sleep(lostRecheck + 100*time.Millisecond)
			}
			// The way back: every access token issued before now is revoked.
			if err := l.Recover(ctx, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if !revoked(t, l, token(t, g1.Access, fam.Subject, g1.Issued)) {
				t.Fatal("an access token of the lost family is accepted after Recover")
			}
			if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: "r1", Now: time.Now(), Next: gen("r2", "a2", time.Now())}); rot.Outcome != issuing.Ended {
				t.Fatalf("the lost family after Recover: %v, want ended", rot.Outcome)
			}
			if lv, err := f.Revoke(ctx, fam.ID, time.Now()); err != nil || lv != nil {
				t.Fatalf("Revoke of the lost family after Recover: %v, %v", lv, err)
			}
			mustStart(t, f, newFamily(time.Now()))
			mustCommand(t, srv, "FLUSHALL") // the next case starts on an empty Redis
		})
	}
}

// With ExplicitArm, a process started after the loss refuses too: ErrNotArmed, never Ended or
// "no tokens" for a family it cannot know.
func TestFamiliesExplicitArm(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	r := dial(t, srv, Options{ExplicitArm: true})
	f := r.Families()
	ctx := context.Background()
	fam := newFamily(time.Now())
	if err := f.Start(ctx, fam); !errors.Is(err, ErrNotArmed) {
		t.Fatalf("Start before Arm: %v, want ErrNotArmed", err)
	}
	if _, err := f.Revoke(ctx, fam.ID, time.Now()); !errors.Is(err, ErrNotArmed) {
		t.Fatalf("Revoke before Arm: %v, want ErrNotArmed", err)
	}
	if _, err := f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: time.Now(), Next: gen("r1", "a1", time.Now())}); !errors.Is(err, ErrNotArmed) {
		t.Fatalf("Rotate before Arm: %v, want ErrNotArmed", err)
	}
	if err := r.List().Arm(ctx); err != nil {
		t.Fatal(err)
	}
	mustStart(t, f, fam)
}

// A Redis that goes down answers errors, within the timeout, never an outcome; one restarted
// empty answers ErrDataLost once reconnected. A restart with the data (appendfsync always)
// keeps the family: its token rotates, the replaced one is still reuse.
func TestFamiliesRestart(t *testing.T) {
	needRedis(t)
	ctx := context.Background()
	t.Run("empty", func(t *testing.T) {
		srv := ownServer(t)
		f := dial(t, srv, Options{Timeout: faultTimeout}).Families()
		fam := newFamily(time.Now())
		mustStart(t, f, fam)
		srv.Kill()
		r := issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: time.Now(), Next: gen("r1", "a1", time.Now())}
		for i := 0; i < 3; i++ {
			err := timed(t, "Rotate on a Redis that is down", func() error {
				rot, err := f.Rotate(ctx, r)
				if err == nil {
					t.Fatalf("Rotate on a Redis that is down: %v, no error", rot.Outcome)
				}
				return err
			})
			t.Logf("down: %v", err)
			if _, err := f.Revoke(ctx, fam.ID, time.Now()); err == nil {
				t.Fatal("Revoke on a Redis that is down: no error")
			}
			if err := f.Start(ctx, newFamily(time.Now())); err == nil {
				t.Fatal("Start on a Redis that is down: no error")
			}
		}
		if err := srv.Restart(); err != nil {
			t.Fatal(err)
		}
		lostFamily(t, f, fam, 3*time.Second)
	})
	t.Run("persistent", func(t *testing.T) {
		srv := memoryServer(t, "--appendonly", "yes", "--appendfsync", "always")
		f := dial(t, srv, Options{Timeout: faultTimeout}).Families()
		b := time.Now()
		fam := newFamily(b)
		mustStart(t, f, fam)
		rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: gen("r1", "a1", b)})
		srv.Kill()
		if err := srv.Restart(); err != nil {
			t.Fatal(err)
		}
		var rot issuing.Rotation
		eventually(t, 3*time.Second, "answers after the restart", func() bool {
			var err error
			rot, err = f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: "r1", Now: time.Now(), Next: gen("r2", "a2", time.Now())})
			return err == nil
		})
		if rot.Outcome != issuing.Rotated {
			t.Fatalf("the current token after the restart: %v, want rotated", rot.Outcome)
		}
		if rot = rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: time.Now(), Next: gen("rx", "ax", time.Now())}); rot.Outcome != issuing.Reused || accesses(rot.Live) != fam.First.Access+",a1,a2" {
			t.Fatalf("the first token after the restart: %+v, want reused", rot)
		}
	})
}

// Under an evicting maxmemory-policy the families refuse to start, and an absent record is
// ErrEvictingPolicy rather than Ended or "no tokens"; Options.AllowEvictingPolicy lets them work.
func TestFamiliesEvictingPolicy(t *testing.T) {
	needRedis(t)
	srv := memoryServer(t, "--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru")
	ctx := context.Background()
	f := dial(t, srv, Options{}).Families()
	fam := newFamily(time.Now())
	if err := f.Start(ctx, fam); !errors.Is(err, ErrEvictingPolicy) {
		t.Fatalf("Start: %v, want ErrEvictingPolicy", err)
	}
	if _, err := f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: time.Now(), Next: gen("r1", "a1", time.Now())}); !errors.Is(err, ErrEvictingPolicy) {
		t.Fatalf("Rotate of an absent family: %v, want ErrEvictingPolicy", err)
	}
	if _, err := f.Revoke(ctx, fam.ID, time.Now()); !errors.Is(err, ErrEvictingPolicy) {
		t.Fatalf("Revoke of an absent family: %v, want ErrEvictingPolicy", err)
	}
	allowed := dial(t, srv, Options{AllowEvictingPolicy: true}).Families()
	mustStart(t, allowed, fam)
	if rot := rotate(t, allowed, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: time.Now(), Next: gen("r1", "a1", time.Now())}); rot.Outcome != issuing.Rotated {
		t.Fatalf("allowed: %v", rot.Outcome)
	}
}

// A Rotate whose answer does not come back in time (the server paused, the caller's deadline
// shorter) is an error, within the deadline; the script may still run once the server resumes,
// and then the retry of the same token, inside the grace window, gets the successor that
// rotation recorded: a timeout loses no family.
func TestFamiliesTimeoutThenRetry(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	f := dial(t, srv, Options{Timeout: faultTimeout}).Families()
	ctx := context.Background()
	b := time.Now()
	fam := newFamily(b)
	mustStart(t, f, fam)
	mustCommand(t, srv, "CLIENT", "PAUSE", "500", "ALL")
	lost := gen("r-lost", "a-lost", b)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	start := time.Now()
	_, err := f.Rotate(short, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: lost, Grace: 10 * time.Second})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 50*time.Millisecond+slack {
		t.Fatalf("Rotate during the pause: %v after %v, want context.DeadlineExceeded within the deadline", err, time.Since(start))
	}
	var rot issuing.Rotation
	eventually(t, 5*time.Second, "a Rotate after the pause", func() bool {
		rot, err = f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b.Add(time.Second),
			Next: gen("r-retry", "a-retry", b), Grace: 10 * time.Second})
		return err == nil
	})
	switch {
	case rot.Outcome == issuing.Retried && sameGen(rot.Generation, lost):
		t.Log("the timed-out rotation ran; its retry got its successor")
	case rot.Outcome == issuing.Rotated && rot.Generation.Refresh == "r-retry":
		t.Log("the timed-out rotation did not run; the retry rotated")
	default:
		t.Fatalf("the retry after a timeout: %+v, want its successor", rot)
	}
}

// A full Redis under noeviction refuses a rotation, a start and a revocation with OOM, loudly,
// and changes nothing: once there is room again the same token rotates.
func TestFamiliesFullRedis(t *testing.T) {
	needRedis(t)
	srv := memoryServer(t, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction")
	r := dial(t, srv, Options{})
	f := r.Families()
	ctx := context.Background()
	b := time.Now()
	fam := newFamily(b)
	// Its first access token has ended, so the rotation also prunes it: a deletion, which
	// Redis allows when full, must not be the script's first write.
	fam.Grace, fam.First.AccessExpires = 0, b
	mustStart(t, f, fam)
	if n, err := flood(t, srv, r.Store()); err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("the flood of %d sessions ended with %v, want OOM", n, err)
	}
	b = b.Add(time.Second)
	next := gen("r1", "a1", b)
	_, err := f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: next})
	if err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("Rotate on a full Redis: %v, want OOM", err)
	}
	if err := f.Start(ctx, newFamily(b)); err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("Start on a full Redis: %v, want OOM", err)
	}
	if _, err := f.Revoke(ctx, fam.ID, b); err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("Revoke on a full Redis: %v, want OOM", err)
	}
	mustCommand(t, srv, "CONFIG", "SET", "maxmemory", "64mb")
	if rot := rotate(t, f, issuing.Rotate{Family: fam.ID, Presented: fam.First.Refresh, Now: b, Next: next}); rot.Outcome != issuing.Rotated {
		t.Fatalf("the same token once there is room: %v, want rotated", rot.Outcome)
	}
}
