// Command loadserver is one of the servers that bench/http-load.sh drives with wrk: a trivial
// handler (it reads one value of the credential and answers "ok", or 401 without it) bare, behind
// this project's fasthttp or net/http middleware, or behind what users write today (a golang-jwt
// bearer check, a gorilla/sessions CookieStore), on a loopback listener.
//
// Usage: loadserver -kind KIND [-listen 127.0.0.1:0]
//
// It mints the credential its handler accepts (an HS256 token under a random key, or a session
// cookie issued by the same code that reads it), then prints two lines on stdout and serves until
// it is killed:
//
//	listening 127.0.0.1:PORT
//	header Authorization: Bearer eyJ...     (or "header Cookie: session=...", or "header -")
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/sessions"
	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// kinds lists the servers, in the order of the script's rows.
var kinds = []string{
	"fasthttp-bare", "fasthttp-session", "fasthttp-bearer",
	"nethttp-bare", "nethttp-session", "nethttp-bearer",
	"nethttp-golang-jwt", "nethttp-gorilla-sessions",
}

const (
	issuer      = "https://auth.example.com"
	audience    = "api.example.com"
	wantCounter = 42
)

var okBody = []byte("ok\n")

func main() {
	kind := flag.String("kind", "", "the server: "+strings.Join(kinds, ", "))
	listen := flag.String("listen", "127.0.0.1:0", "the address to listen on")
	flag.Parse()
	if err := run(*kind, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "loadserver:", err)
		os.Exit(1)
	}
}

func run(kind, listen string) error {
	secret := make([]byte, 32)
	rand.Read(secret) // never fails (crypto/rand panics rather than return an error)
	var (
		fh     fasthttp.RequestHandler
		nh     http.Handler
		header = "-"
		err    error
	)
	switch kind {
	case "fasthttp-bare":
		fh = func(ctx *fasthttp.RequestCtx) { ctx.Write(okBody) }
	case "fasthttp-session":
		var m *session.Manager
		if m, header, err = sessionManager(secret); err == nil {
			fh = fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
				if n, _ := fasthttpsession.From(ctx).Int("counter"); n != wantCounter {
					ctx.SetStatusCode(fasthttp.StatusUnauthorized)
				}
				ctx.Write(okBody)
			})
		}
	case "fasthttp-bearer":
		var b *bearer.Bearer
		if b, header, err = bearerCheck(secret); err == nil {
			fh = fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
				var buf [64]byte
				if sub, ok := fasthttpsession.TokenFrom(ctx).AppendString(buf[:0], "sub"); !ok || len(sub) == 0 {
					ctx.SetStatusCode(fasthttp.StatusUnauthorized)
				}
				ctx.Write(okBody)
			})
		}
	case "nethttp-bare":
		nh = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(okBody) })
	case "nethttp-session":
		var m *session.Manager
		if m, header, err = sessionManager(secret); err == nil {
			nh = nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n, _ := nethttpsession.FromContext(r.Context()).Int("counter"); n != wantCounter {
					w.WriteHeader(http.StatusUnauthorized)
				}
				w.Write(okBody)
			}))
		}
	case "nethttp-bearer":
		var b *bearer.Bearer
		if b, header, err = bearerCheck(secret); err == nil {
			nh = nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var buf [64]byte
				if sub, ok := nethttpsession.TokenFromContext(r.Context()).AppendString(buf[:0], "sub"); !ok || len(sub) == 0 {
					w.WriteHeader(http.StatusUnauthorized)
				}
				w.Write(okBody)
			}))
		}
	case "nethttp-golang-jwt":
		nh, header, err = golangJWT(secret)
	case "nethttp-gorilla-sessions":
		nh, header, err = gorilla(secret)
	default:
		return fmt.Errorf("unknown -kind %q (want one of %s)", kind, strings.Join(kinds, ", "))
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\nheader %s\n", ln.Addr(), header)
	if fh != nil {
		return (&fasthttp.Server{Handler: fh}).Serve(ln)
	}
	srv := &http.Server{Handler: nh, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// sessionManager returns a Manager and the Cookie header of a session holding counter=42, issued
// by the net/http middleware (the fasthttp one reads the same cookie).
func sessionManager(secret []byte) (*session.Manager, string, error) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	if err != nil {
		return nil, "", err
	}
	m, err := session.New(codec, session.Config{})
	if err != nil {
		return nil, "", err
	}
	var setErr error
	h := nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setErr = nethttpsession.FromContext(r.Context()).Set("counter", wantCounter)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil))
	if setErr != nil {
		return nil, "", setErr
	}
	c, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	if c == "" {
		return nil, "", errors.New("the session middleware set no cookie")
	}
	return m, "Cookie: " + c, nil
}

