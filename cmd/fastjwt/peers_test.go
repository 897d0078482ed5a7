package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The peer test-suite cases (testdata/peers/cases.json, described in testdata/peers/README.md):
// 758 cases from the test suites of other JWT libraries, each run here through the CLI's verify
// path, in process (run, the function main calls), with the case's key (a secret, or a public
// key with the --alg its peer allows), clock, leeway, issuer and audience, and the peer options
// that verify's flags express. Our verdict is compared with the peer's. Every disagreement must be
// explained by one of the written policy rules below, and every rule must explain at least one
// case: an unexplained disagreement and a stale rule both fail the test.

// peerCase is one case of cases.json.
type peerCase struct {
	ID     string `json:"id"`
	Suite  string `json:"suite"`
	Source struct {
		Repo   string `json:"repo"`
		Commit string `json:"commit"`
		Path   string `json:"path"`
		Test   string `json:"test"`
	} `json:"source"`
	Kind        string          `json:"kind"`
	Token       string          `json:"token"`
	KeyHex      *string         `json:"key_hex"`
	KeyDesc     *string         `json:"key_desc"`
	Now         string          `json:"now"`
	Leeway      *string         `json:"leeway"`
	Iss         *string         `json:"iss"`
	Aud         *string         `json:"aud"`
	Level       string          `json:"level"` // "jwt": the peer validated claims; "jws": the signature only
	Expected    string          `json:"expected"`
	PeerError   *string         `json:"peer_error"`
	Unmapped    []string        `json:"unmapped"` // the peer's verify options, as the peer's test gave them
	Lax         []string        `json:"lax"`
	Notes       *string         `json:"notes"`
	PeerPayload json.RawMessage `json:"peer_payload"`
	TokenAlg    *string         `json:"token_alg"`
}

// option reports whether one of the peer's options starts with one of prefixes.
func (c *peerCase) option(prefixes ...string) bool {
	for _, o := range c.Unmapped {
		for _, p := range prefixes {
			if strings.HasPrefix(o, p) {
				return true
			}
		}
	}
	return false
}

// Peer options that have a CLI flag with the same meaning (see peerFlags). Every other option is
// a peer option without a CLI flag, and a disagreement it causes needs a rule.
var (
	// Audience verification turned off: whoever uses the payload checks aud.
	optAnyAudience = []string{"options.verify_aud=False", "validate_aud=false"}
	// "iat" after now (plus leeway) refused (golang-jwt's WithIssuedAt).
	optFutureIat = []string{"WithIssuedAt"}
)

// peerFlags are the flags given for peer options (the case's own key, clock, leeway, issuer and
// audience aside): each must be given for some case, or its mapping is stale.
var peerFlags = []string{"--accept-any-audience", "--reject-future-iat", "--alg", "--sub", "--require-claim", "--max-auth-age"}

// countArg returns how many times flag is in args.
func countArg(args []string, flag string) int {
	n := 0
	for _, a := range args {
		if a == flag {
			n++
		}
	}
	return n
}

// outcome is what the CLI said about a case.
type outcome struct {
	code    int             // exit status
	name    string          // "" when valid; else the sentinel's name, or "usage" for exit status 2
	msg     string          // the error's text (for "usage", the whole message on stderr)
	payload json.RawMessage // the verified payload
}

func (o outcome) valid() bool { return o.code == exitOK }

func (o outcome) String() string {
	if o.valid() {
		return "valid"
	}
	return o.name + ": " + o.msg
}

// peerRun is one case and how the CLI was run on it.
type peerRun struct {
	c    *peerCase
	args []string // the verify arguments, without the command name
	our  outcome
	t    *testing.T
}

