package sessiontest

import (
	"errors"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/gorillacookie"
)

// runLegacy tests the migration from gorilla/sessions' cookies over the server: a legacy cookie
// becomes the session and is re-issued in this library's format, in each phase; a tampered,
// expired or wrong-key one gives a new session and the hook hears why. (The cookies here are
// written by gorillacookie; the module migrationtest writes them with gorilla itself.)
func runLegacy(t *testing.T, st Stack) {
	legacy, err := gorillacookie.New(gorillacookie.Config{HashKey: Secret(40), BlockKey: Secret(41)[:16]})
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, name string, at time.Time, counter string) string {
		v, err := legacy.AppendEncode(nil, name, at, func(yield func(string, []byte) bool) {
			_ = yield("counter", []byte(counter)) && yield("user", []byte(`"alice"`))
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	serve := func(t *testing.T, phase session.LegacyPhase, name string) (string, *Clock, *hooks, *hooks) {
		clk := NewClock()
		h, lh := &hooks{}, &hooks{}
		cfg := session.Config{Legacy: &session.Legacy{Codec: legacy, CookieName: name, Phase: phase, OnError: lh.onError}}
		return sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(42)}), cfg, h), clk, h, lh
	}
	t.Run("read phase", func(t *testing.T) {
		base, clk, _, lh := serve(t, session.LegacyRead, "session")
		res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+write(t, "session", clk.Now(), "41"))
		tok := cookieToken(res, "session")
		if res.body != "42" || strings.Count(tok, ".") != 2 {
			t.Fatalf("legacy session: %q, cookie %q (%v)", res.body, tok, lh.lastError())
		}
		if res := get(t, plainClient, base+"/?op=get&name=user", "Cookie", "session="+tok); res.body != `"alice"` {
			t.Errorf("re-issued session: user %q", res.body)
		}
	})
	t.Run("write phase", func(t *testing.T) {
		base, clk, _, lh := serve(t, session.LegacyWrite, "gorilla")
		res := get(t, plainClient, base+"/?op=incr", "Cookie", "gorilla="+write(t, "gorilla", clk.Now(), "41"))
		if res.body != "42" || strings.Count(cookieToken(res, "session"), ".") != 2 {
			t.Fatalf("legacy session: %q, session cookie %q (%v)", res.body, cookieToken(res, "session"), lh.lastError())
		}
		var got []string
		if err := legacy.Decode("gorilla", []byte(cookieToken(res, "gorilla")), clk.Now(), func(n string, v []byte) { got = append(got, n+"="+string(v)) }, nil); err != nil {
			t.Fatalf("the legacy cookie written: %v", err)
		}
		if strings.Join(got, " ") != `counter=42 user="alice"` {
			t.Errorf("old servers read %v", got)
		}
		res = get(t, plainClient, base+"/?op=logout", "Cookie", "session="+cookieToken(res, "session")+"; gorilla="+cookieToken(res, "gorilla"))
		for _, sc := range res.header.Values("Set-Cookie") {
			if !strings.Contains(sc, "Max-Age=0") {
				t.Errorf("after logout: %s", sc)
			}
		}
		if n := len(res.header.Values("Set-Cookie")); n != 2 {
			t.Errorf("logout deletes %d cookies, want the session's and the legacy one", n)
		}
	})
	t.Run("refused", func(t *testing.T) {
		base, clk, h, lh := serve(t, session.LegacyRead, "session")
		good := write(t, "session", clk.Now(), "41")
		tampered := []byte(good)
		tampered[10] ^= 'A' ^ 'Q'
		other, _ := gorillacookie.New(gorillacookie.Config{HashKey: Secret(50), BlockKey: Secret(41)[:16]})
		wrongKey, _ := other.AppendEncode(nil, "session", clk.Now(), func(yield func(string, []byte) bool) { yield("counter", []byte("41")) }, nil)
		for name, c := range map[string]struct {
			value string
			want  error
		}{
			"tampered":  {string(tampered), session.ErrLegacy},
			"expired":   {write(t, "session", clk.Now().Add(-31*24*time.Hour), "41"), gorillacookie.ErrExpired},
			"wrong key": {string(wrongKey), gorillacookie.ErrMAC},
			"renamed":   {write(t, "other", clk.Now(), "41"), gorillacookie.ErrMAC},
		} {
			res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+c.value)
			if res.status != 200 || res.body != "1" {
				t.Errorf("%s legacy cookie: %d %q, want a new session", name, res.status, res.body)
			}
			if err := lh.lastError(); !errors.Is(err, session.ErrLegacy) || !errors.Is(err, c.want) {
				t.Errorf("%s: the hook heard %v, want %v", name, err, c.want)
			}
			if err := h.lastInvalid(); !errors.Is(err, session.ErrLegacy) {
				t.Errorf("%s: OnInvalid heard %v", name, err)
			}
		}
	})
}
