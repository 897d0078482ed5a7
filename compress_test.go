package session_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// codecManager is newManager that also returns the codec, to sign payloads the session layer
// would not write.
func codecManager(t testing.TB, cfg session.Config) (*session.Manager, *fastjwt.Codec) {
	t.Helper()
	now := func() time.Time { return t0 }
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Now = now
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, codec
}

// profileFields sets n fields of realistic user profile data.
func profileFields(t testing.TB, s *session.Session, n int) {
	t.Helper()
	keys := []string{"email", "display_name", "given_name", "family_name", "locale", "timezone", "theme",
		"plan", "team", "role", "avatar_url", "country", "city", "company", "department", "title",
		"phone", "newsletter", "last_login", "login_count"}
	for i := range n {
		k := keys[i%len(keys)]
		if i >= len(keys) {
			k = fmt.Sprintf("%s_%d", k, i/len(keys))
		}
		var v any
		switch i % 4 {
		case 0:
			v = fmt.Sprintf("alice.example+%d@example.com", i)
		case 1:
			v = fmt.Sprintf("Alice Example %d", i)
		case 2:
			v = i * 37
		default:
			v = i%3 == 0
		}
		if err := s.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
}

// payloadOf decodes the payload of a compact JWS without verifying it.
func payloadOf(t testing.TB, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompressRoundTrip(t *testing.T) {
	for _, n := range []int{20, 60} {
		t.Run(fmt.Sprint(n, " fields"), func(t *testing.T) {
			plainM := newManager(t, session.Config{MaxCookieSize: session.MaxCookieSize})
			zM := newManager(t, session.Config{Compress: true, MaxCookieSize: session.MaxCookieSize})
			var tokens [2]string
			for i, m := range []*session.Manager{plainM, zM} {
				s := acquire(t, m, "")
				profileFields(t, s, n)
				_ = s.Set("sub", "alice")
				tokens[i], _ = roundTrip(m, s)
				if tokens[i] == "" {
					t.Fatalf("no cookie (compress %v)", i == 1)
				}
			}
			if len(tokens[1]) >= len(tokens[0]) {
				t.Errorf("compressed token %d bytes, plain %d", len(tokens[1]), len(tokens[0]))
			}
			p := payloadOf(t, tokens[1])
			if !strings.Contains(p, `"_deflate":"`) || strings.Contains(p, "example.com") || !strings.Contains(p, `"sub":"alice"`) {
				t.Errorf("compressed payload %s: want the data in _deflate and sub outside", p)
			}
			// Read back by both Managers: reading does not depend on Config.Compress.
			for _, m := range []*session.Manager{plainM, zM} {
				want := acquire(t, m, tokens[0])
				got := acquire(t, m, tokens[1])
				if got.IsNew() {
					t.Fatalf("compressed session refused: %v", got.InvalidReason())
				}
				if w, g := fmt.Sprint(want.Names()), fmt.Sprint(got.Names()); len(want.Names()) != n+1 || len(got.Names()) != n+1 {
					t.Fatalf("names: want %s, got %s", w, g)
				}
				for _, name := range want.Names() {
					a, _ := want.Raw(name)
					b, ok := got.Raw(name)
					if !ok || !bytes.Equal(a, b) {
						t.Errorf("%s: plain %s, compressed %s", name, a, b)
					}
				}
				m.Release(want)
				m.Release(got)
			}
		})
	}
}

// A session that compression would not shorten is written plain.
func TestCompressOnlyWhenShorter(t *testing.T) {
	m := newManager(t, session.Config{Compress: true})
	s := acquire(t, m, "")
	_ = s.Set("n", 1)
	tok, _ := roundTrip(m, s)
	if p := payloadOf(t, tok); strings.Contains(p, "_deflate") || !strings.Contains(p, `"n":1`) {
		t.Errorf("payload %s: want it plain", p)
	}
	// The name is the session layer's: a handler cannot write it.
	s = acquire(t, m, "")
	if err := s.Set("_deflate", "x"); !errors.Is(err, session.ErrReserved) {
		t.Errorf("Set(_deflate) = %v, want ErrReserved", err)
	}
	m.Release(s)
}

func deflate(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

// signed signs a session payload holding the given members and "_deflate" of inner.
func signedCompressed(t testing.TB, codec *fastjwt.Codec, outer string, inner []byte) string {
	t.Helper()
	p := fmt.Sprintf(`{%s"_deflate":"%s","iat":%d,"exp":%d,"jti":"abc"}`, outer,
		base64.RawURLEncoding.EncodeToString(deflate(t, inner)), t0.Unix(), t0.Unix()+3600)
	tok, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(p))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func TestCompressedHostile(t *testing.T) {
	m, codec := codecManager(t, session.Config{})
	sign := func(p string) string {
		tok, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	exp := fmt.Sprintf(`"iat":%d,"exp":%d`, t0.Unix(), t0.Unix()+3600)
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	cases := map[string]string{
		"not a string":            sign(`{"_deflate":42,` + exp + `}`),
		"not base64url":           sign(`{"_deflate":"a+b/",` + exp + `}`),
		"padded base64":           sign(`{"_deflate":"` + base64.URLEncoding.EncodeToString(deflate(t, []byte(`{"a":1}`))) + `",` + exp + `}`),
		"not DEFLATE":             sign(`{"_deflate":"` + b64([]byte("plain text, not deflate")) + `",` + exp + `}`),
		"truncated DEFLATE":       sign(`{"_deflate":"` + b64(deflate(t, []byte(`{"a":"`+strings.Repeat("xy", 200)+`"}`))[:20]) + `",` + exp + `}`),
		"not an object":           signedCompressed(t, codec, "", []byte(`[1,2]`)),
		"not JSON":                signedCompressed(t, codec, "", []byte(`{"a":}`)),
		"managed claim inside":    signedCompressed(t, codec, "", []byte(`{"exp":99999999999}`)),
		"escaped managed claim":   signedCompressed(t, codec, "", []byte(`{"\u0065xp":99999999999}`)),
		"registered claim inside": signedCompressed(t, codec, "", []byte(`{"sub":"admin"}`)),
		"nested _deflate":         signedCompressed(t, codec, "", []byte(`{"_deflate":"x"}`)),
		"name also outside":       signedCompressed(t, codec, `"a":1,`, []byte(`{"a":2}`)),
		"duplicate inside":        signedCompressed(t, codec, "", []byte(`{"a":1,"a":2}`)),
		"trailing bytes":          signedCompressed(t, codec, "", []byte(`{"a":1} x`)),
		"bomb":                    signedCompressed(t, codec, "", append(append([]byte(`{"a":"`), bytes.Repeat([]byte("0"), 1<<20)...), `"}`...)),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			s := acquire(t, m, tok)
			defer m.Release(s)
			if !s.IsNew() || !errors.Is(s.InvalidReason(), session.ErrCompressed) || s.Len() != 0 {
				t.Errorf("IsNew %v, reason %v, %d values: want a new session refused with ErrCompressed", s.IsNew(), s.InvalidReason(), s.Len())
			}
		})
	}
	// A valid one, for contrast: the cases above fail for what they hold, not for their form.
	s := acquire(t, m, signedCompressed(t, codec, `"sub":"bob",`, []byte(`{"a":1,"b":"x"}`)))
	if a, _ := s.Int("a"); s.IsNew() || a != 1 || !s.Has("sub") || s.Len() != 3 {
		t.Errorf("valid compressed session: IsNew %v (%v), a = %d, %d values", s.IsNew(), s.InvalidReason(), a, s.Len())
	}
	m.Release(s)
}

// The cap is the smaller of MaxInflatedSize and MaxCompressionRatio times the compressed size.
func TestCompressionRatioCap(t *testing.T) {
	m, codec := codecManager(t, session.Config{MaxCompressionRatio: 10})
	// Random-looking data compresses little; zeros compress a lot.
	for _, c := range []struct {
		fill   string
		reps   int
		accept bool
	}{
		{"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 2, true},
		{"0", 4000, false},
	} {
		inner := []byte(`{"a":"` + strings.Repeat(c.fill, c.reps) + `"}`)
		z := deflate(t, inner)
		s := acquire(t, m, signedCompressed(t, codec, "", inner))
		if s.IsNew() == c.accept {
			t.Errorf("%d bytes from %d (ratio %.1f, cap 10): IsNew %v (%v)", len(inner), len(z), float64(len(inner))/float64(len(z)), s.IsNew(), s.InvalidReason())
		}
		m.Release(s)
	}
	if _, err := session.New(codec, session.Config{MaxCompressionRatio: -1}); !errors.Is(err, session.ErrConfig) {
		t.Errorf("negative ratio: %v", err)
	}
}

// A bomb that inflates to 1 MiB, validly signed, costs a bounded amount: the allocations of one
// refused request stay far below the bomb's size. A bomb without a valid signature is never
// inflated at all.
func TestCompressionBombBoundedMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops objects)")
	}
	m, codec := codecManager(t, session.Config{})
	inner := append(append([]byte(`{"a":"`), bytes.Repeat([]byte("0"), 1<<20)...), `"}`...)
	bomb := signedCompressed(t, codec, "", inner)
	if len(bomb) > 3000 {
		t.Fatalf("bomb token is %d bytes: it must fit a cookie", len(bomb))
	}
	tampered := bomb[:len(bomb)-2] + "AA"
	hdr := func(tok string) header {
		h := http.Header{}
		h.Set("Cookie", "session="+tok)
		return header(h)
	}
	for name, h := range map[string]header{"signed bomb": hdr(bomb), "tampered bomb": hdr(tampered)} {
		run := func() {
			s, err := m.Acquire(context.Background(), h)
			if err != nil || !s.IsNew() {
				t.Fatalf("bomb accepted: %v", err)
			}
			m.Release(s)
		}
		run() // warm the pools
		allocs := testing.AllocsPerRun(50, run)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		const n = 50
		for range n {
			run()
		}
		runtime.ReadMemStats(&after)
		perRun := (after.TotalAlloc - before.TotalAlloc) / n
		t.Logf("%s: %.0f allocations, %d bytes per request", name, allocs, perRun)
		if allocs > 10 || perRun > 16<<10 {
			t.Errorf("%s: %.0f allocations and %d bytes per request, want at most 10 and 16 KiB (the bomb is 1 MiB)", name, allocs, perRun)
		}
	}
}

