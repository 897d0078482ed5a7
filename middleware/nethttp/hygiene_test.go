package nethttpsession_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// An outer middleware that edits a response header value in place changes that response only:
// the values the session writes are not shared between responses.
func TestNoSharedHeaderValues(t *testing.T) {
	f := sessiontest.NewFixture(t)
	inner := nethttpsession.Sessions(f.Manager)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		if r.URL.Path == "/write" {
			_ = s.Set("n", 1)
		}
	}))
	// The outer middleware rewrites the first value of each header in place after the handler.
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		for _, name := range []string{"Cache-Control", "Vary"} {
			if v := rec.Header()[name]; len(v) > 0 {
				v[0] = "public, max-age=600"
			}
		}
		w.WriteHeader(rec.Code)
	})
	for range 2 {
		outer.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/write", nil))
	}
	for _, path := range []string{"/write", "/read"} {
		w := httptest.NewRecorder()
		inner.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if got := w.Header().Get("Vary"); got != "Cookie" {
			t.Errorf("%s: Vary %q after another response was edited in place", path, got)
		}
		if got := w.Header().Get("Cache-Control"); path == "/write" && got != "private, no-store" {
			t.Errorf("%s: Cache-Control %q after another response was edited in place", path, got)
		}
	}
}

// net/http keeps trailer fields in Request.Trailer: a chunked body's trailers never join the
// request header the bearer middleware stripped.
func TestTrailersStayInRequestTrailer(t *testing.T) {
	f := sessiontest.NewFixture(t)
	type seen struct{ header, trailer string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(nethttpsession.Bearer(f.Bearer, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		got <- seen{strings.Join(r.Header.Values("X-Tenant"), ","), r.Trailer.Get("X-Tenant")}
	})))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+f.BearerToken+
		"\r\nTransfer-Encoding: chunked\r\nTrailer: X-Tenant\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Tenant: evil\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	s := <-got
	if res.StatusCode != 200 || s.header != "t1" || s.trailer != "evil" {
		t.Errorf("status %d, X-Tenant in the header %q (want the claim t1), in the trailer %q", res.StatusCode, s.header, s.trailer)
	}
}

// http.TimeoutHandler outside the session middleware, as documented: the timed-out handler keeps
// its session until it returns, and no other request gets it meanwhile (run under -race).
func TestTimeoutHandlerOutside(t *testing.T) {
	clk := sessiontest.NewClock()
	m, err := session.New(sessiontest.Codec(t, clk, fastjwt.Key{Secret: sessiontest.Secret(9)}), session.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	slow := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer wg.Done()
		s := nethttpsession.FromContext(r.Context())
		if r.URL.Query().Get("slow") != "" {
			time.Sleep(100 * time.Millisecond)
		}
		for i := range 100 {
			_ = s.Set("i", i)
			_, _ = s.Int("i")
		}
		_, _ = io.WriteString(w, "done")
	}))
	srv := httptest.NewServer(http.TimeoutHandler(slow, 20*time.Millisecond, "timeout"))
	defer srv.Close()
	wg.Add(11)
	res, err := http.Get(srv.URL + "/?slow=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("slow request: %d, want 503 from TimeoutHandler", res.StatusCode)
	}
	for range 10 {
		res, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	wg.Wait()
}
