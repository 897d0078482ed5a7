package jwks

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Every algorithm verifies through the client, with the kid of each key.
func TestClientVerifies(t *testing.T) {
	keys := []testKey{
		newKey(t, fastjwt.ES256, "ec"),
		newKey(t, fastjwt.EdDSA, "ed"),
		newKey(t, fastjwt.RS256, "rs"),
	}
	s := newServer(t, set(t, keys...))
	c := newClient(t, s, Options{})
	var toks [][]byte
	for _, k := range keys {
		tok := sign(t, k)
		toks = append(toks, tok)
		var cl fastjwt.Claims
		out, err := c.AppendVerifyClaims([]byte("prefix"), tok, &cl)
		if err != nil || string(out) != "prefix"+testPayload || cl.Subject() != "alice" {
			t.Errorf("%v: %q %v, sub %q", k.pub.Alg, out, err, cl.Subject())
		}
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if c.Fetches() != 1 || c.FailedFetches() != 0 {
		t.Errorf("Fetches %d, FailedFetches %d", c.Fetches(), c.FailedFetches())
	}
	if err := c.Ready(); err != nil {
		t.Errorf("Ready: %v", err)
	}
	// The tokens above were verified once (misses, each leaving a mark); a second time, in full
	// again, which stores them (misses); a third time from the key set's cache (hits).
	for range 2 {
		for _, tok := range toks {
			var cl fastjwt.Claims
			if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st := c.CacheStats(); st.Hits != 3 || st.Misses != 6 {
		t.Errorf("CacheStats %+v after three tokens verified three times, want 3 hits and 6 misses", st)
	}
	if a := c.Age(); a <= 0 || a > time.Minute {
		t.Errorf("Age %v", a)
	}
}

// The issuer rotates: a token with the new kid is accepted after one refetch; another new kid
// within the cooldown is refused without a fetch, and accepted after it.
func TestClientRotation(t *testing.T) {
	k1, k2, k3 := newKey(t, fastjwt.ES256, "k1"), newKey(t, fastjwt.ES256, "k2"), newKey(t, fastjwt.EdDSA, "k3")
	s := newServer(t, set(t, k1))
	c := newClient(t, s, Options{Cooldown: time.Hour})
	tok2 := sign(t, k2)
	if err := verify(c, tok2); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("k2 before it is published: %v", err)
	}
	if n := s.count(); n != 2 {
		t.Fatalf("%d requests after an unknown kid, want 2", n)
	}
	s.set(func(s *server) { s.doc = set(t, k1, k2) })
	// Within the cooldown, the unknown kid is answered from the set in use.
	if err := verify(c, tok2); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("k2 within the cooldown: %v", err)
	}
	if n := s.count(); n != 2 {
		t.Fatalf("%d requests within the cooldown, want 2", n)
	}
	expireCooldown(c)
	if err := verify(c, tok2); err != nil {
		t.Fatalf("k2 after the cooldown: %v", err)
	}
	if n := s.count(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	// k1 still verifies; a kid of a new algorithm (EdDSA, which the set lacks: the codec says
	// ErrAlgorithm) causes a fetch too, once the cooldown has passed.
	if err := verify(c, sign(t, k1)); err != nil {
		t.Fatal(err)
	}
	s.set(func(s *server) { s.doc = set(t, k2, k3) })
	expireCooldown(c)
	if err := verify(c, sign(t, k3)); err != nil {
		t.Fatalf("k3 of a new algorithm: %v", err)
	}
	if err := verify(c, sign(t, k1)); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("k1 after it left the set: %v", err)
	}
	if n := s.count(); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}
}

// A key removed from the set is not used again, even for a token verified (and cached) before.
func TestClientRemovedKeyNotCached(t *testing.T) {
	k1, k2 := newKey(t, fastjwt.EdDSA, "k1"), newKey(t, fastjwt.EdDSA, "k2")
	s := newServer(t, set(t, k1, k2))
	c := newClient(t, s, Options{MinRefresh: 50 * time.Millisecond, MaxRefresh: 50 * time.Millisecond})
	tok := sign(t, k1)
	for range 3 {
		if err := verify(c, tok); err != nil {
			t.Fatal(err)
		}
	}
	s.set(func(s *server) { s.doc = set(t, k2) })
	eventually(t, "the refresh", func() bool { return s.count() >= 3 })
	eventually(t, "k1 refused", func() bool { return errors.Is(verify(c, tok), fastjwt.ErrUnknownKey) })
}

