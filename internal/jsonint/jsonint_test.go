package jsonint

import "testing"

func TestParse(t *testing.T) {
	for raw, want := range map[string]int{
		"0": 0, "42": 42, "-7": -7, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63,
	} {
		if got, ok := Parse([]byte(raw)); !ok || got != want {
			t.Errorf("Parse(%q) = %d, %v", raw, got, ok)
		}
	}
	for _, raw := range []string{"", "-", "1.0", "1e3", "01", "9223372036854775808", "-9223372036854775809",
		"99999999999999999999", `"1"`, "true", " 1", "+1"} {
		if got, ok := Parse([]byte(raw)); ok {
			t.Errorf("Parse(%q) = %d, want refused", raw, got)
		}
	}
}
