// Package storetest is the contract of store.Store as a test suite: every implementation's tests
// call Run with a factory of empty stores, and keep for themselves only what is particular to
// the implementation (the memory store's bounds, Redis's client-side cache and faults).
//
// The suite uses real, short lifetimes (a fraction of a second to a few seconds) and waits for
// expiry with a bound, since a remote store expires by its own clock. Its cases run in parallel,
// each on a store of its own.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/store"
)

// Factory returns a new, empty store for one test case. It registers with t.Cleanup whatever
// must be closed, and may call t.Skip when the store cannot run here. Stores returned by two
// calls must not see each other's sessions.
type Factory func(t *testing.T) store.Store

// Lifetimes of the timed cases: short is a session's or tombstone's ttl in those cases,
// expiryBound how long after its ttl a store may take to report the expiry.
const (
	short       = 800 * time.Millisecond
	expiryBound = 3 * time.Second
)

// Run runs the contract against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

var cases = []struct {
	name string
	run  func(t *testing.T, s store.Store)
}{
	{"absent", testAbsent},
	{"partial updates", testPartialUpdates},
	{"values are copied", testValuesCopied},
	{"names and values", testNamesAndValues},
	{"many fields", testManyFields},
	{"ids are apart", testIDsApart},
	{"every field deleted", testEveryFieldDeleted},
	{"refresh only", testRefreshOnly},
	{"longest ttl", testLongestTTL},
	{"expiry", testExpiry},
	{"expiry renewed by each update", testRenewal},
	{"destroy leaves a tombstone", testTombstone},
	{"tombstone expires", testTombstoneExpires},
	{"longer tombstone kept", testLongerTombstoneKept},
	{"destroy without tombstone", testDestroyWithoutTombstone},
	{"concurrent updates of one id", testConcurrentUpdates},
	{"updates racing destroy", testUpdatesRacingDestroy},
	{"alive", testAlive},
	{"alive expires", testAliveExpires},
	{"one destroy is first", testOneDestroyFirst},
	{"create", testCreate},
	{"create expires", testCreateExpires},
	{"create after destroy", testCreateAfterDestroy},
	{"bad inputs", testBadInputs},
	{"done context", testDoneContext},
}

var bg = context.Background()

// Fields builds fields from name, value pairs.
func Fields(kv ...string) []store.Field {
	var fs []store.Field
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, store.Field{Name: kv[i], Value: []byte(kv[i+1])})
	}
	return fs
}

// Dump returns the session's fields as "name=value" in name order, separated by spaces, or
// "absent". It fails the test when Load fails, or reports fields of a session it did not find.
func Dump(tb testing.TB, s store.Store, id string) string {
	tb.Helper()
	var fs []string
	found, err := s.Load(bg, id, func(name string, value []byte) {
		fs = append(fs, name+"="+string(value))
	})
	if err != nil {
		tb.Fatalf("Load(%q): %v", id, err)
	}
	if !found {
		if len(fs) != 0 {
			tb.Fatalf("Load(%q): not found, yet fields %v", id, fs)
		}
		return "absent"
	}
	slices.Sort(fs)
	return strings.Join(fs, " ")
}

func update(t *testing.T, s store.Store, id string, set []store.Field, del []string, ttl time.Duration) {
	t.Helper()
	if err := s.Update(bg, id, set, del, ttl); err != nil {
		t.Fatalf("Update(%q): %v", id, err)
	}
}

func destroy(t *testing.T, s store.Store, id string, ttl time.Duration) {
	t.Helper()
	if err := s.Destroy(bg, id, ttl); err != nil {
		t.Fatalf("Destroy(%q): %v", id, err)
	}
}

// destroyAgain destroys an id already destroyed: the work is done, and ErrDestroyed says that
// another Destroy came first.
func destroyAgain(t *testing.T, s store.Store, id string, ttl time.Duration) {
	t.Helper()
	if err := s.Destroy(bg, id, ttl); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("a second Destroy(%q): %v, want ErrDestroyed", id, err)
	}
}

// alive returns what Alive says of id, failing the test on an error.
func alive(t *testing.T, s store.Store, id string) bool {
	t.Helper()
	ok, err := s.Alive(bg, id)
	if err != nil {
		t.Fatalf("Alive(%q): %v", id, err)
	}
	return ok
}

