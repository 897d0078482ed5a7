package gorillacookie_test

import (
	"fmt"
	"time"

	"github.com/fastjwt/session/gorillacookie"
)

// A cookie written in gorilla/sessions' CookieStore format is read back as JSON values.
func Example() {
	c, err := gorillacookie.New(gorillacookie.Config{HashKey: []byte("a hash key of 32 bytes, at least")})
	if err != nil {
		panic(err)
	}
	now := time.Now()
	value, err := c.AppendEncode(nil, "session", now, func(yield func(string, []byte) bool) {
		_ = yield("counter", []byte("41")) && yield("user", []byte(`"alice"`))
	}, nil)
	if err != nil {
		panic(err)
	}
	err = c.Decode("session", value, now,
		func(name string, v []byte) { fmt.Printf("%s = %s\n", name, v) },
		func(name string, err error) { fmt.Println("dropped", name, err) })
	fmt.Println(err)
	// Output:
	// counter = 41
	// user = "alice"
	// <nil>
}
