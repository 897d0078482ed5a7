package sessiontest

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// runLarge tests large sessions: compression (round trip, bombs refused in bounded memory) and
// chunked cookies (growth, shrinkage, malformed chunk sets, the Cookie header budget).
func runLarge(t *testing.T, st Stack) {
	t.Run("compression round trip", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(11)}), session.Config{Compress: true}, h)
		res := get(t, plainClient, base+"/?op=profile&n=60")
		tok := cookieToken(res, "session")
		if res.body != "profile" || tok == "" {
			t.Fatalf("profile of 60 fields: %q, cookie %q (%v)", res.body, tok, h.lastError())
		}
		if p := jwsPayload(t, tok); !strings.Contains(p, `"_deflate":"`) || strings.Contains(p, "example.com") {
			t.Errorf("payload not compressed: %.100s", p)
		}
		for _, i := range []int{0, 1, 2, 3, 59} {
			want := fmt.Sprint(ProfileValue(i))
			if s, ok := ProfileValue(i).(string); ok {
				want = strconv.Quote(s)
			}
			got := get(t, plainClient, base+"/?op=get&name="+ProfileName(i), "Cookie", "session="+tok).body
			if got != want {
				t.Errorf("%s: %s, want %s", ProfileName(i), got, want)
			}
		}
	})
	t.Run("compression bomb refused in bounded memory", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		codec := Codec(t, clk, fastjwt.Key{Secret: Secret(12)})
		base := sessionServer(t, st, clk, codec, session.Config{}, h)
		// A validly signed session whose data inflates to 1 MiB, in a 2 KB cookie.
		var z bytes.Buffer
		w, _ := flate.NewWriter(&z, flate.BestCompression)
		_, _ = w.Write([]byte(`{"a":"`))
		_, _ = w.Write(bytes.Repeat([]byte("0"), 1<<20))
		_, _ = w.Write([]byte(`"}`))
		_ = w.Close()
		now := clk.Now().Unix()
		payload := fmt.Sprintf(`{"_deflate":"%s","iat":%d,"exp":%d,"jti":"bomb"}`, base64.RawURLEncoding.EncodeToString(z.Bytes()), now, now+3600)
		bomb, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(fmt.Sprintf(`{"a":"0","iat":%d,"exp":%d,"jti":"plain"}`, now, now+3600)))
		if err != nil {
			t.Fatal(err)
		}
		// Bytes allocated by the whole process per request: the server and the client, for the
		// bomb and, for reference, for a small valid session in the same run.
		perRequest := func(tok []byte, want string) uint64 {
			const n = 20
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range n {
				if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+string(tok)); res.status != 200 || res.body != want {
					t.Fatalf("%d %q, want 200 %q", res.status, res.body, want)
				}
			}
			runtime.ReadMemStats(&after)
			return (after.TotalAlloc - before.TotalAlloc) / n
		}
		ref := perRequest(plain, "0")
		got := perRequest(bomb, "0")
		t.Logf("bytes allocated per request: bomb %d, small session %d (the bomb inflates to %d)", got, ref, 1<<20)
		if got > ref+128<<10 {
			t.Errorf("a bomb request allocates %d bytes, a plain one %d: the difference must stay far below the bomb's 1 MiB", got, ref)
		}
		if err := h.lastInvalid(); err == nil || !strings.Contains(err.Error(), "compressed") {
			t.Errorf("OnInvalid heard %v, want ErrCompressed", err)
		}
	})
	t.Run("chunks grow and shrink", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		// Chunks of at most 1024 bytes, within the default budget of the sum (3072).
		base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(13)}), session.Config{Chunked: true, MaxCookieSize: 1024}, h)
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		u, _ := url.Parse(base)
		for _, size := range []int{100, 1200, 1700, 400, 1500, 10} {
			res := get(t, c, base+"/?op=big&n="+strconv.Itoa(size))
			if res.body != "big" || h.lastError() != nil {
				t.Fatalf("size %d: %q (%v)", size, res.body, h.lastError())
			}
			chunks := 0
			for _, ck := range jar.Cookies(u) {
				if strings.HasPrefix(ck.Name, "session.") {
					chunks++
				}
			}
			want := 0
			if size > 700 {
				want = (size*4/3 + 1023) / 900 // about 900 bytes of token per chunk
			}
			if (want == 0) != (chunks == 0) {
				t.Errorf("size %d: %d chunk cookies", size, chunks)
			}
			res = get(t, c, base+"/?op=get&name=big")
			if len(res.body) != size+2 {
				t.Errorf("size %d: read back %d bytes (%v)", size, len(res.body)-2, h.lastInvalid())
			}
		}
		get(t, c, base+"/?op=clear")
		if left := jar.Cookies(u); len(left) != 0 {
			t.Errorf("after clear the browser keeps %v", left)
		}
	})
	t.Run("malformed chunk sets", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(14)}), session.Config{Chunked: true, MaxCookieSize: 1024}, h)
		chunksOf := func(fill string) map[string]string {
			res := get(t, plainClient, base+"/?op=set&name=big&value="+strings.Repeat(fill, 1600))
			out := map[string]string{}
			for _, sc := range res.header.Values("Set-Cookie") {
				pair, _, _ := strings.Cut(sc, ";")
				k, v, _ := strings.Cut(pair, "=")
				out[k] = v
			}
			if out["session"] != "chunks-3" {
				t.Fatalf("want 3 chunks, got %v", out)
			}
			return out
		}
		a, b := chunksOf("a"), chunksOf("b") // two sessions, chunk for chunk different
		ok := "session=chunks-3; session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"]
		if res := get(t, plainClient, base+"/?op=get&name=big", "Cookie", ok); len(res.body) != 1602 {
			t.Fatalf("the intact set: %d bytes", len(res.body))
		}
		for name, cookie := range map[string]string{
			"missing":    "session=chunks-3; session.1=" + a["session.1"] + "; session.3=" + a["session.3"],
			"duplicated": ok + "; session.2=" + a["session.2"],
			"reordered":  "session=chunks-3; session.1=" + a["session.2"] + "; session.2=" + a["session.1"] + "; session.3=" + a["session.3"],
			"mixed":      "session=chunks-3; session.1=" + a["session.1"] + "; session.2=" + b["session.2"] + "; session.3=" + a["session.3"],
			"stale":      "session=chunks-2; session.1=" + a["session.1"] + "; session.2=" + a["session.2"] + "; session.3=" + a["session.3"],
			"count":      "session=chunks-7; session.1=" + a["session.1"],
		} {
			res := get(t, plainClient, base+"/?op=get&name=big", "Cookie", cookie)
			if res.status != 200 || res.body != "" {
				t.Errorf("%s chunk set: %d, %d bytes of data; want 200 and a new session", name, res.status, len(res.body))
			}
		}
	})
	t.Run("largest chunked session with a browser's headers", func(t *testing.T) {
		clk := NewClock()
		h := &hooks{}
		base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(15)}), session.Config{Chunked: true, MaxCookieSize: 1024}, h)
		lo, hi := 0, 4000
		var cookie string
		for lo < hi {
			mid := (lo + hi + 1) / 2
			res := get(t, plainClient, base+"/?op=big&n="+strconv.Itoa(mid))
			if vals := res.header.Values("Set-Cookie"); len(vals) > 0 {
				var pairs []string
				for _, sc := range vals {
					pair, _, _ := strings.Cut(sc, ";")
					pairs = append(pairs, pair)
				}
				lo, cookie = mid, strings.Join(pairs, "; ")
			} else {
				hi = mid - 1
			}
		}
		if len(cookie) > session.DefaultMaxCookieSize {
			t.Errorf("the chunks add %d bytes to the Cookie header, the budget is %d", len(cookie), session.DefaultMaxCookieSize)
		}
		lines := append([]string{"GET /?op=get&name=big HTTP/1.1"}, BrowserHeaders...)
		lines = append(lines, "Cookie: _ga=GA1.1.123456789.1700000000; theme=dark; "+cookie)
		if res := raw(t, base, lines...); res.status != 200 || len(res.body) != lo+2 {
			t.Errorf("largest chunked session (%d bytes of value, %d of cookies) with a browser's headers: %d, %d bytes", lo, len(cookie), res.status, len(res.body))
		}
	})
}

// jwsPayload decodes the payload of a compact JWS without verifying it.
func jwsPayload(t testing.TB, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
