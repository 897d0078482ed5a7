package fuzz

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

var largeNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func largeManager(t testing.TB, cfg session.Config) (*session.Manager, *fastjwt.Codec) {
	t.Helper()
	now := func() time.Time { return largeNow }
	// No verified-token cache: what a request allocates is the bound under test, and the cache's
	// one-time allocation of a segment (when an input comes back) is not a request's.
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: bytes.Repeat([]byte("z"), 32)}}, fastjwt.WithClock(now), fastjwt.WithVerifyCache(0))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Now = now
	m, err := session.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, codec
}

func deflateBytes(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

// refInflate is the reference reading of the compressed claim: compress/flate's reader through
// io.ReadAll, limited to the cap plus one byte.
func refInflate(z []byte, limit int) ([]byte, bool) {
	out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), int64(limit)+1))
	if err != nil || len(out) > limit {
		return nil, false
	}
	return out, true
}

// FuzzInflate signs a session whose "_deflate" claim holds the fuzzer's bytes (raw, so that
// anything DEFLATE can hold is reachable, or deflated first, so that valid streams are common)
// and checks the session layer against the reference: a session is accepted only when the
// reference inflates the bytes within the cap to a JSON object, and then holds exactly its
// members; a request never allocates more than a small bound, whatever the bytes inflate to.
func FuzzInflate(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":"x"}`), true)
	f.Add([]byte(`{"a":"`+strings.Repeat("0", 5000)+`"}`), true)
	f.Add([]byte(`[1,2]`), true)
	f.Add([]byte(`{"exp":1}`), true)
	f.Add([]byte(`{"a":1,"a":2}`), true)
	f.Add([]byte{0x4b, 0x4c, 0x4a, 0x06, 0x00}, false)
	f.Add([]byte{}, false)
	m, codec := largeManager(f, session.Config{})
	const ratio = session.DefaultMaxCompressionRatio
	f.Fuzz(func(t *testing.T, data []byte, deflate bool) {
		z := data
		if deflate {
			z = deflateBytes(data)
		}
		if len(z) > 3000 {
			return // beyond what a cookie carries
		}
		payload := fmt.Sprintf(`{"_deflate":"%s","iat":%d,"exp":%d}`, base64.RawURLEncoding.EncodeToString(z), largeNow.Unix(), largeNow.Unix()+60)
		tok, err := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		h := recordedHeader{"Cookie": {"session=" + string(tok)}}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := m.Acquire(context.Background(), h)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Release(s)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<10 {
			t.Errorf("one request allocated %d bytes (compressed %d)", grew, len(z))
		}
		limit := min(session.MaxInflatedSize, ratio*len(z))
		ref, ok := refInflate(z, limit)
		var members map[string]json.RawMessage
		if ok && (len(bytes.TrimLeft(ref, " \t\r\n")) == 0 || bytes.TrimLeft(ref, " \t\r\n")[0] != '{' || json.Unmarshal(ref, &members) != nil) {
			ok = false
		}
		if !ok {
			if !s.IsNew() {
				t.Fatalf("accepted what the reference refuses: %q", ref)
			}
			return
		}
		if s.IsNew() {
			// Refusals beyond the reference's: names the session layer reserves or registered
			// claims, duplicates, strictness (UTF-8, numbers) the codec applies.
			return
		}
		if s.Len() != len(members) {
			t.Fatalf("%d values, the reference has %d", s.Len(), len(members))
		}
		for name, want := range members {
			got, found := s.Raw(name)
			var a, b any
			if !found || json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("%q: %s, the reference %s", name, got, want)
			}
		}
	})
}

