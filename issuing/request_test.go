package issuing_test

import (
	"strings"
	"testing"

	"github.com/fastjwt/session/issuing"
)

// A body the adapter could not read whole is refused, and so is one over MaxBody, before any
// parameter is read; every answer carries the no-store headers, then those it needs.
func TestRequestRefusedBeforeParse(t *testing.T) {
	f := newFixture(t)
	ok := form("username", "ann", "password", "s3cret")
	incomplete := ok
	incomplete.Incomplete = true
	over := ok
	over.Body = append([]byte(string(ok.Body)+"&pad="), strings.Repeat("x", f.iss.MaxBody()-len(ok.Body)-4)...)
	for _, e := range []issuing.Endpoint{(*issuing.Issuer).Obtain, (*issuing.Issuer).Refresh,
		(*issuing.Issuer).Verify, (*issuing.Issuer).Revoke} {
		if r := e(f.iss, bg, incomplete); r.Status != 400 || decode(t, r).Error != "invalid_request" {
			t.Fatalf("an incomplete body: %d %s", r.Status, r.Body)
		}
		if r := e(f.iss, bg, over); r.Status != 413 || decode(t, r).Error != "invalid_request" {
			t.Fatalf("a body of MaxBody+1 bytes: %d %s", r.Status, r.Body)
		}
	}
	r := f.iss.Obtain(bg, issuing.Request{Method: "GET"})
	var got []string
	r.Header(func(name, value string) { got = append(got, name+": "+value) })
	want := []string{"Content-Type: application/json;charset=UTF-8", "Cache-Control: no-store", "Pragma: no-cache", "Allow: POST"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || r.Status != 405 {
		t.Fatalf("a GET: %d, headers %q", r.Status, got)
	}
}
