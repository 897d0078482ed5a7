package httpsyntax

import (
	"strings"
	"testing"
)

func TestEqualFold(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Authorization", "authorization", true},
		{"AUTHORIZATION", "Authorization", true},
		{"X-User", "x-uSER", true},
		{"X-User", "X-Use", false},
		{"\u212aey", "key", false}, // Kelvin sign: Unicode folding would match
		{"X_User", "X-User", false},
		{"@", "`", false}, // bytes 0x40 and 0x60 differ by the case bit but are not letters
		{"[", "{", false},
	} {
		if got := EqualFold([]byte(tc.a), tc.b); got != tc.want {
			t.Errorf("EqualFold(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{
		"session": true, "__Host-id": true, "a.b": true, "": false, "a b": false, "a;b": false,
		"a=b": false, "é": false, "a\x00": false, "Bearer": true, `"q"`: false,
	} {
		if IsToken(s) != want {
			t.Errorf("IsToken(%q) = %v", s, !want)
		}
	}
}

func TestTrimAndSafe(t *testing.T) {
	if got := string(TrimOWS([]byte(" \t a b\t "))); got != "a b" {
		t.Errorf("TrimOWS = %q", got)
	}
	for v, want := range map[string]bool{
		"alice": true, "": true, "a b": true, " a": false, "a ": false, "a\tb": false,
		"a\r\nX-Evil: 1": false, "a\x00": false, "a\x7f": false, "ü": true,
	} {
		if SafeFieldValue([]byte(v)) != want {
			t.Errorf("SafeFieldValue(%q) = %v", v, !want)
		}
	}
}

func lines(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i := range s {
		out[i] = []byte(s[i])
	}
	return out
}

func TestCookieGrammar(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  []string // values of "session", in order
	}{
		{[]string{"session=T"}, []string{"T"}},
		{[]string{"x=1; session=T"}, []string{"T"}},
		{[]string{"x=1;session=T"}, []string{"T"}},
		{[]string{"x=1;\tsession=T"}, []string{"T"}},
		{[]string{"session=\tT"}, []string{"T"}},
		{[]string{"session = T ; y=2"}, []string{"T"}},
		{[]string{`session="T"`}, []string{"T"}},
		{[]string{`session="T`}, []string{`"T`}},
		{[]string{`session=a"b; session=T`}, []string{`a"b`, "T"}},
		{[]string{"session=A", "x=1; session=B"}, []string{"A", "B"}},
		{[]string{"Session=T; SESSION=U"}, nil},
		{[]string{"session"}, nil},
		{[]string{"sessionx=T; xsession=U"}, nil},
		{[]string{";;; ; session=T;;"}, []string{"T"}},
		{[]string{"session="}, []string{""}},
		{[]string{"session=a=b"}, []string{"a=b"}},
		{nil, nil},
	} {
		got, n := AppendCookieValues(nil, lines(tc.lines...), "session", 0)
		if n != len(tc.want) || len(got) != len(tc.want) {
			t.Errorf("%q: got %q (n=%d), want %q", tc.lines, got, n, tc.want)
			continue
		}
		for i := range got {
			if string(got[i]) != tc.want[i] {
				t.Errorf("%q: value %d = %q, want %q", tc.lines, i, got[i], tc.want[i])
			}
		}
	}
}

func TestCookieValuesBounded(t *testing.T) {
	h := strings.Repeat("session=x; ", 1000)
	got, n := AppendCookieValues(nil, lines(h), "session", 3)
	if len(got) != 3 || n != 4 {
		t.Errorf("got %d values, count %d; want 3 and 4 (more than the limit)", len(got), n)
	}
	got, n = AppendCookieValues(nil, lines("session=a; session=b; session=c"), "session", 3)
	if len(got) != 3 || n != 3 {
		t.Errorf("exactly three: got %d, count %d", len(got), n)
	}
}

func TestValidCookieValue(t *testing.T) {
	for v, want := range map[string]bool{
		"eyJ.abc-_": true, "": true, `a"b`: false, "a b": false, "a,b": false, "a;b": false,
		`a\b`: false, "a\tb": false, "é": false, "a\x7f": false, "!#$%&'()*+-./:<=>?@[]^_`{|}~": true,
	} {
		if ValidCookieValue([]byte(v)) != want {
			t.Errorf("ValidCookieValue(%q) = %v", v, !want)
		}
	}
}

func TestLists(t *testing.T) {
	l := lines("Accept-Encoding, cookie", "Origin,COOKIE", " , ")
	if n := CountListToken(l, "Cookie"); n != 2 {
		t.Errorf("CountListToken = %d, want 2", n)
	}
	if got := string(AppendListWithout(nil, l, "Cookie")); got != "Accept-Encoding, Origin" {
		t.Errorf("AppendListWithout = %q", got)
	}
	if n := CountListToken(lines("Cookies, Set-Cookie"), "Cookie"); n != 0 {
		t.Errorf("partial names counted: %d", n)
	}
}

func TestQuotedString(t *testing.T) {
	got := string(AppendQuotedString(nil, "my \"api\"\\\r\n\x00\tx\x7f"))
	if want := `"my \"api\"\\` + "\tx" + `"`; got != want {
		t.Errorf("AppendQuotedString = %q, want %q", got, want)
	}
}

func TestAllocs(t *testing.T) {
	l := lines("a=1; session=T; b=2")
	dst := make([][]byte, 0, 4)
	if n := testing.AllocsPerRun(100, func() { dst, _ = AppendCookieValues(dst[:0], l, "session", 3) }); n != 0 {
		t.Errorf("AppendCookieValues: %v allocs", n)
	}
}

func BenchmarkCookieValues(b *testing.B) {
	l := lines("_ga=GA1.1.123456789.1700000000; theme=dark; session=" + strings.Repeat("eyJhbGciOiJIUzI1NiJ9", 8))
	dst := make([][]byte, 0, 4)
	for b.Loop() {
		dst, _ = AppendCookieValues(dst[:0], l, "session", 3)
	}
}

func TestAppendHeadValues(t *testing.T) {
	head := []byte("GET / HTTP/1.1\r\nHost: x\r\ncookie: a=1\r\nX-Other: c\r\nCOOKIE :  b=2 \r\nCookie:\r\nCookieX: no\nCookie: c=3")
	got := AppendHeadValues(nil, head, "Cookie")
	want := []string{"a=1", "b=2", "", "c=3"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Fatalf("value %d: %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
	if got := AppendHeadValues(nil, nil, "Cookie"); len(got) != 0 {
		t.Fatalf("empty head: %q", got)
	}
}

func TestPercentByte(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i    int
		want byte
		ok   bool
	}{
		{"%41", 0, 'A', true}, {"x%2f", 1, '/', true}, {"%2F", 0, '/', true}, {"%ff", 0, 0xff, true},
		{"%4", 0, 0, false}, {"%", 0, 0, false}, {"%zz", 0, 0, false}, {"%4g", 0, 0, false},
		{"a41", 0, 0, false}, {"%41", 1, 0, false}, {"%41", -1, 0, false},
	} {
		got, ok := PercentByte([]byte(tc.in), tc.i)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("PercentByte(%q, %d) = %q, %v; want %q, %v", tc.in, tc.i, got, ok, tc.want, tc.ok)
		}
	}
}
