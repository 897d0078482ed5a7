package session_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/csrf"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
	"github.com/fastjwt/session/issuing"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// The recipes of docs/recipes.md are the parts of these tests between a "// recipe begin: NAME"
// and a "// recipe end: NAME" line; TestRecipesQuoted checks that the document quotes each of
// them verbatim (less the function body's indentation), and quotes no other Go code. Each test
// then checks what its recipe claims.

var recipeSecret = []byte("a 32-byte or longer secret key!!")

// recipeServer serves h on a loopback port for the test's duration.
func recipeServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// recipeClient has no cookie jar: the tests pass cookies by hand, as a thief with a copy would.
var recipeClient = &http.Client{Timeout: 10 * time.Second}

func TestRecipeLogin(t *testing.T) {
	// recipe begin: login
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(codec, session.Config{Store: store.NewMemory(store.MemoryOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	password := []byte("secret") // yours: a password hash per user, compared in constant time
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		user := r.PostFormValue("user")
		if user == "" || subtle.ConstantTimeCompare([]byte(r.PostFormValue("password")), password) != 1 {
			http.Error(w, "wrong user or password", http.StatusUnauthorized)
			return
		}
		s := nethttpsession.FromContext(r.Context())
		// A new session id and a new start (auth_time) at login: an id planted before the login
		// (session fixation) is destroyed, and the absolute lifetime counts from here.
		if err := s.Regenerate(r.Context()); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("user", user); err != nil { // before the response is written
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "logged in as %s\n", user)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		user, ok := nethttpsession.FromContext(r.Context()).String("user")
		if !ok {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "Hello, %s\n", user)
	})
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) { // before the login
		if err := nethttpsession.FromContext(r.Context()).Set("cart", r.PostFormValue("item")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	handler := nethttpsession.Sessions(sessions)(mux)
	// recipe end: login

	base := recipeServer(t, handler)
	_, h, _ := fetch(t, recipeClient, "POST", base+"/cart", "item=book")
	planted := sessionCookie(h)
	if planted == "" {
		t.Fatal("no session before the login")
	}
	if st, h, _ := fetch(t, recipeClient, "POST", base+"/login", "user=alice&password=wrong", "Cookie", "session="+planted); st != 401 || sessionCookie(h) != "" {
		t.Errorf("a wrong password: %d, cookie %q", st, sessionCookie(h))
	}
	st, h, body := fetch(t, recipeClient, "POST", base+"/login", "user=alice&password=secret", "Cookie", "session="+planted)
	after := sessionCookie(h)
	if st != 200 || body != "logged in as alice\n" || after == "" || after == planted {
		t.Fatalf("the login: %d %q, cookie %q (planted %q)", st, body, after, planted)
	}
	if st, _, body := fetch(t, recipeClient, "GET", base+"/me", "", "Cookie", "session="+after); st != 200 || body != "Hello, alice\n" {
		t.Errorf("after the login: %d %q", st, body)
	}
	if st, _, _ := fetch(t, recipeClient, "GET", base+"/me", "", "Cookie", "session="+planted); st != 401 {
		t.Errorf("the planted cookie after the login: %d, want 401", st)
	}
}

func TestRecipeIssuing(t *testing.T) {
	// recipe begin: issuing
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}}, fastjwt.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	revocations := revoke.NewMemory(revoke.MemoryOptions{}) // the issuer writes it, the API reads it
	password := []byte("secret")
	issuer, err := issuing.New(issuing.Config{
		Codec:       codec,
		Audience:    "api",
		Families:    issuing.NewMemory(issuing.MemoryOptions{}),
		Revocations: revocations,
		Authenticate: func(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
			if c.Username == "" || subtle.ConstantTimeCompare([]byte(c.Password), password) != 1 {
				return "", nil, issuing.ErrInvalidGrant
			}
			return c.Username, map[string]any{"role": "user"}, nil // sub and extra claims
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	api, err := bearer.New(codec, bearer.Config{Revocations: revocations})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /token", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Obtain))
	mux.Handle("POST /token/refresh", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Refresh))
	mux.Handle("POST /token/revoke", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Revoke))
	mux.Handle("GET /api/me", nethttpsession.Bearer(api, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(nethttpsession.TokenFromContext(r.Context()).Payload())
	})))
	// recipe end: issuing

	base := recipeServer(t, mux)
	if st, a := tokenCall(t, recipeClient, base+"/token", "application/json", `{"username":"alice","password":"wrong"}`); st != 400 || a.Error != "invalid_grant" {
		t.Errorf("a wrong password: %d %+v", st, a)
	}
	st, pair := tokenCall(t, recipeClient, base+"/token", "application/json", `{"username":"alice","password":"secret"}`)
	if st != 200 || pair.Access == "" || pair.Refresh == "" || pair.Type != "Bearer" || pair.Expires != 900 {
		t.Fatalf("the login: %d %+v", st, pair)
	}
	if st, a := tokenCall(t, recipeClient, base+"/token", "application/x-www-form-urlencoded", "username=alice&password=secret"); st != 200 || a.Access == "" {
		t.Errorf("the login with a form: %d %+v", st, a)
	}
	if typ := tokenHeader(t, pair.Access); !strings.Contains(typ, `"typ":"at+jwt"`) {
		t.Errorf("the access token's header %s is not typed at+jwt", typ)
	}
	if st, _, body := fetch(t, recipeClient, "GET", base+"/api/me", "", "Authorization", "Bearer "+pair.Access); st != 200 ||
		!strings.Contains(body, `"sub":"alice"`) || !strings.Contains(body, `"role":"user"`) || !strings.Contains(body, `"aud":"api"`) {
		t.Errorf("the API with the access token: %d %s", st, body)
	}
	if st, _, _ := fetch(t, recipeClient, "GET", base+"/api/me", "", "Authorization", "Bearer "+pair.Refresh); st != 401 {
		t.Errorf("the API with the refresh token: %d, want 401", st)
	}
	const form = "application/x-www-form-urlencoded"
	st, next := tokenCall(t, recipeClient, base+"/token/refresh", form, "refresh_token="+pair.Refresh)
	if st != 200 || next.Access == "" || next.Refresh == pair.Refresh {
		t.Fatalf("the refresh: %d %+v", st, next)
	}
	if st, _ := tokenCall(t, recipeClient, base+"/token/revoke", form, "token="+next.Refresh); st != 200 {
		t.Fatalf("the revoke: %d", st)
	}
	if st, a := tokenCall(t, recipeClient, base+"/token/refresh", form, "refresh_token="+next.Refresh); st != 400 || a.Error != "invalid_grant" {
		t.Errorf("a refresh after the revoke: %d %+v, want invalid_grant", st, a)
	}
	for _, access := range []string{pair.Access, next.Access} {
		if st, _, _ := fetch(t, recipeClient, "GET", base+"/api/me", "", "Authorization", "Bearer "+access); st != 401 {
			t.Errorf("an access token of the revoked family: %d, want 401", st)
		}
	}
}

