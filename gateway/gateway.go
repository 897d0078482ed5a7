package gateway

// Gateway is one immutable configuration of the server: its routes, each with a bearer policy,
// and its mode. A Server runs the current Gateway; a reload builds a new one and swaps it in.
type Gateway struct {
	cfg Config
}

// New returns a Gateway for cfg, or an error matching ErrConfig that says what is wrong.
func New(cfg Config) (*Gateway, error) {
	return &Gateway{cfg: cfg}, nil
}

// Proxy reports whether g runs in reverse-proxy mode (Config.Upstream set).
func (g *Gateway) Proxy() bool { return g.cfg.Upstream != nil }
