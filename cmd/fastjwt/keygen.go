package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fastjwt/session/fastjwt"
)

// keygenSecretSize is the number of random bytes of an HS256 secret: 256 bits, the size of the
// HMAC-SHA-256 output (RFC 7518 sec. 3.2 requires at least that).
const keygenSecretSize = 32

// runKeygen writes a new key in the forms sign, verify, jwks and the gateway read: for HS256 a
// secret (base64 text of 32 random bytes, as 'head -c 32 /dev/urandom | base64' makes), for the
// other algorithms a PKCS #8 PEM private key and, with --out, its SubjectPublicKeyInfo PEM public
// key beside it.
func runKeygen(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("keygen")
	algName := fs.String("alg", "HS256", "the algorithm `ALG` of the key: HS256 (a secret), RS256, PS256 (RSA), ES256 (EC P-256)\nor EdDSA (Ed25519)")
	out := fs.String("out", "", "write the key to the file at `PATH` (mode 0600), and for a key pair the public key\nto PATH.pub; an existing file is never overwritten. Default: the secret or the\nprivate key on standard output")
	bits := fs.Int("bits", 2048, "with --alg RS256 or PS256: the size of the RSA key in `BITS`, 2048, 3072 or 4096")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := setFlags(fs)
	alg, err := fastjwt.ParseAlg(*algName)
	if err != nil {
		return usageError(stderr, "keygen", "--alg: %q is not one of HS256, RS256, PS256, ES256, EdDSA (names are case-sensitive)", *algName)
	}
	isRSA := alg == fastjwt.RS256 || alg == fastjwt.PS256
	switch {
	case set["bits"] && !isRSA:
		return usageError(stderr, "keygen", "--bits applies to RSA keys only (--alg RS256 or PS256)")
	case *bits != 2048 && *bits != 3072 && *bits != 4096:
		return usageError(stderr, "keygen", "--bits: %d: want 2048, 3072 or 4096", *bits)
	case set["out"] && *out == "":
		return usageError(stderr, "keygen", "--out: needs the path of a file")
	}
	private, public, err := newKey(alg, *bits)
	if err != nil {
		return usageError(stderr, "keygen", "%v", err)
	}
	if !set["out"] {
		if _, err := stdout.Write(private); err != nil {
			return usageError(stderr, "keygen", "%v", err)
		}
		return exitOK
	}
	if err := writeNew(*out, private, 0o600); err != nil {
		return usageError(stderr, "keygen", "--out: %v", err)
	}
	if public == nil {
		fmt.Fprintf(stderr, "fastjwt keygen: wrote the HS256 secret to %s (give it as --key-file %s)\n", *out, *out)
		return exitOK
	}
	if err := writeNew(*out+".pub", public, 0o644); err != nil {
		os.Remove(*out) // a private key without its public key is half a result
		return usageError(stderr, "keygen", "--out: %v", err)
	}
	fmt.Fprintf(stderr, "fastjwt keygen: wrote the %v private key to %s (sign --alg %v --key-file %s) and its public key to %s.pub (verify --alg %v --key-file %s.pub)\n",
		alg, *out, alg, *out, *out, alg, *out)
	return exitOK
}

// newKey makes a key of alg: the secret or the PEM private key, and the PEM public key (nil for
// HS256). Each is read back as the commands read it before it is returned.
func newKey(alg fastjwt.Alg, bits int) (private, public []byte, err error) {
	if alg == fastjwt.HS256 {
		raw := make([]byte, keygenSecretSize)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		text := base64.StdEncoding.EncodeToString(raw)
		if _, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(text)}}); err != nil {
			return nil, nil, err
		}
		return []byte(text + "\n"), nil, nil
	}
	var key any
	switch alg {
	case fastjwt.RS256, fastjwt.PS256:
		key, err = rsa.GenerateKey(rand.Reader, bits)
	case fastjwt.ES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case fastjwt.EdDSA:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, nil, fmt.Errorf("--alg: no key generation for %v", alg)
	}
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	private = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	priv, err := fastjwt.ParsePrivateKeyPEM(private, alg, "")
	if err != nil {
		return nil, nil, fmt.Errorf("the new key does not read back: %v", err)
	}
	der, err = x509.MarshalPKIXPublicKey(priv.Public().Key)
	if err != nil {
		return nil, nil, err
	}
	public = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if _, err := fastjwt.ParsePublicKeyPEM(public, alg, ""); err != nil {
		return nil, nil, fmt.Errorf("the new public key does not read back: %v", err)
	}
	return private, public, nil
}

// writeNew writes data to a file that must not exist yet, with mode perm.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists already: keygen never overwrites a key", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
