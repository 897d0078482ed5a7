package session_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// A write of a registered claim is checked by the codec without signing anything: the verdicts
// are those of signing the session and verifying its token, which is what a codec that cannot
// check claims on its own is still asked to do.

// countingCodec is a *fastjwt.Codec (CheckClaims included) that counts its signatures.
type countingCodec struct {
	*fastjwt.Codec
	signs atomic.Int64
}

func (c *countingCodec) AppendSignType(dst []byte, typ fastjwt.Type, payload []byte) ([]byte, error) {
	c.signs.Add(1)
	return c.Codec.AppendSignType(dst, typ, payload)
}

// signAndVerifyOnly is a Codec with no CheckClaims: the Manager signs and verifies to check a
// write.
type signAndVerifyOnly struct{ c *countingCodec }

func (p signAndVerifyOnly) AppendSignType(dst []byte, typ fastjwt.Type, payload []byte) ([]byte, error) {
	return p.c.AppendSignType(dst, typ, payload)
}

func (p signAndVerifyOnly) AppendVerifyClaims(dst, token []byte, cl *fastjwt.Claims) ([]byte, error) {
	return p.c.AppendVerifyClaims(dst, token, cl)
}

// claimCodecs returns the codecs the claim tests run under, by name, all on the clock t0.
func claimCodecs(t *testing.T) map[string]func() *fastjwt.Codec {
	now := fastjwt.WithClock(func() time.Time { return t0 })
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hs := func(opts ...fastjwt.Option) func() *fastjwt.Codec {
		return func() *fastjwt.Codec {
			c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}}, append([]fastjwt.Option{now}, opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	return map[string]func() *fastjwt.Codec{
		"HS256":              hs(),
		"HS256 any audience": hs(fastjwt.AcceptAnyAudience()),
		"HS256 leeway":       hs(fastjwt.WithLeeway(time.Minute)),
		"HS256 future iat":   hs(fastjwt.RejectFutureIssuedAt()),
		"HS256 small cap":    hs(fastjwt.WithMaxTokenSize(300)),
		"ES256": func() *fastjwt.Codec {
			c, err := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "ec", Alg: fastjwt.ES256, Key: ecKey}, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
	}
}

// claimWrite is one write of a registered claim and its verdict under the plain HS256 codec.
type claimWrite struct {
	name  string
	value any
	want  error // nil: stored
}

func claimWrites() []claimWrite {
	sec := t0.Unix()
	return []claimWrite{
		{"sub", "alice", nil},
		{"sub", "", nil},
		{"sub", "al\u00efce <&>", nil},
		{"sub", strings.Repeat("s", 200), nil},
		{"sub", strings.Repeat("s", 70000), fastjwt.ErrTooLarge},
		{"sub", 42, fastjwt.ErrClaimType},
		{"sub", nil, fastjwt.ErrClaimType},
		{"sub", []string{"alice"}, fastjwt.ErrClaimType},
		{"iss", "me", nil},
		{"iss", true, fastjwt.ErrClaimType},
		{"iss", map[string]any{"a": 1}, fastjwt.ErrClaimType},
		{"aud", "api", fastjwt.ErrAudience},
		{"aud", []string{"web", "api"}, fastjwt.ErrAudience},
		{"aud", []string{}, fastjwt.ErrAudience},
		{"aud", []int{1}, fastjwt.ErrClaimType},
		{"aud", 7, fastjwt.ErrClaimType},
		{"nbf", sec - 3600, nil},
		{"nbf", sec, nil},
		{"nbf", float64(sec) - 0.5, nil},
		{"nbf", sec + 30, fastjwt.ErrNotYetValid},
		{"nbf", sec + 3600, fastjwt.ErrNotYetValid},
		{"nbf", "soon", fastjwt.ErrClaimType},
		{"nbf", json.RawMessage(`1e300`), fastjwt.ErrClaimType},
		{"nbf", json.RawMessage(`-1`), nil},
	}
}

// write applies w to a new session with Set or with Save, and reports its error and whether
// the value was stored.
func write(t *testing.T, m *session.Manager, w claimWrite, save bool) (error, bool) {
	t.Helper()
	s := acquire(t, m, "")
	defer m.Release(s)
	var err error
	if save {
		err = session.Encode(s, map[string]any{"keep": 1, w.name: w.value})
	} else {
		err = s.Set(w.name, w.value)
	}
	return err, s.Has(w.name)
}

// Every write's verdict is the one of signing and verifying, for every codec; a refused write
// stores nothing.
func TestRegisteredClaimWrites(t *testing.T) {
	for cname, mk := range claimCodecs(t) {
		checked := &countingCodec{Codec: mk()}
		probed := &countingCodec{Codec: mk()}
		mChecked, err := session.New(checked, session.Config{Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		mProbed, err := session.New(signAndVerifyOnly{probed}, session.Config{Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range claimWrites() {
			for _, save := range []bool{false, true} {
				op := "Set"
				if save {
					op = "Save"
				}
				got, stored := write(t, mChecked, w, save)
				want, _ := write(t, mProbed, w, save)
				if (got == nil) != (want == nil) || (got != nil && !sameSentinel(got, want)) {
					t.Errorf("%s: %s(%q, %v): %v, signing and verifying: %v", cname, op, w.name, w.value, got, want)
				}
				if stored != (got == nil) {
					t.Errorf("%s: %s(%q, %v): returned %v, stored %v", cname, op, w.name, w.value, got, stored)
				}
				if got != nil && !errors.Is(got, session.ErrValue) {
					t.Errorf("%s: %s(%q, %v): %v does not match ErrValue", cname, op, w.name, w.value, got)
				}
				if cname == "HS256" && !errors.Is(got, w.want) {
					t.Errorf("%s: %s(%q, %v): %v, want %v", cname, op, w.name, w.value, got, w.want)
				}
			}
		}
		if probed.signs.Load() <= 1 {
			t.Errorf("%s: the codec without CheckClaims was not asked to sign", cname)
		}
	}
}

// sameSentinel reports whether a and b match the same fastjwt sentinels.
func sameSentinel(a, b error) bool {
	for _, s := range []error{fastjwt.ErrMalformed, fastjwt.ErrTooLarge, fastjwt.ErrClaimType,
		fastjwt.ErrExpired, fastjwt.ErrNotYetValid, fastjwt.ErrIssuer, fastjwt.ErrAudience,
		fastjwt.ErrUnsupported, fastjwt.ErrKey, fastjwt.ErrSignature} {
		if errors.Is(a, s) != errors.Is(b, s) {
			return false
		}
	}
	return true
}

// The policies other than the plain codec's change the verdicts as the codec's verify would.
func TestRegisteredClaimWritesFollowThePolicy(t *testing.T) {
	codecs := claimCodecs(t)
	sec := t0.Unix()
	for _, c := range []struct {
		codec string
		w     claimWrite
	}{
		{"HS256 any audience", claimWrite{"aud", "api", nil}},
		{"HS256 any audience", claimWrite{"aud", []string{"web", "api"}, nil}},
		{"HS256 any audience", claimWrite{"aud", []int{1}, fastjwt.ErrClaimType}},
		{"HS256 leeway", claimWrite{"nbf", sec + 30, nil}},
		{"HS256 leeway", claimWrite{"nbf", sec + 90, fastjwt.ErrNotYetValid}},
		{"HS256 small cap", claimWrite{"sub", strings.Repeat("s", 20), nil}},
		{"HS256 small cap", claimWrite{"sub", strings.Repeat("s", 200), fastjwt.ErrTooLarge}},
		{"ES256", claimWrite{"sub", "alice", nil}},
		{"ES256", claimWrite{"sub", 42, fastjwt.ErrClaimType}},
	} {
		m, err := session.New(codecs[c.codec](), session.Config{Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		if err, _ := write(t, m, c.w, false); !errors.Is(err, c.w.want) {
			t.Errorf("%s: Set(%q, %v): %v, want %v", c.codec, c.w.name, c.w.value, err, c.w.want)
		}
	}
}

// Set and Save of registered claims sign nothing and leave the codec's verified-token cache as
// it was: only the commit signs, once.
func TestRegisteredClaimWritesSignNothing(t *testing.T) {
	for cname, mk := range claimCodecs(t) {
		c := &countingCodec{Codec: mk()}
		m, err := session.New(c, session.Config{Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		signs, stats := c.signs.Load(), c.CacheStats()
		s := acquire(t, m, "")
		for _, w := range claimWrites() {
			_ = s.Set(w.name, w.value)
			_ = session.Encode(s, map[string]any{w.name: w.value})
		}
		if err := session.Encode(s, map[string]any{"sub": "alice", "iss": "me", "nbf": t0.Unix()}); err != nil {
			t.Fatal(err)
		}
		if got := c.signs.Load() - signs; got != 0 {
			t.Errorf("%s: the writes signed %d tokens", cname, got)
		}
		if got := c.CacheStats(); got != stats {
			t.Errorf("%s: the writes changed the verified-token cache's counts: %+v, then %+v", cname, stats, got)
		}
		h := http.Header{}
		if err := s.Commit(context.Background(), header(h)); err != nil {
			t.Fatal(err)
		}
		m.Release(s)
		if got := c.signs.Load() - signs; got != 1 {
			t.Errorf("%s: the commit signed %d tokens, want 1", cname, got)
		}
		tok, _, _ := strings.Cut(strings.TrimPrefix(h.Get("Set-Cookie"), session.DefaultCookieName+"="), ";")
		s = acquire(t, m, tok)
		if v, _ := s.String("sub"); v != "alice" || s.IsNew() {
			t.Errorf("%s: the issued session does not hold the written claims: %q, %v", cname, v, s.InvalidReason())
		}
		m.Release(s)
	}
}
