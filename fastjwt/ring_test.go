package fastjwt_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

var (
	secretA = []byte("ring-secret-A-0123456789abcdefghijkl")
	secretB = []byte("ring-secret-B-0123456789abcdefghijkl")
	secretC = []byte("ring-secret-C-0123456789abcdefghijkl")
)

func mustCodec(t *testing.T, keys []fastjwt.Key, opts ...fastjwt.Option) *fastjwt.Codec {
	t.Helper()
	c, err := fastjwt.NewHS256(keys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewHS256Refuses(t *testing.T) {
	long := make([]byte, 32)
	for _, tc := range []struct {
		name string
		keys []fastjwt.Key
		opts []fastjwt.Option
	}{
		{"no keys", nil, nil},
		{"empty secret", []fastjwt.Key{{Secret: nil}}, nil},
		{"empty secret with AllowShortKeys", []fastjwt.Key{{Secret: []byte{}}}, []fastjwt.Option{fastjwt.AllowShortKeys()}},
		{"31-byte secret", []fastjwt.Key{{Secret: make([]byte, 31)}}, nil},
		{"short second key", []fastjwt.Key{{Secret: long}, {Secret: []byte("short")}}, nil},
		{"duplicate IDs", []fastjwt.Key{{ID: "a", Secret: long}, {ID: "a", Secret: secretA}}, nil},
		{"ID not UTF-8", []fastjwt.Key{{ID: "\xff", Secret: long}}, nil},
	} {
		c, err := fastjwt.NewHS256(tc.keys, tc.opts...)
		if !errors.Is(err, fastjwt.ErrKey) || c != nil {
			t.Errorf("%s: codec %v, error %v; want ErrKey", tc.name, c, err)
		}
		if err != nil && strings.Contains(err.Error(), string(secretA)) {
			t.Errorf("%s: error text contains the secret", tc.name)
		}
	}
	if _, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("short")}}, fastjwt.AllowShortKeys()); err != nil {
		t.Errorf("AllowShortKeys: %v", err)
	}
	if _, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: make([]byte, 32)}}); err != nil {
		t.Errorf("32-byte secret: %v", err)
	}
}

// TestRotation: keys[0] signs; older keys still verify and say which key they were.
func TestRotation(t *testing.T) {
	old := mustCodec(t, []fastjwt.Key{{Secret: secretB}})
	oldTok, err := old.AppendSign(nil, []byte(`{"sub":"u"}`))
	if err != nil {
		t.Fatal(err)
	}
	ring := mustCodec(t, []fastjwt.Key{{Secret: secretA}, {Secret: secretB}})
	var cl fastjwt.Claims
	if _, err := ring.AppendVerifyClaims(nil, oldTok, &cl); err != nil {
		t.Fatalf("token of the old key: %v", err)
	}
	if cl.KeyIndex() != 1 {
		t.Fatalf("KeyIndex %d, want 1", cl.KeyIndex())
	}
	newTok, _ := ring.AppendSign(nil, []byte(`{"sub":"u"}`))
	if _, err := ring.AppendVerifyClaims(nil, newTok, &cl); err != nil || cl.KeyIndex() != 0 {
		t.Fatalf("token of the new key: index %d, %v", cl.KeyIndex(), err)
	}
	if _, err := old.AppendVerify(nil, newTok); !errors.Is(err, fastjwt.ErrSignature) {
		t.Fatalf("old codec verifying a new-key token: %v", err)
	}
	retired := mustCodec(t, []fastjwt.Key{{Secret: secretA}, {Secret: secretC}})
	if _, err := retired.AppendVerify(nil, oldTok); !errors.Is(err, fastjwt.ErrSignature) {
		t.Fatalf("retired key still verifies: %v", err)
	}
}