// verify runs `fastjwt verify` on the case's token with args.
func (r *peerRun) verify(args []string) outcome {
	var out, errOut bytes.Buffer
	code := run(append([]string{"verify"}, args...), strings.NewReader(r.c.Token), &out, &errOut)
	o := outcome{code: code}
	switch code {
	case exitOK, exitInvalid:
		var l struct {
			Valid   bool            `json:"valid"`
			Payload json.RawMessage `json:"payload"`
			Error   string          `json:"error"`
		}
		if err := json.Unmarshal(out.Bytes(), &l); err != nil || l.Valid != (code == exitOK) {
			r.t.Fatalf("%s: exit %d, output %q: %v", r.c.ID, code, out.String(), err)
		}
		if !l.Valid {
			o.name, o.msg, _ = strings.Cut(l.Error, ": ")
		}
		o.payload = l.Payload
	case exitUsage:
		o.name, o.msg = "usage", strings.TrimSpace(errOut.String())
		if out.Len() != 0 {
			r.t.Fatalf("%s: usage error, and output %q", r.c.ID, out.String())
		}
	default:
		r.t.Fatalf("%s: exit status %d", r.c.ID, code)
	}
	return o
}

// rerun verifies the case again with extra flags: a rule that says "this flag is the whole
// difference" proves it.
func (r *peerRun) rerun(extra ...string) outcome {
	return r.verify(append(slices.Clone(r.args), extra...))
}

// newPeerRun runs the case with the CLI flags its configuration calls for.
func newPeerRun(t *testing.T, dir string, c *peerCase) *peerRun {
	r := &peerRun{c: c, t: t, args: []string{"--raw", "--now", c.Now}}
	if c.KeyHex != nil {
		key, err := hex.DecodeString(*c.KeyHex)
		if err != nil {
			t.Fatalf("%s: key_hex: %v", c.ID, err)
		}
		path := filepath.Join(dir, strings.ReplaceAll(c.ID, "#", "-")+".key")
		if err := os.WriteFile(path, key, 0o600); err != nil {
			t.Fatal(err)
		}
		if alg := r.publicKeyAlg(key); alg != "" {
			// A public key (PEM, OpenSSH): the algorithm the peer's configuration allows for it.
			r.args = append(r.args, "--alg", alg, "--key-file", path)
		} else {
			// Every byte of the key is the secret. The peers have no minimum secret size; the
			// short keys of their tests are accepted by the flag for that (see
			// TestPeerShortKeys).
			r.args = append(r.args, "--key-file", path, "--key-file-raw")
			if len(key) < 32 {
				r.args = append(r.args, "--allow-short-key")
			}
		}
	}
	if c.Leeway != nil {
		r.args = append(r.args, "--leeway", *c.Leeway)
	}
	isses, auds, subject, required := r.partyOptions()
	if c.Iss != nil && !slices.Contains(isses, *c.Iss) {
		isses = append(isses, *c.Iss)
	}
	if c.Aud != nil && !slices.Contains(auds, *c.Aud) {
		auds = append(auds, *c.Aud)
	}
	for _, v := range isses {
		r.args = append(r.args, "--iss", v)
	}
	for _, v := range auds {
		r.args = append(r.args, "--aud", v)
	}
	if subject != nil {
		r.args = append(r.args, "--sub", *subject)
	}
	for _, v := range required {
		r.args = append(r.args, "--require-claim", v)
	}
	if age := r.maxAge(); age != "" {
		r.args = append(r.args, "--max-auth-age", age)
	}
	if c.option(optAnyAudience...) {
		r.args = append(r.args, "--accept-any-audience")
	}
	if c.option(optFutureIat...) {
		r.args = append(r.args, "--reject-future-iat")
	}
	r.our = r.verify(r.args)
	return r
}

// cliAlgs are the algorithms of the CLI, by the key types that serve them.
var cliAlgs = map[string][]string{"RSA": {"RS256", "PS256"}, "EC P-256": {"ES256"}, "Ed25519": {"EdDSA"}}

