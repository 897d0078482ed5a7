package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// libraryPath is the module of the library the command is built on.
const libraryPath = "github.com/fastjwt/session"

// versionText describes a build from its build information: the command's module version, the
// library's and the Redis store's (when a replace directive points them elsewhere, where), the
// Go release, and the commit of the tree it was built from, when the build recorded one.
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "fastjwt %s\n", moduleVersion(&bi.Main))
	for _, dep := range bi.Deps {
		if dep.Path == libraryPath || dep.Path == libraryPath+"/redisstore" {
			fmt.Fprintf(&b, "  %-38s %s\n", dep.Path, moduleVersion(dep))
		}
	}
	fmt.Fprintf(&b, "  %-38s %s\n", "go", bi.GoVersion)
	var rev, when, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (with uncommitted changes)"
			}
		}
	}
	if rev != "" {
		fmt.Fprintf(&b, "  %-38s %s %s%s\n", "commit", rev, when, modified)
	}
	return b.String()
}

// moduleVersion is a module's version, "(devel)" for one built from its own tree, with where a
// replace directive took it from.
func moduleVersion(m *debug.Module) string {
	v := m.Version
	if v == "" {
		v = "(devel)"
	}
	if m.Replace != nil {
		r := m.Replace.Path
		if m.Replace.Version != "" {
			r += " " + m.Replace.Version
		}
		v += " => " + r
	}
	return v
}

// printVersion writes the version of the running binary.
func printVersion(stdout, stderr io.Writer) int {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(stderr, "fastjwt: the binary holds no build information (built without module support)")
		return exitUsage
	}
	if _, err := io.WriteString(stdout, versionText(bi)); err != nil {
		return exitUsage
	}
	return exitOK
}