// claims returns the signed claims of the bearer rows: a subject, a name, roles, the issuer and
// audience the checks require, and an expiry an hour from now.
func claims() []byte {
	now := time.Now().Unix()
	return fmt.Appendf(nil, `{"sub":"1234567890","name":"John Doe","admin":true,"iat":%d,"exp":%d,`+
		`"iss":%q,"aud":%q,"jti":"3f2c9a1e-7b4d-4e8a-9c1f-2d6b5a8e0f13","roles":["reader","writer","admin"]}`,
		now, now+3600, issuer, audience)
}

// bearerCheck returns this project's bearer check and the Authorization header of a token it
// accepts.
func bearerCheck(secret []byte) (*bearer.Bearer, string, error) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithIssuer(issuer), fastjwt.WithAudience(audience))
	if err != nil {
		return nil, "", err
	}
	tok, err := codec.AppendSign(nil, claims())
	if err != nil {
		return nil, "", err
	}
	b, err := bearer.New(codec, bearer.Config{})
	if err != nil {
		return nil, "", err
	}
	return b, "Authorization: Bearer " + string(tok), nil
}

type subjectKey struct{}

// golangJWT returns the bearer check users write with golang-jwt v5 (parse the Authorization
// header, verify into a claims struct with the method, issuer and audience checked, refuse with
// 401, pass the subject on in the context) and the header of a token it accepts.
func golangJWT(secret []byte) (http.Handler, string, error) {
	tok, err := gjwt.NewWithClaims(gjwt.SigningMethodHS256, gjwt.RegisteredClaims{
		Subject: "1234567890", Issuer: issuer, Audience: gjwt.ClaimStrings{audience},
		IssuedAt: gjwt.NewNumericDate(time.Now()), ExpiresAt: gjwt.NewNumericDate(time.Now().Add(time.Hour)),
		ID: "3f2c9a1e-7b4d-4e8a-9c1f-2d6b5a8e0f13",
	}).SignedString(secret)
	if err != nil {
		return nil, "", err
	}
	parser := gjwt.NewParser(gjwt.WithValidMethods([]string{"HS256"}), gjwt.WithIssuer(issuer), gjwt.WithAudience(audience))
	keyFunc := func(*gjwt.Token) (any, error) { return secret, nil }
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var cl gjwt.RegisteredClaims
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if _, err := parser.ParseWithClaims(raw, &cl, keyFunc); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), subjectKey{}, cl.Subject))
		if sub, _ := r.Context().Value(subjectKey{}).(string); sub == "" {
			w.WriteHeader(http.StatusUnauthorized)
		}
		w.Write(okBody)
	})
	return h, "Authorization: Bearer " + tok, nil
}

// gorilla returns a handler reading one value of a gorilla/sessions CookieStore session and the
// Cookie header of a session holding it.
func gorilla(secret []byte) (http.Handler, string, error) {
	store := sessions.NewCookieStore(secret)
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	rec := httptest.NewRecorder()
	s, err := store.New(r, "session")
	if err != nil {
		return nil, "", err
	}
	s.Values["counter"] = wantCounter
	if err := s.Save(r, rec); err != nil {
		return nil, "", err
	}
	c, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := store.Get(r, "session")
		if err != nil || s.Values["counter"] != wantCounter {
			w.WriteHeader(http.StatusUnauthorized)
		}
		w.Write(okBody)
	})
	return h, "Cookie: " + c, nil
}
