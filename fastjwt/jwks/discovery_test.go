package jwks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// issuerServer is a loopback OpenID Connect issuer: its configuration document at DiscoveryPath
// (under prefix), its JWK Set at /jwks. The test sets the document with a function of the
// server's own URL, which is known only once it runs.
type issuerServer struct {
	*httptest.Server
	docs, sets atomic.Int64 // requests for each

	mu     sync.Mutex
	doc    func(base string) string
	set    []byte
	accept string // of the last document request
}

func newIssuer(t testing.TB, tls bool, prefix string, set []byte, doc func(base string) string) *issuerServer {
	t.Helper()
	s := &issuerServer{doc: doc, set: set}
	mux := http.NewServeMux()
	mux.HandleFunc(prefix+DiscoveryPath, func(w http.ResponseWriter, r *http.Request) {
		s.docs.Add(1)
		s.mu.Lock()
		doc := s.doc
		s.accept = r.Header.Get("Accept")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, doc(s.URL))
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		s.sets.Add(1)
		s.mu.Lock()
		set := s.set
		s.mu.Unlock()
		w.Write(set)
	})
	if tls {
		s.Server = httptest.NewTLSServer(mux)
	} else {
		s.Server = httptest.NewServer(mux)
	}
	t.Cleanup(s.Close)
	return s
}

// setDoc changes the document the server answers with.
func (s *issuerServer) setDoc(doc func(base string) string) {
	s.mu.Lock()
	s.doc = doc
	s.mu.Unlock()
}

