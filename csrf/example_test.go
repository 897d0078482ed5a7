package csrf_test

import (
	"fmt"

	"github.com/fastjwt/session/csrf"
)

func Example() {
	p, err := csrf.New(csrf.Config{
		TrustedOrigins: []string{"https://admin.example.com"},
		BypassPatterns: []string{"POST /webhooks/"}, // signed by their sender, no cookie
	})
	if err != nil {
		panic(err)
	}
	for _, r := range []csrf.Request{
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/cart"), SecFetchSite: []byte("same-origin")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/cart"), SecFetchSite: []byte("cross-site")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/cart"), Origin: []byte("https://evil.example")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/cart"), Origin: []byte("https://admin.example.com")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/webhooks/pay"), SecFetchSite: []byte("cross-site")},
		{Method: []byte("GET"), Host: []byte("example.com"), Path: []byte("/cart"), SecFetchSite: []byte("cross-site")},
	} {
		fmt.Printf("%s %s: %v\n", r.Method, r.Path, p.Check(&r))
	}
	// Output:
	// POST /cart: <nil>
	// POST /cart: cross-origin request detected from Sec-Fetch-Site header
	// POST /cart: cross-origin request detected, and/or browser is out of date: Sec-Fetch-Site is missing, and Origin does not match Host
	// POST /cart: <nil>
	// POST /webhooks/pay: <nil>
	// GET /cart: <nil>
}
