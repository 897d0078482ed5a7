package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// HS256 key rotation in the gateway (--secret-file KID=PATH, --secret-env KID=NAME, and the
// secret-file and secret-env lines of an [issuer] section), and the expiry of a JWK Set whose
// fetches keep failing (--jwks-expire-after).

const (
	rotSecret1 = "rotation-secret-one-0123456789abc"
	rotSecret2 = "rotation-secret-two-0123456789abc"
	rotSecret3 = "rotation-secret-three-0123456789a"
)

// kidToken signs claims (with an exp an hour ahead added) with secret, with kid in its header
// ("": none).
func kidToken(t *testing.T, secret, kid, claims string) string {
	t.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{ID: kid, Secret: []byte(secret)}})
	if err != nil {
		t.Fatal(err)
	}
	payload := fmt.Sprintf(`{%s,"exp":%d}`, claims, time.Now().Add(time.Hour).Unix())
	tok, err := c.AppendSign(nil, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// Every secret verifies: a token with a kid is checked with that kid's secret only, one
// without with each secret in turn; a token of a third secret, or naming a kid no secret has,
// is refused.
func TestGatewaySecrets(t *testing.T) {
	dir := t.TempDir()
	f1 := filepath.Join(dir, "2026-01.key")
	writeFile600(t, f1, rotSecret1+"\n")
	t.Setenv("GW_ROT_SECRET_2", rotSecret2)
	s := &issuerSpec{name: "corp", keys: []setting{{"secret-file", "2026-01=" + f1, 0}, {"secret-env", "2026-02=GW_ROT_SECRET_2", 0}}}
	iv, err := s.verifier("", "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if iv.client != nil {
		t.Fatal("a JWKS client for secrets")
	}
	for _, tc := range []struct {
		name, secret, kid string
		want              error // nil: verifies
	}{
		{"first, its kid", rotSecret1, "2026-01", nil},
		{"second, its kid", rotSecret2, "2026-02", nil},
		{"first, no kid", rotSecret1, "", nil},
		{"second, no kid", rotSecret2, "", nil},
		{"first under the second's kid", rotSecret1, "2026-02", fastjwt.ErrSignature},
		{"unknown kid", rotSecret1, "2025-12", fastjwt.ErrUnknownKey},
		{"third, no kid", rotSecret3, "", fastjwt.ErrSignature},
		{"third, a known kid", rotSecret3, "2026-01", fastjwt.ErrSignature},
	} {
		var cl fastjwt.Claims
		_, err := iv.v.AppendVerifyClaims(nil, []byte(kidToken(t, tc.secret, tc.kid, `"sub":"alice"`)), &cl)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// The secrets' flags: each value is KID=PATH or KID=NAME, each kid once, and they are not mixed
// with the one-secret flags or --jwks; every error names its flag.
func TestGatewaySecretFlagErrors(t *testing.T) {
	dir := t.TempDir()
	f1, f2 := filepath.Join(dir, "k1"), filepath.Join(dir, "k2")
	writeFile600(t, f1, rotSecret1+"\n")
	writeFile600(t, f2, rotSecret2+"\n")
	t.Setenv("GW_ROT_SHORT", "tooshort")
	t.Setenv("GW_ROT_SECRET_2", rotSecret2)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--secret-file", f1}, `--secret-file: "` + f1 + `" is not KID=PATH: each secret comes with its key ID, e.g. 2026-01=`},
		{[]string{"--secret-env", "GW_ROT_SECRET_2"}, `--secret-env: "GW_ROT_SECRET_2" is not KID=NAME`},
		{[]string{"--secret-file", "=" + f1}, `--secret-file: "=` + f1 + `" has no KID before '='`},
		{[]string{"--secret-file", "a="}, `--secret-file: "a=" has no PATH after '='`},
		{[]string{"--secret-file", "a=" + f1, "--secret-file", "a=" + f2}, `--secret-file: "a=` + f2 + `" repeats kid "a" (first with --secret-file)`},
		{[]string{"--secret-file", "a=" + f1, "--secret-env", "a=GW_ROT_SECRET_2"}, `--secret-env: "a=GW_ROT_SECRET_2" repeats kid "a" (first with --secret-file)`},
		{[]string{"--secret-file", "a=" + f1, "--key-file", f2}, `--key-file: give one secret with --key-file, --key-env or --key (and --kid), or several with --secret-file and --secret-env`},
		{[]string{"--secret-file", "a=" + f1, "--kid", "b"}, `--kid: with --secret-file and --secret-env, each secret has its kid`},
		{[]string{"--secret-file", "a=" + f1, "--jwks", "http://127.0.0.1:1/jwks"}, `--jwks: give only one of --jwks and --secret-file and --secret-env`},
		{[]string{"--secret-file", "a=" + f1, "--alg", "ES256"}, `--alg: --secret-file and --secret-env are HS256 secrets`},
		{[]string{"--secret-file", "a=" + f1, "--secret-file", "b=" + filepath.Join(dir, "none")}, `--secret-file: kid "b": open ` + filepath.Join(dir, "none") + `: no such file or directory`},
		{[]string{"--secret-file", "a=" + f1, "--secret-env", "b=GW_ROT_SHORT"}, `--secret-env: kid "b": the key has 8 bytes, at least 32 are needed`},
		{[]string{"--secret-env", "b=GW_ROT_SECRET_2", "--key-file-raw"}, `--key-file-raw applies to --key-file and --secret-file only`},
		{[]string{"--secret-env", "b=GW_ROT_SECRET_2", "--jwks-expire-after", "1h"}, `--jwks-expire-after applies to --jwks URL and --issuer-url only`},
		{[]string{"--key-file", f1, "--jwks-expire-after", "1h"}, `--jwks-expire-after applies to --jwks URL and --issuer-url only`},
		{[]string{"--jwks", "http://127.0.0.1:1/jwks", "--jwks-expire-after", "500ms"}, `--jwks-expire-after: must be at least 1s`},
		{[]string{"--jwks", "http://127.0.0.1:1/jwks", "--jwks-expire-after", "-1s"}, `--jwks-expire-after: "-1s" must not be negative`},
		{[]string{"--config", "gw.conf", "--secret-file", "a=" + f1}, `--secret-file: with --config, issuers and routes come from the file only`},
		{[]string{"--config", "gw.conf", "--jwks-expire-after", "1h"}, `--jwks-expire-after: with --config, issuers and routes come from the file only`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := cli(t, "", append([]string{"gateway", "--admin-listen", "off"}, tc.args...)...)
			want := "fastjwt gateway: " + tc.want
			if code != exitUsage || out != "" || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and one line starting with\n%s", code, out, errOut, want)
			}
			if strings.Contains(errOut, "tooshort") || strings.Contains(errOut, rotSecret1) || strings.Contains(errOut, rotSecret2) {
				t.Errorf("a secret in the message: %s", errOut)
			}
		})
	}
}

