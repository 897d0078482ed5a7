package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// TestFailOpenVisible: every request let through because the revocation list cannot answer is
// counted by route in /metrics, and logged at warn level once per window, without the token,
// however many there are; a reload keeps the counts. What is logged is the report of the one
// revocation verdict (revoke.Checker), which the routes' Bearers give.
func TestFailOpenVisible(t *testing.T) {
	var out lockedBuffer
	down := &revocations{}
	down.fail.Store(true)
	cfg := testConfig(t, down)
	cfg.FailOpen = true
	cfg.Metrics = NewMetrics()
	cfg.Logger = slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}))
	g := newGateway(t, cfg)
	good := mint(t, `"sub":"alice"`)
	const n = 300
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for range n / 3 {
				ctx := subrequest(t, false, "/auth", "X-Forwarded-Uri: /api/x", "Authorization: Bearer "+good)
				g.serveFast(ctx)
				if ctx.Response.StatusCode() != 200 {
					t.Errorf("fail-open: %d", ctx.Response.StatusCode())
				}
			}
		})
	}
	wg.Wait()
	text := string(g.metricsText())
	for _, want := range []string{
		`fastjwt_gateway_fail_open_total{route="api"} 300`,
		`fastjwt_gateway_fail_open_total{route="admin"} 0`,
		`fastjwt_gateway_decisions_total{endpoint="auth",reason="allowed"} 300`,
		`fastjwt_gateway_decisions_total{endpoint="auth",reason="unavailable"} 0`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %s:\n%s", want, text)
		}
	}
	logs := out.String()
	// The line carries the error revoke.Checker reports when it fails open on this list.
	var report []error
	verdict := revoke.Checker{List: down, FailOpen: true, OnFailOpen: func(err error) { report = append(report, err) }}
	if err := verdict.Check(context.Background(), &fastjwt.Claims{}); err != nil || len(report) != 1 {
		t.Fatalf("the verdict failing open: %v, reported %v", err, report)
	}
	quoted, _ := json.Marshal(report[0].Error())
	if !strings.Contains(logs, `"error":`+string(quoted)) {
		t.Errorf("the fail-open line lacks the verdict's report %s:\n%s", quoted, logs)
	}
	if c := strings.Count(logs, msgFailOpen); c != 1 {
		t.Errorf("%d fail-open lines for %d requests in one window, want 1:\n%s", c, n, logs)
	}
	for _, want := range []string{`"level":"WARN"`, `"route":"api"`, `"suppressed":0`,
		`"error":"revoke: the revocation list cannot answer (failing open): list down"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the fail-open line lacks %s:\n%s", want, logs)
		}
	}
	for _, part := range strings.Split(good, ".") {
		if strings.Contains(logs, part) {
			t.Errorf("a token segment in the logs:\n%s", logs)
		}
	}

	// The counts survive a reload (the same Metrics); each route logs its own line.
	reloaded := newGateway(t, cfg)
	ctx := subrequest(t, false, "/auth", "X-Forwarded-Uri: /admin/x", "Authorization: Bearer "+mint(t, `"aud":"admin"`))
	reloaded.serveFast(ctx)
	text = string(reloaded.metricsText())
	if ctx.Response.StatusCode() != 200 || !strings.Contains(text, `fastjwt_gateway_fail_open_total{route="api"} 300`+"\n") ||
		!strings.Contains(text, `fastjwt_gateway_fail_open_total{route="admin"} 1`+"\n") {
		t.Errorf("after a reload: %d\n%s", ctx.Response.StatusCode(), text)
	}
	if c := strings.Count(out.String(), msgFailOpen); c != 2 {
		t.Errorf("%d fail-open lines, want 2 (one per route):\n%s", c, out.String())
	}

	// Failing closed, nothing fails open.
	cfg.FailOpen = false
	closed := newGateway(t, cfg)
	ctx = subrequest(t, false, "/auth", "X-Forwarded-Uri: /api/x", "Authorization: Bearer "+good)
	closed.serveFast(ctx)
	if ctx.Response.StatusCode() != 503 || !strings.Contains(string(closed.metricsText()), `fastjwt_gateway_fail_open_total{route="api"} 300`+"\n") {
		t.Errorf("fail closed: %d", ctx.Response.StatusCode())
	}
}

// TestFailOpenLogWindow: one line per window, which says how many events the window before it
// suppressed.
func TestFailOpenLogWindow(t *testing.T) {
	l := newRateLimit(10 * time.Second)
	at := func(d time.Duration) time.Time { return l.start.Add(d) }
	for _, step := range []struct {
		at         time.Duration
		ok         bool
		suppressed uint64
	}{
		{0, true, 0},
		{time.Millisecond, false, 0},
		{time.Second, false, 0},
		{9999 * time.Millisecond, false, 0},
		{10 * time.Second, true, 3},
		{10 * time.Second, false, 0},
		{25 * time.Second, true, 1},
		{26 * time.Second, false, 0},
	} {
		suppressed, ok := l.allow(at(step.at))
		if ok != step.ok || suppressed != step.suppressed {
			t.Errorf("at %v: %v, %d; want %v, %d", step.at, ok, suppressed, step.ok, step.suppressed)
		}
	}
}

// TestFailOpenLogWindowConcurrent: events racing the one that opens a window are counted toward
// the next line, never into the line that opens it, and none is lost.
func TestFailOpenLogWindowConcurrent(t *testing.T) {
	for range 50 {
		l := newRateLimit(10 * time.Second)
		at := l.start.Add(time.Millisecond)
		const n = 64
		var wg sync.WaitGroup
		var passed, first atomic.Uint64
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				if s, ok := l.allow(at); ok {
					passed.Add(1)
					first.Store(s)
				}
			})
		}
		close(start)
		wg.Wait()
		if passed.Load() != 1 || first.Load() != 0 {
			t.Fatalf("%d events went through, the first reporting %d suppressed; want 1 and 0", passed.Load(), first.Load())
		}
		if s, ok := l.allow(l.start.Add(11 * time.Second)); !ok || s != n-1 {
			t.Fatalf("the next window: %v, %d suppressed; want true, %d", ok, s, n-1)
		}
	}
}

// TestFailOpenHookAllocs: a suppressed fail-open event allocates nothing; many at once give one
// line.
func TestFailOpenHookAllocs(t *testing.T) {
	var out lockedBuffer
	cfg := testConfig(t, nil)
	cfg.Logger = slog.New(slog.NewJSONHandler(&out, nil))
	g := newGateway(t, cfg)
	hook := g.failOpenHook("api")
	err := errors.Join(revoke.ErrUnavailable, errors.New("connection refused"))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				hook(err)
			}
		})
	}
	wg.Wait()
	if n := testing.AllocsPerRun(1000, func() { hook(err) }); n != 0 {
		t.Errorf("a suppressed fail-open event: %v allocations", n)
	}
	if c := strings.Count(out.String(), msgFailOpen); c != 1 {
		t.Errorf("%d lines, want 1:\n%s", c, out.String())
	}
	if got := g.metrics.failOpenCounter("api").Load(); got != 4000+1001 {
		t.Errorf("counted %d, want %d", got, 5001)
	}
}
