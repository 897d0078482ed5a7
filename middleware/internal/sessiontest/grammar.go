package sessiontest

import (
	"errors"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// runCookieGrammar sends Cookie headers as raw bytes: both stacks must read the same session
// from the same bytes, with the library's one grammar.
func runCookieGrammar(t *testing.T, st Stack) {
	clk := NewClock()
	h := &hooks{}
	codec := Codec(t, clk, fastjwt.Key{ID: "k1", Secret: Secret(1)})
	base := sessionServer(t, st, clk, codec, session.Config{}, h)
	one := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
	two := cookieToken(get(t, plainClient, base+"/?op=incr", "Cookie", "session="+one), "session")
	if one == "" || two == "" {
		t.Fatal("no session cookie issued")
	}
	cases := []struct {
		name  string
		lines []string
		want  string // the counter the session holds
	}{
		{"plain", []string{"Cookie: session=" + two}, "2"},
		{"tab before the pair", []string{"Cookie: x=1;\tsession=" + two}, "2"},
		{"no space after ;", []string{"Cookie: x=1;session=" + two}, "2"},
		{"tab before the value", []string{"Cookie: session=\t" + two}, "2"},
		{"spaces around =", []string{"Cookie: session = " + two + " ; y=2"}, "2"},
		{"quoted value", []string{`Cookie: session="` + two + `"`}, "2"},
		{"malformed first, valid second", []string{`Cookie: session=a"b; session=` + two}, "2"},
		{"garbage first, valid second", []string{"Cookie: session=garbage; session=" + two}, "2"},
		{"two valid: the first wins", []string{"Cookie: session=" + one + "; session=" + two}, "1"},
		{"two valid, other order", []string{"Cookie: session=" + two + "; session=" + one}, "2"},
		{"two Cookie lines", []string{"Cookie: x=1", "Cookie: session=" + two}, "2"},
		{"lower-case field name", []string{"cookie: session=" + two}, "2"},
		{"upper-case field name", []string{"COOKIE: x=1; session=" + two}, "2"},
		{"name is case-sensitive", []string{"Cookie: Session=" + two}, "0"},
		{"a longer name", []string{"Cookie: xsession=" + two + "; sessionx=" + two}, "0"},
		{"the third is tried", []string{"Cookie: session=a; session=b; session=" + two}, "2"},
		{"the fourth is not", []string{"Cookie: session=a; session=b; session=c; session=" + two}, "0"},
		{"no value", []string{"Cookie: session="}, "0"},
		{"no pair", []string{"Cookie: session"}, "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := raw(t, base, append([]string{"GET /?op=read HTTP/1.1"}, tc.lines...)...)
			if res.status != 200 || res.body != tc.want {
				t.Errorf("%d %q, want 200 %q", res.status, res.body, tc.want)
			}
		})
	}
	raw(t, base, "GET /?op=read HTTP/1.1", "Cookie: session=a; session=b; session=c; session="+two)
	if err := h.lastInvalid(); !errors.Is(err, session.ErrTooManyCookies) {
		t.Errorf("OnInvalid got %v for four session cookies, want ErrTooManyCookies", err)
	}
}
