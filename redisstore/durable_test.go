package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/redistest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// Durability of the revocation list, each on a server of its own: a revocation is kept, or the
// list answers an error; never a silent "not revoked".

// memoryServer starts a redis-server with extra arguments (maxmemory, its policy...).
func memoryServer(tb testing.TB, args ...string) *server {
	tb.Helper()
	srv, err := redistest.StartWith(redisBin, 0, tb.TempDir(), args...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Kill)
	return srv
}

// alerts collects what a List's OnAlert hears.
type alerts struct {
	mu   sync.Mutex
	errs []error
}

func (a *alerts) hear(err error) { a.mu.Lock(); a.errs = append(a.errs, err); a.mu.Unlock() }

func (a *alerts) count(target error) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, err := range a.errs {
		if errors.Is(err, target) {
			n++
		}
	}
	return n
}

// flood writes anonymous sessions of about 1 KiB through s until Redis has evicted keys or
// refused a write (OOM), and returns how many it wrote and the first error.
func flood(tb testing.TB, srv *server, s *Store) (int, error) {
	tb.Helper()
	ctx := context.Background()
	value := []byte(strings.Repeat("x", 1024))
	for i := 0; i < 20000; i++ {
		if err := s.Update(ctx, fmt.Sprintf("anon-%d", i), []store.Field{{Name: "v", Value: value}}, nil, time.Hour); err != nil {
			return i, err
		}
		if i%500 == 499 && evicted(tb, srv) > 0 {
			return i + 1, nil
		}
	}
	tb.Fatalf("20000 sessions neither evicted a key nor failed")
	return 0, nil
}

// evicted returns INFO stats' evicted_keys.
func evicted(tb testing.TB, srv *server) int {
	tb.Helper()
	info := mustCommand(tb, srv, "INFO", "stats")
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "evicted_keys:"); ok {
			var n int
			fmt.Sscan(v, &n)
			return n
		}
	}
	tb.Fatalf("no evicted_keys in INFO stats: %q", info)
	return 0
}

// Under every evicting policy, the list refuses to answer "not revoked" (ErrEvictingPolicy),
// before and after a flood of sessions that evicts keys; the stolen token is never accepted.
func TestDurableEvictingPolicies(t *testing.T) {
	needRedis(t)
	for _, policy := range []string{"volatile-lru", "allkeys-lru", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			srv := memoryServer(t, "--maxmemory", "4mb", "--maxmemory-policy", policy)
			var heard alerts
			r := dial(t, srv, Options{OnAlert: heard.hear})
			l := r.List()
			ctx := context.Background()
			if err := l.Check(ctx); !errors.Is(err, ErrEvictingPolicy) || !strings.Contains(err.Error(), "(it is "+policy+")") {
				t.Fatalf("Check: %v, want ErrEvictingPolicy naming %s", err, policy)
			}
			stolen := token(t, "stolen", "sam", time.Now().Add(-time.Minute))
			if err := l.RevokeToken(ctx, "stolen", time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			other := token(t, "fine", "fay", time.Now().Add(-time.Minute))
			if _, err := l.Revoked(ctx, other); !errors.Is(err, ErrEvictingPolicy) {
				t.Fatalf("Revoked of a token not revoked: %v, want ErrEvictingPolicy", err)
			}
			n, err := flood(t, srv, r.Store())
			t.Logf("%d sessions, %d keys evicted, flood error %v", n, evicted(t, srv), err)
			for i := 0; i < 3; i++ {
				got, err := l.Revoked(ctx, stolen)
				if !got && err == nil {
					t.Fatal("the stolen token is accepted after the flood")
				}
				if !got && !errors.Is(err, ErrEvictingPolicy) {
					t.Fatalf("the stolen token: %v, want revoked or ErrEvictingPolicy", err)
				}
				time.Sleep(policyRecheck / 2)
			}
			if heard.count(ErrEvictingPolicy) == 0 {
				t.Error("OnAlert heard no ErrEvictingPolicy")
			}
		})
	}
}