// tokenHeader returns the decoded JOSE header of a compact token.
func tokenHeader(t *testing.T, token string) string {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatalf("the header of %q: %v", token, err)
	}
	return string(b)
}

// logoutApp is the application of the logout recipes: POST /login sets "sub" (and so starts a
// session of that subject), GET /me answers 200 with a session of a subject and 401 without,
// POST /logout runs logout.
func logoutApp(t *testing.T, sessions *session.Manager, logout http.HandlerFunc) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		if err := s.Regenerate(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("sub", r.PostFormValue("user")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := nethttpsession.FromContext(r.Context()).String("sub"); !ok {
			http.Error(w, "log in first", http.StatusUnauthorized)
		}
	})
	mux.Handle("POST /logout", logout)
	return recipeServer(t, nethttpsession.Sessions(sessions)(mux))
}

// loginCookie logs user in and returns the session cookie.
func loginCookie(t *testing.T, base, user string) string {
	t.Helper()
	st, h, _ := fetch(t, recipeClient, "POST", base+"/login", "user="+user)
	if c := sessionCookie(h); st == 200 && c != "" {
		return c
	}
	t.Fatalf("login of %s: %d", user, st)
	return ""
}

// meStatus is the answer of GET /me to a request with cookie.
func meStatus(t *testing.T, base, cookie string) int {
	t.Helper()
	st, _, _ := fetch(t, recipeClient, "GET", base+"/me", "", "Cookie", "session="+cookie)
	return st
}

