package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/revoke/revoketest"
	"github.com/redis/rueidis"
)

var testCodec = func() *fastjwt.Codec {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("redisstore-test-secret-0123456789ab")}})
	if err != nil {
		panic(err)
	}
	return c
}()

// claims returns the verified claims of a token with this payload.
func claims(tb testing.TB, payload string) *fastjwt.Claims {
	tb.Helper()
	tok, err := testCodec.AppendSign(nil, []byte(payload))
	if err != nil {
		tb.Fatal(err)
	}
	cl := new(fastjwt.Claims)
	if _, err := testCodec.AppendVerifyClaims(nil, tok, cl); err != nil {
		tb.Fatal(err)
	}
	return cl
}

// token returns the claims of a token with this jti and sub, issued at iat.
func token(tb testing.TB, jti, sub string, iat time.Time) *fastjwt.Claims {
	return claims(tb, fmt.Sprintf(`{"jti":%q,"sub":%q,"iat":%d,"exp":%d}`, jti, sub, iat.Unix(), iat.Unix()+3600))
}

func revoked(tb testing.TB, l revoke.List, cl *fastjwt.Claims) bool {
	tb.Helper()
	r, err := l.Revoked(context.Background(), cl)
	if err != nil {
		tb.Fatalf("Revoked: %v", err)
	}
	return r
}

// contractLists numbers the lists of TestListContract, whose prefixes differ in every run.
var contractLists atomic.Int64

// contractTimeout is the contract's Timeout: the case of concurrent use keeps both cores busy
// (under the race detector too), and a timeout is not what it is about.
const contractTimeout = 5 * time.Second

