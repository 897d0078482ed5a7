// Package sessiontest is the one table of behaviour tests both middleware adapters must pass. Each
// adapter implements Stack over its framework and calls Run; every case then runs against a real
// server on 127.0.0.1.
package sessiontest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// Request is what a neutral test handler may read from its request.
type Request struct {
	Query  func(name string) string
	Header func(name string) string
}

// SessionHandler is a handler under session middleware; it returns the body to answer with.
type SessionHandler func(s *session.Session, r Request) string

// BearerHandler is a handler under bearer middleware; it returns the body to answer with.
type BearerHandler func(t *session.Token, r Request) string

// ErrorAnswer is a neutral custom bearer error handler: the status and body to answer with.
type ErrorAnswer func(e *session.AuthError) (status int, body string)

// Stack serves handlers with one framework's adapter on a real server on 127.0.0.1. The
// returned function stops the server.
type Stack interface {
	ServeSessions(t testing.TB, m *session.Manager, h SessionHandler) (baseURL string, stop func())
	ServeBearer(t testing.TB, b *session.Bearer, onError ErrorAnswer, h BearerHandler) (baseURL string, stop func())
}

// Clock is an injectable clock shared by a codec and a Manager.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Secret returns a 32-byte test secret derived from seed.
func Secret(seed byte) []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// Codec returns a codec over keys with the clock.
func Codec(t testing.TB, clk *Clock, keys ...fastjwt.Key) *fastjwt.Codec {
	t.Helper()
	c, err := fastjwt.NewHS256(keys, fastjwt.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CounterHandler is the handler of the session cases, driven by the query parameter "op":
// incr (counter+1, answers the new value), read (answers the counter), clear, big (stores a
// value of "n" bytes), id (stores the header X-Client under "client" on first use and answers
// the stored value and the counter after incrementing it).
func CounterHandler(s *session.Session, r Request) string {
	switch r.Query("op") {
	case "incr":
		n, _ := s.Int("counter")
		if err := s.Set("counter", n+1); err != nil {
			return "error: " + err.Error()
		}
		return strconv.Itoa(n + 1)
	case "read":
		n, _ := s.Int("counter")
		return strconv.Itoa(n)
	case "clear":
		s.Clear()
		return "cleared"
	case "big":
		n, _ := strconv.Atoi(r.Query("n"))
		if err := s.Set("big", strings.Repeat("x", n)); err != nil {
			return "error: " + err.Error()
		}
		return "big"
	case "id":
		id, ok := s.String("client")
		if !ok {
			id = r.Header("X-Client")
			_ = s.Set("client", id)
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return id + " " + strconv.Itoa(n+1)
	}
	return "unknown op"
}

type response struct {
	status int
	body   string
	header http.Header
}

func get(t testing.TB, c *http.Client, u string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, string(b), res.Header}
}

func newClient(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// plainClient has no cookie jar: cookies are sent by hand.
var plainClient = &http.Client{Timeout: 10 * time.Second}

// cookieToken returns the value of the session cookie set by res ("" if none).
func cookieToken(res response, name string) string {
	for _, line := range res.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			v, _, _ = strings.Cut(v, ";")
			return v
		}
	}
	return ""
}

// hooks records the errors passed to OnInvalid and OnError.
type hooks struct {
	mu      sync.Mutex
	invalid []error
	errs    []error
}

func (h *hooks) onInvalid(err error) { h.mu.Lock(); h.invalid = append(h.invalid, err); h.mu.Unlock() }
func (h *hooks) onError(err error)   { h.mu.Lock(); h.errs = append(h.errs, err); h.mu.Unlock() }
func (h *hooks) lastInvalid() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.invalid) == 0 {
		return nil
	}
	return h.invalid[len(h.invalid)-1]
}
func (h *hooks) lastError() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.errs) == 0 {
		return nil
	}
	return h.errs[len(h.errs)-1]
}

