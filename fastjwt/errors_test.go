package fastjwt

import (
	"fmt"
	"testing"
)

// Every sentinel has its own Go name, also through a wrapped error, and no other error has one.
func TestErrorName(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range sentinels {
		if seen[s.name] {
			t.Errorf("%s listed twice", s.name)
		}
		seen[s.name] = true
		if got := ErrorName(fmt.Errorf("wrapped: %w", s.err)); got != s.name {
			t.Errorf("ErrorName(%v) = %q, want %q", s.err, got, s.name)
		}
		if got := ErrorName(errorf(s.err, "detail")); got != s.name {
			t.Errorf("ErrorName(detail of %v) = %q, want %q", s.err, got, s.name)
		}
	}
	if got := ErrorName(fmt.Errorf("not a sentinel")); got != "" {
		t.Errorf("ErrorName(other error) = %q, want \"\"", got)
	}
}
