package sessiontest

import (
	"net/url"
	"strings"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// runResponseHeaders checks Vary and Cache-Control whatever the handler set.
func runResponseHeaders(t *testing.T, st Stack) {
	clk := NewClock()
	base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(3)}), session.Config{}, &hooks{})
	for _, v := range []string{
		"", "Accept-Encoding", "Accept-Encoding|Origin", "Accept-Encoding, Cookie", "cookie",
		"*", "Origin|Cookie", "Cookie|Cookie", "Accept-Encoding, COOKIE|Origin, cookie",
	} {
		for round := range 2 { // a new session, then an unchanged one
			res := get(t, plainClient, base+"/?op=vary&v="+url.QueryEscape(v))
			if round == 1 {
				tok := cookieToken(res, "session")
				res = get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok)
			}
			n := 0
			var others []string
			for _, line := range res.header.Values("Vary") {
				for _, item := range strings.Split(line, ",") {
					item = strings.TrimSpace(item)
					if strings.EqualFold(item, "Cookie") {
						n++
					} else if item != "" {
						others = append(others, item)
					}
				}
			}
			if n != 1 {
				t.Errorf("handler Vary %q (round %d): response Vary %q has Cookie %d times", v, round, res.header.Values("Vary"), n)
			}
			if round == 0 {
				for _, item := range strings.Split(strings.ReplaceAll(v, "|", ","), ",") {
					item = strings.TrimSpace(item)
					if item != "" && !strings.EqualFold(item, "Cookie") && !strings.Contains(strings.Join(others, ","), item) {
						t.Errorf("handler Vary %q: member %q lost (%q)", v, item, res.header.Values("Vary"))
					}
				}
				if cc := res.header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "private, no-store" {
					t.Errorf("Cache-Control %q on a response that sets the cookie", cc)
				}
			}
		}
	}
}
