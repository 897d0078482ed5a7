package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/keyfile"
)

const testKey = "0123456789abcdef0123456789abcdef" // 32 bytes

// cli runs the program with stdin and returns its exit status and output.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// sign returns a token for payload signed by the CLI, failing the test if signing fails.
func sign(t *testing.T, payload string, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, payload, append([]string{"sign"}, args...)...)
	if code != exitOK || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("sign %q: exit %d, stdout %q, stderr %q", payload, code, out, errOut)
	}
	return strings.TrimSuffix(out, "\n")
}

// line is one output line of verify.
type line struct {
	Valid   bool            `json:"valid"`
	Header  json.RawMessage `json:"header"`
	Payload json.RawMessage `json:"payload"`
	Error   string          `json:"error"`
}

// parseLines splits verify's output into its JSON lines, failing on anything else.
func parseLines(t *testing.T, out string) []line {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	var ls []line
	for _, s := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var l line
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("output line %q: %v", s, err)
		}
		ls = append(ls, l)
	}
	return ls
}

// verdict is what a test expects of one token: valid, or the sentinel's name.
type verdict string

const valid verdict = "valid"

func (l line) verdict() verdict {
	if l.Valid {
		return valid
	}
	name, _, _ := strings.Cut(l.Error, ":")
	return verdict(name)
}

func TestVerify(t *testing.T) {
	plain := sign(t, `{"sub":"alice","n":1}`, "--key", testKey)
	kid := sign(t, `{"sub":"bob"}`, "--key", testKey, "--kid", "k1")
	boundary := sign(t, `{"exp":1700000000.5}`, "--key", testKey)
	exp := sign(t, `{"exp":1700000000}`, "--key", testKey)
	nbf := sign(t, `{"nbf":1700000010}`, "--key", testKey)
	claims := sign(t, `{"iss":"https://issuer.example","aud":["x","y"]}`, "--key", testKey)
	noClaims := sign(t, `{}`, "--key", testKey)
	otherKey := sign(t, `{}`, "--key", "fedcba9876543210fedcba9876543210")
	// Over the codec's size cap, so no codec signs it; the size is checked before anything else.
	big := "eyJhbGciOiJIUzI1NiJ9." + strings.Repeat("e30", fastjwt.DefaultMaxTokenSize/3) + "." + strings.Repeat("A", 43)

	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []verdict
		code  int
	}{
		{"one valid", nil, plain + "\n", []verdict{valid}, exitOK},
		{"last line without newline", nil, plain, []verdict{valid}, exitOK},
		{"several", nil, plain + "\n" + kid + "\n" + noClaims + "\n", []verdict{valid, valid, valid}, exitOK},
		{"one invalid among valid", nil, plain + "\n" + otherKey + "\n" + plain + "\n", []verdict{valid, "ErrSignature", valid}, exitInvalid},
		{"empty line in the middle is a token", nil, plain + "\n\n" + plain + "\n", []verdict{valid, "ErrMalformed", valid}, exitInvalid},
		{"CRLF line", nil, plain + "\r\n" + plain + "\n", []verdict{"ErrSignature", valid}, exitInvalid},
		{"trailing space", nil, plain + " \n", []verdict{"ErrSignature"}, exitInvalid},
		{"garbage", nil, "not a token\n", []verdict{"ErrMalformed"}, exitInvalid},

		{"raw", []string{"--raw"}, plain, []verdict{valid}, exitOK},
		{"raw with trailing newline", []string{"--raw"}, plain + "\n", []verdict{"ErrSignature"}, exitInvalid},
		{"only a newline", nil, "\n", []verdict{"ErrMalformed"}, exitInvalid},
		{"raw two lines", []string{"--raw"}, plain + "\n" + plain, []verdict{"ErrMalformed"}, exitInvalid},

		{"now before exp boundary", []string{"--now", "1700000000.4999999"}, boundary, []verdict{valid}, exitOK},
		{"now a nanosecond before exp", []string{"--now", "1700000000.499999999"}, boundary, []verdict{valid}, exitOK},
		{"now at exp", []string{"--now", "1700000000.5"}, boundary, []verdict{"ErrExpired"}, exitInvalid},
		{"now after exp", []string{"--now", "1700000001"}, boundary, []verdict{"ErrExpired"}, exitInvalid},
		{"system clock", nil, boundary, []verdict{"ErrExpired"}, exitInvalid},

		{"expired, no leeway", []string{"--now", "1700000005"}, exp, []verdict{"ErrExpired"}, exitInvalid},
		{"expired, leeway reaches exactly exp", []string{"--now", "1700000005", "--leeway", "5s"}, exp, []verdict{"ErrExpired"}, exitInvalid},
		{"expired, within leeway", []string{"--now", "1700000005", "--leeway", "5001ms"}, exp, []verdict{valid}, exitOK},
		{"nbf in the future", []string{"--now", "1700000005"}, nbf, []verdict{"ErrNotYetValid"}, exitInvalid},
		{"nbf within leeway", []string{"--now", "1700000005", "--leeway", "5s"}, nbf, []verdict{valid}, exitOK},
		{"nbf beyond leeway", []string{"--now", "1700000005", "--leeway", "4999ms"}, nbf, []verdict{"ErrNotYetValid"}, exitInvalid},

		{"iss match", []string{"--iss", "https://issuer.example", "--aud", "x"}, claims, []verdict{valid}, exitOK},
		{"aud present, none expected", nil, claims, []verdict{"ErrAudience"}, exitInvalid}, // RFC 7519 sec. 4.1.3
		{"iss mismatch", []string{"--iss", "https://other.example"}, claims, []verdict{"ErrIssuer"}, exitInvalid},
		{"iss given empty", []string{"--iss", ""}, claims, []verdict{"ErrIssuer"}, exitInvalid},
		{"iss missing", []string{"--iss", "https://issuer.example"}, noClaims, []verdict{"ErrIssuer"}, exitInvalid},
		{"aud match", []string{"--aud", "y"}, claims, []verdict{valid}, exitOK},
		{"aud mismatch", []string{"--aud", "z"}, claims, []verdict{"ErrAudience"}, exitInvalid},
		{"aud missing", []string{"--aud", "x"}, noClaims, []verdict{"ErrAudience"}, exitInvalid},

		{"kid match", []string{"--kid", "k1"}, kid, []verdict{valid}, exitOK},
		{"kid mismatch", []string{"--kid", "k2"}, kid, []verdict{"ErrUnknownKey"}, exitInvalid},
		{"kid token, key without id", nil, kid, []verdict{valid}, exitOK},

		{"over the codec's cap", nil, big + "\n" + plain + "\n", []verdict{"ErrTooLarge", valid}, exitInvalid},
		{"over the line cap", nil, strings.Repeat("a", maxLine+100) + "\n" + plain + "\n", []verdict{"ErrTooLarge", valid}, exitInvalid},
		{"over the line cap, raw", []string{"--raw"}, strings.Repeat("a", maxLine+100), []verdict{"ErrTooLarge"}, exitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--key", testKey}, tt.args...)
			code, out, errOut := cli(t, tt.stdin, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			ls := parseLines(t, out)
			if len(ls) != len(tt.want) {
				t.Fatalf("%d output lines, want %d: %q", len(ls), len(tt.want), out)
			}
			for i, l := range ls {
				if got := l.verdict(); got != tt.want[i] {
					t.Errorf("token %d: %s (%s), want %s", i, got, l.Error, tt.want[i])
				}
				if !l.Valid && !strings.HasPrefix(l.Error, string(l.verdict())+": ") {
					t.Errorf("token %d: error %q is not \"<ErrName>: <message>\"", i, l.Error)
				}
			}
		})
	}
}