// publicKeyAlg returns the --alg to verify the case with when its key is a public key (a PEM key
// or certificate, or an OpenSSH public key), or "" for a secret. It is the algorithm the peer's
// configuration allows for the key: its single "algorithms" entry, or, when it allows several for
// the key's type (node-jsonwebtoken allows RS256 and PS256 for an RSA key), the one of them the
// token names, as the peer would accept either and the CLI verifies one per run. An HS256 token
// under a public key, with no "algorithms" option, is run as HS256 with the key as its secret.
func (r *peerRun) publicKeyAlg(key []byte) string {
	keyType := ""
	switch {
	case bytes.HasPrefix(key, []byte("ssh-rsa ")):
		keyType = "RSA"
	case bytes.HasPrefix(key, []byte("ecdsa-sha2-nistp256 ")):
		keyType = "EC P-256"
	case bytes.HasPrefix(key, []byte("ssh-ed25519 ")):
		keyType = "Ed25519"
	case bytes.Contains(key, []byte("-----BEGIN ")):
		keyType = pemKeyType(key)
	}
	algs := cliAlgs[keyType]
	if len(algs) == 0 {
		return "" // a secret, or a key of a type the CLI has no algorithm for
	}
	for _, o := range r.c.Unmapped {
		if list, ok := strings.CutPrefix(o, "algorithms="); ok {
			if v := listValues(list); len(v) == 1 && slices.Contains(algs, v[0]) {
				return v[0]
			}
			return "" // algorithms of the peer the CLI does not have
		}
	}
	alg, _ := r.member(0, "alg")
	name := strings.Trim(string(alg), `"`)
	switch {
	case name == "HS256":
		// An HS256 token and a public key, with no algorithm limiting the peer: the key is run
		// as the HMAC secret, the confusion that both sides must refuse (GHSA-ffqj-6fqr-9h24).
		return ""
	case slices.Contains(algs, name):
		return name
	}
	return algs[0]
}

// pemKeyType returns the type of the public key in a PEM text: "RSA", "EC P-256", "Ed25519", or
// "" for anything else.
func pemKeyType(text []byte) string {
	block, _ := pem.Decode(text)
	if block == nil {
		return ""
	}
	var pub any
	switch block.Type {
	case "CERTIFICATE":
		if cert, err := x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	case "PUBLIC KEY":
		var err error
		if pub, err = x509.ParsePKIXPublicKey(block.Bytes); err != nil && bytes.Contains(block.Bytes, oidECPublicKey) {
			return "EC P-256" // explicit curve parameters, which x509 does not read: for ES256 all the same
		}
	case "RSA PUBLIC KEY":
		pub, _ = x509.ParsePKCS1PublicKey(block.Bytes)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "EC P-256"
		}
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return ""
}

// oidECPublicKey is the DER of id-ecPublicKey (RFC 5480 sec. 2.1.1).
var oidECPublicKey = []byte{0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}

// listValues reads the values of a peer option's list, as the peers' tests print them: a
// Python or JSON list (['a', 'b'], ["a", "b"]), a set ({a}), or Go and Rust arguments (a, b).
// An element that is not a plain string (a pattern, a number) makes the list unreadable: nil.
func listValues(s string) []string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "regex") {
		return nil
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	if len(s) >= 2 && (s[0] == '[' && s[len(s)-1] == ']' || s[0] == '{' && s[len(s)-1] == '}') {
		s = s[1 : len(s)-1]
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if len(e) >= 2 && (e[0] == '\'' || e[0] == '"') && e[len(e)-1] == e[0] {
			e = e[1 : len(e)-1]
		}
		if e == "" || e == "null" || strings.ContainsAny(e, "'\"{}[]()") {
			return nil
		}
		out = append(out, e)
	}
	return out
}

// partyOptions reads the peer options that verify's policy flags express: issuer and audience
// lists (any of them, as --iss and --aud repeated), an expected subject (--sub), and required
// claims (--require-claim).
func (r *peerRun) partyOptions() (isses, auds []string, subject *string, required []string) {
	for _, o := range r.c.Unmapped {
		name, value, _ := strings.Cut(o, "=")
		if i := strings.IndexByte(o, '('); i > 0 && (!strings.Contains(o, "=") || i < len(name)) {
			name, value = o[:i], o[i:]
		}
		switch name {
		case "issuer", "set_issuer":
			isses = append(isses, listValues(value)...)
		case "audience", "WithAudience", "set_audience":
			if v := listValues(value); len(v) > 1 {
				auds = append(auds, v...)
			}
		case "subject", "sub", "WithSubject":
			v := listValues(value)
			if len(v) == 1 {
				subject = &v[0]
			}
		case "options.require", "requiredClaims", "required_spec_claims":
			value, _, _ = strings.Cut(value, " ")
			required = append(required, listValues(value)...)
		case "WithExpirationRequired":
			required = append(required, "exp")
		case "WithNotBeforeRequired":
			required = append(required, "nbf")
		case "required sub":
			required = append(required, "sub")
		}
	}
	return isses, auds, subject, slices.Compact(required)
}

