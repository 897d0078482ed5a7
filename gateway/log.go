package gateway

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/valyala/fasthttp"
)

// The servers' own messages never reach the logs as they are: fasthttp's parse errors quote
// the start of the request (its Authorization header and cookies with it), net/http's name a
// panic's value or a header the upstream sent, and the transport's errors may quote an
// upstream's malformed answer, which can echo the request. Each becomes a fixed message with a
// category and, where known, the client's address; the text of the error is never logged.

// Messages and categories of these log lines.
const (
	msgRequestNotServed = "request not served"
	msgServerError      = "server error"

	catMalformedHead  = "malformed head"
	catHeadTooLarge   = "head too large"
	catBodyTooLarge   = "body too large"
	catMalformedBody  = "malformed body"
	catTimeout        = "timeout"
	catConnection     = "connection error"
	catConnLimit      = "connection limit"
	catAccept         = "accept error"
	catPanic          = "panic"
	catHandler        = "handler error"
	catUpstreamBody   = "upstream body error"
	catClientGone     = "client gone"
	catUpstreamDial   = "upstream unreachable"
	catUpstreamAnswer = "upstream answer error"
	catOther          = "other"
)

// fastLogger takes fasthttp's own messages (connections it could not serve) and logs each as
// a fixed message at warn level: its category and the client's address, never its text.
type fastLogger struct{ l *slog.Logger }

func (f fastLogger) Printf(format string, args ...any) {
	cat := catOther
	var remote string
	for _, a := range args {
		switch v := a.(type) {
		case error:
			cat = fastErrorCategory(v)
		case net.Addr:
			remote = v.String() // the last address given is the client's
		}
	}
	switch {
	case strings.Contains(format, "Concurrency"):
		cat = catConnLimit
	case strings.Contains(format, "accepting new connections"):
		cat = catAccept
	}
	attrs := []slog.Attr{slog.String("category", cat)}
	if remote != "" {
		attrs = append(attrs, slog.String("remote", remote))
	}
	f.l.LogAttrs(context.Background(), slog.LevelWarn, msgRequestNotServed, attrs...)
}

// fastErrorCategory names what went wrong in an error of fasthttp's server.
func fastErrorCategory(err error) string {
	var small *fasthttp.ErrSmallBuffer
	var chunk fasthttp.ErrBrokenChunk
	var ne net.Error
	switch {
	case errors.As(err, &small), errors.Is(err, fasthttp.ErrSmallReadBuffer):
		return catHeadTooLarge
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return catBodyTooLarge
	case errors.As(err, &chunk):
		return catMalformedBody
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return catTimeout
	case isConnError(err):
		return catConnection
	}
	// fasthttp's head errors are fmt.Errorf("error when reading request headers: ..."), and a
	// bad chunk size comes unwrapped ("empty hex number"): these words of the message are the
	// one thing read of it.
	switch msg := err.Error(); {
	case strings.Contains(msg, "headers"):
		return catMalformedHead
	case strings.Contains(msg, "hex number"), strings.Contains(msg, "chunk"):
		return catMalformedBody
	}
	return catOther
}

// isConnError reports whether err is the connection's failing rather than the request's.
func isConnError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// stdErrorLog returns the ErrorLog of a net/http server or a ReverseProxy: each message
// becomes a fixed one at warn level with its category (and, for a panic, the client's address
// and the stack, which holds function names and machine words, not the panic's value).
func stdErrorLog(l *slog.Logger) *log.Logger {
	return log.New(stdErrorWriter{l}, "", 0)
}

type stdErrorWriter struct{ l *slog.Logger }

func (w stdErrorWriter) Write(p []byte) (int, error) {
	msg := string(p)
	attrs := make([]slog.Attr, 0, 3)
	cat := catOther
	switch {
	case strings.HasPrefix(msg, "http: panic serving "):
		cat = catPanic
		rest := msg[len("http: panic serving "):]
		if i := strings.Index(rest, ": "); i > 0 {
			attrs = append(attrs, slog.String("remote", rest[:i]))
		}
		if i := strings.Index(rest, "\ngoroutine "); i >= 0 {
			attrs = append(attrs, slog.String("stack", rest[i+1:]))
		}
	case strings.HasPrefix(msg, "http: Accept error"):
		cat = catAccept
	case strings.HasPrefix(msg, "httputil: ReverseProxy read error"):
		cat = catUpstreamBody
	case strings.HasPrefix(msg, "http: "):
		cat = catHandler // superfluous WriteHeader, an upstream's invalid Content-Length...
	}
	attrs = append([]slog.Attr{slog.String("category", cat)}, attrs...)
	w.l.LogAttrs(context.Background(), slog.LevelWarn, msgServerError, attrs...)
	return len(p), nil
}

// upstreamErrorCategory names the failure of a proxied request for the log, in place of the
// error's text: a transport error can quote the upstream's malformed answer, and that answer
// can echo the request's headers.
func upstreamErrorCategory(err error) string {
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, context.Canceled):
		return catClientGone
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return catTimeout
	case errors.As(err, &op) && op.Op == "dial":
		return catUpstreamDial
	case isConnError(err):
		return catConnection
	}
	return catUpstreamAnswer
}
