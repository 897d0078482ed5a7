package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// oidcIssuer is a loopback OpenID Connect issuer: its configuration document and, at /jwks, the
// JWK Set of the ES256 test key. doc makes the document from the server's URL.
type oidcIssuer struct {
	*httptest.Server
	docs atomic.Int64
	mu   sync.Mutex
	doc  func(base string) string
}

func newOIDCIssuer(t *testing.T, doc func(base string) string) *oidcIssuer {
	t.Helper()
	set := jwksOf(t, "--key-file", keyPath("p256.sec1.pem"), "--alg", "ES256", "--kid", "ec")
	s := &oidcIssuer{doc: doc}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.docs.Add(1)
		s.mu.Lock()
		doc := s.doc
		s.mu.Unlock()
		fmt.Fprint(w, doc(s.URL))
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, set) })
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func goodDoc(base string) string {
	return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, base, base+"/jwks")
}

// ecToken signs claims with the ES256 test key.
func ecToken(t *testing.T, claims string) string {
	return sign(t, claims, "--alg", "ES256", "--key-file", keyPath("p256.sec1.pem"), "--kid", "ec")
}

// verify --issuer-url finds the keys through the issuer's document, requires "iss" to be the
// issuer unless --iss says otherwise, and refuses an unusable document with its reason.
func TestVerifyIssuerURL(t *testing.T) {
	iss := newOIDCIssuer(t, goodDoc)
	withIss := ecToken(t, fmt.Sprintf(`{"iss":%q,"sub":"42","exp":4102444800}`, iss.URL))
	noIss := ecToken(t, asymClaims)
	other := ecToken(t, `{"iss":"https://tenant.example","exp":4102444800}`)
	for _, tc := range []struct {
		args []string
		tok  string
		want verdict
	}{
		{nil, withIss, "valid"},
		{nil, noIss, "ErrIssuer"},
		{nil, other, "ErrIssuer"},
		{[]string{"--iss", "https://tenant.example"}, other, "valid"},
		{[]string{"--iss", "https://tenant.example"}, withIss, "ErrIssuer"},
		{[]string{"--alg", "ES256", "--jwks-timeout", "2s"}, withIss, "valid"},
		{[]string{"--alg", "EdDSA"}, withIss, "usage"},
	} {
		args := append([]string{"verify", "--issuer-url", iss.URL}, tc.args...)
		code, out, errOut := cli(t, tc.tok+"\n", args...)
		if tc.want == "usage" {
			if code != exitUsage || !strings.Contains(errOut, "--issuer-url: the JWK Set has no key of --alg EdDSA") {
				t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut)
			}
			continue
		}
		ls := parseLines(t, out)
		if len(ls) != 1 || ls[0].verdict() != tc.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %s", tc.args, code, out, errOut, tc.want)
		}
	}

	bad := func(doc func(string) string) string {
		s := newOIDCIssuer(t, doc)
		code, out, errOut := cli(t, withIss+"\n", "verify", "--issuer-url", s.URL)
		if code != exitUsage || out != "" {
			t.Errorf("exit %d, stdout %q", code, out)
		}
		return errOut
	}
	if e := bad(func(b string) string {
		return fmt.Sprintf(`{"issuer":"https://evil.example","jwks_uri":%q}`, b+"/jwks")
	}); !strings.Contains(e, "fastjwt verify: --issuer-url: ") ||
		!strings.Contains(e, `the document's issuer "https://evil.example" is not the configured issuer`) {
		t.Errorf("another issuer: %q", e)
	}
	if e := bad(func(b string) string { return fmt.Sprintf(`{"issuer":%q,"jwks_uri":"file:///etc/passwd"}`, b) }); !strings.Contains(e, "jwks_uri") {
		t.Errorf("a file jwks_uri: %q", e)
	}
	if e := bad(func(b string) string { return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, b, b+"/missing") }); !strings.Contains(e, "--issuer-url: the issuer's jwks_uri: ") || !strings.Contains(e, "status 404") {
		t.Errorf("a jwks_uri answering 404: %q", e)
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	if code, _, e := cli(t, withIss+"\n", "verify", "--issuer-url", down.URL, "--jwks-timeout", "2s"); code != exitUsage || !strings.Contains(e, "--issuer-url: ") {
		t.Errorf("an issuer that is down: exit %d, %q", code, e)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--jwks", "x.jwks"}, "give only one of --issuer-url and --jwks"},
		{[]string{"--key-file", "x.pem", "--alg", "ES256"}, "give only one of --issuer-url and --key-file"},
		{[]string{"--key", testKey}, "give only one of --issuer-url and --key"},
		{[]string{"--kid", "ec"}, "--kid applies to key files"},
		{[]string{"--alg", "HS256"}, "--alg: HS256 keys are secrets"},
		{[]string{"--allow-short-key"}, "--allow-short-key applies to HS256 secrets only"},
	} {
		args := append([]string{"verify", "--issuer-url", iss.URL}, tc.args...)
		if code, _, e := cli(t, withIss+"\n", args...); code != exitUsage || !strings.Contains(e, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, e, tc.want)
		}
	}
	if code, _, e := cli(t, withIss+"\n", "verify", "--issuer-url", "https://idp.example?tenant=a"); code != exitUsage || !strings.Contains(e, "query or a fragment") {
		t.Errorf("an issuer URL with a query: exit %d, %q", code, e)
	}
}