// The server goes down, answers 500, garbage, a refused set: the last good set stays in use,
// each failure is reported, and the client stays ready.
func TestClientKeepsLastGoodSet(t *testing.T) {
	k1 := newKey(t, fastjwt.ES256, "k1")
	tok := sign(t, k1)
	good := set(t, k1)
	oct := `{"keys":[` + strings.TrimSuffix(strings.TrimPrefix(string(good), `{"keys":[`), `]}`) +
		`,{"kty":"oct","kid":"hs","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`
	dup := `{"keys":[` + strings.TrimSuffix(strings.TrimPrefix(string(good), `{"keys":[`), `]}`) + `,` +
		strings.TrimSuffix(strings.TrimPrefix(string(set(t, newKey(t, fastjwt.ES256, "k1"))), `{"keys":[`), `]}`) + `]}`
	cases := []struct {
		name  string
		serve func(s *server)
		want  string
		isKey bool // the error also matches fastjwt.ErrKey
	}{
		{"500", func(s *server) { s.status = 500 }, "status 500", false},
		{"404", func(s *server) { s.status = 404 }, "status 404", false},
		{"garbage", func(s *server) { s.doc = []byte("<html>oops</html>") }, "not one strict JSON object", true},
		{"truncated", func(s *server) { s.doc = good[:len(good)/2] }, "not one strict JSON object", true},
		{"no keys", func(s *server) { s.doc = []byte(`{"keys":[]}`) }, "no key usable", true},
		{"oct key", func(s *server) { s.doc = []byte(oct) }, "symmetric key", true},
		{"duplicate kid", func(s *server) { s.doc = []byte(dup) }, `two keys of the set have the kid "k1"`, true},
		{"private key", func(s *server) {
			s.doc = []byte(strings.Replace(string(good), `"kty":"EC"`, `"kty":"EC","d":"AAAA"`, 1))
		}, `private member "d"`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, good)
			var log errorLog
			c := newClient(t, s, Options{OnError: log.add, Cooldown: time.Millisecond})
			s.set(tc.serve)
			// An unknown kid makes the client fetch the bad answer.
			if err := verify(c, sign(t, newKey(t, fastjwt.ES256, "new"))); !errors.Is(err, fastjwt.ErrUnknownKey) {
				t.Fatalf("unknown kid: %v", err)
			}
			if err := verify(c, tok); err != nil {
				t.Fatalf("the last good set is not in use: %v", err)
			}
			errs := log.all()
			if len(errs) != 1 || !errors.Is(errs[0], ErrFetch) || !strings.Contains(errs[0].Error(), tc.want) ||
				errors.Is(errs[0], fastjwt.ErrKey) != tc.isKey {
				t.Fatalf("OnError heard %v, want one ErrFetch with %q", errs, tc.want)
			}
			if c.Fetches() != 2 || c.FailedFetches() != 1 {
				t.Errorf("Fetches %d, FailedFetches %d", c.Fetches(), c.FailedFetches())
			}
			if err := c.Ready(); err != nil {
				t.Errorf("Ready: %v", err)
			}
		})
	}
}

// A server that is down: New fails; a client holding a set keeps it.
func TestClientServerDown(t *testing.T) {
	k1 := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k1))
	c := newClient(t, s, Options{Cooldown: time.Millisecond})
	s.Close()
	start := time.Now()
	if err := verify(c, sign(t, newKey(t, fastjwt.ES256, "new"))); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the refused fetch took %v", d)
	}
	if c.FailedFetches() != 1 {
		t.Errorf("FailedFetches %d", c.FailedFetches())
	}
	if err := verify(c, sign(t, k1)); err != nil {
		t.Fatal(err)
	}
	if _, err := New(s.URL, Options{}); !errors.Is(err, ErrFetch) {
		t.Fatalf("New with the server down: %v", err)
	}
}

