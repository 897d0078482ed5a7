// Command minimal-fasthttp is the README's fasthttp example, kept here so that it is compiled and run by the tests.

package main

import (
	"cmp"
	"crypto/subtle"
	"fmt"
	"log"
	"os"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/csrf"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/store"
)

func main() {
	secret, password := []byte(os.Getenv("SESSION_SECRET")), []byte(os.Getenv("PASSWORD"))
	if len(secret) < 32 || len(password) == 0 {
		log.Fatal(`set SESSION_SECRET (32 bytes or more) and PASSWORD, e.g. export SESSION_SECRET="$(head -c 32 /dev/urandom | base64)" PASSWORD=secret`)
	}
	keys := []fastjwt.Key{{Secret: secret}}
	cookies, err := fastjwt.NewHS256(keys) // session cookies, typed "session+jwt"
	must(err)
	tokens, err := fastjwt.NewHS256(keys, fastjwt.WithAudience("api")) // bearer tokens for "aud": "api"
	must(err)
	// The data on the server, under a random id the cookie carries: a logout is final.
	sessions, err := session.New(cookies, session.Config{Store: store.NewMemory(store.MemoryOptions{})})
	must(err)
	api, err := bearer.New(tokens, bearer.Config{Schemes: []string{"Bearer", "JWT"}})
	must(err)
	crossOrigin, err := csrf.New(csrf.Config{}) // refuses cross-site POSTs: the cookie is sent with them
	must(err)

	// A bearer API: 401 without a valid token (a session cookie's token included).
	me := fasthttpsession.Bearer(api, nil)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("application/json")
		ctx.Write(fasthttpsession.TokenFrom(ctx).Payload())
	})
	site := func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx) // valid until the handler returns
		switch route := string(ctx.Method()) + " " + string(ctx.Path()); route {
		case "POST /login":
			user := string(ctx.PostArgs().Peek("user"))
			if user == "" || subtle.ConstantTimeCompare(ctx.PostArgs().Peek("password"), password) != 1 {
				ctx.Error("wrong user or password\n", fasthttp.StatusUnauthorized)
			} else if err := s.Regenerate(ctx); err != nil { // a new identity at login
				ctx.Error(err.Error(), fasthttp.StatusServiceUnavailable)
			} else if err := s.Set("user", user); err != nil { // before writing the response
				ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
			} else {
				fmt.Fprintf(ctx, "logged in as %s\n", user)
			}
		case "GET /":
			if user, ok := s.String("user"); ok {
				fmt.Fprintf(ctx, "Hello, %s\n", user)
			} else {
				ctx.Error("log in first\n", fasthttp.StatusUnauthorized)
			}
		case "POST /logout":
			if err := s.Logout(ctx); err != nil {
				ctx.Error(err.Error(), fasthttp.StatusServiceUnavailable)
			} else {
				fmt.Fprintln(ctx, "logged out")
			}
		case "GET /api/me":
			me(ctx)
		default:
			ctx.Error("not found\n", fasthttp.StatusNotFound)
		}
	}
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s", addr)
	log.Fatal(fasthttp.ListenAndServe(addr, fasthttpsession.CrossOrigin(crossOrigin, nil)(fasthttpsession.Sessions(sessions)(site))))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
