package issuing_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
)

func TestConfigRefused(t *testing.T) {
	f := newFixture(t)
	base := issuing.Config{Codec: f.codec, Issuer: "https://issuer.test", Audience: "api", Families: f.fams,
		Revocations: f.list, Authenticate: authenticate, Now: f.clock.Now}
	noAud, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(f.clock.Now))
	lax, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(f.clock.Now),
		fastjwt.WithAudience("api"), fastjwt.WithLeeway(time.Hour))
	verifier, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(f.clock.Now),
		fastjwt.WithAudience("other"))
	for name, mutate := range map[string]func(c *issuing.Config){
		"no codec":                     func(c *issuing.Config) { c.Codec = nil },
		"no families":                  func(c *issuing.Config) { c.Families = nil },
		"no list":                      func(c *issuing.Config) { c.Revocations = nil },
		"no authenticator":             func(c *issuing.Config) { c.Authenticate = nil },
		"negative AccessTTL":           func(c *issuing.Config) { c.AccessTTL = -1 },
		"negative MaxBody":             func(c *issuing.Config) { c.MaxBody = -1 },
		"a codec refusing aud":         func(c *issuing.Config) { c.Codec = noAud },
		"a refresh codec of other aud": func(c *issuing.Config) { c.RefreshCodec = verifier },
		"a leeway over the grace":      func(c *issuing.Config) { c.Codec = lax },
		"a clock the codec is not on": func(c *issuing.Config) {
			c.Now = func() time.Time { return f.clock.Now().Add(-time.Hour) }
		},
	} {
		cfg := base
		mutate(&cfg)
		if _, err := issuing.New(cfg); !errors.Is(err, issuing.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	if _, err := issuing.New(base); err != nil {
		t.Fatal(err)
	}
}

// countingCodec counts the tokens it signs.
type countingCodec struct {
	*fastjwt.Codec
	signed atomic.Int64
}

func (c *countingCodec) AppendSignType(dst []byte, typ fastjwt.Type, payload []byte) ([]byte, error) {
	c.signed.Add(1)
	return c.Codec.AppendSignType(dst, typ, payload)
}

// The library's part of an obtain is the same for right and wrong credentials: the same
// parse, and two tokens signed, of the same types.
func TestObtainEqualised(t *testing.T) {
	var cc *countingCodec
	f := newFixture(t, func(c *issuing.Config) {
		cc = &countingCodec{Codec: c.Codec.(*fastjwt.Codec)}
		c.Codec = cc
	})
	for _, tc := range []struct {
		user, pass string
		status     int
	}{{"ann", "s3cret", 200}, {"ann", "wrong", 400}, {"nobody", "s3cret", 400}} {
		before := cc.signed.Load()
		r := f.iss.Obtain(bg, form("username", tc.user, "password", tc.pass))
		if r.Status != tc.status {
			t.Fatalf("%s/%s: %d %s", tc.user, tc.pass, r.Status, r.Body)
		}
		if n := cc.signed.Load() - before; n != 2 {
			t.Fatalf("%s/%s: %d tokens signed, want 2", tc.user, tc.pass, n)
		}
	}
}

// Extra claims ride in every access token of the family; names the issuer writes are refused.
func TestExtraClaims(t *testing.T) {
	f := newFixture(t)
	p := f.obtain()
	for range 2 {
		st, n := f.refresh(p.Refresh)
		if st != 200 {
			t.Fatalf("refresh: %d", st)
		}
		p = n
	}
	r := f.iss.Verify(bg, form("token", p.Access))
	if r.Status != 200 || !contains(string(r.Body), `"role":"admin"`) {
		t.Fatalf("verify of the third generation: %d %s", r.Status, r.Body)
	}
	for _, name := range []string{"sub", "exp", "iat", "jti", "fid", "ext", "iss", "aud", "nbf"} {
		g := newFixture(t, func(c *issuing.Config) {
			c.Authenticate = func(context.Context, issuing.Credentials) (string, map[string]any, error) {
				return "ann", map[string]any{name: "x"}, nil
			}
		})
		if r := g.iss.Obtain(bg, form("username", "a", "password", "b")); r.Status != 500 {
			t.Fatalf("an extra claim %q: %d %s", name, r.Status, r.Body)
		}
	}
	// An Authenticator that cannot answer: 503.
	g := newFixture(t, func(c *issuing.Config) {
		c.Authenticate = func(context.Context, issuing.Credentials) (string, map[string]any, error) {
			return "", nil, errors.New("database down")
		}
	})
	if r := g.iss.Obtain(bg, form("username", "a", "password", "b")); r.Status != 503 || r.RetryAfter != 1 {
		t.Fatalf("an Authenticator that fails: %+v", r)
	}
	_ = revoke.DefaultGrace
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