// A slow server: New and a verify wait at most the fetch timeout; the set in use stays.
func TestClientSlowServer(t *testing.T) {
	k1 := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k1))
	const timeout = 200 * time.Millisecond
	var log errorLog
	c := newClient(t, s, Options{FetchTimeout: timeout, OnError: log.add})
	s.set(func(s *server) { s.delay = 10 * time.Second })

	tok := sign(t, newKey(t, fastjwt.ES256, "new"))
	start := time.Now()
	err := verify(c, tok)
	if d := time.Since(start); d < timeout/2 || d > timeout+time.Second {
		t.Errorf("the verify waited %v, want about %v", d, timeout)
	}
	if !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	eventually(t, "the failure reported", func() bool { return len(log.all()) == 1 })
	if err := log.all()[0]; !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "timeout") && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("OnError: %v", err)
	}
	// A token with a known kid never waits.
	start = time.Now()
	if err := verify(c, sign(t, k1)); err != nil || time.Since(start) > timeout/2 {
		t.Fatalf("known kid: %v after %v", err, time.Since(start))
	}

	start = time.Now()
	if _, err := New(s.URL, Options{FetchTimeout: timeout}); !errors.Is(err, ErrFetch) {
		t.Fatalf("New: %v", err)
	}
	if d := time.Since(start); d > timeout+time.Second {
		t.Errorf("New took %v", d)
	}
}

