package issuing_test

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
)

// clock is a settable clock, shared by the issuer, its codec and its list.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := new(clock)
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *clock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }

var secret = []byte("0123456789abcdef0123456789abcdef")

// authenticate accepts ann/secret, comparing both in constant time, and gives her a role.
func authenticate(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
	okUser := subtle.ConstantTimeCompare([]byte(c.Username), []byte("ann"))
	okPass := subtle.ConstantTimeCompare([]byte(c.Password), []byte("s3cret"))
	if okUser&okPass != 1 {
		return "", nil, issuing.ErrInvalidGrant
	}
	return "ann", map[string]any{"role": "admin"}, nil
}

type fixture struct {
	t     testing.TB
	clock *clock
	codec *fastjwt.Codec
	list  *revoke.Memory
	fams  *issuing.Memory
	iss   *issuing.Issuer
}

func newFixture(t testing.TB, mutate ...func(*issuing.Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: newClock()}
	var err error
	f.codec, err = fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(f.clock.Now),
		fastjwt.WithIssuer("https://issuer.test"), fastjwt.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	f.list = revoke.NewMemory(revoke.MemoryOptions{Clock: f.clock.Now})
	f.fams = issuing.NewMemory(issuing.MemoryOptions{Clock: f.clock.Now})
	cfg := issuing.Config{Codec: f.codec, Issuer: "https://issuer.test", Audience: "api", Families: f.fams,
		Revocations: f.list, Authenticate: authenticate, Now: f.clock.Now}
	for _, m := range mutate {
		m(&cfg)
	}
	f.iss, err = issuing.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func form(kv ...string) issuing.Request {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return issuing.Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte(v.Encode())}
}

type answer struct {
	Access  string `json:"access_token"`
	Type    string `json:"token_type"`
	Expires int64  `json:"expires_in"`
	Refresh string `json:"refresh_token"`
	Error   string `json:"error"`
}

func decode(t testing.TB, r issuing.Response) answer {
	t.Helper()
	var a answer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatalf("answer %d %q: %v", r.Status, r.Body, err)
	}
	return a
}

var bg = context.Background()

// obtain logs ann in and returns the pair.
func (f *fixture) obtain() answer {
	f.t.Helper()
	r := f.iss.Obtain(bg, form("username", "ann", "password", "s3cret"))
	if r.Status != 200 {
		f.t.Fatalf("obtain: %d %s", r.Status, r.Body)
	}
	return decode(f.t, r)
}

func (f *fixture) refresh(tok string) (int, answer) {
	f.t.Helper()
	r := f.iss.Refresh(bg, form("refresh_token", tok))
	return r.Status, decode(f.t, r)
}