// sessionServer starts CounterHandler under a Manager with cfg, the clock and the hooks.
func sessionServer(t *testing.T, st Stack, clk *Clock, codec *fastjwt.Codec, cfg session.Config, h *hooks) string {
	t.Helper()
	cfg.Now = clk.Now
	cfg.OnInvalid = h.onInvalid
	cfg.OnError = h.onError
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeSessions(t, m, CounterHandler)
	t.Cleanup(stop)
	return base
}

// Run runs every case of the table against st.
func Run(t *testing.T, st Stack) {
	t.Run("sessions", func(t *testing.T) { runSessions(t, st) })
	t.Run("bearer", func(t *testing.T) { runBearer(t, st) })
}

func runSessions(t *testing.T, st Stack) {
	key := fastjwt.Key{ID: "k1", Secret: Secret(1)}

	t.Run("counter over a cookie jar", func(t *testing.T) {
		clk := NewClock()
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, &hooks{})
		c := newClient(t)
		for want := 1; want <= 3; want++ {
			res := get(t, c, base+"/?op=incr")
			if res.body != strconv.Itoa(want) {
				t.Fatalf("request %d: body %q, want %d", want, res.body, want)
			}
			if !hasValue(res.header, "Vary", "Cookie") {
				t.Errorf("Vary = %q, want Cookie", res.header.Values("Vary"))
			}
			if got := res.header.Get("Cache-Control"); got != "private, no-store" {
				t.Errorf("Cache-Control = %q on a response that sets the cookie", got)
			}
		}
	})

	t.Run("tampered cookie gives a fresh session", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, h)
		res := get(t, plainClient, base+"/?op=incr")
		tok := cookieToken(res, "session")
		res = get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok)
		if res.body != "2" {
			t.Fatalf("valid cookie: body %q, want 2", res.body)
		}
		tok = cookieToken(res, "session")
		// Flip one payload character: the MAC no longer matches.
		parts := strings.Split(tok, ".")
		p := []byte(parts[1])
		p[2] ^= 1
		bad := parts[0] + "." + string(p) + "." + parts[2]
		res = get(t, plainClient, base+"/?op=incr", "Cookie", "session="+bad)
		if res.status != 200 || res.body != "1" {
			t.Fatalf("tampered cookie: %d %q, want 200 and a fresh counter 1", res.status, res.body)
		}
		if err := h.lastInvalid(); !errors.Is(err, fastjwt.ErrSignature) && !errors.Is(err, fastjwt.ErrMalformed) {
			t.Errorf("OnInvalid got %v, want a signature or malformed error", err)
		}
		for _, junk := range []string{"garbage", "a.b.c", `"quoted.value.x"`} {
			res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+junk)
			if res.status != 200 || res.body != "0" {
				t.Errorf("cookie %q: %d %q, want 200 0", junk, res.status, res.body)
			}
		}
	})

	t.Run("expired cookie gives a fresh session", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{Lifetime: time.Hour}, h)
		c := newClient(t)
		get(t, c, base+"/?op=incr")
		get(t, c, base+"/?op=incr")
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		clk.Advance(time.Hour)
		res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if res.status != 200 || res.body != "0" {
			t.Fatalf("expired cookie: %d %q, want 200 0", res.status, res.body)
		}
		if err := h.lastInvalid(); !errors.Is(err, fastjwt.ErrExpired) {
			t.Errorf("OnInvalid got %v, want ErrExpired", err)
		}
	})

	t.Run("unchanged session sends no Set-Cookie", func(t *testing.T) {
		clk := NewClock()
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, &hooks{})
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if res.body != "1" {
			t.Fatalf("body %q, want 1", res.body)
		}
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("unchanged session sent Set-Cookie %q", sc)
		}
		if !hasValue(res.header, "Vary", "Cookie") {
			t.Errorf("Vary = %q, want Cookie", res.header.Values("Vary"))
		}
		// Setting the same value again is no change either.
		res = get(t, plainClient, base+"/?op=id", "Cookie", "session="+tok, "X-Client", "a")
		tok = cookieToken(res, "session")
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 || res.body != "2" {
			t.Errorf("after id: %q Set-Cookie %q", res.body, sc)
		}
		// A fresh session that is never written sets nothing.
		res = get(t, plainClient, base+"/?op=read")
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("untouched new session sent Set-Cookie %q", sc)
		}
	})

	t.Run("renewal past half-life", func(t *testing.T) {
		clk := NewClock()
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{Lifetime: 2 * time.Hour}, &hooks{})
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		clk.Advance(59 * time.Minute)
		res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("renewed before half-life: %q", sc)
		}
		clk.Advance(time.Minute)
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
		renewed := cookieToken(res, "session")
		if renewed == "" || renewed == tok {
			t.Fatalf("not renewed at half-life: %q", res.header.Values("Set-Cookie"))
		}
		// The renewed token carries the data and lives a full lifetime from now.
		clk.Advance(90 * time.Minute)
		res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+renewed)
		if res.body != "1" {
			t.Errorf("renewed session: body %q, want 1", res.body)
		}
	})

	t.Run("rotation re-issues under the new key", func(t *testing.T) {
		clk := NewClock()
		oldKey := fastjwt.Key{ID: "old", Secret: Secret(10)}
		newKey := fastjwt.Key{ID: "new", Secret: Secret(20)}
		oldBase := sessionServer(t, st, clk, Codec(t, clk, oldKey), session.Config{}, &hooks{})
		tok := cookieToken(get(t, plainClient, oldBase+"/?op=incr"), "session")
		newBase := sessionServer(t, st, clk, Codec(t, clk, newKey, oldKey), session.Config{}, &hooks{})
		res := get(t, plainClient, newBase+"/?op=read", "Cookie", "session="+tok)
		if res.body != "1" {
			t.Fatalf("old-key session not accepted: body %q", res.body)
		}
		reissued := cookieToken(res, "session")
		if reissued == "" {
			t.Fatal("old-key session not re-issued")
		}
		var cl fastjwt.Claims
		if _, err := Codec(t, clk, newKey).AppendVerifyClaims(nil, []byte(reissued), &cl); err != nil {
			t.Fatalf("re-issued token does not verify under the new key alone: %v", err)
		}
		res = get(t, plainClient, newBase+"/?op=read", "Cookie", "session="+reissued)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 || res.body != "1" {
			t.Errorf("new-key session: %q, Set-Cookie %q", res.body, sc)
		}
	})

	t.Run("oversize cookie keeps the old one", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, key), session.Config{}, h)
		c := newClient(t)
		get(t, c, base+"/?op=incr")
		res := get(t, c, base+"/?op=big&n=2900") // base64 grows 4/3: over 4096 bytes
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("oversize session sent Set-Cookie of %d bytes", len(sc[0]))
		}
		if err := h.lastError(); !errors.Is(err, session.ErrCookieTooLarge) {
			t.Fatalf("OnError got %v, want ErrCookieTooLarge", err)
		}
		if res := get(t, c, base+"/?op=incr"); res.body != "2" {
			t.Errorf("after oversize: counter %q, want 2 (the old cookie kept)", res.body)
		}
		// Just under the limit still fits.
		if res := get(t, c, base+"/?op=big&n=2800"); len(res.header.Values("Set-Cookie")) != 1 {
			t.Errorf("a cookie under 4096 bytes was not sent")
		}
	})

	t.Run("cookie attributes", func(t *testing.T) {
		clk := NewClock()
		cfg := session.Config{
			CookieName: "sid", Path: "/app", Domain: "example.test", Lifetime: time.Hour,
			Secure: true, SameSite: session.SameSiteStrict, Partitioned: true,
		}
		base := sessionServer(t, st, clk, Codec(t, clk, key), cfg, &hooks{})
		res := get(t, plainClient, base+"/app?op=incr")
		sc := res.header.Values("Set-Cookie")
		if len(sc) != 1 {
			t.Fatalf("Set-Cookie = %q", sc)
		}
		tok := cookieToken(res, "sid")
		want := "sid=" + tok + "; Max-Age=3600; Expires=" + clk.Now().Add(time.Hour).Format(http.TimeFormat) +
			"; Path=/app; Domain=example.test; Secure; HttpOnly; SameSite=Strict; Partitioned"
		if tok == "" || sc[0] != want {
			t.Errorf("Set-Cookie\n got %s\nwant %s", sc[0], want)
		}
		res = get(t, plainClient, base+"/app?op=clear", "Cookie", "sid="+tok)
		want = "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" +
			"; Path=/app; Domain=example.test; Secure; HttpOnly; SameSite=Strict; Partitioned"
		if sc := res.header.Values("Set-Cookie"); len(sc) != 1 || sc[0] != want {
			t.Errorf("clear: Set-Cookie %q, want %q", sc, want)
		}

		// Defaults, and a cookie page scripts may read.
		base = sessionServer(t, st, clk, Codec(t, clk, key), session.Config{ScriptReadable: true, SameSite: session.SameSiteLax}, &hooks{})
		res = get(t, plainClient, base+"/?op=incr")
		tok = cookieToken(res, "session")
		want = "session=" + tok + "; Max-Age=86400; Expires=" + clk.Now().Add(24*time.Hour).Format(http.TimeFormat) +
			"; Path=/; SameSite=Lax"
		if sc := res.header.Values("Set-Cookie"); len(sc) != 1 || sc[0] != want {
			t.Errorf("script-readable: Set-Cookie %q, want %q", sc, want)
		}
		// A browser stores it with the attributes we sent.
		u, _ := url.Parse(base)
		parsed, err := http.ParseSetCookie(res.header.Get("Set-Cookie"))
		if err != nil || parsed.HttpOnly || parsed.SameSite != http.SameSiteLaxMode || parsed.MaxAge != 86400 {
			t.Errorf("ParseSetCookie: %+v, %v (host %s)", parsed, err, u.Host)
		}
	})
}

