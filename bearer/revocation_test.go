package bearer_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
	"github.com/fastjwt/session/revoke"
)

// countingList counts the questions it is asked, and answers from a list or with an error.
type countingList struct {
	revoke.List
	down  bool
	asked atomic.Int64
}

func (l *countingList) Revoked(ctx context.Context, cl *fastjwt.Claims) (bool, error) {
	l.asked.Add(1)
	if l.down {
		return false, errors.New("connection refused")
	}
	return l.List.Revoked(ctx, cl)
}

// The revocation list is asked last: a token refused by a local check (signature, times, issuer,
// purpose, audience, a required claim) never reaches it, even when it cannot answer, and gets
// the local verdict, not a 503.
func TestRevocationsAskedLast(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithIssuer("iss"), fastjwt.AcceptAnyAudience())
	other, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("another secret of 32 bytes......")}}, fastjwt.WithIssuer("iss"))
	mem := revoke.NewMemory(revoke.MemoryOptions{})
	ctx := context.Background()
	if err := mem.RevokeToken(ctx, "gone", timeIn(3600)); err != nil {
		t.Fatal(err)
	}
	sign := func(c *fastjwt.Codec, typ fastjwt.Type, payload string) string {
		return "Bearer " + mustSignType(t, c, typ, payload)
	}
	const good = `{"iss":"iss","aud":"api","tenant":"t","jti":"fine"}`
	for _, down := range []bool{false, true} {
		list := &countingList{List: mem, down: down}
		var opened []error
		b, err := bearer.New(codec, bearer.Config{Audience: "api", RequiredClaims: []string{"tenant"}, Revocations: list,
			FailOpen: down, OnError: func(err error) { opened = append(opened, err) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			auth   string
			status int
			reason bearer.Reason
		}{
			{"bad signature", sign(other, fastjwt.TypeJWT, good), 401, bearer.ReasonBadSignature},
			{"expired", sign(codec, fastjwt.TypeJWT, `{"iss":"iss","aud":"api","tenant":"t","exp":1}`), 401, bearer.ReasonExpired},
			{"not yet valid", sign(codec, fastjwt.TypeJWT, `{"iss":"iss","aud":"api","tenant":"t","nbf":4102444800}`), 401, bearer.ReasonNotYetValid},
			{"wrong issuer", sign(codec, fastjwt.TypeJWT, `{"iss":"x","aud":"api","tenant":"t"}`), 401, bearer.ReasonWrongIssuer},
			{"wrong purpose", sign(codec, fastjwt.TypeSession, good), 401, bearer.ReasonWrongPurpose},
			{"wrong audience", sign(codec, fastjwt.TypeJWT, `{"iss":"iss","aud":"x","tenant":"t","jti":"gone"}`), 403, bearer.ReasonWrongAudience},
			{"missing claim", sign(codec, fastjwt.TypeJWT, `{"iss":"iss","aud":"api","jti":"gone"}`), 403, bearer.ReasonMissingClaim},
		} {
			tk := b.Acquire()
			aerr := b.Authenticate(ctx, tk, newRequest(http.Header{"Authorization": {tc.auth}}))
			if aerr == nil || aerr.Status != tc.status || aerr.Reason() != tc.reason {
				t.Errorf("down=%v, %s: %v, want %d %v", down, tc.name, aerr, tc.status, tc.reason)
			}
			b.Release(tk)
			if n := list.asked.Load(); n != 0 {
				t.Fatalf("down=%v, %s: the list was asked %d times", down, tc.name, n)
			}
		}
		// A token that passes every local check is checked, once.
		tk := b.Acquire()
		aerr := b.Authenticate(ctx, tk, newRequest(http.Header{"Authorization": {sign(codec, fastjwt.TypeJWT, good)}}))
		b.Release(tk)
		if aerr != nil || list.asked.Load() != 1 {
			t.Errorf("down=%v, a good token: %v, asked %d times; want nil, once", down, aerr, list.asked.Load())
		}
		if down && (len(opened) != 1 || !errors.Is(opened[0], revoke.ErrUnavailable)) {
			t.Errorf("failing open: OnError heard %v, want one error matching revoke.ErrUnavailable", opened)
		}
		if !down {
			tk = b.Acquire()
			aerr = b.Authenticate(ctx, tk, newRequest(http.Header{"Authorization": {sign(codec, fastjwt.TypeJWT,
				`{"iss":"iss","aud":"api","tenant":"t","jti":"gone"}`)}}))
			if aerr == nil || aerr.Status != 401 || !errors.Is(aerr, revoke.ErrRevoked) ||
				string(aerr.Challenge()) != `Bearer realm="api", error="invalid_token", error_description="the token has been revoked"` {
				t.Errorf("a revoked token: %v %s", aerr, aerr.Challenge())
			}
			b.Release(tk)
		}
	}
	// Failing closed, a list that cannot answer is 503 for a token that passes the local checks.
	list := &countingList{down: true}
	b, _ := bearer.New(codec, bearer.Config{Revocations: list})
	tk := b.Acquire()
	aerr := b.Authenticate(ctx, tk, newRequest(http.Header{"Authorization": {sign(codec, fastjwt.TypeJWT, `{"iss":"iss"}`)}}))
	if aerr == nil || aerr.Status != 503 || !errors.Is(aerr, revoke.ErrUnavailable) || list.asked.Load() != 1 {
		t.Errorf("failing closed: %v, asked %d", aerr, list.asked.Load())
	}
	b.Release(tk)
}

// New refuses a verifier whose leeway is longer than the grace of the revocation list, a codec
// or a JWKS client alike: a revoked token would be accepted again once its entry had gone.
func TestLeewayLongerThanGraceRefused(t *testing.T) {
	codec := func(leeway time.Duration) *fastjwt.Codec {
		c, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithLeeway(leeway))
		return c
	}
	client, err := jwks.New("http://127.0.0.1:1/jwks", jwks.Options{Lazy: true,
		CodecOptions: []fastjwt.Option{fastjwt.WithLeeway(10 * time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	list := revoke.NewMemory(revoke.MemoryOptions{}) // the default grace, 5 minutes
	for _, tc := range []struct {
		name string
		v    fastjwt.Verifier
		l    revoke.List
		want string // "" for nil
	}{
		{"a codec within the grace", codec(revoke.DefaultGrace), list, ""},
		{"a codec past the grace", codec(revoke.DefaultGrace + time.Second), list,
			"bearer: invalid configuration: revoke: the verifier's leeway is longer than the revocation list's grace: a leeway of 5m1s, a grace of 5m0s (give the list a grace of at least the leeway)"},
		{"a JWKS client past the grace", client, list,
			"bearer: invalid configuration: revoke: the verifier's leeway is longer than the revocation list's grace: a leeway of 10m0s, a grace of 5m0s (give the list a grace of at least the leeway)"},
		{"a JWKS client, a list with more grace", client, revoke.NewMemory(revoke.MemoryOptions{Grace: 10 * time.Minute}), ""},
		{"no list", client, nil, ""},
	} {
		_, err := bearer.New(tc.v, bearer.Config{Revocations: tc.l})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, bearer.ErrConfig) || !errors.Is(err, revoke.ErrLeeway)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Through a Bearer: "log out everywhere" at t refuses a token issued a millisecond before t and
// accepts one issued a millisecond after it (a sub-second "iat", as session tokens carry); a
// revoked token stays refused for as long as the codec's leeway accepts it past "exp".
func TestRevocationBoundaries(t *testing.T) {
	t1 := time.Unix(1700000000, 400_000_000)
	var clock atomic.Int64
	clock.Store(t1.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(now), fastjwt.WithLeeway(time.Minute))
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: now, Grace: time.Minute})
	b, err := bearer.New(codec, bearer.Config{Revocations: list})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := list.RevokeSubject(ctx, "alice", t1, t1.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	const exp = 1700003600
	if err := list.RevokeToken(ctx, "gone", time.Unix(exp, 0)); err != nil {
		t.Fatal(err)
	}
	check := func(what, payload string, at time.Time, want bearer.Reason) {
		t.Helper()
		clock.Store(at.UnixNano())
		tk := b.Acquire()
		defer b.Release(tk)
		aerr := b.Authenticate(ctx, tk, newRequest(http.Header{"Authorization": {"Bearer " + mustSign(t, codec, payload)}}))
		switch {
		case want == bearer.ReasonNone && aerr != nil:
			t.Errorf("%s: %v, want accepted", what, aerr)
		case want != bearer.ReasonNone && (aerr == nil || aerr.Reason() != want):
			t.Errorf("%s: %v, want %v", what, aerr, want)
		}
	}
	check("issued a millisecond before the epoch", `{"sub":"alice","iat":1700000000.399,"exp":1700003600}`, t1, bearer.ReasonRevoked)
	check("issued a millisecond after the epoch", `{"sub":"alice","iat":1700000000.401,"exp":1700003600}`, t1, bearer.ReasonNone)
	check("issued at the epoch", `{"sub":"alice","iat":1700000000.4,"exp":1700003600}`, t1, bearer.ReasonNone)
	gone := `{"jti":"gone","exp":1700003600}`
	check("revoked, 30s into the leeway", gone, time.Unix(exp+30, 0), bearer.ReasonRevoked)
	check("revoked, at exp + leeway - 1ns", gone, time.Unix(exp+60, -1), bearer.ReasonRevoked)
	check("revoked, at exp + leeway", gone, time.Unix(exp+60, 0), bearer.ReasonExpired)
	check("not revoked, within the leeway", `{"jti":"fine","exp":1700003600}`, time.Unix(exp+30, 0), bearer.ReasonNone)
}
