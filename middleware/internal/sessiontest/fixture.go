package sessiontest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// Clock is an injectable clock shared by a codec and a Manager.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Secret returns a 32-byte test secret derived from seed.
func Secret(seed byte) []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// Codec returns a codec over keys with the clock.
func Codec(t testing.TB, clk *Clock, keys ...fastjwt.Key) *fastjwt.Codec {
	t.Helper()
	c, err := fastjwt.NewHS256(keys, fastjwt.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hooks records the errors passed to OnInvalid and OnError.
type hooks struct {
	mu      sync.Mutex
	invalid []error
	errs    []error
}

func (h *hooks) onInvalid(err error) { h.mu.Lock(); h.invalid = append(h.invalid, err); h.mu.Unlock() }
func (h *hooks) onError(err error)   { h.mu.Lock(); h.errs = append(h.errs, err); h.mu.Unlock() }
func (h *hooks) lastInvalid() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.invalid) == 0 {
		return nil
	}
	return h.invalid[len(h.invalid)-1]
}
func (h *hooks) lastError() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.errs) == 0 {
		return nil
	}
	return h.errs[len(h.errs)-1]
}

// sessionServer starts CounterHandler under a Manager with cfg, the clock and the hooks.
func sessionServer(t *testing.T, st Stack, clk *Clock, codec *fastjwt.Codec, cfg session.Config, h *hooks) string {
	t.Helper()
	cfg.Now = clk.Now
	cfg.OnInvalid = h.onInvalid
	cfg.OnError = h.onError
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeSessions(t, m, CounterHandler)
	t.Cleanup(stop)
	return base
}

// Fixture is the one setup of both adapters' allocation tests and benchmarks: a Manager and a
// Bearer over the same secret (key "k", Secret(7)), both checking an in-memory revocation list
// that holds other tokens' entries, a session cookie for the one and a bearer token for the other.
type Fixture struct {
	Manager *session.Manager
	// ServerSide keeps sessions in an in-memory store, with "counter" as a token field: a
	// handler reading only the counter never touches the store.
	ServerSide *session.Manager
	Bearer     *bearer.Bearer
	// SessionToken holds {"counter":41} and the session id of a live session of ServerSide's
	// store (a cookie-mode Manager ignores it); BearerToken sub "alice", aud "api", tenant "t1".
	SessionToken, BearerToken string
}

// fixtureSID is the session id of the Fixture's session token.
const fixtureSID = "fixture-session-id-000"

// NewFixture builds the Fixture. The Bearer requires audience "api" and forwards sub to X-User
// and tenant to X-Tenant.
func NewFixture(tb testing.TB) *Fixture {
	tb.Helper()
	clk := NewClock()
	key := fastjwt.Key{ID: "k", Secret: Secret(7)}
	sessions := Codec(tb, clk, key)
	api, err := fastjwt.NewHS256([]fastjwt.Key{key}, fastjwt.WithClock(clk.Now), fastjwt.WithAudience("api"))
	if err != nil {
		tb.Fatal(err)
	}
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: clk.Now})
	for _, who := range []string{"bob", "carol"} {
		if err := list.RevokeToken(context.Background(), "jti-of-"+who, clk.Now().Add(time.Hour)); err != nil {
			tb.Fatal(err)
		}
		if err := list.RevokeSubject(context.Background(), who, clk.Now(), clk.Now().Add(time.Hour)); err != nil {
			tb.Fatal(err)
		}
	}
	f := &Fixture{}
	if f.Manager, err = session.New(sessions, session.Config{Now: clk.Now, Revocations: list}); err != nil {
		tb.Fatal(err)
	}
	mem := store.NewMemory(store.MemoryOptions{Clock: clk.Now})
	// The server-side Manager reads the token's session id: it must name a live session.
	if err := mem.Update(context.Background(), fixtureSID, []store.Field{{Name: "iat", Value: []byte("0")}}, nil, time.Hour); err != nil {
		tb.Fatal(err)
	}
	f.ServerSide, err = session.New(sessions, session.Config{
		Now: clk.Now, Revocations: list, TokenFields: []string{"counter"}, Store: mem,
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.Bearer, err = bearer.New(api, bearer.Config{
		Revocations: list,
		Forward:     []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "tenant", Header: "X-Tenant"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	iat := strconv.FormatInt(clk.Now().Unix(), 10)
	tok, err := sessions.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"counter":41,"sid":"`+fixtureSID+`","iat":`+iat+`,"exp":`+exp+`,"jti":"s-1"}`))
	if err != nil {
		tb.Fatal(err)
	}
	f.SessionToken = string(tok)
	tok, err = api.AppendSign(nil, []byte(`{"sub":"alice","aud":"api","tenant":"t1","iat":`+iat+`,"exp":`+exp+`,"jti":"b-1"}`))
	if err != nil {
		tb.Fatal(err)
	}
	f.BearerToken = string(tok)
	return f
}

// BenchmarkVerify times the codec alone on the fixture's session token: the reference for an
// adapter's overhead, (wrapped - bare) / verify.
func BenchmarkVerify(b *testing.B) {
	f := NewFixture(b)
	codec := Codec(b, NewClock(), fastjwt.Key{ID: "k", Secret: Secret(7)})
	tok := []byte(f.SessionToken)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.AppendVerify(buf, tok); err != nil {
			b.Fatal(err)
		}
	}
}
