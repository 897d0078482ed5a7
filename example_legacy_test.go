package session_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/gorillacookie"
)

// A gorilla/sessions cookie holding counter = 41 becomes the session, and the response
// re-issues it as this library's JWT cookie.
func ExampleLegacy() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	gorilla, _ := gorillacookie.New(gorillacookie.Config{HashKey: []byte("the gorilla store's hash key....")})
	m, err := session.New(codec, session.Config{Legacy: &session.Legacy{Codec: gorilla}})
	if err != nil {
		panic(err)
	}
	// The cookie an old server (gorilla/sessions' CookieStore) set.
	old, _ := gorilla.AppendEncode(nil, "session", time.Now(), func(yield func(string, []byte) bool) {
		yield("counter", []byte("41"))
	}, nil)

	h := http.Header{}
	h.Set("Cookie", "session="+string(old))
	s, _ := m.Acquire(context.Background(), header(h))
	n, _ := s.Int("counter")
	_ = s.Set("counter", n+1)
	resp := http.Header{}
	_ = s.Commit(context.Background(), header(resp))
	m.Release(s)

	token, _, _ := strings.Cut(strings.TrimPrefix(resp.Get("Set-Cookie"), "session="), ";")
	fmt.Println(n+1, strings.Count(token, "."), "dots: a JWS")
	// Output:
	// 42 2 dots: a JWS
}

// With Compress, a large session's data is DEFLATE-compressed in the claim "_deflate"; any
// Manager reads it back.
func ExampleConfig_compress() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	m, _ := session.New(codec, session.Config{Compress: true})
	s, _ := m.Acquire(context.Background(), header(http.Header{}))
	for i := range 30 {
		_ = s.Set(fmt.Sprintf("field_%d", i), fmt.Sprintf("user%d@example.com", i))
	}
	resp := http.Header{}
	_ = s.Commit(context.Background(), header(resp))
	m.Release(s)
	token, _, _ := strings.Cut(strings.TrimPrefix(resp.Get("Set-Cookie"), "session="), ";")
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	fmt.Println("compressed:", strings.Contains(string(payload), `"_deflate":`), strings.Contains(string(payload), "example.com"))

	plain, _ := session.New(codec, session.Config{}) // reading does not need Compress
	h := http.Header{}
	h.Set("Cookie", "session="+token)
	s, _ = plain.Acquire(context.Background(), header(h))
	v, _ := s.String("field_29")
	fmt.Println(s.Len(), v)
	plain.Release(s)
	// Output:
	// compressed: true false
	// 30 user29@example.com
}