func want(t *testing.T, s store.Store, id, want, when string) {
	t.Helper()
	if got := Dump(t, s, id); got != want {
		t.Fatalf("%s: %q holds %.200s, want %.200s", when, id, got, want)
	}
}

// eventually polls cond every few milliseconds until it holds, failing the test after bound.
func eventually(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > bound {
			t.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testAbsent(t *testing.T, s store.Store) {
	called := false
	found, err := s.Load(bg, "never", func(string, []byte) { called = true })
	if found || err != nil || called {
		t.Fatalf("Load of an unknown id: found %v, %v, fn called %v", found, err, called)
	}
}

// Only what changed is sent: set one name, delete another, the rest stays. A name in set and in
// del is set; a later duplicate in set wins; deleting a name never set is no error.
func testPartialUpdates(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("count", "1", "user", `"ann"`), nil, time.Hour)
	want(t, s, "sid", `count=1 user="ann"`, "after the first Update")
	update(t, s, "sid", Fields("count", "2", "cart", "[]"), []string{"user", "never-set"}, time.Hour)
	want(t, s, "sid", "cart=[] count=2", "after setting two names and deleting two")
	update(t, s, "sid", Fields("x", "1", "x", "2"), []string{"x"}, time.Hour)
	want(t, s, "sid", "cart=[] count=2 x=2", "after a name in set twice and in del")
	update(t, s, "sid", nil, []string{"cart"}, time.Hour)
	want(t, s, "sid", "count=2 x=2", "after deleting one name")
}

func testValuesCopied(t *testing.T, s store.Store) {
	val := []byte(`"abc"`)
	update(t, s, "sid", []store.Field{{Name: "v", Value: val}}, nil, time.Hour)
	copy(val, `"xyz"`)
	want(t, s, "sid", `v="abc"`, "after the caller reused its buffer")
	// What Load hands fn is the store's to keep: a caller that keeps it copies it, and the
	// next Load still sees the stored value.
	_, _ = s.Load(bg, "sid", func(string, []byte) {})
	want(t, s, "sid", `v="abc"`, "on a second Load")
}

// Names and values are stored as given, whatever bytes they hold.
func testNamesAndValues(t *testing.T, s store.Store) {
	big := `"` + strings.Repeat("x", 64<<10) + `"`
	set := Fields(
		"a:b", "1", "{sess:x}", "2", "ünï", `"ü"`, "sp ace", "null", "empty", `""`,
		"quote\"d", `{"k":[1,2,{"n":null}]}`, "big", big, "nl", "\"a\\nb\"",
	)
	update(t, s, "sid", set, nil, time.Hour)
	got := map[string]string{}
	found, err := s.Load(bg, "sid", func(name string, value []byte) { got[name] = string(value) })
	if !found || err != nil {
		t.Fatalf("Load: %v, %v", found, err)
	}
	if len(got) != len(set) {
		t.Errorf("loaded %d fields, want %d", len(got), len(set))
	}
	for _, f := range set {
		if got[f.Name] != string(f.Value) {
			t.Errorf("%q = %.60q, want %.60q", f.Name, got[f.Name], f.Value)
		}
	}
}

// Many fields in one Update, and deleting them in one Update.
func testManyFields(t *testing.T, s store.Store) {
	var many []store.Field
	var names []string
	for i := range 1500 {
		many = append(many, store.Field{Name: fmt.Sprint("f", i), Value: []byte(fmt.Sprint(i))})
		names = append(names, fmt.Sprint("f", i))
	}
	update(t, s, "big", many, nil, time.Hour)
	n := 0
	if found, err := s.Load(bg, "big", func(string, []byte) { n++ }); !found || err != nil || n != 1500 {
		t.Fatalf("1500 fields: loaded %d, %v, %v", n, found, err)
	}
	update(t, s, "big", Fields("kept", "1"), names, time.Hour)
	want(t, s, "big", "kept=1", "after deleting 1500 fields")
}

// Sessions of different ids never mix, even ids that look like parts of one another.
func testIDsApart(t *testing.T, s store.Store) {
	ids := []string{"a", "a:data", "a}", "{a}", "a:tomb", "A", "a ", "ä"}
	for i, id := range ids {
		update(t, s, id, Fields("n", fmt.Sprint(i)), nil, time.Hour)
	}
	destroy(t, s, "a:tomb", time.Hour)
	for i, id := range ids {
		w := fmt.Sprint("n=", i)
		if id == "a:tomb" {
			w = "absent"
		}
		want(t, s, id, w, "ids that look alike")
	}
	if err := s.Update(bg, "a", Fields("m", "1"), nil, time.Hour); err != nil {
		t.Fatalf("the tombstone of another id refused an Update: %v", err)
	}
}

// A session exists while it has a field: an Update that deletes the last one removes it, and
// the id then starts anew.
func testEveryFieldDeleted(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("a", "1", "b", "2"), nil, time.Hour)
	update(t, s, "sid", nil, []string{"a", "b"}, time.Hour)
	want(t, s, "sid", "absent", "every field deleted")
	update(t, s, "sid", Fields("c", "3"), nil, time.Hour)
	want(t, s, "sid", "c=3", "a new start of the id")
}

