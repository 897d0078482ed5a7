package jwks

import (
	"bytes"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// fakeClock is an Options.Clock that the test moves forward.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// A set is used while its last successful fetch is at most ExpireAfter ago, whatever the fetches
// since; after that every token is refused with ErrSetExpired, until a fetch succeeds again.
func TestClientExpires(t *testing.T) {
	for _, recovery := range []string{"new document", "304", "same document"} {
		t.Run(recovery, func(t *testing.T) {
			k, next := newKey(t, fastjwt.ES256, "k1"), newKey(t, fastjwt.ES256, "k2")
			s := newServer(t, set(t, k))
			s.set(func(s *server) { s.etag = `"v1"` })
			clock := newFakeClock()
			var log errorLog
			c := newClient(t, s, Options{ExpireAfter: time.Hour, Clock: clock.now, OnError: log.add})
			tok := sign(t, k)
			if err := verify(c, tok); err != nil {
				t.Fatal(err)
			}

			// The key endpoint fails: the set is still used within the bound.
			s.set(func(s *server) { s.status, s.etag = 503, "" })
			clock.advance(59 * time.Minute)
			if err := verify(c, tok); err != nil {
				t.Fatalf("within ExpireAfter: %v", err)
			}
			if err := c.Ready(); err != nil {
				t.Errorf("Ready within ExpireAfter: %v", err)
			}

			// Past the bound: refused, not as a bad token, and Ready says why.
			before := s.count()
			dst := []byte("prefix")
			var cl fastjwt.Claims
			if _, err := fastjwt.Verifier(c).AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Subject() != "alice" {
				t.Fatalf("before the bound: %v, sub %q", err, cl.Subject())
			}
			clock.advance(2 * time.Minute)
			out, err := c.AppendVerifyClaims(dst, tok, &cl)
			switch {
			case !errors.Is(err, ErrSetExpired) || !errors.Is(err, fastjwt.ErrKeysUnavailable):
				t.Fatalf("past ExpireAfter: %v, want ErrSetExpired (and fastjwt.ErrKeysUnavailable)", err)
			case !bytes.Equal(out, dst) || cl.Subject() != "":
				t.Errorf("past ExpireAfter: dst %q, sub %q", out, cl.Subject())
			case errors.Is(err, ErrFetch) || errors.Is(err, fastjwt.ErrSignature):
				t.Errorf("past ExpireAfter: %v matches a fetch or signature error", err)
			}
			if err := c.Ready(); !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "ExpireAfter") {
				t.Errorf("Ready past ExpireAfter: %v", err)
			}
			// The refusal asked for a fetch (without waiting for it); it failed too.
			eventually(t, "the fetch the expired set asked for", func() bool { return s.count() > before })
			eventually(t, "its failure", func() bool { return c.FailedFetches() >= 1 })
			if err := verify(c, tok); !errors.Is(err, ErrSetExpired) {
				t.Fatalf("still down: %v", err)
			}
			if err := c.Ready(); !errors.Is(err, ErrNotReady) || !errors.Is(err, ErrFetch) {
				t.Errorf("Ready after a failed fetch: %v", err)
			}

			// The server is back: the next fetch brings the set back into use.
			s.set(func(s *server) {
				s.status = 0
				switch recovery {
				case "new document":
					s.doc = set(t, k, next)
				case "304":
					s.etag = `"v1"` // the ETag of the set in use: the answer is a 304
				}
			})
			expireCooldown(c)
			fetches := c.Fetches()
			_ = verify(c, tok) // asks for the fetch
			eventually(t, "recovery", func() bool { return c.Fetches() > fetches && verify(c, tok) == nil })
			if a := c.Age(); a < 0 || a > time.Minute {
				t.Errorf("Age after recovery: %v", a)
			}
			if err := c.Ready(); err != nil {
				t.Errorf("Ready after recovery: %v", err)
			}
			if recovery == "new document" {
				if err := verify(c, sign(t, next)); err != nil {
					t.Errorf("the new key: %v", err)
				}
			}
			if len(log.all()) == 0 {
				t.Error("no failed fetch reported")
			}
		})
	}
}

