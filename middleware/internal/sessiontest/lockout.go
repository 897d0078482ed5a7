package sessiontest

import (
	"strconv"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// BrowserHeaders are the header lines a current desktop browser sends with a navigation, about
// 650 bytes: the company the session cookie must fit in.
var BrowserHeaders = []string{
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
	"Accept-Encoding: gzip, deflate, br, zstd",
	"Accept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7",
	`Sec-Ch-Ua: "Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`,
	"Sec-Ch-Ua-Mobile: ?0",
	`Sec-Ch-Ua-Platform: "Linux"`,
	"Sec-Fetch-Dest: document",
	"Sec-Fetch-Mode: navigate",
	"Sec-Fetch-Site: same-origin",
	"Sec-Fetch-User: ?1",
	"Upgrade-Insecure-Requests: 1",
	"Cache-Control: max-age=0",
	"Referer: http://127.0.0.1/",
}

// runLockOut finds the largest session cookie the library issues under the default
// configuration and sends it back next to a browser's headers: the server must read it (a
// default fasthttp server reads a request head of 4096 bytes at most).
func runLockOut(t *testing.T, st Stack) {
	clk := NewClock()
	h := &hooks{}
	base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{ID: "2026-12", Secret: Secret(4)}), session.Config{}, h)
	start := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
	// The largest value that still gets a Set-Cookie, by bisection.
	lo, hi := 0, session.MaxCookieSize
	var largest string
	setCookie := 0
	for lo < hi {
		mid := (lo + hi + 1) / 2
		res := get(t, plainClient, base+"/?op=big&n="+strconv.Itoa(mid), "Cookie", "session="+start)
		if tok := cookieToken(res, "session"); tok != "" {
			lo, largest, setCookie = mid, tok, len(res.header.Get("Set-Cookie"))
		} else {
			hi = mid - 1
		}
	}
	if largest == "" {
		t.Fatal("no cookie issued at all")
	}
	if setCookie > session.DefaultMaxCookieSize || setCookie < session.DefaultMaxCookieSize-8 {
		t.Errorf("largest Set-Cookie is %d bytes, want just under %d", setCookie, session.DefaultMaxCookieSize)
	}
	lines := append([]string{"GET /?op=read HTTP/1.1"}, BrowserHeaders...)
	lines = append(lines, "Cookie: _ga=GA1.1.123456789.1700000000; theme=dark; session="+largest)
	res := raw(t, base, lines...)
	if res.status != 200 || res.body != "1" {
		t.Errorf("largest cookie (%d bytes) with a browser's headers: %d %q, want 200 and the session", len(largest), res.status, res.body)
	}
}