// The secret lines of a config file: their mistakes are reported at their lines.
func TestGatewaySecretConfigErrors(t *testing.T) {
	const route = "[route /]\nissuer = corp\n"
	for _, tc := range []struct {
		name, issuer string
		want         []string
	}{
		{"no kid", "secret-file = corp.key", []string{`gw.conf:2: issuer "corp": secret-file: "corp.key" is not KID=PATH`}},
		{"empty kid", "secret-env = =CORP_KEY", []string{`gw.conf:2: issuer "corp": secret-env: "=CORP_KEY" has no KID before '='`}},
		{"duplicate kid", "secret-file = a=a.key\nsecret-file = b=b.key\nsecret-env = a=CORP_KEY",
			[]string{`gw.conf:4: issuer "corp": secret-env: kid "a" already has a secret (line 2)`}},
		{"with key-file", "key-file = corp.key\nsecret-file = a=a.key",
			[]string{`gw.conf:1: issuer "corp": give only one of key-file, key-env, jwks, issuer-url, and secret-file and secret-env lines`}},
		{"with jwks", "secret-env = a=CORP_KEY\njwks = https://x.example/jwks",
			[]string{`gw.conf:1: issuer "corp": give only one of key-file, key-env, jwks, issuer-url, and secret-file and secret-env lines`}},
		{"short expiry", "jwks = https://x.example/jwks\njwks-expire-after = 500ms",
			[]string{`gw.conf:3: issuer "corp": jwks-expire-after: must be at least 1s`}},
		{"bad expiry", "jwks = https://x.example/jwks\njwks-expire-after = 3d",
			[]string{`gw.conf:3: issuer "corp": jwks-expire-after: "3d" is not a duration`}},
		{"repeated expiry", "jwks = https://x.example/jwks\njwks-expire-after = 1h\njwks-expire-after = 2h",
			[]string{`gw.conf:4: duplicate key "jwks-expire-after" in issuer "corp" (first at line 3)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := parseGatewayConfig("gw.conf", []byte("[issuer corp]\n"+tc.issuer+"\n"+route))
			if err == nil {
				t.Fatalf("accepted: %+v", spec)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %d:\n got %s\nwant %s...", i, lines[i], w)
				}
			}
		})
	}
}

// The secret lines are kept in order, their paths relative to the file.
func TestGatewaySecretConfigParse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gw.conf")
	text := "[issuer corp]\nsecret-file = 2026-02=keys/2026-02.key\nsecret-env = 2026-01=CORP_2026_01\n" +
		"secret-file = old=/etc/fastjwt/a=b.key\nallow-short-key = true\n[route /]\nissuer = corp\n"
	writeFile600(t, path, text)
	spec, err := readGatewayConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []setting{
		{"secret-file", "2026-02=" + filepath.Join(dir, "keys", "2026-02.key"), 2},
		{"secret-env", "2026-01=CORP_2026_01", 3},
		{"secret-file", "old=/etc/fastjwt/a=b.key", 4},
		{"allow-short-key", "true", 5},
	}
	if got := spec.issuers[0].keys; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
}

// Errors in loading a secret of a config file name the line of that secret.
func TestGatewaySecretConfigKeyErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile600(t, filepath.Join(dir, "a.key"), rotSecret1+"\n")
	writeFile600(t, filepath.Join(dir, "short.key"), "tooshort\n")
	for _, tc := range []struct{ name, issuer, want string }{
		{"missing file", "secret-file = a=a.key\nsecret-file = b=missing.key",
			`gw.conf:4: issuer "corp": secret-file: kid "b": open ` + filepath.Join(dir, "missing.key") + `: no such file or directory`},
		{"short secret", "secret-file = short=short.key\nsecret-file = a=a.key",
			`gw.conf:3: issuer "corp": secret-file: kid "short": the key has 8 bytes, at least 32 are needed`},
		{"unset variable", "secret-file = a=a.key\nsecret-env = b=GW_ROT_UNSET_VARIABLE",
			`gw.conf:4: issuer "corp": secret-env: kid "b": environment variable GW_ROT_UNSET_VARIABLE is not set`},
		{"with kid", "secret-file = a=a.key\nkid = a", `gw.conf:4: issuer "corp": kid: with secret-file and secret-env, each secret has its kid`},
		{"expiry without jwks", "secret-file = a=a.key\njwks-expire-after = 1h", `gw.conf:4: issuer "corp": jwks-expire-after applies to jwks URL and issuer-url only`},
		{"alg", "alg = EdDSA\nsecret-file = a=a.key", `gw.conf:3: issuer "corp": alg: secret-file and secret-env are HS256 secrets`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "gw.conf")
			writeFile600(t, path, "# keys\n[issuer corp]\n"+tc.issuer+"\n[route /]\nissuer = corp\n")
			code, out, errOut := cli(t, "", "gateway", "--admin-listen", "off", "--config", path)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			want := "fastjwt gateway: " + strings.ReplaceAll(tc.want, "gw.conf", path)
			if !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr:\n%s\nwant a line starting with\n%s", errOut, want)
			}
			if strings.Contains(errOut, "tooshort") || strings.Contains(errOut, rotSecret1) {
				t.Errorf("a secret in the message: %s", errOut)
			}
		})
	}
}

// The gateway as it runs: two secrets from the flags verify; a config file's secrets rotate on
// SIGHUP; a JWK Set whose server keeps failing is used within --jwks-expire-after, then every
// token gets 503 until the server is back.
func TestGatewayRotationBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := gatewayBinary(t)

	t.Run("flags", func(t *testing.T) {
		t.Parallel()
		f1 := filepath.Join(t.TempDir(), "2026-01.key")
		writeFile600(t, f1, rotSecret1+"\n")
		p := startGateway(t, bin, []string{"GW_ROT_SECRET_2=" + rotSecret2}, "--admin-listen", "off",
			"--secret-file", "2026-01="+f1, "--secret-env", "2026-02=GW_ROT_SECRET_2")
		for _, tc := range []struct {
			name, secret, kid string
			want              int
		}{
			{"first, its kid", rotSecret1, "2026-01", 200},
			{"second, its kid", rotSecret2, "2026-02", 200},
			{"first, no kid", rotSecret1, "", 200},
			{"second, no kid", rotSecret2, "", 200},
			{"third, no kid", rotSecret3, "", 401},
			{"third, its own kid", rotSecret3, "2026-03", 401},
			{"first under the second's kid", rotSecret1, "2026-02", 401},
		} {
			if got := p.status(kidToken(t, tc.secret, tc.kid, `"sub":"alice"`)); got != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
			}
		}
		p.stop(syscall.SIGTERM)
		checkNoSecrets(t, p.allLogs(), rotSecret1, rotSecret2)
	})

	// A rotation as an operator does it: add the new secret (SIGHUP), then remove the old one
	// (SIGHUP); a broken file keeps the secrets in use.
	t.Run("config", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeFile600(t, filepath.Join(dir, "old.key"), rotSecret1+"\n")
		writeFile600(t, filepath.Join(dir, "new.key"), rotSecret2+"\n")
		conf := filepath.Join(dir, "gw.conf")
		const head = "[issuer corp]\niss = corp\n"
		const route = "[route /]\nissuer = corp\n"
		writeFile600(t, conf, head+"secret-file = 2026-01=old.key\n"+route)
		p := startGateway(t, bin, nil, "--admin-listen", "off", "--config", conf)
		old := kidToken(t, rotSecret1, "2026-01", `"sub":"alice","iss":"corp"`)
		next := kidToken(t, rotSecret2, "2026-02", `"sub":"bob","iss":"corp"`)
		if a, b := p.status(old), p.status(next); a != 200 || b != 401 {
			t.Fatalf("the old secret alone: old %d, new %d", a, b)
		}
		writeFile600(t, conf, head+"secret-file = 2026-02=new.key\nsecret-file = 2026-01=old.key\n"+route)
		if line := p.reload(); !strings.Contains(line, `"msg":"reloaded"`) {
			t.Fatalf("SIGHUP, both secrets: %s", line)
		}
		if a, b := p.status(old), p.status(next); a != 200 || b != 200 {
			t.Errorf("both secrets: old %d, new %d", a, b)
		}
		writeFile600(t, conf, head+"secret-file = 2026-02=new.key\nsecret-file = 2026-02=old.key\n"+route)
		if line := p.reload(); !strings.Contains(line, "reload failed") || !strings.Contains(line, conf+`:4: issuer \"corp\": secret-file: kid \"2026-02\" already has a secret (line 3)`) {
			t.Errorf("SIGHUP with a duplicate kid: %s", line)
		}
		if a, b := p.status(old), p.status(next); a != 200 || b != 200 {
			t.Errorf("after a failed reload: old %d, new %d", a, b)
		}
		writeFile600(t, conf, head+"secret-file = 2026-02=new.key\n"+route)
		if line := p.reload(); !strings.Contains(line, `"msg":"reloaded"`) {
			t.Fatalf("SIGHUP, the new secret alone: %s", line)
		}
		if a, b := p.status(old), p.status(next); a != 401 || b != 200 {
			t.Errorf("the new secret alone: old %d, new %d", a, b)
		}
		// SIGHUP reads the files again: a secret replaced under the same kid.
		writeFile600(t, filepath.Join(dir, "new.key"), rotSecret3+"\n")
		if line := p.reload(); !strings.Contains(line, `"msg":"reloaded"`) {
			t.Fatalf("SIGHUP, the file rewritten: %s", line)
		}
		if a, b := p.status(next), p.status(kidToken(t, rotSecret3, "2026-02", `"sub":"bob","iss":"corp"`)); a != 401 || b != 200 {
			t.Errorf("the file rewritten: before %d, after %d", a, b)
		}
		p.stop(syscall.SIGTERM)
		checkNoSecrets(t, p.allLogs(), rotSecret1, rotSecret2, rotSecret3, old, next)
	})

	t.Run("jwks expiry", func(t *testing.T) {
		t.Parallel()
		s := newJWKSServer(t, jwksOf(t, "--key-file", keyPath("p256.sec1.pem"), "--alg", "ES256", "--kid", "ec"))
		const expire = 2 * time.Second
		p := startGateway(t, bin, nil, "--admin-listen", "off", "--jwks", s.URL+"/jwks.json", "--alg", "ES256",
			"--jwks-expire-after", expire.String())
		tok := sign(t, fmt.Sprintf(`{"sub":"carol","exp":%d}`, time.Now().Add(time.Hour).Unix()),
			"--alg", "ES256", "--key-file", keyPath("p256.sec1.pem"), "--kid", "ec")
		if got := p.status(tok); got != 200 {
			t.Fatalf("token of the set: %d", got)
		}
		// The set is refreshed every expire/2: the requests show it.
		deadline := time.Now().Add(10 * time.Second)
		for s.requests.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if n := s.requests.Load(); n < 2 {
			t.Fatalf("%d fetches in 10s, want a refresh every %v", n, expire/2)
		}

		s.set(func(s *jwksServer) { s.status = 500 })
		failing := time.Now()
		if got := p.status(tok); got != 200 {
			t.Errorf("just after the server failed: %d, want 200 (the set is kept)", got)
		}
		resp := p.get("/auth", "Authorization", "Bearer "+tok)
		for resp.StatusCode == 200 && time.Since(failing) < 10*time.Second {
			time.Sleep(100 * time.Millisecond)
			resp = p.get("/auth", "Authorization", "Bearer "+tok)
		}
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("WWW-Authenticate") != "" {
			t.Fatalf("past --jwks-expire-after: %d, Retry-After %q, WWW-Authenticate %q",
				resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("WWW-Authenticate"))
		}
		if d := time.Since(failing); d < expire/2 {
			t.Errorf("503 %v after the server failed, before the bound could pass", d)
		}
		// A token the set never verified gets the same answer: the keys are unknown.
		if got := p.status(hs256Token(t, rotSecret1, `"sub":"x"`)); got != 503 {
			t.Errorf("another token past the bound: %d", got)
		}

		s.set(func(s *jwksServer) { s.status = 200 })
		back := time.Now()
		got := p.status(tok)
		for got != 200 && time.Since(back) < 10*time.Second {
			time.Sleep(100 * time.Millisecond)
			got = p.status(tok)
		}
		if got != 200 {
			t.Errorf("10s after the server is back: %d", got)
		}
		p.stop(syscall.SIGTERM)
		if !strings.Contains(p.allLogs(), `"msg":"jwks"`) {
			t.Errorf("the failed fetches are not logged:\n%s", p.allLogs())
		}
	})
}
