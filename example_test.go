package session_test

import (
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
	m, err := session.New(codec, session.Config{Lifetime: time.Hour, Secure: true, Now: now})
	if err != nil {
		panic(err)
	}

	// First request: no cookie, a new session that the handler writes to.
	s := m.Acquire(nil)
	n, _ := s.Int("counter")
	_ = s.Set("counter", n+1)
	h := http.Header{}
	s.Commit(header(h))
	m.Release(s)
	cookie := h.Get("Set-Cookie")
	token, attrs, _ := strings.Cut(strings.TrimPrefix(cookie, "session="), ";")
	fmt.Println("attributes:", attrs)
	fmt.Println("Vary:", h.Get("Vary"), "| Cache-Control:", h.Get("Cache-Control"))

	// Second request carries the cookie back.
	s = m.Acquire([]byte(token))
	n, _ = s.Int("counter")
	fmt.Println("counter:", n, "new:", s.IsNew())
	m.Release(s)
	// Output:
	// attributes:  Max-Age=3600; Expires=Wed, 02 Jan 2030 04:04:05 GMT; Path=/; Secure; HttpOnly; SameSite=Lax
	// Vary: Cookie | Cache-Control: private, no-store
	// counter: 1 new: false
}

// The typed view: the session as the application's own struct.
func ExampleSave() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	m, _ := session.New(codec, session.Config{})

	type cart struct {
		Items []string `json:"items"`
	}
	s := m.Acquire(nil)
	defer m.Release(s)
	var c cart
	_ = session.Load(s, &c)
	c.Items = append(c.Items, "book")
	if err := session.Save(s, c); err != nil {
		panic(err)
	}
	raw, _ := s.Raw("items")
	fmt.Println(string(raw))
	// Output: ["book"]
}

// Bearer authentication outside any framework; the adapters answer with AuthError's status and
// challenge.
func ExampleBearer() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	b, err := session.NewBearer(codec, session.BearerConfig{
		Realm:   "example",
		Schemes: []string{"Bearer", "JWT"},
		Forward: []session.Forward{{Claim: "sub", Header: "X-User"}},
	})
	if err != nil {
		panic(err)
	}
	tok, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))

	for _, auth := range []string{"", "JWT " + string(tok), "Bearer not.a.token"} {
		r, _ := http.NewRequest("GET", "http://api.test/", nil)
		r.Header.Set("X-User", "mallory") // a spoofed header: always removed
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		t := b.Acquire()
		if aerr := b.Authenticate(t, request{r}); aerr != nil {
			fmt.Println(aerr.Status, string(aerr.Challenge()))
		} else {
			fmt.Println(200, "X-User:", r.Header.Get("X-User"))
		}
		b.Release(t)
	}
	// Output:
	// 401 Bearer realm="example"
	// 200 X-User: alice
	// 401 Bearer realm="example", error="invalid_token", error_description="the token is malformed"
}
