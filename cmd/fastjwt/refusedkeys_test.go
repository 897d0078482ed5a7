package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The key forms refused by design (testdata/refused/README.md) are refused with the reason and
// the fix, by sign, verify and jwks alike, never with a bare parser error.
func TestRefusedKeyForms(t *testing.T) {
	refused := func(name string) string { return filepath.Join("testdata", "refused", name) }
	const (
		explicit = "an EC key with explicit curve parameters, or on a curve other than P-256: only keys that name their curve are read (RFC 5480 sec. 2.1.1)"
		fix      = "openssl ec -in KEY -param_enc named_curve"
		dsa      = "a DSA key: JWS has no DSA algorithm (RFC 7518 sec. 3.1); use an RSA, EC P-256 or Ed25519 key"
		openssh  = "an OpenSSH public key, which is not read: give the key as PEM (ssh-keygen -e -m PKCS8 -f KEY.pub for RSA and ECDSA keys) or as a JWK"
		sshPriv  = "an OpenSSH private key: convert it to PKCS #8"
	)
	for _, tc := range []struct {
		cmd, alg, file string
		want           []string
	}{
		{"sign", "ES256", "ec-explicit.pem", []string{explicit, fix}},
		{"verify", "ES256", "ec-explicit.pub.pem", []string{explicit, fix}},
		{"jwks", "ES256", "ec-explicit.pub.pem", []string{explicit, fix}},
		{"sign", "RS256", "dsa.pem", []string{dsa}},
		{"verify", "RS256", "dsa.pub.pem", []string{dsa}},
		{"verify", "ES256", "dsa.pub.pem", []string{dsa}},
		{"jwks", "RS256", "dsa.pub.pem", []string{dsa}},
		{"verify", "EdDSA", "ed25519.openssh.pub", []string{openssh}},
		{"verify", "ES256", "p256.openssh.pub", []string{openssh}},
		{"sign", "EdDSA", "ed25519.openssh.pub", []string{openssh}},
		{"sign", "EdDSA", "ed25519.openssh", []string{sshPriv}},
	} {
		code, out, errOut := cli(t, "{}\n", tc.cmd, "--alg", tc.alg, "--key-file", refused(tc.file))
		if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "fastjwt "+tc.cmd+": --key-file: ") {
			t.Errorf("%s %s: exit %d, stdout %q, stderr %q", tc.cmd, tc.file, code, out, errOut)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s %s: %q does not say %q", tc.cmd, tc.file, errOut, w)
			}
		}
	}
}
