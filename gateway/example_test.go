package gateway_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/gateway"
)

// A forward-auth gateway for nginx's auth_request, Caddy's forward_auth or Traefik's
// forwardAuth: the proxy asks /auth with the client's headers and the original URI, and copies
// X-User from a 200 answer into the request it forwards.
func Example() {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}},
		fastjwt.WithIssuer("https://issuer.example"))
	if err != nil {
		panic(err)
	}
	g, err := gateway.New(gateway.Config{
		Routes: []gateway.Route{{
			Name:         "api",
			PathPrefix:   "/",
			Verifier:     codec,
			ClaimHeaders: []bearer.Forward{{Claim: "sub", Header: "X-User"}},
		}},
		MaxCacheAge: time.Minute,
	})
	if err != nil {
		panic(err)
	}
	srv := gateway.NewServer(g)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	payload := fmt.Sprintf(`{"iss":"https://issuer.example","sub":"alice","exp":%d}`, time.Now().Add(time.Hour).Unix())
	token, _ := codec.AppendSign(nil, []byte(payload))
	for _, auth := range []string{"Bearer " + string(token), ""} {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/auth", nil)
		req.Header.Set("X-Forwarded-Uri", "/orders/7")
		req.Header.Set("X-User", "mallory") // a client's own claim header: never passed on
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Printf("%d X-User=%q challenge=%q\n", resp.StatusCode, resp.Header.Get("X-User"), resp.Header.Get("WWW-Authenticate"))
	}
	// Output:
	// 200 X-User="alice" challenge=""
	// 401 X-User="" challenge="Bearer realm=\"api\""
}
