package bearer_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
)

// events collects what an Observer hears.
type events struct {
	mu  sync.Mutex
	all []observe.Event
}

func (e *events) observe(ev observe.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

// take returns the events heard since the last take.
func (e *events) take() []observe.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	all := e.all
	e.all = nil
	return all
}

// Every Authenticate reports exactly one event, before it returns: its outcome, the refusal's
// Reason name, the algorithm of the key that verified the signature (none when no signature
// verified), whether the cache answered, and a duration; a request without a token in Optional
// mode is Absent.
func TestObserver(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithIssuer("iss"), fastjwt.AcceptAnyAudience())
	other, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("another secret of 32 bytes......")}})
	list := revoke.NewMemory(revoke.MemoryOptions{})
	if err := list.RevokeToken(context.Background(), "gone", timeIn(3600)); err != nil {
		t.Fatal(err)
	}
	var heard events
	b, err := bearer.New(codec, bearer.Config{Audience: "api", Revocations: list, Observer: heard.observe})
	if err != nil {
		t.Fatal(err)
	}
	optional, _ := bearer.New(codec, bearer.Config{Optional: true, Observer: heard.observe})
	down, _ := bearer.New(codec, bearer.Config{Revocations: failingList{}, Observer: heard.observe})
	good := "Bearer " + mustSign(t, codec, `{"iss":"iss","aud":"api"}`)
	for _, tc := range []struct {
		name    string
		b       *bearer.Bearer
		auth    []string
		outcome observe.Outcome
		reason  string
		alg     fastjwt.Alg
		hit     bool
	}{
		{"accepted, first seen", b, []string{good}, observe.Accepted, "none", fastjwt.HS256, false},
		{"accepted, seen twice: stored in the cache", b, []string{good}, observe.Accepted, "none", fastjwt.HS256, false},
		{"accepted, seen a third time: a cache hit", b, []string{good}, observe.Accepted, "none", fastjwt.HS256, true},
		{"no token", b, nil, observe.Refused, "no_token", 0, false},
		{"optional, no token", optional, nil, observe.Absent, "no_token", 0, false},
		{"optional, bad token", optional, []string{"Bearer x.y.z"}, observe.Refused, "malformed", 0, false},
		{"ambiguous", b, []string{good, good}, observe.Refused, "ambiguous", 0, false},
		{"bad signature", b, []string{"Bearer " + mustSign(t, other, `{"iss":"iss","aud":"api"}`)}, observe.Refused, "bad_signature", 0, false},
		{"foreign token, first seen", b, []string{"Bearer " + signHeader(`{"alg":"HS256","typ":"JWT"}`, `{"iss":"iss","aud":"api","n":1}`)}, observe.Accepted, "none", fastjwt.HS256, false},
		{"foreign token, again", b, []string{"Bearer " + signHeader(`{"alg":"HS256","typ":"JWT"}`, `{"iss":"iss","aud":"api","n":1}`)}, observe.Accepted, "none", fastjwt.HS256, false},
		{"foreign token, a third time", b, []string{"Bearer " + signHeader(`{"alg":"HS256","typ":"JWT"}`, `{"iss":"iss","aud":"api","n":1}`)}, observe.Accepted, "none", fastjwt.HS256, true},
		{"expired: after the signature", b, []string{"Bearer " + signHeader(`{"alg":"HS256"}`, `{"iss":"iss","exp":1}`)}, observe.Refused, "expired", fastjwt.HS256, false},
		{"wrong purpose", b, []string{"Bearer " + mustSignType(t, codec, fastjwt.TypeSession, `{"iss":"iss"}`)}, observe.Refused, "wrong_purpose", fastjwt.HS256, false},
		{"wrong audience", b, []string{"Bearer " + mustSign(t, codec, `{"iss":"iss","aud":"x"}`)}, observe.Refused, "wrong_audience", fastjwt.HS256, false},
		{"revoked", b, []string{"Bearer " + mustSign(t, codec, `{"iss":"iss","aud":"api","jti":"gone"}`)}, observe.Refused, "revoked", fastjwt.HS256, false},
		{"list down", down, []string{"Bearer " + mustSign(t, codec, `{"iss":"iss"}`)}, observe.Refused, "unavailable", fastjwt.HS256, false},
	} {
		h := http.Header{}
		for _, a := range tc.auth {
			h.Add("Authorization", a)
		}
		before := time.Now()
		tk := tc.b.Acquire()
		aerr := tc.b.Authenticate(context.Background(), tk, newRequest(h))
		got := heard.take() // heard before Authenticate returned: nothing else reports
		reason := aerr.Reason()
		if tk.Alg() != tc.alg || tk.CacheHit() != tc.hit {
			t.Errorf("%s: Token.Alg %v CacheHit %v", tc.name, tk.Alg(), tk.CacheHit())
		}
		tc.b.Release(tk)
		if len(got) != 1 {
			t.Errorf("%s: %d events, want 1", tc.name, len(got))
			continue
		}
		e := got[0]
		if e.Kind != observe.KindBearer || e.Outcome != tc.outcome || e.Reason != tc.reason || e.Alg != tc.alg || e.CacheHit != tc.hit {
			t.Errorf("%s: %v %v %q alg %v hit %v, want %v %q alg %v hit %v", tc.name, e.Kind, e.Outcome, e.Reason, e.Alg, e.CacheHit,
				tc.outcome, tc.reason, tc.alg, tc.hit)
		}
		if e.Reason != reason.String() && tc.outcome != observe.Absent {
			t.Errorf("%s: reason %q, AuthError's %v", tc.name, e.Reason, reason)
		}
		if e.Start.Before(before) || e.Duration < 0 || e.Start.Add(e.Duration).After(time.Now()) {
			t.Errorf("%s: start %v duration %v outside the call", tc.name, e.Start, e.Duration)
		}
	}
}

// The Observer is called on each request's goroutine, once per Authenticate, from many
// goroutines at once (run under -race).
func TestObserverConcurrent(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	var accepted, refused atomic.Int64
	b, _ := bearer.New(codec, bearer.Config{Observer: func(e observe.Event) {
		if e.Outcome == observe.Accepted {
			accepted.Add(1)
		} else {
			refused.Add(1)
		}
	}})
	good := "Bearer " + mustSign(t, codec, `{"sub":"a"}`)
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				h := http.Header{}
				if (w+i)%2 == 0 {
					h.Set("Authorization", good)
				}
				tk := b.Acquire()
				_ = b.Authenticate(context.Background(), tk, newRequest(h))
				b.Release(tk)
			}
		})
	}
	wg.Wait()
	if accepted.Load() != workers*each/2 || refused.Load() != workers*each/2 {
		t.Fatalf("accepted %d refused %d, want %d each", accepted.Load(), refused.Load(), workers*each/2)
	}
}
