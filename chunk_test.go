package session_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	session "github.com/fastjwt/session"
)

// jar is a browser's cookie jar for one host and path: Set-Cookie lines update it.
type jar map[string]string

func (j jar) update(h http.Header) {
	for _, sc := range h.Values("Set-Cookie") {
		pair, attrs, _ := strings.Cut(sc, ";")
		name, value, _ := strings.Cut(pair, "=")
		if strings.Contains(attrs, "Max-Age=0") {
			delete(j, name)
		} else {
			j[name] = value
		}
	}
}

// header is the Cookie header the jar sends, in name order.
func (j jar) header() string {
	names := make([]string, 0, len(j))
	for n := range j {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n + "=" + j[n])
	}
	return b.String()
}

// visit sends the jar's cookies, lets fn change the session, commits, and updates the jar.
func visit(t testing.TB, m *session.Manager, cookies string, fn func(s *session.Session)) (*session.Session, http.Header) {
	t.Helper()
	h := http.Header{}
	if cookies != "" {
		h.Set("Cookie", cookies)
	}
	s, err := m.Acquire(context.Background(), header(h))
	if err != nil {
		t.Fatal(err)
	}
	if fn != nil {
		fn(s)
	}
	out := http.Header{}
	if err := s.Commit(context.Background(), header(out)); err != nil {
		t.Fatal(err)
	}
	return s, out
}

func TestChunksGrowAndShrink(t *testing.T) {
	m := newManager(t, session.Config{Chunked: true, MaxChunkedSize: session.MaxChunkedSize})
	j := jar{}
	for _, size := range []int{100, 4800, 2000, 5000, 3500, 50, 0} {
		s, h := visit(t, m, j.header(), func(s *session.Session) {
			if size == 0 {
				s.Clear()
			} else if err := s.Set("big", strings.Repeat("x", size)); err != nil {
				t.Fatal(err)
			}
		})
		if s.Err() != nil {
			t.Fatalf("size %d: %v", size, s.Err())
		}
		m.Release(s)
		j.update(h)
		for _, sc := range h.Values("Set-Cookie") {
			if len(sc) > session.DefaultMaxCookieSize {
				t.Errorf("size %d: a Set-Cookie of %d bytes", size, len(sc))
			}
		}
		chunks := 0
		for n := range j {
			if strings.HasPrefix(n, "session.") {
				chunks++
			}
		}
		switch {
		case size == 0:
			if len(j) != 0 {
				t.Errorf("after Clear the jar holds %v", j)
			}
			continue
		case size < 2500 && chunks != 0, size > 3000 && (chunks < 2 || j["session"] != "chunks-"+strconv.Itoa(chunks)):
			t.Errorf("size %d: %d chunks, session=%.20s", size, chunks, j["session"])
		}
		// The next request reads it back whole.
		s, _ = visit(t, m, j.header(), nil)
		if v, _ := s.String("big"); len(v) != size {
			t.Errorf("size %d: read back %d bytes (%v)", size, len(v), s.InvalidReason())
		}
		m.Release(s)
	}
}

