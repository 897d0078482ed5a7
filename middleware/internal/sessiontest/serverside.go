package sessiontest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// countingStore counts the calls reaching a real store, to show which requests touch it; down
// makes every call fail, as a store that does not answer.
type countingStore struct {
	store.Store
	calls atomic.Int64
	alive atomic.Int64
	down  atomic.Bool
}

var errStoreDown = errors.New("store: connection refused")

func (c *countingStore) Load(ctx context.Context, id string, fn func(string, []byte)) (bool, error) {
	c.calls.Add(1)
	if c.down.Load() {
		return false, errStoreDown
	}
	return c.Store.Load(ctx, id, fn)
}

// Alive is not counted in calls: it is the liveness check every request of a server-side
// session makes; alive counts it.
func (c *countingStore) Alive(ctx context.Context, id string) (bool, error) {
	c.alive.Add(1)
	if c.down.Load() {
		return false, errStoreDown
	}
	return c.Store.Alive(ctx, id)
}

func (c *countingStore) Update(ctx context.Context, id string, set []store.Field, del []string, ttl time.Duration) error {
	c.calls.Add(1)
	if c.down.Load() {
		return errStoreDown
	}
	return c.Store.Update(ctx, id, set, del, ttl)
}

func (c *countingStore) Create(ctx context.Context, id string, set []store.Field, ttl time.Duration) error {
	c.calls.Add(1)
	if c.down.Load() {
		return errStoreDown
	}
	return c.Store.Create(ctx, id, set, ttl)
}

func (c *countingStore) Destroy(ctx context.Context, id string, ttl time.Duration) error {
	c.calls.Add(1)
	if c.down.Load() {
		return errStoreDown
	}
	return c.Store.Destroy(ctx, id, ttl)
}

