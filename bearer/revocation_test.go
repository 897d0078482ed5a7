package bearer_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
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
