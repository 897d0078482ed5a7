package session_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// recipeMarks finds the quoted parts of recipes_test.go: from a "// recipe begin: NAME" line to
// the next "// recipe end: NAME" line.
var recipeMarks = regexp.MustCompile(`(?m)^\s*// recipe (begin|end): (\S+)\n`)

// recipeParts returns the quoted parts of recipes_test.go by name, less one tab of indentation
// (the function body's) on every line.
func recipeParts(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile("recipes_test.go")
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	marks := recipeMarks.FindAllSubmatchIndex(src, -1)
	if len(marks) == 0 || len(marks)%2 != 0 {
		t.Fatalf("recipes_test.go has %d recipe marks, want pairs of begin and end", len(marks))
	}
	for i := 0; i < len(marks); i += 2 {
		begin, end := marks[i], marks[i+1]
		name := string(src[begin[4]:begin[5]])
		if string(src[begin[2]:begin[3]]) != "begin" || string(src[end[2]:end[3]]) != "end" || string(src[end[4]:end[5]]) != name {
			t.Fatalf("recipes_test.go: the recipe %q is not closed by its own end mark", name)
		}
		if _, ok := parts[name]; ok {
			t.Fatalf("recipes_test.go: the recipe %q is marked twice", name)
		}
		lines := strings.SplitAfter(string(src[begin[1]:end[0]]), "\n")
		for j, l := range lines {
			lines[j] = strings.TrimPrefix(l, "\t")
		}
		parts[name] = strings.Join(lines, "")
	}
	return parts
}

// fencedBlocks returns the bodies of the doc's fenced blocks of language lang, in order.
func fencedBlocks(doc, lang string) []string {
	var blocks []string
	for rest := doc; ; {
		_, after, ok := strings.Cut(rest, "\n```"+lang+"\n")
		if !ok {
			return blocks
		}
		body, tail, ok := strings.Cut(after, "\n```\n")
		if !ok {
			return append(blocks, after) // unclosed: never equal to a part
		}
		blocks = append(blocks, body+"\n")
		rest = "\n" + tail
	}
}

// docs/recipes.md quotes every marked part of recipes_test.go as it is, and no Go code that is
// not one of them; its nginx snippet is the one docs/gateway.md shows (and e2e/gateway runs).
func TestRecipesQuoted(t *testing.T) {
	doc, err := os.ReadFile("docs/recipes.md")
	if err != nil {
		t.Fatal(err)
	}
	parts := recipeParts(t)
	quoted := map[string]bool{}
	for _, block := range fencedBlocks(string(doc), "go") {
		found := false
		for name, part := range parts {
			if block == part {
				quoted[name], found = true, true
			}
		}
		if !found {
			t.Errorf("docs/recipes.md has a Go block that is no recipe of recipes_test.go:\n%s", block)
		}
	}
	for name := range parts {
		if !quoted[name] {
			t.Errorf("docs/recipes.md does not quote the recipe %q of recipes_test.go as it is", name)
		}
	}
	if len(parts) < 10 {
		t.Errorf("recipes_test.go marks %d recipes, want the 10 of docs/recipes.md", len(parts))
	}
	gateway, err := os.ReadFile("docs/gateway.md")
	if err != nil {
		t.Fatal(err)
	}
	nginx := fencedBlocks(string(doc), "nginx")
	if len(nginx) != 1 {
		t.Fatalf("docs/recipes.md has %d nginx blocks, want 1", len(nginx))
	}
	if !strings.Contains(string(gateway), "```nginx\n"+nginx[0]+"```\n") {
		t.Error("the nginx block of docs/recipes.md is not docs/gateway.md's as it is")
	}
}

// The block finder reads what it is given, and no more.
func TestFencedBlocks(t *testing.T) {
	doc := "x\n```go\na\n```\ntext\n```sh\nb\n```\n```go\nc\n\nd\n```\n```go\nunclosed\n"
	got := fencedBlocks(doc, "go")
	want := []string{"a\n", "c\n\nd\n", "unclosed\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("fencedBlocks = %q, want %q", got, want)
	}
	if got := fencedBlocks(doc, "sh"); len(got) != 1 || got[0] != "b\n" {
		t.Errorf("sh blocks = %q", got)
	}
}
