package fastjwt_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

func Example() {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithIssuer("auth.example.com"),
		fastjwt.WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	if err != nil {
		panic(err)
	}
	token, err := codec.AppendSign(nil, []byte(`{"iss":"auth.example.com","sub":"42","exp":1700003600}`))
	if err != nil {
		panic(err)
	}
	payload, err := codec.AppendVerify(nil, token)
	fmt.Println(string(payload), err)
	// Output: {"iss":"auth.example.com","sub":"42","exp":1700003600} <nil>
}

// A server keeps one buffer per worker and verifies into it: nothing is allocated per token.
func ExampleCodec_AppendVerify() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}})
	token, _ := codec.AppendSign(nil, []byte(`{"sub":"42"}`))

	buf := make([]byte, 0, 1024)
	buf, err := codec.AppendVerify(buf[:0], token)
	fmt.Println(string(buf), err)

	// Tamper with the signature: another valid base64url character in the middle.
	if token[len(token)-10] == 'A' {
		token[len(token)-10] = 'B'
	} else {
		token[len(token)-10] = 'A'
	}
	_, err = codec.AppendVerify(buf[:0], token)
	fmt.Println(errors.Is(err, fastjwt.ErrSignature), err)
	// Output:
	// {"sub":"42"} <nil>
	// true signature invalid: MAC does not match
}

func ExampleCodec_AppendVerifyClaims() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithAudience("api"))
	token, _ := codec.AppendSign(nil, []byte(`{"sub":"42","aud":["web","api"],"exp":4102444800}`))

	var claims fastjwt.Claims
	if _, err := codec.AppendVerifyClaims(nil, token, &claims); err != nil {
		panic(err)
	}
	exp, _ := claims.Expires()
	fmt.Println(claims.Subject(), claims.HasAudience("api"), exp.UTC().Year())
	// Output: 42 true 2100
}

// Rotation: the new key signs, the old one still verifies until its tokens expire.
func ExampleNewHS256_rotation() {
	oldKey := fastjwt.Key{ID: "2025", Secret: []byte("the old 32-byte or longer secret!")}
	newKey := fastjwt.Key{ID: "2026", Secret: []byte("the new 32-byte or longer secret!")}
	before, _ := fastjwt.NewHS256([]fastjwt.Key{oldKey})
	oldToken, _ := before.AppendSign(nil, []byte(`{"sub":"42"}`))

	after, _ := fastjwt.NewHS256([]fastjwt.Key{newKey, oldKey})
	var claims fastjwt.Claims
	_, err := after.AppendVerifyClaims(nil, oldToken, &claims)
	fmt.Println(err, "signed by an old key:", claims.KeyIndex() > 0)
	// Output: <nil> signed by an old key: true
}

func ExampleDecode() {
	type Claims struct {
		Subject string   `json:"sub"`
		Roles   []string `json:"roles"`
		Expires int64    `json:"exp"`
	}
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}})
	token, _ := fastjwt.Encode(codec, nil, Claims{Subject: "42", Roles: []string{"admin"}, Expires: 4102444800})

	var c Claims
	err := fastjwt.Decode(codec, token, &c)
	fmt.Println(c.Subject, c.Roles, err)
	// Output: 42 [admin] <nil>
}

// Explicit typing (RFC 8725 sec. 3.11): a session cookie and an access token signed with one
// secret say what they are for, and the layer that reads them accepts only its own type.
func ExampleCodec_AppendSignType() {
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}})
	session, _ := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"sub":"42"}`))
	access, _ := codec.AppendSignType(nil, fastjwt.TypeAccess, []byte(`{"sub":"42"}`))

	acceptSession := func(token []byte) error {
		var claims fastjwt.Claims
		if _, err := codec.AppendVerifyClaims(nil, token, &claims); err != nil {
			return err
		}
		if claims.Type() != fastjwt.TypeSession {
			return fmt.Errorf("a %q token is not a session", claims.Type())
		}
		return nil
	}
	fmt.Println(acceptSession(session))
	fmt.Println(acceptSession(access))
	// Output:
	// <nil>
	// a "at+jwt" token is not a session
}

// An issuer signs with its private key; a federated service verifies with the public key only.
func ExampleNewSigner() {
	seed := make([]byte, ed25519.SeedSize) // in real life: a key from a file (ParsePrivateKeyPEM)
	priv := ed25519.NewKeyFromSeed(seed)
	issuer, err := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "2026-01", Alg: fastjwt.EdDSA, Key: priv}, nil)
	if err != nil {
		panic(err)
	}
	token, _ := issuer.AppendSign(nil, []byte(`{"sub":"42"}`))

	service, err := fastjwt.NewVerifier([]fastjwt.PublicKey{{ID: "2026-01", Alg: fastjwt.EdDSA, Key: priv.Public()}})
	if err != nil {
		panic(err)
	}
	payload, err := service.AppendVerify(nil, token)
	fmt.Println(string(payload), err)
	_, err = service.AppendSign(nil, []byte(`{"sub":"42"}`))
	fmt.Println(err)
	// Output:
	// {"sub":"42"} <nil>
	// invalid key: the codec has no signing key (NewVerifier): it only verifies
}

// The header never chooses the algorithm: a token whose "alg" is not the algorithm of the key
// it names is refused, whatever its signature.
func ExampleNewVerifier() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	issuer, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "ec-1", Alg: fastjwt.ES256, Key: priv}, nil)
	token, _ := issuer.AppendSign(nil, []byte(`{"sub":"42"}`))

	service, _ := fastjwt.NewVerifier([]fastjwt.PublicKey{{ID: "ec-1", Alg: fastjwt.ES256, Key: &priv.PublicKey}})
	_, err := service.AppendVerify(nil, token)
	fmt.Println(err)

	// The same key ID with "alg":"HS256", MACed with the public key's bytes: the classic
	// algorithm confusion.
	point, _ := priv.PublicKey.Bytes()
	forger, _ := fastjwt.NewHS256([]fastjwt.Key{{ID: "ec-1", Secret: point}}, fastjwt.AllowShortKeys())
	forged, _ := forger.AppendSign(nil, []byte(`{"sub":"admin"}`))
	_, err = service.AppendVerify(nil, forged)
	fmt.Println(err)
	// Output:
	// <nil>
	// algorithm not allowed: "alg" is not the algorithm of any key of the codec
}

func ExampleParseAlg() {
	for _, name := range []string{"ES256", "es256", "none"} {
		if alg, err := fastjwt.ParseAlg(name); err != nil {
			fmt.Println(err)
		} else {
			fmt.Println(alg)
		}
	}
	// Output:
	// ES256
	// algorithm not allowed: "es256" is not one of HS256, RS256, PS256, ES256, EdDSA
	// algorithm not allowed: "none" is not one of HS256, RS256, PS256, ES256, EdDSA
}

// An issuer's key pair from PEM files (here inline; this one's seed is all zeros: never use it).
func ExampleParsePrivateKeyPEM() {
	privPEM := []byte(`-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
