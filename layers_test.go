package session_test

import (
	"os/exec"
	"strings"
	"testing"
)

// layers ranks the packages of this module: a package may import only packages of a lower rank
// (the arrows of the README's layout point down). internal/ packages are leaves any layer may use;
// examples and test kits are outside the ranks.
var layers = map[string]int{
	"fastjwt": 0, "store": 0,
	"fastjwt/jwks": 1, "revoke": 1, "gorillacookie": 1, "observe": 1,
	"": 2, "bearer": 2, "csrf": 2, "issuing": 2, // the root package: sessions
	"middleware/fasthttp": 3, "middleware/nethttp": 3,
	"gateway": 4,
}

// Every import between this module's packages points down, store imports nothing of this
// project, and every package has a rank (a new one must be placed).
func TestImportsPointDown(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/fastjwt/session"
	rel := func(p string) (string, bool) {
		if p == mod {
			return "", true
		}
		r, ok := strings.CutPrefix(p, mod+"/")
		return r, ok
	}
	outside := func(p string) bool {
		return strings.HasPrefix(p, "internal/") || strings.Contains(p, "/internal/") ||
			strings.HasPrefix(p, "examples/") || strings.HasSuffix(p, "test")
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		from, _ := rel(fields[0])
		if outside(from) {
			continue
		}
		rank, ok := layers[from]
		if !ok {
			t.Errorf("package %q has no layer: add it to layers", from)
			continue
		}
		for _, imp := range fields[1:] {
			to, ok := rel(imp)
			if !ok {
				continue
			}
			if from == "store" {
				t.Errorf("store imports %q: it imports nothing of this project", to)
			}
			if strings.HasPrefix(to, "internal/") {
				continue
			}
			if r, known := layers[to]; !known || r >= rank {
				t.Errorf("%q (layer %d) imports %q (layer %d): imports point down", from, rank, to, r)
			}
		}
	}
}
