package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// What keygen writes is what the other commands read: for every algorithm, the key signs, its
// public half (or the secret) verifies, and jwks publishes a set that verifies too.
func TestKeygenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	claims := `{"sub":"42","exp":4102444800}`
	for _, alg := range []string{"HS256", "RS256", "PS256", "ES256", "EdDSA"} {
		path := filepath.Join(dir, alg+".key")
		code, out, errOut := cli(t, "", "keygen", "--alg", alg, "--out", path)
		if code != exitOK || out != "" || !strings.HasPrefix(errOut, "fastjwt keygen: wrote the ") {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", alg, code, out, errOut)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: the key file: %v, %v", alg, fi.Mode(), err)
		}
		var tok string
		var verifyArgs [][]string
		if alg == "HS256" {
			tok = sign(t, claims, "--key-file", path)
			verifyArgs = [][]string{{"--key-file", path}, {"--alg", "HS256", "--key-file", path}}
		} else {
			tok = sign(t, claims, "--alg", alg, "--key-file", path, "--kid", "k1")
			set := writeFile(t, dir, alg+".jwks", jwksOf(t, "--alg", alg, "--key-file", path, "--kid", "k1"))
			verifyArgs = [][]string{{"--alg", alg, "--key-file", path + ".pub"}, {"--jwks", set}}
			if fi, err := os.Stat(path + ".pub"); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: the public key file: %v, %v", alg, fi.Mode(), err)
			}
		}
		for _, args := range verifyArgs {
			code, out, errOut := cli(t, tok+"\n", append([]string{"verify"}, args...)...)
			if ls := parseLines(t, out); code != exitOK || len(ls) != 1 || string(ls[0].Payload) != claims {
				t.Errorf("%s: verify %v: exit %d, %q, %q", alg, args, code, out, errOut)
			}
		}
		// A token of another key of the same algorithm is refused by this one.
		other := filepath.Join(dir, alg+".other")
		if code, _, errOut := cli(t, "", "keygen", "--alg", alg, "--out", other); code != exitOK {
			t.Fatalf("%s: second key: %s", alg, errOut)
		}
		pub := path + ".pub"
		if alg == "HS256" {
			pub = path
		}
		var otherTok string
		if alg == "HS256" {
			otherTok = sign(t, claims, "--key-file", other)
		} else {
			otherTok = sign(t, claims, "--alg", alg, "--key-file", other)
		}
		_, out, _ = cli(t, otherTok+"\n", "verify", "--alg", alg, "--key-file", pub)
		if ls := parseLines(t, out); len(ls) != 1 || ls[0].verdict() != "ErrSignature" {
			t.Errorf("%s: a token of another key: %q", alg, out)
		}
	}
}

// Without --out, keygen writes the secret or the private key to standard output, and nothing
// else: `fastjwt keygen > key` makes a key file.
func TestKeygenStdout(t *testing.T) {
	dir := t.TempDir()
	code, secret, errOut := cli(t, "", "keygen")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(secret, "\n"))
	if code != exitOK || errOut != "" || err != nil || len(raw) != 32 || strings.Count(secret, "\n") != 1 {
		t.Fatalf("HS256: exit %d, %q, %q, %v", code, secret, errOut, err)
	}
	if _, again, _ := cli(t, "", "keygen"); again == secret {
		t.Error("two secrets are the same")
	}
	path := writeFile(t, dir, "secret", secret)
	tok := sign(t, `{"sub":"a"}`, "--key-file", path)
	if _, out, _ := cli(t, tok+"\n", "verify", "--key", strings.TrimSuffix(secret, "\n")); !strings.Contains(out, `"valid":true`) {
		t.Errorf("the secret as --key: %q", out)
	}
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		code, priv, errOut := cli(t, "", "keygen", "--alg", alg)
		block, rest := pem.Decode([]byte(priv))
		if code != exitOK || errOut != "" || block == nil || block.Type != "PRIVATE KEY" || len(rest) != 0 {
			t.Fatalf("%s: exit %d, %q, %q", alg, code, priv, errOut)
		}
		key := writeFile(t, dir, alg+".pem", priv)
		tok := sign(t, `{"sub":"a"}`, "--alg", alg, "--key-file", key)
		set := writeFile(t, dir, alg+".jwks", jwksOf(t, "--alg", alg, "--key-file", key))
		if _, out, _ := cli(t, tok+"\n", "verify", "--jwks", set); !strings.Contains(out, `"valid":true`) {
			t.Errorf("%s: %q", alg, out)
		}
	}
}