// The list meets the contract of revoke.List, on real time (Redis expires keys by its own
// clock), through a client made by Dial (with the List's own answers; a grace of a second) and
// through a client the caller made (rueidis's cache alone; no grace). Each case has a prefix of
// its own.
func TestListContract(t *testing.T) {
	needRedis(t)
	opts := []revoketest.Option{revoketest.RealClock(500*time.Millisecond, 3*time.Second), revoketest.Margin(time.Millisecond)}
	prefix := func(t *testing.T) string {
		return fmt.Sprintf("contract:%d:%s:", contractLists.Add(1), strings.ReplaceAll(t.Name(), "/", ":"))
	}
	t.Run("Dial", func(t *testing.T) {
		revoketest.Run(t, func(t *testing.T, _ func() time.Time) revoke.List {
			return dial(t, shared, Options{Prefix: prefix(t), Timeout: contractTimeout, Grace: time.Second}).List()
		}, opts...)
	})
	t.Run("New", func(t *testing.T) {
		client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{shared.Addr()}, PipelineMultiplex: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		revoketest.Run(t, func(t *testing.T, _ func() time.Time) revoke.List {
			r, err := New(client, Options{Prefix: prefix(t), Timeout: contractTimeout, Grace: -1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(r.Close)
			return r.List()
		}, opts...)
	})
}

// The list's keys are those the package documents, and expire with the tokens they name plus
// the grace; a revocation of a token whose expiry plus the grace has passed sends nothing, one
// within the grace is stored.
func TestListKeys(t *testing.T) {
	needRedis(t)
	l := dial(t, shared, Options{Prefix: "rkeys:"}).List()
	if l.Grace() != revoke.DefaultGrace || revoke.GraceOf(l) != revoke.DefaultGrace {
		t.Fatalf("Grace = %v, want the default %v", l.Grace(), revoke.DefaultGrace)
	}
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	recent := time.Now().Add(-time.Second) // expired, within the grace
	at := time.Unix(1700000000, 5)
	if err := l.RevokeToken(ctx, "j1", exp); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeSubject(ctx, "s1", at, exp); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeToken(ctx, "recent", recent); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		key, want string
		exp       time.Time
	}{
		{"rkeys:revoked:jti:j1", "1", exp},
		{"rkeys:revoked:sub:s1", "01700000000000000005", exp},
		{"rkeys:revoked:jti:recent", "1", recent},
	} {
		if v, err := command(shared.Addr(), "GET", k.key); err != nil || v != k.want {
			t.Fatalf("GET %s = %q, %v; want %q", k.key, v, err, k.want)
		}
		v, err := command(shared.Addr(), "PEXPIRETIME", k.key)
		if want := fmt.Sprint(":", ceilMillis(k.exp.Add(revoke.DefaultGrace))); err != nil || v != want {
			t.Fatalf("PEXPIRETIME %s = %q, %v; want %s (exp + grace)", k.key, v, err, want)
		}
	}
	if err := l.RevokeToken(ctx, "old", time.Now().Add(-revoke.DefaultGrace-time.Second)); err != nil {
		t.Fatal(err)
	}
	if v, _ := command(shared.Addr(), "EXISTS", "rkeys:revoked:jti:old"); v != ":0" {
		t.Fatalf("a revocation past its expiry plus the grace was stored: EXISTS %s", v)
	}
	for _, tc := range []struct{ opt, want time.Duration }{{time.Second, time.Second}, {-1, 0}} {
		if g := dial(t, shared, Options{Prefix: "rkeys:", Grace: tc.opt}).List().Grace(); g != tc.want {
			t.Errorf("Options.Grace %v: Grace = %v, want %v", tc.opt, g, tc.want)
		}
	}
}

// The checks of one node are local cache hits until another node revokes.
func TestListCachedAndInvalidatedAcrossClients(t *testing.T) {
	needRedis(t)
	a := dial(t, shared, Options{Prefix: "inv-list:"}).List()
	b := dial(t, shared, Options{Prefix: "inv-list:"}).List()
	ctx := context.Background()
	now := time.Now()
	cl := token(t, "tok-1", "ann", now.Add(-time.Minute))
	if revoked(t, b, cl) {
		t.Fatal("revoked before any revocation")
	}
	// Every key the check reads is now a cache hit on b, and nothing reaches the server.
	for _, key := range []string{"inv-list:revoked:all", "inv-list:revoked:jti:tok-1", "inv-list:revoked:sub:ann"} {
		if _, _, hit, err := b.get(ctx, key); err != nil || !hit {
			t.Fatalf("%s: hit %v, %v; want a cache hit", key, hit, err)
		}
	}
	before := commandCalls(t, "get")
	for range 100 {
		if revoked(t, b, cl) {
			t.Fatal("revoked")
		}
	}
	if after := commandCalls(t, "get"); after != before {
		t.Fatalf("100 cached checks sent %d GETs to the server", after-before)
	}

	// Revoking on a is seen by b within one invalidation round trip.
	start := time.Now()
	if err := a.RevokeToken(ctx, "tok-1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, time.Second, "b sees a's RevokeToken", func() bool { return revoked(t, b, cl) })
	t.Logf("b saw the revocation %v after a's RevokeToken returned (%v after it was sent)", took, time.Since(start))

	cl2 := token(t, "tok-2", "bob", now.Add(-time.Minute))
	if revoked(t, b, cl2) {
		t.Fatal("tok-2 revoked")
	}
	if err := a.RevokeSubject(ctx, "bob", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, time.Second, "b sees a's RevokeSubject", func() bool { return revoked(t, b, cl2) })
	t.Logf("b saw the subject's epoch after %v", took)
	cl3 := token(t, "tok-3", "cid", now.Add(-time.Minute))
	if revoked(t, b, cl3) {
		t.Fatal("tok-3 revoked")
	}
	if err := a.RevokeAll(ctx, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, time.Second, "b sees a's RevokeAll", func() bool { return revoked(t, b, cl3) })
	t.Logf("b saw the global epoch after %v", took)
	// And a itself sees its own revocations at once.
	if !revoked(t, a, cl) || !revoked(t, a, cl2) || !revoked(t, a, cl3) {
		t.Fatal("a does not see its own revocations")
	}
}

// A value in a revocation key that is not an epoch (written by something else) revokes every
// token it applies to, rather than none.
func TestListUnreadableEpochFailsClosed(t *testing.T) {
	needRedis(t)
	l := dial(t, shared, Options{}).List()
	if _, err := command(shared.Addr(), "SET", l.c.prefix+"revoked:sub:mal", "garbage", "EX", "60"); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, l, token(t, "x", "mal", time.Now())) {
		t.Fatal("an unreadable epoch revoked nothing")
	}
	for _, v := range []string{"", "1", "00000000000000000001", "99999999999999999999", "0000000000000000000x"} {
		t.Logf("parseEpoch(%q) = %d", v, parseEpoch(v))
	}
	if parseEpoch("99999999999999999999") != 1<<63-1 || parseEpoch("00000000000000000001") != 1 {
		t.Fatal("parseEpoch")
	}
}

// The check that stays local allocates nothing.
func TestListCachedCheckAllocatesNothing(t *testing.T) {
	needRedis(t)
	if raceEnabled {
		// Not a skip: the suite runs under -race too, where a skip would count as one.
		t.Log("allocation counts are not meaningful under the race detector: not checked")
		return
	}
	l := dial(t, shared, Options{}).List()
	ctx := context.Background()
	for name, cl := range map[string]*fastjwt.Claims{
		"not revoked":    token(t, "b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e", "1234567890", time.Now()),
		"no jti, no sub": claims(t, `{"iat":1700000000}`),
	} {
		l.Revoked(ctx, cl)
		if n := testing.AllocsPerRun(1000, func() { _, _ = l.Revoked(ctx, cl) }); n != 0 {
			t.Errorf("%s: %v allocations per cached check", name, n)
		}
	}
}

// New serves through a client the caller made and keeps: the checks go through rueidis's
// cache alone, invalidated as well, and Close leaves the client open.
func TestNewWithTheCallersClient(t *testing.T) {
	needRedis(t)
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{shared.Addr()}, PipelineMultiplex: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	r, err := New(client, Options{Prefix: "own:"})
	if err != nil {
		t.Fatal(err)
	}
	other := dial(t, shared, Options{Prefix: "own:"}).List()
	ctx := context.Background()
	now := time.Now()
	cl := token(t, "own-1", "ann", now.Add(-time.Minute))
	if revoked(t, r.List(), cl) {
		t.Fatal("revoked")
	}
	if _, _, hit, _ := r.List().get(ctx, "own:revoked:jti:own-1"); !hit {
		t.Fatal("not cached")
	}
	if err := other.RevokeToken(ctx, "own-1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "the caller's client sees the revocation", func() bool { return revoked(t, r.List(), cl) })
	r.Close()
	if err := client.Do(ctx, client.B().Ping().Build()).Error(); err != nil {
		t.Fatalf("Close closed the caller's client: %v", err)
	}
	for _, bad := range []Options{{Prefix: "a{b"}, {Timeout: -1}, {CacheTTL: -1}} {
		if _, err := New(client, bad); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v): %v, want ErrConfig", bad, err)
		}
	}
	if _, err := New(nil, Options{}); !errors.Is(err, ErrConfig) {
		t.Errorf("New(nil): %v", err)
	}
	if _, err := Dial(Options{}); !errors.Is(err, ErrConfig) {
		t.Errorf("Dial without an address: %v", err)
	}
}