// A request that joins a fetch started earlier waits for it, and not longer than the timeout.
func TestClientWaitBounded(t *testing.T) {
	k1 := newKey(t, fastjwt.ES256, "k1")
	k2 := newKey(t, fastjwt.ES256, "k2")
	s := newServer(t, set(t, k1))
	c := newClient(t, s, Options{FetchTimeout: 2 * time.Second})
	s.set(func(s *server) { s.delay = 300 * time.Millisecond; s.doc = set(t, k1, k2) })
	start := time.Now()
	if err := verify(c, sign(t, k2)); err != nil {
		t.Fatalf("k2: %v", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
		t.Errorf("waited %v", d)
	}
}

// A huge body is refused without being read: with a Content-Length over the cap, at once; without
// one, at the first byte over the cap.
func TestClientHugeBody(t *testing.T) {
	k1 := newKey(t, fastjwt.ES256, "k1")
	for _, declared := range []bool{true, false} {
		name := map[bool]string{true: "Content-Length", false: "chunked"}[declared]
		t.Run(name, func(t *testing.T) {
			s := newServer(t, set(t, k1))
			var log errorLog
			c := newClient(t, s, Options{OnError: log.add, Cooldown: time.Millisecond})
			written := make(chan int64, 1)
			s.set(func(s *server) {
				s.handler = func(w http.ResponseWriter, r *http.Request) {
					if declared {
						w.Header().Set("Content-Length", "1073741824")
					}
					chunk := []byte(strings.Repeat(" ", 64<<10))
					var n int64
					for n < 1<<30 {
						m, err := w.Write(chunk)
						n += int64(m)
						if err != nil {
							break
						}
					}
					written <- n
				}
			})
			if err := verify(c, sign(t, newKey(t, fastjwt.ES256, "new"))); !errors.Is(err, fastjwt.ErrUnknownKey) {
				t.Fatal(err)
			}
			var n int64
			select {
			case n = <-written:
			case <-time.After(10 * time.Second):
				t.Fatal("the server is still writing: the client reads on")
			}
			if n > 64<<20 {
				t.Errorf("the server wrote %d bytes before the client hung up", n)
			}
			errs := log.all()
			if len(errs) != 1 || !errors.Is(errs[0], ErrFetch) || !strings.Contains(errs[0].Error(), "bytes") {
				t.Fatalf("OnError: %v", errs)
			}
			if err := verify(c, sign(t, k1)); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Exactly the cap is fine; one byte more is not.
	doc := set(t, k1)
	for _, tc := range []struct {
		max int64
		ok  bool
	}{{int64(len(doc)), true}, {int64(len(doc)) - 1, false}} {
		s := newServer(t, doc)
		c, err := New(s.URL, Options{MaxResponseSize: tc.max})
		if (err == nil) != tc.ok {
			t.Errorf("MaxResponseSize %d for %d bytes: %v", tc.max, len(doc), err)
		}
		if err == nil {
			c.Close()
		}
	}
}

// Duplicate kids: two usable keys with one kid refuse the set (New fails; a refresh keeps the
// last good set, see TestClientKeepsLastGoodSet). A key skipped for being for encryption may
// share its kid with a signing key, as some providers publish them.
func TestClientDuplicateKids(t *testing.T) {
	a, b := newKey(t, fastjwt.ES256, "same"), newKey(t, fastjwt.EdDSA, "same")
	s := newServer(t, []byte(`{"keys":[`+trimSet(set(t, a))+`,`+trimSet(set(t, b))+`]}`))
	if _, err := New(s.URL, Options{}); !errors.Is(err, ErrFetch) || !errors.Is(err, fastjwt.ErrKey) ||
		!strings.Contains(err.Error(), `two keys of the set have the kid "same"`) {
		t.Fatalf("New: %v", err)
	}
	enc := strings.Replace(trimSet(set(t, b)), `"use":"sig"`, `"use":"enc"`, 1)
	s.set(func(s *server) { s.doc = []byte(`{"keys":[` + trimSet(set(t, a)) + `,` + enc + `]}`) })
	var log errorLog
	c := newClient(t, s, Options{OnError: log.add})
	if err := verify(c, sign(t, a)); err != nil {
		t.Fatal(err)
	}
	if errs := log.all(); len(errs) != 1 || !errors.Is(errs[0], fastjwt.ErrKey) || !strings.Contains(errs[0].Error(), `key 1 of the set skipped`) {
		t.Errorf("OnError: %v", errs)
	}
}

func trimSet(doc []byte) string {
	return strings.TrimSuffix(strings.TrimPrefix(string(doc), `{"keys":[`), `]}`)
}

// A symmetric key in the first set refuses it: New fails.
func TestClientRefusesOct(t *testing.T) {
	s := newServer(t, []byte(`{"keys":[{"kty":"oct","kid":"hs","alg":"HS256","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`))
	_, err := New(s.URL, Options{})
	if !errors.Is(err, ErrFetch) || !errors.Is(err, fastjwt.ErrKey) || !strings.Contains(err.Error(), "symmetric") {
		t.Fatalf("New: %v", err)
	}
}

// A token's jku is never followed: a token naming an attacker's set, signed with the attacker's
// key, is refused, and the attacker's URL is never asked; a token with a known kid verifies
// whatever jku it carries.
func TestClientIgnoresJKU(t *testing.T) {
	good := newKey(t, fastjwt.EdDSA, "good")
	evil := newKey(t, fastjwt.EdDSA, "evil")
	s := newServer(t, set(t, good))
	attacker := newServer(t, set(t, evil))
	c := newClient(t, s, Options{})
	for _, hdr := range []string{
		`{"alg":"EdDSA","kid":"evil","jku":"` + attacker.URL + `"}`,
		`{"alg":"EdDSA","jku":"` + attacker.URL + `"}`,
		`{"alg":"EdDSA","kid":"evil","x5u":"` + attacker.URL + `"}`,
	} {
		if err := verify(c, signHeader(t, evil, hdr)); err == nil {
			t.Errorf("%s: accepted", hdr)
		}
	}
	if err := verify(c, signHeader(t, good, `{"alg":"EdDSA","kid":"good","jku":"`+attacker.URL+`"}`)); err != nil {
		t.Errorf("known kid with a jku: %v", err)
	}
	if n := attacker.count(); n != 0 {
		t.Fatalf("the attacker's set was fetched %d times", n)
	}
	if n := s.count(); n != 2 {
		t.Errorf("%d requests to the configured URL, want 2 (one for the unknown kid)", n)
	}
}

// The algorithm comes from the key, never from the token: an HS256 token MACed with the public
// key's JWK, an alg the kid's key does not have, and "none" are refused, and cause no fetch.
func TestClientAlgorithmFromKey(t *testing.T) {
	k := newKey(t, fastjwt.EdDSA, "k1")
	doc := set(t, k)
	s := newServer(t, doc)
	c := newClient(t, s, Options{Cooldown: time.Millisecond})
	hs, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "k1", Secret: []byte(strings.Repeat("x", 32) + trimSet(doc))}}, fastjwt.AllowShortKeys())
	if err != nil {
		t.Fatal(err)
	}
	hsTok, _ := hs.AppendSign(nil, []byte(testPayload))
	for name, tok := range map[string][]byte{
		"HS256":         hsTok,
		"RS256 for k1":  signHeader(t, k, `{"alg":"RS256","kid":"k1"}`),
		"ES256 for k1":  signHeader(t, k, `{"alg":"ES256","kid":"k1"}`),
		"none":          []byte(strings.Split(string(signHeader(t, k, `{"alg":"none","kid":"k1"}`)), ".")[0] + "." + strings.Split(string(signHeader(t, k, `{"alg":"none"}`)), ".")[1] + "."),
		"eddsa lowcase": signHeader(t, k, `{"alg":"eddsa","kid":"k1"}`),
	} {
		time.Sleep(2 * time.Millisecond)
		if err := verify(c, tok); !errors.Is(err, fastjwt.ErrAlgorithm) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d requests, want 1: a token's alg caused a fetch", n)
	}
}

// Lazy: New returns at once; the first verify waits for the first fetch.
func TestClientLazy(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	s.set(func(s *server) { s.delay = 100 * time.Millisecond })
	c := newClient(t, s, Options{Lazy: true})
	if err := c.Ready(); !errors.Is(err, ErrNotReady) {
		t.Errorf("Ready before the first fetch: %v", err)
	}
	if c.Age() != 0 {
		t.Errorf("Age %v without a set", c.Age())
	}
	if err := verify(c, sign(t, k)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if err := c.Ready(); err != nil {
		t.Errorf("Ready: %v", err)
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	// Lazy with the server failing: tokens are refused with ErrUnknownKey, Ready says why.
	bad := newServer(t, []byte("nope"))
	var log errorLog
	c = newClient(t, bad, Options{Lazy: true, OnError: log.add})
	err := verify(c, sign(t, k))
	if !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("verify without keys: %v", err)
	}
	eventually(t, "the failure", func() bool { return len(log.all()) > 0 })
	if err := c.Ready(); !errors.Is(err, ErrNotReady) || !errors.Is(err, ErrFetch) {
		t.Errorf("Ready: %v", err)
	}
}

// Ready reports a set older than MaxStale, and a closed client.
func TestClientReady(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k1")
	s := newServer(t, set(t, k))
	c := newClient(t, s, Options{MaxStale: 300 * time.Millisecond})
	if err := c.Ready(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(350 * time.Millisecond)
	if err := c.Ready(); !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "last fetched") {
		t.Errorf("stale: %v", err)
	}
	if err := verify(c, sign(t, k)); err != nil {
		t.Errorf("a stale set still verifies: %v", err)
	}
	c.Close()
	c.Close()
	if err := c.Ready(); !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("closed: %v", err)
	}
	if err := verify(c, sign(t, k)); err != nil {
		t.Errorf("a closed client still verifies: %v", err)
	}
	if err := verify(c, sign(t, newKey(t, fastjwt.ES256, "k2"))); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Errorf("closed, unknown kid: %v", err)
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d requests, want 1: a closed client fetched", n)
	}
}

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		url  string
		opts Options
		want string
	}{
		{"ftp://example.com/jwks", Options{}, "not an http or https URL"},
		{"file:///etc/jwks.json", Options{}, "not an http or https URL"},
		{"/jwks.json", Options{}, "not an http or https URL"},
		{"https:///jwks.json", Options{}, "no host"},
		{"http://[::1", Options{}, "does not parse"},
		{"https://x", Options{FetchTimeout: -1}, "FetchTimeout is negative"},
		{"https://x", Options{MinRefresh: time.Hour, MaxRefresh: time.Minute}, "MinRefresh (1h0m0s) is above MaxRefresh (1m0s)"},
		{"https://x", Options{MaxRefresh: time.Minute}, "MinRefresh (5m0s) is above MaxRefresh (1m0s)"},
		{"https://x", Options{MaxResponseSize: 2 << 20}, "above 1048576 bytes"},
		{"https://x", Options{MaxResponseSize: -1}, "negative"},
		{"https://x", Options{Cooldown: -time.Second}, "Cooldown is negative"},
	} {
		_, err := New(tc.url, tc.opts)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, %+v): %v, want %q", tc.url, tc.opts, err, tc.want)
		}
	}
	// A password in the URL is not repeated in messages.
	_, err := New("https://user:secret@[::1", Options{})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("%v", err)
	}
	_, err = New("ftp://user:secret@host/", Options{})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("%v", err)
	}
}

