package bearer_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// signHeader signs an HS256 token with the given header JSON, as another issuer may write it.
func signHeader(header, payload string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// A token of another purpose is 401 invalid_token whatever its audience, whether the verifier
// checks the audience (WithAudience) or the Bearer does (Config.Audience); 403 stays for an
// access token of another audience.
func TestPurposeBeforeAudience(t *testing.T) {
	withAud, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithAudience("api"))
	anyAud, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.AcceptAnyAudience())
	plain, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	byVerifier, _ := bearer.New(withAud, bearer.Config{})
	byConfig, _ := bearer.New(anyAud, bearer.Config{Audience: "api"})
	unwanted, _ := bearer.New(plain, bearer.Config{})
	sessions, _ := bearer.New(withAud, bearer.Config{Types: []fastjwt.Type{fastjwt.TypeSession}})
	sign := func(typ fastjwt.Type, payload string) string {
		tok, err := plain.AppendSignType(nil, typ, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	const purpose = `Bearer realm="api", error="invalid_token", error_description="the token is not valid for this purpose"`
	const scope = `Bearer realm="api", error="insufficient_scope", error_description="the token is not valid for this audience"`
	for _, tc := range []struct {
		name      string
		b         *bearer.Bearer
		token     string
		status    int
		challenge string
		reason    bearer.Reason
	}{
		{"verifier, session without aud", byVerifier, sign(fastjwt.TypeSession, `{"sub":"a"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"verifier, session for another aud", byVerifier, sign(fastjwt.TypeSession, `{"aud":"other"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"verifier, other type for another aud", byVerifier, signHeader(`{"alg":"HS256","typ":"refresh+jwt"}`, `{"aud":["x"]}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"verifier, session for the aud", byVerifier, sign(fastjwt.TypeSession, `{"aud":"api"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"verifier, access token for another aud", byVerifier, sign(fastjwt.TypeAccess, `{"aud":"other"}`), 403, scope, bearer.ReasonWrongAudience},
		{"verifier, JWT without aud", byVerifier, sign(fastjwt.TypeJWT, `{}`), 403, scope, bearer.ReasonWrongAudience},
		{"verifier, access token for the aud", byVerifier, sign(fastjwt.TypeAccess, `{"aud":"api"}`), 0, "", bearer.ReasonNone},
		{"verifier accepting sessions, session for another aud", sessions, sign(fastjwt.TypeSession, `{"aud":"other"}`), 403, scope, bearer.ReasonWrongAudience},
		{"verifier accepting sessions, JWT for another aud", sessions, sign(fastjwt.TypeJWT, `{"aud":"other"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"config, session without aud", byConfig, sign(fastjwt.TypeSession, `{"sub":"a"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"config, session for another aud", byConfig, sign(fastjwt.TypeSession, `{"aud":"other"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"config, JWT for another aud", byConfig, sign(fastjwt.TypeJWT, `{"aud":"other"}`), 403, scope, bearer.ReasonWrongAudience},
		{"no audience configured, session with aud", unwanted, sign(fastjwt.TypeSession, `{"aud":"api"}`), 401, purpose, bearer.ReasonWrongPurpose},
		{"no audience configured, JWT with aud", unwanted, sign(fastjwt.TypeJWT, `{"aud":"api"}`), 403, scope, bearer.ReasonWrongAudience},
	} {
		tk := tc.b.Acquire()
		aerr := tc.b.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {"Bearer " + tc.token}}))
		switch {
		case tc.status == 0 && aerr != nil:
			t.Errorf("%s: %v", tc.name, aerr)
		case tc.status != 0 && (aerr == nil || aerr.Status != tc.status || string(aerr.Challenge()) != tc.challenge):
			t.Errorf("%s: %v %s, want %d %s", tc.name, aerr, aerr.Challenge(), tc.status, tc.challenge)
		case aerr.Reason() != tc.reason:
			t.Errorf("%s: reason %v, want %v", tc.name, aerr.Reason(), tc.reason)
		case tc.reason == bearer.ReasonWrongPurpose && !errors.Is(aerr, bearer.ErrPurpose):
			t.Errorf("%s: cause %v, want ErrPurpose", tc.name, aerr.Err)
		}
		tc.b.Release(tk)
	}
}

// failingList is a revocation list that cannot answer.
type failingList struct{ revoke.List }

func (failingList) Revoked(context.Context, *fastjwt.Claims) (bool, error) {
	return false, errors.New("connection refused")
}

// Every refusal has its reason, read from the cause without allocating; a request let through
// by FailOpen goes to OnError, not OnInvalid.
func TestReasons(t *testing.T) {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithIssuer("iss"), fastjwt.AcceptAnyAudience(), fastjwt.WithMaxTokenSize(2048))
	other, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("another secret of 32 bytes......")}})
	kids, _ := fastjwt.NewHS256([]fastjwt.Key{{ID: "k1", Secret: secret}})
	list := revoke.NewMemory(revoke.MemoryOptions{})
	if err := list.RevokeToken(context.Background(), "gone", timeIn(3600)); err != nil {
		t.Fatal(err)
	}
	var invalid, opened []error
	b, _ := bearer.New(codec, bearer.Config{Audience: "api", RequiredClaims: []string{"tenant"}, Revocations: list,
		OnInvalid: func(err error) { invalid = append(invalid, err) }, OnError: func(err error) { opened = append(opened, err) }})
	down, _ := bearer.New(codec, bearer.Config{Revocations: failingList{}})
	open, _ := bearer.New(codec, bearer.Config{Revocations: failingList{}, FailOpen: true,
		OnInvalid: func(err error) { invalid = append(invalid, err) }, OnError: func(err error) { opened = append(opened, err) }})
	sign := func(c *fastjwt.Codec, claims string) string {
		tok, err := c.AppendSign(nil, []byte(`{"iss":"iss","aud":"api","tenant":"t"`+claims+`}`))
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + string(tok)
	}
	kb, _ := bearer.New(kids, bearer.Config{})
	hs384 := signHeader(`{"alg":"HS384"}`, `{}`)
	for _, tc := range []struct {
		b      *bearer.Bearer
		auth   []string
		reason bearer.Reason
		name   string
	}{
		{b, nil, bearer.ReasonNoToken, "no_token"},
		{b, []string{sign(codec, ""), sign(codec, "")}, bearer.ReasonAmbiguous, "ambiguous"},
		{b, []string{"Bearer not.a.token"}, bearer.ReasonMalformed, "malformed"},
		{b, []string{"Bearer " + string(make([]byte, 3000))}, bearer.ReasonTooLarge, "too_large"},
		{b, []string{"Bearer " + hs384}, bearer.ReasonBadAlgorithm, "bad_algorithm"},
		{kb, []string{"Bearer " + signHeader(`{"alg":"HS256","kid":"nope"}`, `{}`)}, bearer.ReasonUnknownKey, "unknown_key"},
		{b, []string{sign(other, "")}, bearer.ReasonBadSignature, "bad_signature"},
		{b, []string{sign(codec, `,"exp":1`)}, bearer.ReasonExpired, "expired"},
		{b, []string{sign(codec, `,"nbf":4102444800`)}, bearer.ReasonNotYetValid, "not_yet_valid"},
		{b, []string{"Bearer " + mustSign(t, codec, `{"iss":"x"}`)}, bearer.ReasonWrongIssuer, "wrong_issuer"},
		{b, []string{"Bearer " + mustSignType(t, codec, fastjwt.TypeSession, `{"iss":"iss"}`)}, bearer.ReasonWrongPurpose, "wrong_purpose"},
		{b, []string{"Bearer " + mustSign(t, codec, `{"iss":"iss","aud":"x","tenant":"t"}`)}, bearer.ReasonWrongAudience, "wrong_audience"},
		{b, []string{"Bearer " + mustSign(t, codec, `{"iss":"iss","aud":"api"}`)}, bearer.ReasonMissingClaim, "missing_claim"},
		{b, []string{sign(codec, `,"jti":"gone"`)}, bearer.ReasonRevoked, "revoked"},
		{down, []string{sign(codec, "")}, bearer.ReasonUnavailable, "unavailable"},
		{b, []string{sign(codec, "")}, bearer.ReasonNone, "none"},
	} {
		h := http.Header{}
		for _, a := range tc.auth {
			h.Add("Authorization", a)
		}
		tk := tc.b.Acquire()
		aerr := tc.b.Authenticate(context.Background(), tk, newRequest(h))
		if got := aerr.Reason(); got != tc.reason || got.String() != tc.name {
			t.Errorf("%s: reason %v (%v)", tc.name, got, aerr)
		}
		if aerr != nil {
			if n := testing.AllocsPerRun(50, func() { _ = aerr.Reason() }); n != 0 {
				t.Errorf("%s: Reason allocates %v", tc.name, n)
			}
		}
		tc.b.Release(tk)
	}
	if len(opened) != 0 {
		t.Errorf("OnError heard refusals: %v", opened)
	}
	invalid = nil
	tk := open.Acquire()
	if aerr := open.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {sign(codec, "")}})); aerr != nil {
		t.Fatalf("FailOpen: %v", aerr)
	}
	open.Release(tk)
	if len(opened) != 1 || !errors.Is(opened[0], revoke.ErrUnavailable) || len(invalid) != 0 {
		t.Errorf("FailOpen: OnError %v, OnInvalid %v; want one ErrUnavailable to OnError only", opened, invalid)
	}
	if s := bearer.Reason(200).String(); s != "invalid" {
		t.Errorf("Reason(200) = %q", s)
	}
}

func timeIn(seconds int) time.Time { return time.Now().Add(time.Duration(seconds) * time.Second) }

func mustSign(t *testing.T, c *fastjwt.Codec, payload string) string {
	return mustSignType(t, c, fastjwt.TypeJWT, payload)
}

func mustSignType(t *testing.T, c *fastjwt.Codec, typ fastjwt.Type, payload string) string {
	t.Helper()
	tok, err := c.AppendSignType(nil, typ, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}
