package sessiontest

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// holdHandler is CounterHandler, plus op=hold: it reads "sub" (the request now holds a valid
// session), tells entered, waits for release, then does "then": settoken (writes the token
// field "tf"), setstore (writes the stored name "counter"), renew (nothing: the clock was moved
// past the renewal point meanwhile), regenerate (Session.Regenerate).
type holdHandler struct {
	entered, release chan struct{}
}

func (hh *holdHandler) serve(s *session.Session, r Request) string {
	if r.Query("op") != "hold" {
		return CounterHandler(s, r)
	}
	sub, _ := s.String("sub")
	hh.entered <- struct{}{}
	<-hh.release
	switch r.Query("then") {
	case "settoken":
		_ = s.Set("tf", "x")
	case "setstore":
		_ = s.Set("counter", 99)
	case "regenerate":
		_ = s.Regenerate(context.Background())
	}
	return "held " + sub
}

// failingRevocations is a revocation list whose revocations fail: a logout's RevokeToken does
// not reach it.
type failingRevocations struct{ revoke.List }

func (f failingRevocations) RevokeToken(context.Context, string, time.Time) error {
	return errors.New("revocations: connection refused")
}

// subOf answers what the server reads as "sub" for a request carrying tok.
// payloadOf returns the decoded payload of a token, for a failure's message.
func payloadOf(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "(not a JWT)"
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "(not base64url)"
	}
	return string(b)
}

func subOf(t *testing.T, base, tok string) string {
	t.Helper()
	return get(t, plainClient, base+"/?op=get&name=sub", "Cookie", "session="+tok).body
}

// runLogout checks that a server-side logout is final: against every copy of the cookie,
// whether or not a revocation list is configured or answers, and against every request of the
// session in flight during the logout, whatever it does afterwards.
func runLogout(t *testing.T, st Stack) {
	for _, list := range []string{"no revocation list", "revocation list", "failing revocation list"} {
		t.Run(list, func(t *testing.T) {
			clk := NewClock()
			codec := Codec(t, clk, fastjwt.Key{Secret: Secret(21)})
			cfg := session.Config{
				Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now}), TokenFields: []string{"sub", "tf"},
				Now: clk.Now, RenewAfter: time.Minute,
			}
			switch list {
			case "revocation list":
				cfg.Revocations = revoke.NewMemory(revoke.MemoryOptions{Clock: clk.Now})
			case "failing revocation list":
				cfg.Revocations = failingRevocations{revoke.NewMemory(revoke.MemoryOptions{Clock: clk.Now})}
			}
			m, err := session.New(codec, cfg)
			if err != nil {
				t.Fatal(err)
			}
			hh := &holdHandler{entered: make(chan struct{}), release: make(chan struct{})}
			base, stop := st.ServeSessions(t, m, hh.serve)
			t.Cleanup(stop)
			login := func() string {
				tok := cookieToken(get(t, plainClient, base+"/?op=login&user=alice"), "session")
				if subOf(t, base, tok) != `"alice"` {
					t.Fatal("the login does not authenticate")
				}
				return tok
			}
			wantLogout := "logged out"
			if list == "failing revocation list" {
				wantLogout = "error: revocations: connection refused"
			}

			t.Run("a copy of the cookie taken before logout", func(t *testing.T) {
				tok := login()
				if res := get(t, plainClient, base+"/?op=logout", "Cookie", "session="+tok); res.body != wantLogout {
					t.Fatal("logout failed")
				}
				for range 2 {
					if got := subOf(t, base, tok); got != "" {
						t.Fatalf("the old cookie still reads sub %s after logout", got)
					}
				}
			})

			for _, then := range []string{"settoken", "setstore", "renew", "regenerate"} {
				t.Run("a request in flight, then "+then, func(t *testing.T) {
					tok := login()
					done := make(chan response, 1)
					go func() {
						done <- get(t, plainClient, base+"/?op=hold&then="+then, "Cookie", "session="+tok)
					}()
					<-hh.entered
					if res := get(t, plainClient, base+"/?op=logout", "Cookie", "session="+tok); res.body != wantLogout {
						t.Errorf("logout: %q", res.body)
					}
					if then == "renew" {
						clk.Advance(2 * time.Minute)
					}
					hh.release <- struct{}{}
					res := <-done
					if res.body != "held alice" {
						t.Fatalf("held request: %d %q", res.status, res.body)
					}
					if got := cookieToken(res, "session"); got != "" {
						t.Errorf("the request in flight re-issued a cookie (sub %s on the server)", subOf(t, base, got))
					}
					if !strings.Contains(strings.Join(res.header.Values("Set-Cookie"), "\n"), "Max-Age=0") {
						t.Errorf("the request in flight did not delete the cookie: %q", res.header.Values("Set-Cookie"))
					}
					if got := subOf(t, base, tok); got != "" {
						t.Errorf("the old cookie reads sub %s", got)
					}
				})
			}
		})
	}
	t.Run("many clients racing logout and log out everywhere", func(t *testing.T) { runLogoutRace(t, st) })
}

