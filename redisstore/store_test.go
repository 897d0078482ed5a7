package redisstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/store"
	"github.com/fastjwt/session/store/storetest"
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

var (
	fields  = storetest.Fields
	loadAll = storetest.Dump
)

// The contract, on a real redis-server: each case on a client of its own, with its own prefix.
func TestStoreContract(t *testing.T) {
	needRedis(t)
	storetest.Run(t, func(t *testing.T) store.Store { return dial(t, shared, Options{}).Store() })
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

// A read right after a write through the same client sees the write, never the cached value
// from before it, whatever the size of the write.
func TestStoreReadYourWrites(t *testing.T) {
	needRedis(t)
	s := dial(t, shared, Options{}).Store()
	ctx := context.Background()
	for it := range 100 {
		for _, size := range []int{1, 10, 300} {
			id := fmt.Sprint("s", size, "-", it)
			var many []store.Field
			var names []string
			for i := range size {
				many = append(many, store.Field{Name: fmt.Sprint("f", i), Value: []byte("1")})
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

// A provisional session (Create) lasts store.ProvisionalLifetime at most, under a mark that
// Load never shows; its first Load makes it ordinary (the mark goes, the hash lasts Create's
// ttl from then), and so does an Update.
func TestStoreProvisional(t *testing.T) {
	needRedis(t)
	r := dial(t, shared, Options{Prefix: "prov:"})
	ctx := context.Background()
	pttl := func(key string) int {
		t.Helper()
		reply, err := command(shared.Addr(), "PTTL", key)
		var v int
		if n, _ := fmt.Sscanf(reply, ":%d", &v); err != nil || n != 1 {
			t.Fatalf("PTTL %s = %q, %v", key, reply, err)
		}
		return v
	}
	marked := func(key string) string {
		t.Helper()
		reply, err := command(shared.Addr(), "HEXISTS", key, provisionalField)
		if err != nil {
			t.Fatal(err)
		}
		return reply
	}
	for _, id := range []string{"loaded", "updated", "alive"} {
		if err := r.Store().Create(ctx, id, fields("a", "1"), time.Hour); err != nil {
			t.Fatal(err)
		}
		key := "prov:{sess:" + id + "}:data"
		if v, m := pttl(key), marked(key); v <= 598000 || v > 600000 || m != ":1" {
			t.Fatalf("%s after Create: PTTL %d, marked %s; want about 600000 and :1", id, v, m)
		}
	}
	if got := loadAll(t, r.Store(), "loaded"); got != "a=1" {
		t.Fatalf("loaded: %s", got)
	}
	if err := r.Store().Update(ctx, "updated", fields("b", "2"), nil, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	// A request that reads only token fields asks Alive: its client came back too.
	if ok, err := r.Store().Alive(ctx, "alive"); err != nil || !ok {
		t.Fatalf("Alive of a created session: %v, %v", ok, err)
	}
	for id, ttl := range map[string]int{"loaded": 3600000, "updated": 7200000, "alive": 3600000} {
		key := "prov:{sess:" + id + "}:data"
		if v, m := pttl(key), marked(key); v <= ttl-2000 || v > ttl || m != ":0" {
			t.Errorf("%s made ordinary: PTTL %d, marked %s; want about %d and :0", id, v, m, ttl)
		}
	}
	if got := loadAll(t, r.Store(), "updated"); got != "a=1 b=2" {
		t.Errorf("updated: %s", got)
	}
}
