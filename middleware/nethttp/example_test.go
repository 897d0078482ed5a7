package nethttpsession_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// A counter kept in the session cookie, served by net/http.
func ExampleSessions() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	m, _ := session.New(codec, session.Config{})

	handler := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1) // before writing the response
		fmt.Fprintf(w, "visit %d", n+1)
	}))
	srv := httptest.NewServer(handler)
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for range 3 {
		res, err := client.Get(srv.URL)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(string(body), res.Header.Get("Vary"))
	}
	// Output:
	// visit 1 Cookie
	// visit 2 Cookie
	// visit 3 Cookie
}

// A bearer-protected endpoint accepting djangorestframework-jwt's "JWT" scheme, with a custom
// error answer.
func ExampleBearer() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	b, _ := bearer.New(codec, bearer.Config{Realm: "api", Schemes: []string{"Bearer", "JWT"}})
	handler := nethttpsession.Bearer(b, func(w http.ResponseWriter, r *http.Request, e *bearer.AuthError) {
		w.Header().Set("WWW-Authenticate", string(e.Challenge()))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, `{"detail":%q}`, e.Description)
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", nethttpsession.TokenFromContext(r.Context()).Subject())
	}))

	good, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	for _, auth := range []string{"JWT " + string(good), "Bearer x.y.z"} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", auth)
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 hello alice
	// 401 {"detail":"the token is malformed"}
}
