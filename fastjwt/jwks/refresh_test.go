package jwks

import (
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

func TestLifetime(t *testing.T) {
	for _, tc := range []struct {
		cc, age string
		want    time.Duration
	}{
		{"", "", -1},
		{"public", "", -1},
		{"max-age=600", "", 600 * time.Second},
		{"public, max-age=600", "", 600 * time.Second},
		{"Public, MAX-AGE=600, must-revalidate", "", 600 * time.Second},
		{`max-age="600"`, "", 600 * time.Second},
		{"max-age=600, max-age=60", "", 60 * time.Second},
		{"max-age=600", "100", 500 * time.Second},
		{"max-age=600", "700", 0},
		{"max-age=600", "junk", 600 * time.Second},
		{"no-cache", "", 0},
		{"max-age=600, no-store", "", 0},
		{"max-age=-1", "", 0},
		{"max-age=abc", "", 0},
		{"max-age=", "", 0},
		{"max-age=99999999999999999999", "", (1<<31 - 1) * time.Second},
		{"s-maxage=600", "", -1},
	} {
		h := http.Header{}
		if tc.cc != "" {
			h.Set("Cache-Control", tc.cc)
		}
		if tc.age != "" {
			h.Set("Age", tc.age)
		}
		if got := lifetime(h); got != tc.want {
			t.Errorf("Cache-Control %q, Age %q: %v, want %v", tc.cc, tc.age, got, tc.want)
		}
	}
}

// The refresh interval is the response's max-age within the bounds.
func TestRefreshInterval(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	for _, tc := range []struct {
		cc, age string
		want    time.Duration
	}{
		{"", "", DefaultMinRefresh},
		{"no-store", "", DefaultMinRefresh},
		{"public, max-age=60", "", DefaultMinRefresh},
		{"public, max-age=600", "", 10 * time.Minute},
		{"public, max-age=3600", "600", 50 * time.Minute},
		{"public, max-age=86400", "", 24 * time.Hour},
		{"public, max-age=864000", "", DefaultMaxRefresh},
	} {
		s := newServer(t, set(t, k))
		s.set(func(s *server) {
			s.handler = func(w http.ResponseWriter, r *http.Request) {
				if tc.cc != "" {
					w.Header().Set("Cache-Control", tc.cc)
				}
				if tc.age != "" {
					w.Header().Set("Age", tc.age)
				}
				w.Write(set(t, k))
			}
		})
		c := newClient(t, s, Options{})
		if got := time.Duration(c.next.Load()); got != tc.want {
			t.Errorf("Cache-Control %q, Age %q: refresh after %v, want %v", tc.cc, tc.age, got, tc.want)
		}
	}
}

// The background refresh runs when the clamped max-age says: max-age=0 is raised to MinRefresh,
// a long max-age lowered to MaxRefresh.
func TestRefreshHonoursBounds(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	s.set(func(s *server) { s.cacheControl = "max-age=0" })
	created := time.Now()
	c := newClient(t, s, Options{MinRefresh: 300 * time.Millisecond, MaxRefresh: 400 * time.Millisecond})
	if got := time.Duration(c.next.Load()); got != 300*time.Millisecond {
		t.Fatalf("max-age=0: refresh after %v", got)
	}
	time.Sleep(150 * time.Millisecond)
	if n := s.count(); n != 1 && time.Since(created) < 300*time.Millisecond {
		t.Fatalf("%d requests before MinRefresh", n)
	}
	s.set(func(s *server) { s.cacheControl = "max-age=3600" })
	eventually(t, "the refresh", func() bool { return s.count() == 2 })
	eventually(t, "its interval", func() bool { return time.Duration(c.next.Load()) == 400*time.Millisecond })
	eventually(t, "the next refresh", func() bool { return s.count() == 3 })
	if c.Fetches() != 3 || c.FailedFetches() != 0 {
		t.Errorf("Fetches %d, FailedFetches %d", c.Fetches(), c.FailedFetches())
	}
}

// A failed fetch is retried after Cooldown, doubling up to MinRefresh; a success returns to the
// response's interval.
func TestRefreshBackoff(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	const cooldown, minRefresh = 10 * time.Millisecond, 80 * time.Millisecond
	var log errorLog
	var intervals []time.Duration
	var c *Client
	c = newClient(t, s, Options{Cooldown: cooldown, MinRefresh: minRefresh, MaxRefresh: time.Hour,
		OnError: func(err error) {
			log.add(err)
			log.mu.Lock()
			intervals = append(intervals, time.Duration(c.next.Load()))
			log.mu.Unlock()
		}})
	s.set(func(s *server) { s.status = 503 })
	eventually(t, "six failures", func() bool { return c.FailedFetches() >= 6 })
	s.set(func(s *server) { s.status = 0 })
	eventually(t, "a success", func() bool { return c.Fetches() > c.FailedFetches()+1 })
	log.mu.Lock()
	// OnError runs before the failure's interval is set: each call sees the previous one's, the
	// first the interval of the success before.
	got := append([]time.Duration(nil), intervals[:6]...)
	log.mu.Unlock()
	want := []time.Duration{minRefresh, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond, 80 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("retry intervals %v, want %v", got, want)
		}
	}
	eventually(t, "the interval after a success", func() bool { return time.Duration(c.next.Load()) == minRefresh })
	if err := c.Ready(); err != nil {
		t.Error(err)
	}
}

