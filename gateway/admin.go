package gateway

import (
	"context"
	"time"
)

// readyTimeout bounds one /readyz probe, all checks together: a probe that hangs is a failed
// probe, and it must answer before the orchestrator's own timeout (Kubernetes: 1 s by default,
// often raised).
const readyTimeout = 2 * time.Second

// ready runs the checks in order and returns the text of the answer and whether every one passed.
func (g *Gateway) ready(ctx context.Context) ([]byte, bool) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for _, c := range g.checks {
		if err := c.Check(ctx); err != nil {
			return []byte("not ready: " + c.Name + ": " + err.Error() + "\n"), false
		}
	}
	return []byte("ok\n"), true
}

// metricsText returns the /metrics answer.
func (g *Gateway) metricsText() []byte { return g.metrics.appendText(make([]byte, 0, 8192), g) }

// Content types of the admin answers.
const (
	textPlain      = "text/plain; charset=utf-8"
	prometheusText = "text/plain; version=0.0.4; charset=utf-8"
)
