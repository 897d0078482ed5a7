package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
)

// TestSwapUnderLoad: clients send requests without pause while the configuration is swapped
// back and forth; every request is answered 200, by one configuration or the other.
func TestSwapUnderLoad(t *testing.T) {
	cfgA, cfgB := testConfig(t, nil), testConfig(t, nil)
	cfgB.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "X-Subject"}}
	ga, gb := newGateway(t, cfgA), newGateway(t, cfgB)
	s := NewServer(ga)
	addr := serve(t, s)
	tok := mint(t, `"sub":"alice"`)
	stop := make(chan struct{})
	var ok, seenA, seenB atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", "http://"+addr+"/auth", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode != 200:
					t.Errorf("status %d during swaps", resp.StatusCode)
					return
				case resp.Header.Get("X-User") == "alice":
					seenA.Add(1)
				case resp.Header.Get("X-Subject") == "alice":
					seenB.Add(1)
				default:
					t.Errorf("answer of neither configuration: %v", resp.Header)
					return
				}
				ok.Add(1)
			}
		})
	}
	for i := range 200 {
		g := ga
		if i%2 == 0 {
			g = gb
		}
		if err := s.Swap(g); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if ok.Load() == 0 || seenA.Load() == 0 || seenB.Load() == 0 {
		t.Errorf("%d answers, %d by A, %d by B: want both configurations seen", ok.Load(), seenA.Load(), seenB.Load())
	}
	if n := ga.metrics.swaps.Load() + gb.metrics.swaps.Load(); n != 200 {
		t.Errorf("%d swaps counted", n)
	}
	cfgP := testConfig(t, nil)
	cfgP.Upstream = mustURL("http://127.0.0.1:1")
	if err := s.Swap(newGateway(t, cfgP)); !errors.Is(err, ErrConfig) {
		t.Errorf("swap to reverse-proxy mode: %v, want ErrConfig", err)
	}
}

// TestShutdownDrains: Shutdown waits for the request under way, which is answered, then Serve
// and ServeAdmin return ErrServerClosed and no goroutine of the server is left.
func TestShutdownDrains(t *testing.T) {
	for _, proxy := range []bool{false, true} {
		before := runtime.NumGoroutine()
		rl := &revocations{entered: make(chan struct{}, 1)}
		hold := make(chan struct{})
		rl.hold.Store(&hold)
		cfg := testConfig(t, rl)
		if proxy {
			cfg.Upstream = mustURL("http://127.0.0.1:1") // never reached: the request is held
		}
		s := NewServer(newGateway(t, cfg))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- s.Serve(ln) }()
		adminLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		adminServed := make(chan error, 1)
		go func() { adminServed <- s.ServeAdmin(adminLn) }()
		tr := &http.Transport{}
		c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
		answered := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/auth", nil)
			req.Header.Set("Authorization", "Bearer "+mint(t, `"sub":"alice","jti":"revoked"`))
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				answered <- 0
				return
			}
			resp.Body.Close()
			answered <- resp.StatusCode
		}()
		<-rl.entered // the request is under way
		shut := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			shut <- s.Shutdown(ctx)
		}()
		select {
		case err := <-shut:
			t.Fatalf("proxy %v: Shutdown returned %v while a request was under way", proxy, err)
		case <-time.After(100 * time.Millisecond):
		}
		close(hold)
		if st := <-answered; st != 401 {
			t.Errorf("proxy %v: the drained request got %d, want 401 (its token is revoked)", proxy, st)
		}
		if err := <-shut; err != nil {
			t.Errorf("proxy %v: Shutdown: %v", proxy, err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("proxy %v: Serve: %v", proxy, err)
		}
		if err := s.Serve(ln); !errors.Is(err, ErrServerClosed) {
			t.Errorf("proxy %v: Serve after Shutdown: %v", proxy, err)
		}
		if err := <-adminServed; !errors.Is(err, ErrServerClosed) {
			t.Errorf("proxy %v: ServeAdmin: %v", proxy, err)
		}
		if err := s.ServeAdmin(adminLn); !errors.Is(err, ErrServerClosed) {
			t.Errorf("proxy %v: ServeAdmin after Shutdown: %v", proxy, err)
		}
		tr.CloseIdleConnections()
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("proxy %v: %d goroutines after shutdown, %d before\n%s", proxy, n, before, buf[:runtime.Stack(buf, true)])
		}
	}
}