// An Update with nothing to set or delete only renews an existing session: on an absent one it
// creates nothing.
func testRefreshOnly(t *testing.T, s store.Store) {
	update(t, s, "none", nil, nil, time.Hour)
	want(t, s, "none", "absent", "a refresh of an absent session")
	update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
	update(t, s, "sid", nil, nil, time.Hour)
	want(t, s, "sid", "a=1", "a refresh of a session")
	update(t, s, "none", nil, []string{"x"}, time.Hour)
	want(t, s, "none", "absent", "a delete in an absent session")
}

// The longest ttl does not overflow into the past.
func testLongestTTL(t *testing.T, s store.Store) {
	update(t, s, "forever", Fields("a", "1"), nil, time.Duration(math.MaxInt64))
	want(t, s, "forever", "a=1", "the longest ttl")
	destroy(t, s, "forever", time.Duration(math.MaxInt64))
	if err := s.Update(bg, "forever", Fields("a", "2"), nil, time.Hour); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("Update after a Destroy with the longest ttl: %v, want ErrDestroyed", err)
	}
}

// A session is gone once its ttl has passed (within a few seconds); an Update after that starts
// anew, without the old fields.
func testExpiry(t *testing.T, s store.Store) {
	start := time.Now()
	update(t, s, "sid", Fields("a", "1"), nil, short)
	if got := Dump(t, s, "sid"); got != "a=1" && time.Since(start) < short {
		t.Fatalf("before expiry: %s", got)
	}
	eventually(t, short+expiryBound, "the session expires", func() bool { return Dump(t, s, "sid") == "absent" })
	if time.Since(start) < short {
		t.Fatalf("gone after %v, before its ttl of %v", time.Since(start), short)
	}
	update(t, s, "sid", Fields("c", "3"), nil, time.Hour)
	want(t, s, "sid", "c=3", "an Update after expiry")
}

// Every Update sets the expiry to its ttl from now, a refresh-only Update too.
func testRenewal(t *testing.T, s store.Store) {
	const ttl = 2 * short
	for _, renew := range []struct {
		name string
		set  []store.Field
		want string
	}{{"an update", Fields("b", "2"), "a=1 b=2"}, {"a refresh", nil, "a=1"}} {
		id := "sid-" + strings.ReplaceAll(renew.name, " ", "-")
		first := time.Now()
		update(t, s, id, Fields("a", "1"), nil, ttl)
		time.Sleep(ttl * 6 / 10)
		second := time.Now()
		update(t, s, id, renew.set, nil, ttl)
		time.Sleep(ttl * 6 / 10)
		got := Dump(t, s, id)
		switch {
		case time.Since(second) >= ttl || time.Since(first) < ttl:
			t.Logf("renewed by %s: the machine was too slow to tell (%v since the first write)", renew.name, time.Since(first))
		case got != renew.want:
			t.Fatalf("renewed by %s, %v after the first write: %s", renew.name, time.Since(first), got)
		}
	}
}

