package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// The test keys of package fastjwt (fastjwt/testdata/keys/README.md).
func keyPath(name string) string {
	return filepath.Join("..", "..", "fastjwt", "testdata", "keys", name)
}

// writeFile writes data to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// verifyOne runs verify on one token and returns its one output line.
func verifyOne(t *testing.T, tok string, args ...string) line {
	t.Helper()
	code, out, errOut := cli(t, tok+"\n", append([]string{"verify"}, args...)...)
	ls := parseLines(t, out)
	if len(ls) != 1 || errOut != "" || (code == exitOK) != ls[0].Valid {
		t.Fatalf("verify %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
	}
	return ls[0]
}

// jwksOf runs the jwks command and returns its output.
func jwksOf(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, "", append([]string{"jwks"}, args...)...)
	if code != exitOK || errOut != "" || !strings.HasSuffix(out, "}\n") {
		t.Fatalf("jwks %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
	}
	return out
}

const asymClaims = `{"sub":"42","exp":4102444800}`

// Every algorithm, through every key form: a token signed with --alg and a PEM private key (or
// a private JWK) verifies with the PEM public key, the certificate, the JWK, a JWK Set in
// --key-file and --jwks; with the key of another algorithm it does not.
func TestAsymmetricSignVerify(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		alg        string
		priv, pub  string
		cert       string
		other, oth string // a public key of another algorithm, and that algorithm
	}{
		{"RS256", "rsa2048.pkcs1.pem", "rsa2048.pub.pem", "rsa2048.cert.pem", "p256.pub.pem", "ES256"},
		{"RS256", "rsa4096.pkcs8.pem", "rsa4096.pkcs1.pub.pem", "", "ed25519.pub.pem", "EdDSA"},
		{"PS256", "rsa3072.pkcs8.pem", "rsa3072.pub.pem", "", "rsa3072.pub.pem", "RS256"},
		{"ES256", "p256.sec1.pem", "p256.pub.pem", "p256.cert.pem", "rsa2048.pub.pem", "PS256"},
		{"ES256", "p256.pkcs8.pem", "p256.pub.pem", "", "rsa2048.pub.pem", "RS256"},
		{"EdDSA", "ed25519.pkcs8.pem", "ed25519.pub.pem", "ed25519.cert.pem", "p256.pub.pem", "ES256"},
	} {
		t.Run(tc.alg+"/"+tc.priv, func(t *testing.T) {
			tok := sign(t, asymClaims, "--alg", tc.alg, "--key-file", keyPath(tc.priv), "--kid", "k1")
			set := jwksOf(t, "--key-file", keyPath(tc.priv), "--alg", tc.alg, "--kid", "k1")
			setFile := writeFile(t, dir, tc.alg+tc.priv+".jwks", set)
			var s struct{ Keys []json.RawMessage }
			if err := json.Unmarshal([]byte(set), &s); err != nil || len(s.Keys) != 1 {
				t.Fatalf("%s: %v", set, err)
			}
			jwkFile := writeFile(t, dir, tc.alg+tc.priv+".jwk", string(s.Keys[0]))
			forms := [][]string{
				{"--alg", tc.alg, "--key-file", keyPath(tc.pub)},
				{"--alg", tc.alg, "--key-file", keyPath(tc.pub), "--kid", "k1"},
				{"--alg", tc.alg, "--key-file", jwkFile},
				{"--alg", tc.alg, "--key-file", setFile},
				{"--jwks", setFile},
				{"--jwks", setFile, "--kid", "k1"},
			}
			if tc.cert != "" {
				forms = append(forms, []string{"--alg", tc.alg, "--key-file", keyPath(tc.cert)})
			}
			for _, args := range forms {
				l := verifyOne(t, tok, args...)
				if !l.Valid || string(l.Payload) != asymClaims ||
					string(l.Header) != `{"alg":"`+tc.alg+`","kid":"k1","typ":"JWT"}` {
					t.Errorf("verify %v: %+v", args, l)
				}
			}
			// The key of another algorithm, or this key bound to another: refused by "alg".
			l := verifyOne(t, tok, "--alg", tc.oth, "--key-file", keyPath(tc.other))
			if l.verdict() != "ErrAlgorithm" {
				t.Errorf("under %s %s: %+v", tc.oth, tc.other, l)
			}
			// The private JWK of the key signs too.
			privJWK := privateJWK(t, tc.priv, tc.alg)
			tok2 := sign(t, asymClaims, "--key-file", writeFile(t, dir, tc.alg+tc.priv+".priv.jwk", privJWK), "--alg", tc.alg, "--kid", "k1")
			if l := verifyOne(t, tok2, "--jwks", setFile); !l.Valid {
				t.Errorf("token of the private JWK: %+v", l)
			}
		})
	}
}