// TestVerifyOutput checks the exact output lines: header and payload as signed, compacted to
// one line, and the error text.
func TestVerifyOutput(t *testing.T) {
	tok := sign(t, "{\n  \"sub\": \"a<b>&\\u2028\",\n  \"list\": [1, 2],\n  \"exp\": 1700000000.5\n}\n", "--key", testKey, "--kid", "k1")
	code, out, _ := cli(t, tok+"\n", "verify", "--key", testKey, "--kid", "k1", "--now", "1700000000")
	want := `{"valid":true,"header":{"alg":"HS256","kid":"k1","typ":"JWT"},"payload":{"sub":"a<b>&\u2028","list":[1,2],"exp":1700000000.5}}` + "\n"
	if code != exitOK || out != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s", code, out, want)
	}
	code, out, _ = cli(t, tok+"\n", "verify", "--key", testKey, "--kid", "k1", "--now", "1700000000.5")
	want = `{"valid":false,"error":"ErrExpired: token expired: now is at or after \"exp\""}` + "\n"
	if code != exitInvalid || out != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s", code, out, want)
	}
}

// publishedVector is an entry of testdata/vectors/published.json.
type publishedVector struct {
	Name        string `json:"name"`
	Key         string `json:"key"`
	Token       string `json:"token"`
	HeaderJSON  string `json:"header_json"`
	PayloadJSON string `json:"payload_json"`
}