// A destroyed session stays destroyed for its tombstone's life: a slower request's Update
// cannot resurrect it, and Destroy of an id the store never had leaves a tombstone too.
func testTombstone(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("user", `"ann"`), nil, time.Hour)
	want(t, s, "sid", `user="ann"`, "before Destroy")
	destroy(t, s, "sid", time.Hour)
	want(t, s, "sid", "absent", "destroyed")
	for _, set := range [][]store.Field{Fields("count", "5"), nil} {
		if err := s.Update(bg, "sid", set, []string{"user"}, time.Hour); !errors.Is(err, store.ErrDestroyed) {
			t.Fatalf("a late Update (set %v): %v, want ErrDestroyed", set, err)
		}
	}
	want(t, s, "sid", "absent", "after the late Updates")
	destroyAgain(t, s, "sid", time.Hour) // twice is fine, and the second learns it was second
	destroy(t, s, "unknown", time.Hour)
	if err := s.Update(bg, "unknown", Fields("a", "1"), nil, time.Hour); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("Update after Destroy of an unknown id: %v, want ErrDestroyed", err)
	}
	want(t, s, "unknown", "absent", "an unknown id after Destroy")
}

// The tombstone ends with its ttl; the id could then be used again.
func testTombstoneExpires(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
	start := time.Now()
	destroy(t, s, "sid", short)
	err := s.Update(bg, "sid", Fields("a", "2"), nil, time.Hour)
	if !errors.Is(err, store.ErrDestroyed) && time.Since(start) < short {
		t.Fatalf("an Update within the tombstone's life: %v, want ErrDestroyed", err)
	}
	eventually(t, short+expiryBound, "the tombstone expires", func() bool {
		err := s.Update(bg, "sid", Fields("b", "1"), nil, time.Hour)
		if err != nil && !errors.Is(err, store.ErrDestroyed) {
			t.Fatalf("Update: %v", err)
		}
		return err == nil
	})
	if time.Since(start) < short {
		t.Fatalf("the tombstone was gone after %v, before its ttl of %v", time.Since(start), short)
	}
	want(t, s, "sid", "b=1", "the id used again")
}

// A second, shorter Destroy keeps the longer tombstone.
func testLongerTombstoneKept(t *testing.T, s store.Store) {
	destroy(t, s, "sid", time.Hour)
	destroyAgain(t, s, "sid", time.Millisecond)
	destroyAgain(t, s, "sid", 0)
	time.Sleep(20 * time.Millisecond)
	if err := s.Update(bg, "sid", Fields("a", "1"), nil, time.Hour); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("after a shorter second Destroy: %v, want ErrDestroyed", err)
	}
}

// A ttl that is not positive removes the session and leaves no tombstone.
func testDestroyWithoutTombstone(t *testing.T, s store.Store) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
		destroy(t, s, "sid", ttl)
		want(t, s, "sid", "absent", fmt.Sprintf("Destroy with ttl %v", ttl))
		update(t, s, "sid", Fields("b", "1"), nil, time.Hour)
		want(t, s, "sid", "b=1", fmt.Sprintf("an Update after a Destroy with ttl %v", ttl))
		destroy(t, s, "sid", ttl)
	}
}