// TestKeyIDs: a key with an ID stamps "kid"; a kid picks its key and no other ID'd key.
func TestKeyIDs(t *testing.T) {
	a := mustCodec(t, []fastjwt.Key{{ID: "a", Secret: secretA}})
	tok, err := a.AppendSign(nil, []byte(`{"sub":"u"}`))
	if err != nil {
		t.Fatal(err)
	}
	hdr := strings.Split(string(tok), ".")[0]
	if hdr != b64(`{"alg":"HS256","kid":"a","typ":"JWT"}`) {
		t.Fatalf("header %s", hdr)
	}
	ring := mustCodec(t, []fastjwt.Key{{ID: "b", Secret: secretB}, {ID: "a", Secret: secretA}})
	var cl fastjwt.Claims
	if _, err := ring.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.KeyIndex() != 1 {
		t.Fatalf("kid a: index %d, %v", cl.KeyIndex(), err)
	}
	// A kid that names another key of the ring is not tried against the right secret.
	lying := signRaw(secretA, b64(`{"alg":"HS256","kid":"b"}`), b64(`{"sub":"u"}`))
	if _, err := ring.AppendVerify(nil, []byte(lying)); !errors.Is(err, fastjwt.ErrSignature) {
		t.Fatalf("kid naming the wrong key: %v", err)
	}
	unknown := signRaw(secretA, b64(`{"alg":"HS256","kid":"z"}`), b64(`{"sub":"u"}`))
	if _, err := ring.AppendVerify(nil, []byte(unknown)); !errors.Is(err, fastjwt.ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	// Without a kid every key is tried, in order.
	plain := signRaw(secretA, b64(stdHeader), b64(`{"sub":"u"}`))
	if _, err := ring.AppendVerifyClaims(nil, []byte(plain), &cl); err != nil || cl.KeyIndex() != 1 {
		t.Fatalf("no kid: index %d, %v", cl.KeyIndex(), err)
	}
	// An escaped kid names the same key.
	escaped := signRaw(secretA, b64(`{"alg":"HS256","kid":"\u0061"}`), b64(`{"sub":"u"}`))
	if _, err := ring.AppendVerify(nil, []byte(escaped)); err != nil {
		t.Fatalf("escaped kid: %v", err)
	}
	// A key ID that needs JSON escaping is emitted escaped and read back.
	odd := mustCodec(t, []fastjwt.Key{{ID: `k"1\`, Secret: secretA}})
	tok, err = odd.AppendSign(nil, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odd.AppendVerify(nil, tok); err != nil {
		t.Fatalf("escaped key ID round trip: %v", err)
	}
}

func TestSignRefuses(t *testing.T) {
	c := mustCodec(t, []fastjwt.Key{{Secret: secretA}})
	for _, tc := range []struct {
		payload string
		want    error
	}{
		{``, fastjwt.ErrMalformed},
		{`[]`, fastjwt.ErrMalformed},
		{`{"a":1,"a":2}`, fastjwt.ErrMalformed},
		{"{\"a\":\"\xff\"}", fastjwt.ErrMalformed},
		{`{"exp":"tomorrow"}`, fastjwt.ErrClaimType},
		{`{"aud":7}`, fastjwt.ErrClaimType},
		{`{"a":1} {}`, fastjwt.ErrMalformed},
	} {
		dst := []byte("keep")
		out, err := c.AppendSign(dst, []byte(tc.payload))
		if !errors.Is(err, tc.want) || string(out) != "keep" {
			t.Errorf("sign %q: %q, %v; want dst unchanged and %v", tc.payload, out, err, tc.want)
		}
	}
}

func TestSignRoundTrip(t *testing.T) {
	c := mustCodec(t, []fastjwt.Key{{Secret: secretA}}, fastjwt.AcceptAnyAudience())
	for _, p := range []string{`{}`, `{"sub":"u","exp":9999999999.25,"aud":["a","b"],"x":{"y":[1,"☃"]}}`, " {\"a\" :\n1} "} {
		tok, err := c.AppendSign([]byte("pre:"), []byte(p))
		if err != nil {
			t.Fatalf("sign %q: %v", p, err)
		}
		if !strings.HasPrefix(string(tok), "pre:") {
			t.Fatalf("dst prefix lost: %q", tok)
		}
		got, err := c.AppendVerify(nil, tok[4:])
		if err != nil || string(got) != p {
			t.Fatalf("round trip of %q: %q, %v", p, got, err)
		}
		// The signature is the HMAC of the first two segments, computed independently.
		parts := strings.Split(string(tok[4:]), ".")
		if want := signRaw(secretA, parts[0], parts[1]); want != string(tok[4:]) {
			t.Fatalf("signature differs from crypto/hmac's: %s vs %s", tok[4:], want)
		}
	}
}

func TestClaimsView(t *testing.T) {
	c := mustCodec(t, []fastjwt.Key{{Secret: secretA}}, fastjwt.AcceptAnyAudience())
	tok, err := c.AppendSign(nil, []byte(`{"iss":"i\u00e9","sub":"s\"q","jti":"j","aud":["x","y"],"exp":9999999999.5,"nbf":1000,"iat":1000.25}`))
	if err != nil {
		t.Fatal(err)
	}
	var cl fastjwt.Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
		t.Fatal(err)
	}
	if cl.Issuer() != "ié" || cl.Subject() != `s"q` || cl.ID() != "j" {
		t.Errorf("iss %q sub %q jti %q", cl.Issuer(), cl.Subject(), cl.ID())
	}
	if !cl.HasAudience("y") || cl.HasAudience("z") {
		t.Error("HasAudience")
	}
	if exp, ok := cl.Expires(); !ok || exp.Unix() != 9999999999 || exp.Nanosecond() != 500000000 {
		t.Errorf("Expires %v %v", exp, ok)
	}
	if iat, ok := cl.IssuedAt(); !ok || iat.UnixNano() != 1000250000000 {
		t.Errorf("IssuedAt %v %v", iat, ok)
	}
	if nbf, ok := cl.NotBefore(); !ok || nbf.Unix() != 1000 {
		t.Errorf("NotBefore %v %v", nbf, ok)
	}
	if b, ok := cl.AppendSubject([]byte("sub=")); !ok || string(b) != `sub=s"q` {
		t.Errorf("AppendSubject %q %v", b, ok)
	}
	var empty fastjwt.Claims
	tok, _ = c.AppendSign(nil, []byte(`{}`))
	if _, err := c.AppendVerifyClaims(nil, tok, &empty); err != nil {
		t.Fatal(err)
	}
	if _, ok := empty.Expires(); ok {
		t.Error("Expires present on a token without exp")
	}
	if _, ok := empty.AppendIssuer(nil); ok || empty.Subject() != "" {
		t.Error("absent iss/sub reported present")
	}
}

func TestLookupClaim(t *testing.T) {
	payload := []byte(`{"name":"A\nB","n":[1,2],"e\u0078":true}`)
	raw, ok := fastjwt.LookupClaim(payload, "n")
	if !ok || string(raw) != `[1,2]` {
		t.Fatalf("n: %q %v", raw, ok)
	}
	raw, ok = fastjwt.LookupClaim(payload, "name")
	s, sok := fastjwt.AppendString(nil, raw)
	if !ok || !sok || string(s) != "A\nB" {
		t.Fatalf("name: %q %q", raw, s)
	}
	if raw, ok := fastjwt.LookupClaim(payload, "ex"); !ok || string(raw) != "true" {
		t.Fatalf("escaped name: %q %v", raw, ok)
	}
	if _, ok := fastjwt.LookupClaim(payload, "missing"); ok {
		t.Fatal("missing claim found")
	}
	if _, ok := fastjwt.AppendString(nil, []byte(`[1]`)); ok {
		t.Fatal("AppendString accepted an array")
	}
}