// TestPublishedVectorsCLI verifies published tokens through the CLI, the short-key one with and
// without --allow-short-key, and a binary key through --key-file.
func TestPublishedVectorsCLI(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vectors", "published.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vectors []publishedVector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	find := func(name string) publishedVector {
		for _, v := range vectors {
			if v.Name == name {
				return v
			}
		}
		t.Fatalf("no vector %q", name)
		return publishedVector{}
	}
	compact := func(s string) string {
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(s)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}

	// jwt.io's example: a 19-byte secret, refused without --allow-short-key.
	jwtio := find("jwtio-default-legacy")
	code, out, errOut := cli(t, jwtio.Token+"\n", "verify", "--key", jwtio.Key)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "at least 32 are needed") || !strings.Contains(errOut, "--allow-short-key") {
		t.Errorf("short key without --allow-short-key: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = cli(t, jwtio.Token+"\n", "verify", "--key", jwtio.Key, "--allow-short-key")
	want := `{"valid":true,"header":` + compact(jwtio.HeaderJSON) + `,"payload":` + compact(jwtio.PayloadJSON) + "}\n"
	if code != exitOK || out != want {
		t.Errorf("jwt.io: exit %d, output %q, want %q", code, out, want)
	}

	// RFC 7515 A.1: a binary key, given as a file; header and payload contain CR LF.
	rfc := find("rfc7515-a1-hs256")
	secret, err := base64.RawURLEncoding.DecodeString(rfc.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, secret, 0o600); err != nil {
		t.Fatal(err)
	}
	want = `{"valid":true,"header":{"typ":"JWT","alg":"HS256"},"payload":{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}}` + "\n"
	for _, raw := range [][]string{nil, {"--key-file-raw"}} { // the key does not end in a line ending
		code, out, _ = cli(t, rfc.Token+"\n", append([]string{"verify", "--key-file", keyFile, "--now", "1300819379"}, raw...)...)
		if code != exitOK || out != want {
			t.Errorf("RFC 7515 A.1 %v: exit %d, output %q, want %q", raw, code, out, want)
		}
	}
	code, out, _ = cli(t, rfc.Token+"\n", "verify", "--key-file", keyFile, "--now", "1300819380")
	if ls := parseLines(t, out); code != exitInvalid || len(ls) != 1 || ls[0].verdict() != "ErrExpired" {
		t.Errorf("RFC 7515 A.1 at exp: exit %d, output %q", code, out)
	}
}

func TestSign(t *testing.T) {
	dir := t.TempDir()
	withNL := filepath.Join(dir, "key-nl")
	if err := os.WriteFile(withNL, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		args    []string
		stdin   string
		code    int
		errText string // in stderr
	}{
		{"object", []string{"--key", testKey}, `{"a":1}`, exitOK, ""},
		{"object with surrounding whitespace", []string{"--key", testKey}, " \n{\"a\":1}\r\n", exitOK, ""},
		{"array", []string{"--key", testKey}, `[1]`, exitInvalid, "ErrMalformed"},
		{"two objects", []string{"--key", testKey}, `{"a":1}{"b":2}`, exitInvalid, "ErrMalformed"},
		{"empty", []string{"--key", testKey}, ``, exitUsage, `fastjwt sign: no payload on standard input: give the claims as a JSON object, e.g. echo '{"sub":"42"}' | fastjwt sign ...` + "\n"},
		{"only whitespace", []string{"--key", testKey}, " \r\n\t\n", exitUsage, "fastjwt sign: no payload on standard input"},
		{"a message about the payload, not a token", []string{"--key", testKey}, `[1]`, exitInvalid, "fastjwt sign: payload refused: ErrMalformed: JSON text is not one object\n"},
		{"duplicate name", []string{"--key", testKey}, `{"a":1,"a":2}`, exitInvalid, "ErrMalformed"},
		{"exp as a string", []string{"--key", testKey}, `{"exp":"soon"}`, exitInvalid, "ErrClaimType"},
		{"short key", []string{"--key", "short"}, `{}`, exitUsage, "--key: the key has 5 bytes, at least 32 are needed"},
		{"short key allowed", []string{"--key", "short", "--allow-short-key"}, `{}`, exitOK, ""},
		{"no key", nil, `{}`, exitUsage, "missing key"},
		{"key file", []string{"--key-file", withNL}, `{}`, exitOK, ""},
		{"both keys", []string{"--key", testKey, "--key-file", withNL}, `{}`, exitUsage, "give only one of --key-file, --key-env and --key"},
		{"missing key file", []string{"--key-file", filepath.Join(dir, "nope")}, `{}`, exitUsage, "--key-file: open " + filepath.Join(dir, "nope")},
		{"verify-only flag", []string{"--key", testKey, "--now", "1"}, `{}`, exitUsage, "fastjwt sign: unknown flag --now (run 'fastjwt sign --help' for the flags)"},
		{"positional argument", []string{"--key", testKey, "extra"}, `{}`, exitUsage, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, tt.stdin, append([]string{"sign"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.errText) {
				t.Fatalf("exit %d, stderr %q; want exit %d, stderr containing %q", code, errOut, tt.code, tt.errText)
			}
			if code != exitOK {
				if out != "" {
					t.Errorf("stdout %q on failure", out)
				}
				return
			}
			// What was signed verifies, under the same key flags.
			vcode, vout, verr := cli(t, out, append([]string{"verify"}, tt.args...)...)
			if vcode != exitOK {
				t.Errorf("signed token does not verify: exit %d, %q %q", vcode, vout, verr)
			}
		})
	}
}

// TestUsageErrors checks that every usage error exits 2, prints nothing on stdout, and says on
// stderr which flag or argument is wrong and why.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	onlyNL := filepath.Join(dir, "newline")
	if err := os.WriteFile(onlyNL, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FASTJWT_TEST_EMPTY", "")
	tests := []struct {
		name   string
		args   []string
		stderr string // exactly
	}{
		{"unknown command", []string{"frobnicate"},
			"fastjwt: unknown command \"frobnicate\" (run 'fastjwt --help' for the commands)\n"},
		{"flag before the command", []string{"--key", testKey, "verify"},
			"fastjwt: unknown flag --key before the command; flags go after it (run 'fastjwt --help')\n"},
		{"help for an unknown command", []string{"help", "frobnicate"},
			"fastjwt help: unknown command \"frobnicate\" (run 'fastjwt --help' for the commands)\n"},
		{"help for two commands", []string{"help", "verify", "sign"},
			"fastjwt help: one command at most, got 2 (run 'fastjwt --help')\n"},
		{"unknown flag", []string{"verify", "--key", testKey, "--frob"},
			"fastjwt verify: unknown flag --frob (run 'fastjwt verify --help' for the flags)\n"},
		{"unknown flag, one dash", []string{"verify", "-frob=1"},
			"fastjwt verify: unknown flag --frob (run 'fastjwt verify --help' for the flags)\n"},
		{"unknown flag of inspect", []string{"inspect", "--key", testKey},
			"fastjwt inspect: unknown flag --key (run 'fastjwt inspect --help' for the flags)\n"},
		{"flag without its value", []string{"verify", "--key"},
			"fastjwt verify: --key needs a value (run 'fastjwt verify --help' for the flags)\n"},
		{"--leeway not a duration", []string{"verify", "--key", testKey, "--leeway", "banana"},
			"fastjwt verify: --leeway: \"banana\" is not a duration (e.g. 30s, 2m) (run 'fastjwt verify --help' for the flags)\n"},
		{"--leeway without a unit", []string{"verify", "--key", testKey, "--leeway", "5"},
			"fastjwt verify: --leeway: \"5\" is not a duration (e.g. 30s, 2m) (run 'fastjwt verify --help' for the flags)\n"},
		{"--leeway negative", []string{"verify", "--key", testKey, "--leeway=-1s"},
			"fastjwt verify: --leeway: \"-1s\" must not be negative (run 'fastjwt verify --help' for the flags)\n"},
		{"--now not a number", []string{"verify", "--key", testKey, "--now", "soon"},
			"fastjwt verify: --now: \"soon\" is not a number of seconds (digits, optionally '.' and up to 9 more digits) (run 'fastjwt verify --help' for the flags)\n"},
		{"--now in exponent form", []string{"verify", "--key", testKey, "--now", "1.7e9"},
			"fastjwt verify: --now: \"1.7e9\" is not a number of seconds (digits, optionally '.' and up to 9 more digits) (run 'fastjwt verify --help' for the flags)\n"},
		{"--now too precise", []string{"verify", "--key", testKey, "--now", "1.0000000001"},
			"fastjwt verify: --now: \"1.0000000001\" has more than 9 fractional digits (the clock has nanosecond precision) (run 'fastjwt verify --help' for the flags)\n"},
		{"bool flag with a value", []string{"verify", "--key", testKey, "--raw=maybe"},
			"fastjwt verify: --raw: \"maybe\" is not true or false (the flag alone means true) (run 'fastjwt verify --help' for the flags)\n"},
		{"positional argument", []string{"verify", "--key", testKey, "token"},
			"fastjwt verify: unexpected argument \"token\": input is read from standard input (run 'fastjwt verify --help')\n"},
		{"inspect argument", []string{"inspect", "x"},
			"fastjwt inspect: unexpected argument \"x\": input is read from standard input (run 'fastjwt inspect --help')\n"},

		{"missing key", []string{"verify"},
			"fastjwt verify: missing key: give --key-file PATH, --key-env NAME, --key TEXT or --jwks PATH\n"},
		{"missing key, sign", []string{"sign"},
			"fastjwt sign: missing key: give --key-file PATH, --key-env NAME or --key TEXT\n"},
		{"two keys", []string{"verify", "--key", testKey, "--key-env", "X"},
			"fastjwt verify: give only one of --key-file, --key-env and --key\n"},
		{"--key-file-raw alone", []string{"verify", "--key", testKey, "--key-file-raw"},
			"fastjwt verify: --key-file-raw applies to --key-file only\n"},
		{"empty --key", []string{"verify", "--key", ""},
			"fastjwt verify: --key: the key is empty\n"},
		{"short --key", []string{"verify", "--key", "0123456789"},
			"fastjwt verify: --key: the key has 10 bytes, at least 32 are needed: use a longer secret (head -c 32 /dev/urandom | base64 > key), or --allow-short-key to accept this one\n"},
		{"short --key-file", []string{"verify", "--key-file", short},
			"fastjwt verify: --key-file: the key has 10 bytes, at least 32 are needed: use a longer secret (head -c 32 /dev/urandom | base64 > key), or --allow-short-key to accept this one\n"},
		{"short --key-file-raw", []string{"verify", "--key-file", short, "--key-file-raw"},
			"fastjwt verify: --key-file: the key has 11 bytes, at least 32 are needed: use a longer secret (head -c 32 /dev/urandom | base64 > key), or --allow-short-key to accept this one\n"},
		{"missing key file", []string{"verify", "--key-file", filepath.Join(dir, "nope")},
			"fastjwt verify: --key-file: open " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
		{"key file of one newline", []string{"verify", "--key-file", onlyNL},
			"fastjwt verify: --key-file: " + onlyNL + ": empty key (only a line ending)\n"},
		{"empty --key-file", []string{"verify", "--key-file", ""},
			"fastjwt verify: --key-file: needs the path of a file\n"},
		{"unset --key-env", []string{"verify", "--key-env", "FASTJWT_TEST_UNSET"},
			"fastjwt verify: --key-env: environment variable FASTJWT_TEST_UNSET is not set: empty key\n"},
		{"empty --key-env", []string{"verify", "--key-env", "FASTJWT_TEST_EMPTY"},
			"fastjwt verify: --key-env: environment variable FASTJWT_TEST_EMPTY is empty: empty key\n"},
		{"--key-env without a name", []string{"verify", "--key-env", ""},
			"fastjwt verify: --key-env: needs the name of an environment variable\n"},
		{"--kid not UTF-8", []string{"verify", "--key", testKey, "--kid", "\xff"},
			"fastjwt verify: --kid: not valid UTF-8\n"},

		{"no input", []string{"verify", "--key", testKey},
			"fastjwt verify: no token on standard input\n"},
		{"no input, raw", []string{"verify", "--key", testKey, "--raw"},
			"fastjwt verify: no token on standard input\n"},
	}
	os.Unsetenv("FASTJWT_TEST_UNSET")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", tt.args...)
			if code != exitUsage || out != "" || errOut != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr\n%q\nwant exit 2 and stderr\n%q", code, out, errOut, tt.stderr)
			}
		})
	}
}