// An unchanged set (a 304 to If-None-Match, or the same document) keeps the codec in use, and
// so its cache of verified tokens; Age restarts.
func TestRefreshUnchanged(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	for _, etag := range []string{`"v1"`, ""} {
		s := newServer(t, set(t, k))
		s.set(func(s *server) { s.etag = etag })
		c := newClient(t, s, Options{MinRefresh: 30 * time.Millisecond, MaxRefresh: 30 * time.Millisecond})
		ks, loaded := c.set.Load(), c.loaded.Load()
		eventually(t, "two refreshes", func() bool { return s.count() >= 3 })
		if c.set.Load() != ks {
			t.Errorf("etag %q: the key set was replaced by the same one", etag)
		}
		eventually(t, "Age restarted", func() bool { return c.loaded.Load() > loaded })
	}
	// The server sees If-None-Match with the ETag it sent.
	s := newServer(t, set(t, k))
	var got []string
	s.set(func(s *server) {
		s.handler = func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			got = append(got, r.Header.Get("If-None-Match"))
			s.mu.Unlock()
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(set(t, k))
		}
	})
	newClient(t, s, Options{MinRefresh: 30 * time.Millisecond, MaxRefresh: 30 * time.Millisecond})
	eventually(t, "a refresh", func() bool { return s.count() >= 2 })
	s.mu.Lock()
	defer s.mu.Unlock()
	if got[0] != "" || got[1] != `"v1"` {
		t.Errorf("If-None-Match sent: %q", got)
	}
}

// A 304 to a request that was not conditional is an error.
func TestUnexpectedNotModified(t *testing.T) {
	s := newServer(t, nil)
	s.set(func(s *server) { s.status = http.StatusNotModified })
	if _, err := New(s.URL, Options{}); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "status 304") {
		t.Fatalf("New: %v", err)
	}
}

// Redirects: followed up to MaxRedirects, never from https to http.
func TestRedirects(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	hops := func(n int) *server {
		r := newServer(t, nil)
		r.set(func(r *server) {
			r.handler = func(w http.ResponseWriter, req *http.Request) {
				left := strings.Count(req.URL.Path, "/") - 1
				if left <= 0 {
					http.Redirect(w, req, s.URL, http.StatusFound)
					return
				}
				http.Redirect(w, req, req.URL.Path[:strings.LastIndexByte(req.URL.Path, '/')], http.StatusFound)
			}
		})
		return r
	}
	r := hops(0)
	// /a/b/c/d makes 3 redirects inside r, then one to s: 4 in all.
	for _, tc := range []struct {
		path string
		ok   bool
	}{{"/", true}, {"/a/b/c", true}, {"/a/b/c/d", false}} {
		c, err := New(r.URL+tc.path, Options{})
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.path, err)
		}
		if err == nil {
			c.Close()
		} else if !strings.Contains(err.Error(), "redirects") {
			t.Errorf("%s: %v", tc.path, err)
		}
	}
	// checkRedirect itself: https to http refused, other schemes refused.
	req := func(u string) *http.Request { r, _ := http.NewRequest("GET", u, nil); return r }
	if err := checkRedirect(req("http://a/"), []*http.Request{req("https://b/")}); err == nil {
		t.Error("https to http followed")
	}
	if err := checkRedirect(req("https://a/"), []*http.Request{req("http://b/")}); err != nil {
		t.Errorf("http to https: %v", err)
	}
	if err := checkRedirect(req("ftp://a/"), []*http.Request{req("http://b/")}); err == nil {
		t.Error("ftp followed")
	}
}

// clientGoroutines returns the stacks of the goroutines running the client's code.
func clientGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "jwks.(*Client)") {
			out = append(out, g)
		}
	}
	return out
}

// Close stops the background refresh and a fetch under way at once; no goroutine is left.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	c, err := New(s.URL, Options{MinRefresh: 10 * time.Millisecond, MaxRefresh: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "refreshes", func() bool { return s.count() >= 3 })
	s.set(func(s *server) { s.delay = time.Minute })
	eventually(t, "a slow fetch under way", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.flight != nil
	})
	// A verify waiting for the fetch is released by Close too.
	done := make(chan error)
	go func() { done <- verify(c, sign(t, newKey(t, fastjwt.ES256, "new"))) }()
	if len(clientGoroutines()) == 0 {
		t.Fatal("no goroutine of the client found: the test does not see them")
	}
	start := time.Now()
	c.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-done; !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Errorf("the waiting verify: %v", err)
	}
	if g := clientGoroutines(); len(g) != 0 {
		t.Fatalf("goroutines left after Close:\n%s", strings.Join(g, "\n\n"))
	}
	// Lazy, closed before its first fetch.
	s.set(func(s *server) { s.delay = 0 })
	c, err = New(s.URL, Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if g := clientGoroutines(); len(g) != 0 {
		t.Fatalf("goroutines left after Close:\n%s", strings.Join(g, "\n\n"))
	}
}
