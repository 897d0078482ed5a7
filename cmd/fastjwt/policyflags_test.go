package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// typedToken signs payload with testKey under the header type typ.
func typedToken(t *testing.T, typ fastjwt.Type, payload string) string {
	t.Helper()
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(testKey)}}, fastjwt.AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.AppendSignType(nil, typ, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// The policy flags of verify: --types, --require-claim, --sub, several --iss and --aud, each with
// the gateway's meaning (the purpose before the audience; a required claim present with any
// value; any of the audiences and issuers).
func TestVerifyPolicyFlags(t *testing.T) {
	jwt := func(p string) string { return typedToken(t, fastjwt.TypeJWT, p) }
	access := typedToken(t, fastjwt.TypeAccess, `{"sub":"alice","aud":"api"}`)
	session := typedToken(t, fastjwt.TypeSession, `{"sub":"alice","aud":"other"}`)
	untyped := typedToken(t, fastjwt.TypeNone, `{"sub":"alice"}`)
	for _, tc := range []struct {
		name string
		tok  string
		args []string
		want verdict
	}{
		{"types: the type given", access, []string{"--types", "at+jwt", "--aud", "api"}, valid},
		{"types: another type", jwt(`{"sub":"alice"}`), []string{"--types", "at+jwt"}, "ErrPurpose"},
		{"types: no typ", untyped, []string{"--types", "none"}, valid},
		{"types: no typ, not listed", untyped, []string{"--types", "JWT,at+jwt"}, "ErrPurpose"},
		{"types: a session, not listed", session, []string{"--types", "none JWT at+jwt", "--accept-any-audience"}, "ErrPurpose"},
		{"types: the purpose before the audience", session, []string{"--types", "at+jwt", "--aud", "api"}, "ErrPurpose"},
		{"types: the audience after the purpose", session, []string{"--types", "session+jwt", "--aud", "api"}, "ErrAudience"},
		{"no --types: any type", session, []string{"--aud", "other", "--sub", "alice"}, valid},
		{"require-claim: present", jwt(`{"scope":"read"}`), []string{"--require-claim", "scope"}, valid},
		{"require-claim: present as null", jwt(`{"scope":null}`), []string{"--require-claim", "scope"}, valid},
		{"require-claim: absent", jwt(`{"sub":"alice"}`), []string{"--require-claim", "scope"}, "ErrMissingClaim"},
		{"require-claim: one of two absent", jwt(`{"scope":"read"}`), []string{"--require-claim", "scope", "--require-claim", "jti"}, "ErrMissingClaim"},
		{"require-claim: nested is not top-level", jwt(`{"x":{"scope":"read"}}`), []string{"--require-claim", "scope"}, "ErrMissingClaim"},
		{"require-claim: a registered claim", jwt(`{"exp":4102444800}`), []string{"--require-claim", "exp"}, valid},
		{"sub: equal", jwt(`{"sub":"alice"}`), []string{"--sub", "alice"}, valid},
		{"sub: escaped, equal once decoded", jwt(`{"sub":"\u0061lice"}`), []string{"--sub", "alice"}, valid},
		{"sub: another", jwt(`{"sub":"alicE"}`), []string{"--sub", "alice"}, "ErrSubject"},
		{"sub: a prefix", jwt(`{"sub":"alice2"}`), []string{"--sub", "alice"}, "ErrSubject"},
		{"sub: absent", jwt(`{"n":1}`), []string{"--sub", "alice"}, "ErrSubject"},
		{"sub: empty, absent", jwt(`{"n":1}`), []string{"--sub", ""}, "ErrSubject"},
		{"sub: empty, empty", jwt(`{"sub":""}`), []string{"--sub", ""}, valid},
		{"aud: the second of two", jwt(`{"aud":["b","z"]}`), []string{"--aud", "a", "--aud", "b"}, valid},
		{"aud: none of two", jwt(`{"aud":"c"}`), []string{"--aud", "a", "--aud", "b"}, "ErrAudience"},
		{"aud: absent, two required", jwt(`{"sub":"x"}`), []string{"--aud", "a", "--aud", "b"}, "ErrAudience"},
		{"iss: the second of two", jwt(`{"iss":"x"}`), []string{"--iss", "y", "--iss", "x"}, valid},
		{"iss: none of two", jwt(`{"iss":"z"}`), []string{"--iss", "y", "--iss", "x"}, "ErrIssuer"},
		{"iss: exact", jwt(`{"iss":"X"}`), []string{"--iss", "y", "--iss", "x"}, "ErrIssuer"},
		{"iss and aud: one pair", jwt(`{"iss":"b","aud":"d"}`), []string{"--iss", "a", "--iss", "b", "--aud", "c", "--aud", "d"}, valid},
		{"iss and aud: no pair", jwt(`{"iss":"b","aud":"e"}`), []string{"--iss", "a", "--iss", "b", "--aud", "c", "--aud", "d"}, "ErrIssuer"}, // the first pair's
		{"the reason that is not the pair's", jwt(`{"iss":"b","exp":1}`), []string{"--iss", "a", "--iss", "b"}, "ErrExpired"},
		{"max-auth-age: younger", jwt(`{"iat":1000}`), []string{"--now", "1060", "--max-auth-age", "61s"}, valid},
		{"max-auth-age: exactly that old", jwt(`{"iat":1000}`), []string{"--now", "1060", "--max-auth-age", "60s"}, "ErrAuthAge"},
		{"max-auth-age: the leeway does not extend it", jwt(`{"iat":1000}`), []string{"--now", "1060", "--leeway", "30s", "--max-auth-age", "60s"}, "ErrAuthAge"},
		{"max-auth-age: auth_time before iat", jwt(`{"iat":1050,"auth_time":1000}`), []string{"--now", "1060", "--max-auth-age", "30s"}, "ErrAuthAge"},
		{"max-auth-age: auth_time young", jwt(`{"iat":1000,"auth_time":1050}`), []string{"--now", "1060", "--max-auth-age", "30s"}, valid},
		{"max-auth-age: auth_time not a number", jwt(`{"iat":1050,"auth_time":"1050"}`), []string{"--now", "1060", "--max-auth-age", "30s"}, "ErrAuthAge"},
		{"max-auth-age: neither claim", jwt(`{"sub":"a"}`), []string{"--now", "1060", "--max-auth-age", "1h"}, "ErrAuthAge"},
		{"max-auth-age: 0s, no check", jwt(`{"sub":"a"}`), []string{"--max-auth-age", "0s"}, valid},
		{"a bad signature under the policy", jwt(`{"sub":"alice"}`) + "A", []string{"--sub", "alice"}, "ErrSignature"},
	} {
		args := append([]string{"verify", "--key", testKey}, tc.args...)
		code, out, errOut := cli(t, tc.tok+"\n", args...)
		ls := parseLines(t, out)
		if len(ls) != 1 || ls[0].verdict() != tc.want || errOut != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %s", tc.name, code, out, errOut, tc.want)
			continue
		}
		if want := map[bool]int{true: exitOK, false: exitInvalid}[tc.want == valid]; code != want {
			t.Errorf("%s: exit %d", tc.name, code)
		}
	}
	// A "sub" of the wrong type is the codec's refusal, before --sub.
	_, out, _ := cli(t, rawToken(`{"sub":7}`)+"\n", "verify", "--key", policyKey, "--sub", "7")
	if ls := parseLines(t, out); len(ls) != 1 || ls[0].verdict() != "ErrClaimType" {
		t.Errorf(`"sub":7: %q`, out)
	}
}

