package fastjwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"unicode/utf8"
)

// Keys in PEM (RFC 7468), the form key files and certificates come in: SubjectPublicKeyInfo
// ("PUBLIC KEY", RFC 5280), PKCS #1 ("RSA PUBLIC KEY", "RSA PRIVATE KEY", RFC 8017 appendix A.1),
// PKCS #8 ("PRIVATE KEY", RFC 5208), SEC 1 ("EC PRIVATE KEY", RFC 5915) and X.509 certificates
// ("CERTIFICATE"), parsed by crypto/x509. A PEM key does not say which algorithm it is for (an
// RSA key serves RS256 and PS256 alike), so the caller names it: it is never taken from a token.
//
// Text around the blocks is ignored (openssl writes a key's description before it), and so is
// an "EC PARAMETERS" block before an EC key (openssl ecparam -genkey writes one). Anything else
// is refused with ErrKey and a message that says what was found: no block, a private key where
// a public key is expected or the reverse, an encrypted key, a second key. A certificate is
// used for its public key only: it may be followed by the rest of its chain, which is not read,
// and nothing about it is validated (dates, issuer, usage): trusting the file is the caller's
// decision, as for a bare key.

// MaxKeyFileSize caps the PEM and JWK texts the parsers of this package read: 1 MiB. It bounds
// the work an oversized or hostile key file or JWK Set can cause.
const MaxKeyFileSize = 1 << 20

var (
	errPEMTooLarge  = errorf(ErrKey, "key text larger than 1 MiB")
	errPEMNone      = errorf(ErrKey, "no PEM block (-----BEGIN ...-----) found")
	errPEMEncrypted = errorf(ErrKey, "the PEM key is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)")
	errPEMSecond    = errorf(ErrKey, "more than one key in the PEM text: give one key per file")
	errNoAlg        = errorf(ErrKey, "no algorithm: a PEM key does not say which one it is for (RS256, PS256, ES256 or EdDSA)")
	errKeyIDUTF8    = errorf(ErrKey, "key ID is not valid UTF-8")
)

// ParsePublicKeyPEM parses the public key or certificate in the PEM text data and binds it to
// alg and the key ID id, checked as NewVerifier checks its keys (an RSA key of 2048 to 4096 bits
// for RS256 and PS256, a P-256 key for ES256, an Ed25519 key for EdDSA). Accepted blocks: "PUBLIC
// KEY" (SubjectPublicKeyInfo), "RSA PUBLIC KEY" (PKCS #1) and "CERTIFICATE" (its subject's
// key). A private key is refused: a verifier should not hold one. Errors match ErrKey.
func ParsePublicKeyPEM(data []byte, alg Alg, id string) (PublicKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return PublicKey{}, err
	}
	var pub any
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return PublicKey{}, fmt.Errorf("%w: a private key (%s) where a public key is expected: give its public key "+
			"(openssl pkey -in KEY -pubout)", ErrKey, block.Type)
	default:
		return PublicKey{}, fmt.Errorf("%w: a PEM block %q is not a public key or a certificate", ErrKey, limitText(block.Type))
	}
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: the %s block does not parse: %v", ErrKey, block.Type, err)
	}
	return bindPublic(pub, alg, id)
}

// ParsePrivateKeyPEM parses the private key in the PEM text data and binds it to alg and the key
// ID id, checked as NewSigner checks its key. Accepted blocks: "PRIVATE KEY" (PKCS #8: RSA, ECDSA
// or Ed25519), "RSA PRIVATE KEY" (PKCS #1) and "EC PRIVATE KEY" (SEC 1). Encrypted keys, OpenSSH
// keys and public keys are refused. Errors match ErrKey.
func ParsePrivateKeyPEM(data []byte, alg Alg, id string) (PrivateKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return PrivateKey{}, err
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return PrivateKey{}, errPEMEncrypted
	case "OPENSSH PRIVATE KEY":
		return PrivateKey{}, errorf(ErrKey, "an OpenSSH private key: convert it to PKCS #8 (ssh-keygen -p -m PKCS8 -f KEY)")
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return PrivateKey{}, fmt.Errorf("%w: a public key (%s) where a private key is expected", ErrKey, block.Type)
	default:
		return PrivateKey{}, fmt.Errorf("%w: a PEM block %q is not a private key", ErrKey, limitText(block.Type))
	}
	if err != nil {
		return PrivateKey{}, fmt.Errorf("%w: the %s block does not parse: %v", ErrKey, block.Type, err)
	}
	return bindPrivate(key, alg, id)
}

// bindPublic checks pub against alg and returns it as a PublicKey.
func bindPublic(pub any, alg Alg, id string) (PublicKey, error) {
	if alg == 0 {
		return PublicKey{}, errNoAlg
	}
	if !utf8.ValidString(id) {
		return PublicKey{}, errKeyIDUTF8
	}
	if _, err := newSigKey(alg, pub); err != nil {
		return PublicKey{}, err
	}
	return PublicKey{ID: id, Alg: alg, Key: pub}, nil
}

// bindPrivate checks that key is a private key of alg's kind and returns it as a PrivateKey.
func bindPrivate(key any, alg Alg, id string) (PrivateKey, error) {
	if alg == 0 {
		return PrivateKey{}, errNoAlg
	}
	if !utf8.ValidString(id) {
		return PrivateKey{}, errKeyIDUTF8
	}
	var signer crypto.Signer
	switch k := key.(type) {
	case *rsa.PrivateKey:
		signer = k
	case *ecdsa.PrivateKey:
		signer = k
	case ed25519.PrivateKey:
		signer = k
	default:
		return PrivateKey{}, fmt.Errorf("%w: %T is not a private key this package signs with", ErrKey, key)
	}
	if _, err := newSigKey(alg, signer.Public()); err != nil {
		return PrivateKey{}, err
	}
	return PrivateKey{ID: id, Alg: alg, Key: signer}, nil
}

// onePEMBlock returns the PEM block of data that holds a key: the first one, after an "EC
// PARAMETERS" block if there is one. Only certificates may follow it (a certificate's chain).
func onePEMBlock(data []byte) (*pem.Block, error) {
	if len(data) > MaxKeyFileSize {
		return nil, errPEMTooLarge
	}
	block, rest := pem.Decode(data)
	if block != nil && block.Type == "EC PARAMETERS" {
		block, rest = pem.Decode(rest)
	}
	if block == nil {
		return nil, errPEMNone
	}
	if _, ok := block.Headers["Proc-Type"]; ok { // RFC 1421 encryption: "4,ENCRYPTED"
		return nil, errPEMEncrypted
	}
	for {
		next, more := pem.Decode(rest)
		if next == nil {
			break
		}
		if block.Type != "CERTIFICATE" || next.Type != "CERTIFICATE" {
			return nil, errPEMSecond
		}
		rest = more
	}
	if bytes.Contains(rest, []byte("-----BEGIN ")) {
		return nil, errorf(ErrKey, "a PEM block that does not parse follows the key")
	}
	return block, nil
}

// limitText shortens a text from a key file for an error message.
func limitText(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