// claimsOf decodes a token's payload without verifying it.
func claimsOf(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a token: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// runServerSide checks django-session-jwt's mode: the cookie's JWT carries the session id and
// the token fields; the rest lives in the store.
func runServerSide(t *testing.T, st Stack) {
	t.Run("a write whose context ended is a 503", func(t *testing.T) { runCommitContext(t, st) })
	clk := NewClock()
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(12)})
	mem := store.NewMemory(store.MemoryOptions{Clock: clk.Now})
	counted := &countingStore{Store: mem}
	h := &hooks{}
	cfg := session.Config{
		Store: counted, TokenFields: []string{"sub"}, Revocations: revoke.NewMemory(revoke.MemoryOptions{Clock: clk.Now}),
		Now: clk.Now, OnInvalid: h.onInvalid, OnError: h.onError,
	}
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeSessions(t, m, CounterHandler)
	t.Cleanup(stop)

	t.Run("the counter lives in the store", func(t *testing.T) {
		c := newClient(t)
		var tok string
		for want := 1; want <= 3; want++ {
			res := get(t, c, base+"/?op=incr")
			if res.body != strconv.Itoa(want) {
				t.Fatalf("request %d: %q", want, res.body)
			}
			if tk := cookieToken(res, "session"); tk != "" {
				tok = tk
			}
		}
		cl := claimsOf(t, tok)
		if sid, _ := cl["sid"].(string); len(sid) < 22 || cl["counter"] != nil {
			t.Errorf("cookie payload %v: want a sid of 128 bits and no counter", cl)
		}
	})

	t.Run("a handler reading token fields only asks whether the session is alive", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=login&user=alice"), "session")
		if cl := claimsOf(t, tok); cl["sub"] != "alice" {
			t.Fatalf("token fields not in the cookie: %v", cl)
		}
		before := counted.calls.Load()
		for range 3 {
			if res := get(t, plainClient, base+"/?op=get&name=sub", "Cookie", "session="+tok); res.body != `"alice"` {
				t.Fatalf("sub = %q", res.body)
			}
		}
		if n := counted.calls.Load() - before; n != 0 {
			t.Errorf("reading a token field made %d store calls", n)
		}
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.body != "1" || counted.calls.Load()-before != 1 {
			t.Errorf("reading the counter: %q after %d calls, want 1 load", res.body, counted.calls.Load()-before)
		}
	})

	t.Run("concurrent writes of different names both survive", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		var wg sync.WaitGroup
		for _, name := range []string{"a", "b", "c", "d"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				get(t, plainClient, base+"/?op=set&name="+name+"&value=v"+name, "Cookie", "session="+tok)
			}()
		}
		wg.Wait()
		for _, name := range []string{"a", "b", "c", "d", "counter"} {
			want := `"v` + name + `"`
			if name == "counter" {
				want = "1"
			}
			if res := get(t, plainClient, base+"/?op=get&name="+name, "Cookie", "session="+tok); res.body != want {
				t.Errorf("%s = %q, want %s", name, res.body, want)
			}
		}
	})

	t.Run("logout leaves a tombstone", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		sid := claimsOf(t, tok)["sid"].(string)
		if res := get(t, plainClient, base+"/?op=logout", "Cookie", "session="+tok); res.body != "logged out" {
			t.Fatalf("logout: %q", res.body)
		}
		if found, _ := mem.Load(context.Background(), sid, func(string, []byte) {}); found {
			t.Error("the session's data survived the logout")
		}
		// A slower request of the same session, with the cookie it had, cannot bring it back.
		if err := mem.Update(context.Background(), sid, []store.Field{{Name: "x", Value: []byte("1")}}, nil, time.Hour); !errors.Is(err, store.ErrDestroyed) {
			t.Errorf("an update after the logout: %v, want ErrDestroyed", err)
		}
		if found, _ := mem.Load(context.Background(), sid, func(string, []byte) {}); found {
			t.Error("a late update resurrected the session")
		}
	})

	t.Run("regenerate moves the data to a new id", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		old := claimsOf(t, tok)["sid"].(string)
		res := get(t, plainClient, base+"/?op=regenerate", "Cookie", "session="+tok)
		next := cookieToken(res, "session")
		if res.body != "regenerated" || next == "" {
			t.Fatalf("regenerate: %q, Set-Cookie %q", res.body, res.header.Values("Set-Cookie"))
		}
		if sid := claimsOf(t, next)["sid"].(string); sid == old {
			t.Error("the session id did not change")
		}
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+next); res.body != "1" {
			t.Errorf("data after regenerate: %q", res.body)
		}
		if found, _ := mem.Load(context.Background(), old, func(string, []byte) {}); found {
			t.Error("the old id still holds the data")
		}
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.body != "0" {
			t.Errorf("the pre-regenerate cookie still loads the data: %q", res.body)
		}
	})

	t.Run("a store that cannot answer fails closed", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=login&user=bob"), "session")
		counted.down.Store(true)
		defer counted.down.Store(false)
		res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok)
		if res.status != 503 || res.header.Get("Retry-After") == "" || len(res.header.Values("Set-Cookie")) != 0 {
			t.Errorf("store down: %d %q Retry-After %q Set-Cookie %q, want 503 and the cookie kept",
				res.status, res.body, res.header.Get("Retry-After"), res.header.Values("Set-Cookie"))
		}
		if err := h.lastError(); err == nil || !errors.Is(err, errStoreDown) {
			t.Errorf("OnError got %v", err)
		}
		// A handler that reads only the token's fields needs the store's word that the session
		// is alive: unknown is not valid.
		if res := get(t, plainClient, base+"/?op=get&name=sub", "Cookie", "session="+tok); res.status != 503 || res.header.Get("Retry-After") == "" {
			t.Errorf("token field with the store down: %d %q, want 503", res.status, res.body)
		}
		counted.down.Store(false)
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.status != 200 || res.body != "1" {
			t.Errorf("after the store came back: %d %q", res.status, res.body)
		}
	})

	t.Run("federated services read the token fields", func(t *testing.T) {
		tok := cookieToken(get(t, plainClient, base+"/?op=login&user=carol"), "session")
		fb, err := bearer.New(codec, bearer.Config{Types: []fastjwt.Type{fastjwt.TypeSession},
			Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}}})
		if err != nil {
			t.Fatal(err)
		}
		fbase, fstop := st.ServeBearer(t, fb, nil, bearerHandler)
		t.Cleanup(fstop)
		if res := get(t, plainClient, fbase+"/", "Authorization", "Bearer "+tok); res.status != 200 || !strings.Contains(res.body, `user="carol"`) {
			t.Errorf("federated read: %d %s", res.status, res.body)
		}
	})
}