// Under the policy flags a token is still the whole line: bytes around it, which a header
// parser would trim or split on, make it invalid, never valid.
func TestVerifyPolicyWholeToken(t *testing.T) {
	tok := typedToken(t, fastjwt.TypeJWT, `{"sub":"alice"}`)
	for _, in := range []string{tok + " ", " " + tok, tok + "\t", "Bearer " + tok, tok + "," + tok, tok + "\r", ""} {
		code, out, _ := cli(t, in+"\n", "verify", "--key", testKey, "--sub", "alice")
		ls := parseLines(t, out)
		if code != exitInvalid || len(ls) != 1 || ls[0].Valid {
			t.Errorf("%q: exit %d, %q", in, code, out)
		}
	}
	// And a line of many tokens, each checked with every pair.
	var in strings.Builder
	for i := range 50 {
		fmt.Fprintf(&in, "%s\n", typedToken(t, fastjwt.TypeAccess, fmt.Sprintf(`{"sub":"u%d","aud":"b"}`, i%2)))
	}
	code, out, _ := cli(t, in.String(), "verify", "--key", testKey, "--aud", "a", "--aud", "b", "--types", "at+jwt", "--sub", "u0")
	ls := parseLines(t, out)
	if code != exitInvalid || len(ls) != 50 {
		t.Fatalf("exit %d, %d lines", code, len(ls))
	}
	for i, l := range ls {
		if want := map[bool]verdict{true: valid, false: "ErrSubject"}[i%2 == 0]; l.verdict() != want {
			t.Errorf("token %d: %s, want %s", i, l.verdict(), want)
		}
	}
}

// The policy flags' errors name the flag.
func TestVerifyPolicyFlagErrors(t *testing.T) {
	nine := []string{}
	for i := range 9 {
		nine = append(nine, "--aud", fmt.Sprint(i))
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--types", "id"}, `fastjwt verify: --types: unknown token type "id": none (no "typ"), JWT, at+jwt or session+jwt`},
		{[]string{"--types", ""}, "fastjwt verify: --types: no token type"},
		{[]string{"--require-claim", ""}, "fastjwt verify: --require-claim: empty: give the name of a claim"},
		{nine, "fastjwt verify: --aud: \"8\" is given more than 8 times"},
	} {
		code, out, errOut := cli(t, "x\n", append([]string{"verify", "--key", testKey}, tc.args...)...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", tc.args, code, out, errOut, tc.want)
		}
	}
}
