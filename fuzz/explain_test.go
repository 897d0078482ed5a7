package fuzz

import (
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
	"github.com/golang-jwt/jwt/v5"
)

// TestExplanations pins each class of explained disagreement to one input that shows it: the
// codec and golang-jwt must disagree on it, and exactly the named class (among possibly others)
// must explain it. It keeps the classifiers from silently going stale.
func TestExplanations(t *testing.T) {
	hdr := []byte(`{"alg":"HS256","typ":"JWT"}`)
	cases := []struct {
		class           string
		header, payload string
		mut             uint32
	}{
		{"crlf-in-base64", string(hdr), `{"a":1}`, 1 | 1<<4 | 3<<8},
		{"crlf-in-base64", string(hdr), `{"a":1}`, 6 | 10<<8},
		{"duplicate-names", `{"alg":"none","alg":"HS256"}`, `{}`, 0},
		{"duplicate-names", string(hdr), `{"a":1,"a":2}`, 0},
		{"invalid-utf8", string(hdr), "{\"a\":\"\xff\"}", 0},
		{"unpaired-surrogate", string(hdr), `{"a":"\udc00"}`, 0},
		{"nesting-depth", string(hdr), strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65), 0},
		{"unsupported-header-parameter", `{"alg":"HS256","crit":["exp"],"exp":1}`, `{}`, 0},
		{"unsupported-header-parameter", `{"alg":"HS256","b64":false}`, `{}`, 0},
		{"kid-typ-type", `{"alg":"HS256","kid":1}`, `{}`, 0},
		{"unvalidated-claim-type", string(hdr), `{"aud":5}`, 0},
		{"payload-not-one-object", string(hdr), `null`, 0},
		{"payload-not-one-object", string(hdr), `{}]`, 0},
		{"header-number-overflow", `{"alg":"HS256","x":1e400}`, `{}`, 0},
		{"header-size", `{"alg":"HS256","x":"` + strings.Repeat("a", 3100) + `"}`, `{}`, 0},
		{"numericdate-precision", string(hdr), `{"exp":1700000000.7}`, 0},
		{"numericdate-range", string(hdr), `{"iat":1e400}`, 0},
		{"numericdate-range", string(hdr), `{"nbf":-1e30}`, 0},
		{"numericdate-range", string(hdr), `{"iat":1e30}`, 0},
	}
	c := newCodec(t, "", fastjwt.AcceptAnyAudience()) // golang-jwt checks aud only when asked to
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithStrictDecoding(),
		jwt.WithJSONNumber(), jwt.WithTimeFunc(clock))
	keyFunc := func(*jwt.Token) (any, error) { return fuzzSecret, nil }
	for _, tc := range cases {
		token := mutatedToken([]byte(tc.header), []byte(tc.payload), tc.mut)
		_, err := c.AppendVerify(nil, token)
		var ours error
		if err != nil {
			ours = sentinelOf(t, err, token)
		}
		_, theirs := parser.ParseWithClaims(string(token), jwt.MapClaims{}, keyFunc)
		if (ours == nil) == (theirs == nil) {
			t.Errorf("%s: no disagreement (codec %v, golang-jwt %v) on %q", tc.class, err, theirs, token)
			continue
		}
		segs := strings.Split(string(token), ".")
		d := &diffCase{token: token, segs: segs, ours: ours, theirs: theirs}
		d.header, _ = b64.Strict().DecodeString(segs[0])
		d.payload, _ = b64.Strict().DecodeString(segs[1])
		found := false
		for _, e := range explanations {
			if e.name == tc.class {
				found = e.applies(d)
			}
		}
		if !found {
			t.Errorf("%s does not explain codec %v / golang-jwt %v on %q", tc.class, err, theirs, token)
		}
	}
}

// TestReferenceModel checks the reference model of the policy on inputs whose verdict the
// policy states directly, so the fuzz targets' oracle is itself tested.
func TestReferenceModel(t *testing.T) {
	for _, tc := range []struct {
		header, payload string
		want            error // nil: accept
	}{
		{`{"alg":"HS256"}`, `{"exp":1700000000.6}`, nil},
		{`{"alg":"HS256"}`, `{"exp":1700000000.5}`, fastjwt.ErrExpired},
		{`{"alg":"HS256"}`, `{"exp":17000000005E-1}`, fastjwt.ErrExpired},
		{`{"alg":"HS256"}`, `{"nbf":1700000000.5}`, nil},
		{`{"alg":"HS256"}`, `{"nbf":1700000000.5000000001}`, fastjwt.ErrNotYetValid},
		{`{"alg":"HS256"}`, `{"exp":1e99999999999999999999}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"exp":1e30}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"nbf":-1e30}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"iat":1e400}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"exp":9223371974719179007.999}`, nil},
		{`{"alg":"HS256"}`, `{"exp":9223371974719179008}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"iat":-9223371974719179007.5}`, nil},
		{`{"alg":"HS256"}`, `{"exp":"1"}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"aud":["a",1]}`, fastjwt.ErrClaimType},
		{`{"alg":"HS256"}`, `{"a":1,"\u0061":2}`, fastjwt.ErrMalformed},
		{`{"alg":"HS256"}`, `{"a":"\ud83d\ude00"}`, nil},
		{`{"alg":"HS256"}`, `{"a":"\\ud800"}`, nil},
		{`{"alg":"HS256"}`, `{"a":"\ud800x"}`, fastjwt.ErrMalformed},
		{`{"alg":"HS256"}`, strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64), nil},
		{`{"alg":"HS256"}`, strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65), fastjwt.ErrMalformed},
		{`{"alg":"HS256","b64":true,"kid":"k1"}`, `{}`, nil},
		{`{"alg":"HS256","kid":"k2"}`, `{}`, fastjwt.ErrUnknownKey},
		{`{"alg":"HS256","typ":1}`, `{}`, fastjwt.ErrMalformed},
		{`{"alg":"HS256","enc":"x"}`, `{}`, fastjwt.ErrUnsupported},
		{`{"typ":"JWT"}`, `{}`, fastjwt.ErrAlgorithm},
		{`{"alg":"RS256"}`, `{}`, fastjwt.ErrAlgorithm},
	} {
		v := refToken([]byte(tc.header), []byte(tc.payload), b64.EncodedLen(len(tc.header)), fuzzKid)
		switch {
		case tc.want == nil && !v.accept:
			t.Errorf("%s %s: model rejects (%v)", tc.header, tc.payload, v.why)
		case tc.want != nil && (v.accept || !v.allows(tc.want)):
			t.Errorf("%s %s: model says accept=%v %v, want %v", tc.header, tc.payload, v.accept, v.allowed, tc.want)
		}
	}
}
