package sessiontest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

// runLifetime: the idle timeout and the absolute lifetime (OWASP ASVS 5.0 7.3.1, 7.3.2) over the
// wire. An active session is renewed until auth_time + AbsoluteLifetime and no further: the
// cookie's Max-Age ends there, a request a nanosecond before the end keeps the session, a request
// at the end gets a new one and OnInvalid hears session.ErrAbsoluteLifetime; in cookie and
// server-side modes.
func runLifetime(t *testing.T, st Stack) {
	key := fastjwt.Key{ID: "k1", Secret: Secret(1)}
	for name, cfg := range map[string]func(clk *Clock) session.Config{
		"cookie": func(*Clock) session.Config { return session.Config{} },
		"server-side": func(clk *Clock) session.Config {
			return session.Config{Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now})}
		},
	} {
		t.Run(name, func(t *testing.T) {
			clk := NewClock()
			h := &hooks{}
			c := cfg(clk)
			c.Lifetime, c.RenewAfter, c.AbsoluteLifetime = time.Hour, 30*time.Minute, 4*time.Hour
			base := sessionServer(t, st, clk, Codec(t, clk, key), c, h)
			start := clk.Now()
			end := start.Add(4 * time.Hour)
			res := get(t, plainClient, base+"/?op=incr")
			tok := cookieToken(res, "session")
			// The client comes back at once: a server-side session is then an ordinary one, no
			// longer provisional (whose idle lifetime is store.ProvisionalLifetime).
			if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.body != "1" {
				t.Fatalf("the session's second request: counter %q, want 1", res.body)
			}
			n := 1
			// Every 45 minutes: renewed, the counter goes on.
			for at := 45 * time.Minute; at < 4*time.Hour; at += 45 * time.Minute {
				clk.Advance(45 * time.Minute)
				res = get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok)
				n++
				if res.body != strconv.Itoa(n) {
					t.Fatalf("at %v: counter %q, want %d (reason %v)", at, res.body, n, h.lastInvalid())
				}
				tok = cookieToken(res, "session")
				maxAge := min(time.Hour, 4*time.Hour-at) / time.Second
				if want := "; Max-Age=" + strconv.Itoa(int(maxAge)) + "; Expires=" + clk.Now().Add(maxAge*time.Second).UTC().Format(http.TimeFormat); !strings.Contains(res.header.Get("Set-Cookie"), want) {
					t.Fatalf("at %v: Set-Cookie %q lacks %q", at, res.header.Get("Set-Cookie"), want)
				}
			}
			clk.Advance(end.Sub(clk.Now()) - time.Nanosecond)
			res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
			if res.body != strconv.Itoa(n) || h.lastInvalid() != nil {
				t.Fatalf("a nanosecond before the end: counter %q, want %d (reason %v)", res.body, n, h.lastInvalid())
			}
			clk.Advance(time.Nanosecond)
			res = get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok)
			if res.body != "1" {
				t.Fatalf("at the end: counter %q, want a new session's 1", res.body)
			}
			if err := h.lastInvalid(); !errors.Is(err, session.ErrAbsoluteLifetime) {
				t.Fatalf("OnInvalid heard %v, want session.ErrAbsoluteLifetime", err)
			}
		})
	}

	t.Run("login starts the absolute lifetime again", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{Lifetime: time.Hour, AbsoluteLifetime: 2 * time.Hour}, h)
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		clk.Advance(50 * time.Minute)
		tok = cookieToken(get(t, plainClient, base+"/?op=regenerate", "Cookie", "session="+tok), "session")
		clk.Advance(50 * time.Minute)
		tok = cookieToken(get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok), "session")
		clk.Advance(50 * time.Minute) // 2h30m after the first token, 1h40m after the login
		if res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok); res.body != "3" {
			t.Fatalf("after the login: counter %q, want 3 (reason %v)", res.body, h.lastInvalid())
		}
	})
}

// runSecure: with session.SecureAuto (the default) a response to a TLS request sets the cookie
// Secure and one to a plain request does not; X-Forwarded-Proto counts only with
// TrustForwardedProto; SecureAlways and SecureNever win (OWASP ASVS 5.0 3.3.1).
func runSecure(t *testing.T, st Stack) {
	key := fastjwt.Key{ID: "k1", Secret: Secret(1)}
	serve := func(t *testing.T, tls bool, cfg session.Config) (string, *http.Client) {
		clk := NewClock()
		cfg.Now = clk.Now
		m, err := session.New(Codec(t, clk, key), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if tls {
			base, client, stop := st.ServeSessionsTLS(t, m, CounterHandler)
			t.Cleanup(stop)
			return base, client
		}
		base, stop := st.ServeSessions(t, m, CounterHandler)
		t.Cleanup(stop)
		return base, plainClient
	}
	for _, c := range []struct {
		name   string
		tls    bool
		cfg    session.Config
		hdr    []string
		secure bool
	}{
		{"auto over TLS", true, session.Config{}, nil, true},
		{"auto over plain HTTP", false, session.Config{}, nil, false},
		{"auto, forwarded https, untrusted", false, session.Config{}, []string{"X-Forwarded-Proto", "https"}, false},
		{"auto, forwarded https, trusted", false, session.Config{TrustForwardedProto: true}, []string{"X-Forwarded-Proto", "https"}, true},
		{"auto, forwarded http, trusted", false, session.Config{TrustForwardedProto: true}, []string{"X-Forwarded-Proto", "http"}, false},
		{"always over plain HTTP", false, session.Config{Secure: session.SecureAlways}, nil, true},
		{"never over TLS", true, session.Config{Secure: session.SecureNever}, nil, false},
		{"auto, __Host- name, plain HTTP", false, session.Config{CookieName: "__Host-s"}, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, client := serve(t, c.tls, c.cfg)
			if c.tls != strings.HasPrefix(base, "https://") {
				t.Fatalf("base URL %q", base)
			}
			res := get(t, client, base+"/?op=incr", c.hdr...)
			sc := res.header.Get("Set-Cookie")
			if res.body != "1" || sc == "" {
				t.Fatalf("%d %q, Set-Cookie %q", res.status, res.body, sc)
			}
			if got := strings.Contains(sc, "; Secure"); got != c.secure {
				t.Fatalf("Set-Cookie %q: Secure %v, want %v", sc, got, c.secure)
			}
			// The deleting Set-Cookie follows the same rule.
			name, rest, _ := strings.Cut(sc, "=")
			tok, _, _ := strings.Cut(rest, ";")
			res = get(t, client, base+"/?op=clear", append([]string{"Cookie", name + "=" + tok}, c.hdr...)...)
			del := res.header.Get("Set-Cookie")
			if !strings.Contains(del, "Max-Age=0") || strings.Contains(del, "; Secure") != c.secure {
				t.Fatalf("deleting Set-Cookie %q: want Max-Age=0, Secure %v", del, c.secure)
			}
		})
	}
}
