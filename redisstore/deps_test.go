package redisstore

import (
	"os/exec"
	"strings"
	"testing"
)

// The Redis module implements the ports (store, revoke, and issuing's Families) over the
// codec's claims: it depends on them, never on the policy above them (the root package, bearer,
// the adapters, the gateway). Package issuing sits beside bearer and must not pull it in.
func TestDependsOnThePortsOnly(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/fastjwt/session" || strings.HasPrefix(p, "github.com/fastjwt/session/bearer") ||
			strings.HasPrefix(p, "github.com/fastjwt/session/middleware") || strings.HasPrefix(p, "github.com/fastjwt/session/gateway") {
			t.Errorf("redisstore depends on %s", p)
		}
	}
}
