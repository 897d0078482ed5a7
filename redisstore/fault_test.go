package redisstore

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Faults, each on a server of its own: the clients under test see errors within their
// timeout, never a wrong answer, and recover by themselves.

const (
	faultTimeout = 250 * time.Millisecond
	slack        = 250 * time.Millisecond // scheduling on a loaded 2-core machine
)

func ownServer(tb testing.TB) *server {
	tb.Helper()
	srv, err := startServer(0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Kill)
	return srv
}

func mustCommand(tb testing.TB, srv *server, args ...string) string {
	tb.Helper()
	reply, err := command(srv.Addr(), args...)
	if err != nil || (len(reply) > 0 && reply[0] == '-') {
		tb.Fatalf("%v: %q, %v", args, reply, err)
	}
	return reply
}

// timed runs fn and fails the test when it takes longer than the timeout plus slack.
func timed(tb testing.TB, what string, fn func() error) error {
	tb.Helper()
	start := time.Now()
	err := fn()
	if took := time.Since(start); took > faultTimeout+slack {
		tb.Errorf("%s took %v, more than the timeout %v + %v", what, took, faultTimeout, slack)
	}
	return err
}

// CLIENT KILL TYPE normal drops every connection of the clients: a call in flight fails, the
// client-side cache is emptied (nothing read before the kill is served after it), and the
// client reconnects by itself.
func TestFaultClientKill(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	r := dial(t, srv, Options{Timeout: faultTimeout})
	l, s := r.List(), r.Store()
	ctx := context.Background()
	cl := token(t, "k1", "ann", time.Now().Add(-time.Minute))
	revoked(t, l, cl)
	if _, _, hit, err := l.get(ctx, l.c.allKey); err != nil || !hit {
		t.Fatalf("before the kill: hit %v, %v", hit, err)
	}

	// A write in flight: held by CLIENT PAUSE WRITE, then its connection is killed.
	mustCommand(t, srv, "CLIENT", "PAUSE", "5000", "WRITE")
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour) }()
	time.Sleep(50 * time.Millisecond)
	if reply := mustCommand(t, srv, "CLIENT", "KILL", "TYPE", "normal"); reply == ":0" {
		t.Fatal("CLIENT KILL killed no client")
	}
	err := <-done
	took := time.Since(start)
	mustCommand(t, srv, "CLIENT", "UNPAUSE")
	if err == nil {
		t.Fatal("the Update whose connection was killed returned nil")
	}
	t.Logf("the Update in flight failed after %v: %v", took, err)
	if took > faultTimeout+slack {
		t.Errorf("it took more than the timeout")
	}

	// The cache was emptied with the connection, and the List's answers with it: the next
	// read asks the server again.
	eventually(t, time.Second, "the answers are forgotten", func() bool { return l.ans.all.Load() == nil })
	var hit bool
	eventually(t, 2*time.Second, "a read after the kill", func() bool {
		var err error
		_, _, hit, err = l.get(ctx, l.c.allKey)
		return err == nil
	})
	if hit {
		t.Fatal("a value cached before the kill was served after it")
	}
	if _, _, hit, err := l.get(ctx, l.c.allKey); err != nil || !hit {
		t.Fatalf("cached again after the reconnection: hit %v, %v", hit, err)
	}
	// Everything works again on the same client.
	if err := s.Update(ctx, "sid", fields("a", "2"), nil, time.Hour); err != nil {
		t.Fatalf("Update after reconnecting: %v", err)
	}
	if got := loadAll(t, s, "sid"); got != "a=2" {
		t.Fatalf("Load after reconnecting: %s", got)
	}
	if err := l.RevokeToken(ctx, "k1", time.Now().Add(time.Hour)); err != nil || !revoked(t, l, cl) {
		t.Fatalf("revoking after reconnecting: %v", err)
	}
}

