package observe_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/observe"
)

// An Observer on a Bearer hears each verdict: here it prints the labels a metric would carry.
func Example() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("an example secret of 32 bytes...")}})
	b, _ := bearer.New(codec, bearer.Config{Observer: func(e observe.Event) {
		fmt.Println(e.Kind, e.Outcome, e.Reason, e.Alg, e.CacheHit)
	}})
	api := nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tok, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	// The verified-token cache answers a token from its third presentation on (the first marks
	// it, the second stores it).
	good := "Bearer " + string(tok)
	for _, auth := range []string{"", good, good, good, "Bearer not.a.token"} {
		r := httptest.NewRequestWithContext(context.Background(), "GET", "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		api.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// bearer refused no_token invalid false
	// bearer accepted none HS256 false
	// bearer accepted none HS256 false
	// bearer accepted none HS256 true
	// bearer refused malformed invalid false
}