-----END PRIVATE KEY-----`)
	pubPEM := []byte(`-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAO2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=
-----END PUBLIC KEY-----`)
	// A PEM key does not say which algorithm it is for: the configuration does.
	priv, err := fastjwt.ParsePrivateKeyPEM(privPEM, fastjwt.EdDSA, "2026-01")
	if err != nil {
		panic(err)
	}
	pub, err := fastjwt.ParsePublicKeyPEM(pubPEM, fastjwt.EdDSA, "2026-01")
	if err != nil {
		panic(err)
	}
	issuer, _ := fastjwt.NewSigner(priv, nil)
	service, _ := fastjwt.NewVerifier([]fastjwt.PublicKey{pub})
	token, _ := issuer.AppendSign(nil, []byte(`{"sub":"42"}`))
	payload, err := service.AppendVerify(nil, token)
	fmt.Println(string(payload), err)

	_, err = fastjwt.ParsePublicKeyPEM(privPEM, fastjwt.EdDSA, "")
	fmt.Println(err)
	// Output:
	// {"sub":"42"} <nil>
	// invalid key: a private key (PRIVATE KEY) where a public key is expected: give its public key (openssl pkey -in KEY -pubout)
}

// An issuer publishes the public keys of its ring as a JWK Set, at /.well-known/jwks.json.
func ExampleAppendJWKSet() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // never use this key
	issuer, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "2026-01", Alg: fastjwt.EdDSA, Key: priv}, nil)
	jwks, err := fastjwt.AppendJWKSet(nil, issuer.PublicKeys())
	fmt.Println(string(jwks), err)
	// Output:
	// {"keys":[{"kty":"OKP","kid":"2026-01","use":"sig","alg":"EdDSA","crv":"Ed25519","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}]} <nil>
}

// A federated service verifies with the keys of its issuer's JWK Set: each key gets the
// algorithm of its "alg" (or the one its type implies); keys for encryption are skipped.
func ExampleParseJWKSet() {
	jwks := []byte(`{"keys":[
		{"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"},
		{"kty":"OKP","kid":"2026-01","crv":"Ed25519","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}
	]}`)
	keys, err := fastjwt.ParseJWKSet(jwks, fastjwt.JWKOnSkip(func(i int, err error) {
		fmt.Println("skipped key", i, "-", err)
	}))
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.Alg)
	}
	service, err := fastjwt.NewVerifier(keys)
	fmt.Println(service != nil, err)
	// Output:
	// skipped key 0 - invalid key: "use" is "enc": the key is not for signatures
	// 2026-01 EdDSA
	// true <nil>
}

// One JWK, as an issuer's documentation gives it: without "alg", an EC P-256 key gets ES256.
func ExampleParseJWK() {
	key, err := fastjwt.ParseJWK([]byte(`{"kty":"EC","crv":"P-256","kid":"rfc7515-a3",` +
		`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`))
	fmt.Println(key.ID, key.Alg, err)

	_, err = fastjwt.ParseJWK([]byte(`{"kty":"EC","crv":"P-256","use":"enc",` +
		`"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`))
	fmt.Println(err)
	// Output:
	// rfc7515-a3 ES256 <nil>
	// invalid key: "use" is "enc": the key is not for signatures
}

// A codec reports the leeway it allows on "exp", which a revocation list's grace must cover;
// LeewayOf gives it for options a codec will be built with later.
func ExampleCodec_Leeway() {
	c, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithLeeway(30*time.Second))
	fmt.Println(c.Leeway(), fastjwt.LeewayOf(fastjwt.WithLeeway(time.Minute)), fastjwt.LeewayOf())
	// Output: 30s 1m0s 0s
}
