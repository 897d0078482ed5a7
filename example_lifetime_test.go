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

// An active session is renewed until its absolute end and no further: the last token's exp and
// the cookie's Max-Age stop at auth_time + AbsoluteLifetime, and from then on the request gets a
// new session, OnInvalid hearing ErrAbsoluteLifetime.
func ExampleConfig_absoluteLifetime() {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}}, fastjwt.WithClock(clock))
	m, err := session.New(codec, session.Config{
		Lifetime:         time.Hour,     // idle timeout (ASVS 7.3.1), renewed after 30 minutes
		AbsoluteLifetime: 2 * time.Hour, // absolute lifetime (ASVS 7.3.2)
		Now:              clock,
		OnInvalid:        func(err error) { fmt.Println("refused:", errors.Is(err, session.ErrAbsoluteLifetime)) },
	})
	if err != nil {
		panic(err)
	}
	request := func(token string) string {
		h := http.Header{}
		if token != "" {
			h.Set("Cookie", "session="+token)
		}
		s, _ := m.Acquire(context.Background(), header(h))
		if s.IsNew() {
			_ = s.Set("user", "ann")
		}
		resp := http.Header{}
		_ = s.Commit(context.Background(), header(resp))
		m.Release(s)
		cookie := resp.Get("Set-Cookie")
		token, attrs, _ := strings.Cut(strings.TrimPrefix(cookie, "session="), ";")
		maxAge, _, _ := strings.Cut(attrs, ";")
		fmt.Printf("%v:%s\n", now.Sub(start), maxAge)
		return token
	}
	token := request("")
	for range 3 {
		now = now.Add(40 * time.Minute)
		token = request(token)
	}
	// Output:
	// 0s: Max-Age=3600
	// 40m0s: Max-Age=3600
	// 1h20m0s: Max-Age=2400
	// refused: true
	// 2h0m0s: Max-Age=3600
}

// With the default SecureAuto, a request that arrived over TLS (the adapters say so) gets a
// Secure cookie and one over plain HTTP, as in development on http://localhost, does not;
// SecureAlways, for production, sets it on every response.
func ExampleSecure() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	for _, secure := range []session.Secure{session.SecureAuto, session.SecureAlways} {
		m, _ := session.New(codec, session.Config{Secure: secure})
		for _, h := range []session.RequestHeader{header(http.Header{}), tlsHeader{header(http.Header{})}} {
			s, _ := m.Acquire(context.Background(), h)
			_ = s.Set("n", 1)
			resp := http.Header{}
			_ = s.Commit(context.Background(), header(resp))
			m.Release(s)
			_, tls := h.(session.TLSRequest)
			fmt.Println(secure == session.SecureAlways, tls, strings.Contains(resp.Get("Set-Cookie"), "; Secure"))
		}
	}
	// Output:
	// false false false
	// false true true
	// true false true
	// true true true
}