// FuzzChunks builds a Cookie header from the fuzzer's bytes, each picking a cookie from a
// palette (the chunk marker with a count, the chunks of two real sessions, garbage, a byte of
// its own), and checks the verdict against the documented rule, applied here independently: the
// session is the one whose token the marker's N chunks, each present exactly once, spell; any
// other set is a new session. Never a panic, never another session's data.
func FuzzChunks(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, "")
	f.Add([]byte{0, 1, 2}, "")
	f.Add([]byte{0, 1, 6, 3}, "")
	f.Add([]byte{0, 1, 1, 2, 3}, "")
	f.Add([]byte{9, 4, 5, 6, 7}, "")
	f.Add([]byte{0, 3, 2, 1}, "x=1")
	m, _ := largeManager(f, session.Config{Chunked: true, MaxChunkedSize: session.MaxChunkedSize})
	chunksOf := func(fill string) (map[string]string, string) {
		s, err := m.Acquire(context.Background(), recordedHeader{})
		if err != nil {
			f.Fatal(err)
		}
		_ = s.Set("big", strings.Repeat(fill, 4500))
		h := recordedHeader{}
		if err := s.Commit(context.Background(), h); err != nil || s.Err() != nil {
			f.Fatal(err, s.Err())
		}
		m.Release(s)
		out := map[string]string{}
		for _, sc := range h["Set-Cookie"] {
			pair, _, _ := strings.Cut(sc, ";")
			k, v, _ := strings.Cut(pair, "=")
			out[k] = v
		}
		if out["session"] != "chunks-3" {
			f.Fatalf("want 3 chunks: session=%s, %d cookies", out["session"], len(out))
		}
		return out, out["session.1"] + out["session.2"] + out["session.3"]
	}
	a, tokA := chunksOf("a")
	b, tokB := chunksOf("b")
	palette := []string{
		"session=chunks-3", "session.1=" + a["session.1"], "session.2=" + a["session.2"], "session.3=" + a["session.3"],
		"session.1=" + b["session.1"], "session.2=" + b["session.2"], "session.3=" + b["session.3"],
		"session=chunks-2", "session=chunks-4", "session=chunks-1", "session.4=" + b["session.3"],
		"session.2=", "Session.1=" + a["session.1"], "session=" + tokA, "session.01=" + a["session.1"],
		"session=chunks-03",
	}
	f.Fuzz(func(t *testing.T, picks []byte, extra string) {
		if len(picks) > 12 {
			return
		}
		var pairs []string
		for _, p := range picks {
			pairs = append(pairs, palette[int(p)%len(palette)])
		}
		if strings.Contains(extra, "session") {
			return // the extra cookie is noise around the session's, not one of its own
		}
		if extra != "" {
			pairs = append(pairs, extra)
		}
		line := strings.Join(pairs, "; ")
		s, err := m.Acquire(context.Background(), recordedHeader{"Cookie": {line}})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Release(s)
		got, _ := s.String("big")
		// The reference: the session cookies (at most MaxSessionCookies), each a token or a
		// marker whose chunks are present exactly once.
		lines := []string{line}
		want := ""
		cands := refCookieValues(lines, "session")
		if len(cands) > session.MaxSessionCookies {
			cands = cands[:session.MaxSessionCookies]
		}
		for _, c := range cands {
			token := c
			if n, ok := strings.CutPrefix(c, "chunks-"); ok && len(n) == 1 && n[0] >= '1' && n[0] <= '4' {
				token = ""
				for i := 1; i <= int(n[0]-'0'); i++ {
					vals := refCookieValues(lines, fmt.Sprintf("session.%d", i))
					if len(vals) != 1 {
						token = ""
						break
					}
					token += vals[0]
				}
			}
			if token == tokA {
				want = strings.Repeat("a", 4500)
			} else if token == tokB {
				want = strings.Repeat("b", 4500)
			}
			if want != "" {
				break
			}
		}
		if got != want {
			t.Fatalf("Cookie: %.200s\ngot %d bytes of %q, want %d of %q (%v)", line, len(got), first(got), len(want), first(want), s.InvalidReason())
		}
	})
}

func first(s string) string {
	if s == "" {
		return ""
	}
	return s[:1]
}
