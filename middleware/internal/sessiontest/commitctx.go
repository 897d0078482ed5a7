package sessiontest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

// endedWrites is a store whose writes, while on, get the context they are given already ended:
// what a store sees when the context passed to Session.Commit was cancelled before the write.
// Loads are untouched.
type endedWrites struct {
	store.Store
	on atomic.Bool
}

func (e *endedWrites) ctx(ctx context.Context) context.Context {
	if !e.on.Load() {
		return ctx
	}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	return ended
}

func (e *endedWrites) Update(ctx context.Context, id string, set []store.Field, del []string, ttl time.Duration) error {
	return e.Store.Update(e.ctx(ctx), id, set, del, ttl)
}

func (e *endedWrites) Create(ctx context.Context, id string, set []store.Field, ttl time.Duration) error {
	return e.Store.Create(e.ctx(ctx), id, set, ttl)
}

func (e *endedWrites) Destroy(ctx context.Context, id string, ttl time.Duration) error {
	return e.Store.Destroy(e.ctx(ctx), id, ttl)
}

// runCommitContext checks what a response is when the store's write at Commit fails because
// its context ended: a 503 with Retry-After, as for a store that does not answer, never a
// response that goes out as if the write had been made (no Set-Cookie, the data as it was), and
// OnError hears the context's error.
func runCommitContext(t *testing.T, st Stack) {
	clk := NewClock()
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(13)})
	writes := &endedWrites{Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now})}
	h := &hooks{}
	m, err := session.New(codec, session.Config{
		Store: writes, TokenFields: []string{"sub"}, Now: clk.Now, OnInvalid: h.onInvalid, OnError: h.onError,
	})
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeSessions(t, m, CounterHandler)
	defer stop()

	tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
	if tok == "" {
		t.Fatal("no session cookie")
	}
	for _, op := range []string{"incr", "logout", "regenerate"} {
		writes.on.Store(true)
		res := get(t, plainClient, base+"/?op="+op, "Cookie", "session="+tok)
		writes.on.Store(false)
		if res.status != 503 || res.header.Get("Retry-After") == "" || len(res.header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s with the write's context ended: %d %q Retry-After %q Set-Cookie %q; want 503, Retry-After and no Set-Cookie",
				op, res.status, res.body, res.header.Get("Retry-After"), res.header.Values("Set-Cookie"))
		}
		if err := h.lastError(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: OnError heard %v, want context.Canceled", op, err)
		}
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.status != 200 || res.body != "1" {
			t.Errorf("after the failed %s: %d %q, want the stored 1", op, res.status, res.body)
		}
	}
}
