package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
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
	tokenTTL time.Duration     // at most the sessions' Lifetime, so that RevokeSubject covers them
	now      func() time.Time
	sessions *session.Manager // logs a user out everywhere (Manager.RevokeSubject)
	issuer   *issuing.Issuer  // the token endpoints; logs the user's refresh tokens out too
	revoked  revoke.List      // the list both the sessions and the bearer tokens are checked against
	log      *log.Logger
}

// The session's names. "sub" is the user's name once logged in: the registered claim that
// revocation by subject ("log out everywhere") keys on, carried by the cookie's token in
// server-side mode, so that the /app page can show it. The others live in the store in
// server-side mode, in the cookie in cookie mode.
const (
	fieldUser     = "sub"
	fieldCounter  = "counter"   // the count of requests to /
	fieldTokenID  = "token_id"  // the "jti" of the bearer token the login handed out...
	fieldTokenExp = "token_exp" // ... and its expiry: /logout revokes it until then
)

// request is the part of an HTTP request that the demo reads.
type request struct {
	ctx          context.Context // for the store and the revocation list
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
	challenge   string // the WWW-Authenticate header of a 401
	retryAfter  string // the Retry-After header of a 503
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

// unavailable answers 503 when the store or the revocation list cannot answer: the request may
// be fine, so it is neither a 401 nor a fresh session, and the client may retry. The cause goes
// to the log, not to the client.
func (a *app) unavailable(what string, err error) reply {
	a.log.Printf("%s: %v", what, err)
	r := text(http.StatusServiceUnavailable, "%s\n", http.StatusText(http.StatusServiceUnavailable))
	r.retryAfter = bearer.RetryAfter
	return r
}

// challenge is the WWW-Authenticate value of a request that needs credentials it did not bring.
const challenge = `Bearer realm="counter"`

// site answers every route that works with the session: all but /api/me, and
// /logout-everywhere when a bearer token authenticates it.
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
		return a.logout(r, s)
	case "/logout-everywhere":
		if r.method != http.MethodPost {
			return methodNotAllowed("POST")
		}
		user, ok := s.String(fieldUser)
		if !ok {
			r := errorReply(http.StatusUnauthorized, "login_required", "log in first, or send the bearer token")
			r.challenge = challenge
			return r
		}
		if rep, ok := a.logoutEverywhere(r.ctx, user); !ok {
			return rep
		}
		s.Clear() // this browser's session is revoked with the others: its data goes too
		return reply{status: http.StatusNoContent}
	}
	return text(http.StatusNotFound, "not found\n")
}

// tokenEndpoints are the paths of the issuer's endpoints, which neither the session nor the
// bearer middleware wraps: their requests carry credentials or tokens in the body.
var tokenEndpoints = map[string]issuing.Endpoint{
	"/token":         (*issuing.Issuer).Obtain,
	"/token/refresh": (*issuing.Issuer).Refresh,
	"/token/verify":  (*issuing.Issuer).Verify,
	"/token/revoke":  (*issuing.Issuer).Revoke,
}

// usesBearer reports whether a request to path is authenticated by a bearer token (the Bearer
// middleware, then api) rather than by the session cookie (the Sessions middleware, then site):
// /api/me always, /logout-everywhere when the request has an Authorization header, so that a
// client with only its token can log its user out everywhere.
func usesBearer(path string, authorization bool) bool {
	return path == "/api/me" || (path == "/logout-everywhere" && authorization)
}

// api answers the routes that a bearer token authenticates: /api/me, and /logout-everywhere
// when the request carries an Authorization header.
func (a *app) api(r request, t *bearer.Token) reply {
	if r.path == "/logout-everywhere" {
		if r.method != http.MethodPost {
			return methodNotAllowed("POST")
		}
		rep, _ := a.logoutEverywhere(r.ctx, t.Subject())
		return rep
	}
	return a.me(r, t)
}

// counter is the classic session example: the count of this browser's requests to /. The code
// is the same in both modes; the session keeps the value in the store or in the cookie.
//
// A browser's first request is a provisional session in server-side mode (store.Store.Create):
// a client that never returns its cookie (a crawler, a script, a flood of requests without a
// cookie) fills only the store's provisional budget, whose oldest sessions go first, and never
// refuses a browser that came back, nor a login.
func (a *app) counter(s *session.Session) reply {
	n, _ := s.Int(fieldCounter) // absent in a new session: 0
	n++
	if err := s.Set(fieldCounter, n); err != nil {
		return text(http.StatusInternalServerError, "session: %v\n", err)
	}
	return text(http.StatusOK, "Current counter value: %d\n", n)
}

