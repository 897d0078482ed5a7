package gateway

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits bound what a slow, idle or numerous client can hold of a Server, on every listener
// (the public one in both modes and the admin one). A zero field takes its default (see
// DefaultLimits); a negative one removes that bound.
type Limits struct {
	// ReadHeaderTimeout is the longest a request head may take to arrive: from the connection's
	// opening for its first request, from the first byte for the next ones. A head sent byte by
	// byte (slowloris) is cut there.
	ReadHeaderTimeout time.Duration
	// BodyTimeout is the longest a request body may take to arrive, counted from the end of the
	// head. In reverse-proxy mode the body streams to the upstream and the read fails at that
	// deadline (the upstream gets a broken request, the client a 502); a request the gateway
	// refuses is answered at once and its connection closed without reading the body. In
	// forward-auth mode the body (at most 64 KiB) is read before the decision; without a body
	// timeout it stays under ReadHeaderTimeout, counted from the start of the head.
	BodyTimeout time.Duration
	// IdleTimeout is the longest a kept-alive connection may wait for its next request.
	IdleTimeout time.Duration
	// MaxConns caps the connections open at once on each listener (the admin one: at most
	// maxAdminConns). A connection beyond the cap waits in the kernel's accept queue until
	// one closes; it costs the process nothing meanwhile.
	MaxConns int
}

// The defaults of Limits.
const (
	// A head from a proxy on the same host or network arrives in milliseconds, and one from a
	// client on a poor mobile link in well under a second; 10 s leaves room for both, and is
	// what a head sent byte by byte can hold of a connection.
	DefaultReadHeaderTimeout = 10 * time.Second
	// A minute for a request body: forward-auth bodies are at most 64 KiB, and in reverse-proxy
	// mode a minute carries uploads of tens of megabytes on an ordinary link. Longer uploads
	// or request streams need a higher value, or none.
	DefaultBodyTimeout = 60 * time.Second
	// Above the idle timeout of the connections a proxy keeps to the gateway (nginx's
	// upstream keepalive_timeout is 60 s by default): the proxy closes first, so it never
	// sends a request on a connection the gateway is closing at the same moment.
	DefaultIdleTimeout = 120 * time.Second
	// A connection costs the gateway goroutines and buffers: about 13 KiB waiting for a body
	// in forward-auth mode, about 55 KiB in reverse-proxy mode with its request under way to
	// the upstream (e2e/gateway's TestBodyFlood): 4096 stay within 250 MiB, and under the
	// file-descriptor limits of common systems. A proxy in front keeps a few dozen
	// connections; raise it for many direct clients.
	DefaultMaxConns = 4096
)

// maxAdminConns caps the admin listener's connections: probes and scrapers need a few.
const maxAdminConns = 64

// forever stands for "no bound" where a server takes zero to mean another bound (fasthttp's
// IdleTimeout of zero falls back to ReadTimeout).
const forever = 100 * 365 * 24 * time.Hour

// DefaultLimits returns the limits NewServer applies.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		BodyTimeout:       DefaultBodyTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxConns:          DefaultMaxConns,
	}
}

// resolve returns l with every zero field set to its default and every negative one to 0,
// which then means "no bound".
func (l Limits) resolve() Limits {
	d := DefaultLimits()
	dur := func(v, def time.Duration) time.Duration {
		switch {
		case v == 0:
			return def
		case v < 0:
			return 0
		}
		return v
	}
	l.ReadHeaderTimeout = dur(l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	l.BodyTimeout = dur(l.BodyTimeout, d.BodyTimeout)
	l.IdleTimeout = dur(l.IdleTimeout, d.IdleTimeout)
	switch {
	case l.MaxConns == 0:
		l.MaxConns = d.MaxConns
	case l.MaxConns < 0:
		l.MaxConns = 0
	}
	return l
}

// limitListener accepts at most cap(sem) connections open at once: Accept waits for one to
// close. The standard library has none (golang.org/x/net/netutil has one; it is not a
// dependency of this module).
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// limitListen returns ln, limited to n connections at once when n > 0.
func limitListen(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: l.Addr().Network(), Addr: l.Addr(), Err: net.ErrClosed}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, l: l}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed, once.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { <-c.l.sem })
	return err
}

// CloseWrite half-closes a TCP connection, as net/http does before closing one whose request
// body it did not read (so that the client reads the answer before the reset).
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// aLongTimeAgo is a read deadline in the past: the next read fails at once.
var aLongTimeAgo = time.Unix(1, 0)

// boundBody is the body rule of the net/http listeners around h. The body of a request that
// declares one must arrive within timeout (0: no bound) of the end of the head. When the
// answer starts before the whole body was read (a refusal, an upstream that answered early),
// the answer carries "Connection: close" and, once h returns, the connection is closed
// without reading the rest: net/http would otherwise read up to 256 KiB of it first, to reuse
// the connection, and wait as long as the client takes to send them (forever for a client that
// declares a body and sends none).
func boundBody(h http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || r.ProtoMajor != 1 {
			h.ServeHTTP(w, r)
			return
		}
		b := &watchedBody{ReadCloser: r.Body, rc: http.NewResponseController(w)}
		if timeout > 0 {
			_ = b.rc.SetReadDeadline(time.Now().Add(timeout))
		}
		r.Body = b
		h.ServeHTTP(&unreadCloser{ResponseWriter: w, b: b}, r)
		b.finish()
	})
}

// watchedBody is a request body that knows whether it was read to its end. It may be read by
// another goroutine than the handler's (the transport sending it upstream), hence the lock.
type watchedBody struct {
	io.ReadCloser
	rc *http.ResponseController

	mu   sync.Mutex
	eof  bool
	done bool // the handler returned: the connection is no longer the body's
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.mu.Lock()
		if !b.eof && !b.done {
			b.eof = true
			// The body is in: its deadline must not cut the wait for the answer (net/http
			// reads the connection in the background from now on, to see the client leave).
			_ = b.rc.SetReadDeadline(time.Time{})
		}
		b.mu.Unlock()
	}
	return n, err
}

// complete reports whether the body was read to its end.
func (b *watchedBody) complete() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof
}

// finish runs when the handler returns: a body not read to its end is not read on.
func (b *watchedBody) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	if !b.eof {
		_ = b.rc.SetReadDeadline(aLongTimeAgo)
	}
}

// unreadCloser marks "Connection: close" on an answer that starts before the request body was
// read to its end.
type unreadCloser struct {
	http.ResponseWriter
	b     *watchedBody
	wrote bool
}

func (w *unreadCloser) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		if !w.b.complete() {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *unreadCloser) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's own writer (flush, hijack, full
// duplex, deadlines).
func (w *unreadCloser) Unwrap() http.ResponseWriter { return w.ResponseWriter }
