package bench

import (
	"encoding/json"
	"testing"
)

// The benchmarks only mean something if every contender does the real work: these tests check
// that each one accepts the shared token with the right claims, refuses it with a changed
// signature, and signs claims this codec verifies back to the same values.

func TestContendersVerify(t *testing.T) {
	bad := tamper(token)
	for _, c := range contenders {
		t.Run(c.name, func(t *testing.T) {
			verify, check := c.verifier(token)
			if err := verify(); err != nil {
				t.Fatalf("shared token refused: %v", err)
			}
			if err := check(); err != nil {
				t.Fatal(err)
			}
			verifyBad, _ := c.verifier(bad)
			if err := verifyBad(); err == nil {
				t.Fatal("token with a changed signature accepted")
			}
		})
	}
}

func TestContendersSign(t *testing.T) {
	codec := newCodec()
	for _, c := range contenders {
		if c.signer == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			tok, err := c.signer()()
			if err != nil {
				t.Fatal(err)
			}
			// The codec checks iss and aud (WithIssuer, WithAudience); some libraries write aud
			// as an array, so it is left out of the struct.
			payload, err := codec.AppendVerify(nil, tok)
			if err != nil {
				t.Fatalf("token %s: %v", tok, err)
			}
			var v struct {
				appClaims
				Aud json.RawMessage `json:"aud"`
			}
			if err := json.Unmarshal(payload, &v); err != nil {
				t.Fatal(err)
			}
			if err := checkClaims(v.Sub, v.Name, v.Roles, v.Counter); err != nil {
				t.Fatal(err)
			}
			if v.Iss != issuer || v.Jti != wantJTI || v.Exp != expUnix || v.Iat != iatUnix || !v.Admin {
				t.Fatalf("registered claims differ: %+v", v)
			}
		})
	}
}

func TestFloorVerifies(t *testing.T) {
	f := newFloor()
	p, err := f.verify(token)
	if err != nil || string(p) != string(payloadJSON) {
		t.Fatalf("floor: %q, %v", p, err)
	}
	if _, err := f.verify(tamper(token)); err == nil {
		t.Fatal("floor accepted a changed signature")
	}
}
