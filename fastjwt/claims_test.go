package fastjwt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// lookupNames are the names TestLookupClaims asks for: every registered claim, escaped and
// unusual names, and absent ones.
var lookupNames = []string{
	"sub", "iss", "jti", "aud", "exp", "nbf", "iat", "name", "admin", "o", "esc", "é", "", "absent", "su", "subx", `bs\`, `q"`, "last",
}

func TestLookupClaims(t *testing.T) {
	codec, err := NewHS256([]Key{{Secret: []byte(strings.Repeat("k", 32))}}, AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		`{"sub":"alice","name":"A \"B\"","admin":true,"iss":"https://i","aud":["x","y"],"exp":4102444800,"jti":"j1"}`,
		` { "o" : {"sub":"inner","n":[1,{"a":null}]} , "s\u0075b" : "esc\u0041ped", "\u0065sc":1.5e3, "iat":1.25 } `,
		`{"\u00e9":"accent","aud":"one","nbf":1700000000,"":"empty name","su":1,"subx":2,"bs\\":"x\\","q\"":[],"last":false}`,
		`{}`,
		`{"name":null,"exp":4.1024448005e9}`,
	} {
		tok, err := codec.AppendSign(nil, []byte(p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		// Twice: a full verify, then a verified-token cache hit.
		for range 2 {
			var cl Claims
			payload, err := codec.AppendVerifyClaims(nil, tok, &cl)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			found := make([][]byte, len(lookupNames))
			cl.LookupClaims(payload, lookupNames, found)
			// The same names looked up without the Claims (a verifier that does not fill
			// them): the walk alone.
			walked := make([][]byte, len(lookupNames))
			(&Claims{}).LookupClaims(payload, lookupNames, walked)
			for i, name := range lookupNames {
				want, ok := LookupClaim(payload, name)
				if !ok {
					want = nil
				}
				if !bytes.Equal(found[i], want) || (found[i] == nil) != (want == nil) {
					t.Errorf("%s: LookupClaims %q = %q, want %q", p, name, found[i], want)
				}
				if !bytes.Equal(walked[i], want) || (walked[i] == nil) != (want == nil) {
					t.Errorf("%s: LookupClaims %q without Claims = %q, want %q", p, name, walked[i], want)
				}
			}
		}
	}
}

// TestLookupClaimsReadsLess: the recorded claims are not read from the payload again, and what
// follows the last name the walk needs does not matter. Changing the payload's bytes after the
// verify shows it (a caller must not; the test does, to see what is read).
func TestLookupClaimsReadsLess(t *testing.T) {
	codec, err := NewHS256([]Key{{Secret: []byte(strings.Repeat("k", 32))}}, WithVerifyCache(0))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := codec.AppendSign(nil, []byte(`{"name":"n","sub":"alice","role":"r","rest":"xxxxxxxx"}`))
	if err != nil {
		t.Fatal(err)
	}
	var cl Claims
	payload, err := codec.AppendVerifyClaims(nil, tok, &cl)
	if err != nil {
		t.Fatal(err)
	}
	// The name "sub" becomes "xub", and everything after "role"'s value becomes garbage.
	i := bytes.Index(payload, []byte(`"sub"`))
	payload[i+1] = 'x'
	j := bytes.Index(payload, []byte(`"r",`)) + len(`"r"`)
	for k := j; k < len(payload); k++ {
		payload[k] = '#'
	}
	found := make([][]byte, 3)
	cl.LookupClaims(payload, []string{"sub", "role", "name"}, found)
	if string(found[0]) != `"alice"` || string(found[1]) != `"r"` || string(found[2]) != `"n"` {
		t.Errorf("found %q, want the recorded sub and the walked role and name", found)
	}
	// A copy of the payload is not the one the Claims describe: sub is looked up in it.
	cl.LookupClaims(bytes.Clone(payload), []string{"sub"}, found[:1])
	if found[0] != nil {
		t.Errorf("sub in another payload: %q, want nil (its name is now xub)", found[0])
	}
	// found shorter than names: the rest is not looked up, nothing is written past found.
	cl.LookupClaims(payload, []string{"name", "sub"}, found[:1])
	if string(found[0]) != `"n"` || string(found[1]) != `"r"` {
		t.Errorf("short found: %q", found)
	}
}

func TestLookupClaimsAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	codec, err := NewHS256([]Key{{Secret: []byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := codec.AppendSign(nil, []byte(`{"sub":"alice","n\u0061me":"A","admin":true,"exp":4102444800}`))
	if err != nil {
		t.Fatal(err)
	}
	var cl Claims
	payload, err := codec.AppendVerifyClaims(nil, tok, &cl)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"sub", "name", "admin", "exp", "absent"}
	found := make([][]byte, len(names))
	if n := testing.AllocsPerRun(100, func() { cl.LookupClaims(payload, names, found) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	if string(found[1]) != `"A"` || string(found[3]) != "4102444800" || found[4] != nil {
		t.Errorf("found %q", found)
	}
}

func ExampleClaims_LookupClaims() {
	codec, err := NewHS256([]Key{{Secret: []byte("a 32-byte or longer secret key!!")}})
	if err != nil {
		panic(err)
	}
	tok, err := codec.AppendSign(nil, []byte(`{"sub":"alice","role":"admin","exp":4102444800,"more":[1,2,3]}`))
	if err != nil {
		panic(err)
	}
	var cl Claims
	payload, err := codec.AppendVerifyClaims(nil, tok, &cl)
	if err != nil {
		panic(err)
	}
	// sub comes from what the verify recorded; role and tenant from one walk of the payload
	// (to its end, since tenant is absent).
	names := []string{"sub", "role", "tenant"}
	found := make([][]byte, len(names))
	cl.LookupClaims(payload, names, found)
	for i, name := range names {
		fmt.Printf("%s=%s\n", name, found[i])
	}
	// Output:
	// sub="alice"
	// role="admin"
	// tenant=
}