// TestNoUsageOnError checks that a usage error is one line, not the whole help.
func TestNoUsageOnError(t *testing.T) {
	for _, args := range [][]string{{"verify", "--frob"}, {"sign", "--key"}, {"frobnicate"}, {"verify", "--key", testKey, "x"}} {
		_, _, errOut := cli(t, "", args...)
		if strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: stderr is %d lines, want one:\n%s", args, strings.Count(errOut, "\n"), errOut)
		}
	}
	// Without a command, the program says what the commands are, and fails.
	code, out, errOut := cli(t, "")
	if code != exitUsage || out != "" || errOut != topUsage {
		t.Errorf("no command: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", code, out, errOut)
	}
}

// TestHelp checks that help is asked for in every usual way, goes to stdout with exit status 0,
// and for a command shows that command only, with every one of its flags.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"help"}} {
		code, out, errOut := cli(t, "", args...)
		if code != exitOK || out != topUsage || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and the usage", args, code, out, errOut)
		}
	}
	for _, name := range []string{"verify", "sign", "inspect", "keygen"} {
		_, first, _ := cli(t, "", name, "--help")
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {name, "-help"}, {"help", name}, {name, "--raw", "--help"}} {
			if name != "verify" && args[1] == "--raw" {
				continue
			}
			code, out, errOut := cli(t, "", args...)
			if code != exitOK || errOut != "" || out != first {
				t.Errorf("%v: exit %d, stderr %q, stdout\n%s\nwant 0 and the same help as %s --help", args, code, errOut, out, name)
			}
		}
		if !strings.HasPrefix(first, "usage: fastjwt "+name+" ") {
			t.Errorf("%s --help starts %q", name, first[:min(len(first), 40)])
		}
		for _, other := range []string{"verify", "sign", "inspect"} {
			if other != name && strings.Contains(first, "fastjwt "+other) {
				t.Errorf("%s --help speaks of fastjwt %s:\n%s", name, other, first)
			}
		}
		if n := strings.Count(first, "\n"); n > 50 {
			t.Errorf("%s --help is %d lines", name, n)
		}
	}

	// Every flag a command defines is in its help, new ones included.
	for _, name := range []string{"verify", "sign"} {
		_, help, _ := cli(t, "", name, "--help")
		fs := newFlagSet(name)
		var kf keyFlags
		kf.register(fs)
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(help, "  --"+f.Name+" ") {
				t.Errorf("%s --help does not list --%s", name, f.Name)
			}
		})
		for _, f := range []string{"--key-file PATH", "--key-file-raw", "--key-env NAME", "--key TEXT", "--kid ID", "--allow-short-key"} {
			if !strings.Contains(help, "  "+f+" ") {
				t.Errorf("%s --help does not list %q", name, f)
			}
		}
	}
	_, help, _ := cli(t, "", "verify", "--help")
	for _, f := range []string{"--now UNIX", "--leeway DURATION", "--iss ISSUER", "--aud AUDIENCE", "--raw"} {
		if !strings.Contains(help, "  "+f+" ") {
			t.Errorf("verify --help does not list %q", f)
		}
	}
}

