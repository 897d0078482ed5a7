// Command issuing-fasthttp is the README's token-issuing example on fasthttp, kept here so that it is compiled and run by the tests.

package main

import (
	"cmp"
	"context"
	"crypto/subtle"
	"log"
	"os"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/revoke"
)

func main() {
	secret, password := []byte(os.Getenv("SESSION_SECRET")), []byte(os.Getenv("PASSWORD"))
	if len(secret) < 32 || len(password) == 0 {
		log.Fatal(`set SESSION_SECRET (32 bytes or more) and PASSWORD, e.g. export SESSION_SECRET="$(head -c 32 /dev/urandom | base64)" PASSWORD=secret`)
	}
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithAudience("api"))
	must(err)
	revocations := revoke.NewMemory(revoke.MemoryOptions{}) // the issuer writes it, the API reads it
	issuer, err := issuing.New(issuing.Config{
		Codec:       codec,
		Audience:    "api",
		Families:    issuing.NewMemory(issuing.MemoryOptions{}), // refresh-token families
		Revocations: revocations,
		// Yours to write: check the credentials (a password hash, in constant time).
		Authenticate: func(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
			if c.Username == "" || subtle.ConstantTimeCompare([]byte(c.Password), password) != 1 {
				return "", nil, issuing.ErrInvalidGrant
			}
			return c.Username, map[string]any{"role": "user"}, nil
		},
	})
	must(err)
	api, err := bearer.New(codec, bearer.Config{Schemes: []string{"Bearer", "JWT"}, Revocations: revocations})
	must(err)

	obtain := fasthttpsession.TokenHandler(issuer, (*issuing.Issuer).Obtain)   // log in
	refresh := fasthttpsession.TokenHandler(issuer, (*issuing.Issuer).Refresh) // a new pair
	logout := fasthttpsession.TokenHandler(issuer, (*issuing.Issuer).Revoke)   // log out
	me := fasthttpsession.Bearer(api, nil)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("application/json")
		ctx.Write(fasthttpsession.TokenFrom(ctx).Payload())
	})
	routes := map[string]fasthttp.RequestHandler{"/token": obtain, "/token/refresh": refresh, "/token/revoke": logout, "/api/me": me}
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s", addr)
	log.Fatal(fasthttp.ListenAndServe(addr, func(ctx *fasthttp.RequestCtx) {
		if h, ok := routes[string(ctx.Path())]; ok {
			h(ctx)
		} else {
			ctx.Error("not found\n", fasthttp.StatusNotFound)
		}
	}))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
