// Package sessiontest is the one table of behaviour tests both middleware adapters must pass. Each
// adapter implements Stack over its framework (once per server configuration worth testing) and
// calls Run; every case then runs against a real server on 127.0.0.1, through net/http's client
// or, where header spelling, order or trailers matter, raw bytes over TCP. One file per concern:
// sessions, cookie grammar, token purpose, response headers, bearer, header spoofing.
package sessiontest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// Request is what a neutral test handler may read from its request and write to its response.
type Request struct {
	Query  func(name string) string
	Header func(name string) string
	// Lines returns every request header line the handler can see, as "Name: value" with the
	// name as the server stores it.
	Lines func() []string
	// Body reads the whole request body (a server that merges trailer fields into the request
	// header does it then).
	Body func() string
	// AddResponseHeader adds a response header line.
	AddResponseHeader func(name, value string)
}

// SessionHandler is a handler under session middleware; it returns the body to answer with.
type SessionHandler func(s *session.Session, r Request) string

// BearerHandler is a handler under bearer middleware; it returns the body to answer with.
type BearerHandler func(t *bearer.Token, r Request) string

// ErrorAnswer is a neutral custom bearer error handler: the status and body to answer with.
type ErrorAnswer func(e *bearer.AuthError) (status int, body string)

// Stack serves handlers with one framework's adapter on a real server on 127.0.0.1, in one
// server configuration. The returned function stops the server.
type Stack interface {
	ServeSessions(t testing.TB, m *session.Manager, h SessionHandler) (baseURL string, stop func())
	ServeBearer(t testing.TB, b *bearer.Bearer, onError ErrorAnswer, h BearerHandler) (baseURL string, stop func())
	// MergesTrailersLate reports whether the server merges the trailer fields of a chunked
	// request body into the request header while the handler reads the body (fasthttp with
	// StreamRequestBody); the bearer adapter must then refuse such requests when it forwards.
	MergesTrailersLate() bool
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
// the stored value and the counter after incrementing it), vary (adds one Vary response line per
// "|"-separated item of "v", then increments), login (sets "sub" to "user" and increments),
// get (answers the raw value of "name"), set (stores "value" under "name"), regenerate
// (Session.Regenerate), logout (Session.Logout), badwrites (tries writes the codec would refuse
// and answers each error, "nil" for one that was accepted), save (stores a struct holding
// "<&>" with session.Save).
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
	case "vary":
		for _, v := range strings.Split(r.Query("v"), "|") {
			if v != "" {
				r.AddResponseHeader("Vary", v)
			}
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strconv.Itoa(n + 1)
	case "badwrites":
		future := s.Set("nbf", 4102444800)
		var out []string
		for _, err := range []error{
			s.Set("sub", 42), s.Set("nbf", "soon"), future, s.Set("aud", []int{1}),
			s.SetRaw("o", []byte(`{"a":1,"a":2}`)), s.SetRaw("u", []byte("\"\xff\"")),
			s.SetRaw("two", []byte(`1,"exp":5`)), s.Set("exp", 1), s.Set("iat", 1),
		} {
			if err == nil {
				out = append(out, "nil")
			} else {
				out = append(out, err.Error())
			}
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strings.Join(out, "\n")
	case "login":
		if err := s.Set("sub", r.Query("user")); err != nil {
			return "error: " + err.Error()
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strconv.Itoa(n + 1)
	case "get":
		raw, _ := s.Raw(r.Query("name"))
		return string(raw)
	case "set":
		if err := s.Set(r.Query("name"), r.Query("value")); err != nil {
			return "error: " + err.Error()
		}
		return "set"
	case "regenerate":
		if err := s.Regenerate(context.Background()); err != nil {
			return "error: " + err.Error()
		}
		return "regenerated"
	case "logout":
		if err := s.Logout(context.Background()); err != nil {
			return "error: " + err.Error()
		}
		return "logged out"
	case "save":
		type data struct {
			Counter int    `json:"counter"`
			Note    string `json:"note"`
		}
		var d data
		if err := session.Load(s, &d); err != nil {
			return "error: " + err.Error()
		}
		d.Note = "<&>"
		if r.Query("incr") != "" {
			d.Counter++
		}
		if err := session.Save(s, d); err != nil {
			return "error: " + err.Error()
		}
		return strconv.Itoa(d.Counter)
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
	t.Run("cookie grammar", func(t *testing.T) { runCookieGrammar(t, st) })
	t.Run("session writes", func(t *testing.T) { runWrites(t, st) })
	t.Run("response headers", func(t *testing.T) { runResponseHeaders(t, st) })
	t.Run("no lock-out", func(t *testing.T) { runLockOut(t, st) })
	t.Run("token purpose", func(t *testing.T) { runPurpose(t, st) })
	t.Run("bearer", func(t *testing.T) { runBearer(t, st) })
	t.Run("bearer spoofing", func(t *testing.T) { runSpoofing(t, st) })
	t.Run("revocation", func(t *testing.T) { runRevocation(t, st) })
	t.Run("server-side sessions", func(t *testing.T) { runServerSide(t, st) })
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

// Fixture is the one setup of both adapters' allocation tests and benchmarks: a Manager and a
// Bearer over the same secret (key "k", Secret(7)), both checking an in-memory revocation list
// that holds other tokens' entries, a session cookie for the one and a bearer token for the other.
type Fixture struct {
	Manager *session.Manager
	// ServerSide keeps sessions in an in-memory store, with "counter" as a token field: a
	// handler reading only the counter never touches the store.
	ServerSide *session.Manager
	Bearer     *bearer.Bearer
	// SessionToken holds {"counter":41}; BearerToken sub "alice", aud "api", tenant "t1".
	SessionToken, BearerToken string
}

// NewFixture builds the Fixture. The Bearer requires audience "api" and forwards sub to X-User
// and tenant to X-Tenant.
func NewFixture(tb testing.TB) *Fixture {
	tb.Helper()
	clk := NewClock()
	key := fastjwt.Key{ID: "k", Secret: Secret(7)}
	sessions := Codec(tb, clk, key)
	api, err := fastjwt.NewHS256([]fastjwt.Key{key}, fastjwt.WithClock(clk.Now), fastjwt.WithAudience("api"))
	if err != nil {
		tb.Fatal(err)
	}
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: clk.Now})
	for _, who := range []string{"bob", "carol"} {
		if err := list.RevokeToken(context.Background(), "jti-of-"+who, clk.Now().Add(time.Hour)); err != nil {
			tb.Fatal(err)
		}
		if err := list.RevokeSubject(context.Background(), who, clk.Now(), clk.Now().Add(time.Hour)); err != nil {
			tb.Fatal(err)
		}
	}
	f := &Fixture{}
	if f.Manager, err = session.New(sessions, session.Config{Now: clk.Now, Revocations: list}); err != nil {
		tb.Fatal(err)
	}
	f.ServerSide, err = session.New(sessions, session.Config{
		Now: clk.Now, Revocations: list, TokenFields: []string{"counter"},
		Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now}),
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.Bearer, err = bearer.New(api, bearer.Config{
		Revocations: list,
		Forward:     []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "tenant", Header: "X-Tenant"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	iat := strconv.FormatInt(clk.Now().Unix(), 10)
	tok, err := sessions.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"counter":41,"iat":`+iat+`,"exp":`+exp+`,"jti":"s-1"}`))
	if err != nil {
		tb.Fatal(err)
	}
	f.SessionToken = string(tok)
	tok, err = api.AppendSign(nil, []byte(`{"sub":"alice","aud":"api","tenant":"t1","iat":`+iat+`,"exp":`+exp+`,"jti":"b-1"}`))
	if err != nil {
		tb.Fatal(err)
	}
	f.BearerToken = string(tok)
	return f
}

// BenchmarkVerify times the codec alone on the fixture's session token: the reference for an
// adapter's overhead, (wrapped - bare) / verify.
func BenchmarkVerify(b *testing.B) {
	f := NewFixture(b)
	codec := Codec(b, NewClock(), fastjwt.Key{ID: "k", Secret: Secret(7)})
	tok := []byte(f.SessionToken)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.AppendVerify(buf, tok); err != nil {
			b.Fatal(err)
		}
	}
}
