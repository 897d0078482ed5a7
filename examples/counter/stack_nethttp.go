package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// nethttpHandler wires the app to net/http: the library's Bearer middleware guards the routes a
// bearer token authenticates (see usesBearer), its Sessions middleware gives every other route the
// session, the issuer's endpoints answer /token and its siblings, and keys (when the demo signs with a key pair) serves the public keys.
func nethttpHandler(a *app, m *session.Manager, b *bearer.Bearer, keys http.Handler) http.Handler {
	api := nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeNethttp(w, a.api(nethttpRequest(w, r), nethttpsession.TokenFromContext(r.Context())))
	}))
	site := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeNethttp(w, a.site(nethttpRequest(w, r), nethttpsession.FromContext(r.Context())))
	}))
	tokens := map[string]http.Handler{}
	for path, e := range tokenEndpoints {
		tokens[path] = nethttpsession.TokenHandler(a.issuer, e)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := tokens[r.URL.Path]; ok {
			h.ServeHTTP(w, r)
			return
		}
		if usesBearer(r.URL.Path, len(r.Header.Values("Authorization")) > 0) {
			api.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == jwksPath && keys != nil {
			keys.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}

func nethttpRequest(w http.ResponseWriter, r *http.Request) request {
	return request{
		ctx:         r.Context(),
		method:      r.Method,
		path:        r.URL.Path,
		contentType: r.Header.Get("Content-Type"),
		body: func() ([]byte, error) {
			return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		},
	}
}

func writeNethttp(w http.ResponseWriter, r reply) {
	if r.contentType != "" {
		w.Header().Set("Content-Type", r.contentType)
	}
	if r.allow != "" {
		w.Header().Set("Allow", r.allow)
	}
	if r.challenge != "" {
		w.Header().Set("WWW-Authenticate", r.challenge)
	}
	if r.retryAfter != "" {
		w.Header().Set("Retry-After", r.retryAfter)
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// serveNethttp serves h on ln until ctx ends, then lets open requests finish (at most 5s).
func serveNethttp(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