// TestNoGoOptionNames checks that messages name the command's flags, never the Go options of
// the library behind them.
func TestNoGoOptionNames(t *testing.T) {
	goName := regexp.MustCompile(`\b(With[A-Z]|Allow[A-Z]|Accept[A-Z]|Reject[A-Z])\w*`)
	check := func(what, text string) {
		t.Helper()
		if m := goName.FindString(text); m != "" {
			t.Errorf("%s names the Go option %s: %q", what, m, text)
		}
	}
	for _, args := range [][]string{
		{"verify", "--key", "short"},
		{"sign", "--key", "short"},
		{"verify", "--key", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"},
		{"verify", "--frob"},
	} {
		_, out, errOut := cli(t, "x.y.z\n", args...)
		check(fmt.Sprint(args), out+errOut)
	}
	aud := sign(t, `{"aud":"a","iss":"i","exp":1,"nbf":4102444800,"iat":4102444800}`, "--key", testKey)
	for _, args := range [][]string{{}, {"--aud", "b"}, {"--iss", "j"}, {"--now", "2"}} {
		_, out, errOut := cli(t, aud+"\n", append([]string{"verify", "--key", testKey}, args...)...)
		check(fmt.Sprint(args), out+errOut)
	}
	for in, want := range map[string]string{
		"secret shorter than 32 bytes (see AllowShortKeys)":          "secret shorter than 32 bytes (see --allow-short-key)",
		"no audience configured (WithAudience or AcceptAnyAudience)": "no audience configured (--aud or --accept-any-audience)",
		"iat in the future (RejectFutureIssuedAt)":                   "iat in the future (--reject-future-iat)",
		"issuer (WithIssuer), skew (WithLeeway), clock (WithClock)":  "issuer (--iss), skew (--leeway), clock (--now)",
	} {
		if got := cliWording(in); got != want {
			t.Errorf("cliWording(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKeySources checks --key-file, --key-file-raw and --key-env against --key: the key-file
// rule of internal/keyfile (one final line ending is not part of the secret).
func TestKeySources(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exact := file("exact", testKey)
	lf := file("lf", testKey+"\n")
	crlf := file("crlf", testKey+"\r\n")
	two := file("two", testKey+"\n\n")
	t.Setenv("FASTJWT_TEST_KEY", testKey)
	t.Setenv("FASTJWT_TEST_KEY_NL", testKey+"\n")

	tok := sign(t, `{"a":1}`, "--key", testKey)
	tests := []struct {
		args []string
		want int // verify's exit status for a token signed with --key testKey
	}{
		{[]string{"--key-file", exact}, exitOK},
		{[]string{"--key-file", lf}, exitOK},
		{[]string{"--key-file", crlf}, exitOK},
		{[]string{"--key-file", two}, exitInvalid}, // only one line ending is removed
		{[]string{"--key-file", exact, "--key-file-raw"}, exitOK},
		{[]string{"--key-file", lf, "--key-file-raw"}, exitInvalid}, // the newline is part of the secret
		{[]string{"--key-env", "FASTJWT_TEST_KEY"}, exitOK},
		{[]string{"--key-env", "FASTJWT_TEST_KEY_NL"}, exitOK},
	}
	for _, tt := range tests {
		code, out, errOut := cli(t, tok+"\n", append([]string{"verify"}, tt.args...)...)
		if code != tt.want {
			t.Errorf("verify %v: exit %d (%q %q), want %d", tt.args, code, out, errOut, tt.want)
		}
		// And the other way: what these flags sign, --key verifies (or not).
		signed := sign(t, `{"a":1}`, tt.args...)
		if code, out, _ := cli(t, signed+"\n", "verify", "--key", testKey); code != tt.want {
			t.Errorf("sign %v, verify --key: exit %d (%q), want %d", tt.args, code, out, tt.want)
		}
	}
	// The line ending removed, --key-file-raw takes the rest exactly.
	if code, out, _ := cli(t, sign(t, `{}`, "--key-file", lf, "--key-file-raw")+"\n", "verify", "--key", testKey+"\n"); code != exitOK {
		t.Errorf("--key-file-raw: the secret is not the file's exact bytes: %q", out)
	}
}

// TestRecipeKey makes a key with the recipe of the documentation, 'head -c 32 /dev/urandom |
// base64 > key', and checks that a token the CLI signs with --key-file verifies under the secret
// the counter demo takes from that file (keyfile.Read, its loader), and the other way round.
func TestRecipeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if out, err := exec.Command("sh", "-c", "head -c 32 /dev/urandom | base64 > "+path).CombinedOutput(); err != nil {
		t.Skipf("running the recipe: %v %s", err, out)
	}
	secret, err := keyfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 44 {
		t.Fatalf("the recipe's key is %d bytes, want 44 characters of base64", len(secret))
	}
	demo, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	if err != nil {
		t.Fatal(err)
	}

	tok := sign(t, `{"sub":"alice"}`, "--key-file", path)
	if _, err := demo.AppendVerify(nil, []byte(tok)); err != nil {
		t.Errorf("signed by the CLI with --key-file, refused under the demo's key: %v", err)
	}
	demoTok, err := demo.AppendSign(nil, []byte(`{"sub":"bob"}`))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, string(demoTok)+"\n", "verify", "--key-file", path); code != exitOK {
		t.Errorf("signed under the demo's key, refused by the CLI with --key-file: exit %d, %q %q", code, out, errOut)
	}
	// The same file's content in an environment variable is the same secret.
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FASTJWT_TEST_RECIPE", string(content))
	if code, out, _ := cli(t, tok+"\n", "verify", "--key-env", "FASTJWT_TEST_RECIPE"); code != exitOK {
		t.Errorf("--key-env with the file's content: exit %d, %q", code, out)
	}
}

// failWriter fails every write, as a closed pipe would.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestVerifyWriteError(t *testing.T) {
	tok := sign(t, `{}`, "--key", testKey)
	var errOut bytes.Buffer
	code := run([]string{"verify", "--key", testKey}, strings.NewReader(tok+"\n"), failWriter{}, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), "broken pipe") {
		t.Errorf("exit %d, stderr %q; want 2 and the write error", code, errOut.String())
	}
}

func TestParseUnix(t *testing.T) {
	tests := []struct {
		in         string
		sec, nsec  int64
		wantErrors bool
	}{
		{"1700000000.5", 1700000000, 500000000, false},
		{"1700000000.4999999", 1700000000, 499999900, false},
		{"1700000000.000000001", 1700000000, 1, false},
		{"1700000000", 1700000000, 0, false},
		{"0", 0, 0, false},
		{"007", 7, 0, false},
		{"-1.25", -2, 750000000, false},
		{"1.0000000001", 0, 0, true},
		{"1e9", 0, 0, true},
		{"1.7e9", 0, 0, true},
		{"", 0, 0, true},
		{"-", 0, 0, true},
		{".5", 0, 0, true},
		{"5.", 0, 0, true},
		{" 5", 0, 0, true},
		{"5 ", 0, 0, true},
		{"+5", 0, 0, true},
		{"--5", 0, 0, true},
		{"0x10", 0, 0, true},
		{"1.5.5", 0, 0, true},
		{"1_000", 0, 0, true},
		{"99999999999999999999", 0, 0, true},
		{"4611686018427387905", 0, 0, true}, // 2^62 + 1
	}
	for _, tt := range tests {
		got, err := parseUnix(tt.in)
		if tt.wantErrors {
			if err == nil {
				t.Errorf("parseUnix(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if want := time.Unix(tt.sec, tt.nsec); err != nil || !got.Equal(want) {
			t.Errorf("parseUnix(%q) = %v, %v; want %v", tt.in, got, err, want)
		}
	}
}

func TestInspect(t *testing.T) {
	tok := sign(t, `{"sub":"alice"}`, "--key", testKey, "--kid", "k1")
	for _, stdin := range []string{tok, tok + "\n", tok + "\r\n"} {
		code, out, errOut := cli(t, stdin, "inspect")
		if code != exitOK || !strings.HasPrefix(errOut, "UNVERIFIED: signature not checked\n") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var got struct{ Header, Payload map[string]any }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("stdout %q: %v", out, err)
		}
		if got.Header["kid"] != "k1" || got.Header["alg"] != "HS256" || got.Payload["sub"] != "alice" {
			t.Errorf("inspect shows %+v", got)
		}
	}

	// A text payload (a valid JWS, not a JWT) is shown as a string; nothing is verified, so a
	// wrong signature does not matter.
	code, out, _ := cli(t, "eyJhbGciOiJIUzI1NiJ9.JC4wMg.AAAA", "inspect")
	if code != exitOK || !strings.Contains(out, `"payload": "$.02"`) {
		t.Errorf("text payload: exit %d, stdout %q", code, out)
	}

	for _, empty := range []string{"", "\n", "\r\n"} {
		code, out, errOut := cli(t, empty, "inspect")
		if want := "fastjwt inspect: no token on standard input (fastjwt inspect < token, or echo TOKEN | fastjwt inspect)\n"; code != exitUsage || out != "" || errOut != want {
			t.Errorf("inspect %q: exit %d, stdout %q, stderr %q", empty, code, out, errOut)
		}
	}
	for _, bad := range []string{"\n\n", "a.b", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9.JC4wMg!.AAAA", "eyJhbGciOiJIUzI1NiJ9.JC4w\nMg.AAAA", "eyJhbGciOiJIUzI1NiJ9=.JC4wMg.AAAA"} {
		code, out, errOut := cli(t, bad, "inspect")
		if code != exitInvalid || out != "" || strings.Contains(errOut, "UNVERIFIED") || errOut == "" {
			t.Errorf("inspect %q: exit %d, stdout %q, stderr %q; want exit 1 and a reason", bad, code, out, errOut)
		}
	}
}

// TestBinary builds the command and pipes `sign` into `verify` through a real pipe, to check the
// wiring of main, the standard streams and the exit status.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found:", err)
	}
	bin := filepath.Join(t.TempDir(), "fastjwt")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	signCmd := exec.Command(bin, "sign", "--key", testKey)
	signCmd.Stdin = strings.NewReader(`{"sub":"alice","exp":4102444800}`)
	verifyCmd := exec.Command(bin, "verify", "--key", testKey, "--now", "1700000000")
	pipe, err := signCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	verifyCmd.Stdin = pipe
	var out, errOut bytes.Buffer
	verifyCmd.Stdout, verifyCmd.Stderr = &out, &errOut
	if err := signCmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := verifyCmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { done <- signCmd.Wait() }()
	go func() { done <- verifyCmd.Wait() }()
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v (stderr %q)", err, errOut.String())
			}
		case <-time.After(30 * time.Second):
			signCmd.Process.Kill()
			verifyCmd.Process.Kill()
			t.Fatal("sign | verify did not finish in 30s")
		}
	}
	want := `{"valid":true,"header":{"alg":"HS256","typ":"JWT"},"payload":{"sub":"alice","exp":4102444800}}` + "\n"
	if out.String() != want {
		t.Errorf("sign | verify printed %q, want %q", out.String(), want)
	}

	// The exit status reaches the shell: 1 for an invalid token, 2 for a usage error.
	for _, tc := range []struct {
		args  []string
		stdin string
		code  int
	}{
		{[]string{"verify", "--key", testKey}, "x.y.z\n", exitInvalid},
		{[]string{"verify", "--key", testKey}, "", exitUsage},
		{[]string{"frobnicate"}, "", exitUsage},
		{[]string{"--help"}, "", exitOK},
		{[]string{"verify", "--help"}, "", exitOK},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Stdin = strings.NewReader(tc.stdin)
		err := cmd.Run()
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if code != tc.code {
			t.Errorf("%v: exit status %d, want %d", tc.args, code, tc.code)
		}
	}
}