// Every malformed chunk set gives a new session: never a panic, never a part of another
// session's data.
func TestChunksMalformed(t *testing.T) {
	m := newManager(t, session.Config{Chunked: true, MaxChunkedSize: session.MaxChunkedSize})
	write := func(v string) jar {
		j := jar{}
		s, h := visit(t, m, "", func(s *session.Session) { _ = s.Set("big", v) })
		m.Release(s)
		j.update(h)
		return j
	}
	a := write(strings.Repeat("a", 5000))
	b := write(strings.Repeat("b", 5000))
	if a["session"] != "chunks-3" || b["session"] != "chunks-3" {
		t.Fatalf("want 3 chunks each: %q %q", a["session"], b["session"])
	}
	cases := map[string]string{
		"missing chunk":       "session=chunks-3; session.1=" + a["session.1"] + "; session.3=" + a["session.3"],
		"only the marker":     "session=chunks-3",
		"duplicated chunk":    "session=chunks-3; session.1=" + a["session.1"] + "; session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"],
		"reordered chunks":    "session=chunks-3; session.1=" + a["session.2"] + "; session.2=" + a["session.1"] + "; session.3=" + a["session.3"],
		"another's chunk":     "session=chunks-3; session.1=" + a["session.1"] + "; session.2=" + b["session.2"] + "; session.3=" + a["session.3"],
		"count too small":     "session=chunks-2; session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"],
		"count too large":     "session=chunks-9; session.1=" + a["session.1"],
		"count zero":          "session=chunks-0",
		"count not a digit":   "session=chunks-x",
		"count two digits":    "session=chunks-03",
		"empty chunks":        "session=chunks-3; session.1=; session.2=; session.3=",
		"chunk is a token":    "session=chunks-1; session.1=" + a["session.1"] + a["session.2"] + a["session.3"] + "x",
		"chunk names cased":   "session=chunks-3; Session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"],
		"stale fourth chunk":  "session=chunks-4; session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"] + "; session.4=" + b["session.3"],
		"marker in chunk":     "session=chunks-3; session.1=chunks-3; session.2=" + a["session.2"] + "; session.3=" + a["session.3"],
		"chunks without mark": "session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"],
	}
	for name, cookies := range cases {
		t.Run(name, func(t *testing.T) {
			s, h := visit(t, m, cookies, nil)
			defer m.Release(s)
			if !s.IsNew() || s.Len() != 0 {
				t.Errorf("IsNew %v, %d values (%v)", s.IsNew(), s.Len(), s.InvalidReason())
			}
			if name == "missing chunk" || name == "duplicated chunk" {
				if !errors.Is(s.InvalidReason(), session.ErrChunks) {
					t.Errorf("reason %v, want ErrChunks", s.InvalidReason())
				}
			}
			_ = h
		})
	}
	// The intact set, in any order on the wire, is the session.
	s, _ := visit(t, m, "session.3="+a["session.3"]+"; session.1="+a["session.1"]+"; session=chunks-3; session.2="+a["session.2"], nil)
	if v, _ := s.String("big"); v != strings.Repeat("a", 5000) {
		t.Errorf("intact chunks: %d bytes (%v)", len(v), s.InvalidReason())
	}
	m.Release(s)
}

// A write deletes the chunks the request carried that the new value does not use, and a Clear
// deletes them all; the budget of the sum is enforced.
func TestChunksStaleDeletedAndBudget(t *testing.T) {
	m := newManager(t, session.Config{Chunked: true, MaxChunkedSize: session.MaxChunkedSize})
	// A request carrying chunks 1..4 and a small session value: the write needs none of them.
	s, h := visit(t, m, "session.1=x; session.2=y; session.4=z", func(s *session.Session) { _ = s.Set("n", 1) })
	m.Release(s)
	var deleted []string
	for _, sc := range h.Values("Set-Cookie") {
		if strings.Contains(sc, "Max-Age=0") {
			name, _, _ := strings.Cut(sc, "=")
			deleted = append(deleted, name)
		}
	}
	slices.Sort(deleted)
	if !slices.Equal(deleted, []string{"session.1", "session.2", "session.4"}) {
		t.Errorf("deleted %v, want the three stale chunks", deleted)
	}
	// Over the sum budget: nothing is written, ErrCookieTooLarge.
	small := newManager(t, session.Config{Chunked: true})
	s, h = visit(t, small, "", func(s *session.Session) { _ = s.Set("big", strings.Repeat("x", 3500)) })
	if !errors.Is(s.Err(), session.ErrCookieTooLarge) || len(h.Values("Set-Cookie")) != 0 {
		t.Errorf("over the default sum budget: Err %v, %d Set-Cookie", s.Err(), len(h.Values("Set-Cookie")))
	}
	small.Release(s)
	// Over MaxChunks.
	two := newManager(t, session.Config{Chunked: true, MaxChunks: 2, MaxChunkedSize: session.MaxChunkedSize})
	s, _ = visit(t, two, "", func(s *session.Session) { _ = s.Set("big", strings.Repeat("x", 5000)) })
	if !errors.Is(s.Err(), session.ErrCookieTooLarge) {
		t.Errorf("over MaxChunks: Err %v", s.Err())
	}
	two.Release(s)
	for _, cfg := range []session.Config{
		{Chunked: true, MaxChunks: session.MaxChunkCookies + 1},
		{Chunked: true, MaxChunkedSize: session.MaxChunkedSize + 1},
		{MaxChunks: -1},
	} {
		if _, err := session.New(codecFor(t), cfg); !errors.Is(err, session.ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", cfg, err)
		}
	}
}
