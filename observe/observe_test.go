package observe_test

import (
	"testing"

	"github.com/fastjwt/session/observe"
)

// The names are the label values the hook's users put on metrics: fixed, and "invalid" for a
// value that is none of the constants, never an index out of range.
func TestNames(t *testing.T) {
	for k, want := range map[observe.Kind]string{0: "invalid", observe.KindBearer: "bearer", observe.KindSession: "session",
		observe.KindGateway: "gateway", 4: "invalid", 255: "invalid"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d) = %q, want %q", k, got, want)
		}
	}
	for o, want := range map[observe.Outcome]string{0: "invalid", observe.Accepted: "accepted", observe.Refused: "refused",
		observe.Absent: "absent", 4: "invalid", 255: "invalid"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d) = %q, want %q", o, got, want)
		}
	}
	if n := testing.AllocsPerRun(10, func() { _ = observe.KindGateway.String() + observe.Absent.String() }); n != 0 {
		t.Errorf("String allocates %v", n)
	}
}