func hasValue(h http.Header, name, want string) bool {
	for _, v := range h.Values(name) {
		for _, item := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), want) {
				return true
			}
		}
	}
	return false
}

// bearerHandler answers the token's subject and the forwarded headers it sees.
func bearerHandler(t *session.Token, r Request) string {
	if !t.Valid() {
		return fmt.Sprintf("anonymous user=%q payload=%q", r.Header("X-User"), r.Header("X-Claims"))
	}
	return fmt.Sprintf("sub=%s user=%q roles=%q tenant=%q payload=%q",
		t.Subject(), r.Header("X-User"), r.Header("X-Roles"), r.Header("X-Tenant"), r.Header("X-Claims"))
}

func sign(t testing.TB, c *fastjwt.Codec, payload string) string {
	t.Helper()
	tok, err := c.AppendSign(nil, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func runBearer(t *testing.T, st Stack) {
	clk := NewClock()
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(3)})
	other := Codec(t, clk, fastjwt.Key{Secret: Secret(4)})
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	good := sign(t, codec, `{"sub":"alice","aud":"api","roles":["a","b"],"tenant":"t1","exp":`+exp+`}`)
	expired := sign(t, codec, `{"sub":"alice","aud":"api","exp":`+strconv.FormatInt(clk.Now().Unix()-1, 10)+`}`)
	wrongAud := sign(t, codec, `{"sub":"alice","aud":"other","exp":`+exp+`}`)
	noTenant := sign(t, codec, `{"sub":"alice","aud":"api","exp":`+exp+`}`)
	injected := sign(t, codec, `{"sub":"alice","aud":"api","tenant":"t1\r\nX-Evil: 1","roles":[`+"\n"+`"a"],"exp":`+exp+`}`)
	forged := sign(t, other, `{"sub":"alice","aud":"api","exp":`+exp+`}`)

	var mu sync.Mutex
	var causes []error
	cfg := session.BearerConfig{
		Realm:          `my "api"`,
		Schemes:        []string{"Bearer", "JWT"},
		Audience:       "api",
		RequiredClaims: []string{"tenant"},
		Forward: []session.Forward{
			{Claim: "sub", Header: "X-User"}, {Claim: "roles", Header: "x-roles"}, {Claim: "tenant", Header: "X-Tenant"},
		},
		PayloadHeader: "X-Claims",
		OnInvalid:     func(err error) { mu.Lock(); causes = append(causes, err); mu.Unlock() },
	}
	b, err := session.NewBearer(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeBearer(t, b, nil, bearerHandler)
	defer stop()

	const realm = `Bearer realm="my \"api\""`
	cases := []struct {
		name      string
		hdr       []string
		status    int
		challenge string
		cause     error
	}{
		{"missing", nil, 401, realm, session.ErrNoToken},
		{"other scheme", []string{"Authorization", "Basic " + good}, 401, realm, session.ErrNoToken},
		{"garbage", []string{"Authorization", "Bearer x.y.z"}, 401,
			realm + `, error="invalid_token", error_description="the token is malformed"`, fastjwt.ErrMalformed},
		{"forged", []string{"Authorization", "Bearer " + forged}, 401,
			realm + `, error="invalid_token", error_description="the token signature is invalid"`, fastjwt.ErrSignature},
		{"expired", []string{"Authorization", "Bearer " + expired}, 401,
			realm + `, error="invalid_token", error_description="the token has expired"`, fastjwt.ErrExpired},
		{"wrong audience", []string{"Authorization", "Bearer " + wrongAud}, 403,
			realm + `, error="insufficient_scope", error_description="the token is not valid for this audience"`, fastjwt.ErrAudience},
		{"missing required claim", []string{"Authorization", "Bearer " + noTenant}, 403,
			realm + `, error="insufficient_scope", error_description="the token lacks a required claim"`, session.ErrMissingClaim},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, plainClient, base+"/", tc.hdr...)
			if res.status != tc.status {
				t.Errorf("status %d, want %d", res.status, tc.status)
			}
			if got := res.header.Values("Www-Authenticate"); len(got) != 1 || got[0] != tc.challenge {
				t.Errorf("WWW-Authenticate\n got %q\nwant %q", got, tc.challenge)
			}
			mu.Lock()
			last := causes[len(causes)-1]
			mu.Unlock()
			if !errors.Is(last, tc.cause) {
				t.Errorf("OnInvalid got %v, want %v", last, tc.cause)
			}
		})
	}

	wantPayload, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: Secret(3)}}, fastjwt.WithClock(clk.Now))
	payload, _ := wantPayload.AppendVerify(nil, []byte(good))
	b64 := base64.RawURLEncoding.EncodeToString(payload)

	t.Run("valid token forwards claims", func(t *testing.T) {
		for _, auth := range []string{"Bearer " + good, "bearer " + good, "JWT " + good, "BEARER   " + good} {
			res := get(t, plainClient, base+"/", "Authorization", auth,
				"X-User", "mallory", "X-Roles", "admin", "X-Tenant", "t0", "X-Claims", "e30")
			want := `sub=alice user="alice" roles="[\"a\",\"b\"]" tenant="t1" payload="` + b64 + `"`
			if res.status != 200 || res.body != want {
				t.Errorf("%.10s...: %d\n got %s\nwant %s", auth, res.status, res.body, want)
			}
		}
	})

	t.Run("control characters are dropped", func(t *testing.T) {
		res := get(t, plainClient, base+"/", "Authorization", "Bearer "+injected, "X-Tenant", "spoofed", "X-Roles", "spoofed")
		if res.status != 200 || !strings.Contains(res.body, `tenant="" `) || !strings.Contains(res.body, `roles="" `) {
			t.Errorf("%d %s", res.status, res.body)
		}
		if res.header.Get("X-Evil") != "" {
			t.Error("header injection")
		}
	})

	// Optional mode, cookie and query sources, and a custom error answer.
	opt := cfg
	opt.Optional, opt.Cookie, opt.Query = true, "jwt", "access_token"
	opt.RequiredClaims, opt.Realm = nil, "api"
	ob, err := session.NewBearer(codec, opt)
	if err != nil {
		t.Fatal(err)
	}
	obase, ostop := st.ServeBearer(t, ob, func(e *session.AuthError) (int, string) {
		return 418, "custom " + e.Code + " " + string(e.Challenge())
	}, bearerHandler)
	defer ostop()

	t.Run("optional mode", func(t *testing.T) {
		res := get(t, plainClient, obase+"/", "X-User", "mallory", "X-Claims", "e30")
		if res.status != 200 || res.body != `anonymous user="" payload=""` {
			t.Errorf("no token: %d %s", res.status, res.body)
		}
		res = get(t, plainClient, obase+"/", "Authorization", "Bearer "+expired, "X-User", "mallory")
		if res.status != 418 || res.body != `custom invalid_token Bearer realm="api", error="invalid_token", error_description="the token has expired"` {
			t.Errorf("bad token in optional mode: %d %s", res.status, res.body)
		}
	})

	t.Run("cookie and query sources", func(t *testing.T) {
		res := get(t, plainClient, obase+"/", "Cookie", "a=1; jwt="+good)
		if res.status != 200 || !strings.HasPrefix(res.body, "sub=alice") {
			t.Errorf("cookie: %d %s", res.status, res.body)
		}
		res = get(t, plainClient, obase+"/?x=1&access_token="+good)
		if res.status != 200 || !strings.HasPrefix(res.body, "sub=alice") {
			t.Errorf("query: %d %s", res.status, res.body)
		}
		// Without the opt-in, the query is ignored.
		res = get(t, plainClient, base+"/?access_token="+good)
		if res.status != 401 {
			t.Errorf("query without opt-in: %d %s", res.status, res.body)
		}
	})
}

