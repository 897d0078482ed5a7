package fastjwt

import (
	"bytes"
	"encoding/json"
)

// The key material rule: an HMAC secret that is in fact asymmetric key material is refused at
// NewHS256. A verifier configured with a public key as its HS256 secret (a certificate, an
// ssh-ed25519 line, an RSA JWK: all of them published) accepts any token MACed with that key, by
// anyone; this is the algorithm confusion of PyJWT's GHSA-ffqj-6fqr-9h24 (CVE-2022-29217), and
// the check follows PyJWT's fix (is_pem_format, is_ssh_key), extended to JWKs. Refused:
//
//   - a PEM or RFC 4716 block anywhere in the secret: "-----BEGIN " (PUBLIC KEY, CERTIFICATE,
//     RSA PRIVATE KEY, OPENSSH PRIVATE KEY, ...) or "---- BEGIN " (SSH2 PUBLIC KEY);
//   - an OpenSSH public key: the secret's first field is an OpenSSH key type (ssh-rsa, ssh-dss,
//     ssh-ed25519, ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com,
//     sk-ecdsa-sha2-nistp256@openssh.com, or a *-cert-v01@openssh.com certificate type) followed
//     by a space or tab; or such a type appears later as a field followed by its base64 blob
//     ("AAAA..."), as in an authorized_keys line with options;
//   - a JSON object with a "kty" member other than the string "oct" (a JWK of an asymmetric key,
//     RFC 7517 sec. 4.1), or a JWK Set (RFC 7517 sec. 5) holding one.
//
// Leading whitespace (and a UTF-8 byte order mark) does not hide the material. The error says
// which form was recognised and never contains the secret.

var (
	errKeyPEM = errorf(ErrKey, "secret is a PEM block (a key or certificate): asymmetric key material is not an HMAC secret")
	errKeySSH = errorf(ErrKey, "secret is an OpenSSH public key: asymmetric key material is not an HMAC secret")
	errKeyJWK = errorf(ErrKey, `secret is a JWK whose "kty" is not "oct": asymmetric key material is not an HMAC secret`)
)

// sshKeyTypes are the OpenSSH public key algorithm names (RFC 4253 sec. 6.6, RFC 5656, RFC 8709,
// OpenSSH's PROTOCOL.u2f).
var sshKeyTypes = []string{
	"ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448",
	"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
	"sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
}

// sshCertSuffix ends the names of OpenSSH certificate types ("ssh-ed25519-cert-v01@openssh.com").
const sshCertSuffix = "-cert-v01@openssh.com"

// checkKeyMaterial returns an ErrKey error if secret is asymmetric key material.
func checkKeyMaterial(secret []byte) error {
	if bytes.Contains(secret, []byte("-----BEGIN ")) || bytes.Contains(secret, []byte("---- BEGIN ")) {
		return errKeyPEM
	}
	s := bytes.TrimPrefix(bytes.TrimLeft(secret, asciiSpace), []byte("\xef\xbb\xbf"))
	s = bytes.TrimLeft(s, asciiSpace)
	if isSSHPublicKey(s) {
		return errKeySSH
	}
	if len(s) > 0 && s[0] == '{' && isAsymmetricJWK(s) {
		return errKeyJWK
	}
	return nil
}

const asciiSpace = " \t\n\v\f\r"

// isSSHPublicKey reports whether s (without leading whitespace) holds an OpenSSH public key.
func isSSHPublicKey(s []byte) bool {
	for i := 0; i < len(s); {
		end := i + bytes.IndexAny(s[i:], asciiSpace)
		if end < i {
			end = len(s)
		}
		if isSSHKeyType(s[i:end]) && end < len(s) && (s[end] == ' ' || s[end] == '\t') {
			if i == 0 {
				return true // the first field: an OpenSSH public key line
			}
			// A later field: a key type followed by the blob, whose length prefix encodes as AAAA.
			if bytes.HasPrefix(bytes.TrimLeft(s[end:], " \t"), []byte("AAAA")) {
				return true
			}
		}
		i = end
		for i < len(s) && bytes.IndexByte([]byte(asciiSpace), s[i]) >= 0 {
			i++
		}
	}
	return false
}

func isSSHKeyType(field []byte) bool {
	if len(field) > len(sshCertSuffix) && bytes.HasSuffix(field, []byte(sshCertSuffix)) {
		return true
	}
	for _, t := range sshKeyTypes {
		if string(field) == t {
			return true
		}
	}
	return false
}

// isAsymmetricJWK reports whether s is a JSON object with a "kty" other than "oct", or a JWK Set
// whose "keys" hold one.
func isAsymmetricJWK(s []byte) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(s, &obj) != nil {
		return false // not JSON: an odd secret, but not a JWK
	}
	if kty, ok := obj["kty"]; ok {
		var name string
		return json.Unmarshal(kty, &name) != nil || name != "oct"
	}
	var keys []json.RawMessage
	if json.Unmarshal(obj["keys"], &keys) != nil {
		return false
	}
	for _, k := range keys {
		if isAsymmetricJWK(k) {
			return true
		}
	}
	return false
}
