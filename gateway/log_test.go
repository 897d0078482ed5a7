package gateway

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink the server's goroutines can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDecisionLogs: at debug level every decision is logged, with its route and reason, and no
// line holds a token or a part of one.
func TestDecisionLogs(t *testing.T) {
	var out lockedBuffer
	cfg := testConfig(t, nil)
	cfg.Logger = slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	addr := serve(t, NewServer(newGateway(t, cfg)))
	good := mint(t, `"sub":"alice"`)
	bad := good[:len(good)-4] + "AAAA"
	roundTrip(t, addr, "GET", "/auth", "Authorization: Bearer "+good)
	roundTrip(t, addr, "GET", "/auth", "X-Forwarded-Uri: /admin/", "Authorization: Bearer "+bad)
	roundTrip(t, addr, "GET", "/ext-authz/x", "Authorization: Bearer "+good, "Authorization: Bearer "+good)
	logs := out.String()
	for _, want := range []string{
		`"msg":"decision","endpoint":"auth","route":"api","status":200`,
		`"route":"admin","status":401,"reason":"bad_signature"`,
		`"endpoint":"ext_authz","route":"api","status":400`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, part := range strings.Split(good, ".") {
		if strings.Contains(logs, part) {
			t.Errorf("a token segment in the logs:\n%s", logs)
		}
	}
}