// peerSpan is a time span as node-jsonwebtoken's maxAge (vercel/ms) and jose's maxTokenAge
// write it: "30s", "1 min", "2h", "1 day".
var peerSpan = regexp.MustCompile(`^(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hrs?|hours?|d|days?)$`)

// maxAge returns the --max-auth-age of the peer's maxAge or maxTokenAge option (an age of "iat"
// that is refused from then on), or "" without one, or for one --max-auth-age cannot say: zero
// (which --max-auth-age reads as no limit), negative, or not a span.
func (r *peerRun) maxAge() string {
	for _, o := range r.c.Unmapped {
		name, value, _ := strings.Cut(o, "=")
		if name != "maxAge" && name != "maxTokenAge" {
			continue
		}
		value = strings.Trim(value, `"`)
		n, unit := value, "s" // a number is seconds
		if m := peerSpan.FindStringSubmatch(value); m != nil {
			n, unit = m[1], m[2][:1]
		} else if !allDigits(value) {
			return ""
		}
		v, err := strconv.Atoi(n)
		if err != nil || v <= 0 {
			return ""
		}
		if unit == "d" {
			v, unit = v*24, "h"
		}
		return strconv.Itoa(v) + unit
	}
	return ""
}

// segment returns the decoded i-th segment of the token, leniently (padding allowed), or nil.
func (r *peerRun) segment(i int) []byte {
	parts := strings.Split(r.c.Token, ".")
	if i >= len(parts) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
	if err != nil {
		return nil
	}
	return b
}

// member returns the raw JSON value of a member of the decoded header (seg 0) or payload (1).
func (r *peerRun) member(seg int, name string) (json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(r.segment(seg), &m) != nil {
		return nil, false
	}
	v, ok := m[name]
	return v, ok
}

// canonical reports whether every segment is canonical unpadded base64url (RFC 7515 sec. 2).
func (r *peerRun) canonical() bool {
	for _, p := range strings.Split(r.c.Token, ".") {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != p {
			return false
		}
	}
	return true
}

// A policyRule is a written difference between this project's policy and a peer's: name, the
// rule as documented in testdata/peers/README.md, and a predicate over the case and our outcome
// that says whether the rule is what makes our verdict differ from the peer's.
type policyRule struct {
	name, text string
	explains   func(r *peerRun) bool
}

// peerOptionError matches the errors peers raise for a bad option value, before looking at the token.
var peerOptionError = regexp.MustCompile(`TypeError|must be a non-empty string|should be a number of seconds|option input`)

// claimErrors are the errors of the claims checks (as opposed to the token's form and MAC).
var claimErrors = []string{"ErrExpired", "ErrNotYetValid", "ErrIssuer", "ErrAudience", "ErrClaimType"}

