package gateway

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// fastjwtBin is the command under test, built once by TestMain from this tree.
var fastjwtBin string

// docsPath is the documentation whose snippets the proxies run.
var docsPath string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gateway-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	root, err := filepath.Abs("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	docsPath = filepath.Join(root, "docs", "gateway.md")
	fastjwtBin = filepath.Join(dir, "fastjwt")
	// Generous: with an empty build cache on a loaded 2-core machine the build alone took ~2 min.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The command is a module of its own, tied to the library by the repository's go.work.
	build := exec.CommandContext(ctx, "go", "build", "-o", fastjwtBin, "./cmd/fastjwt")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building fastjwt: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// needProgram returns the path of an external program, or skips the test when it is missing.
// Under CI=true a missing program is a failure: .ci/run installs it, so its absence means the
// setup is broken.
func needProgram(t *testing.T, name, debianPackage string) string {
	t.Helper()
	// /usr/sbin too: Debian puts nginx there, and it is not in every user's PATH.
	for _, c := range []string{name, "/usr/sbin/" + name} {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	// The message is the whole report of the skip (scripts/test.sh prints it on its SKIPPED line).
	msg := name + " not found in PATH; install it with 'apt-get install " + debianPackage +
		"' to test the gateway behind it"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
