package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// jwksServer serves body with status at every path, counting requests; a test changes them
// (with set) before it runs the command.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	status   int
	body     string
	delay    time.Duration
}

func (s *jwksServer) set(f func(s *jwksServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func newJWKSServer(t *testing.T, body string) *jwksServer {
	t.Helper()
	s := &jwksServer{status: 200, body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		status, body, delay := s.status, s.body, s.delay
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

// verify --jwks URL fetches the set once and verifies every token with it, by kid, with each
// key's algorithm; --kid and --alg select keys of the set as with --jwks PATH.
func TestVerifyJWKSURL(t *testing.T) {
	ec := jwksOf(t, "--key-file", keyPath("p256.sec1.pem"), "--alg", "ES256", "--kid", "ec")
	ed := jwksOf(t, "--key-file", keyPath("ed25519.pkcs8.pem"), "--alg", "EdDSA", "--kid", "ed")
	both := `{"keys":[` + strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ec), `{"keys":[`), `]}`) + `,` +
		strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ed), `{"keys":[`), `]}`) + `]}`
	s := newJWKSServer(t, both)
	ecTok := sign(t, asymClaims, "--alg", "ES256", "--key-file", keyPath("p256.sec1.pem"), "--kid", "ec")
	edTok := sign(t, asymClaims, "--alg", "EdDSA", "--key-file", keyPath("ed25519.pkcs8.pem"), "--kid", "ed")
	// Of an algorithm the set lacks: refused with ErrAlgorithm.
	rsTok := sign(t, asymClaims, "--alg", "RS256", "--key-file", keyPath("rsa2048.pkcs1.pem"), "--kid", "rs")

	code, out, errOut := cli(t, ecTok+"\n"+edTok+"\n"+rsTok+"\n", "verify", "--jwks", s.URL+"/.well-known/jwks.json")
	ls := parseLines(t, out)
	if code != exitInvalid || errOut != "" || len(ls) != 3 || !ls[0].Valid || !ls[1].Valid || ls[2].verdict() != "ErrAlgorithm" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if string(ls[0].Payload) != asymClaims || string(ls[1].Header) != `{"alg":"EdDSA","kid":"ed","typ":"JWT"}` {
		t.Errorf("%+v", ls)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("%d requests for three tokens, want 1", n)
	}
	for _, tc := range []struct {
		args []string
		ec   verdict
	}{
		{[]string{"--kid", "ec"}, "valid"},
		{[]string{"--kid", "ed"}, "ErrAlgorithm"},
		{[]string{"--alg", "ES256"}, "valid"},
		{[]string{"--alg", "EdDSA"}, "ErrAlgorithm"},
		{[]string{"--jwks-timeout", "2s"}, "valid"},
	} {
		l := verifyOne(t, ecTok, append([]string{"--jwks", strings.Replace(s.URL, "http://", "HTTP://", 1)}, tc.args...)...)
		if l.verdict() != tc.ec {
			t.Errorf("%v: %+v, want %s", tc.args, l, tc.ec)
		}
	}
}

// The fetch has the bounds of package jwks, and each failure is a usage error (exit 2) that
// names --jwks, reported before any input is read.
func TestVerifyJWKSURLErrors(t *testing.T) {
	set := jwksOf(t, "--key-file", keyPath("p256.sec1.pem"), "--alg", "ES256", "--kid", "ec")
	tok := sign(t, asymClaims, "--alg", "ES256", "--key-file", keyPath("p256.sec1.pem"), "--kid", "ec")
	s := newJWKSServer(t, set)
	for _, tc := range []struct {
		name  string
		setup func(s *jwksServer)
		args  []string
		want  string
	}{
		{"500", func(s *jwksServer) { s.status = 500 }, nil, "status 500"},
		{"garbage", func(s *jwksServer) { s.body = "<html>" }, nil, "not one strict JSON object"},
		{"oct", func(s *jwksServer) {
			s.body = `{"keys":[{"kty":"oct","kid":"hs","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`
		}, nil, "symmetric key"},
		{"huge", func(s *jwksServer) { s.body = strings.Repeat(" ", 1<<20+1) }, nil, "bytes"},
		{"slow", func(s *jwksServer) { s.delay = 5 * time.Second }, []string{"--jwks-timeout", "200ms"}, "fetching the key set failed"},
		{"no key of --kid", nil, []string{"--kid", "other"}, `--jwks: the JWK Set has no key with --kid "other"`},
		{"no key of --alg", nil, []string{"--alg", "RS256"}, "--jwks: the JWK Set has no key of --alg RS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.set(func(s *jwksServer) {
				s.status, s.body, s.delay = 200, set, 0
				if tc.setup != nil {
					tc.setup(s)
				}
			})
			start := time.Now()
			code, out, errOut := cli(t, tok+"\n", append([]string{"verify", "--jwks", s.URL}, tc.args...)...)
			if code != exitUsage || out != "" || !strings.HasPrefix(errOut, "fastjwt verify: --jwks: ") ||
				!strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q, want %q", code, out, errOut, tc.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--jwks", "ftp://example.com/jwks.json"}, "fastjwt verify: --jwks: a ftp:// URL: only http:// and https:// URLs are fetched (or give the PATH of a file)\n"},
		{[]string{"--jwks", "file:///etc/jwks.json"}, "fastjwt verify: --jwks: a file:// URL: only http:// and https:// URLs are fetched (or give the PATH of a file)\n"},
		{[]string{"--jwks", "https:///jwks.json"}, "fastjwt verify: --jwks: jwks: invalid configuration: the JWKS URL \"https:///jwks.json\" has no host\n"},
		{[]string{"--jwks", s.URL, "--key-file", keyPath("p256.pub.pem")}, "fastjwt verify: give only one of --jwks and --key-file\n"},
		{[]string{"--jwks", s.URL, "--alg", "HS256"}, "fastjwt verify: --alg: HS256 keys are secrets, never in a JWK Set\n"},
		{[]string{"--jwks-timeout", "1s", "--key", testKey}, "fastjwt verify: --jwks-timeout applies to --jwks URL and --issuer-url only\n"},
		{[]string{"--jwks-timeout", "1s", "--jwks", "some.jwks"}, "fastjwt verify: --jwks-timeout applies to --jwks URL and --issuer-url only\n"},
		{[]string{"--jwks-timeout", "0s", "--jwks", s.URL}, "fastjwt verify: --jwks-timeout: must be more than 0s\n"},
		{[]string{"--jwks-timeout", "-1s", "--jwks", s.URL}, "fastjwt verify: --jwks-timeout: \"-1s\" must not be negative (run 'fastjwt verify --help' for the flags)\n"},
	} {
		code, out, errOut := cli(t, tok+"\n", append([]string{"verify"}, tc.args...)...)
		if code != exitUsage || out != "" || errOut != tc.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want %q", tc.args, code, out, errOut, tc.want)
		}
	}
}