// A cached "revoked" answer ends at the key's expiry, although Redis tells of an expired key only
// once it notices the expiry: here never, since a CLIENT PAUSE WRITE holds its expiry back.
func TestListAnswerEndsAtExpiry(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	l := dial(t, srv, Options{Grace: -1}).List() // no grace: the key expires at exp
	ctx := context.Background()
	if err := l.Check(ctx); err != nil { // arms the marker before the pause holds writes back
		t.Fatal(err)
	}
	now := time.Now()
	exp := now.Add(300 * time.Millisecond)
	cl := token(t, "brief", "ben", now.Add(-time.Minute))
	if err := l.RevokeToken(ctx, "brief", exp); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeSubject(ctx, "ben", now, exp); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeAll(ctx, now.Add(-time.Hour), exp); err != nil {
		t.Fatal(err)
	}
	others := []*fastjwt.Claims{token(t, "other", "ben", now.Add(-time.Minute)), claims(t, `{"iat":1}`)}
	for _, c := range append(others, cl) {
		if !revoked(t, l, c) || !revoked(t, l, c) { // the second from the List's answers
			t.Fatal("not revoked before the expiry")
		}
	}
	mustCommand(t, srv, "CLIENT", "PAUSE", "3000", "WRITE")
	defer mustCommand(t, srv, "CLIENT", "UNPAUSE")
	time.Sleep(time.Until(exp.Add(50 * time.Millisecond)))
	for i, c := range append(others, cl) {
		if revoked(t, l, c) {
			t.Errorf("token %d: still revoked after the expiry, before Redis noticed it", i)
		}
	}
}