// The gateway's "issuer-url = URL": its tokens verify, "iss" is the issuer's by default, and a
// document naming another issuer stops a reload, keeping the keys in use.
func TestGatewayIssuerURL(t *testing.T) {
	bin := gatewayBinary(t)
	iss := newOIDCIssuer(t, goodDoc)
	dir := t.TempDir()
	conf := filepath.Join(dir, "gw.conf")
	writeFile600(t, conf, "[issuer idp]\nissuer-url = "+iss.URL+"\n\n[route /]\nissuer = idp\nclaim-header = sub=X-User\n")
	p := startGateway(t, bin, nil, "--config", conf)
	exp := time.Now().Add(time.Hour).Unix()
	good := ecToken(t, fmt.Sprintf(`{"iss":%q,"sub":"carol","exp":%d}`, iss.URL, exp))
	noIss := ecToken(t, fmt.Sprintf(`{"sub":"carol","exp":%d}`, exp))
	if got := p.status(good); got != 200 {
		t.Errorf("token of the issuer: %d", got)
	}
	if got := p.status(noIss); got != 401 {
		t.Errorf("token without iss: %d", got)
	}
	if resp := p.getAdmin("/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz: %d %q", resp.StatusCode, bodyOf(resp))
	}
	iss.mu.Lock()
	iss.doc = func(b string) string {
		return fmt.Sprintf(`{"issuer":"https://evil.example","jwks_uri":%q}`, b+"/jwks")
	}
	iss.mu.Unlock()
	if line := p.reload(); !strings.Contains(line, "reload failed") || !strings.Contains(line, "is not the configured issuer") {
		t.Errorf("SIGHUP with a document of another issuer: %s", line)
	}
	if got := p.status(good); got != 200 {
		t.Errorf("after a failed reload: %d", got)
	}
	p.stop(syscall.SIGTERM)

	// From the flags, with --iss given: the tokens name another issuer than the URL.
	iss.mu.Lock()
	iss.doc = goodDoc
	iss.mu.Unlock()
	p = startGateway(t, bin, nil, "--issuer-url", iss.URL, "--iss", "https://tenant.example")
	tenant := ecToken(t, fmt.Sprintf(`{"iss":"https://tenant.example","sub":"dave","exp":%d}`, exp))
	if a, b := p.status(tenant), p.status(good); a != 200 || b != 401 {
		t.Errorf("with --iss: the tenant's token %d, the URL's %d", a, b)
	}
	p.stop(syscall.SIGTERM)
}