// policyRules, in the order they are tried: a disagreement is explained by the first rule whose
// predicate holds. Each predicate checks both sides: the case has the property the rule is about,
// and our outcome is the one the rule produces.
var policyRules = []policyRule{
	{
		name: "alg-not-configured",
		text: `The algorithm is the one configured (--alg, HS256 by default), one of HS256, RS256, PS256, ES256 and EdDSA: a token of another algorithm (HS384, HS512, RS384, RS512, none), or an RS256 token of a case whose peer verified with a key set the case does not carry (the CLI is given the suite's HMAC key), is refused (ErrAlgorithm), and public keys given as the HMAC secret are refused as such.`,
		explains: func(r *peerRun) bool {
			alg, _ := r.member(0, "alg")
			return !r.our.valid() && string(alg) != `"HS256"` &&
				(r.our.name == "ErrAlgorithm" || r.our.name == "usage" && strings.Contains(r.our.msg, "not an HMAC secret"))
		},
	},
	{
		name: "explicit-curve-key",
		text: `EC keys with explicit curve parameters are refused (with the fix: openssl ec -param_enc named_curve): RFC 5480 sec. 2.1.1 requires the curve's name, and parameters spelled out may describe another curve than they seem to; node-jsonwebtoken's ES256 fixtures are such keys.`,
		explains: func(r *peerRun) bool {
			return r.our.name == "usage" && strings.Contains(r.our.msg, "explicit curve parameters")
		},
	},
	{
		name: "openssh-public-key",
		text: `OpenSSH public keys (ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256 lines) are not read as keys, only refused as HMAC secrets: PEM and JWK are the key formats (the CLI says how to convert one); PyJWT reads them.`,
		explains: func(r *peerRun) bool {
			return r.our.name == "usage" && strings.Contains(r.our.msg, "an OpenSSH public key, which is not read")
		},
	},
	{
		name: "peer-key-not-bytes",
		text: `The CLI takes the secret as bytes. A case whose peer was given a key object, a key-selection callback or no key has no secret to pass: verify refuses to run without a key.`,
		explains: func(r *peerRun) bool {
			return r.c.KeyHex == nil && r.our.name == "usage" && strings.Contains(r.our.msg, "missing key")
		},
	},
	{
		name: "signature-check-disabled",
		text: `The MAC is always checked: peer options that skip it (PyJWT verify_signature=False, jsonwebtoken-rs insecure_decode) have no CLI flag; such cases carry no key, an empty key or a wrong MAC.`,
		explains: func(r *peerRun) bool {
			return r.c.option("options.verify_signature=False", "insecure_decode") &&
				(r.our.name == "ErrSignature" || r.our.name == "usage" && strings.Contains(r.our.msg, "key"))
		},
	},
	{
		name: "non-canonical-base64url",
		text: `Every segment is canonical unpadded base64url (RFC 7515 sec. 2, RFC 4648 sec. 3.5): "=" padding and non-zero unused bits are refused (ErrMalformed; a padded signature is not 32 bytes, ErrSignature).`,
		explains: func(r *peerRun) bool {
			return !r.canonical() && (r.our.name == "ErrMalformed" && strings.Contains(r.our.msg, "base64url") ||
				r.our.name == "ErrSignature" && strings.Contains(r.our.msg, "not 32 bytes"))
		},
	},
	{
		name: "crit",
		text: `A header with "crit" is refused (ErrUnsupported): RFC 7515 sec. 4.1.11 requires understanding every listed extension, and the codec implements none.`,
		explains: func(r *peerRun) bool {
			_, crit := r.member(0, "crit")
			return crit && r.our.name == "ErrUnsupported" && strings.Contains(r.our.msg, `"crit"`)
		},
	},
	{
		name: "b64-false",
		text: `"b64" other than true (RFC 7797 unencoded or detached payloads) is refused (ErrUnsupported), with or without "crit".`,
		explains: func(r *peerRun) bool {
			b64, ok := r.member(0, "b64")
			return ok && string(b64) != "true" && r.our.name == "ErrUnsupported" && strings.Contains(r.our.msg, `"b64"`)
		},
	},
	{
		name: "detached-content",
		text: `A JWS with detached content (RFC 7515 appendix F) carries an empty payload; the CLI verifies the token as given and has no flag to supply the content.`,
		explains: func(r *peerRun) bool {
			return r.c.option("detached payload", "detached_payload") && r.our.name == "ErrSignature"
		},
	},
	{
		name: "non-object-payload",
		text: `The payload is one JSON object (RFC 7519 sec. 7.2): a JWS whose payload is text, a number, a string or compressed bytes is refused (ErrMalformed).`,
		explains: func(r *peerRun) bool {
			var m map[string]json.RawMessage
			return r.our.name == "ErrMalformed" && json.Unmarshal(r.segment(1), &m) != nil
		},
	},
	{
		name: "aud-null",
		text: `"aud": null is a type error (ErrClaimType): RFC 7519 sec. 4.1.3 allows a string or an array of strings; peers read null as absent.`,
		explains: func(r *peerRun) bool {
			aud, _ := r.member(1, "aud")
			return string(aud) == "null" && r.our.name == "ErrClaimType"
		},
	},
	{
		name: "claim-type",
		text: `Registered claims have their RFC 7519 types, checked on every verify (ErrClaimType): "iat" a number (not a numeric string), "iss" a string (not an array).`,
		explains: func(r *peerRun) bool {
			return r.our.name == "ErrClaimType" && strings.Contains(r.our.msg, "is not a")
		},
	},
	{
		name: "jws-level",
		text: `The peer verified the JWS only, not the JWT's claims; the CLI verifies a JWT and always applies exp, nbf and the audience rule.`,
		explains: func(r *peerRun) bool {
			return r.c.Level == "jws" && slices.Contains(claimErrors, r.our.name)
		},
	},
	{
		name: "time-checks-disabled",
		text: `exp and nbf are always checked: peer options that skip them (verify_exp/verify_nbf=False, ignoreExpiration, ignoreNotBefore, validate_exp=false, WithoutClaimsValidation) have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.c.option("options.verify_exp=False", "options.verify_nbf=False", "ignoreExpiration=true",
				"ignoreNotBefore=true", "validate_exp=false", "WithoutClaimsValidation") &&
				(r.our.name == "ErrExpired" || r.our.name == "ErrNotYetValid")
		},
	},
	{
		name: "invalid-option-value",
		text: `The peer refused a value of its own options (maxAge=true, nonce=1, clockTolerance, currentDate, audience=1: a TypeError or an option check), not the token; the CLI's flags cannot carry such values.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.PeerError != nil && peerOptionError.MatchString(*r.c.PeerError)
		},
	},
	{
		name: "audience-option-without-flag",
		text: `--aud is an exact audience, found in a string or an array "aud", and repeated it accepts any of its values: peer audience options with patterns (regular expressions), "all of" semantics, values that are not strings, or PyJWT's strict_aud (a string "aud" only) have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.c.option(audienceOptions...) &&
				(r.our.valid() || r.our.name == "ErrAudience")
		},
	},
	{
		name: "expected-claim-option-without-flag",
		text: `The CLI checks iss (--iss, any of several), sub (--sub) and aud; expected jti values, an empty issuer list (which node-jsonwebtoken and jose refuse as an option) and custom validators are the caller's to check and have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("jwtid=", "nonce=", "issuer=[]", "custom ClaimsValidator")
		},
	},
	{
		name: "nbf-boundary",
		text: `A token is valid from its "nbf" on, at that instant included (RFC 7519 sec. 4.1.5: not before); the peer's case refuses a token whose "nbf" is the clock's time.`,
		explains: func(r *peerRun) bool {
			nbf, _ := r.member(1, "nbf")
			return r.our.valid() && string(nbf) == r.c.Now
		},
	},
	{
		name: "max-age-option-without-flag",
		text: `--max-auth-age (the peers' maxAge and maxTokenAge, run with it) refuses a token from its "iat" plus the age on; the age options it cannot say have no flag: a zero age (--max-auth-age 0s is no limit), jose's refusal of an "iat" in the future once maxTokenAge is set, a value that is not a time span, and jsonwebtoken-rs's reject_tokens_expiring_in_less_than.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("maxAge=", "maxTokenAge=", "reject_tokens_expiring_in_less_than=")
		},
	},
	{
		name: "typ-option-without-flag",
		text: `--types takes the token types the library tells apart (none, JWT, at+jwt, session+jwt), as the gateway does; a peer option expecting another "typ" (urn:example:typ, text/plain, "") has no --types value.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("typ=")
		},
	},
	{
		name: "algorithm-option-without-flag",
		text: `The algorithm is one, from --alg (HS256 by default), not a list chosen per call: peer options that allow only algorithms the CLI does not have, allow none, or are missing (PyJWT requires the algorithms argument) have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("algorithms=", "algorithms not given", "Validation::new(")
		},
	},
	{
		name: "aud-without-audience",
		text: `A token carrying "aud" (even "" or []) is refused (ErrAudience) when no audience is configured (RFC 7519 sec. 4.1.3: the recipient must identify itself with a value in "aud"), unless --accept-any-audience; these peers accept it by default.`,
		explains: func(r *peerRun) bool {
			return r.c.Aud == nil && r.our.name == "ErrAudience" && strings.Contains(r.our.msg, "no audience is configured") &&
				r.rerun("--accept-any-audience").valid()
		},
	},
	{
		name: "future-iat-off-by-default",
		text: `An "iat" in the future is accepted unless --reject-future-iat (off by default: RFC 7519 sec. 4.1.6 sets no validation rule for iat); these peers refuse it by default.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.rerun("--reject-future-iat").name == "ErrNotYetValid"
		},
	},
}