// Requests of one session that change different names at the same time all survive: each
// Update applies its change alone (run with -race).
func testConcurrentUpdates(t *testing.T, s store.Store) {
	const writers, rounds = 8, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("w", w)
			for i := range rounds {
				if err := s.Update(bg, "shared", Fields(name, fmt.Sprint(i)), nil, time.Hour); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Load(bg, "shared", func(string, []byte) {}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	w := make([]string, writers)
	for i := range writers {
		w[i] = fmt.Sprintf("w%d=%d", i, rounds-1)
	}
	slices.Sort(w)
	want(t, s, "shared", strings.Join(w, " "), "after concurrent Updates")
}

// A Destroy racing with Updates wins once it has returned: every Update that starts afterwards
// fails with ErrDestroyed, and the session stays absent (an Update that returned nil ran wholly
// before the Destroy, which removed its fields).
func testUpdatesRacingDestroy(t *testing.T, s store.Store) {
	update(t, s, "race", Fields("a", "1"), nil, time.Hour)
	var destroyed atomic.Bool
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				after := destroyed.Load()
				err := s.Update(bg, "race", Fields(fmt.Sprint("w", w), fmt.Sprint(i)), nil, time.Hour)
				switch {
				case after && !errors.Is(err, store.ErrDestroyed):
					t.Errorf("an Update after Destroy returned: %v", err)
					return
				case errors.Is(err, store.ErrDestroyed):
					return
				case err != nil:
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(10 * time.Millisecond)
	destroy(t, s, "race", time.Hour)
	destroyed.Store(true)
	wg.Wait()
	want(t, s, "race", "absent", "after Updates raced with Destroy")
}

// Create writes a provisional session's first fields: a Load sees them, an Update of the id
// keeps them (the client came back: an ordinary session), a Create with nothing to set creates
// nothing, and a Create on an ordinary session is an Update of it.
func testCreate(t *testing.T, s store.Store) {
	if err := s.Create(bg, "anon", Fields("counter", "1", "cart", "[]"), time.Hour); err != nil {
		t.Fatalf("Create: %v", err)
	}
	want(t, s, "anon", "cart=[] counter=1", "after the Create")
	update(t, s, "anon", Fields("counter", "2"), []string{"cart"}, time.Hour)
	want(t, s, "anon", "counter=2", "after an Update of the created session")

	if err := s.Create(bg, "unread", Fields("a", "1"), time.Hour); err != nil {
		t.Fatalf("Create: %v", err)
	}
	update(t, s, "unread", Fields("b", "2"), nil, time.Hour)
	want(t, s, "unread", "a=1 b=2", "after an Update of a created session never loaded")

	if err := s.Create(bg, "empty", nil, time.Hour); err != nil {
		t.Fatalf("Create with nothing to set: %v", err)
	}
	want(t, s, "empty", "absent", "after a Create with nothing to set")

	update(t, s, "back", Fields("a", "1"), nil, time.Hour)
	if err := s.Create(bg, "back", Fields("b", "2"), time.Hour); err != nil {
		t.Fatalf("Create on an ordinary session: %v", err)
	}
	want(t, s, "back", "a=1 b=2", "after a Create on an ordinary session")
}

// A created session lasts no longer than its ttl (a store may end it sooner:
// store.ProvisionalLifetime at most).
func testCreateExpires(t *testing.T, s store.Store) {
	start := time.Now()
	if err := s.Create(bg, "anon", Fields("a", "1"), short); err != nil {
		t.Fatalf("Create: %v", err)
	}
	eventually(t, short+expiryBound, "the created session expires", func() bool {
		if time.Since(start) < short {
			return false // a Load makes it ordinary; its ttl is the same
		}
		found, err := s.Load(bg, "anon", func(string, []byte) {})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		return !found
	})
}

// A Create on a destroyed id fails with ErrDestroyed and creates nothing: ids are random, yet a
// late request must not bring a logged-out session back by any write.
func testCreateAfterDestroy(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
	destroy(t, s, "sid", time.Hour)
	if err := s.Create(bg, "sid", Fields("a", "2"), time.Hour); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("Create after a Destroy: %v, want ErrDestroyed", err)
	}
	want(t, s, "sid", "absent", "after the refused Create")
	destroy(t, s, "never", time.Hour)
	if err := s.Create(bg, "never", Fields("a", "1"), time.Hour); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("Create on a tombstone of an id never used: %v, want ErrDestroyed", err)
	}
}

// An empty id or a ttl that is not positive is refused with ErrInvalid, and changes nothing.
func testBadInputs(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
	for what, call := range map[string]func() error{
		"Load of an empty id":          func() error { _, err := s.Load(bg, "", func(string, []byte) {}); return err },
		"Update of an empty id":        func() error { return s.Update(bg, "", Fields("a", "1"), nil, time.Hour) },
		"Destroy of an empty id":       func() error { return s.Destroy(bg, "", time.Hour) },
		"Alive of an empty id":         func() error { _, err := s.Alive(bg, ""); return err },
		"Update with a zero ttl":       func() error { return s.Update(bg, "sid", Fields("a", "2"), []string{"a"}, 0) },
		"Update with a negative ttl":   func() error { return s.Update(bg, "sid", nil, []string{"a"}, -time.Second) },
		"refresh with a zero ttl":      func() error { return s.Update(bg, "sid", nil, nil, 0) },
		"Update of a new id, zero ttl": func() error { return s.Update(bg, "new", Fields("a", "1"), nil, 0) },
		"Create of an empty id":        func() error { return s.Create(bg, "", Fields("a", "1"), time.Hour) },
		"Create with a zero ttl":       func() error { return s.Create(bg, "new", Fields("a", "1"), 0) },
		"Create with a negative ttl":   func() error { return s.Create(bg, "sid", Fields("a", "2"), -time.Second) },
	} {
		if err := call(); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", what, err)
		}
	}
	want(t, s, "sid", "a=1", "after the refused calls")
	want(t, s, "new", "absent", "after the refused calls")
}