// RunConcurrent runs many clients in parallel, each with its own session, and checks that no
// request sees another client's session.
func RunConcurrent(t *testing.T, st Stack) {
	clk := NewClock()
	base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(5)}), session.Config{}, &hooks{})
	const clients, rounds = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	jars := make([]*http.Client, clients)
	for i := range jars {
		jars[i] = newClient(t)
	}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := jars[i]
			id := "client-" + strconv.Itoa(i)
			for n := 1; n <= rounds; n++ {
				req, _ := http.NewRequest("GET", base+"/?op=id", nil)
				req.Header.Set("X-Client", id)
				res, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if want := id + " " + strconv.Itoa(n); string(body) != want {
					errs <- fmt.Errorf("got %q, want %q", body, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Bearer: each client's token, subject and forwarded header stay its own; every other
	// request carries no token and must not see a previous request's claims.
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(6)})
	b, err := session.NewBearer(codec, session.BearerConfig{Optional: true, Forward: []session.Forward{{Claim: "sub", Header: "X-User"}}})
	if err != nil {
		t.Fatal(err)
	}
	bbase, stop := st.ServeBearer(t, b, nil, bearerHandler)
	defer stop()
	errs = make(chan error, clients)
	tokens := make([]string, clients)
	for i := range tokens {
		tokens[i] = sign(t, codec, `{"sub":"user-`+strconv.Itoa(i)+`"}`)
	}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub, tok := "user-"+strconv.Itoa(i), tokens[i]
			for n := range rounds {
				req, _ := http.NewRequest("GET", bbase+"/", nil)
				want := `anonymous user="" payload=""`
				if n%2 == 0 {
					req.Header.Set("Authorization", "Bearer "+tok)
					want = `sub=` + sub + ` user="` + sub + `" roles="" tenant="" payload=""`
				}
				res, err := plainClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(body) != want {
					errs <- fmt.Errorf("got %q, want %q", body, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkVerify times the codec alone on token, signed by key "k" with Secret(7): the reference
// for an adapter's overhead, (wrapped - bare) / verify.
func BenchmarkVerify(b *testing.B, token string) {
	codec := Codec(b, NewClock(), fastjwt.Key{ID: "k", Secret: Secret(7)})
	tok := []byte(token)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.AppendVerify(buf, tok); err != nil {
			b.Fatal(err)
		}
	}
}