// policyAgreements are rules of this project's policy that some peers share: RFC 7519 sec. 4.1.3
// for "aud" (PyJWT, jsonwebtoken-rs), PyJWT's fix for GHSA-ffqj-6fqr-9h24 (and node-jsonwebtoken's
// check) for key material. The cases in which such a peer refuses a token for that reason must
// agree with ours, refused for the same reason; each agreement lists them, and none may be empty.
// (An HS256 case refused for key material that disagrees has no rule to explain it; the peers
// that do not implement the audience rule disagree under the rule "aud-without-audience".)
var policyAgreements = []struct {
	name, text string
	decides    func(r *peerRun) bool
}{
	{
		name: "aud-without-audience",
		text: `a token carrying "aud", verified with no audience configured, is refused`,
		decides: func(r *peerRun) bool {
			return r.c.Expected == "invalid" && r.c.Aud == nil && !r.c.option(audienceOptions...) &&
				(r.c.PeerError == nil || strings.Contains(strings.ToLower(*r.c.PeerError), "aud")) &&
				r.our.name == "ErrAudience" && strings.Contains(r.our.msg, "no audience is configured") &&
				r.rerun("--accept-any-audience").valid()
		},
	},
	{
		name: "key-material",
		text: `asymmetric key material (PEM, OpenSSH public key, non-oct JWK) is refused as an HMAC secret`,
		decides: func(r *peerRun) bool {
			alg, _ := r.member(0, "alg")
			return string(alg) == `"HS256"` && r.our.name == "usage" && strings.Contains(r.our.msg, "not an HMAC secret")
		},
	},
}

