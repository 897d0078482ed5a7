package session_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// A session's life outside any framework: what the adapters do for each request.
func ExampleManager() {
	now := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "2030-01", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		fastjwt.WithClock(now))
	if err != nil {
		panic(err)
	}
	m, err := session.New(codec, session.Config{Lifetime: time.Hour, Secure: session.SecureAlways, Now: now})
	if err != nil {
		panic(err)
	}

	// First request: no cookie, a new session that the handler writes to.
	ctx := context.Background()
	s, _ := m.Acquire(ctx, header(http.Header{}))
	n, _ := s.Int("counter")
	_ = s.Set("counter", n+1)
	h := http.Header{}
	_ = s.Commit(ctx, header(h))
	m.Release(s)
	cookie := h.Get("Set-Cookie")
	token, attrs, _ := strings.Cut(strings.TrimPrefix(cookie, "session="), ";")
	fmt.Println("attributes:", attrs)
	fmt.Println("Vary:", h.Get("Vary"), "| Cache-Control:", h.Get("Cache-Control"))

	// Second request carries the cookie back.
	s, _ = m.Acquire(ctx, header(http.Header{"Cookie": {"session=" + token}}))
	n, _ = s.Int("counter")
	fmt.Println("counter:", n, "new:", s.IsNew())
	m.Release(s)
	// Output:
	// attributes:  Max-Age=3600; Expires=Wed, 02 Jan 2030 04:04:05 GMT; Path=/; Secure; HttpOnly; SameSite=Lax
	// Vary: Cookie | Cache-Control: private, no-store
	// counter: 1 new: false
}

// The typed view: the session as the application's own struct.
func ExampleEncode() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	m, _ := session.New(codec, session.Config{})

	type cart struct {
		Items []string `json:"items"`
	}
	s, _ := m.Acquire(context.Background(), header(http.Header{}))
	defer m.Release(s)
	var c cart
	_ = session.Decode(s, &c)
	c.Items = append(c.Items, "book")
	if err := session.Encode(s, c); err != nil {
		panic(err)
	}
	raw, _ := s.Raw("items")
	fmt.Println(string(raw))
	// Output: ["book"]
}

// A write the codec would refuse is refused at once, so a nil error means the value is stored.
func ExampleSession_Set() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	m, _ := session.New(codec, session.Config{})
	s, _ := m.Acquire(context.Background(), header(http.Header{}))
	defer m.Release(s)

	fmt.Println(s.Set("sub", "alice"))
	fmt.Println(errors.Is(s.Set("sub", 42), fastjwt.ErrClaimType))
	fmt.Println(errors.Is(s.Set("exp", 0), session.ErrReserved))
	fmt.Println(errors.Is(s.SetRaw("prefs", []byte(`{"a":1,"a":2}`)), session.ErrValue))
	// Output:
	// <nil>
	// true
	// true
	// true
}

// A codec that would refuse the sessions a Manager issues is refused when the Manager is built.
func ExampleNew_purpose() {
	secret := []byte("0123456789abcdef0123456789abcdef")
	api, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithAudience("api.example.com"))
	_, err := session.New(api, session.Config{})
	fmt.Println(errors.Is(err, session.ErrConfig), errors.Is(err, fastjwt.ErrAudience))

	// One secret, two codecs: sessions are typed "session+jwt", so bearer authentication refuses
	// them, and a bearer token in the session cookie starts a fresh session.
	sessions, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	m, _ := session.New(sessions, session.Config{})
	tok, _ := sessions.AppendSign(nil, []byte(`{"sub":"alice"}`)) // typ "JWT"
	s, _ := m.Acquire(context.Background(), header(http.Header{"Cookie": {"session=" + string(tok)}}))
	fmt.Println(s.IsNew(), errors.Is(s.InvalidReason(), session.ErrPurpose))
	m.Release(s)
	// Output:
	// true true
	// true true
}