// privateJWK returns the private JWK of a test key: the public JWK the jwks command prints, with
// the private members added from the PEM key.
func privateJWK(t *testing.T, file, alg string) string {
	t.Helper()
	a, _ := fastjwt.ParseAlg(alg)
	data, err := os.ReadFile(keyPath(file))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := fastjwt.ParsePrivateKeyPEM(data, a, "")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := priv.Public().AppendJWK(nil)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(pub, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range privateMembers(t, priv) {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// The usage errors of the asymmetric flags: one line naming the flag, exit status 2.
func TestAsymmetricUsageErrors(t *testing.T) {
	dir := t.TempDir()
	secret := writeFile(t, dir, "secret", testKey+"\n")
	set := writeFile(t, dir, "set.jwks", jwksOf(t, "--key-file", keyPath("p256.sec1.pem"), "--alg", "ES256", "--kid", "ec"))
	jwk := writeFile(t, dir, "ec.jwk", `{"kty":"EC","kid":"ec","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`)
	pub, priv := keyPath("p256.pub.pem"), keyPath("p256.sec1.pem")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"--alg lowercase", []string{"verify", "--alg", "es256", "--key-file", pub},
			`fastjwt verify: --alg: "es256" is not one of HS256, RS256, PS256, ES256, EdDSA (names are case-sensitive)` + "\n"},
		{"--alg none", []string{"sign", "--alg", "none", "--key-file", priv},
			`fastjwt sign: --alg: "none" is not one of HS256, RS256, PS256, ES256, EdDSA (names are case-sensitive)` + "\n"},
		{"--alg with --key", []string{"verify", "--alg", "ES256", "--key", testKey},
			"fastjwt verify: --key: an HS256 secret, but --alg ES256 takes a public or private key: give the key with --key-file PATH\n"},
		{"--alg with --key-env", []string{"sign", "--alg", "EdDSA", "--key-env", "X"},
			"fastjwt sign: --key-env: an HS256 secret, but --alg EdDSA takes a public or private key: give the key with --key-file PATH\n"},
		{"--alg with --allow-short-key", []string{"verify", "--alg", "ES256", "--key-file", pub, "--allow-short-key"},
			"fastjwt verify: --allow-short-key applies to HS256 secrets only, and --alg ES256 takes a public or private key\n"},
		{"--alg with --key-file-raw", []string{"verify", "--alg", "ES256", "--key-file", pub, "--key-file-raw"},
			"fastjwt verify: --key-file-raw applies to HS256 secrets only, and --alg ES256 takes a public or private key\n"},
		{"--alg without a key", []string{"verify", "--alg", "RS256"},
			"fastjwt verify: missing key: --alg RS256 needs --key-file PATH (a PEM key or certificate, a JWK or a JWK Set)\n"},
		{"--alg with a secret", []string{"verify", "--alg", "RS256", "--key-file", secret},
			"fastjwt verify: --key-file: --alg RS256 needs a PEM key or certificate, a JWK or a JWK Set; the file holds none\n"},
		{"a PEM key without --alg", []string{"verify", "--key-file", pub},
			"fastjwt verify: --key-file: invalid key: secret is a PEM block (a key or certificate): asymmetric key material is not an HMAC secret (for a public or private key, give --alg RS256, PS256, ES256 or EdDSA and --key-file)\n"},
		{"a PEM key for another algorithm", []string{"verify", "--alg", "RS256", "--key-file", pub},
			"fastjwt verify: --key-file: invalid key: RS256 needs an *rsa.PublicKey, not an ECDSA key on P-256\n"},
		{"a private key to verify", []string{"verify", "--alg", "ES256", "--key-file", priv},
			"fastjwt verify: --key-file: invalid key: a private key (EC PRIVATE KEY) where a public key is expected: give its public key (openssl pkey -in KEY -pubout)\n"},
		{"a public key to sign", []string{"sign", "--alg", "ES256", "--key-file", pub},
			"fastjwt sign: --key-file: invalid key: a public key (PUBLIC KEY) where a private key is expected\n"},
		{"a JWK Set to sign", []string{"sign", "--alg", "ES256", "--key-file", set},
			"fastjwt sign: --key-file: a JWK Set holds public keys; a signing key is one private JWK or a PEM private key\n"},
		{"a public JWK to sign", []string{"sign", "--alg", "ES256", "--key-file", jwk},
			`fastjwt sign: --key-file: invalid key: the EC JWK has no "d"` + "\n"},
		{"a JWK of another algorithm", []string{"verify", "--alg", "EdDSA", "--key-file", jwk},
			"fastjwt verify: --alg: the JWK's key is for ES256, not EdDSA\n"},
		{"a JWK with another kid", []string{"verify", "--alg", "ES256", "--key-file", jwk, "--kid", "other"},
			`fastjwt verify: --kid: the JWK's "kid" is "ec", not "other"` + "\n"},
		{"a set without the kid", []string{"verify", "--jwks", set, "--kid", "other"},
			`fastjwt verify: --jwks: the JWK Set has no key with --kid "other"` + "\n"},
		{"a set without the alg", []string{"verify", "--jwks", set, "--alg", "RS256"},
			"fastjwt verify: --jwks: the JWK Set has no key of --alg RS256\n"},
		{"--jwks and --key-file", []string{"verify", "--jwks", set, "--key-file", pub},
			"fastjwt verify: give only one of --jwks and --key-file\n"},
		{"--jwks and --key", []string{"verify", "--jwks", set, "--key", testKey},
			"fastjwt verify: give only one of --jwks and --key\n"},
		{"--jwks with --allow-short-key", []string{"verify", "--jwks", set, "--allow-short-key"},
			"fastjwt verify: --allow-short-key applies to HS256 secrets only, and --jwks holds public keys\n"},
		{"--jwks with --alg HS256", []string{"verify", "--jwks", set, "--alg", "HS256"},
			"fastjwt verify: --alg: HS256 keys are secrets, never in a JWK Set\n"},
		{"--jwks of a JWK", []string{"verify", "--jwks", jwk},
			"fastjwt verify: --jwks: not a JWK Set ({\"keys\":[...]})\n"},
		{"--jwks of a PEM key", []string{"verify", "--jwks", pub},
			"fastjwt verify: --jwks: not a JWK Set ({\"keys\":[...]})\n"},
		{"--jwks missing", []string{"verify", "--jwks", filepath.Join(dir, "nope")},
			"fastjwt verify: --jwks: open " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
		{"--jwks empty", []string{"verify", "--jwks", ""},
			"fastjwt verify: --jwks: needs the path of a file\n"},
		{"--jwks on sign", []string{"sign", "--jwks", set},
			"fastjwt sign: unknown flag --jwks (run 'fastjwt sign --help' for the flags)\n"},
		{"jwks without a key", []string{"jwks"},
			"fastjwt jwks: missing key: give --key-file PATH\n"},
		{"jwks of a PEM key without --alg", []string{"jwks", "--key-file", priv},
			"fastjwt jwks: --alg is required with a PEM key (--key-file): RS256, PS256, ES256 or EdDSA; it is never taken from a token\n"},
		{"jwks of a secret", []string{"jwks", "--key-file", secret},
			"fastjwt jwks: --key-file: not a PEM key or certificate, a JWK or a JWK Set (an HS256 secret is never published)\n"},
		{"jwks --alg HS256", []string{"jwks", "--key-file", priv, "--alg", "HS256"},
			"fastjwt jwks: --alg: HS256 keys are secrets: they are never published\n"},
		{"jwks of a 1024-bit key", []string{"jwks", "--key-file", keyPath("rsa1024.pkcs8.pem"), "--alg", "RS256"},
			"fastjwt jwks: --key-file: invalid key: RSA key of 1024 bits: at least 2048 are needed (RFC 7518 sec. 3.3)\n"},
		{"jwks argument", []string{"jwks", "x"},
			"fastjwt jwks: unexpected argument \"x\": input is read from standard input (run 'fastjwt jwks --help')\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "eyJhbGciOiJFUzI1NiJ9.e30.AA\n", tc.args...)
			if code != exitUsage || out != "" || errOut != tc.stderr {
				t.Errorf("exit %d, stdout %q, stderr\n%q\nwant exit 2 and stderr\n%q", code, out, errOut, tc.stderr)
			}
		})
	}
}

// The algorithm-confusion attacks through the command line: the header never picks the
// algorithm, so an HS256 token MACed with the public key's own bytes, and "none", are refused.
func TestAsymmetricAlgConfusion(t *testing.T) {
	pemBytes, err := os.ReadFile(keyPath("rsa2048.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]string{
		"HS256":         `{"alg":"HS256","typ":"JWT"}`,
		"HS256 kid":     `{"alg":"HS256","kid":"r"}`,
		"none":          `{"alg":"none"}`,
		"rs256":         `{"alg":"rs256"}`,
		"RS256 in jwk ": `{"alg":"RS256","jwk":{"kty":"oct","k":"AAAA"}}`,
	} {
		input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(asymClaims))
		m := hmac.New(sha256.New, pemBytes)
		m.Write([]byte(input))
		tok := input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		want := verdict("ErrAlgorithm")
		if name == "RS256 in jwk " {
			want = "ErrSignature"
		}
		if l := verifyOne(t, tok, "--alg", "RS256", "--key-file", keyPath("rsa2048.pub.pem"), "--kid", "r"); l.verdict() != want {
			t.Errorf("%s: %+v, want %s", name, l, want)
		}
	}
}

// The jwks command prints the public JWK Set of any form of a key: the key, its ID and its
// algorithm, and never a private member.
func TestJWKSCommand(t *testing.T) {
	dir := t.TempDir()
	want, err := fastjwt.ParsePublicKeyPEM(mustRead(t, keyPath("rsa2048.pub.pem")), fastjwt.PS256, "r1")
	if err != nil {
		t.Fatal(err)
	}
	wantSet, _ := fastjwt.AppendJWKSet(nil, []fastjwt.PublicKey{want})
	privJWK := writeFile(t, dir, "priv.jwk", privateJWK(t, "rsa2048.pkcs8.pem", "PS256"))
	pubJWK := writeFile(t, dir, "pub.jwk", strings.Replace(string(wantSet[len(`{"keys":[`):len(wantSet)-2]), `,"alg":"PS256"`, "", 1))
	set := writeFile(t, dir, "set.jwks", string(wantSet))
	for _, args := range [][]string{
		{"--key-file", keyPath("rsa2048.pkcs1.pem"), "--alg", "PS256", "--kid", "r1"},
		{"--key-file", keyPath("rsa2048.pkcs8.pem"), "--alg", "PS256", "--kid", "r1"},
		{"--key-file", keyPath("rsa2048.pub.pem"), "--alg", "PS256", "--kid", "r1"},
		{"--key-file", keyPath("rsa2048.pkcs1.pub.pem"), "--alg", "PS256", "--kid", "r1"},
		{"--key-file", keyPath("rsa2048.cert.pem"), "--alg", "PS256", "--kid", "r1"},
		{"--key-file", privJWK, "--kid", "r1"},
		{"--key-file", pubJWK, "--alg", "PS256", "--kid", "r1"},
		{"--key-file", set},
		{"--key-file", set, "--kid", "r1"},
	} {
		out := jwksOf(t, args...)
		if out != string(wantSet)+"\n" {
			t.Errorf("jwks %v:\n%s\nwant\n%s", args, out, wantSet)
		}
		for _, m := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
			if strings.Contains(out, m+":") {
				t.Errorf("jwks %v prints the private member %s", args, m)
			}
		}
	}
	// An RSA JWK without "alg" is RS256 unless --alg says PS256.
	if out := jwksOf(t, "--key-file", pubJWK, "--kid", "r1"); !strings.Contains(out, `"alg":"RS256"`) {
		t.Errorf("RSA JWK without alg: %s", out)
	}
	if code, _, _ := cli(t, "", "jwks", "--help"); code != exitOK {
		t.Errorf("jwks --help: exit %d", code)
	}
}

