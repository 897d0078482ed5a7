package session

import (
	"testing"

	json "github.com/goccy/go-json"
)

// The fast path of Set for strings must encode exactly as the general encoder (Save), or an
// unchanged value would look changed.
func TestAppendQuotedMatchesEncoder(t *testing.T) {
	samples := []string{"", "plain", "<&>", "é ü 日本", "\u2028\u2029", "a\u2028b", "\u2027\u202a", "\xe2\x80",
		"quote \" backslash \\ slash /", "\x7f", "😀"}
	for c := 0; c < 0x80; c++ {
		samples = append(samples, "x"+string(rune(c))+"y")
	}
	for _, s := range samples {
		want, err := json.MarshalWithOption(s, json.DisableHTMLEscape())
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendValue(nil, s)
		if err != nil {
			if s == "\xe2\x80" {
				continue // invalid UTF-8: Set refuses it, the encoder would replace it
			}
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%q: Set encodes %s, Save %s", s, got, want)
		}
	}
}
