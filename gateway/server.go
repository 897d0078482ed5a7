package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Bounds of the forward-auth server (fasthttp). A subrequest is a request head: the proxies send
// no body (nginx's auth_request never does), so bodies are capped small. The timeouts of reading
// a request and of keeping a connection are the Server's Limits.
const (
	fastReadBufferSize = 16 << 10 // request head: room for a large token in a header or cookie
	fastMaxBody        = 64 << 10
	fastWriteTimeout   = 10 * time.Second
)

// adminWriteTimeout bounds the writing of an admin answer (a few KiB of metrics at most).
const adminWriteTimeout = 10 * time.Second

// Server serves the current *Gateway, held behind an atomic pointer, so that a reload swaps it
// without dropping connections: a request runs under the Gateway it started with.
type Server struct {
	g     atomic.Pointer[Gateway]
	proxy bool   // the mode, fixed at NewServer
	lim   Limits // resolved: no zero default left

	mu     sync.Mutex
	closed bool
	lns    []net.Listener
	fast   *fasthttp.Server
	std    *http.Server
	admin  *http.Server
}

// NewServer returns a Server running g with DefaultLimits; g's mode (forward-auth or
// reverse-proxy) is the Server's.
func NewServer(g *Gateway) *Server { return NewServerWith(g, Limits{}) }

// NewServerWith returns a Server running g, its listeners bounded by lim (a zero field takes
// its default, a negative one is no bound: see Limits).
func NewServerWith(g *Gateway, lim Limits) *Server {
	lim = lim.resolve()
	s := &Server{proxy: g.Proxy(), lim: lim}
	s.g.Store(g)
	if s.proxy {
		s.std = &http.Server{
			Handler: boundBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s.g.Load().proxy.ServeHTTP(w, r)
			}), lim.BodyTimeout),
			ReadHeaderTimeout: lim.ReadHeaderTimeout,
			// No ReadTimeout: the body's deadline is boundBody's, set once the head is in.
			IdleTimeout:    lim.IdleTimeout,
			MaxHeaderBytes: maxHeaderBytes,
			ErrorLog:       stdErrorLog(g.log),
		}
	} else {
		idle := lim.IdleTimeout
		if idle == 0 {
			idle = forever // fasthttp's zero means ReadTimeout
		}
		s.fast = &fasthttp.Server{
			Handler: s.HandleFastHTTP,
			// Names are read ASCII case-insensitively everywhere, so normalizing them would only
			// cost time; fasthttp recommends it off behind a proxy.
			DisableHeaderNamesNormalizing: true,
			ReadBufferSize:                fastReadBufferSize,
			MaxRequestBodySize:            fastMaxBody,
			// fasthttp's ReadTimeout runs from the connection's opening (first request) or
			// from the first byte of a request (the next ones) to the end of the request; the
			// body's own deadline replaces it once the head is in (HeaderReceived).
			ReadTimeout:  lim.ReadHeaderTimeout,
			WriteTimeout: fastWriteTimeout,
			IdleTimeout:  idle,
			// The connection cap is the listener's (Serve), which makes a connection beyond it
			// wait as in reverse-proxy mode; fasthttp's own Concurrency, which answers 503 to
			// a connection beyond it, keeps its default far above.
			NoDefaultServerHeader: true,
			NoDefaultContentType:  true,
			CloseOnShutdown:       true,
			// fasthttp's worker-pool cleaner sleeps this long between rounds and sees Shutdown
			// only when it wakes: 1 s instead of 10 s bounds what outlives Shutdown.
			MaxIdleWorkerDuration: time.Second,
			// Without the request's bytes in its errors; fastLogger logs none of their text
			// anyway.
			SecureErrorLogMessage:        true,
			DisablePreParseMultipartForm: true,
			Logger:                       fastLogger{g.log},
		}
		if body := lim.BodyTimeout; body > 0 {
			s.fast.HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
				if n := h.ContentLength(); n > 0 || n == -1 { // a length, or chunked
					return fasthttp.RequestConfig{ReadTimeout: body}
				}
				return fasthttp.RequestConfig{}
			}
		}
	}
	s.admin = &http.Server{
		Handler:           boundBody(s.AdminHandler(), lim.BodyTimeout),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		WriteTimeout:      adminWriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          stdErrorLog(g.log),
	}
	return s
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
// net/http in reverse-proxy mode, at most Limits.MaxConns of them open at once. It may be called
// for several listeners (each has its own cap). After Shutdown it returns ErrServerClosed (and
// closes ln if it was not yet served).
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(ln, true) {
		return ErrServerClosed
	}
	ln = limitListen(ln, s.lim.MaxConns)
	var err error
	if s.proxy {
		err = s.std.Serve(ln)
	} else {
		err = s.fast.Serve(ln)
	}
	return s.served(err)
}

