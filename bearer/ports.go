package bearer

// The adapter contract, in one place: what an adapter for an HTTP framework implements, and the
// order in which it calls the Bearer. Adapters hold no policy; they translate.
//
// For each request:
//
//	t := b.Acquire()
//	if aerr := b.Authenticate(ctx, t, req); aerr != nil {
//		// answer aerr.Status with aerr.Challenge() in WWW-Authenticate (or a custom answer)
//	} else {
//		// run the handler, which reaches t through the adapter
//	}
//	b.Release(t) // after the handler has returned, never before
//
// Adapters whose server can add request header fields after Authenticate guard such requests
// before calling it when b.Forwards() reports true: fasthttp with Server.StreamRequestBody merges
// the trailer fields of a chunked body into the request header as the handler reads the body,
// after the forwarded headers were set, so its adapter answers a streamed body of unknown length
// with 411 Length Required, and no client value of a forwarded header reaches the handler. A
// server that keeps trailers apart (net/http's Request.Trailer) or reads them before the handler
// runs needs no guard.

// Request is the part of a request that bearer authentication reads and writes.
type Request interface {
	// AppendValues appends to dst every value of the named request header field, one element per
	// field line, in the order received, whatever the spelling of the name (names are matched
	// ASCII case-insensitively, whatever the server's name-normalizing setting).
	AppendValues(dst [][]byte, name string) [][]byte
	// AppendQuery appends every value of the named query parameter, decoded.
	AppendQuery(dst [][]byte, name string) [][]byte
	// Del deletes every line of the named request header field, in every spelling of the name.
	Del(name string)
	// Set adds the named request header with value, which the adapter copies. It is called only
	// after Del of the same name.
	Set(name string, value []byte)
}