// An expired set refuses every token the same way, whatever its kid: a token with an unknown kid
// does not wait for a refetch, and a forged one is not reported as a bad signature.
func TestClientExpiredRefusesAll(t *testing.T) {
	k := newKey(t, fastjwt.EdDSA, "k1")
	s := newServer(t, set(t, k))
	clock := newFakeClock()
	c := newClient(t, s, Options{ExpireAfter: time.Hour, Clock: clock.now})
	s.set(func(s *server) { s.delay = time.Hour }) // the server hangs
	clock.advance(time.Hour + time.Second)
	start := time.Now()
	for _, tok := range [][]byte{
		sign(t, k),
		sign(t, newKey(t, fastjwt.EdDSA, "unknown")),
		signHeader(t, newKey(t, fastjwt.EdDSA, ""), `{"alg":"EdDSA","kid":"k1"}`),
	} {
		if err := verify(c, tok); !errors.Is(err, ErrSetExpired) {
			t.Errorf("%s: %v", tok[:20], err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusals took %v: they waited for the hanging server", d)
	}
}

func TestExpireAfterSettings(t *testing.T) {
	for _, tc := range []struct {
		opts                                     Options
		expire, maxRefresh, minRefresh, maxStale time.Duration
	}{
		{Options{}, DefaultExpireAfter, DefaultMaxRefresh, DefaultMinRefresh, 2 * DefaultMaxRefresh},
		{Options{MaxRefresh: 48 * time.Hour}, 144 * time.Hour, 48 * time.Hour, DefaultMinRefresh, 96 * time.Hour},
		{Options{ExpireAfter: 12 * time.Hour}, 12 * time.Hour, 6 * time.Hour, DefaultMinRefresh, 12 * time.Hour},
		{Options{ExpireAfter: 2 * time.Second}, 2 * time.Second, time.Second, time.Second, 2 * time.Second},
		{Options{ExpireAfter: time.Hour, MaxStale: 10 * time.Minute}, time.Hour, 30 * time.Minute, DefaultMinRefresh, 10 * time.Minute},
		{Options{ExpireAfter: time.Hour, MaxRefresh: 20 * time.Minute}, time.Hour, 20 * time.Minute, DefaultMinRefresh, 40 * time.Minute},
	} {
		s, err := tc.opts.settings()
		if err != nil {
			t.Errorf("%+v: %v", tc.opts, err)
			continue
		}
		if s.ExpireAfter != tc.expire || s.MaxRefresh != tc.maxRefresh || s.MinRefresh != tc.minRefresh || s.MaxStale != tc.maxStale {
			t.Errorf("%+v: ExpireAfter %v, MaxRefresh %v, MinRefresh %v, MaxStale %v; want %v, %v, %v, %v", tc.opts,
				s.ExpireAfter, s.MaxRefresh, s.MinRefresh, s.MaxStale, tc.expire, tc.maxRefresh, tc.minRefresh, tc.maxStale)
		}
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{ExpireAfter: -time.Hour}, "ExpireAfter is negative"},
		{Options{ExpireAfter: 500 * time.Millisecond}, "ExpireAfter (500ms) is under 1s"},
		{Options{ExpireAfter: time.Hour, MaxRefresh: 45 * time.Minute}, "MaxRefresh (45m0s) is above half of ExpireAfter (1h0m0s)"},
		{Options{ExpireAfter: 2 * time.Second, MinRefresh: 5 * time.Second}, "MinRefresh (5s) is above MaxRefresh (1s)"},
		{Options{ExpireAfter: time.Hour, MaxStale: 2 * time.Hour}, "MaxStale (2h0m0s) is above ExpireAfter (1h0m0s)"},
	} {
		_, err := New("https://x", tc.opts)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opts, err, tc.want)
		}
	}
}

// A short ExpireAfter makes the background refresh come at least twice within it.
func TestExpireAfterRefreshInterval(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	s.set(func(s *server) { s.cacheControl = "max-age=86400" })
	c := newClient(t, s, Options{ExpireAfter: 10 * time.Minute})
	if got := time.Duration(c.next.Load()); got != 5*time.Minute {
		t.Errorf("refresh after %v, want 5m", got)
	}
}