// A call whose context is done fails with the context's error and changes nothing.
func testDoneContext(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
	canceled, cancel := context.WithCancel(bg)
	cancel()
	expired, cancel2 := context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{canceled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		called := false
		if _, err := s.Load(c.ctx, "sid", func(string, []byte) { called = true }); !errors.Is(err, c.want) || called {
			t.Errorf("Load: %v (fn called: %v), want %v", err, called, c.want)
		}
		if err := s.Update(c.ctx, "sid", Fields("a", "2", "b", "1"), nil, time.Hour); !errors.Is(err, c.want) {
			t.Errorf("Update: %v, want %v", err, c.want)
		}
		if err := s.Destroy(c.ctx, "sid", time.Hour); !errors.Is(err, c.want) {
			t.Errorf("Destroy: %v, want %v", err, c.want)
		}
		if _, err := s.Alive(c.ctx, "sid"); !errors.Is(err, c.want) {
			t.Errorf("Alive: %v, want %v", err, c.want)
		}
		if err := s.Create(c.ctx, "new", Fields("a", "1"), time.Hour); !errors.Is(err, c.want) {
			t.Errorf("Create: %v, want %v", err, c.want)
		}
	}
	want(t, s, "new", "absent", "after a Create with a done context")
	want(t, s, "sid", "a=1", "after the calls with a done context")
	update(t, s, "sid", Fields("b", "2"), nil, time.Hour) // not destroyed
	want(t, s, "sid", "a=1 b=2", "after the calls with a done context")
}

// Alive tells exactly what Load's found tells, at every step of a session's life: absent, then
// alive while it has a field, absent once every field is deleted, absent once destroyed (even
// for a Destroy right after the read that made a cache hold "alive"), and absent for an id the
// store never had.
func testAlive(t *testing.T, s store.Store) {
	step := func(when string, wantAlive bool) {
		t.Helper()
		found, err := s.Load(bg, "sid", func(string, []byte) {})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // twice: the second may be answered from a cache
			if got := alive(t, s, "sid"); got != wantAlive || found != wantAlive {
				t.Fatalf("%s: Alive %v, Load found %v, want %v", when, got, found, wantAlive)
			}
		}
	}
	step("never written", false)
	update(t, s, "sid", Fields("a", "1"), nil, time.Hour)
	step("written", true)
	update(t, s, "sid", nil, []string{"a"}, time.Hour)
	step("every field deleted", false)
	update(t, s, "sid", Fields("b", "1"), nil, time.Hour)
	step("written again", true)
	destroy(t, s, "sid", time.Hour)
	step("destroyed", false)
	if err := s.Update(bg, "sid", Fields("c", "1"), nil, time.Hour); !errors.Is(err, store.ErrDestroyed) {
		t.Fatalf("Update after Destroy: %v", err)
	}
	step("a late Update after Destroy", false)
	if alive(t, s, "unknown") {
		t.Fatal("an id the store never had is alive")
	}
}

// A session stops being alive when it expires, within the store's expiry bound.
func testAliveExpires(t *testing.T, s store.Store) {
	update(t, s, "sid", Fields("a", "1"), nil, short)
	start := time.Now()
	if !alive(t, s, "sid") && time.Since(start) < short {
		t.Fatal("a new session is not alive")
	}
	eventually(t, short+expiryBound, "the session expires", func() bool { return !alive(t, s, "sid") })
}

// Of concurrent Destroys of one session, exactly one returns nil; the others return
// ErrDestroyed: a request that must know whether a concurrent logout came first (Regenerate)
// learns it from its own Destroy.
func testOneDestroyFirst(t *testing.T, s store.Store) {
	for round := range 20 {
		id := fmt.Sprint("sid-", round)
		update(t, s, id, Fields("a", "1"), nil, time.Hour)
		var first atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch err := s.Destroy(bg, id, time.Hour); {
				case err == nil:
					first.Add(1)
				case !errors.Is(err, store.ErrDestroyed):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := first.Load(); n != 1 {
			t.Fatalf("round %d: %d Destroys were first, want exactly 1", round, n)
		}
		if alive(t, s, id) {
			t.Fatalf("round %d: alive after Destroy", round)
		}
	}
}
