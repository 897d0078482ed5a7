//go:build unix

package session_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freeLoopback returns a loopback address with a port that was free a moment ago.
func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The gateway quick start of docs/recipes.md, run as written with bash from the repository's
// root (changing only the gateway's two ports, to free ones): it installs the command into a
// directory of its own on PATH, and must print exactly what the document says it prints.
func TestRecipeGatewayQuickStart(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the gateway quick start needs %s: %v", tool, err)
			}
			t.Skipf("the gateway quick start needs %s: %v", tool, err)
		}
	}
	doc, err := os.ReadFile("docs/recipes.md")
	if err != nil {
		t.Fatal(err)
	}
	scripts := fencedBlocks(string(doc), "sh")
	if len(scripts) != 1 {
		t.Fatalf("docs/recipes.md has %d sh blocks, want 1 (the gateway quick start)", len(scripts))
	}
	_, after, _ := strings.Cut(string(doc), "```sh\n"+scripts[0]+"```\n")
	outputs := fencedBlocks("\n"+after, "text")
	if len(outputs) == 0 {
		t.Fatal("no text block (what the quick start prints) after the sh block")
	}
	script, want := scripts[0], outputs[0]
	for _, addr := range []string{"127.0.0.1:8401", "127.0.0.1:8402"} {
		if !strings.Contains(script, addr) {
			t.Fatalf("the quick start no longer uses %s: update this test", addr)
		}
		script = strings.ReplaceAll(script, addr, freeLoopback(t))
	}

	bin, tmp := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "PATH="+bin+string(filepath.ListSeparator)+os.Getenv("PATH"), "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the gateway runs in the background
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }) // whatever the script left
	err = cmd.Wait()
	if err != nil || stdout.String() != want {
		logs, _ := filepath.Glob(filepath.Join(tmp, "*", "gateway.log"))
		var gatewayLog []byte
		if len(logs) == 1 {
			gatewayLog, _ = os.ReadFile(logs[0])
		}
		t.Fatalf("the quick start: %v\nprinted:\n%s\nwant:\n%s\nstderr:\n%s\ngateway.log:\n%s", err, stdout.String(), want, stderr.String(), gatewayLog)
	}
	if !strings.Contains(stderr.String(), "fastjwt keygen: wrote the HS256 secret to hs256.key") {
		t.Errorf("keygen said:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(bin, "fastjwt")); err != nil {
		t.Errorf("go install did not put fastjwt in GOBIN: %v", err)
	}
}
