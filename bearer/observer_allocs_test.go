//go:build !race

// The race detector makes sync.Pool drop objects at random: allocation counts hold without it.

package bearer_test

import (
	"context"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
)

// observeBench returns a Bearer (with observer obs, nil for none) and a request carrying a
// valid token.
func observeBench(tb testing.TB, obs observe.Observer) (*bearer.Bearer, bearer.Request) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	b, err := bearer.New(codec, bearer.Config{Observer: obs})
	if err != nil {
		tb.Fatal(err)
	}
	tok, _ := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	return b, fixedRequest{auth: append([]byte("Bearer "), tok...)}
}

// fixedRequest is a bearer.Request with one Authorization line that allocates nothing, so that
// the counts are Authenticate's own.
type fixedRequest struct{ auth []byte }

func (q fixedRequest) AppendValues(dst [][]byte, name string) [][]byte {
	if name == "Authorization" {
		dst = append(dst, q.auth)
	}
	return dst
}
func (fixedRequest) AppendQuery(dst [][]byte, _ string) [][]byte { return dst }
func (fixedRequest) Del(string)                                  {}
func (fixedRequest) Set(string, []byte)                          {}

func authenticate(b *bearer.Bearer, r bearer.Request) {
	tk := b.Acquire()
	if aerr := b.Authenticate(context.Background(), tk, r); aerr != nil {
		panic(aerr)
	}
	b.Release(tk)
}

// Authenticate allocates nothing on a valid token, with the Observer unset and with one set
// that does not allocate itself: building and passing the Event costs no allocation.
func TestObserverAllocs(t *testing.T) {
	var n int
	for name, obs := range map[string]observe.Observer{"unset": nil, "set": func(observe.Event) { n++ }} {
		b, r := observeBench(t, obs)
		authenticate(b, r)
		if got := testing.AllocsPerRun(200, func() { authenticate(b, r) }); got != 0 {
			t.Errorf("observer %s: %v allocs per Authenticate, want 0", name, got)
		}
	}
	if n < 200 {
		t.Fatalf("the observer heard %d verdicts", n)
	}
}

// BenchmarkObserver is the cost of the hook: Authenticate of a cached HS256 token with the
// Observer unset (the reference) and set to a counter (two clock readings and the call).
func BenchmarkObserver(b *testing.B) {
	var n int
	for _, bc := range []struct {
		name string
		obs  observe.Observer
	}{{"unset", nil}, {"set", func(observe.Event) { n++ }}} {
		b.Run(bc.name, func(b *testing.B) {
			br, r := observeBench(b, bc.obs)
			b.ReportAllocs()
			for b.Loop() {
				authenticate(br, r)
			}
		})
	}
}
