package migrationtest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/gorillacookie"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

var (
	hashKey  = []byte("gorilla hash key of 32 bytes....")
	blockKey = []byte("gorilla AES-128!")
	jwtKey   = []byte("the new library's HS256 key.....")
)

// counter is the handler of every test: it increments "counter" and answers the new value.
func counter(s *session.Session) string {
	n, _ := s.Int("counter")
	if err := s.Set("counter", n+1); err != nil {
		return "error: " + err.Error()
	}
	return strconv.Itoa(n + 1)
}

// serve starts counter under m on one stack on 127.0.0.1.
func serve(t *testing.T, stack string, m *session.Manager) string {
	t.Helper()
	if stack == "nethttp" {
		srv := httptest.NewServer(nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, counter(nethttpsession.FromContext(r.Context())))
		})))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{
		Handler: fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
			ctx.SetBodyString(counter(fasthttpsession.From(ctx)))
		}),
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
	}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Shutdown(); <-done })
	return "http://" + ln.Addr().String()
}

// errs records what a hook hears.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) hook(err error) { e.mu.Lock(); e.list = append(e.list, err); e.mu.Unlock() }
func (e *errs) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.list...)
}

// manager returns a Manager reading gorilla cookies with the keys, in phase, at the clock now.
func manager(t *testing.T, phase session.LegacyPhase, legacyName string, block []byte, now func() time.Time, hook *errs) *session.Manager {
	t.Helper()
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: jwtKey}}, fastjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := gorillacookie.New(gorillacookie.Config{HashKey: hashKey, BlockKey: block})
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(codec, session.Config{Now: now, Legacy: &session.Legacy{Codec: legacy, CookieName: legacyName, Phase: phase, OnError: hook.hook}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// gorillaCookie returns the Set-Cookie name=value a gorilla/sessions CookieStore writes for a
// session named name holding values.
func gorillaCookie(t *testing.T, store *sessions.CookieStore, name string, values map[interface{}]interface{}) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	sess, err := store.New(req, name)
	if err != nil && sess == nil {
		t.Fatal(err)
	}
	for k, v := range values {
		sess.Values[k] = v
	}
	rec := httptest.NewRecorder()
	if err := sess.Save(req, rec); err != nil {
		t.Fatal(err)
	}
	pair, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	return pair
}

// gorillaRead returns the values the gorilla store reads from a Cookie header.
func gorillaRead(t *testing.T, store *sessions.CookieStore, name, cookie string) (map[interface{}]interface{}, error) {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", cookie)
	sess, err := store.Get(req, name)
	if err != nil {
		return nil, err
	}
	return sess.Values, nil
}

type response struct {
	body    string
	cookies map[string]string // name -> value, "<deleted>" for a deletion
}

func get(t *testing.T, base, cookie string) response {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := response{body: string(b), cookies: map[string]string{}}
	for _, sc := range res.Header.Values("Set-Cookie") {
		pair, attrs, _ := strings.Cut(sc, ";")
		k, v, _ := strings.Cut(pair, "=")
		if strings.Contains(attrs, "Max-Age=0") {
			v = "<deleted>"
		}
		out.cookies[k] = v
	}
	return out
}

var stacks = []string{"fasthttp", "nethttp"}

func TestGorillaCookiesReadAndReissued(t *testing.T) {
	for _, stack := range stacks {
		for _, encrypted := range []bool{false, true} {
			t.Run(stack+" encrypted="+strconv.FormatBool(encrypted), func(t *testing.T) {
				var block []byte
				store := sessions.NewCookieStore(hashKey)
				if encrypted {
					block = blockKey
					store = sessions.NewCookieStore(hashKey, blockKey)
				}
				hook := &errs{}
				base := serve(t, stack, manager(t, session.LegacyRead, "session", block, time.Now, hook))
				old := gorillaCookie(t, store, "session", map[interface{}]interface{}{"counter": 41, "user": "alice"})
				res := get(t, base, old)
				tok := res.cookies["session"]
				if res.body != "42" || strings.Count(tok, ".") != 2 {
					t.Fatalf("gorilla session: %q, cookie %q (%v)", res.body, tok, hook.all())
				}
				if res := get(t, base, "session="+tok); res.body != "43" {
					t.Errorf("the re-issued JWT cookie: %q", res.body)
				}
				if h := hook.all(); len(h) != 0 {
					t.Errorf("hook heard %v", h)
				}
			})
		}
	}
}

// Values without a JSON form (a []byte, a key that is not a string) are dropped by name, the
// rest kept.
func TestGorillaValuesDropped(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			hook := &errs{}
			base := serve(t, stack, manager(t, session.LegacyRead, "session", nil, time.Now, hook))
			old := gorillaCookie(t, sessions.NewCookieStore(hashKey), "session", map[interface{}]interface{}{
				"counter": 41, "avatar": []byte{1, 2, 3}, 7: "a number key", "flags": []string{"a", "b"},
			})
			if res := get(t, base, old); res.body != "42" {
				t.Fatalf("%q (%v)", res.body, hook.all())
			}
			var dropped []string
			for _, err := range hook.all() {
				if !errors.Is(err, session.ErrLegacyValue) {
					t.Errorf("hook: %v", err)
				}
				dropped = append(dropped, err.Error())
			}
			joined := strings.Join(dropped, "\n")
			if len(dropped) != 2 || !strings.Contains(joined, `"avatar"`) || !strings.Contains(joined, `"7"`) {
				t.Errorf("dropped:\n%s\nwant avatar and 7 (flags, a []string, maps to JSON)", joined)
			}
		})
	}
}