// logoutDeletes runs POST /logout with cookie and returns the answer's body and whether it is
// a 200 that deletes the cookie.
func logoutDeletes(t *testing.T, base, cookie string) (string, bool) {
	t.Helper()
	st, h, body := fetch(t, recipeClient, "POST", base+"/logout", "", "Cookie", "session="+cookie)
	for _, sc := range h.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "session=;") && strings.Contains(sc, "Max-Age=0") {
			return body, st == 200
		}
	}
	return body, false
}

func TestRecipeLogoutCookieOnly(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(codec, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// recipe begin: logout-cookie
	logout := func(w http.ResponseWriter, r *http.Request) {
		err := nethttpsession.FromContext(r.Context()).Logout(r.Context())
		switch {
		case errors.Is(err, session.ErrLogoutNotFinal):
			// This browser's cookie is deleted, but a copy of it taken before stays valid
			// until its "exp": nothing on the server knows that the session has ended.
			fmt.Fprintln(w, "logged out on this browser")
		case err != nil:
			http.Error(w, "try again", http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, "logged out")
		}
	}
	// recipe end: logout-cookie
	base := logoutApp(t, sessions, logout)
	cookie := loginCookie(t, base, "alice")
	if body, ok := logoutDeletes(t, base, cookie); !ok || body != "logged out on this browser\n" {
		t.Errorf("the logout: %q, deletes the cookie: %v; want ErrLogoutNotFinal's answer and the cookie deleted", body, ok)
	}
	if st := meStatus(t, base, cookie); st != 200 {
		t.Errorf("a copy of the cookie after a cookie-only logout: %d; the document says it still works", st)
	}
}

func TestRecipeLogoutFinal(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}})
	if err != nil {
		t.Fatal(err)
	}
	// recipe begin: logout-final
	// Cookie mode with a revocation list: Logout lists the token's jti until its exp.
	withList, err := session.New(codec, session.Config{Revocations: revoke.NewMemory(revoke.MemoryOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	// Server-side mode: Logout destroys the session's id in the store.
	serverSide, err := session.New(codec, session.Config{Store: store.NewMemory(store.MemoryOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	logout := func(w http.ResponseWriter, r *http.Request) {
		if err := nethttpsession.FromContext(r.Context()).Logout(r.Context()); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable) // the list or store did not answer
			return
		}
		fmt.Fprintln(w, "logged out")
	}
	// recipe end: logout-final
	for name, sessions := range map[string]*session.Manager{"revocation list": withList, "server-side": serverSide} {
		t.Run(name, func(t *testing.T) {
			base := logoutApp(t, sessions, logout)
			cookie, other := loginCookie(t, base, "alice"), loginCookie(t, base, "alice")
			if body, ok := logoutDeletes(t, base, cookie); !ok || body != "logged out\n" {
				t.Errorf("the logout: %q, deletes the cookie: %v", body, ok)
			}
			if st := meStatus(t, base, cookie); st != 401 {
				t.Errorf("a copy of the cookie after the logout: %d, want 401", st)
			}
			if st := meStatus(t, base, other); st != 200 {
				t.Errorf("another session of the same user after the logout: %d, want 200 (a logout ends one session)", st)
			}
		})
	}
}

func TestRecipeLogoutEverywhere(t *testing.T) {
	cookies, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}}, fastjwt.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// recipe begin: logout-everywhere
	revocations := revoke.NewMemory(revoke.MemoryOptions{}) // or redisstore's, shared by every process
	sessions, err := session.New(cookies, session.Config{Revocations: revocations})
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := issuing.New(issuing.Config{
		Codec: tokens, Audience: "api", Families: issuing.NewMemory(issuing.MemoryOptions{}),
		Revocations: revocations, Authenticate: checkCredentials,
	})
	if err != nil {
		t.Fatal(err)
	}
	// ... and when alice changes her password, or reports a stolen device:
	logOutEverywhere := func(ctx context.Context, sub string) error {
		if err := sessions.RevokeSubject(ctx, sub); err != nil { // her session cookies
			return err
		}
		return issuer.RevokeSubject(ctx, sub) // her access and refresh tokens
	}
	// recipe end: logout-everywhere

	base := logoutApp(t, sessions, func(http.ResponseWriter, *http.Request) {})
	laptop, phone, bob := loginCookie(t, base, "alice"), loginCookie(t, base, "alice"), loginCookie(t, base, "bob")
	api, err := bearer.New(tokens, bearer.Config{Revocations: revocations})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /token", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Obtain))
	mux.Handle("POST /token/refresh", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Refresh))
	mux.Handle("GET /api", nethttpsession.Bearer(api, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	tbase := recipeServer(t, mux)
	_, pair := tokenCall(t, recipeClient, tbase+"/token", "application/json", `{"username":"alice","password":"secret"}`)
	_, bobs := tokenCall(t, recipeClient, tbase+"/token", "application/json", `{"username":"bob","password":"secret"}`)
	if pair.Access == "" || bobs.Access == "" {
		t.Fatalf("the token logins: %+v %+v", pair, bobs)
	}

	if err := logOutEverywhere(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	for name, cookie := range map[string]string{"laptop": laptop, "phone": phone} {
		if st := meStatus(t, base, cookie); st != 401 {
			t.Errorf("alice's %s session after logging out everywhere: %d, want 401", name, st)
		}
	}
	if st := meStatus(t, base, bob); st != 200 {
		t.Errorf("bob's session after alice logged out everywhere: %d, want 200", st)
	}
	if st, _, _ := fetch(t, recipeClient, "GET", tbase+"/api", "", "Authorization", "Bearer "+pair.Access); st != 401 {
		t.Errorf("alice's access token: %d, want 401", st)
	}
	if st, a := tokenCall(t, recipeClient, tbase+"/token/refresh", "application/x-www-form-urlencoded", "refresh_token="+pair.Refresh); st != 400 || a.Error != "invalid_grant" {
		t.Errorf("alice's refresh token: %d %+v, want invalid_grant", st, a)
	}
	if st, _, _ := fetch(t, recipeClient, "GET", tbase+"/api", "", "Authorization", "Bearer "+bobs.Access); st != 200 {
		t.Errorf("bob's access token: %d, want 200", st)
	}
	if st := meStatus(t, base, loginCookie(t, base, "alice")); st != 200 {
		t.Errorf("alice's new login after logging out everywhere: %d, want 200", st)
	}
}

// checkCredentials is the Authenticate of the logout recipe: any user, password "secret".
func checkCredentials(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
	if c.Username == "" || subtle.ConstantTimeCompare([]byte(c.Password), []byte("secret")) != 1 {
		return "", nil, issuing.ErrInvalidGrant
	}
	return c.Username, nil, nil
}

func TestRecipeTyped(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(codec, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	// recipe begin: typed
	type Cart struct {
		User  string   `json:"user"` // the same value as s.String("user")
		Items []string `json:"items,omitempty"`
	}
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		var cart Cart // a new session decodes as {}
		if err := session.Decode(s, &cart); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cart.User = "alice"
		cart.Items = append(cart.Items, r.PostFormValue("item"))
		if err := session.Encode(s, cart); err != nil { // replaces the whole session's data
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, strings.Join(cart.Items, ","))
	})
	// recipe end: typed
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		user, _ := nethttpsession.FromContext(r.Context()).String("user")
		fmt.Fprint(w, user)
	})
	base := recipeServer(t, nethttpsession.Sessions(sessions)(mux))
	_, h, body := fetch(t, recipeClient, "POST", base+"/cart", "item=book")
	cookie := sessionCookie(h)
	if body != "book\n" || cookie == "" {
		t.Fatalf("the first item: %q, cookie %q", body, cookie)
	}
	_, h, body = fetch(t, recipeClient, "POST", base+"/cart", "item=pen", "Cookie", "session="+cookie)
	if body != "book,pen\n" || sessionCookie(h) == "" {
		t.Fatalf("the second item: %q, cookie %q", body, sessionCookie(h))
	}
	if _, _, user := fetch(t, recipeClient, "GET", base+"/user", "", "Cookie", "session="+sessionCookie(h)); user != "alice" {
		t.Errorf("the struct's field read with String: %q", user)
	}
}