// The hot path adds no allocation to the codec's: a token with a known kid costs through the
// client what it costs through the codec, and a cached one nothing.
func TestClientAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, alg := range []fastjwt.Alg{fastjwt.ES256, fastjwt.EdDSA, fastjwt.RS256} {
		k := newKey(t, alg, "k-"+alg.String())
		s := newServer(t, set(t, k))
		tok := sign(t, k)
		buf := make([]byte, 0, 256)
		var cl fastjwt.Claims
		for _, cache := range []int{0, 64} {
			opts := []fastjwt.Option{fastjwt.WithVerifyCache(cache)}
			c := newClient(t, s, Options{CodecOptions: opts})
			codec, err := fastjwt.NewVerifier([]fastjwt.PublicKey{k.pub}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var cerr, kerr error
			viaClient := testing.AllocsPerRun(50, func() { _, cerr = c.AppendVerifyClaims(buf[:0], tok, &cl) })
			viaCodec := testing.AllocsPerRun(50, func() { _, kerr = codec.AppendVerifyClaims(buf[:0], tok, &cl) })
			if cerr != nil || kerr != nil {
				t.Fatal(cerr, kerr)
			}
			if viaClient != viaCodec || (cache > 0 && viaClient != 0) {
				t.Errorf("%v, cache %d: %v allocations through the client, %v through the codec", alg, cache, viaClient, viaCodec)
			}
		}
	}
}

