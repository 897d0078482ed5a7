package fastjwt_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// Test keys, from testdata/keys (see the README there).

var keyFiles sync.Map // file name -> parsed key

// testKey returns the key in testdata/keys/name: a private key for "*.pkcs1.pem", "*.pkcs8.pem"
// and "*.sec1.pem", a public key otherwise.
func testKey(tb testing.TB, name string) any {
	tb.Helper()
	if k, ok := keyFiles.Load(name); ok {
		return k
	}
	data, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatalf("%s: no PEM block", name)
	}
	var k any
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY":
		k, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		k, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		c, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			k = c.PublicKey
		}
	default:
		tb.Fatalf("%s: PEM type %q", name, block.Type)
	}
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	keyFiles.Store(name, k)
	return k
}

// testPEM returns the bytes of testdata/keys/name.
func testPEM(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// signingKey returns the private key of file bound to alg, with id.
func signingKey(tb testing.TB, file string, alg fastjwt.Alg, id string) fastjwt.PrivateKey {
	tb.Helper()
	return fastjwt.PrivateKey{ID: id, Alg: alg, Key: testKey(tb, file).(crypto.Signer)}
}

// asymCase is one algorithm with a key for it.
type asymCase struct {
	name string
	alg  fastjwt.Alg
	file string // the private key
}

var asymCases = []asymCase{
	{"RS256-2048", fastjwt.RS256, "rsa2048.pkcs8.pem"},
	{"RS256-3072", fastjwt.RS256, "rsa3072.pkcs1.pem"},
	{"RS256-4096", fastjwt.RS256, "rsa4096.pkcs8.pem"},
	{"PS256-2048", fastjwt.PS256, "rsa2048.pkcs1.pem"},
	{"PS256-4096", fastjwt.PS256, "rsa4096.pkcs1.pem"},
	{"ES256", fastjwt.ES256, "p256.sec1.pem"},
	{"EdDSA", fastjwt.EdDSA, "ed25519.pkcs8.pem"},
}

// pair returns a signer of the case's key and a verifier holding only its public key.
func (ac asymCase) pair(tb testing.TB, id string, opts ...fastjwt.Option) (signer, verifier *fastjwt.Codec) {
	tb.Helper()
	priv := signingKey(tb, ac.file, ac.alg, id)
	signer, err := fastjwt.NewSigner(priv, nil, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	verifier, err = fastjwt.NewVerifier([]fastjwt.PublicKey{priv.Public()}, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return signer, verifier
}
