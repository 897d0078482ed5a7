package bearer_test

import (
	"slices"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// DefaultTypes is no shared state: what a caller does with the slice changes no Bearer's default.
func TestDefaultTypesIsACopy(t *testing.T) {
	want := []fastjwt.Type{fastjwt.TypeNone, fastjwt.TypeJWT, fastjwt.TypeAccess}
	got := bearer.DefaultTypes()
	if !slices.Equal(got, want) {
		t.Fatalf("DefaultTypes() = %v, want %v", got, want)
	}
	got[0] = fastjwt.TypeSession
	_ = append(got[:1], fastjwt.TypeSession)
	if again := bearer.DefaultTypes(); !slices.Equal(again, want) {
		t.Fatalf("after a caller changed its copy, DefaultTypes() = %v", again)
	}
}