func TestRecipeCSRF(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: recipeSecret}})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(codec, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/transfer", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "done") })
	mux.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "received") })
	// recipe begin: csrf
	protection, err := csrf.New(csrf.Config{
		TrustedOrigins: []string{"https://admin.example.com"}, // another origin of yours
		BypassPatterns: []string{"POST /webhook"},             // called by servers, authenticated otherwise
	})
	if err != nil {
		t.Fatal(err)
	}
	// Outside the sessions: a refused request never loads or renews its session.
	handler := nethttpsession.CrossOrigin(protection, nil)(nethttpsession.Sessions(sessions)(mux))
	// On fasthttp: fasthttpsession.CrossOrigin(protection, nil)(fasthttpsession.Sessions(sessions)(handler))
	// recipe end: csrf
	base := recipeServer(t, handler)
	for _, c := range []struct {
		method, path string
		header       []string
		want         int
	}{
		{"POST", "/transfer", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"POST", "/transfer", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"POST", "/transfer", []string{"Origin", "https://evil.example"}, 403},
		{"POST", "/transfer", []string{"Origin", "null"}, 403},
		{"PUT", "/transfer", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"POST", "/transfer", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"POST", "/transfer", []string{"Sec-Fetch-Site", "none"}, 200},
		{"POST", "/transfer", nil, 200}, // no browser headers: not a browser
		{"POST", "/transfer", []string{"Origin", "https://admin.example.com", "Sec-Fetch-Site", "cross-site"}, 200},
		{"GET", "/transfer", []string{"Sec-Fetch-Site", "cross-site"}, 200},
		{"POST", "/webhook", []string{"Sec-Fetch-Site", "cross-site"}, 200},
		{"POST", "/webhook/x", []string{"Sec-Fetch-Site", "cross-site"}, 403},
	} {
		st, h, _ := fetch(t, recipeClient, c.method, base+c.path, "x=1", c.header...)
		if st != c.want {
			t.Errorf("%s %s %q: %d, want %d", c.method, c.path, c.header, st, c.want)
		}
		if st == 403 && sessionCookie(h) != "" {
			t.Errorf("%s %s %q: refused, yet a session cookie was set", c.method, c.path, c.header)
		}
	}
}