func TestGorillaCookiesRefused(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			good := gorillaCookie(t, sessions.NewCookieStore(hashKey), "session", map[interface{}]interface{}{"counter": 41})
			wrongKey := gorillaCookie(t, sessions.NewCookieStore([]byte("another gorilla hash key........")), "session", map[interface{}]interface{}{"counter": 41})
			renamed := "session=" + strings.TrimPrefix(gorillaCookie(t, sessions.NewCookieStore(hashKey), "other", map[interface{}]interface{}{"counter": 41}), "other=")
			name, value, _ := strings.Cut(good, "=")
			tampered := []byte(value)
			tampered[len(tampered)/2] ^= 'A' ^ 'B'
			for label, c := range map[string]struct {
				cookie string
				now    func() time.Time
				want   error
			}{
				"tampered":  {name + "=" + string(tampered), time.Now, session.ErrLegacy},
				"wrong key": {wrongKey, time.Now, gorillacookie.ErrMAC},
				"renamed":   {renamed, time.Now, gorillacookie.ErrMAC},
				"expired":   {good, func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }, gorillacookie.ErrExpired},
			} {
				hook := &errs{}
				base := serve(t, stack, manager(t, session.LegacyRead, "session", nil, c.now, hook))
				if res := get(t, base, c.cookie); res.body != "1" {
					t.Errorf("%s: %q, want a new session", label, res.body)
				}
				if h := hook.all(); len(h) != 1 || !errors.Is(h[0], session.ErrLegacy) || !errors.Is(h[0], c.want) {
					t.Errorf("%s: hook heard %v, want %v", label, h, c.want)
				}
			}
		})
	}
}

// The write phase: the response carries a cookie gorilla reads, with the counter an int as
// gorilla applications store it.
func TestWritePhaseReadByGorilla(t *testing.T) {
	for _, stack := range stacks {
		for _, legacyName := range []string{"session", "gorilla"} {
			t.Run(stack+" "+legacyName, func(t *testing.T) {
				store := sessions.NewCookieStore(hashKey, blockKey)
				hook := &errs{}
				base := serve(t, stack, manager(t, session.LegacyWrite, legacyName, blockKey, time.Now, hook))
				res := get(t, base, gorillaCookie(t, store, legacyName, map[interface{}]interface{}{"counter": 41}))
				if res.body != "42" {
					t.Fatalf("%q (%v)", res.body, hook.all())
				}
				values, err := gorillaRead(t, store, legacyName, legacyName+"="+res.cookies[legacyName])
				if err != nil {
					t.Fatalf("gorilla cannot read the legacy cookie written: %v (%v)", err, res.cookies)
				}
				if n, ok := values["counter"].(int); !ok || n != 42 {
					t.Errorf("gorilla reads counter %#v, want the int 42", values["counter"])
				}
				if legacyName != "session" && strings.Count(res.cookies["session"], ".") != 2 {
					t.Errorf("no JWT cookie beside the legacy one: %v", res.cookies)
				}
				// And the next round: an old server's write read by this library again.
				values["counter"] = 99
				if res := get(t, base, gorillaCookie(t, store, legacyName, values)); res.body != "100" {
					t.Errorf("second round: %q", res.body)
				}
			})
		}
	}
}

func TestOffPhaseIgnoresGorilla(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			hook := &errs{}
			base := serve(t, stack, manager(t, session.LegacyOff, "session", nil, time.Now, hook))
			if res := get(t, base, gorillaCookie(t, sessions.NewCookieStore(hashKey), "session", map[interface{}]interface{}{"counter": 41})); res.body != "1" {
				t.Errorf("LegacyOff: %q, want a new session", res.body)
			}
		})
	}
}

// securecookie with its JSON serializer, read by gorillacookie.JSON, and the other way.
func TestSecurecookieJSON(t *testing.T) {
	sc := securecookie.New(hashKey, blockKey)
	sc.SetSerializer(securecookie.JSONEncoder{})
	v, err := sc.Encode("session", map[string]interface{}{"counter": 41, "user": "alice", "roles": []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := gorillacookie.New(gorillacookie.Config{HashKey: hashKey, BlockKey: blockKey, Format: gorillacookie.JSON})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := c.Decode("session", []byte(v), time.Now(), func(n string, v []byte) { got = append(got, n+"="+string(v)) }, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != `counter=41 roles=["a"] user="alice"` {
		t.Errorf("read %v", got)
	}
	mine, err := c.AppendEncode(nil, "session", time.Now(), func(yield func(string, []byte) bool) {
		_ = yield("counter", []byte("42")) && yield("user", []byte(`"bob"`))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]interface{}
	if err := sc.Decode("session", string(mine), &back); err != nil || back["counter"] != float64(42) || back["user"] != "bob" {
		t.Errorf("securecookie reads %v, %v", back, err)
	}
}