// runLogoutRace: many clients of one user renew and write while one of them logs out (the
// server-side session) or the user is logged out everywhere (Manager.RevokeSubject). Every
// Set-Cookie of a response that completed after the logout's response must not authenticate.
func runLogoutRace(t *testing.T, st Stack) {
	for _, everywhere := range []bool{false, true} {
		name := "logout"
		if everywhere {
			name = "RevokeSubject"
		}
		t.Run(name, func(t *testing.T) {
			codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: Secret(22)}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := session.New(codec, session.Config{
				Store: store.NewMemory(store.MemoryOptions{}), TokenFields: []string{"sub", "tf"},
				Revocations: revoke.NewMemory(revoke.MemoryOptions{}), RenewAfter: -1,
			})
			if err != nil {
				t.Fatal(err)
			}
			// RenewAfter -1 never renews; op=tf rewrites a token field, which re-issues the
			// cookie as a renewal would.
			base, stop := st.ServeSessions(t, m, func(s *session.Session, r Request) string {
				if r.Query("op") == "tf" {
					_ = s.Set("tf", r.Query("v"))
					return "tf"
				}
				return CounterHandler(s, r)
			})
			t.Cleanup(stop)
			tok := cookieToken(get(t, plainClient, base+"/?op=login&user=alice"), "session")
			var after atomic.Bool // the logout's response has completed
			var mu sync.Mutex
			var seen []string // cookies of responses that completed after it
			var wg sync.WaitGroup
			stopClients := make(chan struct{})
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, n := tok, 0
					for {
						select {
						case <-stopClients:
							return
						default:
						}
						n++
						op := "/?op=tf&v=" + strconv.Itoa(i*1000+n)
						if n%2 == 0 {
							op = "/?op=incr"
						}
						req, _ := http.NewRequest("GET", base+op, nil)
						req.Header.Set("Cookie", "session="+c)
						res, err := plainClient.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						got := cookieToken(response{header: res.Header}, "session")
						if after.Load() && got != "" {
							mu.Lock()
							seen = append(seen, got)
							mu.Unlock()
						}
						if got != "" {
							c = got
						}
					}
				}()
			}
			time.Sleep(50 * time.Millisecond)
			var logoutAt time.Time
			if everywhere {
				time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) // a new second
				logoutAt = time.Now()
				if err := m.RevokeSubject(context.Background(), "alice"); err != nil {
					t.Fatal(err)
				}
			} else if logoutAt = time.Now(); get(t, plainClient, base+"/?op=logout", "Cookie", "session="+tok).body != "logged out" {
				t.Fatal("logout failed")
			}
			after.Store(true)
			time.Sleep(1200 * time.Millisecond) // past the next second: a fresh iat
			close(stopClients)
			wg.Wait()
			for _, c := range seen {
				if got := subOf(t, base, c); got != "" {
					t.Fatalf("a cookie issued after the logout authenticates as %s (its payload %s; the logout at %s)", got, payloadOf(c), logoutAt.Format(time.RFC3339Nano))
				}
			}
			t.Logf("%d cookies issued after the logout completed, none valid", len(seen))
		})
	}
}