// ServeAdmin accepts connections on ln for the admin endpoints until Shutdown, with net/http in
// both modes: /healthz (200 while the process runs), /readyz (200 when every readiness check
// passes, else 503 naming the first that failed and why: addresses and errors meant for the
// operator, hence a listener of its own) and /metrics (Prometheus text); any other path gets
// 404. The public listener answers none of them. Limits apply as on Serve, with at most 64
// connections at once. After Shutdown it returns ErrServerClosed.
func (s *Server) ServeAdmin(ln net.Listener) error {
	if !s.track(ln, false) {
		return ErrServerClosed
	}
	n := s.lim.MaxConns
	if n <= 0 || n > maxAdminConns {
		n = maxAdminConns
	}
	return s.served(s.admin.Serve(limitListen(ln, n)))
}

// track closes ln and reports false after Shutdown; else it records a public listener for
// Shutdown (net/http's servers track their own).
func (s *Server) track(ln net.Listener, public bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		ln.Close()
		return false
	}
	if public {
		s.lns = append(s.lns, ln)
	}
	return true
}

// served maps the error a server's Serve returned.
func (s *Server) served(err error) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed || errors.Is(err, http.ErrServerClosed) {
		return ErrServerClosed
	}
	return err
}

// Shutdown stops accepting connections (public and admin), closes idle ones, waits for the
// requests under way to be answered, and returns; or returns ctx's error when ctx ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	lns := s.lns
	s.lns = nil
	s.mu.Unlock()
	adminDone := make(chan error, 1)
	go func() { adminDone <- s.admin.Shutdown(ctx) }()
	var err error
	if s.proxy {
		err = s.std.Shutdown(ctx)
	} else {
		// Closing the listeners first ends a Serve that fasthttp has not registered yet (its
		// Shutdown only closes the listeners it knows).
		for _, ln := range lns {
			ln.Close()
		}
		err = s.fast.ShutdownWithContext(ctx)
		if errors.Is(err, net.ErrClosed) { // fasthttp closing the listeners closed above
			err = nil
		}
	}
	if aerr := <-adminDone; err == nil {
		err = aerr
	}
	return err
}

// HandleFastHTTP answers one request as Serve does in forward-auth mode under the current
// Gateway, whatever the mode, for a fasthttp server of one's own: /auth (nginx auth_request,
// Caddy forward_auth, Traefik forwardAuth) and /ext-authz/<path> (Envoy); any other path gets
// 404, the admin endpoints included (they are ServeAdmin's and AdminHandler's). It reads header
// names ASCII case-insensitively, so it holds with and without DisableHeaderNamesNormalizing.
func (s *Server) HandleFastHTTP(ctx *fasthttp.RequestCtx) { s.g.Load().serveFast(ctx) }

// AdminHandler returns the handler of the admin endpoints (/healthz, /readyz, /metrics: see
// ServeAdmin) under the current Gateway, for a server of one's own; it should listen apart
// from the public listener, on a loopback or internal address.
func (s *Server) AdminHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.g.Load().serveAdmin(w, r) })
}
