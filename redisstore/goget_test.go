package redisstore

import (
	"archive/zip"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The install commands of the README, run as a user runs them: in a scratch module, against a
// module proxy that serves this tree's modules at a version, as the public proxy will once
// versions are tagged. The proxy is a directory (GOPROXY=file://...) made here; the third-party
// modules come from the module cache of this machine, through its download directory, so that
// nothing is fetched from the network; the module cache of the commands is one of the test's
// own, so that the versions made here never reach the machine's.

// proxyVersion is the version the local proxy serves the tree's modules at.
const proxyVersion = "v0.9.0"

// treeModules are the modules of the tree the commands fetch: path and directory (from here).
var treeModules = [][2]string{
	{"github.com/fastjwt/session", ".."},
	{"github.com/fastjwt/session/redisstore", "."},
	{"github.com/fastjwt/session/cmd/fastjwt", "../cmd/fastjwt"},
}

func TestInstallCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the library, the store and the command-line tool in a scratch module")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	machineCache := strings.TrimSpace(string(out))

	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	for _, m := range treeModules {
		writeProxyModule(t, proxy, m[0], proxyVersion, m[1])
	}
	modCache := filepath.Join(tmp, "modcache")
	env := append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(machineCache, "cache", "download")),
		"GOMODCACHE="+modCache,
		"GOFLAGS=-mod=mod",
		"GONOSUMDB=github.com/fastjwt",
		"GOSUMDB=off", // the third-party modules come from this machine's cache, already verified
		"GOPRIVATE=", "GONOPROXY=",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOBIN="+filepath.Join(tmp, "bin"),
	)
	t.Cleanup(func() {
		// The module cache is read-only by design; go clean removes it.
		c := exec.Command(goTool, "clean", "-modcache")
		c.Env = env
		_ = c.Run()
	})
	// goCmd runs the go command in dir and returns its combined output.
	goCmd := func(dir string, args ...string) (string, error) {
		c := exec.CommandContext(ctx, goTool, args...)
		c.Dir, c.Env = dir, env
		out, err := c.CombinedOutput()
		return string(out), err
	}
	scratch := func(name, main string) string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/"+name+"\n\ngo 1.26\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	const app = `package main

import (
	"fmt"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/redisstore"
)

func main() { fmt.Println(session.ErrConfig, redisstore.DefaultPrefix) }
`

	// The store alone fails: its go.mod requires the library at a placeholder version, which no
	// proxy serves. The README says so; this fails once that is fixed, so that it is updated.
	dir := scratch("alone", app)
	if out, err := goCmd(dir, "get", "github.com/fastjwt/session/redisstore@"+proxyVersion); err == nil ||
		!strings.Contains(out, "v0.0.0-00010101000000-000000000000") {
		t.Errorf("go get of the store alone: %v\n%s", err, out)
	}

	// The README's command: the library and the store in one go get, at a version and @latest.
	for _, v := range []string{proxyVersion, "latest"} {
		dir := scratch("app-"+v, app)
		if out, err := goCmd(dir, "get", "github.com/fastjwt/session@"+v, "github.com/fastjwt/session/redisstore@"+v); err != nil {
			t.Fatalf("go get @%s: %v\n%s", v, err, out)
		}
		if out, err := goCmd(dir, "build", "-o", filepath.Join(dir, "app"), "."); err != nil {
			t.Fatalf("go build after go get @%s: %v\n%s", v, err, out)
		}
		if out, err := exec.CommandContext(ctx, filepath.Join(dir, "app")).CombinedOutput(); err != nil || string(out) != "session: invalid configuration fastjwt:\n" {
			t.Errorf("the app built @%s: %v %q", v, err, out)
		}
		mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
		for _, m := range treeModules[:2] {
			if !strings.Contains(string(mod), m[0]+" "+proxyVersion) {
				t.Errorf("@%s: go.mod does not require %s %s:\n%s", v, m[0], proxyVersion, mod)
			}
		}
	}

	// The command-line tool: go install ...@version refuses its replace directives (the README
	// says to install it from a clone, or as here, from a module that requires it).
	if out, err := goCmd(tmp, "install", "github.com/fastjwt/session/cmd/fastjwt@"+proxyVersion); err == nil ||
		!strings.Contains(out, "replace directives") {
		t.Errorf("go install of the tool: %v\n%s", err, out)
	}
	dir = scratch("tool", "package main\n\nimport _ \"github.com/fastjwt/session/cmd/fastjwt\"\n")
	os.Remove(filepath.Join(dir, "main.go")) // the tool is a main package: the module only requires it
	get := []string{"get"}
	for _, m := range treeModules {
		get = append(get, m[0]+"@"+proxyVersion)
	}
	if out, err := goCmd(dir, get...); err != nil {
		t.Fatalf("go get of the tool: %v\n%s", err, out)
	}
	if out, err := goCmd(dir, "install", "github.com/fastjwt/session/cmd/fastjwt"); err != nil {
		t.Fatalf("go install of the tool from a module that requires it: %v\n%s", err, out)
	}
	out, err = exec.CommandContext(ctx, filepath.Join(tmp, "bin", "fastjwt"), "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "fastjwt "+proxyVersion+"\n") ||
		!strings.Contains(string(out), "github.com/fastjwt/session             "+proxyVersion+"\n") {
		t.Errorf("fastjwt --version: %v\n%s", err, out)
	}
}

// writeProxyModule writes the module at dir into the proxy directory at version, in the layout
// of the GOPROXY protocol: $module/@v/list, $version.info, .mod and .zip. The zip holds the files
// of the module as the go command would pack them: every regular file under dir, except the
// directories of other modules (those with a go.mod of their own) and of version control.
func writeProxyModule(t *testing.T, proxy, modPath, version, dir string) {
	t.Helper()
	at := filepath.Join(proxy, filepath.FromSlash(modPath), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"list":            version + "\n",
		version + ".info": fmt.Sprintf(`{"Version":%q,"Time":"2026-01-01T00:00:00Z"}`, version),
		version + ".mod":  string(gomod),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(at, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(at, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	prefix := modPath + "@" + version + "/"
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || path != dir && exists(filepath.Join(path, "go.mod")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