// codecFor is the codec of newManager.
func codecFor(t testing.TB) *fastjwt.Codec {
	_, c := codecManager(t, session.Config{})
	return c
}

// Data that compresses past the readers' cap is written plain, so that what is written can be
// read back.
func TestCompressRepetitiveWrittenPlain(t *testing.T) {
	m := newManager(t, session.Config{Compress: true})
	s := acquire(t, m, "")
	_ = s.Set("big", strings.Repeat("x", 2000)) // DEFLATE shrinks it over 100 times
	tok, _ := roundTrip(m, s)
	if p := payloadOf(t, tok); strings.Contains(p, "_deflate") {
		t.Errorf("payload compressed past the cap: %.80s", p)
	}
	s = acquire(t, m, tok)
	if v, _ := s.String("big"); len(v) != 2000 {
		t.Errorf("read back %d bytes (%v)", len(v), s.InvalidReason())
	}
	m.Release(s)
	// Under a looser cap it is compressed, and still read back.
	m = newManager(t, session.Config{Compress: true, MaxCompressionRatio: 1000})
	s = acquire(t, m, "")
	_ = s.Set("big", strings.Repeat("x", 2000))
	tok, _ = roundTrip(m, s)
	if p := payloadOf(t, tok); !strings.Contains(p, "_deflate") {
		t.Errorf("payload not compressed under ratio 1000: %.80s", p)
	}
	s = acquire(t, m, tok)
	if v, _ := s.String("big"); len(v) != 2000 {
		t.Errorf("read back %d bytes (%v)", len(v), s.InvalidReason())
	}
	m.Release(s)
}

// Reading a compressed session of a few members allocates nothing once the pools are warm.
func TestCompressedReadAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops objects)")
	}
	m := newManager(t, session.Config{Compress: true, MaxCompressionRatio: 1000})
	s := acquire(t, m, "")
	_ = s.Set("big", strings.Repeat("x", 500))
	_ = s.Set("n", 7)
	tok, _ := roundTrip(m, s)
	if !strings.Contains(payloadOf(t, tok), "_deflate") {
		t.Fatal("not compressed")
	}
	h := lines{"Cookie": {[]byte("session=" + tok)}}
	run := func() {
		s, err := m.Acquire(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Int("n"); n != 7 {
			t.Fatalf("n = %d (%v)", n, s.InvalidReason())
		}
		m.Release(s)
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%.0f allocations per read of a compressed session", n)
	}
}

// lines is a session.RequestHeader over fixed lines, which allocates nothing.
type lines map[string][][]byte

func (l lines) AppendValues(dst [][]byte, name string) [][]byte { return append(dst, l[name]...) }