// standardDoc is the document of an issuer whose identifier is its base URL plus suffix.
func standardDoc(suffix string) func(string) string {
	return func(base string) string {
		return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"id_token_signing_alg_values_supported":["ES256"]}`, base+suffix, base+"/jwks")
	}
}

// TestNewFromIssuer: the client reads the document once, follows its jwks_uri, verifies with
// the set, and later refreshes fetch the set only.
func TestNewFromIssuer(t *testing.T) {
	k1, k2 := newKey(t, fastjwt.ES256, "k1"), newKey(t, fastjwt.ES256, "k2")
	iss := newIssuer(t, false, "", set(t, k1), standardDoc(""))
	c, err := NewFromIssuer(iss.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := verify(c, sign(t, k1)); err != nil {
		t.Fatalf("token of the published key: %v", err)
	}
	if err := c.Ready(); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	iss.mu.Lock()
	accept := iss.accept
	iss.mu.Unlock()
	if got := accept; got != "application/json" {
		t.Errorf("Accept of the document request = %q", got)
	}
	// A new key: the refetch goes to the jwks_uri, not through the document again.
	iss.mu.Lock()
	iss.set = set(t, k1, k2)
	iss.mu.Unlock()
	expireCooldown(c)
	if err := verify(c, sign(t, k2)); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if d, s := iss.docs.Load(), iss.sets.Load(); d != 1 || s != 2 {
		t.Errorf("requests: %d for the document, %d for the set; want 1 and 2", d, s)
	}
	u, err := Discover(context.Background(), iss.URL, Options{})
	if err != nil || u != iss.URL+"/jwks" {
		t.Errorf("Discover = %q, %v", u, err)
	}
}

// TestDiscoveryIssuerPath: an issuer with a path, and one with a final "/": the document is at
// the identifier less that "/" plus DiscoveryPath, and its "issuer" must be the identifier as
// configured, character for character.
func TestDiscoveryIssuerPath(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	for _, suffix := range []string{"/realms/a", "/realms/a/"} {
		iss := newIssuer(t, false, "/realms/a", set(t, k), standardDoc(suffix))
		u, err := Discover(context.Background(), iss.URL+suffix, Options{})
		if err != nil || u != iss.URL+"/jwks" {
			t.Errorf("issuer %q: Discover = %q, %v", suffix, u, err)
		}
	}
}

// TestDiscoveryIssuerMismatch: a document naming another issuer, by any difference, is refused,
// by Discover and by NewFromIssuer; with Lazy, tokens are refused and Ready says why.
func TestDiscoveryIssuerMismatch(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	for _, tc := range []struct {
		name string
		doc  func(base string) string
	}{
		{"another path", func(b string) string { return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, b+"/other", b+"/jwks") }},
		{"a final slash", func(b string) string { return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, b+"/", b+"/jwks") }},
		{"upper case", func(b string) string {
			return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, strings.ToUpper(b), b+"/jwks")
		}},
		{"another host", func(b string) string {
			return fmt.Sprintf(`{"issuer":"https://idp.example","jwks_uri":%q}`, b+"/jwks")
		}},
		{"empty", func(b string) string { return fmt.Sprintf(`{"issuer":"","jwks_uri":%q}`, b+"/jwks") }},
	} {
		iss := newIssuer(t, false, "", set(t, k), tc.doc)
		_, err := Discover(context.Background(), iss.URL, Options{})
		if !errors.Is(err, ErrDiscovery) || !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "is not the configured issuer") {
			t.Errorf("%s: Discover: %v", tc.name, err)
		}
		if c, err := NewFromIssuer(iss.URL, Options{}); !errors.Is(err, ErrDiscovery) {
			t.Errorf("%s: NewFromIssuer: %v", tc.name, err)
			c.Close()
		}
		c, err := NewFromIssuer(iss.URL, Options{Lazy: true})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "the failed fetch", func() bool { return c.FailedFetches() > 0 })
		if err := verify(c, sign(t, k)); !errors.Is(err, fastjwt.ErrUnknownKey) {
			t.Errorf("%s: a token with no set: %v", tc.name, err)
		}
		if err := c.Ready(); !errors.Is(err, ErrNotReady) || !errors.Is(err, ErrDiscovery) || !strings.Contains(err.Error(), "the issuer "+iss.URL) {
			t.Errorf("%s: Ready: %v", tc.name, err)
		}
		if iss.sets.Load() != 0 {
			t.Errorf("%s: the set was fetched from an unverified document", tc.name)
		}
		c.Close()
	}
}

// TestDiscoveryJWKSScheme: an https issuer's jwks_uri must be https; no issuer's may be of
// another scheme than http or https.
func TestDiscoveryJWKSScheme(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	plain := newServer(t, set(t, k)) // an http JWK Set server
	for _, tc := range []struct {
		name    string
		tls     bool
		jwksURI func(base string) string
		ok      bool
	}{
		{"https issuer, https jwks_uri", true, func(b string) string { return b + "/jwks" }, true},
		{"https issuer, http jwks_uri", true, func(string) string { return plain.URL }, false},
		{"http issuer, http jwks_uri", false, func(b string) string { return b + "/jwks" }, true},
		{"https issuer, file jwks_uri", true, func(string) string { return "file:///etc/passwd" }, false},
		{"http issuer, ftp jwks_uri", false, func(string) string { return "ftp://127.0.0.1/jwks" }, false},
		{"relative jwks_uri", false, func(string) string { return "/jwks" }, false},
		{"jwks_uri not a string", false, nil, false},
	} {
		doc := func(b string) string {
			if tc.jwksURI == nil {
				return fmt.Sprintf(`{"issuer":%q,"jwks_uri":["%s/jwks"]}`, b, b)
			}
			return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, b, tc.jwksURI(b))
		}
		iss := newIssuer(t, tc.tls, "", set(t, k), doc)
		opts := Options{}
		if tc.tls {
			opts.HTTPClient = iss.Client()
		}
		c, err := NewFromIssuer(iss.URL, opts)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if err := verify(c, sign(t, k)); err != nil {
				t.Errorf("%s: verify: %v", tc.name, err)
			}
			c.Close()
			continue
		}
		if !errors.Is(err, ErrDiscovery) || !errors.Is(err, ErrFetch) {
			t.Errorf("%s: %v", tc.name, err)
			if c != nil {
				c.Close()
			}
		}
	}
	if n := plain.count(); n != 0 {
		t.Errorf("the http set was fetched %d times for an https issuer", n)
	}
}

// TestDiscoveryDocument: documents that are not one JSON object with one string "issuer" and
// one string "jwks_uri" are refused.
func TestDiscoveryDocument(t *testing.T) {
	for _, tc := range []struct{ name, doc, why string }{
		{"not JSON", `<html>`, "not a JSON object"},
		{"an array", `[{"issuer":"%[1]s"}]`, "not a JSON object"},
		{"truncated", `{"issuer":"%[1]s","jwks_uri":"%[1]s/jwks"`, "not a JSON object"},
		{"two values", `{"issuer":"%[1]s","jwks_uri":"%[1]s/jwks"} {}`, "more than one JSON value"},
		{"issuer twice", `{"issuer":"https://evil.example","issuer":"%[1]s","jwks_uri":"%[1]s/jwks"}`, `"issuer" appears twice`},
		{"jwks_uri twice", `{"issuer":"%[1]s","jwks_uri":"%[1]s/jwks","jwks_uri":"https://evil.example/jwks"}`, `"jwks_uri" appears twice`},
		{"issuer not a string", `{"issuer":null,"jwks_uri":"%[1]s/jwks"}`, `"issuer" is not a string`},
		{"no issuer", `{"jwks_uri":"%[1]s/jwks"}`, `no "issuer"`},
		{"no jwks_uri", `{"issuer":"%[1]s"}`, `no "jwks_uri"`},
		{"empty", ``, "not a JSON object"},
	} {
		iss := newIssuer(t, false, "", nil, func(b string) string {
			if !strings.Contains(tc.doc, "%") {
				return tc.doc
			}
			return fmt.Sprintf(tc.doc, b)
		})
		_, err := Discover(context.Background(), iss.URL, Options{})
		if !errors.Is(err, ErrDiscovery) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.why)
		}
	}
}

// TestDiscoveryIssuerURL: identifiers that are not http or https URLs with a host and without
// query or fragment are refused before any request.
func TestDiscoveryIssuerURL(t *testing.T) {
	for _, raw := range []string{"", "idp.example", "ftp://idp.example", "https://", "https://idp.example?tenant=a",
		"https://idp.example?", "https://idp.example#x", "https://idp.example#", "https://idp.example/%zz"} {
		if _, err := Discover(context.Background(), raw, Options{}); !errors.Is(err, ErrConfig) {
			t.Errorf("Discover(%q): %v", raw, err)
		}
		if _, err := NewFromIssuer(raw, Options{Lazy: true}); !errors.Is(err, ErrConfig) {
			t.Errorf("NewFromIssuer(%q): %v", raw, err)
		}
	}
	if _, err := Discover(context.Background(), "https://idp.example", Options{FetchTimeout: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad options: %v", err)
	}
}

// TestDiscoveryOversized: the document is bounded by MaxResponseSize, whether it says its length
// or not.
func TestDiscoveryOversized(t *testing.T) {
	pad := strings.Repeat("x", 2048)
	iss := newIssuer(t, false, "", nil, func(b string) string {
		return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"pad":%q}`, b, b+"/jwks", pad)
	})
	_, err := Discover(context.Background(), iss.URL, Options{MaxResponseSize: 1024})
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "1024") {
		t.Errorf("MaxResponseSize 1024: %v", err)
	}
	// Without Content-Length (chunked), cut at the first byte over the cap.
	chunked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"pad":"`))
		w.(http.Flusher).Flush()
		for range 1 << 12 { // 4 MiB, more than the 1 MiB default cap
			w.Write([]byte(pad[:1024]))
		}
	}))
	defer chunked.Close()
	_, err = Discover(context.Background(), chunked.URL, Options{})
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "longer than the 1048576 bytes allowed") {
		t.Errorf("chunked: %v", err)
	}
}

