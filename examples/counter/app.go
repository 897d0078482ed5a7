package main

import (
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// appPage is the page served at /app. It reads the session cookie in the browser.
//
//go:embed app.html
var appPage []byte

// maxBody caps what /login reads; a user name and a password need far less.
const maxBody = 64 << 10

// app is the demo's logic, written once. Each stack (stack_fasthttp.go, stack_nethttp.go) only
// turns its request into a request value, gets the session or token from the library's adapter,
// and writes the reply back.
type app struct {
	user     string
	password [sha256.Size]byte // compared as digests, so the comparison's time says nothing about it
	tokens   *fastjwt.Codec    // signs the bearer tokens that /login hands out
	tokenTTL time.Duration
	now      func() time.Time
}

// request is the part of an HTTP request that the demo reads.
type request struct {
	method, path string
	contentType  string
	body         func() ([]byte, error) // read only by the routes that need it
}

// reply is what a route answers.
type reply struct {
	status      int
	contentType string
	body        []byte
	allow       string // the Allow header of a 405
}

func text(status int, format string, args ...any) reply {
	return reply{status: status, contentType: "text/plain; charset=utf-8", body: fmt.Appendf(nil, format, args...)}
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		return text(http.StatusInternalServerError, "internal error\n")
	}
	return reply{status: status, contentType: "application/json", body: append(b, '\n')}
}

func errorReply(status int, code, description string) reply {
	return jsonReply(status, map[string]string{"error": code, "error_description": description})
}

func methodNotAllowed(allow string) reply {
	r := text(http.StatusMethodNotAllowed, "method not allowed\n")
	r.allow = allow
	return r
}

// site answers every route that works with the cookie session: all but /api/me.
func (a *app) site(r request, s *session.Session) reply {
	switch r.path {
	case "/":
		if r.method != http.MethodGet && r.method != http.MethodHead {
			return methodNotAllowed("GET, HEAD")
		}
		return a.counter(s)
	case "/app":
		if r.method != http.MethodGet && r.method != http.MethodHead {
			return methodNotAllowed("GET, HEAD")
		}
		// The page does not touch the session, so the library sends no cookie for it.
		return reply{status: http.StatusOK, contentType: "text/html; charset=utf-8", body: appPage}
	case "/login":
		if r.method != http.MethodPost {
			return methodNotAllowed("POST")
		}
		return a.login(r, s)
	case "/logout":
		if r.method != http.MethodPost {
			return methodNotAllowed("POST")
		}
		s.Clear() // an empty session deletes the cookie
		return reply{status: http.StatusNoContent}
	}
	return text(http.StatusNotFound, "not found\n")
}

// counter is the classic cookie-session example: the count of this browser's requests to /.
func (a *app) counter(s *session.Session) reply {
	n, _ := s.Int("counter") // absent in a new session: 0
	n++
	if err := s.Set("counter", n); err != nil {
		return text(http.StatusInternalServerError, "session: %v\n", err)
	}
	return text(http.StatusOK, "Current counter value: %d\n", n)
}

// credentials is the body of POST /login, as JSON or as a form.
type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login checks the credentials, records the user in the cookie session, and returns a bearer
// token for the API.
func (a *app) login(r request, s *session.Session) reply {
	cr, err := readCredentials(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, "invalid_request", err.Error())
	}
	if !a.checkPassword(cr) {
		return errorReply(http.StatusUnauthorized, "invalid_credentials", "wrong user name or password")
	}
	if err := s.Set("user", cr.Username); err != nil {
		return text(http.StatusInternalServerError, "session: %v\n", err)
	}
	now := a.now()
	tok, err := fastjwt.Encode(a.tokens, nil, tokenClaims{
		Subject:  cr.Username,
		Audience: apiAudience,
		IssuedAt: now.Unix(),
		Expires:  now.Add(a.tokenTTL).Unix(),
	})
	if err != nil {
		return text(http.StatusInternalServerError, "signing: %v\n", err)
	}
	return jsonReply(http.StatusOK, map[string]string{"access_token": string(tok)})
}

// jwksPath is where the demo serves its public keys when it signs with a key pair.
const jwksPath = "/.well-known/jwks.json"

// apiAudience is the "aud" of the bearer tokens, which /api/me requires.
const apiAudience = "counter-api"

// tokenClaims is the payload of a bearer token (RFC 7519 registered claims).
type tokenClaims struct {
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
}

// checkPassword compares both fields in constant time, and always both, so that the response
// time tells nothing about which one was wrong or how much of it matched.
func (a *app) checkPassword(cr credentials) bool {
	pw := sha256.Sum256([]byte(cr.Password))
	userOK := subtle.ConstantTimeCompare([]byte(cr.Username), []byte(a.user))
	passOK := subtle.ConstantTimeCompare(pw[:], a.password[:])
	return userOK&passOK == 1
}

// readCredentials accepts a JSON object or an HTML form (application/x-www-form-urlencoded).
func readCredentials(r request) (credentials, error) {
	var cr credentials
	mt := "application/x-www-form-urlencoded"
	if r.contentType != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(r.contentType); err != nil {
			return cr, errors.New("unreadable Content-Type")
		}
	}
	body, err := r.body()
	if err != nil {
		return cr, errors.New("unreadable body (over 64 KiB?)")
	}
	switch mt {
	case "application/json":
		if err := json.Unmarshal(body, &cr); err != nil {
			return cr, errors.New("body is not a JSON object with username and password")
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return cr, errors.New("malformed form")
		}
		cr.Username, cr.Password = form.Get("username"), form.Get("password")
	default:
		return cr, fmt.Errorf("unsupported Content-Type %q: send JSON or a form", mt)
	}
	if cr.Username == "" || cr.Password == "" {
		return cr, errors.New("username and password are required")
	}
	return cr, nil
}

// me answers GET /api/me, which the bearer middleware guards: the handler runs only with a
// verified token, and answers with its claims exactly as they were signed.
func (a *app) me(r request, t *bearer.Token) reply {
	if r.method != http.MethodGet && r.method != http.MethodHead {
		return methodNotAllowed("GET, HEAD")
	}
	// A copy: the payload belongs to the pooled Token, valid only until the handler returns.
	body := append(append([]byte(nil), t.Payload()...), '\n')
	return reply{status: http.StatusOK, contentType: "application/json", body: body}
}
