package bench

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"

	cristal "github.com/cristalhq/jwt/v5"
	"github.com/fastjwt/session/fastjwt"
	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
)

// The asymmetric workload: the same claims as the HS256 one (workload_test.go), signed by this
// codec with RS256 and PS256 (a 2048-bit RSA key), ES256 (P-256) and EdDSA (Ed25519), the test
// keys of package fastjwt (fastjwt/testdata/keys). Every contender verifies that same token with
// the public key, as a federated service or a gateway does with an identity provider's tokens.

// asymAlg is one algorithm of the asymmetric workload.
type asymAlg struct {
	name    string
	alg     fastjwt.Alg
	keyFile string
	gjwt    gjwt.SigningMethod
	jwx     func() jwa.SignatureAlgorithm
	jose    jose.SignatureAlgorithm
	cristal cristal.Algorithm

	once  sync.Once
	priv  crypto.Signer
	tok   []byte
	floor func(tok []byte, buf []byte) ([]byte, error) // the floor, see asymFloor
}

var asymAlgs = []*asymAlg{
	{name: "RS256", alg: fastjwt.RS256, keyFile: "rsa2048.pkcs8.pem", gjwt: gjwt.SigningMethodRS256, jwx: jwa.RS256, jose: jose.RS256, cristal: cristal.RS256},
	{name: "PS256", alg: fastjwt.PS256, keyFile: "rsa2048.pkcs8.pem", gjwt: gjwt.SigningMethodPS256, jwx: jwa.PS256, jose: jose.PS256, cristal: cristal.PS256},
	{name: "ES256", alg: fastjwt.ES256, keyFile: "p256.pkcs8.pem", gjwt: gjwt.SigningMethodES256, jwx: jwa.ES256, jose: jose.ES256, cristal: cristal.ES256},
	{name: "EdDSA", alg: fastjwt.EdDSA, keyFile: "ed25519.pkcs8.pem", gjwt: gjwt.SigningMethodEdDSA, jwx: jwa.EdDSA, jose: jose.EdDSA, cristal: cristal.EdDSA},
}

// load reads the key and signs the workload's token, once.
func (a *asymAlg) load() {
	a.once.Do(func() {
		data, err := os.ReadFile(filepath.Join("..", "fastjwt", "testdata", "keys", a.keyFile))
		if err != nil {
			panic(err)
		}
		priv, err := fastjwt.ParsePrivateKeyPEM(data, a.alg, "")
		if err != nil {
			panic(err)
		}
		a.priv = priv.Key
		s, err := fastjwt.NewSigner(priv, nil)
		if err != nil {
			panic(err)
		}
		if a.tok, err = s.AppendSign(nil, payloadJSON); err != nil {
			panic(err)
		}
		a.floor = asymFloor(a.alg, a.priv.Public())
	})
}

func (a *asymAlg) public() fastjwt.PublicKey {
	a.load()
	return fastjwt.PublicKey{Alg: a.alg, Key: a.priv.Public()}
}

// asymCodec returns a verifier of a's public key, configured as a server would (issuer and
// audience checked), with extra options after those.
func (a *asymAlg) codec(extra ...fastjwt.Option) *fastjwt.Codec {
	opts := append([]fastjwt.Option{fastjwt.WithIssuer(issuer), fastjwt.WithAudience(audience)}, extra...)
	c, err := fastjwt.NewVerifier([]fastjwt.PublicKey{a.public()}, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

var errAsymFloor = errors.New("floor: bad token")

// asymFloor returns the floor of an asymmetric verify: what any verify that returns the payload
// cannot avoid with the standard library's primitives: the signature decoded from base64url,
// SHA-256 of the signing input (Ed25519 hashes inside its verify), the primitive the issue names
// (rsa.VerifyPKCS1v15, rsa.VerifyPSS, ecdsa.Verify with R and S as big integers, ed25519.Verify),
// and the payload decoded from base64url. It checks no header, parses no JSON, reads no clock.
func asymFloor(alg fastjwt.Alg, pub crypto.PublicKey) func(tok, buf []byte) ([]byte, error) {
	pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	var sig [512]byte
	return func(tok, buf []byte) ([]byte, error) {
		d1 := bytes.IndexByte(tok, '.')
		d2 := bytes.LastIndexByte(tok, '.')
		if d1 < 0 || d2 <= d1 {
			return nil, errAsymFloor
		}
		n, err := base64.RawURLEncoding.Decode(sig[:], tok[d2+1:])
		if err != nil {
			return nil, errAsymFloor
		}
		s := sig[:n]
		input := tok[:d2]
		ok := false
		switch alg {
		case fastjwt.RS256:
			digest := sha256.Sum256(input)
			ok = rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], s) == nil
		case fastjwt.PS256:
			digest := sha256.Sum256(input)
			ok = rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], s, pss) == nil
		case fastjwt.ES256:
			digest := sha256.Sum256(input)
			ok = n == 64 && ecdsa.Verify(pub.(*ecdsa.PublicKey), digest[:], new(big.Int).SetBytes(s[:32]), new(big.Int).SetBytes(s[32:]))
		case fastjwt.EdDSA:
			ok = ed25519.Verify(pub.(ed25519.PublicKey), input, s)
		}
		if !ok {
			return nil, errAsymFloor
		}
		n, err = base64.RawURLEncoding.Decode(buf[:cap(buf)], tok[d1+1:d2])
		if err != nil {
			return nil, errAsymFloor
		}
		return buf[:n], nil
	}
}

