package fastjwt

import (
	"testing"
	"time"
)

func TestCheckClaimsAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithIssuer("me"), AcceptAnyAudience(),
		WithClock(func() time.Time { return benchNow }))
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"iss":"me","sub":"alice","aud":["a","b"],"nbf":1600000000,"iat":1700000000,"exp":4102444800,"jti":"j","n":{"x":[1,2,"\u00e9"]}}`)
	if n := testing.AllocsPerRun(1000, func() { err = c.CheckClaims(TypeSession, payload) }); n != 0 || err != nil {
		t.Fatalf("CheckClaims: %v allocs, err %v", n, err)
	}
}