// A set whose keys have no ID: a token with a new kid is tried against them (ErrSignature), and
// still causes one refetch.
func TestClientRotationFromIDlessKeys(t *testing.T) {
	old, next := newKey(t, fastjwt.ES256, ""), newKey(t, fastjwt.ES256, "next")
	s := newServer(t, set(t, old))
	c := newClient(t, s, Options{})
	if err := verify(c, sign(t, old)); err != nil {
		t.Fatal(err)
	}
	s.set(func(s *server) { s.doc = set(t, old, next) })
	if err := verify(c, sign(t, next)); err != nil {
		t.Fatalf("the new kid: %v", err)
	}
	// A forged token with an unknown kid is refused, and within the cooldown causes no fetch.
	forged := sign(t, newKey(t, fastjwt.ES256, "forged"))
	if err := verify(c, forged); !errors.Is(err, fastjwt.ErrSignature) {
		t.Fatalf("forged: %v", err)
	}
	if n := s.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// Leeway reports the leeway of the codecs the client builds, before any set is fetched too.
func TestClientLeeway(t *testing.T) {
	s := newServer(t, set(t, newKey(t, fastjwt.ES256, "k1")))
	for _, tc := range []struct {
		opts []fastjwt.Option
		want time.Duration
	}{
		{nil, 0},
		{[]fastjwt.Option{fastjwt.WithLeeway(45 * time.Second)}, 45 * time.Second},
		{[]fastjwt.Option{fastjwt.WithLeeway(time.Minute), fastjwt.WithLeeway(-time.Second)}, 0},
	} {
		c := newClient(t, s, Options{Lazy: true, CodecOptions: tc.opts})
		if got := c.Leeway(); got != tc.want {
			t.Errorf("Leeway = %v, want %v", got, tc.want)
		}
	}
}
