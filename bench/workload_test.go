package bench

import (
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The one workload every contender runs: HS256, a 32-byte secret, and about 200 bytes of claims
// (registered ones plus a name, a flag, a roles array and a counter). The token is signed once
// here and every library verifies that same token and signs the same claims.

var secret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes, the size of an HS256 MAC

const (
	issuer   = "https://auth.example.com"
	audience = "api.example.com"
	iatUnix  = 1700000000
	expUnix  = 4102444800 // 2100-01-01: far future, so the token stays valid
)

// payloadJSON is the claims as signed; the typed structs below marshal to the same members.
var payloadJSON = []byte(`{"sub":"1234567890","name":"John Doe","admin":true,"iat":1700000000,` +
	`"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com",` +
	`"jti":"3f2c9a1e-7b4d-4e8a-9c1f-2d6b5a8e0f13","roles":["reader","writer","admin"],"counter":42}`)

// Values of the non-registered claims, for checking what each contender decoded.
const (
	wantSub     = "1234567890"
	wantName    = "John Doe"
	wantJTI     = "3f2c9a1e-7b4d-4e8a-9c1f-2d6b5a8e0f13"
	wantCounter = 42
)

var wantRoles = []string{"reader", "writer", "admin"}

// appClaims is the typed form of payloadJSON for fastjwt.Encode and fastjwt.Decode.
type appClaims struct {
	Sub     string   `json:"sub"`
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Iat     int64    `json:"iat"`
	Exp     int64    `json:"exp"`
	Iss     string   `json:"iss"`
	Aud     string   `json:"aud"`
	Jti     string   `json:"jti"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
}

var typedClaims = appClaims{
	Sub: wantSub, Name: wantName, Admin: true, Iat: iatUnix, Exp: expUnix,
	Iss: issuer, Aud: audience, Jti: wantJTI, Roles: wantRoles, Counter: wantCounter,
}

var (
	iatTime = time.Unix(iatUnix, 0)
	expTime = time.Unix(expUnix, 0)
)

// newCodec returns the codec under test, configured as a server would: issuer and audience
// checked on every verify. extra options follow those.
func newCodec(extra ...fastjwt.Option) *fastjwt.Codec {
	opts := append([]fastjwt.Option{fastjwt.WithIssuer(issuer), fastjwt.WithAudience(audience)}, extra...)
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, opts...)
	if err != nil {
		panic(err) // a fixed, valid configuration
	}
	return c
}

// token is the shared token, as bytes and as a string for the libraries that take strings.
var (
	token    = mustSign()
	tokenStr = string(token)
)

func mustSign() []byte {
	t, err := newCodec().AppendSign(nil, payloadJSON)
	if err != nil {
		panic(err)
	}
	return t
}

// tamper returns a copy of tok with one signature character changed, so the MAC cannot match.
func tamper(tok []byte) []byte {
	t := append([]byte(nil), tok...)
	i := len(t) - 5
	if t[i] == 'A' {
		t[i] = 'B'
	} else {
		t[i] = 'A'
	}
	return t
}
