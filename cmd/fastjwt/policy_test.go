package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// The verify policy flags: --accept-any-audience (fastjwt.AcceptAnyAudience) and
// --reject-future-iat (fastjwt.RejectFutureIssuedAt), and the codec rules the CLI passes on:
// the RFC 7519 audience rule, key material refused as a secret, NumericDates out of range.

const policyKey = "policy-test-key-0123456789abcdefghij"

// policyToken signs payload with policyKey, by the library (independently of the CLI's sign).
func policyToken(t *testing.T, payload string) string {
	t.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(policyKey)}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.AppendSign(nil, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// policyVerify runs `fastjwt verify --key policyKey args...` on one token and returns the exit
// status and the verdict: "valid", or the sentinel name of the error.
func policyVerify(t *testing.T, tok string, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"verify", "--key", policyKey}, args...), strings.NewReader(tok+"\n"), &out, &errOut)
	if code == exitUsage {
		return code, "usage: " + errOut.String()
	}
	var l struct {
		Valid bool   `json:"valid"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if l.Valid {
		return code, "valid"
	}
	name, _, _ := strings.Cut(l.Error, ":")
	return code, name
}

func TestVerifyAudienceRule(t *testing.T) {
	withAud := policyToken(t, `{"sub":"u","aud":["api","web"]}`)
	noAud := policyToken(t, `{"sub":"u"}`)
	for _, tc := range []struct {
		name string
		tok  string
		args []string
		want string
	}{
		{"aud present, none configured", withAud, nil, "ErrAudience"},
		{"aud present, --accept-any-audience", withAud, []string{"--accept-any-audience"}, "valid"},
		{"aud present, --aud matches", withAud, []string{"--aud", "web"}, "valid"},
		{"aud present, --aud differs", withAud, []string{"--aud", "admin"}, "ErrAudience"},
		{"--aud differs, --accept-any-audience changes nothing", withAud, []string{"--aud", "admin", "--accept-any-audience"}, "ErrAudience"},
		{"aud absent, none configured", noAud, nil, "valid"},
		{"aud absent, --accept-any-audience", noAud, []string{"--accept-any-audience"}, "valid"},
		{"aud absent, --aud", noAud, []string{"--aud", "api"}, "ErrAudience"},
		{"aud empty array", policyToken(t, `{"aud":[]}`), nil, "ErrAudience"},
		{"aud of the wrong type", rawToken(`{"aud":7}`), []string{"--accept-any-audience"}, "ErrClaimType"},
	} {
		code, got := policyVerify(t, tc.tok, tc.args...)
		wantCode := exitInvalid
		if tc.want == "valid" {
			wantCode = exitOK
		}
		if got != tc.want || code != wantCode {
			t.Errorf("%s: exit %d, %s; want exit %d, %s", tc.name, code, got, wantCode, tc.want)
		}
	}
}

func TestVerifyRejectFutureIssuedAt(t *testing.T) {
	future := policyToken(t, `{"iat":1700000010}`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--now", "1700000000"}, "valid"}, // off by default
		{[]string{"--now", "1700000000", "--reject-future-iat"}, "ErrNotYetValid"},
		{[]string{"--now", "1700000009.999999999", "--reject-future-iat"}, "ErrNotYetValid"},
		{[]string{"--now", "1700000010", "--reject-future-iat"}, "valid"},
		{[]string{"--now", "1700000000", "--leeway", "10s", "--reject-future-iat"}, "valid"},
		{[]string{"--now", "1700000000", "--leeway", "9s", "--reject-future-iat"}, "ErrNotYetValid"},
	} {
		if _, got := policyVerify(t, future, tc.args...); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.args, got, tc.want)
		}
	}
	var out, errOut bytes.Buffer
	run([]string{"verify", "--key", policyKey, "--now", "1700000000", "--reject-future-iat"}, strings.NewReader(future+"\n"), &out, &errOut)
	if !strings.Contains(out.String(), `"iat\" is in the future`) {
		t.Errorf("message: %s", out.String())
	}
}

// Out-of-range NumericDates are a claim type error, not a far-future date.
func TestVerifyNumericDateRange(t *testing.T) {
	for _, claim := range []string{"exp", "nbf", "iat"} {
		for _, v := range []string{"1e400", "1e30", "-1e30"} {
			if _, got := policyVerify(t, signedWith(t, claim, v)); got != "ErrClaimType" {
				t.Errorf("%s %s: %s, want ErrClaimType", claim, v, got)
			}
		}
	}
}

// signedWith returns a token whose payload has claim: v. The codec refuses to sign such a payload
// (it would not verify it), so the token is built by hand.
func signedWith(t *testing.T, claim, v string) string {
	t.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(policyKey)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendSign(nil, []byte(`{"`+claim+`":`+v+`}`)); err == nil {
		t.Fatalf("the codec signed %s: %s", claim, v)
	}
	return rawToken(`{"` + claim + `":` + v + `}`)
}

// rawToken signs payload with policyKey by crypto/hmac, whatever the payload.
func rawToken(payload string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, []byte(policyKey))
	m.Write([]byte(input))
	return input + "." + enc.EncodeToString(m.Sum(nil))
}

// Asymmetric key material given as the secret is a key error: exit status 2, before any input is
// read, and the message does not echo the key.
func TestVerifyRefusesKeyMaterial(t *testing.T) {
	dir := t.TempDir()
	for name, key := range map[string]string{
		"pem":     "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\nq9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n",
		"openssh": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICTCogvmkWnlxx8nTl02KXefhphXhWqF7XzwzmbObdur test@example\n",
		"jwk":     `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(key), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := run([]string{"verify", "--key-file", path}, strings.NewReader(policyToken(t, `{}`)+"\n"), &out, &errOut)
		if code != exitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "not an HMAC secret") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out.String(), errOut.String())
		}
		if strings.Contains(errOut.String(), "AAAAC3NzaC1lZDI1NTE5") || strings.Contains(errOut.String(), "MFkwEwYHKoZIzj0CAQYI") ||
			strings.Contains(errOut.String(), "f83OJ3D2xF1Bg8vub9tLe1gHM") {
			t.Errorf("%s: the message echoes the key: %q", name, errOut.String())
		}
	}
}

// Both flags are in verify's help, and in the package documentation's usage.
func TestVerifyPolicyFlagsDocumented(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"help", "verify"}, strings.NewReader(""), &out, &errOut); code != exitOK {
		t.Fatalf("help verify: exit %d, %s", code, errOut.String())
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--accept-any-audience", "--reject-future-iat"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("help verify does not list %s", flag)
		}
		if !strings.Contains(string(doc), flag) {
			t.Errorf("doc.go does not document %s", flag)
		}
	}
}
