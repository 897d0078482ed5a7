// Command minimal-fasthttp is the README's fasthttp example, kept here so that it is compiled and run by the tests.

package main

import (
	"cmp"
	"fmt"
	"log"
	"os"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
)

func main() {
	secret := []byte(os.Getenv("SESSION_SECRET")) // 32 bytes or more
	if len(secret) == 0 {
		log.Fatal("set SESSION_SECRET to a secret of 32 bytes or more, e.g. export SESSION_SECRET=\"$(head -c 32 /dev/urandom | base64)\"")
	}
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := session.New(codec, session.Config{}) // cookie "session", 24h, HttpOnly, SameSite=Lax
	if err != nil {
		log.Fatal(err)
	}
	counter := func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx) // valid until the handler returns
		n, _ := s.Int("counter")
		if err := s.Set("counter", n+1); err != nil {
			ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
			return
		}
		fmt.Fprintf(ctx, "Current counter value: %d\n", n+1)
	}
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s", addr)
	log.Fatal(fasthttp.ListenAndServe(addr, fasthttpsession.Sessions(sessions)(counter)))
}