// --alg, --jwks and the jwks command are in the help.
func TestAsymmetricHelp(t *testing.T) {
	for cmd, flags := range map[string][]string{
		"verify": {"--alg ALG", "--jwks PATH"},
		"sign":   {"--alg ALG"},
		"jwks":   {"--key-file PATH", "--alg ALG", "--kid ID"},
	} {
		code, help, _ := cli(t, "", cmd, "--help")
		if code != exitOK || !strings.HasPrefix(help, "usage: fastjwt "+cmd+" ") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, help)
		}
		for _, f := range flags {
			if !strings.Contains(help, "  "+f+" ") {
				t.Errorf("%s --help does not list %q", cmd, f)
			}
		}
		if n := strings.Count(help, "\n"); n > 50 {
			t.Errorf("%s --help is %d lines", cmd, n)
		}
	}
	if !strings.Contains(topUsage, "fastjwt jwks") || !strings.Contains(topUsage, "--jwks PATH") {
		t.Errorf("the usage does not name the jwks command and --jwks:\n%s", topUsage)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// privateMembers returns the private JWK members of a private key (RFC 7518 sec. 6.2.2, 6.3.2;
// RFC 8037 sec. 2).
func privateMembers(t *testing.T, priv fastjwt.PrivateKey) map[string]string {
	t.Helper()
	b := base64.RawURLEncoding.EncodeToString
	switch k := priv.Key.(type) {
	case *rsa.PrivateKey:
		return map[string]string{"d": b(k.D.Bytes()), "p": b(k.Primes[0].Bytes()), "q": b(k.Primes[1].Bytes()),
			"dp": b(k.Precomputed.Dp.Bytes()), "dq": b(k.Precomputed.Dq.Bytes()), "qi": b(k.Precomputed.Qinv.Bytes())}
	case *ecdsa.PrivateKey:
		d, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"d": b(d)}
	case ed25519.PrivateKey:
		return map[string]string{"d": b(k.Seed())}
	}
	t.Fatalf("%T", priv.Key)
	return nil
}