func TestKeygenBits(t *testing.T) {
	for _, bits := range []int{2048, 3072, 4096} {
		if testing.Short() && bits == 4096 {
			continue // seconds on a slow machine
		}
		code, priv, errOut := cli(t, "", "keygen", "--alg", "PS256", "--bits", fmt.Sprint(bits))
		block, _ := pem.Decode([]byte(priv))
		if code != exitOK || block == nil {
			t.Fatalf("%d bits: exit %d, %q", bits, code, errOut)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if rk, ok := k.(*rsa.PrivateKey); err != nil || !ok || rk.N.BitLen() != bits {
			t.Errorf("%d bits: %T %v", bits, k, err)
		}
	}
}

// keygen's help lists its flags, and the top usage names the command and --version.
func TestKeygenHelp(t *testing.T) {
	code, help, _ := cli(t, "", "help", "keygen")
	for _, f := range []string{"  --alg ALG ", "  --out PATH ", "  --bits BITS "} {
		if code != exitOK || !strings.Contains(help, f) {
			t.Errorf("keygen --help does not list %q:\n%s", f, help)
		}
	}
	if !strings.Contains(topUsage, "fastjwt keygen [--alg ALG]") || !strings.Contains(topUsage, "fastjwt --version") {
		t.Errorf("the usage does not name keygen and --version:\n%s", topUsage)
	}
}

// keygen never overwrites a file, and leaves no half pair behind.
func TestKeygenErrors(t *testing.T) {
	dir := t.TempDir()
	existing := writeFile(t, dir, "key", "keep me\n")
	pubTaken := filepath.Join(dir, "pair")
	writeFile(t, dir, "pair.pub", "keep me too\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", existing}, "fastjwt keygen: --out: " + existing + " exists already: keygen never overwrites a key\n"},
		{[]string{"--alg", "ES256", "--out", existing}, "fastjwt keygen: --out: " + existing + " exists already"},
		{[]string{"--alg", "ES256", "--out", pubTaken}, "fastjwt keygen: --out: " + pubTaken + ".pub exists already"},
		{[]string{"--alg", "ES256", "--bits", "2048"}, "fastjwt keygen: --bits applies to RSA keys only (--alg RS256 or PS256)\n"},
		{[]string{"--alg", "RS256", "--bits", "1024"}, "fastjwt keygen: --bits: 1024: want 2048, 3072 or 4096\n"},
		{[]string{"--alg", "HS512"}, `fastjwt keygen: --alg: "HS512" is not one of HS256, RS256, PS256, ES256, EdDSA (names are case-sensitive)` + "\n"},
		{[]string{"--out", ""}, "fastjwt keygen: --out: needs the path of a file\n"},
		{[]string{"--out", filepath.Join(dir, "no", "such", "dir")}, "fastjwt keygen: --out: open "},
		{[]string{"extra"}, `fastjwt keygen: unexpected argument "extra"`},
	} {
		code, out, errOut := cli(t, "", append([]string{"keygen"}, tc.args...)...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", tc.args, code, out, errOut, tc.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" {
		t.Errorf("the existing key was changed: %q", b)
	}
	if b, _ := os.ReadFile(pubTaken + ".pub"); string(b) != "keep me too\n" {
		t.Errorf("the existing public key was changed: %q", b)
	}
	if _, err := os.Stat(pubTaken); !os.IsNotExist(err) {
		t.Errorf("a private key without its public key was left behind: %v", err)
	}
}

// versionText names the command's version, the library's and the Redis store's (with where a
// replace directive takes them), Go's, and the commit.
func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/fastjwt/session/cmd/fastjwt", Version: "v0.9.0"},
		Deps: []*debug.Module{
			{Path: "github.com/redis/rueidis", Version: "v1.0.79"},
			{Path: "github.com/fastjwt/session", Version: "v0.9.0"},
			{Path: "github.com/fastjwt/session/redisstore", Version: "v0.0.0-00010101000000-000000000000", Replace: &debug.Module{Path: "../../redisstore"}},
		},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}},
	}
	want := "fastjwt v0.9.0\n" +
		"  github.com/fastjwt/session             v0.9.0\n" +
		"  github.com/fastjwt/session/redisstore  v0.0.0-00010101000000-000000000000 => ../../redisstore\n" +
		"  go                                     go1.26.8\n" +
		"  commit                                 0123abcd 2026-12-01T10:00:00Z (with uncommitted changes)\n"
	if got := versionText(bi); got != want {
		t.Errorf("versionText:\n%s\nwant:\n%s", got, want)
	}
	bi.Main.Version, bi.Settings, bi.Deps = "", nil, nil
	if got := versionText(bi); got != "fastjwt (devel)\n  go                                     go1.26.8\n" {
		t.Errorf("a bare build: %q", got)
	}
}

// fastjwt --version prints the build of the binary; version and -version are the same; it takes
// no argument.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version", "version"} {
		code, out, errOut := cli(t, "", arg)
		if code != exitOK || errOut != "" || !strings.HasPrefix(out, "fastjwt ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%s: exit %d, %q, %q", arg, code, out, errOut)
		}
	}
	if code, _, errOut := cli(t, "", "--version", "x"); code != exitUsage || errOut != "fastjwt --version: no arguments (got \"x\")\n" {
		t.Errorf("with an argument: exit %d, %q", code, errOut)
	}
	bin := gatewayBinary(t)
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "fastjwt ") || !strings.Contains(string(out), "github.com/fastjwt/session ") ||
		!strings.Contains(string(out), runtime.Version()) {
		t.Errorf("the binary's --version: %v\n%s", err, out)
	}
}
