package fasthttpsession_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"

	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
)

// A counter kept in the session cookie, served by fasthttp.
func ExampleSessions() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	m, _ := session.New(codec, session.Config{})

	handler := fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx)
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		fmt.Fprintf(ctx, "visit %d", n+1)
	})

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &fasthttp.Server{Handler: handler}
	go srv.Serve(ln)
	defer srv.Shutdown()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for range 3 {
		res, err := client.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(string(body))
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

// A bearer-protected endpoint; the verified subject is forwarded in X-User.
func ExampleBearer() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	b, _ := bearer.New(codec, bearer.Config{
		Realm:   "api",
		Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}},
	})
	handler := fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
		t := fasthttpsession.TokenFrom(ctx)
		fmt.Fprintf(ctx, "hello %s (X-User: %s)", t.Subject(), ctx.Request.Header.Peek("X-User"))
	})

	tok, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	for _, auth := range []string{"Bearer " + string(tok), ""} {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI("/")
		ctx.Request.Header.Set("X-User", "mallory")
		if auth != "" {
			ctx.Request.Header.Set("Authorization", auth)
		}
		handler(&ctx)
		fmt.Println(ctx.Response.StatusCode(), string(ctx.Response.Body()))
		if c := ctx.Response.Header.Peek("WWW-Authenticate"); c != nil {
			fmt.Println("WWW-Authenticate:", string(c))
		}
	}
	// Output:
	// 200 hello alice (X-User: alice)
	// 401 Unauthorized
	// WWW-Authenticate: Bearer realm="api"
}
