package nethttpsession_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/store"
)

// cancelKey is the context key of the cancel function the outer layer gives the handler.
type cancelKey struct{}

// The adapter commits with the request's context as the session middleware received it: when
// an outer layer's context ends while the handler runs (a deadline, a cancelled request), the
// store's write fails and the answer is 503, not a 200 whose write was lost.
func TestCommitUsesTheRequestContext(t *testing.T) {
	clk := sessiontest.NewClock()
	var mu sync.Mutex
	var heard error
	m, err := session.New(sessiontest.Codec(t, clk, fastjwt.Key{Secret: sessiontest.Secret(14)}), session.Config{
		Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now}), Now: clk.Now,
		OnError: func(err error) { mu.Lock(); heard = err; mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	inner := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := nethttpsession.FromContext(r.Context()).Set("count", 1); err != nil {
			t.Error(err)
		}
		if r.URL.Query().Get("cancel") != "" {
			r.Context().Value(cancelKey{}).(context.CancelFunc)()
		}
		_, _ = io.WriteString(w, "stored")
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		inner.ServeHTTP(w, r.WithContext(context.WithValue(ctx, cancelKey{}, cancel)))
	}))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/?cancel=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || len(res.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("context cancelled before Commit: %d %q Retry-After %q Set-Cookie %q; want 503 and no cookie",
			res.StatusCode, body, res.Header.Get("Retry-After"), res.Header.Values("Set-Cookie"))
	}
	mu.Lock()
	if !errors.Is(heard, context.Canceled) {
		t.Errorf("OnError heard %v, want context.Canceled", heard)
	}
	mu.Unlock()
	res, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || len(res.Header.Values("Set-Cookie")) != 1 {
		t.Errorf("with a live context: %d, Set-Cookie %q", res.StatusCode, res.Header.Values("Set-Cookie"))
	}
}