// TestDiscoveryRedirects: the document request follows redirects by the rule of a JWKS fetch: at
// most MaxRedirects, never from https to http.
func TestDiscoveryRedirects(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	target := newIssuer(t, false, "/moved", set(t, k), nil)
	var redirects atomic.Int64 // how many redirects the front server makes
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		fmt.Sscanf(r.URL.Query().Get("hop"), "%d", &i)
		if i < int(redirects.Load())-1 {
			http.Redirect(w, r, fmt.Sprintf("%s?hop=%d", DiscoveryPath, i+1), http.StatusFound)
			return
		}
		http.Redirect(w, r, target.URL+"/moved"+DiscoveryPath, http.StatusMovedPermanently)
	}))
	defer front.Close()
	// The document says the issuer is the redirecting server's URL.
	target.setDoc(func(b string) string { return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, front.URL, b+"/jwks") })
	redirects.Store(MaxRedirects)
	if u, err := Discover(context.Background(), front.URL, Options{}); err != nil || u != target.URL+"/jwks" {
		t.Errorf("%d redirects: %q, %v", MaxRedirects, u, err)
	}
	redirects.Store(MaxRedirects + 1)
	if _, err := Discover(context.Background(), front.URL, Options{}); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("%d redirects: %v", MaxRedirects+1, err)
	}
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/moved"+DiscoveryPath, http.StatusFound)
	}))
	defer secure.Close()
	target.setDoc(func(b string) string { return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, secure.URL, b+"/jwks") })
	before := target.docs.Load()
	if _, err := Discover(context.Background(), secure.URL, Options{HTTPClient: secure.Client()}); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "https to http") {
		t.Errorf("https to http: %v", err)
	}
	if target.docs.Load() != before {
		t.Error("the http document was fetched after a redirect from https")
	}
}

