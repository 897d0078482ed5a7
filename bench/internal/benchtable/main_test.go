package main

import (
	"strings"
	"testing"
)

// A benchstat CSV in the shape `benchstat -format csv` writes: one block per unit.
const sampleCSV = `,raw.txt,
,sec/op,CI
Verify/fastjwt-2,5e-07,1%
Verify/golang-jwt-2,5e-06,2%
Verify/floor-2,4e-07,1%
Sign/golang-jwt-2,4e-06,3%
geomean,1e-06,

,raw.txt,
,cpu-sec/op,CI
Verify/fastjwt-2,6e-07,1%
Verify/golang-jwt-2,6e-06,2%
Verify/floor-2,5e-07,1%
Sign/golang-jwt-2,4e-06,3%

,raw.txt,
,allocs/op,CI
Verify/fastjwt-2,0,0%
Verify/golang-jwt-2,61,0%
Verify/floor-2,0,0%
Sign/golang-jwt-2,33,0%
`

func TestRender(t *testing.T) {
	rows, err := parseCSV([]byte(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	sortRows(rows)
	out := render(rows, "env\n", "stat")
	// Ratios come from CPU time: 600/6000 to golang-jwt, 600/500 to the floor.
	for _, want := range []string{
		"| Verify/fastjwt | 500 | 1% | 600 | — | 0 | 0.10 | 1.20 |",
		"| Verify/floor | 400 | 1% | 500 | — | 0 | 0.08 | 1.00 |",
		"| Sign/golang-jwt | 4000 | 3% | 4000 | — | 33 | 1.00 | — |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Verify/floor") > strings.Index(out, "Sign/golang-jwt") {
		t.Error("Sign rows come before Verify rows")
	}
}

func TestParseCSVEmpty(t *testing.T) {
	if _, err := parseCSV([]byte(",x,\n,sec/op,CI\n")); err == nil {
		t.Fatal("no error for a CSV without rows")
	}
}

// The asymmetric rows are compared with golang-jwt and the floor of their own algorithm.
func TestRenderAsymmetric(t *testing.T) {
	const csv = `,raw.txt,
,sec/op,CI
VerifyAsym/ES256/fastjwt-2,2e-07,1%
VerifyAsym/ES256/golang-jwt-2,8e-05,1%
VerifyAsym/ES256/floor-2,6e-05,1%
VerifyAsym/RS256/golang-jwt-2,4e-05,1%
Clients/ES256/fastjwt-2,4e-06,1%
Clients/ES256/golang-jwt-2,8e-05,1%
`
	rows, err := parseCSV([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	sortRows(rows)
	out := render(rows, "env\n", "stat")
	for _, want := range []string{
		"| VerifyAsym/ES256/fastjwt | 200 | 1% | — | — | — | 0.00 | 0.00 |",
		"| VerifyAsym/ES256/floor | 60000 | 1% | — | — | — | 0.75 | 1.00 |",
		"| Clients/ES256/fastjwt | 4000 | 1% | — | — | — | 0.05 | — |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if algPrefix("VerifyAsym/ES256/fastjwt") != "VerifyAsym/ES256/" || algPrefix("x") != "x" {
		t.Error("algPrefix")
	}
}
