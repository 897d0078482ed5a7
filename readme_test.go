package session_test

import (
	"os"
	"strings"
	"testing"
)

// The README's complete examples are the programs in examples/minimal-*, which the build
// compiles: the README must quote them verbatim (after their first comment line).
func TestReadmeQuotesExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"examples/minimal-fasthttp/main.go", "examples/minimal-nethttp/main.go"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, program, _ := strings.Cut(string(src), "\n\n") // drop the comment naming the README
		if !strings.Contains(string(readme), "```go\n"+program+"```") {
			t.Errorf("README.md does not quote %s as it is", path)
		}
	}
}
