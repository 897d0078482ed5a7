package bearer_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// Bearer authentication outside any framework; the adapters answer with AuthError's status and
// challenge.
func ExampleBearer_Authenticate() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	b, err := bearer.New(codec, bearer.Config{
		Realm:   "example",
		Schemes: []string{"Bearer", "JWT"},
		Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}},
	})
	if err != nil {
		panic(err)
	}
	tok, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	session, _ := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"sub":"alice"}`))

	for _, auth := range [][]string{nil, {"JWT " + string(tok)}, {"Bearer not.a.token"},
		{"Bearer " + string(session)}, {"Bearer " + string(tok), "Bearer " + string(tok)}} {
		r, _ := http.NewRequest("GET", "http://api.test/", nil)
		r.Header.Set("X-User", "mallory") // a spoofed header: always removed
		r.Header["Authorization"] = auth
		t := b.Acquire()
		if aerr := b.Authenticate(context.Background(), t, request{r}); aerr != nil {
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
	// 401 Bearer realm="example", error="invalid_token", error_description="the token is not valid for this purpose"
	// 400 Bearer realm="example", error="invalid_request", error_description="the request carries more than one token"
}
