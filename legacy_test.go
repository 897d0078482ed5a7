package session_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/gorillacookie"
	"github.com/fastjwt/session/store"
)

var legacyKey = []byte("the legacy hash key, 32 bytes...")

func legacyCodec(t testing.TB, format gorillacookie.Format) *gorillacookie.Codec {
	t.Helper()
	c, err := gorillacookie.New(gorillacookie.Config{HashKey: legacyKey, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// legacyValue writes a legacy cookie value named name holding the pairs.
func legacyValue(t testing.TB, c *gorillacookie.Codec, name string, at time.Time, kv ...string) string {
	t.Helper()
	v, err := c.AppendEncode(nil, name, at, func(yield func(string, []byte) bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if !yield(kv[i], []byte(kv[i+1])) {
				return
			}
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// recorder collects the errors of a hook.
type recorder struct {
	mu   sync.Mutex
	errs []error
}

func (r *recorder) hook(err error) { r.mu.Lock(); r.errs = append(r.errs, err); r.mu.Unlock() }
func (r *recorder) all() []error   { r.mu.Lock(); defer r.mu.Unlock(); return slices.Clone(r.errs) }

func setCookies(h http.Header) map[string]string {
	out := map[string]string{}
	for _, sc := range h.Values("Set-Cookie") {
		pair, attrs, _ := strings.Cut(sc, ";")
		name, value, _ := strings.Cut(pair, "=")
		if strings.Contains(attrs, "Max-Age=0") {
			value = "<deleted>"
		}
		out[name] = value
	}
	return out
}

func TestLegacyReadPhase(t *testing.T) {
	codec := legacyCodec(t, gorillacookie.Gob)
	for _, legacyName := range []string{"session", "gorilla"} {
		t.Run("legacy cookie "+legacyName, func(t *testing.T) {
			rec := &recorder{}
			m := newManager(t, session.Config{Legacy: &session.Legacy{Codec: codec, CookieName: legacyName, OnError: rec.hook}})
			old := legacyValue(t, codec, legacyName, t0.Add(-time.Hour), "counter", "41", "user", `"alice"`)
			s, h := visit(t, m, legacyName+"="+old, func(s *session.Session) {
				n, _ := s.Int("counter")
				_ = s.Set("counter", n+1)
			})
			if s.IsNew() || s.Claims() != nil {
				t.Errorf("legacy session: IsNew %v, Claims %v", s.IsNew(), s.Claims())
			}
			m.Release(s)
			sc := setCookies(h)
			tok := sc["session"]
			if strings.Count(tok, ".") != 2 {
				t.Fatalf("re-issued cookie %q is not this library's token (%v)", tok, sc)
			}
			if legacyName != "session" && sc[legacyName] != "<deleted>" {
				t.Errorf("the legacy cookie of another name was not deleted: %v", sc)
			}
			// The take-over is the session's start: its absolute lifetime counts from now, not
			// from the legacy cookie's date (an hour ago), which records no login.
			var claims struct {
				AuthTime int64 `json:"auth_time"`
			}
			parts := strings.Split(tok, ".")
			if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || json.Unmarshal(raw, &claims) != nil || claims.AuthTime != t0.Unix() {
				t.Errorf("re-issued token's auth_time %d, want the take-over's %d (%v)", claims.AuthTime, t0.Unix(), err)
			}
			s = acquire(t, m, tok)
			n, _ := s.Int("counter")
			u, _ := s.String("user")
			if n != 42 || u != "alice" || s.IsNew() {
				t.Errorf("re-issued session: counter %d, user %q", n, u)
			}
			m.Release(s)
			// A handler that does not touch the session still gets it re-issued.
			_, h = visit(t, m, legacyName+"="+old, nil)
			if tok := setCookies(h)["session"]; strings.Count(tok, ".") != 2 {
				t.Errorf("untouched legacy session not re-issued: %v", h.Values("Set-Cookie"))
			}
			if errs := rec.all(); len(errs) != 0 {
				t.Errorf("hook heard %v", errs)
			}
			// A logout with both cookies still held deletes both: the legacy one must not bring
			// the session back.
			_, h = visit(t, m, "session="+tok+"; "+legacyName+"="+old, func(s *session.Session) { s.Clear() })
			if sc := setCookies(h); sc["session"] != "<deleted>" || sc[legacyName] != "<deleted>" {
				t.Errorf("after Clear: %v", sc)
			}
		})
	}
}

func TestLegacyRefused(t *testing.T) {
	codec := legacyCodec(t, gorillacookie.Gob)
	other, _ := gorillacookie.New(gorillacookie.Config{HashKey: []byte("a different hash key, 32 bytes.."), Format: gorillacookie.Gob})
	good := legacyValue(t, codec, "session", t0, "counter", "41")
	b := []byte(good)
	b[len(b)/2] ^= 'A' ^ 'B'
	cases := map[string]struct {
		value string
		want  error
	}{
		"tampered":    {string(b), gorillacookie.ErrMalformed},
		"expired":     {legacyValue(t, codec, "session", t0.Add(-31*24*time.Hour), "counter", "41"), gorillacookie.ErrExpired},
		"wrong key":   {legacyValue(t, other, "session", t0, "counter", "41"), gorillacookie.ErrMAC},
		"other name":  {legacyValue(t, codec, "other", t0, "counter", "41"), gorillacookie.ErrMAC},
		"not base64":  {"@@@@", gorillacookie.ErrMalformed},
		"MAC flipped": {flipLastMAC(t, good), gorillacookie.ErrMAC},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec, invalid := &recorder{}, &recorder{}
			m := newManager(t, session.Config{OnInvalid: invalid.hook, Legacy: &session.Legacy{Codec: codec, OnError: rec.hook}})
			s, h := visit(t, m, "session="+tc.value, nil)
			defer m.Release(s)
			errs := rec.all()
			if !s.IsNew() || s.Len() != 0 || len(errs) != 1 || !errors.Is(errs[0], session.ErrLegacy) {
				t.Fatalf("IsNew %v, %d values, hook %v: want a new session and ErrLegacy", s.IsNew(), s.Len(), errs)
			}
			if name != "tampered" && !errors.Is(errs[0], tc.want) {
				t.Errorf("hook heard %v, want %v", errs[0], tc.want)
			}
			if !errors.Is(s.InvalidReason(), session.ErrLegacy) || len(invalid.all()) != 1 {
				t.Errorf("InvalidReason %v, OnInvalid %v", s.InvalidReason(), invalid.all())
			}
			if sc := setCookies(h); len(sc) != 0 {
				t.Errorf("Set-Cookie %v for a refused legacy cookie and an untouched session", sc)
			}
		})
	}
}

// flipLastMAC changes the last byte of the MAC inside a legacy value.
func flipLastMAC(t testing.TB, v string) string {
	t.Helper()
	raw, err := base64URLPadded.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	return base64URLPadded.EncodeToString(raw)
}

// The legacy codec never sees a JWS, and a valid token of this library wins over a legacy
// cookie of another name.
func TestLegacyNeverReadsTokens(t *testing.T) {
	spy := &spyCodec{LegacyCodec: legacyCodec(t, gorillacookie.Gob)}
	m := newManager(t, session.Config{Legacy: &session.Legacy{Codec: spy, CookieName: "gorilla"}})
	s := acquire(t, m, "")
	_ = s.Set("counter", 7)
	tok, _ := roundTrip(m, s)
	old := legacyValue(t, spy.LegacyCodec.(*gorillacookie.Codec), "gorilla", t0, "counter", "41")
	for _, cookies := range []string{
		"session=" + tok + "; gorilla=" + old, // a valid token: the legacy cookie is not read
		"gorilla=" + tok,                      // a JWS in the legacy cookie: never the legacy codec's
		"gorilla=" + tok[:len(tok)-3] + "xyz", // nor a tampered one
		"session=" + tok[:len(tok)-3] + "xyz", // an invalid token and no legacy cookie
	} {
		s, _ := visit(t, m, cookies, nil)
		m.Release(s)
	}
	if n := spy.calls(); n != 0 {
		t.Errorf("the legacy codec was called %d times", n)
	}
	s, _ = visit(t, m, "session="+tok+"; gorilla="+old, nil)
	if n, _ := s.Int("counter"); n != 7 {
		t.Errorf("counter %d: the token must win over the legacy cookie", n)
	}
	m.Release(s)
}

type spyCodec struct {
	session.LegacyCodec
	mu sync.Mutex
	n  int
}

func (s *spyCodec) Decode(name string, value []byte, now time.Time, add func(string, []byte), drop func(string, error)) error {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return s.LegacyCodec.Decode(name, value, now, add, drop)
}
func (s *spyCodec) calls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.n }

// Values the session cannot hold are dropped by name, and the rest kept.
func TestLegacyDrops(t *testing.T) {
	codec := legacyCodec(t, gorillacookie.JSON)
	rec := &recorder{}
	m := newManager(t, session.Config{Legacy: &session.Legacy{Codec: codec, OnError: rec.hook}})
	old := legacyValue(t, codec, "session", t0, "counter", "41", "exp", "1", "sub", "42", "nbf", "99999999999", "prefs", `{"a":[1,2]}`)
	s, _ := visit(t, m, "session="+old, nil)
	defer m.Release(s)
	if got := s.Names(); !slices.Equal(got, []string{"counter", "prefs"}) {
		t.Errorf("names %v, want counter and prefs", got)
	}
	var dropped []string
	for _, err := range rec.all() {
		if !errors.Is(err, session.ErrLegacyValue) {
			t.Errorf("hook: %v", err)
		}
		for _, n := range []string{"exp", "sub", "nbf"} {
			if strings.Contains(err.Error(), `"`+n+`"`) {
				dropped = append(dropped, n)
			}
		}
	}
	slices.Sort(dropped)
	if !slices.Equal(dropped, []string{"exp", "nbf", "sub"}) {
		t.Errorf("dropped %v (hook %v)", dropped, rec.all())
	}
}

func TestLegacyWritePhase(t *testing.T) {
	codec := legacyCodec(t, gorillacookie.Gob)
	for _, legacyName := range []string{"session", "gorilla"} {
		t.Run("legacy cookie "+legacyName, func(t *testing.T) {
			rec := &recorder{}
			m := newManager(t, session.Config{Legacy: &session.Legacy{Codec: codec, CookieName: legacyName, Phase: session.LegacyWrite, OnError: rec.hook}})
			old := legacyValue(t, codec, legacyName, t0, "counter", "41")
			s, h := visit(t, m, legacyName+"="+old, func(s *session.Session) {
				n, _ := s.Int("counter")
				_ = s.Set("counter", n+1)
				_ = s.Set("prefs", map[string]int{"a": 1}) // no gob form without registered types
			})
			m.Release(s)
			sc := setCookies(h)
			v := sc[legacyName]
			if v == "" || strings.Contains(v, ".") || v == "<deleted>" {
				t.Fatalf("no legacy cookie written: %v", sc)
			}
			if legacyName == "session" && len(sc) != 1 {
				t.Errorf("same name: want only the legacy cookie, got %v", sc)
			}
			if legacyName != "session" && strings.Count(sc["session"], ".") != 2 {
				t.Errorf("other name: want this library's token too, got %v", sc)
			}
			// What an old server reads.
			var got []string
			if err := codec.Decode(legacyName, []byte(v), t0, func(n string, v []byte) { got = append(got, n+"="+string(v)) }, nil); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []string{"counter=42"}) {
				t.Errorf("old servers read %v", got)
			}
			if errs := rec.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrLegacyValue) || !strings.Contains(errs[0].Error(), "prefs") {
				t.Errorf("hook heard %v, want prefs dropped", errs)
			}
			// Logout clears both.
			s, h = visit(t, m, legacyName+"="+v, func(s *session.Session) { s.Clear() })
			m.Release(s)
			for n, val := range setCookies(h) {
				if val != "<deleted>" {
					t.Errorf("after Clear, %s=%s", n, val)
				}
			}
			if sc := setCookies(h); sc[legacyName] != "<deleted>" {
				t.Errorf("after Clear the legacy cookie stays: %v", sc)
			}
		})
	}
}

func TestLegacyOffAndConfig(t *testing.T) {
	codec := legacyCodec(t, gorillacookie.Gob)
	m := newManager(t, session.Config{Legacy: &session.Legacy{Codec: codec, Phase: session.LegacyOff}})
	s, _ := visit(t, m, "session="+legacyValue(t, codec, "session", t0, "counter", "41"), nil)
	if !s.IsNew() {
		t.Error("LegacyOff read a legacy cookie")
	}
	m.Release(s)
	for _, l := range []*session.Legacy{{}, {Codec: codec, CookieName: "a b"}, {Codec: codec, Phase: 9}} {
		if _, err := session.New(codecFor(t), session.Config{Legacy: l}); !errors.Is(err, session.ErrConfig) {
			t.Errorf("%+v: %v", l, err)
		}
	}
	if _, err := session.New(codecFor(t), session.Config{Legacy: &session.Legacy{Codec: codec}, Store: store.NewMemory(store.MemoryOptions{})}); !errors.Is(err, session.ErrConfig) {
		t.Errorf("Legacy with a Store: %v", err)
	}
}

var base64URLPadded = base64.URLEncoding