// Under noeviction, a flood of sessions on the list's Redis cannot evict the stolen token's
// revocation, but new revocations fail (OOM), loudly; on a Redis of its own, the list takes
// every revocation whatever the flood does to the sessions' Redis.
func TestDurableNoEviction(t *testing.T) {
	needRedis(t)
	ctx := context.Background()
	stolen := token(t, "stolen", "sam", time.Now().Add(-time.Minute))

	one := memoryServer(t, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction")
	r := dial(t, one, Options{})
	l := r.List()
	if err := l.Check(ctx); err != nil {
		t.Fatalf("Check under noeviction: %v", err)
	}
	if err := l.RevokeToken(ctx, "stolen", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := flood(t, one, r.Store())
	if err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("the flood of %d sessions ended with %v, want OOM", n, err)
	}
	if evicted(t, one) != 0 {
		t.Fatal("noeviction evicted keys")
	}
	if got, err := l.Revoked(ctx, stolen); !got || err != nil {
		t.Fatalf("the stolen token after the flood: %v, %v; want revoked", got, err)
	}
	// Each later revocation is refused with OOM, or kept (Redis's memory use moves a little):
	// never dropped silently.
	failed := 0
	for i := 0; i < 20; i++ {
		jti := fmt.Sprintf("later-%d", i)
		err := l.RevokeToken(ctx, jti, time.Now().Add(time.Hour))
		switch {
		case err != nil && strings.Contains(err.Error(), "OOM"):
			failed++
		case err != nil:
			t.Fatalf("revocation %d: %v, want nil or OOM", i, err)
		default:
			// A read not cached yet may be refused too: rueidis reads in MULTI, which Redis
			// refuses when out of memory. An error, never "not revoked".
			if got, err := l.Revoked(ctx, token(t, jti, "x", time.Now())); !got && err == nil {
				t.Fatalf("revocation %d succeeded and is not kept", i)
			}
		}
	}
	t.Logf("%d of 20 revocations refused with OOM on the full Redis", failed)
	if failed == 0 {
		t.Fatal("no revocation was refused on the full Redis")
	}

	// The fix: the sessions on one Redis, the list on another.
	sessions := memoryServer(t, "--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru")
	revocations := memoryServer(t, "--maxmemory", "64mb", "--maxmemory-policy", "noeviction")
	s := dial(t, sessions, Options{}).Store()
	l = dial(t, revocations, Options{}).List()
	if err := l.RevokeToken(ctx, "stolen", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := flood(t, sessions, s); err != nil {
		t.Fatalf("the sessions' Redis under allkeys-lru: %v", err)
	}
	for i := 0; i < 20; i++ {
		if err := l.RevokeToken(ctx, fmt.Sprintf("later-%d", i), time.Now().Add(time.Hour)); err != nil {
			t.Fatalf("revocation %d on the list's own Redis: %v", i, err)
		}
		if !revoked(t, l, token(t, fmt.Sprintf("later-%d", i), "x", time.Now())) {
			t.Fatalf("revocation %d not kept", i)
		}
	}
	if !revoked(t, l, stolen) {
		t.Fatal("the stolen token is accepted")
	}
}

// lostWithin waits until l answers ErrDataLost for cl, and returns how long that took.
func lostWithin(t *testing.T, l *List, cl *fastjwt.Claims, bound time.Duration) time.Duration {
	t.Helper()
	var last error
	took := eventually(t, bound, "ErrDataLost", func() bool {
		_, last = l.Revoked(context.Background(), cl)
		return errors.Is(last, ErrDataLost)
	})
	return took
}

// FLUSHALL, FLUSHDB and the marker's deletion reach the List as invalidations: its next checks
// answer ErrDataLost, and keep answering it whatever is written afterwards, until Recover; on a
// client made by Dial and on one given to New.
func TestDurableFlush(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	ctx := context.Background()
	for _, how := range [][]string{{"FLUSHALL"}, {"FLUSHDB"}, {"DEL", "t:TestDurableFlush:revoked:marker"}} {
		for _, client := range []string{"Dial", "New"} {
			t.Run(how[0]+"/"+client, func(t *testing.T) {
				var heard alerts
				opts := Options{Prefix: "t:TestDurableFlush:", OnAlert: heard.hear}
				var l *List
				if client == "Dial" {
					l = dial(t, srv, opts).List()
				} else {
					l = newClient(t, srv, opts).List()
				}
				fine := token(t, "fine", "fay", time.Now().Add(-time.Minute))
				if revoked(t, l, fine) || revoked(t, l, fine) { // armed, then from memory
					t.Fatal("revoked before the flush")
				}
				mustCommand(t, srv, how...)
				took := lostWithin(t, l, fine, time.Second)
				t.Logf("%s found after %v", how[0], took)
				// Nothing written afterwards ends it: another process arming the empty Redis,
				// a revocation.
				other := dial(t, srv, Options{Prefix: opts.Prefix}).List()
				if revoked(t, other, fine) {
					t.Fatal("a new process: revoked")
				}
				if err := l.RevokeToken(ctx, "x", time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(lostRecheck + 100*time.Millisecond)
				if _, err := l.Revoked(ctx, fine); !errors.Is(err, ErrDataLost) || !strings.Contains(err.Error(), "is gone") {
					t.Fatalf("after another process armed the marker: %v, want ErrDataLost", err)
				}
				if err := l.Check(ctx); !errors.Is(err, ErrDataLost) {
					t.Fatalf("Check: %v", err)
				}
				if got := heard.count(ErrDataLost); got != 1 {
					t.Fatalf("OnAlert heard ErrDataLost %d times, want 1", got)
				}
				mustCommand(t, srv, "FLUSHALL") // the next case starts on an empty Redis
			})
		}
	}
}

// newClient is a Redis of a rueidis client made by the test and given to New.
func newClient(tb testing.TB, srv *server, opts Options) *Redis {
	tb.Helper()
	r := dial(tb, srv, Options{Prefix: "unused:"})
	n, err := New(r.Client(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// A restart without persistence, and a failover to an empty replica (a server started empty on
// the same port), un-revoke nothing: both nodes answer ErrDataLost once reconnected, 503 through
// package bearer and the session layer; Recover on one node re-arms every node, and the tokens
// issued before it are refused.
func TestDurableRestartAndRecover(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	ctx := context.Background()
	prefix := "t:restart:"
	a := dial(t, srv, Options{Prefix: prefix, Timeout: faultTimeout}).List()
	b := dial(t, srv, Options{Prefix: prefix, Timeout: faultTimeout}).List()
	before := time.Now().Add(-time.Minute)
	stolen, fine := token(t, "stolen", "sam", before), token(t, "fine", "fay", before)
	if err := a.RevokeToken(ctx, "stolen", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*List{a, b} {
		if !revoked(t, l, stolen) || revoked(t, l, fine) {
			t.Fatal("before the restart: wrong answers")
		}
	}
	apiURL, siteURL := layers(t, b)
	tok := accessToken(t, "fay", "fine-api")
	if status, body, _ := call(t, apiURL, tok); status != 200 {
		t.Fatalf("bearer before the restart: %d %q", status, body)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if status, body := get(t, browser, siteURL+"/?op=login"); status != 200 || body != "welcome fay" {
		t.Fatalf("login: %d %q", status, body)
	}

	srv.Kill()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*List{a, b} {
		took := lostWithin(t, l, fine, 3*time.Second)
		t.Logf("found after the restart in %v", took)
		if got, err := l.Revoked(ctx, stolen); got || !errors.Is(err, ErrDataLost) {
			t.Fatalf("the stolen token after the restart: %v, %v; want ErrDataLost", got, err)
		}
	}
	if status, _, retry := call(t, apiURL, tok); status != 503 || retry == "" {
		t.Fatalf("bearer after the restart: %d, Retry-After %q; want 503", status, retry)
	}
	if status, body := get(t, browser, siteURL+"/?op=read"); status != 503 {
		t.Fatalf("session after the restart: %d %q; want 503", status, body)
	}

	// A failover to an empty replica: the same, again, after a Recover.
	if err := a.Recover(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(2 * time.Second) // "iat" has whole seconds
	for _, l := range []*List{a, b} {
		eventually(t, 3*time.Second, "the other node accepts the recovery", func() bool {
			_, err := l.Revoked(ctx, fine)
			return !errors.Is(err, ErrDataLost)
		})
		if err := l.Check(ctx); err != nil {
			t.Fatalf("Check after Recover: %v", err)
		}
		if !revoked(t, l, fine) || !revoked(t, l, stolen) {
			t.Fatal("a token issued before Recover is accepted")
		}
		if revoked(t, l, token(t, "new", "fay", after)) {
			t.Fatal("a token issued after Recover is refused")
		}
	}
	if status, _, _ := call(t, apiURL, tok); status != 401 {
		t.Fatalf("bearer after Recover, a token issued before: %d, want 401", status)
	}
	srv.Kill()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	lostWithin(t, a, fine, 3*time.Second)
	lostWithin(t, b, fine, 3*time.Second)
}

// get sends one request with the browser's cookies and returns the status and body.
func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// layers serves l behind package bearer (the API) and the session layer (a site whose sessions
// are in the cookie), on net/http.
func layers(t *testing.T, l *List) (api, site string) {
	t.Helper()
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "api", Secret: apiSecret}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bearer.New(codec, bearer.Config{Revocations: l})
	if err != nil {
		t.Fatal(err)
	}
	a := httptest.NewServer(nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, nethttpsession.TokenFromContext(r.Context()).Subject())
	})))
	t.Cleanup(a.Close)
	m, err := session.New(codec, session.Config{Revocations: l})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, handle(nethttpsession.FromContext(r.Context()), r.URL.Query().Get("op"), "fay"))
	})))
	t.Cleanup(s.Close)
	return a.URL, s.URL
}

