package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Bounds of the forward-auth server (fasthttp). A subrequest is a request head: the proxies send
// no body (nginx's auth_request never does), so bodies are capped small.
const (
	fastReadBufferSize = 16 << 10 // request head: room for a large token in a header or cookie
	fastMaxBody        = 64 << 10
	fastReadTimeout    = 10 * time.Second
	fastWriteTimeout   = 10 * time.Second
	fastIdleTimeout    = 120 * time.Second
)

// Server serves the current *Gateway, held behind an atomic pointer, so that a reload swaps it
// without dropping connections: a request runs under the Gateway it started with.
type Server struct {
	g     atomic.Pointer[Gateway]
	proxy bool // the mode, fixed at NewServer

	mu     sync.Mutex
	closed bool
	lns    []net.Listener
	fast   *fasthttp.Server
	std    *http.Server
}

// NewServer returns a Server running g; g's mode (forward-auth or reverse-proxy) is the
// Server's.
func NewServer(g *Gateway) *Server {
	s := &Server{proxy: g.Proxy()}
	s.g.Store(g)
	if s.proxy {
		s.std = &http.Server{
			Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.g.Load().proxy.ServeHTTP(w, r) }),
			ReadHeaderTimeout: readHeaderTimeout,
			IdleTimeout:       serverIdleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
		}
	} else {
		s.fast = &fasthttp.Server{
			Handler: s.HandleFastHTTP,
			// Names are read ASCII case-insensitively everywhere, so normalizing them would only
			// cost time; fasthttp recommends it off behind a proxy.
			DisableHeaderNamesNormalizing: true,
			ReadBufferSize:                fastReadBufferSize,
			MaxRequestBodySize:            fastMaxBody,
			ReadTimeout:                   fastReadTimeout,
			WriteTimeout:                  fastWriteTimeout,
			IdleTimeout:                   fastIdleTimeout,
			NoDefaultServerHeader:         true,
			NoDefaultContentType:          true,
			CloseOnShutdown:               true,
			// fasthttp's worker-pool cleaner sleeps this long between rounds and sees Shutdown
			// only when it wakes: 1 s instead of 10 s bounds what outlives Shutdown.
			MaxIdleWorkerDuration: time.Second,
			Logger:                fastLogger{g.log},
		}
	}
	return s
}

// fastLogger hands fasthttp's own messages (connection errors) to slog at warn level.
type fastLogger struct{ l *slog.Logger }

func (f fastLogger) Printf(format string, args ...any) {
	f.l.Warn("fasthttp", slog.String("message", fmt.Sprintf(format, args...)))
}

// Swap makes g the Gateway of every request that starts from now on; requests under way finish
// with the old one. It refuses (ErrConfig) a Gateway of the other mode (Upstream set or not):
// the server under the listener differs, so that change needs a restart; the old Gateway stays.
func (s *Server) Swap(g *Gateway) error {
	if g == nil {
		return fmt.Errorf("%w: nil Gateway", ErrConfig)
	}
	if g.Proxy() != s.proxy {
		return fmt.Errorf("%w: the new configuration changes the mode (reverse-proxy or forward-auth): restart instead", ErrConfig)
	}
	s.g.Store(g)
	g.metrics.swaps.Add(1)
	return nil
}

// Serve accepts connections on ln until Shutdown: with fasthttp in forward-auth mode, with
// net/http in reverse-proxy mode. It may be called for several listeners. After Shutdown it
// returns ErrServerClosed (and closes ln if it was not yet served).
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	var err error
	if s.proxy {
		err = s.std.Serve(ln)
	} else {
		err = s.fast.Serve(ln)
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrServerClosed
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = ErrServerClosed
	}
	return err
}

// Shutdown stops accepting connections, closes idle ones, waits for the requests under way to
// be answered, and returns; or returns ctx's error when ctx ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	lns := s.lns
	s.lns = nil
	s.mu.Unlock()
	if s.proxy {
		return s.std.Shutdown(ctx)
	}
	// Closing the listeners first ends a Serve that fasthttp has not registered yet (its
	// Shutdown only closes the listeners it knows).
	for _, ln := range lns {
		ln.Close()
	}
	err := s.fast.ShutdownWithContext(ctx)
	if errors.Is(err, net.ErrClosed) { // fasthttp closing the listeners closed above
		err = nil
	}
	return err
}

// HandleFastHTTP answers one request as Serve does in forward-auth mode (/auth, /ext-authz/...,
// /healthz, /readyz, /metrics) under the current Gateway, whatever the mode: for a fasthttp
// server of one's own. It reads header names ASCII case-insensitively, so it holds with and
// without DisableHeaderNamesNormalizing.
func (s *Server) HandleFastHTTP(ctx *fasthttp.RequestCtx) { s.g.Load().serveFast(ctx) }