// storeFaults is an in-memory store whose loads or writes can be made to fail while Alive
// answers: the request holds a valid session, and the store fails later.
type storeFaults struct {
	store.Store
	loads, writes atomic.Bool
}

func (f *storeFaults) Load(ctx context.Context, id string, fn func(string, []byte)) (bool, error) {
	if f.loads.Load() {
		return false, errStoreDown
	}
	return f.Store.Load(ctx, id, fn)
}

func (f *storeFaults) Update(ctx context.Context, id string, set []store.Field, del []string, ttl time.Duration) error {
	if f.writes.Load() {
		return errStoreDown
	}
	return f.Store.Update(ctx, id, set, del, ttl)
}

// runStoreFailures checks that a session that could not be stored is a 503 with Retry-After on
// both stacks, wherever the handler committed and whether or not it looked at the error; and
// that a response whose status was already passed on to the server when the failure came is
// never completed (the connection is closed).
func runStoreFailures(t *testing.T, st Stack) {
	clk := NewClock()
	faults := &storeFaults{Store: store.NewMemory(store.MemoryOptions{Clock: clk.Now})}
	m, err := session.New(Codec(t, clk, fastjwt.Key{Secret: Secret(23)}), session.Config{
		Store: faults, TokenFields: []string{"sub"}, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	// op=read-commit reads the stored counter, then commits; commit-read commits, then reads it;
	// write-commit writes it, then commits. Each ignores every error and answers the counter.
	base, stop := st.ServeSessions(t, m, func(s *session.Session, r Request) string {
		var n int
		var passed bool
		switch r.Query("op") {
		case "read-commit":
			n, _ = s.Int("counter")
			passed = r.Commit()
		case "commit-read":
			passed = r.Commit()
			n, _ = s.Int("counter")
		case "write-commit":
			_ = s.Set("counter", 7)
			passed = r.Commit()
		default:
			return CounterHandler(s, r)
		}
		return "n=" + strconv.Itoa(n) + " passed=" + strconv.FormatBool(passed)
	})
	t.Cleanup(stop)
	tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
	early := passesEarly(t, st)
	for _, c := range []struct {
		op    string
		fault *atomic.Bool
	}{
		{"read-commit", &faults.loads},
		{"commit-read", &faults.loads},
		{"write-commit", &faults.writes},
	} {
		t.Run(c.op, func(t *testing.T) {
			c.fault.Store(true)
			defer c.fault.Store(false)
			req, _ := http.NewRequest("GET", base+"/?op="+c.op, nil)
			req.Header.Set("Cookie", "session="+tok)
			res, err := plainClient.Do(req)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(res.Body)
				res.Body.Close()
			}
			// Only net/http passes the status on before the handler returns, and only the
			// failure that comes after the early commit finds it passed.
			closed := c.op == "commit-read" && early
			switch {
			case closed:
				if err == nil {
					t.Errorf("the response completed: %d %q, want the connection closed", res.StatusCode, body)
				}
			case err != nil:
				t.Fatalf("request: %v", err)
			case res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || len(res.Header.Values("Set-Cookie")) != 0:
				t.Errorf("%d %q Retry-After %q Set-Cookie %q, want 503 with Retry-After and no Set-Cookie",
					res.StatusCode, body, res.Header.Get("Retry-After"), res.Header.Values("Set-Cookie"))
			}
			c.fault.Store(false)
			if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.status != 200 || res.body != "1" {
				t.Errorf("after the failure: %d %q, want the stored 1", res.status, res.body)
			}
		})
	}
}

// passesEarly reports whether st's Request.Commit passes the status on to the server (net/http),
// found by asking a handler.
func passesEarly(t *testing.T, st Stack) bool {
	t.Helper()
	var passed atomic.Bool
	clk := NewClock()
	m, err := session.New(Codec(t, clk, fastjwt.Key{Secret: Secret(24)}), session.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeSessions(t, m, func(s *session.Session, r Request) string {
		passed.Store(r.Commit())
		return ""
	})
	defer stop()
	get(t, plainClient, base+"/")
	return passed.Load()
}
