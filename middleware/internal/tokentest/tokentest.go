// Package tokentest is the table of token-issuing tests both middleware adapters must pass: each
// adapter implements Stack over its framework and calls Run; every case then runs against a real
// server on 127.0.0.1, through net/http's client or, where header lines matter, raw bytes over
// TCP. The contract and the fixture are in this file, the clients in wire.go, the cases in one
// file per concern: the token flow, rotation and reuse, the request grammar, failures.
package tokentest

import (
	"context"
	"crypto/subtle"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
)

// Stack serves an Issuer's endpoints with one framework's adapter on a real server on
// 127.0.0.1: POST /token (Obtain), /token/refresh, /token/verify and /token/revoke, and GET
// /api/me under the bearer middleware of b, answering the token's subject. The returned
// function stops the server; a case hands it to t.Cleanup.
type Stack interface {
	ServeTokens(t testing.TB, iss *issuing.Issuer, b *bearer.Bearer) (baseURL string, stop func())
}

// Run runs every case of the table against st.
func Run(t *testing.T, st Stack) {
	t.Run("flow", func(t *testing.T) { runFlow(t, st) })
	t.Run("rotation", func(t *testing.T) { runRotation(t, st) })
	t.Run("grammar", func(t *testing.T) { runGrammar(t, st) })
	t.Run("failures", func(t *testing.T) { runFailures(t, st) })
}

// Clock is a settable clock, shared by a fixture's codec, list, families and issuer.
type Clock struct{ ns atomic.Int64 }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// The demo's credentials in every fixture.
const (
	User     = "ann"
	Password = "correct horse"
)

// authenticate accepts User and Password, compared in constant time, and gives a role.
func authenticate(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
	u := subtle.ConstantTimeCompare([]byte(c.Username), []byte(User))
	p := subtle.ConstantTimeCompare([]byte(c.Password), []byte(Password))
	if c.ClientID == "evil" {
		return "", nil, issuing.ErrInvalidClient
	}
	if u&p != 1 {
		return "", nil, issuing.ErrInvalidGrant
	}
	return User, map[string]any{"role": "admin"}, nil
}

// flaky wraps a Families or a List: while fail is set, every call fails.
var errDown = errors.New("tokentest: the store is down")

type flakyFamilies struct {
	issuing.Families
	fail *atomic.Bool
}

func (f flakyFamilies) Start(ctx context.Context, fam issuing.Family) error {
	if f.fail.Load() {
		return errDown
	}
	return f.Families.Start(ctx, fam)
}

func (f flakyFamilies) Rotate(ctx context.Context, r issuing.Rotate) (issuing.Rotation, error) {
	if f.fail.Load() {
		return issuing.Rotation{}, errDown
	}
	return f.Families.Rotate(ctx, r)
}

func (f flakyFamilies) Revoke(ctx context.Context, id string, now time.Time) ([]issuing.Live, error) {
	if f.fail.Load() {
		return nil, errDown
	}
	return f.Families.Revoke(ctx, id, now)
}

type flakyList struct {
	*revoke.Memory
	fail, writes *atomic.Bool // every call fails; revocations fail
}

func (l flakyList) Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error) {
	if l.fail.Load() {
		return false, errDown
	}
	return l.Memory.Revoked(ctx, cl)
}

func (l flakyList) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	if l.fail.Load() || l.writes.Load() {
		return errDown
	}
	return l.Memory.RevokeToken(ctx, jti, exp)
}

// Fixture is one issuer on one server: its clock, codec, list and families (which fail while
// FamiliesDown or ListDown is set; the list's revocations fail while WritesDown is), and the
// server's base URL.
type Fixture struct {
	t                      *testing.T
	Clock                  *Clock
	Codec                  *fastjwt.Codec
	List                   *revoke.Memory
	Families               *issuing.Memory
	Issuer                 *issuing.Issuer
	FamiliesDown, ListDown atomic.Bool
	WritesDown             atomic.Bool
	URL                    string
}

var secret = []byte("tokentest secret of 32 bytes....")

// codecOptions are the options of every fixture's codec, on the fixture's clock.
func codecOptions(now func() time.Time) []fastjwt.Option {
	return []fastjwt.Option{fastjwt.WithClock(now), fastjwt.WithIssuer("https://issuer.test"),
		fastjwt.WithAudience("api"), fastjwt.WithVerifyCache(1024)}
}

func hs256(now func() time.Time) (*fastjwt.Codec, error) {
	return fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, codecOptions(now)...)
}

// newFixture serves a fresh issuer on st, signing with HS256, with cfg's changes.
func newFixture(t *testing.T, st Stack, mutate ...func(*issuing.Config)) *Fixture {
	t.Helper()
	return newFixtureWith(t, st, hs256, mutate...)
}

// newFixtureWith is newFixture with the codec codec makes on the fixture's clock.
func newFixtureWith(t *testing.T, st Stack, codec func(now func() time.Time) (*fastjwt.Codec, error),
	mutate ...func(*issuing.Config)) *Fixture {
	t.Helper()
	f := &Fixture{t: t, Clock: new(Clock)}
	f.Clock.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC).UnixNano())
	var err error
	f.Codec, err = codec(f.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	f.List = revoke.NewMemory(revoke.MemoryOptions{Clock: f.Clock.Now})
	f.Families = issuing.NewMemory(issuing.MemoryOptions{Clock: f.Clock.Now})
	list := flakyList{f.List, &f.ListDown, &f.WritesDown}
	cfg := issuing.Config{Codec: f.Codec, Issuer: "https://issuer.test", Audience: "api",
		Families: flakyFamilies{f.Families, &f.FamiliesDown}, Revocations: list, Authenticate: authenticate,
		Now: f.Clock.Now, MaxBody: 2048}
	for _, m := range mutate {
		m(&cfg)
	}
	f.Issuer, err = issuing.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bearer.New(f.Codec, bearer.Config{Schemes: []string{"Bearer", "JWT"}, Revocations: list})
	if err != nil {
		t.Fatal(err)
	}
	var stop func()
	f.URL, stop = st.ServeTokens(t, f.Issuer, b)
	t.Cleanup(stop)
	// Before the stop (cleanups run last first): a server that waits for its connections to
	// go idle and close (fasthttp's Shutdown) would wait out the client's idle timeout.
	t.Cleanup(client.CloseIdleConnections)
	return f
}
