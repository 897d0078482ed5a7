package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/gorillacookie"
)

// Large sessions and the migration: what compression saves on realistic sessions (user profile
// data of 20 and 60 fields), what it costs per request, and what the legacy (gorilla/sessions)
// check costs on a request that has no legacy cookie. The Manager is driven directly, as the
// adapters drive it, with a request header holding one cookie and a response header that keeps
// nothing, so that the figures are the session layer's own.

// cookieHeader is a session.RequestHeader holding one Cookie line.
type cookieHeader struct{ line []byte }

func (h *cookieHeader) AppendValues(dst [][]byte, name string) [][]byte {
	if name == "Cookie" && h.line != nil {
		dst = append(dst, h.line)
	}
	return dst
}

// sinkHeader is a session.ResponseHeader that keeps the last Set-Cookie value.
type sinkHeader struct{ cookie []byte }

func (h *sinkHeader) AppendValues(dst [][]byte, _ string) [][]byte { return dst }
func (h *sinkHeader) Set(string, string)                           {}
func (h *sinkHeader) Add(string, string)                           {}
func (h *sinkHeader) AddBytes(name string, v []byte) {
	if name == "Set-Cookie" {
		h.cookie = append(h.cookie[:0], v...)
	}
}

// profileField is the i-th field of a user profile: addresses, names, numbers and flags.
func profileField(i int) (string, any) {
	keys := []string{"email", "display_name", "given_name", "family_name", "locale", "timezone",
		"theme", "plan", "team", "role", "avatar_url", "country", "city", "company", "department",
		"title", "phone", "newsletter", "last_login", "login_count"}
	k := keys[i%len(keys)]
	if i >= len(keys) {
		k += "_" + strconv.Itoa(i/len(keys))
	}
	switch i % 4 {
	case 0:
		return k, "alice.example+" + strconv.Itoa(i) + "@example.com"
	case 1:
		return k, "Alice Example " + strconv.Itoa(i)
	case 2:
		return k, i * 37
	}
	return k, i%3 == 0
}

func largeManager(tb testing.TB, cfg session.Config) *session.Manager {
	tb.Helper()
	cfg.MaxCookieSize = session.MaxCookieSize
	m, err := session.New(sessionCodec(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// profileCookie returns the Cookie line of a session of n profile fields and a counter, issued
// by m.
func profileCookie(tb testing.TB, m *session.Manager, n int) []byte {
	tb.Helper()
	s, err := m.Acquire(context.Background(), &cookieHeader{})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		k, v := profileField(i)
		if err := s.Set(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	_ = s.Set("counter", 1)
	out := &sinkHeader{}
	if err := s.Commit(context.Background(), out); err != nil || s.Err() != nil || out.cookie == nil {
		tb.Fatalf("no cookie for %d fields: %v %v", n, err, s.Err())
	}
	m.Release(s)
	pair, _, _ := strings.Cut(string(out.cookie), ";")
	return []byte(pair)
}

// tokenOf returns the token of a "session=token" pair.
func tokenOf(pair []byte) string { return strings.TrimPrefix(string(pair), "session=") }

// TestCompressedSize reports, and checks, what compression saves on profile sessions: the
// compressed token is shorter, and holds the same data.
func TestCompressedSize(t *testing.T) {
	for _, n := range []int{20, 60} {
		plain := tokenOf(profileCookie(t, largeManager(t, session.Config{}), n))
		zm := largeManager(t, session.Config{Compress: true})
		z := tokenOf(profileCookie(t, zm, n))
		payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(z, ".")[1])
		if len(z) >= len(plain) || !strings.Contains(string(payload), `"_deflate"`) {
			t.Errorf("%d fields: compressed %d bytes, plain %d", n, len(z), len(plain))
		}
		s, err := zm.Acquire(context.Background(), &cookieHeader{line: []byte("session=" + z)})
		if err != nil || s.IsNew() || s.Len() != n+1 {
			t.Fatalf("%d fields: the compressed session reads back %d values (%v)", n, s.Len(), s.InvalidReason())
		}
		zm.Release(s)
		t.Logf("%d fields: token %d bytes plain, %d compressed (%.2f)", n, len(plain), len(z), float64(len(z))/float64(len(plain)))
	}
}

// BenchmarkLarge measures one request of a session of 20 or 60 profile fields: read (verify,
// read the counter, nothing written) and write (the counter incremented and the cookie
// re-issued), plain and compressed; and the legacy check on a request without a legacy cookie:
// the same read with no Legacy configured, with a legacy cookie of the session's own name, and
// of another name.
func BenchmarkLarge(b *testing.B) {
	run := func(b *testing.B, m *session.Manager, cookie []byte, write bool) {
		req, out := &cookieHeader{line: cookie}, &sinkHeader{}
		ctx := context.Background()
		b.ReportAllocs()
		meter := startCPU(b)
		for b.Loop() {
			s, err := m.Acquire(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			n, ok := s.Int("counter")
			if !ok {
				b.Fatalf("no counter (%v)", s.InvalidReason())
			}
			if write {
				_ = s.Set("counter", n+1)
			}
			if err := s.Commit(ctx, out); err != nil {
				b.Fatal(err)
			}
			m.Release(s)
		}
		meter.stop(b)
	}
	for _, n := range []int{20, 60} {
		for _, compress := range []bool{false, true} {
			name := map[bool]string{false: "plain", true: "compressed"}[compress]
			m := largeManager(b, session.Config{Compress: compress, RenewAfter: -1})
			cookie := profileCookie(b, m, n)
			b.Run(fmt.Sprintf("read/%d/%s", n, name), func(b *testing.B) { run(b, m, cookie, false) })
			b.Run(fmt.Sprintf("write/%d/%s", n, name), func(b *testing.B) { run(b, m, cookie, true) })
		}
	}
	legacy, err := gorillacookie.New(gorillacookie.Config{HashKey: secret})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		legacy *session.Legacy
	}{
		{"none", nil},
		{"same-name", &session.Legacy{Codec: legacy}},
		{"other-name", &session.Legacy{Codec: legacy, CookieName: "gorilla"}},
	} {
		m := largeManager(b, session.Config{Legacy: c.legacy, RenewAfter: -1})
		cookie := profileCookie(b, m, 0)
		b.Run("legacy-check/"+c.name, func(b *testing.B) { run(b, m, cookie, false) })
	}
}
