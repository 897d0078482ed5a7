package gateway

import (
	"os"
	"strings"
	"testing"
)

// The addresses the documented snippets use; tests put their own ports in their place.
const (
	docGateway  = "127.0.0.1:8401"
	docUpstream = "127.0.0.1:8080"
)

// snippet returns the code block of docs/gateway.md that follows the marker line
// "<!-- snippet:NAME ...-->", without its fences: what a reader copies.
func snippet(t *testing.T, name string) string {
	t.Helper()
	return snippetIn(t, docsPath, name)
}

// snippetIn returns the code block of the Markdown file at path that follows the marker line of
// the named snippet.
func snippetIn(t *testing.T, docsPath, name string) string {
	t.Helper()
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(doc), "\n")
	marker := "<!-- snippet:" + name + " "
	for i, l := range lines {
		if !strings.HasPrefix(l, marker) {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("%s: the line after %q is not a code fence", docsPath, l)
		}
		for j := i + 2; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "```") {
				return strings.Join(lines[i+2:j], "\n") + "\n"
			}
		}
		t.Fatalf("%s: the %s snippet's code block is not closed", docsPath, name)
	}
	t.Fatalf("%s: no line starting with %q", docsPath, marker)
	return ""
}

// substitute replaces each old text of the pairs with its new text in s. Each old text must
// occur: a snippet that no longer holds an address the test replaces would otherwise be run
// against the wrong program.
func substitute(t *testing.T, name, s string, oldNew ...string) string {
	t.Helper()
	for i := 0; i+1 < len(oldNew); i += 2 {
		if !strings.Contains(s, oldNew[i]) {
			t.Fatalf("the %s snippet of %s no longer contains %q, which the test replaces; update the test with the snippet:\n%s", name, docsPath, oldNew[i], s)
		}
		s = strings.ReplaceAll(s, oldNew[i], oldNew[i+1])
	}
	return s
}

// yamlList returns the items of the YAML block list that follows the line whose trimmed text is
// key (e.g. "authResponseHeaders:"), each with its "- " and surrounding quotes removed. It reads
// only the simple form the documentation uses.
func yamlList(t *testing.T, name, doc, key string) []string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != key {
			continue
		}
		var items []string
		for _, item := range lines[i+1:] {
			v, ok := strings.CutPrefix(strings.TrimSpace(item), "- ")
			if !ok {
				break
			}
			items = append(items, strings.Trim(v, `"`))
		}
		if len(items) == 0 {
			t.Fatalf("the %s snippet has no items under %q", name, key)
		}
		return items
	}
	t.Fatalf("the %s snippet has no line %q", name, key)
	return nil
}

// yamlValue returns the value of the first "key: value" line of the snippet, unquoted.
func yamlValue(t *testing.T, name, doc, key string) string {
	t.Helper()
	for _, l := range strings.Split(doc, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+":"); ok {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	t.Fatalf("the %s snippet has no %q", name, key)
	return ""
}

// yamlKeys returns the keys of the YAML mapping that follows the line whose trimmed text is key,
// for entries of the simple form `Name: ""` (an empty value) the documentation uses.
func yamlKeys(t *testing.T, name, doc, key string) []string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != key {
			continue
		}
		var keys []string
		for _, entry := range lines[i+1:] {
			k, ok := strings.CutSuffix(strings.TrimSpace(entry), `: ""`)
			if !ok {
				break
			}
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			t.Fatalf("the %s snippet has no entries under %q", name, key)
		}
		return keys
	}
	t.Fatalf("the %s snippet has no line %q", name, key)
	return nil
}