func TestRecipeRotateHS256(t *testing.T) {
	jan, feb := []byte("the January secret, 32 bytes long"), []byte("the February secret, 32 bytes lo")
	before, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "2026-01", Secret: jan}})
	if err != nil {
		t.Fatal(err)
	}
	oldToken, err := before.AppendSign(nil, []byte(`{"sub":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	// recipe begin: rotate-hs256
	// The ring: keys[0] signs, every key verifies, each picked by the token's "kid".
	ring, err := fastjwt.NewHS256([]fastjwt.Key{
		{ID: "2026-02", Secret: feb}, // new: signs from now on
		{ID: "2026-01", Secret: jan}, // old: verifies until its last token has expired, then drop it
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.AppendVerify(nil, oldToken); err != nil { // signed with "2026-01" before the rotation
		t.Fatal(err)
	}
	newToken, err := ring.AppendSign(nil, []byte(`{"sub":"alice"}`)) // carries "kid":"2026-02"
	if err != nil {
		t.Fatal(err)
	}
	// recipe end: rotate-hs256
	if h := tokenHeader(t, string(newToken)); !strings.Contains(h, `"kid":"2026-02"`) {
		t.Errorf("a token of the ring has the header %s, want kid 2026-02", h)
	}
	if h := tokenHeader(t, string(oldToken)); !strings.Contains(h, `"kid":"2026-01"`) {
		t.Errorf("the old token has the header %s, want kid 2026-01", h)
	}
	if _, err := before.AppendVerify(nil, newToken); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Errorf("a verifier that has only the old key, on a new token: %v, want ErrUnknownKey", err)
	}
	after, _ := fastjwt.NewHS256([]fastjwt.Key{{ID: "2026-02", Secret: feb}})
	if _, err := after.AppendVerify(nil, oldToken); err == nil {
		t.Error("once the old key is dropped, its token still verifies")
	}
	if _, err := after.AppendVerify(nil, newToken); err != nil {
		t.Errorf("the new token, with the new key alone: %v", err)
	}
	// Sessions take the ring as they take a codec: a cookie of the old key still loads.
	m, err := session.New(ring, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	oldSessions, _ := session.New(before, session.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		nethttpsession.FromContext(r.Context()).Set("user", "alice")
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		user, _ := nethttpsession.FromContext(r.Context()).String("user")
		fmt.Fprint(w, user)
	})
	_, h, _ := fetch(t, recipeClient, "POST", recipeServer(t, nethttpsession.Sessions(oldSessions)(mux))+"/set", "")
	if _, _, user := fetch(t, recipeClient, "GET", recipeServer(t, nethttpsession.Sessions(m)(mux))+"/user", "", "Cookie", "session="+sessionCookie(h)); user != "alice" {
		t.Errorf("a session cookie of the old key, with the ring: %q", user)
	}
}

func TestRecipeRotateJWKS(t *testing.T) {
	newKey := func(id string) fastjwt.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return fastjwt.PrivateKey{ID: id, Alg: fastjwt.ES256, Key: k}
	}
	jan, feb := newKey("2026-01"), newKey("2026-02")
	// recipe begin: rotate-jwks
	// The issuer publishes its ring's public keys; the handler is rebuilt at each rotation.
	var published atomic.Pointer[http.Handler]
	publish := func(signer *fastjwt.Codec) {
		h, err := jwks.Handler(signer.PublicKeys(), 5*time.Minute) // verifiers refresh within max-age
		if err != nil {
			t.Fatal(err)
		}
		published.Store(&h)
	}
	signer, err := fastjwt.NewSigner(jan, nil)
	if err != nil {
		t.Fatal(err)
	}
	publish(signer)
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*published.Load()).ServeHTTP(w, r) // at /.well-known/jwks.json
	}))
	defer issuer.Close()

	// A service verifies with the keys at that URL (bearer.New takes the client as a codec).
	verifier, err := jwks.New(issuer.URL, jwks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer verifier.Close()
	oldToken, err := signer.AppendSign(nil, []byte(`{"sub":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}

	// Rotation: sign with the new key, keep the old public key in the ring (and the set) until
	// the old tokens have expired. Better still, publish the new key one max-age before it signs.
	signer, err = fastjwt.NewSigner(feb, []fastjwt.PublicKey{jan.Public()})
	if err != nil {
		t.Fatal(err)
	}
	publish(signer)
	newToken, err := signer.AppendSign(nil, []byte(`{"sub":"alice"}`)) // "kid":"2026-02"
	if err != nil {
		t.Fatal(err)
	}
	// The verifier meets a kid it lacks, fetches the set again (at most once per Cooldown), and
	// verifies; tokens of the old key still verify.
	var claims fastjwt.Claims
	if _, err := verifier.AppendVerifyClaims(nil, newToken, &claims); err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.AppendVerifyClaims(nil, oldToken, &claims); err != nil {
		t.Fatal(err)
	}
	// recipe end: rotate-jwks
	if h := tokenHeader(t, string(newToken)); !strings.Contains(h, `"kid":"2026-02"`) || !strings.Contains(h, `"alg":"ES256"`) {
		t.Errorf("the new token's header %s", h)
	}
	if h := tokenHeader(t, string(oldToken)); !strings.Contains(h, `"kid":"2026-01"`) {
		t.Errorf("the old token's header %s", h)
	}
	if n := verifier.Fetches(); n != 2 {
		t.Errorf("the verifier fetched the set %d times, want 2 (at start, then for the new kid)", n)
	}
	// A key the issuer never published is refused, and within the cooldown causes no fetch.
	stranger, _ := fastjwt.NewSigner(newKey("2026-03"), nil)
	forged, _ := stranger.AppendSign(nil, []byte(`{"sub":"alice"}`))
	if _, err := verifier.AppendVerifyClaims(nil, forged, &claims); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Errorf("a token of an unpublished key: %v, want ErrUnknownKey", err)
	}
	if n := verifier.Fetches(); n != 2 {
		t.Errorf("after an unknown kid inside the cooldown: %d fetches, want 2", n)
	}
}