// audienceOptions are the peers' audience options; --aud has the meaning of the simplest of them.
var audienceOptions = []string{"audience=", "WithAudience(", "WithAllAudiences(", "set_audience(", "options.strict_aud="}

func loadPeerCases(t *testing.T) []peerCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "peers", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []peerCase `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&struct {
		Commits map[string]string `json:"commits"`
		Cases   *[]peerCase       `json:"cases"`
	}{Cases: &file.Cases}); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) != 758 {
		t.Fatalf("%d cases, want 758", len(file.Cases))
	}
	return file.Cases
}

// sameJSON reports whether two JSON texts are the same value (numbers compared as decimals).
func sameJSON(a, b []byte) bool {
	var va, vb any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&va) != nil || db.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(normalizeNumbers(va), normalizeNumbers(vb))
}

// normalizeNumbers replaces json.Numbers by their float64 value, so that 1 and 1.0 compare equal.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x)
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

func TestPeerCases(t *testing.T) {
	cases := loadPeerCases(t)
	dir := t.TempDir()
	explained := make(map[string][]string) // rule name -> case IDs
	agree := map[string]int{}              // expected verdict -> count
	var unexplained []string
	decided := make(map[string][]string) // policy agreement name -> case IDs
	mapped := map[string]int{}           // flag given for a peer option -> cases
	for i := range cases {
		c := &cases[i]
		if c.Expected != "valid" && c.Expected != "invalid" {
			t.Fatalf("%s: expected %q", c.ID, c.Expected)
		}
		r := newPeerRun(t, dir, c)
		for _, f := range peerFlags {
			if slices.Contains(r.args, f) {
				mapped[f]++
			}
		}
		for _, f := range []string{"--iss", "--aud"} {
			if n := countArg(r.args, f); n > 1 {
				mapped["several "+f]++
			}
		}
		if r.our.valid() == (c.Expected == "valid") {
			// Where the peer reported the payload it accepted, ours is the same JSON value.
			if r.our.valid() && c.PeerPayload != nil && string(c.PeerPayload) != "null" && !sameJSON(r.our.payload, c.PeerPayload) {
				t.Errorf("%s: payload %s, the peer's %s", c.ID, r.our.payload, c.PeerPayload)
			}
			agree[c.Expected]++
			for _, a := range policyAgreements {
				if a.decides(r) {
					decided[a.name] = append(decided[a.name], c.ID)
				}
			}
			continue
		}
		i := slices.IndexFunc(policyRules, func(p policyRule) bool { return p.explains(r) })
		if i < 0 {
			unexplained = append(unexplained, fmt.Sprintf("%s (%s %q, %s): peer %s, ours %v; options %q, args %q",
				c.ID, c.Source.Path, c.Source.Test, c.Kind, c.Expected, r.our, c.Unmapped, r.args))
			continue
		}
		explained[policyRules[i].name] = append(explained[policyRules[i].name], c.ID)
	}

	total := agree["valid"] + agree["invalid"]
	t.Logf("peer cases: %d, agree %d (valid %d, invalid %d), disagree %d", len(cases), total,
		agree["valid"], agree["invalid"], len(cases)-total)
	for _, p := range policyRules {
		t.Logf("  %-36s %3d  %s", p.name, len(explained[p.name]), strings.Join(explained[p.name], " "))
	}
	for _, f := range append(slices.Clone(peerFlags), "several --iss", "several --aud") {
		t.Logf("  peer options run as %-24s %3d", f, mapped[f])
		if mapped[f] == 0 {
			t.Errorf("no case runs with %s: its peer option mapping is stale", f)
		}
	}
	for _, a := range policyAgreements {
		t.Logf("  agreement %-26s %3d  %s", a.name, len(decided[a.name]), strings.Join(decided[a.name], " "))
		if len(decided[a.name]) == 0 {
			t.Errorf("no case agrees by %q (%s)", a.name, a.text)
		}
	}
	for _, u := range unexplained {
		t.Errorf("unexplained disagreement: %s", u)
	}
	for _, p := range policyRules {
		if len(explained[p.name]) == 0 {
			t.Errorf("stale rule %q: it explains no case", p.name)
		}
	}
	checkPeersReadme(t, len(cases), total, explained, decided)
}

// checkPeersReadme requires testdata/peers/README.md to list every rule and every policy agreement
// with its current count, and the agreement count, so that the documented policy differences are
// the tested ones.
func checkPeersReadme(t *testing.T, cases, agree int, explained, decided map[string][]string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "testdata", "peers", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (\\d+) \\|").FindAllStringSubmatch(string(readme), -1)
	documented := map[string]int{}
	for _, m := range rows {
		n, _ := strconv.Atoi(m[2])
		documented[m[1]] = n
	}
	for _, p := range policyRules {
		n, ok := documented[p.name]
		switch {
		case !ok:
			t.Errorf("README.md: rule %q is not documented", p.name)
		case n != len(explained[p.name]):
			t.Errorf("README.md: rule %q explains %d cases, documented %d", p.name, len(explained[p.name]), n)
		}
		delete(documented, p.name)
	}
	for name := range documented {
		t.Errorf("README.md documents rule %q, which the test does not have", name)
	}
	rows = regexp.MustCompile("(?m)^\\| agreement `([a-z0-9-]+)` \\| (\\d+) \\|").FindAllStringSubmatch(string(readme), -1)
	documented = map[string]int{}
	for _, m := range rows {
		n, _ := strconv.Atoi(m[2])
		documented[m[1]] = n
	}
	for _, a := range policyAgreements {
		if n, ok := documented[a.name]; !ok || n != len(decided[a.name]) {
			t.Errorf("README.md: agreement %q: %d cases, documented %d (present %v)", a.name, len(decided[a.name]), n, ok)
		}
		delete(documented, a.name)
	}
	for name := range documented {
		t.Errorf("README.md documents agreement %q, which the test does not have", name)
	}
	if want := fmt.Sprintf("%d of the %d cases agree", agree, cases); !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not say %q", want)
	}
}

// The peers accept short secrets; the harness gives --allow-short-key for them. Without it,
// every case with a short key is refused before any token is read.
func TestPeerShortKeys(t *testing.T) {
	dir := t.TempDir()
	n := 0
	for _, c := range loadPeerCases(t) {
		if c.KeyHex == nil || len(*c.KeyHex) == 0 || len(*c.KeyHex)/2 >= 32 {
			continue
		}
		r := newPeerRun(t, dir, &c)
		args := slices.DeleteFunc(slices.Clone(r.args), func(a string) bool { return a == "--allow-short-key" })
		if o := r.verify(args); o.name != "usage" || !strings.Contains(o.msg, "32") {
			t.Errorf("%s: a %d-byte key without --allow-short-key: %v", c.ID, len(*c.KeyHex)/2, o)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no case with a short key")
	}
}