// logout ends the session: the bearer token its login handed out is revoked, then the session
// itself (its token revoked, its data destroyed, the cookie deleted).
func (a *app) logout(r request, s *session.Session) reply {
	if err := a.revokeAccessToken(r.ctx, s); err != nil {
		return a.unavailable("revoking the access token", err)
	}
	if err := s.Logout(r.ctx); err != nil {
		return a.unavailable("revoking the session", err)
	}
	return reply{status: http.StatusNoContent}
}

// logoutEverywhere revokes every session and bearer token of user issued until now, on every
// process that shares the revocation list. ok is false when it could not.
func (a *app) logoutEverywhere(ctx context.Context, user string) (rep reply, ok bool) {
	if user == "" {
		return errorReply(http.StatusForbidden, "insufficient_scope", "the token names no subject"), false
	}
	if err := a.sessions.RevokeSubject(ctx, user); err != nil {
		return a.unavailable("revoking the user's sessions", err), false
	}
	// The same epoch, kept as long as a refresh token of /token can live.
	if err := a.issuer.RevokeSubject(ctx, user); err != nil {
		return a.unavailable("revoking the user's refresh tokens", err), false
	}
	return reply{status: http.StatusNoContent}, true
}

// revokeAccessToken revokes the bearer token that the session's login handed out, if any.
func (a *app) revokeAccessToken(ctx context.Context, s *session.Session) error {
	jti, ok := s.String(fieldTokenID)
	exp, hasExp := s.Int(fieldTokenExp)
	if !ok || !hasExp {
		return nil
	}
	return a.revoked.RevokeToken(ctx, jti, time.Unix(int64(exp), 0))
}

// credentials is the body of POST /login, as JSON or as a form.
type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login checks the credentials, gives the session a new identity (a new session id and token:
// an identifier planted before the login is worth nothing after it), records the user in it and
// returns a bearer token for the API. The session remembers the token's ID so that /logout can
// revoke it; a token from an earlier login of the same session is revoked now.
func (a *app) login(r request, s *session.Session) reply {
	cr, err := readCredentials(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, "invalid_request", err.Error())
	}
	if !a.checkPassword(cr) {
		return errorReply(http.StatusUnauthorized, "invalid_credentials", "wrong user name or password")
	}
	if err := a.revokeAccessToken(r.ctx, s); err != nil {
		return a.unavailable("revoking the previous access token", err)
	}
	if err := s.Regenerate(r.ctx); err != nil {
		return a.unavailable("revoking the session's old token", err)
	}
	now := a.now()
	claims := tokenClaims{
		Subject:  cr.Username,
		Audience: apiAudience,
		IssuedAt: numericDate(now),
		Expires:  now.Add(a.tokenTTL).Unix(),
		ID:       newTokenID(),
	}
	err = s.Set(fieldUser, claims.Subject)
	if err == nil {
		err = s.Set(fieldTokenID, claims.ID)
	}
	if err == nil {
		err = s.Set(fieldTokenExp, claims.Expires)
	}
	if err != nil {
		return text(http.StatusInternalServerError, "session: %v\n", err)
	}
	tok, err := fastjwt.Encode(a.tokens, nil, claims)
	if err != nil {
		return text(http.StatusInternalServerError, "signing: %v\n", err)
	}
	return jsonReply(http.StatusOK, map[string]string{"access_token": string(tok)})
}

// newTokenID returns a random "jti": 128 bits from crypto/rand, base64url, so that one token can
// be revoked.
func newTokenID() string {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(id[:])
}

// jwksPath is where the demo serves its public keys when it signs with a key pair.
const jwksPath = "/.well-known/jwks.json"

// apiAudience is the "aud" of the bearer tokens, which /api/me requires.
const apiAudience = "counter-api"

// tokenClaims is the payload of a bearer token (RFC 7519 registered claims).
type tokenClaims struct {
	Subject  string      `json:"sub"`
	Audience string      `json:"aud"`
	IssuedAt json.Number `json:"iat"` // to the nanosecond: see numericDate
	Expires  int64       `json:"exp"`
	ID       string      `json:"jti"`
}

// numericDate is t (after 1970) as a NumericDate to the nanosecond, as the session layer writes
// "iat": "log out everywhere" compares its epoch with "iat" exactly, so a token of a login right
// after it, in the same second, is accepted, and one issued just before it refused.
func numericDate(t time.Time) json.Number {
	return json.Number(fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()))
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
