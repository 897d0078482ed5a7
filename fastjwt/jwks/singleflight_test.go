package jwks

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// together starts n goroutines that call f(i) together and waits for them.
func together(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// A thousand requests with the new kid of a rotation cause one fetch, and are all accepted; a
// thousand with unknown kids after the cooldown cause one more, and are all refused.
func TestSingleFlight(t *testing.T) {
	k1, k2 := newKey(t, fastjwt.ES256, "k1"), newKey(t, fastjwt.ES256, "k2")
	s := newServer(t, set(t, k1))
	c := newClient(t, s, Options{Cooldown: time.Hour})
	k3 := newKey(t, fastjwt.EdDSA, "unused")
	unknownToks := make([][]byte, 2000)
	for i := range unknownToks {
		unknownToks[i] = signHeader(t, k3, fmt.Sprintf(`{"alg":"EdDSA","kid":"nope-%d"}`, i))
	}
	s.set(func(s *server) { s.doc = set(t, k1, k2); s.delay = 100 * time.Millisecond })

	tok := sign(t, k2)
	var failed atomic.Int64
	together(1000, func(int) {
		if err := verify(c, tok); err != nil {
			failed.Add(1)
		}
	})
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of 1000 refused", n)
	}
	if n := s.count(); n != 2 {
		t.Fatalf("%d requests, want 2: one for New, one for the thousand", n)
	}

	expireCooldown(c)
	var unknown atomic.Int64
	together(1000, func(i int) {
		if err := verify(c, unknownToks[i]); errors.Is(err, fastjwt.ErrUnknownKey) || errors.Is(err, fastjwt.ErrAlgorithm) {
			unknown.Add(1)
		}
	})
	if n := unknown.Load(); n != 1000 {
		t.Errorf("%d of 1000 unknown kids refused as such", n)
	}
	if n := s.count(); n != 3 {
		t.Fatalf("%d requests, want 3: one more for the thousand unknown kids", n)
	}
	// Within the cooldown, another thousand cause none, and do not wait.
	together(1000, func(i int) { verify(c, unknownToks[1000+i]) })
	if n := s.count(); n != 3 {
		t.Fatalf("%d requests within the cooldown, want 3", n)
	}
}

// Verifies, refetches, background refreshes, rotations, Ready and Close all at once, for the
// race detector; a key in every set always verifies.
func TestConcurrent(t *testing.T) {
	stable := newKey(t, fastjwt.EdDSA, "stable")
	rotating := []testKey{newKey(t, fastjwt.ES256, "r0"), newKey(t, fastjwt.ES256, "r1"), newKey(t, fastjwt.RS256, "r2")}
	docs := make([][]byte, len(rotating))
	for i, k := range rotating {
		docs[i] = set(t, stable, k)
	}
	s := newServer(t, docs[0])
	c := newClient(t, s, Options{Cooldown: time.Millisecond, MinRefresh: 3 * time.Millisecond, MaxRefresh: 3 * time.Millisecond})
	stableTok := sign(t, stable)
	tokens := make([][]byte, len(rotating))
	for i, k := range rotating {
		tokens[i] = sign(t, k)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			s.set(func(s *server) { s.doc = docs[i%len(docs)] })
		}
	})
	var bad atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			buf := make([]byte, 0, 256)
			var cl fastjwt.Claims
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if g%2 == 0 {
					if buf, err = c.AppendVerifyClaims(buf[:0], stableTok, &cl); err != nil || cl.Subject() != "alice" {
						bad.Add(1)
					}
				} else {
					_, err = c.AppendVerifyClaims(buf[:0], tokens[i%len(tokens)], &cl)
					if err != nil && !errors.Is(err, fastjwt.ErrUnknownKey) && !errors.Is(err, fastjwt.ErrAlgorithm) {
						bad.Add(1)
					}
				}
				_ = c.Ready()
				_ = c.Age()
				_ = c.Fetches()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	c.Close()
	close(stop)
	wg.Wait()
	if n := bad.Load(); n != 0 {
		t.Errorf("%d wrong answers", n)
	}
	if c.Fetches() < 3 {
		t.Errorf("only %d fetches", c.Fetches())
	}
}
