package nethttpsession

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fastjwt/session/csrf"
)

// The Protection's trusted origins and bypass patterns reach the standard library's check, and a
// custom deny handler answers refused requests.
func TestCrossOriginConfig(t *testing.T) {
	p, err := csrf.New(csrf.Config{TrustedOrigins: []string{"https://trusted.example"}, BypassPatterns: []string{"POST /hook/"}})
	if err != nil {
		t.Fatal(err)
	}
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "custom error")
	})
	h := CrossOrigin(p, deny)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, c := range []struct {
		path, origin string
		want         int
	}{
		{"/x", "https://attacker.example", http.StatusTeapot},
		{"/x", "https://trusted.example", http.StatusOK},
		{"/hook/1", "https://attacker.example", http.StatusOK},
	} {
		r := httptest.NewRequest("POST", "/"+c.path[1:], nil)
		r.Host = "example.com"
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", c.origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s %s: %d, want %d", c.path, c.origin, w.Code, c.want)
		}
	}
}