func TestRecipeTestingHandlers(t *testing.T) {
	// The application under test: a page for the session's user and an API for a token's subject.
	newApp := func(sessions *session.Manager, api *bearer.Bearer) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			user, ok := nethttpsession.FromContext(r.Context()).String("user")
			if !ok {
				http.Error(w, "log in first", http.StatusUnauthorized)
				return
			}
			fmt.Fprintf(w, "Hello, %s\n", user)
		})
		mux.Handle("GET /api/me", nethttpsession.Bearer(api, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s\n", nethttpsession.TokenFromContext(r.Context()).Subject())
		})))
		return nethttpsession.Sessions(sessions)(mux)
	}
	// recipe begin: testing
	// Build the Manager and the Bearer as the application does, with a key of the test's own.
	key := []fastjwt.Key{{Secret: []byte("a test key, 32 bytes or more....")}}
	cookies, _ := fastjwt.NewHS256(key)
	tokens, _ := fastjwt.NewHS256(key, fastjwt.WithAudience("api"))
	sessions, _ := session.New(cookies, session.Config{})
	api, _ := bearer.New(tokens, bearer.Config{})
	app := httptest.NewServer(newApp(sessions, api)) // newApp: your routes
	defer app.Close()

	// A session cookie: run a handler that sets the values through the same Manager.
	rec := httptest.NewRecorder()
	nethttpsession.Sessions(sessions)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := nethttpsession.FromContext(r.Context()).Set("user", "alice"); err != nil {
			t.Fatal(err)
		}
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	req, _ := http.NewRequest("GET", app.URL+"/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "Hello, alice\n" {
		t.Fatalf("GET / with the session: %d %q", res.StatusCode, body)
	}

	// A bearer token: sign it with the API's codec, typed as an access token.
	exp := time.Now().Add(time.Minute).Unix()
	token, err := tokens.AppendSignType(nil, fastjwt.TypeAccess, fmt.Appendf(nil, `{"sub":"alice","aud":"api","exp":%d}`, exp))
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("GET", app.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+string(token))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "alice\n" {
		t.Fatalf("GET /api/me with the token: %d %q", res.StatusCode, body)
	}
	// recipe end: testing

	// The same routes refuse what the recipe's fixtures are not.
	if st, _, _ := fetch(t, recipeClient, "GET", app.URL+"/", ""); st != 401 {
		t.Errorf("GET / without a session: %d, want 401", st)
	}
	if st, _, _ := fetch(t, recipeClient, "GET", app.URL+"/api/me", "", "Authorization", "Bearer "+sessionCookie(rec.Result().Header)); st != 401 {
		t.Errorf("the session cookie's token at the API: %d, want 401", st)
	}
	untyped, _ := tokens.AppendSign(nil, fmt.Appendf(nil, `{"sub":"alice","aud":"api","exp":%d}`, exp))
	if st, _, body := fetch(t, recipeClient, "GET", app.URL+"/api/me", "", "Authorization", "Bearer "+string(untyped)); st != 200 || body != "alice\n" {
		t.Errorf("an untyped token (typ JWT): %d %q, want 200", st, body)
	}
	other, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("another key, 32 bytes or more...")}}, fastjwt.WithAudience("api"))
	forged, _ := other.AppendSignType(nil, fastjwt.TypeAccess, fmt.Appendf(nil, `{"sub":"alice","aud":"api","exp":%d}`, exp))
	if st, _, _ := fetch(t, recipeClient, "GET", app.URL+"/api/me", "", "Authorization", "Bearer "+string(forged)); st != 401 {
		t.Errorf("a token of another key: %d, want 401", st)
	}
}
