package fastjwt_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// OpenSSH public keys (generated with ssh-keygen for this test; public, and used nowhere else).
const (
	sshEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICTCogvmkWnlxx8nTl02KXefhphXhWqF7XzwzmbObdur test@example"
	sshECDSA   = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIMIRrX3f91U6ce9RkDdZb9yR3chg4FMB/x/CbwagfwOsrOC8d1WI4s8AbXxc/sF6JF3SKelmlH9wuFbXyvg6h8= test@example"
	sshBlob    = "AAAAB3NzaC1yc2EAAAADAQABAAABgQDE11+wqITQXk8+LvWFaj9zjODSdjSRWaN/OpfL4kKK8jHmAVcaUL9XiRUyoPJBDgzrqOs"
)

// pemBlocks returns PEM encodings of asymmetric keys and a certificate, made here.
func pemBlocks(t *testing.T) map[string]string {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024) // a test key: its size is irrelevant
	if err != nil {
		t.Fatal(err)
	}
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(edPriv)
	enc := func(typ string, b []byte) string { return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})) }
	return map[string]string{
		"PUBLIC KEY":          enc("PUBLIC KEY", pub),
		"CERTIFICATE":         enc("CERTIFICATE", cert),
		"RSA PRIVATE KEY":     enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)),
		"RSA PUBLIC KEY":      enc("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)),
		"PRIVATE KEY":         enc("PRIVATE KEY", pkcs8),
		"OPENSSH PRIVATE KEY": enc("OPENSSH PRIVATE KEY", []byte("openssh-key-v1\x00none\x00none\x00\x00\x00\x00\x01 and more")),
		"SSH2 PUBLIC KEY":     "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"256-bit ED25519\"\nAAAAC3NzaC1lZDI1NTE5AAAAICTCogvmkWnlxx8nTl02KXefhphXhWqF7XzwzmbObdur\n---- END SSH2 PUBLIC KEY ----\n",
	}
}

// The key material rule: asymmetric keys and certificates are refused as HMAC secrets, in every
// usual form, behind leading whitespace too, also with AllowShortKeys and as a ring's later key;
// the error is ErrKey, says what was recognised, and never contains the secret.
func TestNewHS256RefusesKeyMaterial(t *testing.T) {
	refused := map[string]string{}
	for name, block := range pemBlocks(t) {
		refused["PEM "+name] = block
		refused["PEM "+name+" after whitespace"] = " \t\r\n\n" + block
		refused["PEM "+name+" after a BOM"] = "\ufeff" + block
		refused["PEM "+name+" after text"] = "key for the staging server:\n" + block
	}
	for name, line := range map[string]string{
		"ssh-ed25519":             sshEd25519,
		"ecdsa-sha2-nistp256":     sshECDSA,
		"ssh-rsa":                 "ssh-rsa " + sshBlob + " user@host",
		"ssh-dss":                 "ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7",
		"ecdsa nistp384":          "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBJq7YpM",
		"ecdsa nistp521":          "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAG",
		"sk-ssh-ed25519":          "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAI",
		"sk-ecdsa":                "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3Blbn",
		"certificate":             "ecdsa-sha2-nistp256-cert-v01@openssh.com AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAg",
		"tab separated":           "ssh-ed25519\tAAAAC3NzaC1lZDI1NTE5AAAAICTCogvmkWnlxx8nTl02KXefhphXhWqF7XzwzmbObdur",
		"no blob":                 "ssh-ed25519 this-is-not-base64-but-the-line-says-what-it-is",
		"leading newlines":        "\n\n  " + sshEd25519 + "\n",
		"authorized_keys options": `from="10.0.0.1",no-pty ` + sshEd25519,
		"second line":             "# deploy key\n" + sshEd25519,
	} {
		refused["OpenSSH "+name] = line
	}
	for name, jwk := range map[string]string{
		"RSA":              `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}`,
		"EC":               `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`,
		"OKP":              `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
		"EC after spaces":  "  \n" + `{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`,
		"kty not a string": `{"kty":7,"k":"GawgguFyGrWKav7AX4VKUg-padding-to-32-bytes"}`,
		"kty OCT":          `{"kty":"OCT","k":"GawgguFyGrWKav7AX4VKUg-padding-to-32-bytes"}`,
		"JWK Set":          `{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
	} {
		refused["JWK "+name] = jwk
	}
	for name, secret := range refused {
		for _, opts := range [][]fastjwt.Option{nil, {fastjwt.AllowShortKeys()}} {
			for _, keys := range [][]fastjwt.Key{
				{{Secret: []byte(secret)}},
				{{ID: "a", Secret: secretA}, {ID: "b", Secret: []byte(secret)}},
			} {
				c, err := fastjwt.NewHS256(keys, opts...)
				if !errors.Is(err, fastjwt.ErrKey) || c != nil {
					t.Errorf("%s: codec %v, error %v; want ErrKey", name, c, err)
					continue
				}
				msg := err.Error()
				if !strings.Contains(msg, "asymmetric key material is not an HMAC secret") {
					t.Errorf("%s: unclear error %q", name, msg)
				}
				for _, field := range strings.Fields(secret) {
					if len(field) >= 8 && strings.Contains(msg, field) {
						t.Errorf("%s: error %q echoes the key (%q)", name, msg, field)
					}
				}
			}
		}
	}
	for kind, secret := range map[string]string{"PEM": refused["PEM PUBLIC KEY"],
		"OpenSSH": sshEd25519, "JWK": refused["JWK EC"]} {
		_, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(secret)}})
		if err == nil || !strings.Contains(err.Error(), kind) {
			t.Errorf("%s: error %v does not name the form", kind, err)
		}
	}
}

// Secrets that only resemble key material are HMAC secrets like any other.
func TestNewHS256AcceptsNonKeyMaterial(t *testing.T) {
	random := make([]byte, 64)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{
		"random bytes":                    string(random),
		"type name without a separator":   "ssh-ed25519-is-a-fine-name-for-a-secret-0123",
		"type name later, no blob":        "my old ssh-rsa passphrase was 0123456789abcdef",
		"PEM-like dashes without BEGIN":   "-----END OF THE SECRET 0123456789abcdefghijklmn-----",
		"BEGIN without the dashes":        "BEGIN PUBLIC KEY 0123456789abcdefghijklmnopqrst",
		"JWK oct":                         `{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg","alg":"HS256"}`,
		"JSON without kty":                `{"secret":"0123456789abcdefghijklmnopqrstuvwxyz"}`,
		"JWK Set of oct keys":             `{"keys":[{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"}]}`,
		"not JSON after a brace":          `{kty:RSA} 0123456789abcdefghijklmnopqrstuvwxyz`,
		"base64 of a secret":              "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQ",
		"ssh blob alone, no type":         sshBlob,
		"type name after another on line": "rsa ssh-rsa-ish 0123456789abcdefghijklmnopqrstuvwxyz",
	} {
		if _, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(secret)}}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
