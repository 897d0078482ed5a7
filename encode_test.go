package session

import (
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
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

// appendDate writes a NumericDate to the nanosecond that fastjwt reads back exactly.
func TestAppendDate(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1700000000, 0), "1700000000"},
		{time.Unix(1700000000, 123456789), "1700000000.123456789"},
		{time.Unix(1700000000, 500000000), "1700000000.5"},
		{time.Unix(1700000000, 1000), "1700000000.000001"},
		{time.Unix(1700000000, 1), "1700000000.000000001"},
		{time.Unix(0, 0), "0"},
		{time.Unix(0, 999999999), "0.999999999"},
		{time.Unix(-1, 500000000), "-0.5"},
		{time.Unix(-2, 1), "-1.999999999"},
	} {
		got := string(appendDate(nil, tc.t.Unix(), tc.t.Nanosecond()))
		if got != tc.want {
			t.Errorf("%v: %s, want %s", tc.t, got, tc.want)
			continue
		}
		tok, err := codec.AppendSign(nil, []byte(`{"iat":`+got+`}`))
		if err != nil {
			t.Fatal(err)
		}
		var cl fastjwt.Claims
		if _, err := codec.AppendVerifyClaims(nil, tok, &cl); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if iat, ok := cl.IssuedAt(); !ok || !iat.Equal(tc.t) {
			t.Errorf("%s read back as %v, %v; want %v", got, iat, ok, tc.t)
		}
	}
}

// A session token's "iat" is the clock to the nanosecond, its "exp" whole seconds: the "iat"
// second plus Lifetime.
func TestAppendManagedTimes(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(codec, Config{Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{m: m}
	var id [16]byte
	for ns, want := range map[int]string{
		0:         `"iat":1700000000,"exp":1700003600,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}`,
		123456789: `"iat":1700000000.123456789,"exp":1700003600,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}`,
		1000000:   `"iat":1700000000.001,"exp":1700003600,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}`,
	} {
		if got := string(s.appendManaged(nil, time.Unix(1700000000, int64(ns)), &id)); got != want {
			t.Errorf("ns %d: %s, want %s", ns, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		var buf [96]byte
		_ = s.appendManaged(buf[:0], time.Unix(1700000000, 123456789), &id)
	}); n != 0 {
		t.Errorf("appendManaged: %v allocations", n)
	}
}
