package sessiontest

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

func runSessions(t *testing.T, st Stack) {
	key := fastjwt.Key{ID: "k1", Secret: Secret(1)}

	t.Run("counter over a cookie jar", func(t *testing.T) {
		clk := NewClock()
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, &hooks{})
		c := newClient(t)
		for want := 1; want <= 3; want++ {
			res := get(t, c, base+"/?op=incr")
			if res.body != strconv.Itoa(want) {
				t.Fatalf("request %d: body %q, want %d", want, res.body, want)
			}
			if !hasValue(res.header, "Vary", "Cookie") {
				t.Errorf("Vary = %q, want Cookie", res.header.Values("Vary"))
			}
			if got := res.header.Get("Cache-Control"); got != "private, no-store" {
				t.Errorf("Cache-Control = %q on a response that sets the cookie", got)
			}
		}
	})

	t.Run("tampered cookie gives a fresh session", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, h)
		res := get(t, plainClient, base+"/?op=incr")
		tok := cookieToken(res, "session")
		res = get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok)
		if res.body != "2" {
			t.Fatalf("valid cookie: body %q, want 2", res.body)
		}
		tok = cookieToken(res, "session")
		// Flip one payload character: the MAC no longer matches.
		parts := strings.Split(tok, ".")
		p := []byte(parts[1])
		p[2] ^= 1
		bad := parts[0] + "." + string(p) + "." + parts[2]
		res = get(t, plainClient, base+"/?op=incr", "Cookie", "session="+bad)
		if res.status != 200 || res.body != "1" {
			t.Fatalf("tampered cookie: %d %q, want 200 and a fresh counter 1", res.status, res.body)
		}
		if err := h.lastInvalid(); !errors.Is(err, fastjwt.ErrSignature) && !errors.Is(err, fastjwt.ErrMalformed) {
			t.Errorf("OnInvalid got %v, want a signature or malformed error", err)
		}
		for _, junk := range []string{"garbage", "a.b.c", `"quoted.value.x"`} {
			res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+junk)
			if res.status != 200 || res.body != "0" {
				t.Errorf("cookie %q: %d %q, want 200 0", junk, res.status, res.body)
			}
		}
	})

	t.Run("expired cookie gives a fresh session", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{Lifetime: time.Hour}, h)
		c := newClient(t)
		get(t, c, base+"/?op=incr")
		get(t, c, base+"/?op=incr")
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		clk.Advance(time.Hour)
		res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if res.status != 200 || res.body != "0" {
			t.Fatalf("expired cookie: %d %q, want 200 0", res.status, res.body)
		}
		if err := h.lastInvalid(); !errors.Is(err, fastjwt.ErrExpired) {
			t.Errorf("OnInvalid got %v, want ErrExpired", err)
		}
	})

	t.Run("unchanged session sends no Set-Cookie", func(t *testing.T) {
		clk := NewClock()
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, &hooks{})
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if res.body != "1" {
			t.Fatalf("body %q, want 1", res.body)
		}
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("unchanged session sent Set-Cookie %q", sc)
		}
		if !hasValue(res.header, "Vary", "Cookie") {
			t.Errorf("Vary = %q, want Cookie", res.header.Values("Vary"))
		}
		// Setting the same value again is no change either.
		res = get(t, plainClient, base+"/?op=id", "Cookie", "session="+tok, "X-Client", "a")
		tok = cookieToken(res, "session")
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 || res.body != "2" {
			t.Errorf("after id: %q Set-Cookie %q", res.body, sc)
		}
		// A fresh session that is never written sets nothing.
		res = get(t, plainClient, base+"/?op=read")
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("untouched new session sent Set-Cookie %q", sc)
		}
	})

	t.Run("renewal past half-life", func(t *testing.T) {
		clk := NewClock()
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{Lifetime: 2 * time.Hour}, &hooks{})
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		clk.Advance(59 * time.Minute)
		res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("renewed before half-life: %q", sc)
		}
		clk.Advance(time.Minute)
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		renewed := cookieToken(res, "session")
		if renewed == "" || renewed == tok {
			t.Fatalf("not renewed at half-life: %q", res.header.Values("Set-Cookie"))
		}
		// The renewed token carries the data and lives a full lifetime from now.
		clk.Advance(90 * time.Minute)
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+renewed)
		if res.body != "1" {
			t.Errorf("renewed session: body %q, want 1", res.body)
		}
	})

	t.Run("rotation re-issues under the new key", func(t *testing.T) {
		clk := NewClock()
		oldKey := fastjwt.Key{ID: "old", Secret: Secret(10)}
		newKey := fastjwt.Key{ID: "new", Secret: Secret(20)}
		oldBase := sessionServer(t, st, clk, Codec(t, clk, oldKey), session.Config{}, &hooks{})
		tok := cookieToken(get(t, plainClient, oldBase+"/?op=incr"), "session")
		newBase := sessionServer(t, st, clk, Codec(t, clk, newKey, oldKey), session.Config{}, &hooks{})
		res := get(t, plainClient, newBase+"/?op=read", "Cookie", "session="+tok)
		if res.body != "1" {
			t.Fatalf("old-key session not accepted: body %q", res.body)
		}
		reissued := cookieToken(res, "session")
		if reissued == "" {
			t.Fatal("old-key session not re-issued")
		}
		var cl fastjwt.Claims
		if _, err := Codec(t, clk, newKey).AppendVerifyClaims(nil, []byte(reissued), &cl); err != nil {
			t.Fatalf("re-issued token does not verify under the new key alone: %v", err)
		}
		res = get(t, plainClient, newBase+"/?op=read", "Cookie", "session="+reissued)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 || res.body != "1" {
			t.Errorf("new-key session: %q, Set-Cookie %q", res.body, sc)
		}
	})

	t.Run("oversize cookie keeps the old one", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, h)
		c := newClient(t)
		get(t, c, base+"/?op=incr")
		res := get(t, c, base+"/?op=big&n=2300") // base64 grows 4/3: over 3072 bytes
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("oversize session sent Set-Cookie of %d bytes", len(sc[0]))
		}
		if err := h.lastError(); !errors.Is(err, session.ErrCookieTooLarge) {
			t.Fatalf("OnError got %v, want ErrCookieTooLarge", err)
		}
		if res := get(t, c, base+"/?op=incr"); res.body != "2" {
			t.Errorf("after oversize: counter %q, want 2 (the old cookie kept)", res.body)
		}
		// Under the limit still fits.
		if res := get(t, c, base+"/?op=big&n=2000"); len(res.header.Values("Set-Cookie")) != 1 {
			t.Errorf("a cookie under 3072 bytes was not sent")
		}
	})

	t.Run("cookie attributes", func(t *testing.T) {
		clk := NewClock()
		cfg := session.Config{
			CookieName: "sid", Path: "/app", Domain: "example.test", Lifetime: time.Hour,
			Secure: session.SecureAlways, SameSite: session.SameSiteStrict, Partitioned: true,
		}
		base := sessionServer(t, st, clk, Codec(t, clk, key), cfg, &hooks{})
		res := get(t, plainClient, base+"/app?op=incr")
		sc := res.header.Values("Set-Cookie")
		if len(sc) != 1 {
			t.Fatalf("Set-Cookie = %q", sc)
		}
		tok := cookieToken(res, "sid")
		want := "sid=" + tok + "; Max-Age=3600; Expires=" + clk.Now().Add(time.Hour).Format(http.TimeFormat) +
			"; Path=/app; Domain=example.test; Secure; HttpOnly; SameSite=Strict; Partitioned"
		if tok == "" || sc[0] != want {
			t.Errorf("Set-Cookie\n got %s\nwant %s", sc[0], want)
		}
		res = get(t, plainClient, base+"/app?op=clear", "Cookie", "sid="+tok)
		want = "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" +
			"; Path=/app; Domain=example.test; Secure; HttpOnly; SameSite=Strict; Partitioned"
		if sc := res.header.Values("Set-Cookie"); len(sc) != 1 || sc[0] != want {
			t.Errorf("clear: Set-Cookie %q, want %q", sc, want)
		}

		// Defaults, and a cookie page scripts may read.
		base = sessionServer(t, st, clk, Codec(t, clk, key), session.Config{ScriptReadable: true, SameSite: session.SameSiteLax}, &hooks{})
		res = get(t, plainClient, base+"/?op=incr")
		tok = cookieToken(res, "session")
		want = "session=" + tok + "; Max-Age=86400; Expires=" + clk.Now().Add(24*time.Hour).Format(http.TimeFormat) +
			"; Path=/; SameSite=Lax"
		if sc := res.header.Values("Set-Cookie"); len(sc) != 1 || sc[0] != want {
			t.Errorf("script-readable: Set-Cookie %q, want %q", sc, want)
		}
		// A browser stores it with the attributes we sent.
		u, _ := url.Parse(base)
		parsed, err := http.ParseSetCookie(res.header.Get("Set-Cookie"))
		if err != nil || parsed.HttpOnly || parsed.SameSite != http.SameSiteLaxMode || parsed.MaxAge != 86400 {
			t.Errorf("ParseSetCookie: %+v, %v (host %s)", parsed, err, u.Host)
		}
	})
}
