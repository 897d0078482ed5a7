package main

import (
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/sessions"
)

// gorillaSessionCookie is the Cookie header pair a gorilla/sessions CookieStore with the keys
// writes for the demo's session cookie, holding counter (an int, gob-encoded as gorilla does).
func gorillaSessionCookie(t *testing.T, store *sessions.CookieStore, counter int) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	s, _ := store.New(req, "session")
	s.Values["counter"] = counter
	rec := httptest.NewRecorder()
	if err := s.Save(req, rec); err != nil {
		t.Fatal(err)
	}
	pair, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	return pair
}

// writeKeyFile writes key to a file of its own, with a final line ending as editors leave it.
func writeKeyFile(t *testing.T, name string, key []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, append(key, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	gorillaHashKey  = []byte("the old app's gorilla hash key..")
	gorillaBlockKey = []byte("old app's AES128")
)

// The demo takes over a gorilla/sessions cookie holding counter = 41: the next value is 42, and
// the response re-issues the session as this library's JWT cookie, on both stacks, with the
// keys read from files by the key-file rule (-legacy-gorilla-key-file,
// -legacy-gorilla-block-key-file).
func TestGorillaSessionTakenOver(t *testing.T) {
	hashKey, blockKey, err := legacyKeys(writeKeyFile(t, "hash", gorillaHashKey), writeKeyFile(t, "block", gorillaBlockKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"fasthttp", "nethttp"} {
		for _, compress := range []bool{false, true} {
			t.Run(stack+map[bool]string{true: " -compress"}[compress], func(t *testing.T) {
				base := serveDemo(t, config{stack: stack, mode: modeCookie, legacyHashKey: hashKey, legacyBlockKey: blockKey, compress: compress})
				store := sessions.NewCookieStore(gorillaHashKey, gorillaBlockKey)
				old := gorillaSessionCookie(t, store, 41)
				resp, body := withCookie(t, base, "/", strings.TrimPrefix(old, "session="))
				if resp.StatusCode != 200 || body != "Current counter value: 42\n" {
					t.Fatalf("GET / with the gorilla cookie: %d %q", resp.StatusCode, body)
				}
				var tok string
				for _, ck := range resp.Cookies() {
					if ck.Name == "session" {
						tok = ck.Value
					}
				}
				if strings.Count(tok, ".") != 2 {
					t.Fatalf("the session was not re-issued as a JWT cookie: %q", tok)
				}
				// The demo's session is too small for DEFLATE to shorten it: with -compress too,
				// it stays plain (compression is used only when it makes the token shorter).
				if p := payload(t, tok); p["counter"] != 42.0 || p["_deflate"] != nil {
					t.Errorf("re-issued payload %v, want counter 42, plain", p)
				}
				// The JWT cookie goes on from there.
				c := newClient(t, base)
				c.setSessionCookie(tok)
				c.expectCounter("43")
			})
		}
	}
}

// -legacy-gorilla-write: the response also carries a cookie the old app's gorilla store reads.
func TestGorillaWrite(t *testing.T) {
	for _, stack := range []string{"fasthttp", "nethttp"} {
		t.Run(stack, func(t *testing.T) {
			base := serveDemo(t, config{stack: stack, mode: modeCookie, legacyHashKey: gorillaHashKey, legacyWrite: true})
			store := sessions.NewCookieStore(gorillaHashKey)
			resp, body := withCookie(t, base, "/", strings.TrimPrefix(gorillaSessionCookie(t, store, 41), "session="))
			if body != "Current counter value: 42\n" {
				t.Fatalf("%q", body)
			}
			req := httptest.NewRequest("GET", "/", nil)
			for _, ck := range resp.Cookies() {
				req.AddCookie(ck)
			}
			s, err := store.Get(req, "session")
			if err != nil || s.Values["counter"] != 42 {
				t.Fatalf("the old app reads %v (%v)", s.Values, err)
			}
		})
	}
}

func TestGorillaFlags(t *testing.T) {
	if _, _, err := legacyKeys("", writeKeyFile(t, "b", gorillaBlockKey)); err == nil {
		t.Error("a block key without a hash key was accepted")
	}
	if _, _, err := legacyKeys(filepath.Join(t.TempDir(), "missing"), ""); err == nil {
		t.Error("a missing key file was accepted")
	}
	empty := filepath.Join(t.TempDir(), "empty")
	_ = os.WriteFile(empty, []byte("\n"), 0o600)
	if _, _, err := legacyKeys(empty, ""); err == nil {
		t.Error("an empty key file was accepted")
	}
	for _, cfg := range []config{
		{stack: "nethttp", mode: modeServer, legacyHashKey: gorillaHashKey},                                  // needs -mode cookie
		{stack: "nethttp", mode: modeCookie, legacyWrite: true},                                              // write without keys
		{stack: "nethttp", mode: modeCookie, legacyHashKey: gorillaHashKey, legacyBlockKey: []byte("short")}, // not an AES key
	} {
		cfg.user, cfg.password, cfg.key = "demo", "demo", testKey
		if d, err := newDemo(cfg); err == nil {
			d.close()
			t.Errorf("%+v accepted", cfg)
		}
	}
	// A tampered gorilla cookie is a new session, and the log says why.
	var logged syncBuffer
	base := serveDemo(t, config{stack: "nethttp", mode: modeCookie, legacyHashKey: gorillaHashKey, log: log.New(&logged, "", 0)})
	old := []byte(strings.TrimPrefix(gorillaSessionCookie(t, sessions.NewCookieStore(gorillaHashKey), 41), "session="))
	old[20] ^= 'A' ^ 'B'
	if _, body := withCookie(t, base, "/", string(old)); body != "Current counter value: 1\n" {
		t.Errorf("tampered gorilla cookie: %q", body)
	}
	if l := logged.String(); !strings.Contains(l, "gorilla session: session: legacy cookie refused") {
		t.Errorf("log: %q", l)
	}
}
