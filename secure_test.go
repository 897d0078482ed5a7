package session_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	session "github.com/fastjwt/session"
)

// tlsHeader is a header whose request arrived over TLS (session.TLSRequest).
type tlsHeader struct{ header }

func (tlsHeader) TLS() bool { return true }

// setCookieFor returns the Set-Cookie of a new session written for a request with header h.
func setCookieFor(t *testing.T, m *session.Manager, h session.RequestHeader) string {
	t.Helper()
	s, err := m.Acquire(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("n", 1); err != nil {
		t.Fatal(err)
	}
	_, resp := roundTrip(m, s)
	return resp.Get("Set-Cookie")
}

// TestSecure: SecureAuto sets Secure on TLS requests only (and on X-Forwarded-Proto: https with
// TrustForwardedProto), SecureAlways and SecureNever win, and a name prefix, SameSite=None or
// Partitioned make SecureAuto always Secure.
func TestSecure(t *testing.T) {
	plain := func(kv ...string) session.RequestHeader {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return header(h)
	}
	tls := tlsHeader{header(http.Header{})}
	for _, c := range []struct {
		name   string
		cfg    session.Config
		h      session.RequestHeader
		secure bool
	}{
		{"auto, plain", session.Config{}, plain(), false},
		{"auto, TLS", session.Config{}, tls, true},
		{"auto, forwarded https, untrusted", session.Config{}, plain("X-Forwarded-Proto", "https"), false},
		{"auto, forwarded https, trusted", session.Config{TrustForwardedProto: true}, plain("X-Forwarded-Proto", "https"), true},
		{"auto, forwarded HTTPS, trusted", session.Config{TrustForwardedProto: true}, plain("X-Forwarded-Proto", " HTTPS "), true},
		{"auto, forwarded http, trusted", session.Config{TrustForwardedProto: true}, plain("X-Forwarded-Proto", "http"), false},
		{"auto, forwarded list, trusted", session.Config{TrustForwardedProto: true}, plain("X-Forwarded-Proto", "https, http"), false},
		{"auto, forwarded twice, trusted", session.Config{TrustForwardedProto: true}, plain("X-Forwarded-Proto", "https", "X-Forwarded-Proto", "https"), false},
		{"always, plain", session.Config{Secure: session.SecureAlways}, plain(), true},
		{"never, TLS", session.Config{Secure: session.SecureNever}, tls, false},
		{"never, forwarded https, trusted", session.Config{Secure: session.SecureNever, TrustForwardedProto: true}, plain("X-Forwarded-Proto", "https"), false},
		{"auto, __Host- name, plain", session.Config{CookieName: "__Host-id"}, plain(), true},
		{"auto, __Secure- name, plain", session.Config{CookieName: "__Secure-id"}, plain(), true},
		{"auto, SameSite=None, plain", session.Config{SameSite: session.SameSiteNone}, plain(), true},
		{"auto, Partitioned, plain", session.Config{Partitioned: true}, plain(), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newManager(t, c.cfg)
			sc := setCookieFor(t, m, c.h)
			if got := strings.Contains(sc, "; Secure"); got != c.secure {
				t.Fatalf("Set-Cookie %q: Secure %v, want %v", sc, got, c.secure)
			}
			// The deleting Set-Cookie follows the same rule.
			name, _, _ := strings.Cut(sc, "=")
			tok, _, _ := strings.Cut(strings.TrimPrefix(sc, name+"="), ";")
			var h session.RequestHeader
			cookie := http.Header{"Cookie": {name + "=" + tok}}
			if inner, ok := c.h.(header); ok {
				for k, v := range inner {
					cookie[k] = v
				}
				h = header(cookie)
			} else {
				h = tlsHeader{header(cookie)}
			}
			s, err := m.Acquire(context.Background(), h)
			if err != nil {
				t.Fatal(err)
			}
			s.Clear()
			_, resp := roundTrip(m, s)
			del := resp.Get("Set-Cookie")
			if !strings.Contains(del, "Max-Age=0") || strings.Contains(del, "; Secure") != c.secure {
				t.Fatalf("deleting Set-Cookie %q: want Max-Age=0, Secure %v", del, c.secure)
			}
		})
	}
}
