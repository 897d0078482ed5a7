package session_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

func TestConfigErrors(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}})
	for _, cfg := range []session.Config{
		{CookieName: "bad name"},
		{Path: "/a;b"},
		{Path: "relative"},
		{Domain: "x\r\ny"},
		{SameSite: session.SameSiteNone, Secure: session.SecureNever},
		{Partitioned: true, Secure: session.SecureNever},
		{Secure: 3},
		{Lifetime: 2 * time.Hour, AbsoluteLifetime: time.Hour},
		{Lifetime: time.Millisecond},
		{SameSite: 99},
		{Lifetime: time.Hour, RenewAfter: 2 * time.Hour},
		{MaxCookieSize: session.MaxCookieSize + 1},
		{MaxCookieSize: -1},
		{CookieName: "__Host-id", Secure: session.SecureNever},                                  // no Secure
		{CookieName: "__Host-id", Secure: session.SecureAlways, Domain: "example.com"},          // a Domain
		{CookieName: "__Host-id", Secure: session.SecureAlways, Path: "/app"},                   // Path other than /
		{CookieName: "__host-id", Secure: session.SecureAlways, Domain: "example.com"},          // prefixes ignore case
		{CookieName: "__Secure-id", Secure: session.SecureNever},                                // no Secure
		{CookieName: "__SECURE-id", SameSite: session.SameSiteLax, Secure: session.SecureNever}, // no Secure
	} {
		if _, err := session.New(codec, cfg); !errors.Is(err, session.ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
	if _, err := session.New(nil, session.Config{}); !errors.Is(err, session.ErrConfig) {
		t.Error("nil codec accepted")
	}
	for _, cfg := range []session.Config{
		{CookieName: "__Host-id", Secure: session.SecureAlways},
		{CookieName: "__Host-id"}, // SecureAuto: Secure on every response
		{SameSite: session.SameSiteNone},
		{Partitioned: true},
		{CookieName: "__Secure-id", Secure: session.SecureAlways, Domain: "example.com", Path: "/app"},
		{Lifetime: time.Hour, RenewAfter: time.Hour},
		{RenewAfter: -1},
		{MaxCookieSize: session.MaxCookieSize},
	} {
		if _, err := session.New(codec, cfg); err != nil {
			t.Errorf("New(%+v) = %v", cfg, err)
		}
	}
}

// A codec whose policy refuses every session the Manager would issue is refused at New, with the
// reason, instead of silently dropping every session (every request a new one).
func TestConfigRefusesCodecThatRefusesSessions(t *testing.T) {
	key := []fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}
	past := func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }
	for name, tc := range map[string]struct {
		opts []fastjwt.Option
		cfg  session.Config
		want error
	}{
		"an audience":            {[]fastjwt.Option{fastjwt.WithAudience("api.example.com")}, session.Config{}, fastjwt.ErrAudience},
		"an issuer":              {[]fastjwt.Option{fastjwt.WithIssuer("https://auth.example.com")}, session.Config{}, fastjwt.ErrIssuer},
		"a clock far behind":     {[]fastjwt.Option{fastjwt.WithClock(time.Now)}, session.Config{Now: past}, fastjwt.ErrExpired},
		"a token size too small": {[]fastjwt.Option{fastjwt.WithMaxTokenSize(40)}, session.Config{}, fastjwt.ErrTooLarge},
	} {
		codec, err := fastjwt.NewHS256(key, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = session.New(codec, tc.cfg)
		if !errors.Is(err, session.ErrConfig) || !errors.Is(err, tc.want) {
			t.Errorf("%s: New = %v, want ErrConfig and %v", name, err, tc.want)
		}
	}
	// AcceptAnyAudience is fine: sessions carry no "aud".
	codec, _ := fastjwt.NewHS256(key, fastjwt.AcceptAnyAudience())
	if _, err := session.New(codec, session.Config{}); err != nil {
		t.Errorf("AcceptAnyAudience codec: %v", err)
	}
}