// TestDiscoveryTimeout: a document that does not come is given up after FetchTimeout.
func TestDiscoveryTimeout(t *testing.T) {
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(stop)
	start := time.Now()
	_, err := NewFromIssuer(slow.URL, Options{FetchTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrFetch) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
}

// TestDiscoveryIssuerDownAtStart: an issuer that is not listening when the client starts: New
// fails; with Lazy, tokens are refused until the issuer comes up, after which the retries of the
// failure policy find the document and the set, without a restart.
func TestDiscoveryIssuerDownAtStart(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	base := "http://" + addr
	if _, err := NewFromIssuer(base, Options{FetchTimeout: time.Second}); !errors.Is(err, ErrFetch) {
		t.Fatalf("issuer down, not lazy: %v", err)
	}
	var log errorLog
	c, err := NewFromIssuer(base, Options{Lazy: true, Cooldown: 20 * time.Millisecond, MinRefresh: 40 * time.Millisecond,
		FetchTimeout: time.Second, OnError: log.add})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, "a failed fetch", func() bool { return c.FailedFetches() > 0 })
	tok := sign(t, k)
	if err := verify(c, tok); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Errorf("issuer down: %v", err)
	}
	if err := c.Ready(); !errors.Is(err, ErrNotReady) {
		t.Errorf("Ready with the issuer down: %v", err)
	}
	// The issuer comes up, at the same address.
	var up net.Listener
	for i := 0; ; i++ {
		if up, err = net.Listen("tcp", addr); err == nil {
			break
		}
		if i == 50 {
			t.Fatalf("cannot listen at %s again: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(DiscoveryPath, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, base, base+"/jwks")
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) { w.Write(set(t, k)) })
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = up
	srv.Start()
	defer srv.Close()
	eventually(t, "the client to be ready", func() bool { return c.Ready() == nil })
	if err := verify(c, tok); err != nil {
		t.Errorf("issuer up: %v", err)
	}
	if len(log.all()) == 0 {
		t.Error("OnError heard no failed fetch")
	}
}

// TestDiscoveryConcurrent: tokens that arrive while a lazy client's first fetch (the document,
// then the set) is under way wait for that one fetch: the document is read once, and every
// token verifies.
func TestDiscoveryConcurrent(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	release := make(chan struct{})
	iss := newIssuer(t, false, "", set(t, k), nil)
	iss.setDoc(func(b string) string {
		<-release
		return standardDoc("")(b)
	})
	c, err := NewFromIssuer(iss.URL, Options{Lazy: true, FetchTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tok := sign(t, k)
	const n = 50
	errs := make(chan error, n)
	var started sync.WaitGroup
	for range n {
		started.Add(1)
		go func() {
			started.Done()
			errs <- verify(c, tok)
		}()
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let them reach the fetch under way
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("verify during the first fetch: %v", err)
		}
	}
	if d := iss.docs.Load(); d != 1 {
		t.Errorf("the document was read %d times, want 1", d)
	}
}
