package fastjwt_test

import (
	"bytes"
	"crypto"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// Every PEM form of every test key parses to the key, bound to the algorithm given.
func TestParsePEM(t *testing.T) {
	for _, tc := range []struct {
		file string
		alg  fastjwt.Alg
		priv string // the private key the file's key belongs to
	}{
		{"rsa2048.pub.pem", fastjwt.RS256, "rsa2048.pkcs8.pem"},
		{"rsa2048.pkcs1.pub.pem", fastjwt.PS256, "rsa2048.pkcs8.pem"},
		{"rsa2048.cert.pem", fastjwt.RS256, "rsa2048.pkcs8.pem"},
		{"rsa3072.pub.pem", fastjwt.RS256, "rsa3072.pkcs8.pem"},
		{"rsa4096.pkcs1.pub.pem", fastjwt.PS256, "rsa4096.pkcs8.pem"},
		{"p256.pub.pem", fastjwt.ES256, "p256.pkcs8.pem"},
		{"p256.cert.pem", fastjwt.ES256, "p256.sec1.pem"},
		{"ed25519.pub.pem", fastjwt.EdDSA, "ed25519.pkcs8.pem"},
		{"ed25519.cert.pem", fastjwt.EdDSA, "ed25519.pkcs8.pem"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			pub, err := fastjwt.ParsePublicKeyPEM(testPEM(t, tc.file), tc.alg, "kid-1")
			if err != nil {
				t.Fatal(err)
			}
			want := testKey(t, tc.priv).(crypto.Signer).Public()
			if pub.ID != "kid-1" || pub.Alg != tc.alg || !want.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub.Key) {
				t.Fatalf("%+v", pub)
			}
			priv, err := fastjwt.ParsePrivateKeyPEM(testPEM(t, tc.priv), tc.alg, "kid-1")
			if err != nil {
				t.Fatal(err)
			}
			// What the private key signs, the public key verifies.
			signer := mustSigner(t, priv, clockTestNow())
			verifier, err := fastjwt.NewVerifier([]fastjwt.PublicKey{pub}, clockTestNow())
			if err != nil {
				t.Fatal(err)
			}
			tok, err := signer.AppendSign(nil, []byte(asymPayload))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := verifier.AppendVerify(nil, tok); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, file := range []string{"rsa2048.pkcs1.pem", "rsa4096.pkcs8.pem", "p256.sec1.pem", "p256.pkcs8.pem", "ed25519.pkcs8.pem"} {
		alg := map[byte]fastjwt.Alg{'r': fastjwt.RS256, 'p': fastjwt.ES256, 'e': fastjwt.EdDSA}[file[0]]
		if _, err := fastjwt.ParsePrivateKeyPEM(testPEM(t, file), alg, ""); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// What is not one usable key of the algorithm given is refused with ErrKey, and the message
// says what was found.
func TestParsePEMRefuses(t *testing.T) {
	rsaPub := testPEM(t, "rsa2048.pub.pem")
	rsaPriv := testPEM(t, "rsa2048.pkcs1.pem")
	cert := testPEM(t, "rsa2048.cert.pem")
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   []byte("not really encrypted")})
	for _, tc := range []struct {
		name    string
		data    []byte
		alg     fastjwt.Alg
		private bool
		msg     string
	}{
		{"no PEM", []byte("hello"), fastjwt.RS256, false, "no PEM block"},
		{"empty", nil, fastjwt.RS256, true, "no PEM block"},
		{"a private key as public", rsaPriv, fastjwt.RS256, false, "a private key"},
		{"a PKCS8 private key as public", testPEM(t, "p256.pkcs8.pem"), fastjwt.ES256, false, "a private key"},
		{"a public key as private", rsaPub, fastjwt.RS256, true, "a public key"},
		{"a certificate as private", cert, fastjwt.RS256, true, "a public key"},
		{"no algorithm", rsaPub, 0, false, "no algorithm"},
		{"no algorithm, private", rsaPriv, 0, true, "no algorithm"},
		{"RSA 1024", testPEM(t, "rsa1024.pub.pem"), fastjwt.RS256, false, "1024 bits"},
		{"RSA 1024 private", testPEM(t, "rsa1024.pkcs1.pem"), fastjwt.PS256, true, "1024 bits"},
		{"P-384", testPEM(t, "p384.pub.pem"), fastjwt.ES256, false, "P-384"},
		{"P-384 private", testPEM(t, "p384.sec1.pem"), fastjwt.ES256, true, "P-384"},
		{"RSA for ES256", rsaPub, fastjwt.ES256, false, "ES256 needs"},
		{"Ed25519 for RS256", testPEM(t, "ed25519.pkcs8.pem"), fastjwt.RS256, true, "RS256 needs"},
		{"HS256", rsaPub, fastjwt.HS256, false, "NewHS256"},
		{"encrypted, RFC 1421", encrypted, fastjwt.RS256, true, "encrypted"},
		{"encrypted, PKCS8", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), fastjwt.RS256, true, "encrypted"},
		{"OpenSSH", pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: []byte{1}}), fastjwt.EdDSA, true, "OpenSSH"},
		{"two keys", append(append([]byte(nil), rsaPub...), testPEM(t, "p256.pub.pem")...), fastjwt.RS256, false, "more than one key"},
		{"a key and a certificate", append(append([]byte(nil), rsaPub...), cert...), fastjwt.RS256, false, "more than one key"},
		{"a certificate and a key", append(append([]byte(nil), cert...), rsaPub...), fastjwt.RS256, false, "more than one key"},
		{"a broken block after the key", append(append([]byte(nil), rsaPub...), "-----BEGIN PUBLIC KEY-----\nAAA"...), fastjwt.RS256, false, "does not parse"},
		{"a block of another type", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{1}}), fastjwt.RS256, false, "not a public key"},
		{"garbage in a PUBLIC KEY block", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}), fastjwt.RS256, false, "does not parse"},
		{"garbage in a PRIVATE KEY block", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), fastjwt.RS256, true, "does not parse"},
		{"over 1 MiB", append(bytes.Repeat([]byte(" "), fastjwt.MaxKeyFileSize), rsaPub...), fastjwt.RS256, false, "larger than 1 MiB"},
		{"invalid UTF-8 ID", rsaPub, fastjwt.RS256, false, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "k"
			if tc.name == "invalid UTF-8 ID" {
				id = "\xff"
			}
			var err error
			if tc.private {
				_, err = fastjwt.ParsePrivateKeyPEM(tc.data, tc.alg, id)
			} else {
				_, err = fastjwt.ParsePublicKeyPEM(tc.data, tc.alg, id)
			}
			if !errors.Is(err, fastjwt.ErrKey) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want ErrKey saying %q", err, tc.msg)
			}
		})
	}
}

// Text around the key, an EC PARAMETERS block before it, and a certificate's chain after it are
// what key files hold; they are accepted.
func TestParsePEMAccepts(t *testing.T) {
	cert := testPEM(t, "rsa2048.cert.pem")
	chain := append(append(append([]byte("subject=CN=rsa2048 test\n"), cert...), "issuer=CN=ca\n"...), testPEM(t, "p256.cert.pem")...)
	if _, err := fastjwt.ParsePublicKeyPEM(chain, fastjwt.RS256, ""); err != nil {
		t.Errorf("certificate chain: %v", err)
	}
	described := append([]byte("Private-Key: (256 bit)\npriv: ...\n"), testPEM(t, "p256.sec1.pem")...)
	params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}})
	for name, data := range map[string][]byte{
		"text before":   described,
		"EC PARAMETERS": append(params, testPEM(t, "p256.sec1.pem")...),
		"CRLF":          bytes.ReplaceAll(testPEM(t, "p256.sec1.pem"), []byte("\n"), []byte("\r\n")),
	} {
		if _, err := fastjwt.ParsePrivateKeyPEM(data, fastjwt.ES256, ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
