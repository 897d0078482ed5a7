package gateway

import (
	"context"
	"net/http"
	"time"
)

// serveAdmin answers the admin listener's requests (see Server.ServeAdmin).
func (g *Gateway) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		adminAnswer(w, http.StatusOK, textPlain, []byte("ok\n"))
		g.metrics.count(epHealthz, http.StatusOK)
	case "/readyz":
		body, ok := g.ready(r.Context())
		status := http.StatusOK
		if !ok {
			status = http.StatusServiceUnavailable
		}
		adminAnswer(w, status, textPlain, body)
		g.metrics.count(epReadyz, status)
	case "/metrics":
		adminAnswer(w, http.StatusOK, prometheusText, g.metricsText())
		g.metrics.count(epMetrics, http.StatusOK)
	default:
		adminAnswer(w, http.StatusNotFound, textPlain, []byte("404 page not found\n"))
	}
}

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
