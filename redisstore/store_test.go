package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
)

// dial connects a new client to srv, with the test's own key prefix.
func dial(tb testing.TB, srv *server, opts Options) *Redis {
	tb.Helper()
	opts.Addrs = []string{srv.Addr()}
	if opts.Prefix == "" {
		opts.Prefix = "t:" + strings.NewReplacer("/", ":", " ", "_").Replace(tb.Name()) + ":"
	}
	r, err := Dial(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Close)
	return r
}

// loadAll returns the session's fields as "name=value" in name order, or "absent".
func loadAll(tb testing.TB, s session.Store, id string) string {
	tb.Helper()
	var fs []string
	found, err := s.Load(context.Background(), id, func(name string, value []byte) {
		fs = append(fs, name+"="+string(value))
	})
	if err != nil {
		tb.Fatalf("Load(%q): %v", id, err)
	}
	if !found {
		return "absent"
	}
	sort.Strings(fs)
	return strings.Join(fs, " ")
}

func fields(kv ...string) []session.Field {
	var fs []session.Field
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, session.Field{Name: kv[i], Value: []byte(kv[i+1])})
	}
	return fs
}

// eventually polls cond every millisecond until it holds or bound passes, and returns how
// long it took.
func eventually(tb testing.TB, bound time.Duration, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > bound {
			tb.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

func TestStoreRoundTrip(t *testing.T) {
	needRedis(t)
	s := dial(t, shared, Options{}).Store()
	ctx := context.Background()
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("new: %s", got)
	}
	if err := s.Update(ctx, "sid", fields("count", "1", "user", `"ann"`), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != `count=1 user="ann"` {
		t.Fatalf("after the first Update: %s", got)
	}
	if err := s.Update(ctx, "sid", fields("count", "2", "cart", "[]"), []string{"user", "never-set"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "cart=[] count=2" {
		t.Fatalf("after the second Update: %s", got)
	}
	// A name in set and in del is set, as in the memory store.
	if err := s.Update(ctx, "sid", fields("x", "1", "x", "2"), []string{"x"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "cart=[] count=2 x=2" {
		t.Fatalf("set and del of one name: %s", got)
	}
	// Many fields at once: more than one HSET and HDEL inside the script.
	var many []session.Field
	var names []string
	for i := range 1500 {
		many = append(many, session.Field{Name: fmt.Sprint("f", i), Value: []byte(fmt.Sprint(i))})
		names = append(names, fmt.Sprint("f", i))
	}
	if err := s.Update(ctx, "big", many, nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	n := 0
	if _, err := s.Load(ctx, "big", func(string, []byte) { n++ }); err != nil || n != 1500 {
		t.Fatalf("1500 fields: loaded %d, %v", n, err)
	}
	if err := s.Update(ctx, "big", fields("kept", "1"), names, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "big"); got != "kept=1" {
		t.Fatalf("after deleting 1500 fields: %s", got)
	}
	for _, bad := range []func() error{
		func() error { return s.Update(ctx, "", fields("a", "1"), nil, time.Hour) },
		func() error { return s.Update(ctx, "sid", fields("a", "1"), nil, 0) },
		func() error { _, err := s.Load(ctx, "", func(string, []byte) {}); return err },
		func() error { return s.Destroy(ctx, "", time.Hour) },
	} {
		if bad() == nil {
			t.Fatal("an empty id or a zero ttl was accepted")
		}
	}
}

// The keys are those the package documents, with the hash tag, and expire as told.
func TestStoreKeys(t *testing.T) {
	needRedis(t)
	r := dial(t, shared, Options{Prefix: "keys:"})
	ctx := context.Background()
	if err := r.Store().Update(ctx, "abc", fields("a", "1"), nil, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := r.Store().Destroy(ctx, "def", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"keys:{sess:abc}:data": "hash", "keys:{sess:def}:tomb": "string"} {
		if typ, err := command(shared.Addr(), "TYPE", key); err != nil || typ != "+"+want {
			t.Fatalf("TYPE %s = %q, %v; want %s", key, typ, err, want)
		}
	}
	for key, max := range map[string]int{"keys:{sess:abc}:data": 10000, "keys:{sess:def}:tomb": 20000} {
		pttl, err := command(shared.Addr(), "PTTL", key)
		var v int
		if n, _ := fmt.Sscanf(pttl, ":%d", &v); err != nil || n != 1 {
			t.Fatalf("PTTL %s = %q, %v", key, pttl, err)
		}
		if v <= max-2000 || v > max {
			t.Fatalf("PTTL %s = %d, want about %d", key, v, max)
		}
	}
	// Both keys of a session are in one cluster slot, whatever the id.
	for _, id := range []string{"abc", "x}y", "{z}", ""} {
		a, b := keySlot(r.Store().dataKey(id)), keySlot(r.Store().tombKey(id))
		if a != b || a != keySlot("{sess:"+id+"}") {
			t.Fatalf("id %q: slots %d and %d", id, a, b)
		}
	}
}

// keySlot is Redis Cluster's hash slot of a key: CRC16 (XMODEM) of its hash tag, or of the
// whole key when it has none, modulo 16384.
func keySlot(key string) uint16 {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for k := 0; k < len(key); k++ {
		crc ^= uint16(key[k]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc % 16384
}

func TestStoreExpiry(t *testing.T) {
	needRedis(t)
	s := dial(t, shared, Options{}).Store()
	ctx := context.Background()
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "a=1" { // now in the client-side cache
		t.Fatalf("before expiry: %s", got)
	}
	// The cached read ends with the key: rueidis bounds the cache entry by the key's PTTL.
	took := eventually(t, 3*time.Second, "the session expires", func() bool { return loadAll(t, s, "sid") == "absent" })
	t.Logf("expired after %v (ttl 300ms)", took)
}

// A read is a local cache hit until Redis invalidates it.
func TestStoreLoadIsCached(t *testing.T) {
	needRedis(t)
	s := dial(t, shared, Options{}).Store()
	ctx := context.Background()
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	nop := func(string, []byte) {}
	if _, hit, err := s.load(ctx, "sid", nop); err != nil || hit {
		t.Fatalf("first read: hit %v, %v; want a miss", hit, err)
	}
	before := commandCalls(t, "hgetall")
	for range 10 {
		if found, hit, err := s.load(ctx, "sid", nop); err != nil || !hit || !found {
			t.Fatalf("later read: found %v, hit %v, %v; want a hit", found, hit, err)
		}
	}
	if after := commandCalls(t, "hgetall"); after != before {
		t.Fatalf("cache hits reached the server: HGETALL calls %d -> %d", before, after)
	}
	// Our own write invalidates our cache: read-your-writes on one client.
	if err := s.Update(ctx, "sid", fields("a", "2"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "a=2" {
		t.Fatalf("after our own Update: %s", got)
	}
}

// commandCalls returns how many times the server ran the command (INFO commandstats).
func commandCalls(tb testing.TB, name string) int {
	tb.Helper()
	conn, err := rawInfo(shared.Addr(), "commandstats")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(conn, "\n") {
		if rest, ok := strings.CutPrefix(line, "cmdstat_"+name+":calls="); ok {
			var n int
			fmt.Sscanf(rest, "%d", &n)
			return n
		}
	}
	return 0
}

func rawInfo(addr, section string) (string, error) { return command(addr, "INFO", section) }

// Two clients (two nodes): a write on one is seen by the other's cached read within one
// invalidation round trip.
func TestStoreInvalidationAcrossClients(t *testing.T) {
	needRedis(t)
	a := dial(t, shared, Options{Prefix: "inv-store:"}).Store()
	b := dial(t, shared, Options{Prefix: "inv-store:"}).Store()
	ctx := context.Background()
	if err := a.Update(ctx, "sid", fields("count", "1"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	nop := func(string, []byte) {}
	b.load(ctx, "sid", nop)
	if _, hit, _ := b.load(ctx, "sid", nop); !hit {
		t.Fatal("b's second read was not a cache hit")
	}
	if err := a.Update(ctx, "sid", fields("count", "2"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, time.Second, "b sees a's write", func() bool { return loadAll(t, b, "sid") == "count=2" })
	t.Logf("b saw a's Update after %v", took)
	if err := a.Destroy(ctx, "sid", time.Hour); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, time.Second, "b sees a's Destroy", func() bool { return loadAll(t, b, "sid") == "absent" })
	t.Logf("b saw a's Destroy after %v", took)
}

// Requests of one session that change different names at the same time all survive: each
// Update sends only its change, applied atomically.
func TestStoreConcurrentUpdates(t *testing.T) {
	needRedis(t)
	r1 := dial(t, shared, Options{Prefix: "conc:"})
	r2 := dial(t, shared, Options{Prefix: "conc:"})
	ctx := context.Background()
	const writers, rounds = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		s := r1.Store()
		if w%2 == 1 {
			s = r2.Store() // two nodes
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if err := s.Update(ctx, "shared", fields(fmt.Sprint("w", w), fmt.Sprint(i)), nil, time.Hour); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	want := make([]string, writers)
	for w := range writers {
		want[w] = fmt.Sprintf("w%d=%d", w, rounds-1)
	}
	sort.Strings(want)
	eventually(t, time.Second, "every writer's last value", func() bool {
		return loadAll(t, r1.Store(), "shared") == strings.Join(want, " ")
	})
}

// A destroyed session stays destroyed: a slower request's Update is refused, whether it
// comes after the Destroy or races with it.
func TestStoreTombstone(t *testing.T) {
	needRedis(t)
	r := dial(t, shared, Options{})
	s := r.Store()
	ctx := context.Background()
	if err := s.Update(ctx, "sid", fields("user", `"ann"`), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	loadAll(t, s, "sid") // cached
	if err := s.Destroy(ctx, "sid", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("destroyed: %s", got)
	}
	if err := s.Update(ctx, "sid", fields("count", "5"), nil, time.Hour); !errors.Is(err, session.ErrDestroyed) {
		t.Fatalf("a late Update: %v, want session.ErrDestroyed", err)
	}
	if got := loadAll(t, s, "sid"); got != "absent" {
		t.Fatalf("after the late Update: %s", got)
	}
	// A tombstone for a session never seen; a shorter second Destroy keeps the longer one.
	if err := s.Destroy(ctx, "never", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "never", 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := s.Update(ctx, "never", fields("a", "1"), nil, time.Hour); !errors.Is(err, session.ErrDestroyed) {
		t.Fatalf("Update after Destroy of an unknown id: %v, want ErrDestroyed", err)
	}
	// Without a ttl, no tombstone.
	if err := s.Destroy(ctx, "short", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "short", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatalf("after a Destroy without tombstone: %v", err)
	}

	// Race: Updates from two clients against one Destroy. Every Update that returned nil ran
	// before the Destroy, whose DEL removed its fields: the session is absent at the end.
	other := dial(t, shared, Options{}).Store()
	if err := s.Update(ctx, "race", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		st := s
		if w%2 == 1 {
			st = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				err := st.Update(ctx, "race", fields(fmt.Sprint("w", w), fmt.Sprint(i)), nil, time.Hour)
				if errors.Is(err, session.ErrDestroyed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := other.Destroy(ctx, "race", time.Hour); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := loadAll(t, s, "race"); got != "absent" {
		t.Fatalf("an Update resurrected the destroyed session: %s", got)
	}
}

// A read right after a write through the same client sees the write, never the cached value
// from before it, whatever the size of the write.
func TestStoreReadYourWrites(t *testing.T) {
	needRedis(t)
	s := dial(t, shared, Options{}).Store()
	ctx := context.Background()
	for it := range 100 {
		for _, size := range []int{1, 10, 300} {
			id := fmt.Sprint("s", size, "-", it)
			var many []session.Field
			var names []string
			for i := range size {
				many = append(many, session.Field{Name: fmt.Sprint("f", i), Value: []byte("1")})
				names = append(names, fmt.Sprint("f", i))
			}
			if err := s.Update(ctx, id, many, nil, time.Hour); err != nil {
				t.Fatal(err)
			}
			s.load(ctx, id, func(string, []byte) {}) // cached
			if err := s.Update(ctx, id, fields("kept", "1"), names, time.Hour); err != nil {
				t.Fatal(err)
			}
			if got := loadAll(t, s, id); got != "kept=1" {
				t.Fatalf("iteration %d, %d fields: read after write: %.60s", it, size, got)
			}
		}
	}
}
