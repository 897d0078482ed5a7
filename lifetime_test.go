package session_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

// clock is a clock tests move by hand, shared by a codec and a Manager.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time   { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)  { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newClock(t time.Time) *clock { return &clock{t: t} }
func unix(t time.Time) string     { return strconv.FormatInt(t.Unix(), 10) }

// unixExact is t as the session layer writes "iat": whole seconds, then the nanoseconds without
// trailing zeros.
func unixExact(t time.Time) string {
	s := unix(t)
	if ns := t.Nanosecond(); ns != 0 {
		s += strings.TrimRight("."+fmt.Sprintf("%09d", ns), "0")
	}
	return s
}
func lifetimeCodec(t *testing.T, c *clock) *fastjwt.Codec { return codecAt(t, c.Now) }

func codecAt(t *testing.T, now func() time.Time) *fastjwt.Codec {
	t.Helper()
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, fastjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	return codec
}

// lifetimeManager returns a Manager with a one-hour idle timeout renewed after half an hour and
// a four-hour absolute lifetime, on clk, recording OnInvalid's reasons.
func lifetimeManager(t *testing.T, clk *clock, cfg session.Config) (*session.Manager, *[]error) {
	t.Helper()
	var reasons []error
	cfg.Lifetime, cfg.RenewAfter = time.Hour, 30*time.Minute
	if cfg.AbsoluteLifetime == 0 {
		cfg.AbsoluteLifetime = 4 * time.Hour
	}
	cfg.Now = clk.Now
	cfg.OnInvalid = func(err error) { reasons = append(reasons, err) }
	m, err := session.New(lifetimeCodec(t, clk), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, &reasons
}

// payload returns the payload of token's JWT as a map of raw JSON values.
func payload(t *testing.T, token string) map[string]json.RawMessage {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkTimes checks the token's auth_time, iat and exp, and the Set-Cookie's Max-Age and Expires.
func checkTimes(t *testing.T, token, setCookie string, authTime, iat, exp time.Time) {
	t.Helper()
	p := payload(t, token)
	for name, want := range map[string]string{"auth_time": unix(authTime), "iat": unixExact(iat), "exp": unix(exp)} {
		if got := string(p[name]); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	attrs := "; Max-Age=" + strconv.FormatInt(exp.Unix()-iat.Unix(), 10) + "; Expires=" + exp.UTC().Format(http1123)
	if !strings.Contains(setCookie, attrs) {
		t.Errorf("Set-Cookie %q lacks %q", setCookie, attrs)
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

// TestAbsoluteLifetime follows an active session through renewals to its absolute end: auth_time
// stays, exp and the cookie stop at the end, auth_time+4h-1ns is valid and auth_time+4h is a new
// session whose reason is ErrAbsoluteLifetime.
func TestAbsoluteLifetime(t *testing.T) {
	clk := newClock(t0)
	m, reasons := lifetimeManager(t, clk, session.Config{})
	s := acquire(t, m, "")
	if err := s.Set("user", "ann"); err != nil {
		t.Fatal(err)
	}
	tok, h := roundTrip(m, s)
	checkTimes(t, tok, h.Get("Set-Cookie"), t0, t0, t0.Add(time.Hour))
	end := t0.Add(4 * time.Hour)
	// Renewed every 45 minutes: iat moves, auth_time does not.
	for at := t0.Add(45 * time.Minute); at.Before(end); at = at.Add(45 * time.Minute) {
		clk.set(at)
		s := acquire(t, m, tok)
		if s.IsNew() {
			t.Fatalf("at %v: new session (%v)", at.Sub(t0), s.InvalidReason())
		}
		if start, ok := s.AuthTime(); !ok || !start.Equal(t0) {
			t.Fatalf("AuthTime = %v, %v; want %v", start, ok, t0)
		}
		tok, h = roundTrip(m, s)
		if tok == "" {
			t.Fatalf("at %v: not renewed", at.Sub(t0))
		}
		exp := at.Add(time.Hour)
		if exp.After(end) {
			exp = end
		}
		checkTimes(t, tok, h.Get("Set-Cookie"), t0, at, exp)
	}
	// The last renewal, at 3h45m, ended at the absolute end: exp = auth_time + 4h, Max-Age=900.
	if got := string(payload(t, tok)["exp"]); got != unix(end) {
		t.Fatalf("last exp = %s, want %s", got, unix(end))
	}
	clk.set(end.Add(-time.Nanosecond))
	if s := acquire(t, m, tok); s.IsNew() {
		t.Fatalf("a nanosecond before the end: new session (%v)", s.InvalidReason())
	} else {
		m.Release(s)
	}
	clk.set(end)
	s = acquire(t, m, tok)
	if !s.IsNew() || s.Has("user") {
		t.Fatal("at the absolute end: the session goes on")
	}
	if err := s.InvalidReason(); !errors.Is(err, session.ErrAbsoluteLifetime) || !errors.Is(err, fastjwt.ErrExpired) {
		t.Fatalf("InvalidReason = %v, want ErrAbsoluteLifetime (matching fastjwt.ErrExpired)", err)
	}
	if n := len(*reasons); n != 1 || (*reasons)[0] != session.ErrAbsoluteLifetime {
		t.Fatalf("OnInvalid heard %v, want [ErrAbsoluteLifetime]", *reasons)
	}
	m.Release(s)
}

// TestAbsoluteLifetimeBeyondExp: a token whose exp outlives its session's end (issued before the
// limit, or under a longer one) is refused at the end all the same, by its auth_time, or by its
// iat when it has none.
func TestAbsoluteLifetimeBeyondExp(t *testing.T) {
	clk := newClock(t0)
	m, reasons := lifetimeManager(t, clk, session.Config{})
	codec := lifetimeCodec(t, clk)
	exp := unix(t0.Add(10 * time.Hour))
	start := t0.Add(-time.Hour)
	for name, p := range map[string]string{
		"auth_time": `{"n":1,"auth_time":` + unix(start) + `,"iat":` + unix(t0) + `,"exp":` + exp + `}`,
		"iat only":  `{"n":1,"iat":` + unix(start) + `,"exp":` + exp + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			*reasons = nil
			tok, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(p))
			if err != nil {
				t.Fatal(err)
			}
			end := start.Add(4 * time.Hour)
			clk.set(end.Add(-time.Nanosecond))
			s := acquire(t, m, string(tok))
			if s.IsNew() {
				t.Fatalf("before the end: new session (%v)", s.InvalidReason())
			}
			// Renewed: the new token keeps the start and ends at the end.
			next, h := roundTrip(m, s)
			checkTimes(t, next, h.Get("Set-Cookie"), start, end.Add(-time.Nanosecond), end)
			clk.set(end)
			s = acquire(t, m, string(tok))
			if !s.IsNew() || s.InvalidReason() != session.ErrAbsoluteLifetime {
				t.Fatalf("at the end: new %v, reason %v; want a new session, ErrAbsoluteLifetime", s.IsNew(), s.InvalidReason())
			}
			m.Release(s)
			if len(*reasons) != 1 {
				t.Fatalf("OnInvalid heard %v", *reasons)
			}
		})
	}
}

// TestAbsoluteLifetimeRegenerate: Regenerate (login) starts the absolute lifetime again; Clear
// starts a new session for what is set afterwards.
func TestAbsoluteLifetimeRegenerate(t *testing.T) {
	clk := newClock(t0)
	m, _ := lifetimeManager(t, clk, session.Config{})
	s := acquire(t, m, "")
	_ = s.Set("n", 1)
	tok, _ := roundTrip(m, s)
	login := t0.Add(50 * time.Minute)
	clk.set(login)
	s = acquire(t, m, tok)
	if err := s.Regenerate(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok, h := roundTrip(m, s)
	checkTimes(t, tok, h.Get("Set-Cookie"), login, login, login.Add(time.Hour))

	clk.set(login.Add(10 * time.Minute))
	s = acquire(t, m, tok)
	s.Clear()
	_ = s.Set("n", 2)
	tok, h = roundTrip(m, s)
	now := login.Add(10 * time.Minute)
	checkTimes(t, tok, h.Get("Set-Cookie"), now, now, now.Add(time.Hour))
}

// TestAbsoluteLifetimeInFlight: a request that loaded its session just before the end and
// changes it after the end issues nothing more: the cookie is deleted.
func TestAbsoluteLifetimeInFlight(t *testing.T) {
	clk := newClock(t0)
	m, _ := lifetimeManager(t, clk, session.Config{})
	s := acquire(t, m, "")
	_ = s.Set("n", 1)
	tok, _ := roundTrip(m, s)
	end := t0.Add(4 * time.Hour)
	for at := t0.Add(45 * time.Minute); at.Before(end); at = at.Add(45 * time.Minute) {
		clk.set(at)
		tok, _ = roundTrip(m, acquire(t, m, tok))
	}
	clk.set(end.Add(-time.Nanosecond))
	s = acquire(t, m, tok)
	if s.IsNew() {
		t.Fatal(s.InvalidReason())
	}
	_ = s.Set("n", 2)
	clk.set(end)
	next, h := roundTrip(m, s)
	if next != "" || !strings.Contains(h.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("Set-Cookie %q, want the cookie deleted", h.Get("Set-Cookie"))
	}
}

// TestAbsoluteLifetimeReserved: auth_time is the session layer's.
func TestAbsoluteLifetimeReserved(t *testing.T) {
	clk := newClock(t0)
	m, reasons := lifetimeManager(t, clk, session.Config{})
	s := acquire(t, m, "")
	if err := s.Set("auth_time", 1); !errors.Is(err, session.ErrReserved) {
		t.Fatalf("Set(auth_time) = %v, want ErrReserved", err)
	}
	m.Release(s)
	// A token of the session's type whose auth_time is not a NumericDate is refused.
	tok, err := lifetimeCodec(t, clk).AppendSignType(nil, fastjwt.TypeSession,
		[]byte(`{"auth_time":"yesterday","iat":`+unix(t0)+`,"exp":`+unix(t0.Add(time.Hour))+`}`))
	if err != nil {
		t.Fatal(err)
	}
	s = acquire(t, m, string(tok))
	if !s.IsNew() || !errors.Is(s.InvalidReason(), fastjwt.ErrClaimType) || len(*reasons) != 1 {
		t.Fatalf("new %v, reason %v, want a new session and fastjwt.ErrClaimType", s.IsNew(), s.InvalidReason())
	}
	m.Release(s)
}

// TestAbsoluteLifetimeConfig: the default is 7 days, shorter than Lifetime is refused, negative
// disables the limit.
func TestAbsoluteLifetimeConfig(t *testing.T) {
	codec := codecAt(t, func() time.Time { return t0 })
	if session.DefaultAbsoluteLifetime != 7*24*time.Hour {
		t.Fatalf("DefaultAbsoluteLifetime = %v", session.DefaultAbsoluteLifetime)
	}
	if _, err := session.New(codec, session.Config{Lifetime: 2 * time.Hour, AbsoluteLifetime: time.Hour, Now: func() time.Time { return t0 }}); !errors.Is(err, session.ErrConfig) {
		t.Fatalf("AbsoluteLifetime < Lifetime: %v, want ErrConfig", err)
	}
	if _, err := session.New(codec, session.Config{Lifetime: time.Hour, AbsoluteLifetime: time.Hour, Now: func() time.Time { return t0 }}); err != nil {
		t.Fatalf("AbsoluteLifetime = Lifetime: %v", err)
	}
	// Default: a session started 7 days ago less a second is renewed to its end.
	clk := newClock(t0)
	m, err := session.New(lifetimeCodec(t, clk), session.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	start := t0.Add(-7*24*time.Hour + 13*time.Hour)
	tok, err := lifetimeCodec(t, clk).AppendSignType(nil, fastjwt.TypeSession,
		[]byte(`{"auth_time":`+unix(start)+`,"iat":`+unix(t0.Add(-12*time.Hour))+`,"exp":`+unix(t0.Add(12*time.Hour))+`}`))
	if err != nil {
		t.Fatal(err)
	}
	next, h := roundTrip(m, acquire(t, m, string(tok)))
	checkTimes(t, next, h.Get("Set-Cookie"), start, t0, t0.Add(13*time.Hour))

	// Disabled: renewal goes on, a full Lifetime each time.
	m, _ = lifetimeManager(t, clk, session.Config{AbsoluteLifetime: -1})
	tok2, err := lifetimeCodec(t, clk).AppendSignType(nil, fastjwt.TypeSession,
		[]byte(`{"auth_time":1,"iat":`+unix(t0.Add(-40*time.Minute))+`,"exp":`+unix(t0.Add(20*time.Minute))+`}`))
	if err != nil {
		t.Fatal(err)
	}
	next, h = roundTrip(m, acquire(t, m, string(tok2)))
	checkTimes(t, next, h.Get("Set-Cookie"), time.Unix(1, 0), t0, t0.Add(time.Hour))
}

// ttlStore records the expiry of every Update and Create.
type ttlStore struct {
	store.Store
	mu   sync.Mutex
	ttls []time.Duration
}

func (s *ttlStore) Update(ctx context.Context, id string, set []store.Field, del []string, ttl time.Duration) error {
	s.mu.Lock()
	s.ttls = append(s.ttls, ttl)
	s.mu.Unlock()
	return s.Store.Update(ctx, id, set, del, ttl)
}

func (s *ttlStore) Create(ctx context.Context, id string, set []store.Field, ttl time.Duration) error {
	s.mu.Lock()
	s.ttls = append(s.ttls, ttl)
	s.mu.Unlock()
	return s.Store.Create(ctx, id, set, ttl)
}

// TestAbsoluteLifetimeServerSide: the store's data expires with the token, at the absolute end.
func TestAbsoluteLifetimeServerSide(t *testing.T) {
	clk := newClock(t0)
	st := &ttlStore{Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now})}
	m, reasons := lifetimeManager(t, clk, session.Config{Store: st})
	s := acquire(t, m, "")
	_ = s.Set("cart", "book")
	tok, _ := roundTrip(m, s)
	// The client comes back at once: the session is an ordinary one, no longer provisional
	// (whose idle lifetime is store.ProvisionalLifetime).
	m.Release(acquire(t, m, tok))
	end := t0.Add(4 * time.Hour)
	var at time.Time
	for at = t0.Add(45 * time.Minute); at.Before(end); at = at.Add(45 * time.Minute) {
		clk.set(at)
		tok, _ = roundTrip(m, acquire(t, m, tok))
	}
	want := []time.Duration{time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, 15 * time.Minute}
	if len(st.ttls) != len(want) {
		t.Fatalf("store expiries %v, want %v", st.ttls, want)
	}
	for i := range want {
		if st.ttls[i] != want[i] {
			t.Fatalf("store expiries %v, want %v", st.ttls, want)
		}
	}
	clk.set(end.Add(-time.Nanosecond))
	s = acquire(t, m, tok)
	if v, _ := s.String("cart"); v != "book" {
		t.Fatalf("before the end: cart %q", v)
	}
	m.Release(s)
	clk.set(end)
	s = acquire(t, m, tok)
	if !s.IsNew() || s.Has("cart") || len(*reasons) != 1 || (*reasons)[0] != session.ErrAbsoluteLifetime {
		t.Fatalf("at the end: new %v, reasons %v", s.IsNew(), *reasons)
	}
	m.Release(s)
}

// TestAbsoluteLifetimeIdleReason: a session left idle past its exp, before its absolute end,
// is refused as expired, not as past its absolute lifetime, even once the end has passed too.
func TestAbsoluteLifetimeIdleReason(t *testing.T) {
	clk := newClock(t0)
	m, _ := lifetimeManager(t, clk, session.Config{})
	s := acquire(t, m, "")
	_ = s.Set("n", 1)
	tok, _ := roundTrip(m, s)
	for _, at := range []time.Duration{time.Hour, 5 * time.Hour} {
		clk.set(t0.Add(at))
		s = acquire(t, m, tok)
		if err := s.InvalidReason(); !s.IsNew() || !errors.Is(err, fastjwt.ErrExpired) || errors.Is(err, session.ErrAbsoluteLifetime) {
			t.Fatalf("at %v: new %v, reason %v; want fastjwt.ErrExpired only", at, s.IsNew(), err)
		}
		m.Release(s)
	}
}