// asymContender is one library verifying a's token with the public key.
type asymContender struct {
	name     string
	verifier func(a *asymAlg, tok []byte) (verify, check func() error)
}

// asymContenders lists them in the order the report shows them. "fastjwt" verifies the same
// token again and again, so its verified-token cache answers without the signature check (a
// client sends the same token with every request); "fastjwt-nocache" pays the signature check on
// every call, as every other library does.
var asymContenders = []asymContender{
	{"fastjwt", func(a *asymAlg, tok []byte) (verify, check func() error) { return fastjwtAppendVerify(a.codec(), tok) }},
	{"fastjwt-nocache", func(a *asymAlg, tok []byte) (verify, check func() error) {
		return fastjwtAppendVerify(a.codec(fastjwt.WithVerifyCache(0)), tok)
	}},
	{"golang-jwt", golangJWTAsym},
	{"cristalhq", cristalHQAsym},
	{"lestrrat-jwx", lestrratJWXAsym},
	{"go-jose", goJoseAsym},
	{"floor", func(a *asymAlg, tok []byte) (verify, check func() error) {
		buf := make([]byte, 0, 512)
		var out []byte
		verify = func() error {
			var err error
			out, err = a.floor(tok, buf)
			return err
		}
		check = func() error {
			if !bytes.Equal(out, payloadJSON) {
				return fmt.Errorf("floor: payload %q", out)
			}
			return nil
		}
		return verify, check
	}},
}

func golangJWTAsym(a *asymAlg, tok []byte) (verify, check func() error) {
	p := gjwt.NewParser(gjwt.WithValidMethods([]string{a.name}))
	pub := a.priv.Public()
	keyFunc := func(*gjwt.Token) (any, error) { return pub, nil }
	s := string(tok)
	var v golangJWTClaims
	verify = func() error {
		v = golangJWTClaims{}
		_, err := p.ParseWithClaims(s, &v, keyFunc)
		return err
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func cristalHQAsym(a *asymAlg, tok []byte) (verify, check func() error) {
	var ver cristal.Verifier
	var err error
	switch pub := a.priv.Public().(type) {
	case *rsa.PublicKey:
		if a.alg == fastjwt.PS256 {
			ver, err = cristal.NewVerifierPS(a.cristal, pub)
		} else {
			ver, err = cristal.NewVerifierRS(a.cristal, pub)
		}
	case *ecdsa.PublicKey:
		ver, err = cristal.NewVerifierES(a.cristal, pub)
	case ed25519.PublicKey:
		ver, err = cristal.NewVerifierEdDSA(pub)
	}
	if err != nil {
		panic(err)
	}
	var v cristalClaims
	verify = func() error {
		v = cristalClaims{}
		if err := cristal.ParseClaims(tok, ver, &v); err != nil {
			return err
		}
		if !v.IsValidAt(time.Now()) {
			return errors.New("cristalhq: claims not valid now")
		}
		return nil
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func lestrratJWXAsym(a *asymAlg, tok []byte) (verify, check func() error) {
	opt := jwxjwt.WithKey(a.jwx(), a.priv.Public())
	var t jwxjwt.Token
	verify = func() error {
		var err error
		t, err = jwxjwt.Parse(tok, opt)
		return err
	}
	check = func() error {
		sub, _ := t.Subject()
		var name string
		var roles []any
		var counter float64
		if err := t.Get("name", &name); err != nil {
			return err
		}
		if err := t.Get("roles", &roles); err != nil {
			return err
		}
		if err := t.Get("counter", &counter); err != nil {
			return err
		}
		var rs []string
		for _, r := range roles {
			s, _ := r.(string)
			rs = append(rs, s)
		}
		return checkClaims(sub, name, rs, int(counter))
	}
	return verify, check
}

func goJoseAsym(a *asymAlg, tok []byte) (verify, check func() error) {
	s := string(tok)
	algs := []jose.SignatureAlgorithm{a.jose}
	pub := a.priv.Public()
	var v joseClaims
	verify = func() error {
		t, err := josejwt.ParseSigned(s, algs)
		if err != nil {
			return err
		}
		v = joseClaims{}
		if err := t.Claims(pub, &v); err != nil {
			return err
		}
		return v.Claims.ValidateWithLeeway(josejwt.Expected{Time: time.Now()}, 0)
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}
