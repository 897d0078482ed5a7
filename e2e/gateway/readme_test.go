package gateway

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The README shows the nginx snippet too; it must be the block of docs/gateway.md that the nginx
// tests run, byte for byte, so that copying it from either place works.
func TestReadmeNginxSnippetIsTheTestedOne(t *testing.T) {
	readme := filepath.Join(filepath.Dir(filepath.Dir(docsPath)), "README.md")
	if got, want := snippetIn(t, readme, "nginx"), snippet(t, "nginx"); got != want {
		t.Fatalf("the nginx snippet of README.md differs from the one docs/gateway.md holds (and the tests run):\n--- README.md\n%s--- docs/gateway.md\n%s", got, want)
	}
}

// The README's gateway command, as written there (only its --listen and the name of the key's
// variable replaced), behind the README's nginx snippet: every case but the cookie ones, which
// need --cookie, which the README's command does not give.
func TestReadmeGatewayBehindNginx(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(docsPath)), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	args := readmeGatewayArgs(t, string(readme))
	up := startUpstream(t)
	gw := runGateway(t, args...)
	f := nginxFront(t, gw.addr, up.addr)
	var cs []proxyCase
	for _, c := range cases() {
		if c.name != cookieOnly && c.name != cookieAndHeader {
			cs = append(cs, c)
		}
	}
	runCases(t, f, up, cs)
}

// readmeGatewayArgs returns the flags of the README's `go run ./cmd/fastjwt gateway` command
// (its continuation lines joined), without --listen (the test listens on a free port) and with
// the test's key variable in place of the README's.
func readmeGatewayArgs(t *testing.T, readme string) []string {
	t.Helper()
	const start = "go run ./cmd/fastjwt gateway "
	i := strings.Index(readme, start)
	if i < 0 {
		t.Fatalf("README.md has no %q command", start)
	}
	line := readme[i+len(start):]
	var cmd strings.Builder
	for {
		l, rest, _ := strings.Cut(line, "\n")
		if more, ok := strings.CutSuffix(strings.TrimSpace(l), `\`); ok {
			cmd.WriteString(more + " ")
			line = rest
			continue
		}
		cmd.WriteString(l)
		break
	}
	fields := strings.Fields(cmd.String())
	var args []string
	for j := 0; j < len(fields); j++ {
		switch fields[j] {
		case "--listen":
			j++ // and its value
		case "--key-env":
			if j+1 >= len(fields) || fields[j+1] != "FASTJWT_KEY" {
				t.Fatalf("the README's gateway command no longer reads FASTJWT_KEY: %q", cmd.String())
			}
			args = append(args, "--key-env", keyEnv)
			j++
		default:
			args = append(args, fields[j])
		}
	}
	if !slices.Contains(args, "--claim-header") || !slices.Contains(args, "--aud") {
		t.Fatalf("the README's gateway command lost its --aud or --claim-header: %q", args)
	}
	return args
}
