package jsonint

import "testing"

func TestSeconds(t *testing.T) {
	for raw, want := range map[string]int64{
		"0": 0, "1700000000": 1700000000, "1700000000.999999999": 1700000000, "1.5": 1,
		"999999999999999999": 999999999999999999,
	} {
		if got, ok := Seconds([]byte(raw)); !ok || got != want {
			t.Errorf("Seconds(%s) = %d, %v; want %d", raw, got, ok, want)
		}
	}
	for _, raw := range []string{"", "-1", "1e9", "1.", ".5", `"1"`, "1.5e3", "1000000000000000000", "true", "1.x"} {
		if got, ok := Seconds([]byte(raw)); ok {
			t.Errorf("Seconds(%s) = %d, want refused", raw, got)
		}
	}
}