// With ExplicitArm a List on a Redis without a marker refuses to answer until Arm; a Redis that
// refuses CONFIG GET is trusted, and OnAlert hears of it once.
func TestDurableExplicitArmAndConfigRefused(t *testing.T) {
	needRedis(t)
	srv := memoryServer(t, "--rename-command", "CONFIG", "")
	ctx := context.Background()
	var heard alerts
	l := dial(t, srv, Options{ExplicitArm: true, OnAlert: heard.hear}).List()
	fine := token(t, "fine", "fay", time.Now())
	if _, err := l.Revoked(ctx, fine); !errors.Is(err, ErrNotArmed) {
		t.Fatalf("before Arm: %v, want ErrNotArmed", err)
	}
	if err := l.Arm(ctx); err != nil {
		t.Fatal(err)
	}
	if revoked(t, l, fine) {
		t.Fatal("revoked after Arm")
	}
	heard.mu.Lock()
	defer heard.mu.Unlock()
	if len(heard.errs) != 1 || !strings.Contains(heard.errs[0].Error(), "cannot read the maxmemory-policy") {
		t.Fatalf("OnAlert heard %v, want one warning about the policy", heard.errs)
	}
}

// Recover refuses an until that has passed.
func TestDurableRecoverInvalid(t *testing.T) {
	needRedis(t)
	l := dial(t, shared, Options{}).List()
	if err := l.Recover(context.Background(), time.Now()); !errors.Is(err, revoke.ErrInvalid) {
		t.Fatalf("Recover with until now: %v, want revoke.ErrInvalid", err)
	}
}

// A restart with the data (appendonly, appendfsync always) keeps the marker: the List goes on
// answering, and the revocation is kept.
func TestDurableRestartWithPersistence(t *testing.T) {
	needRedis(t)
	srv := memoryServer(t, "--appendonly", "yes", "--appendfsync", "always")
	ctx := context.Background()
	var heard alerts
	l := dial(t, srv, Options{Timeout: faultTimeout, OnAlert: heard.hear}).List()
	stolen, fine := token(t, "stolen", "sam", time.Now().Add(-time.Minute)), token(t, "fine", "fay", time.Now().Add(-time.Minute))
	if err := l.RevokeToken(ctx, "stolen", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, l, stolen) || revoked(t, l, fine) {
		t.Fatal("before the restart: wrong answers")
	}
	srv.Kill()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "answers after the restart", func() bool {
		_, err := l.Revoked(ctx, fine)
		return err == nil
	})
	if !revoked(t, l, stolen) || revoked(t, l, fine) {
		t.Fatal("after the restart with the data: wrong answers")
	}
	if err := l.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(heard.errs) != 0 {
		t.Fatalf("OnAlert heard %v", heard.errs)
	}
}
