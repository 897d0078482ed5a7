package fasthttphead

import (
	"bufio"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// Every spelling of a name is read, in order, whatever the name-normalizing setting; Cookie
// lines come from the raw head as sent, not from fasthttp's re-parsed cookies.
func TestAppendValues(t *testing.T) {
	head := "GET / HTTP/1.1\r\nHost: x\r\nX-User: a\r\nx-user: b\r\nCookie: s=1;;t=2\r\ncookie: u=3\r\n\r\n"
	for _, disable := range []bool{false, true} {
		var req fasthttp.Request
		if disable {
			req.Header.DisableNormalizing()
		}
		if err := req.Read(bufio.NewReader(strings.NewReader(head))); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, want string }{
			{"X-User", "a|b"},
			{"x-USER", "a|b"},
			{"Cookie", "s=1;;t=2|u=3"},
			{"Absent", ""},
		} {
			var got []string
			for _, v := range AppendValues(nil, &req.Header, c.name) {
				got = append(got, string(v))
			}
			if s := strings.Join(got, "|"); s != c.want {
				t.Errorf("normalizing disabled %v: %s: %q, want %q", disable, c.name, s, c.want)
			}
		}
	}
}
