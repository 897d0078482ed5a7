package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
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
// 758 HS256 cases from the test suites of other JWT libraries, each run here through the CLI's
// verify path, in process (run, the function main calls), with the case's key, clock, leeway,
// issuer and audience. Our verdict is compared with the peer's. Every disagreement must be
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

// Peer options that have a CLI flag with the same meaning. Every other option is a peer option
// without a CLI flag, and a disagreement it causes needs a rule.
var (
	// Audience verification turned off: whoever uses the payload checks aud.
	optAnyAudience = []string{"options.verify_aud=False", "validate_aud=false"}
	// "iat" after now (plus leeway) refused (golang-jwt's WithIssuedAt).
	optFutureIat = []string{"WithIssuedAt"}
)

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
		// Every byte of the key is the secret. The peers have no minimum secret size; the short
		// keys of their tests are accepted by the flag for that (see TestPeerShortKeys).
		r.args = append(r.args, "--key-file", path, "--key-file-raw")
		if len(key) < 32 {
			r.args = append(r.args, "--allow-short-key")
		}
	}
	if c.Leeway != nil {
		r.args = append(r.args, "--leeway", *c.Leeway)
	}
	if c.Iss != nil {
		r.args = append(r.args, "--iss", *c.Iss)
	}
	if c.Aud != nil {
		r.args = append(r.args, "--aud", *c.Aud)
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
		name: "alg-not-hs256",
		text: `The algorithm is HS256, from configuration: a token whose "alg" is anything else (HS384, RS256, ES256, EdDSA, none) is refused (ErrAlgorithm), and the asymmetric keys such peers verify with are refused as HMAC secrets.`,
		explains: func(r *peerRun) bool {
			alg, _ := r.member(0, "alg")
			return !r.our.valid() && string(alg) != `"HS256"` &&
				(r.our.name == "ErrAlgorithm" || r.our.name == "usage" && strings.Contains(r.our.msg, "not an HMAC secret"))
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
		text: `--aud is one exact audience, found in a string or an array "aud": peer audience options with several values, patterns (regular expressions), "all of" semantics or PyJWT's strict_aud (a string "aud" only) have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.c.option(audienceOptions...) &&
				(r.our.valid() || r.our.name == "ErrAudience")
		},
	},
	{
		name: "expected-claim-option-without-flag",
		text: `The CLI checks iss (one exact value) and aud; expected sub, jti or nonce values, issuer lists and custom validators are the caller's to check and have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("subject=", "sub=", "WithSubject(", "jwtid=", "nonce=", "issuer=", "custom ClaimsValidator")
		},
	},
	{
		name: "required-claim-option-without-flag",
		text: `No registered claim is required: a token without exp, nbf, iat, iss, sub or jti is valid unless --iss or --aud asks for one; peer options (and jsonwebtoken-rs's default) that require a claim have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("options.require=", "requiredClaims=", "required_spec_claims=",
				"WithExpirationRequired", "WithNotBeforeRequired", "required sub")
		},
	},
	{
		name: "max-age-option-without-flag",
		text: `Token age limits beyond exp (maxAge, maxTokenAge, reject_tokens_expiring_in_less_than) are the caller's policy and have no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("maxAge=", "maxTokenAge=", "reject_tokens_expiring_in_less_than=")
		},
	},
	{
		name: "typ-option-without-flag",
		text: `The CLI does not check "typ": the library reports it (Claims.Type) for the layers above to accept a token only for its purpose; a peer option expecting a typ has no CLI flag.`,
		explains: func(r *peerRun) bool {
			return r.our.valid() && r.c.option("typ=")
		},
	},
	{
		name: "algorithm-option-without-flag",
		text: `The algorithm is fixed (HS256) and not chosen per call: peer options that allow only other algorithms, allow none, or are missing (PyJWT requires the algorithms argument) have no CLI flag.`,
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
		for _, f := range []string{"--accept-any-audience", "--reject-future-iat"} {
			if slices.Contains(r.args, f) {
				mapped[f]++
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
	for _, f := range []string{"--accept-any-audience", "--reject-future-iat"} {
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