// CLIENT PAUSE longer than the timeout: every call that needs the server returns its error
// within the timeout; answers already in the client-side cache are still given; the client
// works again when the pause ends.
func TestFaultPause(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	r := dial(t, srv, Options{Timeout: faultTimeout})
	l, s := r.List(), r.Store()
	ctx := context.Background()
	now := time.Now()
	cached := token(t, "cached", "ann", now.Add(-time.Minute))
	revoked(t, l, cached)
	if err := s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	loadAll(t, s, "sid")

	mustCommand(t, srv, "CLIENT", "PAUSE", "2000", "ALL")
	pauseEnds := time.Now().Add(2 * time.Second)
	calls := map[string]func() error{
		"Revoked (not cached)": func() error {
			_, err := l.Revoked(ctx, token(t, "fresh", "bob", now))
			return err
		},
		"Load (not cached)": func() error {
			_, err := s.Load(ctx, "other", func(string, []byte) {})
			return err
		},
		"Update":      func() error { return s.Update(ctx, "sid", fields("a", "2"), nil, time.Hour) },
		"Destroy":     func() error { return s.Destroy(ctx, "sid2", time.Hour) },
		"RevokeToken": func() error { return l.RevokeToken(ctx, "x", now.Add(time.Hour)) },
		"RevokeAll":   func() error { return l.RevokeAll(ctx, now, now.Add(time.Hour)) },
	}
	for name, call := range calls {
		if err := timed(t, name, call); err == nil {
			t.Errorf("%s during the pause: no error", name)
		} else {
			t.Logf("%s during the pause: %v", name, err)
		}
	}
	// A caller's shorter deadline wins over the timeout.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	start := time.Now()
	_, err := l.Revoked(short, token(t, "fresh2", "bob", now))
	cancel()
	if err == nil || time.Since(start) > 20*time.Millisecond+slack {
		t.Errorf("with a 20ms deadline: %v after %v", err, time.Since(start))
	}
	// Cached answers need no server (unless the client has dropped the connection: then its
	// cache is gone with it, and the check fails like the others: never a wrong answer).
	if r, err := l.Revoked(ctx, cached); err == nil && r {
		t.Error("a cached check answered revoked")
	} else {
		t.Logf("a cached check during the pause: revoked %v, %v", r, err)
	}
	if time.Now().After(pauseEnds) {
		t.Fatal("the calls above outlasted the pause: the test proves nothing")
	}

	took := eventually(t, 10*time.Second, "the client works after the pause", func() bool {
		return s.Update(ctx, "sid", fields("a", "3"), nil, time.Hour) == nil
	})
	t.Logf("working again %v after the pause ended (%v of polling)", time.Since(pauseEnds), took)
	if got := loadAll(t, s, "sid"); got != "a=3" {
		t.Fatalf("after the pause: %s", got)
	}
}

// The server is killed and started again on the same port: calls fail fast while it is down,
// and the same client works again once it is back, with nothing cached from before.
func TestFaultServerRestart(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	r := dial(t, srv, Options{Timeout: faultTimeout})
	l, s := r.List(), r.Store()
	ctx := context.Background()
	cl := token(t, "r1", "ann", time.Now().Add(-time.Minute))
	if err := l.RevokeToken(ctx, "r1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, l, cl) || !revoked(t, l, cl) {
		t.Fatal("not revoked")
	}

	srv.Kill()
	for name, call := range map[string]func() error{
		"Revoked": func() error { _, err := l.Revoked(ctx, token(t, "r2", "bob", time.Now())); return err },
		"Update":  func() error { return s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour) },
	} {
		if err := timed(t, name, call); err == nil {
			t.Errorf("%s with the server down: no error", name)
		} else {
			t.Logf("%s with the server down: %v", name, err)
		}
	}
	// The cache went with the connection: the revoked token is not answered from memory.
	if r, err := l.Revoked(ctx, cl); err == nil {
		t.Fatalf("a check with the server down answered %v from the cache", r)
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, 10*time.Second, "the same client works again", func() bool {
		return s.Update(ctx, "sid", fields("a", "1"), nil, time.Hour) == nil
	})
	t.Logf("working again %v after the server was back", took)
	if got := loadAll(t, s, "sid"); got != "a=1" {
		t.Fatalf("after the restart: %s", got)
	}
	// The new server has no data (no persistence here): the old answer is not served.
	if revoked(t, l, cl) {
		t.Fatal("an answer from before the restart was served")
	}
	if err := l.RevokeToken(ctx, "r1", time.Now().Add(time.Hour)); err != nil || !revoked(t, l, cl) {
		t.Fatalf("revoking after the restart: %v", err)
	}
}

// A closed client leaves no goroutine behind.
func TestNoGoroutineLeftAfterClose(t *testing.T) {
	needRedis(t)
	ctx := context.Background()
	base := runtime.NumGoroutine()
	var calls atomic.Int64
	for i := range 3 {
		// Standalone or not: the cluster probe's connections are closed too.
		r, err := Dial(Options{Addrs: []string{shared.Addr()}, Prefix: fmt.Sprint("leak", i, ":"),
			Timeout: faultTimeout, Standalone: i == 1})
		if err != nil {
			t.Fatal(err)
		}
		cl := token(t, "g", "ann", time.Now())
		for range 10 {
			if _, err := r.List().Revoked(ctx, cl); err != nil {
				t.Fatal(err)
			}
			if err := r.Store().Update(ctx, "sid", fields("a", "1"), nil, time.Hour); err != nil {
				t.Fatal(err)
			}
			calls.Add(2)
		}
		r.Close()
	}
	var n int
	eventually(t, 5*time.Second, "goroutines back to the count before the clients", func() bool {
		n = runtime.NumGoroutine()
		return n <= base
	})
	t.Logf("%d goroutines before, %d after 3 clients and %d calls", base, n, calls.Load())
}
