package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The fixture: keys generated once per test binary, a loopback JWKS server whose answers the
// tests change, and tokens signed with the keys.

type testKey struct {
	priv fastjwt.PrivateKey
	pub  fastjwt.PublicKey
	ed   ed25519.PrivateKey // for tokens with hand-made headers (EdDSA keys only)
}

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
)

// newKey returns a new key of alg with the ID id (RSA keys share one 2048-bit key, which takes
// time to generate; each gets its own ID).
func newKey(t testing.TB, alg fastjwt.Alg, id string) testKey {
	t.Helper()
	var k testKey
	switch alg {
	case fastjwt.RS256, fastjwt.PS256:
		keysOnce.Do(func() {
			var err error
			if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				panic(err)
			}
		})
		k.priv = fastjwt.PrivateKey{ID: id, Alg: alg, Key: rsaKey}
	case fastjwt.ES256:
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.priv = fastjwt.PrivateKey{ID: id, Alg: alg, Key: ec}
	case fastjwt.EdDSA:
		_, ed, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.priv = fastjwt.PrivateKey{ID: id, Alg: alg, Key: ed}
		k.ed = ed
	default:
		t.Fatalf("no test keys for %v", alg)
	}
	k.pub = k.priv.Public()
	return k
}

const testPayload = `{"sub":"alice","exp":4102444800}`

// sign returns a token of testPayload signed by k, with the header the codec emits.
func sign(t testing.TB, k testKey) []byte {
	t.Helper()
	c, err := fastjwt.NewSigner(k.priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.AppendSign(nil, []byte(testPayload))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signHeader returns a token of testPayload with the header JSON header, signed by the Ed25519
// key k.
func signHeader(t testing.TB, k testKey, header string) []byte {
	t.Helper()
	if k.ed == nil {
		t.Fatal("signHeader needs an EdDSA key")
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(testPayload))
	return []byte(input + "." + enc.EncodeToString(ed25519.Sign(k.ed, []byte(input))))
}

// set returns the JWK Set document of keys.
func set(t testing.TB, keys ...testKey) []byte {
	t.Helper()
	var pubs []fastjwt.PublicKey
	for _, k := range keys {
		pubs = append(pubs, k.pub)
	}
	doc, err := fastjwt.AppendJWKSet(nil, pubs)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// server is a loopback JWKS endpoint whose answer the test sets.
type server struct {
	*httptest.Server
	requests atomic.Int64

	mu           sync.Mutex
	doc          []byte
	status       int           // 0: 200
	delay        time.Duration // before answering
	cacheControl string
	etag         string // sent, and honoured in If-None-Match, when not empty
	handler      http.HandlerFunc
}

func newServer(t testing.TB, doc []byte) *server {
	t.Helper()
	s := &server{doc: doc}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	doc, status, delay, cc, etag, h := s.doc, s.status, s.delay, s.cacheControl, s.etag, s.handler
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if h != nil {
		h(w, r)
		return
	}
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
	if etag != "" {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if status != 0 {
		w.WriteHeader(status)
	}
	w.Write(doc)
}

// set changes the server's answer.
func (s *server) set(f func(s *server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *server) count() int64 { return s.requests.Load() }

// newClient returns a client of s, closed when the test ends.
func newClient(t testing.TB, s *server, opts Options) *Client {
	t.Helper()
	c, err := New(s.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// expireCooldown lets the next token with an unknown kid cause a fetch, as if Cooldown had
// passed since the last: the tests of the cooldown do not depend on how fast the machine is.
func expireCooldown(c *Client) {
	c.mu.Lock()
	c.lastDemand = time.Time{}
	c.mu.Unlock()
}

// verify verifies tok with v and returns the error.
func verify(v fastjwt.Verifier, tok []byte) error {
	var cl fastjwt.Claims
	_, err := v.AppendVerifyClaims(nil, tok, &cl)
	return err
}

// errors collects what OnError hears.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

func (l *errorLog) String() string { return fmt.Sprint(l.all()) }

// eventually polls cond for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
