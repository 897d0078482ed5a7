package gateway

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"
)

// The gateway's configuration in every test: an HS256 secret passed through the environment
// (--key-env) and a required audience (--aud).
const (
	keyEnv     = "FASTJWT_E2E_GATEWAY_KEY"
	audience   = "api.example.com"
	cookieName = "session"
)

var (
	secret      = []byte("e2e-gateway-secret-0123456789abcdef-0123456789")
	otherSecret = []byte("another-secret-the-gateway-never-saw-0123456789")
)

// minted records every token the tests made, so that the gateway's logs can be searched for them.
var minted struct {
	mu     sync.Mutex
	tokens []string
}

func mintedTokens() []string {
	minted.mu.Lock()
	defer minted.mu.Unlock()
	return append([]string(nil), minted.tokens...)
}

// sign makes an HS256 JWT of claims with key. It is written here from RFC 7515 rather than taken
// from the library, so that the gateway is checked against an independent encoder.
func sign(key []byte, claims map[string]any) string { return signTyped(key, "JWT", claims) }

// signTyped is sign with the header's "typ" set to typ.
func signTyped(key []byte, typ string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err) // the claims are the tests' own literals
	}
	input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"`+typ+`"}`)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	tok := input + "." + enc.EncodeToString(mac.Sum(nil))
	minted.mu.Lock()
	minted.tokens = append(minted.tokens, tok)
	minted.mu.Unlock()
	return tok
}

// claims returns the claims of a valid token for user alice with role admin, valid for an hour,
// with the changes in set applied (a nil value removes the claim).
func claims(set map[string]any) map[string]any {
	now := time.Now().Unix()
	c := map[string]any{
		"sub":  "alice",
		"role": "admin",
		"aud":  audience,
		"iat":  now,
		"exp":  now + 3600,
	}
	for k, v := range set {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// The tokens of the cases.
func validToken() string    { return sign(secret, claims(nil)) }
func otherKeyToken() string { return sign(otherSecret, claims(nil)) }
func expiredToken() string {
	return sign(secret, claims(map[string]any{"exp": time.Now().Unix() - 120}))
}
func wrongAudToken() string   { return sign(secret, claims(map[string]any{"aud": "other.example.com"})) }
func tokenWithoutSub() string { return sign(secret, claims(map[string]any{"sub": nil})) }

// sessionToken is a session cookie's token (typ "session+jwt") sent as a bearer token, with the
// audience aud (nil: none).
func sessionToken(aud any) string {
	return signTyped(secret, "session+jwt", claims(map[string]any{"aud": aud}))
}
