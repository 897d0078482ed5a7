package bearer_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// The forwarded and required claims that the verify records (sub, iss, jti, aud) are taken from
// its Claims, the others from the payload: both give the same headers, on a full verify, on a
// verified-token cache hit, and with a verifier that fills no Claims.
func TestForwardRegisteredClaims(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	cfg := bearer.Config{
		Forward: []bearer.Forward{
			{Claim: "sub", Header: "X-Sub"}, {Claim: "iss", Header: "X-Iss"}, {Claim: "jti", Header: "X-Jti"},
			{Claim: "aud", Header: "X-Aud"}, {Claim: "exp", Header: "X-Exp"}, {Claim: "iat", Header: "X-Iat"},
			{Claim: "role", Header: "X-Role"}, {Claim: "sub", Header: "X-Sub-Again"},
		},
		RequiredClaims: []string{"jti", "role"},
	}
	b, err := bearer.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		payload string
		want    map[string]string // absent from the map: the header must be absent
		status  int
	}{
		{`{"sub":"alice","iss":"https://i","jti":"j","aud":"api","exp":4102444800,"role":"admin"}`,
			map[string]string{"X-Sub": "alice", "X-Sub-Again": "alice", "X-Iss": "https://i", "X-Jti": "j", "X-Aud": "api", "X-Exp": "4102444800", "X-Role": "admin"}, 0},
		// Escaped names and values, an array audience, a fractional date, a claim after the last
		// one looked up.
		{`{"s\u0075b":"al\u0069ce","r\u006fle":["a","b"],"j\u0074i":"\u00e9","aud":["x","y"],"iat":1.5e9,"exp":4102444800.25,"zz":1}`,
			map[string]string{"X-Sub": "alice", "X-Sub-Again": "alice", "X-Role": `["a","b"]`, "X-Jti": "é", "X-Aud": `["x","y"]`, "X-Iat": "1.5e9", "X-Exp": "4102444800.25"}, 0},
		// A value that cannot be a header value is dropped, the request goes on.
		{`{"sub":"a\nb","jti":" j","role":1}`, map[string]string{"X-Role": "1"}, 0},
		// A required claim missing: recorded (jti) or not (role).
		{`{"sub":"alice","role":"r"}`, nil, 403},
		{`{"sub":"alice","jti":"j"}`, nil, 403},
	} {
		tok, err := codec.AppendSign(nil, []byte(tc.payload))
		if err != nil {
			t.Fatal(err)
		}
		fixed, err := bearer.New(fixedVerifier{tc.payload}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range []struct {
			name  string
			b     *bearer.Bearer
			token string
		}{{"verify", b, string(tok)}, {"cache hit", b, string(tok)}, {"verifier without claims", fixed, "good"}} {
			h := http.Header{"Authorization": {"Bearer " + run.token}, "X-Sub": {"spoof"}, "X-Aud": {"spoof"}}
			tk := run.b.Acquire()
			aerr := run.b.Authenticate(context.Background(), tk, newRequest(h))
			switch {
			case tc.status != 0:
				if aerr == nil || aerr.Status != tc.status {
					t.Errorf("%s, %s: %v, want %d", tc.payload, run.name, aerr, tc.status)
				}
			case aerr != nil:
				t.Errorf("%s, %s: %v", tc.payload, run.name, aerr)
			default:
				for _, f := range cfg.Forward {
					got, ok := h[f.Header]
					want, wantOK := tc.want[f.Header]
					if ok != wantOK || (ok && (len(got) != 1 || got[0] != want)) {
						t.Errorf("%s, %s: %s = %q, want %q (present %v)", tc.payload, run.name, f.Header, got, want, wantOK)
					}
				}
			}
			run.b.Release(tk)
		}
	}
}
