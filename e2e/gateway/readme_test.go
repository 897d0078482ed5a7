package gateway

import (
	"path/filepath"
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
