package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// A config file's mistakes are reported with the file and the line, each of them.
func TestGatewayConfigErrors(t *testing.T) {
	const good = "[issuer corp]\nkey-env = CORP_KEY\n\n[route /]\nissuer = corp\n"
	for _, tc := range []struct {
		name, text string
		want       []string // each a line of the error, in order
	}{
		{"unknown key", "[issuer corp]\nkey-env = K\nky-env = K\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:3: unknown key "ky-env" in issuer "corp"; known: alg, key-file,`}},
		{"secret in the file", "[issuer corp]\nkey = hunter2hunter2hunter2hunter2hunter2\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:2: unknown key "key" in issuer "corp" (a secret goes in a file, key-file, or the environment, key-env)`}},
		{"unknown route key", good + "audience = api\n",
			[]string{`gw.conf:6: unknown key "audience" in route "/"; known: issuer, aud,`}},
		{"key before a section", "key-env = K\n" + good,
			[]string{`gw.conf:1: "key-env" before any section`}},
		{"not a key line", good + "just words\n",
			[]string{`gw.conf:6: not a section header or a "key = value" line`}},
		{"bad section header", good + "[route]\n",
			[]string{`gw.conf:6: bad section header "[route]"`}},
		{"unknown section", good + "[upstream x]\n",
			[]string{`gw.conf:6: unknown section [upstream ...]`}},
		{"bad issuer name", good + "[issuer a/b]\nkey-env = K\n",
			[]string{`gw.conf:6: bad issuer name "a/b"`}},
		{"bad prefix", good + "[route api]\nissuer = corp\n",
			[]string{`gw.conf:6: bad route prefix "api": it must start with '/'`}},
		{"prefix with a query", good + "[route /a?b]\nissuer = corp\n",
			[]string{`gw.conf:6: bad route prefix "/a?b": a path`}},
		{"prefix with an escape", good + "[route /a%2Fb/]\nissuer = corp\n",
			[]string{`gw.conf:6: bad route prefix "/a%2Fb/": no '%' escape or '\'`}},
		{"prefix with a dot segment", good + "[route /a/../b]\nissuer = corp\n",
			[]string{`gw.conf:6: bad route prefix "/a/../b": an empty or dot segment`}},
		{"prefix with an empty segment", good + "[route /a//b]\nissuer = corp\n",
			[]string{`gw.conf:6: bad route prefix "/a//b": an empty or dot segment`}},
		{"duplicate issuer", good + "\n[issuer corp]\nkey-env = K\n",
			[]string{`gw.conf:7: duplicate [issuer corp] (first at line 1)`}},
		{"duplicate route", good + "[route /]\nissuer = corp\n",
			[]string{`gw.conf:6: duplicate [route /] (first at line 4)`}},
		{"duplicate key", good + "issuer = corp\n",
			[]string{`gw.conf:6: duplicate key "issuer" in route "/" (first at line 5)`}},
		{"empty value", good + "aud =\n",
			[]string{`gw.conf:6: route "/": "aud" has no value`}},
		{"bad duration", "[issuer corp]\nkey-env = K\nleeway = 30\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:3: issuer "corp": leeway: "30" is not a duration (e.g. 30s, 2m)`}},
		{"negative duration", "[issuer corp]\nkey-env = K\nleeway = -1s\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:3: issuer "corp": leeway: "-1s" must not be negative`}},
		{"zero fetch timeout", "[issuer corp]\njwks = https://x.example/jwks\njwks-timeout = 0s\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:3: issuer "corp": jwks-timeout: must be more than 0s`}},
		{"bad boolean", "[issuer corp]\nkey-env = K\nallow-short-key = yes\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:3: issuer "corp": allow-short-key: "yes" is not true or false`}},
		{"bad header name", good + "claim-header = sub=X User\n",
			[]string{`gw.conf:6: route "/": claim-header: "X User" is not a header name`}},
		{"claim-header without =", good + "claim-header = sub\n",
			[]string{`gw.conf:6: route "/": claim-header: "sub": want CLAIM=HEADER`}},
		{"hop-by-hop header", good + "claim-header = sub=Connection\n",
			[]string{`gw.conf:6: route "/": claim-header: header "Connection" cannot receive a claim: a hop-by-hop field`}},
		{"routing header", good + "claim-header = sub=x-forwarded-uri\n",
			[]string{`gw.conf:6: route "/": claim-header: header "x-forwarded-uri" cannot receive a claim: the gateway reads it`}},
		{"credential header", good + "claim-header = sub=AUTHORIZATION\n",
			[]string{`gw.conf:6: route "/": claim-header: header "AUTHORIZATION" cannot receive a claim: it carries credentials`}},
		{"envoy header", good + "claim-header = sub=X-Envoy-Auth-Headers-To-Remove\n",
			[]string{`gw.conf:6: route "/": claim-header: header "X-Envoy-Auth-Headers-To-Remove" cannot receive a claim: Envoy`}},
		{"one header, two claims", good + "claim-header = sub=X-User\nclaim-header = email=x-user\n",
			[]string{`gw.conf:7: route "/": claim-header: header "x-user" already receives claim "sub"`}},
		{"one header to a CGI upstream", good + "claim-header = sub=X-User\nclaim-header = email=X_User\n",
			[]string{`gw.conf:7: route "/": claim-header: header "X_User" already receives claim "sub"`}},
		{"too many claim headers", good + claimHeaderLines(65),
			[]string{`gw.conf:70: route "/": claim-header: more than 64 claim headers`}},
		{"bad cookie name", good + "cookie = a;b\n",
			[]string{`gw.conf:6: route "/": cookie: "a;b" is not a cookie name`}},
		{"bad types", good + "types = JWT bearer\n",
			[]string{`gw.conf:6: route "/": types: unknown token type "bearer"`}},
		{"unknown issuer", good + "[route /api/]\nissuer = crop\n",
			[]string{`gw.conf:7: route "/api/": unknown issuer "crop" (no [issuer crop] section)`}},
		{"route without issuer", good + "[route /api/]\naud = api\n",
			[]string{`gw.conf:6: route "/api/" has no issuer: add "issuer = NAME"`}},
		{"issuer without key", "[issuer corp]\niss = x\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:1: issuer "corp" has no key: add key-file, key-env, jwks, issuer-url, or secret-file and secret-env lines`}},
		{"two key sources", "[issuer corp]\nkey-env = K\nkey-file = k\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:1: issuer "corp": give only one of key-file, key-env, jwks, issuer-url, and secret-file and secret-env lines`}},
		{"issuer-url and jwks", "[issuer corp]\nissuer-url = https://idp.example\njwks = https://idp.example/jwks\n[route /]\nissuer = corp\n",
			[]string{`gw.conf:1: issuer "corp": give only one of key-file, key-env, jwks, issuer-url, and secret-file and secret-env lines`}},
		{"unused issuer", good + "[issuer spare]\nkey-env = K\n",
			[]string{`gw.conf:6: issuer "spare" is used by no route`}},
		{"no route", "[issuer corp]\nkey-env = K\n",
			[]string{`gw.conf: no [route /PREFIX] section`, `gw.conf:1: issuer "corp" is used by no route`}},
		{"comment after a value", good + "aud = api # the API\n",
			[]string{`gw.conf:6: route "/": "aud": a comment goes on a line of its own`}},
		{"control character", good + "aud = a\x00b\n",
			[]string{`gw.conf:6: control character in the line`}},
		{"not UTF-8", good + "\n\naud = \xff\n",
			[]string{`gw.conf:8: not valid UTF-8`}},
		{"every mistake", "[issuer corp]\nkey-env = K\nleeway = soon\n[route /]\nissuer = corp\nclaim-header = sub=Host\nname = a b\n",
			[]string{`gw.conf:3: issuer "corp": leeway:`, `gw.conf:6: route "/": claim-header: header "Host"`, `gw.conf:7: route "/": name: "a b"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := parseGatewayConfig("gw.conf", []byte(tc.text))
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

// A file with very many mistakes reports a bounded number of them.
func TestGatewayConfigErrorsBounded(t *testing.T) {
	text := strings.Repeat("nonsense\n", 1000)
	_, err := parseGatewayConfig("gw.conf", []byte(text))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxConfigErrors+1 || lines[maxConfigErrors] != "gw.conf: 980 more errors not shown" {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

// A good file gives its issuers and routes as written; paths are relative to the file.
func TestGatewayConfigParse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gw.conf")
	text := "# comment\r\n; another\r\n[issuer corp]\r\n  key-file =  corp.key  \r\niss = https://corp.example\r\nleeway = 30s\r\n" +
		"[issuer partners]\nalg = ES256\njwks = https://login.partner.example/jwks.json\n" +
		"[issuer abs]\nkey-file = /etc/abs.key\nallow-short-key = true\n" +
		"[route /]\nissuer = corp\nclaim-header = sub=X-User\nclaim-header = email = X-Email\n" +
		"[route /partners/]\nname = partners\nissuer = partners\naud = partner#api\ntypes = at+jwt, none\ncookie = tok\n" +
		"[route /abs/]\nissuer = abs\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	spec, err := readGatewayConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.issuers) != 3 || len(spec.routes) != 3 {
		t.Fatalf("%d issuers, %d routes", len(spec.issuers), len(spec.routes))
	}
	corp, partners, abs := spec.issuers[0], spec.issuers[1], spec.issuers[2]
	if corp.name != "corp" || corp.line != 3 || !corp.issSet || corp.iss != "https://corp.example" || corp.leeway.String() != "30s" {
		t.Errorf("corp: %+v", corp)
	}
	if want := []setting{{"key-file", filepath.Join(dir, "corp.key"), 4}}; !slices.Equal(corp.keys, want) {
		t.Errorf("corp keys %v, want %v", corp.keys, want)
	}
	if want := []setting{{"alg", "ES256", 8}, {"jwks", "https://login.partner.example/jwks.json", 9}}; !slices.Equal(partners.keys, want) {
		t.Errorf("partners keys %v, want %v", partners.keys, want)
	}
	if want := []setting{{"key-file", "/etc/abs.key", 11}, {"allow-short-key", "true", 12}}; !slices.Equal(abs.keys, want) {
		t.Errorf("abs keys %v, want %v", abs.keys, want)
	}
	root, p := spec.routes[0], spec.routes[1]
	if root.prefix != "/" || root.issuer != "corp" || root.name != "" ||
		!slices.Equal(root.headers, []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "email", Header: "X-Email"}}) {
		t.Errorf("route /: %+v", root)
	}
	if p.prefix != "/partners/" || p.name != "partners" || p.aud != "partner#api" || p.cookie != "tok" ||
		!slices.Equal(p.types, []fastjwt.Type{fastjwt.TypeAccess, fastjwt.TypeNone}) {
		t.Errorf("route /partners/: %+v", p)
	}
}

// The keys of an issuer are loaded by verify's rules, and their errors name the file's line.
func TestGatewayConfigKeyErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("tooshort\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GW_TEST_SHORT", "tooshort")
	t.Setenv("GW_TEST_EMPTY", "")
	for _, tc := range []struct{ name, issuer, want string }{
		{"missing file", "key-file = missing.key", `gw.conf:3: issuer "corp": key-file: open ` + filepath.Join(dir, "missing.key") + `: no such file or directory`},
		{"short secret", "leeway = 1s\nkey-file = short.key", `gw.conf:4: issuer "corp": key-file: the key has 8 bytes, at least 32 are needed`},
		{"unset variable", "key-env = GW_TEST_UNSET_VARIABLE", `gw.conf:3: issuer "corp": key-env: environment variable GW_TEST_UNSET_VARIABLE is not set`},
		{"empty variable", "key-env = GW_TEST_EMPTY", `gw.conf:3: issuer "corp": key-env: environment variable GW_TEST_EMPTY is empty`},
		{"bad alg", "alg = hs256\nkey-env = GW_TEST_SHORT", `gw.conf:3: issuer "corp": alg: "hs256" is not one of HS256`},
		{"PEM without alg", "key-file = " + absKeyPath(t, "p256.pub.pem"), `gw.conf:3: issuer "corp": key-file: `},
		{"set from a secret", "alg = ES256\nkey-file = short.key", `gw.conf:4: issuer "corp": key-file: alg ES256 needs a PEM key`},
		{"jwks file not a set", "jwks = " + absKeyPath(t, "p256.pub.pem") + "\nalg = ES256", `gw.conf:3: issuer "corp": jwks: not a JWK Set`},
		{"jwks url with kid", "jwks = http://127.0.0.1:1/jwks\nkid = a", `gw.conf:4: issuer "corp": kid applies to key files`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "gw.conf")
			text := "# keys\n[issuer corp]\n" + tc.issuer + "\n[route /]\nissuer = corp\n"
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := cli(t, "", "gateway", "--config", path)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			want := "fastjwt gateway: " + strings.ReplaceAll(tc.want, "gw.conf", path)
			if !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr:\n%s\nwant a line starting with\n%s", errOut, want)
			}
			if strings.Contains(errOut, "tooshort") {
				t.Errorf("a secret in the message: %s", errOut)
			}
		})
	}
}

// Bad flags are reported in one line naming the flag, with exit status 2, before anything is
// served.
func TestGatewayFlagErrors(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GW_TEST_KEY", testKey)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing key: give --key-file PATH, --key-env NAME, --key TEXT or --jwks PATH"},
		{[]string{"--key-file", keyFile, "--key-env", "GW_TEST_KEY"}, "give only one of --key-file, --key-env and --key"},
		{[]string{"--key-file", filepath.Join(dir, "nokey")}, "--key-file: open " + filepath.Join(dir, "nokey") + ": no such file or directory"},
		{[]string{"--key", "short"}, "--key: the key has 5 bytes, at least 32 are needed"},
		{[]string{"--key-env", "GW_TEST_KEY", "--config", "gw.conf"}, "--key-env: with --config, issuers and routes come from the file only"},
		{[]string{"--config", "gw.conf", "--aud", "api"}, "--aud: with --config, issuers and routes come from the file only"},
		{[]string{"--config", filepath.Join(dir, "none.conf")}, "open " + filepath.Join(dir, "none.conf") + ": no such file or directory"},
		{[]string{"--key-env", "GW_TEST_KEY", "--listen", "8401"}, `--listen: "8401" is not host:port`},
		{[]string{"--key-env", "GW_TEST_KEY", "--upstream", "ftp://x"}, `--upstream: "ftp://x": an http:// or https:// URL`},
		{[]string{"--key-env", "GW_TEST_KEY", "--upstream", "http://u:p@x"}, `--upstream: the URL holds credentials`},
		{[]string{"--key-env", "GW_TEST_KEY", "--upstream", "http:///x"}, `--upstream: "http:///x" has no host`},
		{[]string{"--key-env", "GW_TEST_KEY", "--claim-header", "sub"}, `--claim-header: "sub": want CLAIM=HEADER`},
		{[]string{"--key-env", "GW_TEST_KEY", "--claim-header", "sub=Transfer-Encoding"}, `--claim-header: header "Transfer-Encoding" cannot receive a claim: a hop-by-hop field`},
		{[]string{"--key-env", "GW_TEST_KEY", "--claim-header", "sub=X-A", "--claim-header", "name=x-a"}, `--claim-header: header "x-a" already receives claim "sub"`},
		{[]string{"--key-env", "GW_TEST_KEY", "--cookie", "a=b"}, `--cookie: "a=b" is not a cookie name`},
		{[]string{"--key-env", "GW_TEST_KEY", "--types", "JWT,id"}, `--types: unknown token type "id"`},
		{[]string{"--key-env", "GW_TEST_KEY", "--max-cache-age", "-1s"}, `--max-cache-age: "-1s" must not be negative`},
		{[]string{"--key-env", "GW_TEST_KEY", "--leeway", "soon"}, `--leeway: "soon" is not a duration`},
		{[]string{"--key-env", "GW_TEST_KEY", "--drain-timeout", "0s"}, `--drain-timeout: must be more than 0s`},
		{[]string{"--key-env", "GW_TEST_KEY", "--fail-open"}, `--fail-open applies to --redis only`},
		{[]string{"--key-env", "GW_TEST_KEY", "--redis-password-env", "P"}, `--redis-password-env applies to --redis only`},
		{[]string{"--key-env", "GW_TEST_KEY", "--redis-prefix", "app:"}, `--redis-prefix applies to --redis only`},
		{[]string{"--key-env", "GW_TEST_KEY", "--redis", "6379"}, `--redis: "6379" is not host:port`},
		{[]string{"--key-env", "GW_TEST_KEY", "--iss", ""}, `--iss: empty`},
		{[]string{"--jwks", "http://127.0.0.1:1/jwks", "--kid", "a"}, `--kid applies to key files`},
		{[]string{"--jwks", "http://127.0.0.1:1/jwks", "--key-env", "GW_TEST_KEY"}, `give only one of --jwks and --key-env`},
		{[]string{"--issuer-url", "http://127.0.0.1:1", "--key-env", "GW_TEST_KEY"}, `give only one of --issuer-url and --key-env`},
		{[]string{"--issuer-url", "http://127.0.0.1:1", "--secret-env", "a=GW_TEST_KEY"}, `--issuer-url: give only one of --issuer-url and --secret-file and --secret-env`},
		{[]string{"--key-env", "GW_TEST_KEY", "--bogus"}, `unknown flag --bogus (run 'fastjwt gateway --help' for the flags)`},
		{[]string{"--key-env", "GW_TEST_KEY", "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := cli(t, "", append([]string{"gateway"}, tc.args...)...)
			want := "fastjwt gateway: " + tc.want
			if code != exitUsage || out != "" || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and one line starting with\n%s", code, out, errOut, want)
			}
			if strings.Contains(errOut, testKey) {
				t.Errorf("the secret in the message: %s", errOut)
			}
		})
	}
}

// The help of the gateway names its flags and describes the config file.
// An issuer that cannot be read at start stops the gateway from starting, naming the flag.
func TestGatewayIssuerDownAtStart(t *testing.T) {
	code, out, errOut := cli(t, "", "gateway", "--issuer-url", "http://127.0.0.1:1", "--jwks-timeout", "2s")
	want := "fastjwt gateway: --issuer-url: jwks: fetching the key set failed: GET http://127.0.0.1:1/.well-known/openid-configuration: "
	if code != exitUsage || out != "" || !strings.Contains(errOut, "\n"+want) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and a line starting with\n%s", code, out, errOut, want)
	}
}

func TestGatewayHelp(t *testing.T) {
	code, out, errOut := cli(t, "", "help", "gateway")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"usage: fastjwt gateway [flags]", "--listen ADDR", "--config FILE", "--redis HOST:PORT",
		"--claim-header CLAIM=HEADER", "[issuer NAME]", "[route /PREFIX]", `"msg":"listening"`, "SIGHUP"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if _, top, _ := cli(t, "", "help"); !strings.Contains(top, "fastjwt gateway [flags]") {
		t.Errorf("the usage does not list the gateway:\n%s", top)
	}
}

// absKeyPath is the absolute path of a test key: a config file reads relative paths from its
// own directory.
func absKeyPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(keyPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// claimHeaderLines returns n claim-header lines, each to a header of its own.
func claimHeaderLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "claim-header = c%d=X-C%d\n", i, i)
	}
	return b.String()
}
