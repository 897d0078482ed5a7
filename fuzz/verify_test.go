package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// smallCap is the size cap of one of FuzzVerify's codecs, low enough for the fuzzer to cross.
const smallCap = 256

// checkAccepted asserts, independently of the codec, what acceptance of token implies: exactly
// three segments; header and payload in canonical base64url (the strict decoder, no CR/LF, and
// re-encoding gives the same text); a third segment that is exactly the base64url HMAC-SHA256
// of the first two under the fuzz key; a header the policy accepts; a payload that is one JSON
// object; and out equal to prefix followed by the decoded payload.
func checkAccepted(t *testing.T, token, prefix, out []byte, kid string) []byte {
	t.Helper()
	parts := bytes.Split(token, []byte("."))
	if len(parts) != 3 {
		t.Fatalf("accepted a token of %d segments: %q", len(parts), token)
	}
	var decoded [2][]byte
	for i, seg := range parts[:2] {
		d, err := b64.Strict().DecodeString(string(seg))
		if err != nil || bytes.ContainsAny(seg, "\r\n") || b64.EncodeToString(d) != string(seg) {
			t.Fatalf("accepted segment %d that is not canonical base64url (%v): %q", i, err, token)
		}
		decoded[i] = d
	}
	signed := token[:len(parts[0])+1+len(parts[1])]
	if want := macB64(signed); string(parts[2]) != want {
		t.Fatalf("accepted a token whose MAC does not match: signature %q, crypto/hmac gives %q\ntoken: %q", parts[2], want, token)
	}
	if v := refHeader(decoded[0], len(parts[0]), kid); !v.accept {
		t.Fatalf("accepted a header the policy rejects (%v): %q\ntoken: %q", v.why, decoded[0], token)
	}
	p := decoded[1]
	if !json.Valid(p) || len(trimSpaceJSON(p)) == 0 || trimSpaceJSON(p)[0] != '{' {
		t.Fatalf("accepted a payload that is not one JSON object: %q\ntoken: %q", p, token)
	}
	if !bytes.HasPrefix(out, prefix) || !bytes.Equal(out[len(prefix):], p) {
		t.Fatalf("verify output %q, want prefix %q then the decoded payload %q", out, prefix, p)
	}
	return p
}

// checkRejected asserts that a rejection left dst as it was and carries exactly one sentinel,
// which it returns.
func checkRejected(t *testing.T, err error, prefix, out, input []byte) error {
	t.Helper()
	if !bytes.Equal(out, prefix) {
		t.Fatalf("rejection (%v) changed dst to %q\ninput: %q", err, out, input)
	}
	return sentinelOf(t, err, input)
}

// allocBound is the most a verify may allocate for an input of n bytes: linear in the input
// (name sets of large objects, an oversized header), never more.
func allocBound(n int) uint64 { return 64*uint64(n) + 16<<10 }

// checkAllocBound measures, for about one input in sixteen (chosen by content so a failure
// reproduces), the bytes one verify allocates with a dst that already has room.
func checkAllocBound(t *testing.T, c *fastjwt.Codec, token []byte) {
	t.Helper()
	if crc32.ChecksumIEEE(token)%16 != 0 {
		return
	}
	dst := make([]byte, 0, len(token))
	var cl fastjwt.Claims
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c.AppendVerifyClaims(dst, token, &cl)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > allocBound(len(token)) {
		t.Fatalf("verify of a %d-byte token allocated %d bytes (bound %d)\ntoken: %q", len(token), got, allocBound(len(token)), token)
	}
}

// warmCodec returns a codec whose verified-token cache (4 096 entries: one segment, which the
// cache allocates, 256 KiB at once, when it stores its first token) already holds a token, so
// that checkAllocBound measures what a verify allocates, not that one-time allocation.
func warmCodec(tb testing.TB, opts ...fastjwt.Option) *fastjwt.Codec {
	tb.Helper()
	c := newCodec(tb, "", append([]fastjwt.Option{fastjwt.WithVerifyCache(4096)}, opts...)...)
	tok, err := c.AppendSign(nil, []byte(`{"sub":"warm"}`))
	if err != nil {
		tb.Fatal(err)
	}
	var cl fastjwt.Claims
	for range 3 { // marked, stored, a hit
		if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
			tb.Fatal(err)
		}
	}
	if !cl.CacheHit() {
		tb.Fatal("the warm-up token is not cached")
	}
	return c
}

// FuzzVerify feeds arbitrary bytes to AppendVerifyClaims under three codecs (no key ID, key ID
// "k1", a 256-byte size cap). It must never panic; a rejection leaves dst unchanged and is one
// sentinel; ErrTooLarge comes exactly for tokens over the cap; an acceptance passes
// checkAccepted (so no token with a wrong MAC or non-canonical encoding gets through), and the
// payload is decoded into dst's spare capacity without reallocating it.
func FuzzVerify(f *testing.F) {
	for _, tok := range seedTokens() {
		f.Add([]byte(tok))
		if r, ok := resign(tok); ok {
			f.Add(r)
		}
	}
	for _, h := range edgeHeaders[:6] {
		for _, p := range edgePayloads[:4] {
			tok := signJSON([]byte(h), []byte(p))
			f.Add(tok)
			f.Add(append(tok, '.'))
			f.Add(bytes.Replace(tok, []byte("."), []byte(".\r\n"), 1))
			f.Add(append(append([]byte{}, tok[:len(tok)-1]...), tok[len(tok)-1]^1))
		}
	}
	f.Add([]byte(""))
	f.Add([]byte(".."))
	f.Add([]byte("..."))
	f.Add([]byte(strings.Repeat("A", 300)))

	type target struct {
		c   *fastjwt.Codec
		kid string
		cap int
	}
	targets := []target{
		{warmCodec(f), "", fastjwt.DefaultMaxTokenSize},
		{newCodec(f, fuzzKid), fuzzKid, fastjwt.DefaultMaxTokenSize},
		{newCodec(f, "", fastjwt.WithMaxTokenSize(smallCap)), "", smallCap},
	}
	f.Fuzz(func(t *testing.T, token []byte) {
		for _, tg := range targets {
			prefix := []byte("pfx")
			dst := make([]byte, len(prefix), len(prefix)+len(token))
			copy(dst, prefix)
			var cl fastjwt.Claims
			out, err := tg.c.AppendVerifyClaims(dst, token, &cl)
			if err != nil {
				s := checkRejected(t, err, prefix, out, token)
				if (s == fastjwt.ErrTooLarge) != (len(token) > tg.cap) {
					t.Fatalf("%d-byte token, cap %d: got %v", len(token), tg.cap, err)
				}
				continue
			}
			if len(token) > tg.cap {
				t.Fatalf("accepted a %d-byte token over the %d-byte cap", len(token), tg.cap)
			}
			checkAccepted(t, token, prefix, out, tg.kid)
			if &out[0] != &dst[0] {
				t.Fatalf("verify reallocated a dst that had room for the payload")
			}
		}
		checkAllocBound(t, targets[0].c, token)
	})
}

// FuzzVerifySigned takes arbitrary header and payload bytes, signs them itself with crypto/hmac
// (so every input passes the MAC and reaches the header and payload parsing) and compares the
// codec's verdict with the reference model of the policy (reference_test.go): acceptance must
// agree, a rejection must carry a sentinel the model allows, an acceptance must return the
// payload byte for byte, with registered claims matching what encoding/json reads. These codecs
// accept any audience (the model's payload verdict leaves "aud" to the configured checks); on
// accepted payloads, a codec configured with an issuer and an audience checks those rules, and a
// default codec the RFC 7519 audience rule (refAudienceRule).
func FuzzVerifySigned(f *testing.F) {
	headers, payloads := seedSegments()
	for _, h := range edgeHeaders {
		headers = append(headers, []byte(h))
	}
	for _, p := range edgePayloads {
		payloads = append(payloads, []byte(p))
	}
	payloads = append(payloads,
		[]byte(`{"iss":"iss-x","aud":"aud-x"}`),
		[]byte(`{"iss":"iss-x","aud":["a","aud-x"]}`),
		[]byte(`{"iss":"iss-\u0078","aud":["aud-\u0078"]}`),
		[]byte(`{"iss":"iss-y","aud":"aud-x"}`),
		[]byte(`{"iss":"iss-x","aud":"aud-y"}`))
	for _, h := range headers {
		f.Add(h, []byte(`{"sub":"s"}`))
	}
	for _, p := range payloads {
		f.Add([]byte(`{"alg":"HS256","typ":"JWT"}`), p)
	}
	plain, withKid := warmCodec(f, fastjwt.AcceptAnyAudience()), newCodec(f, fuzzKid, fastjwt.AcceptAnyAudience())
	strictIA := newCodec(f, "", fastjwt.WithIssuer("iss-x"), fastjwt.WithAudience("aud-x"))
	noAudience := newCodec(f, "")

	f.Fuzz(func(t *testing.T, header, payload []byte) {
		token := signJSON(header, payload)
		hlen := b64.EncodedLen(len(header))
		for _, tg := range []struct {
			c   *fastjwt.Codec
			kid string
		}{{plain, ""}, {withKid, fuzzKid}} {
			want := refToken(header, payload, hlen, tg.kid)
			prefix := []byte("pfx")
			var cl fastjwt.Claims
			out, err := tg.c.AppendVerifyClaims(append([]byte(nil), prefix...), token, &cl)
			if err != nil {
				s := checkRejected(t, err, prefix, out, token)
				if want.accept {
					t.Fatalf("kid %q: rejected (%v) what the policy accepts\nheader:  %q\npayload: %q", tg.kid, err, header, payload)
				}
				if !want.allows(s) {
					t.Fatalf("kid %q: rejected with %v; the policy's reasons are %v (allowing %v)\nheader:  %q\npayload: %q",
						tg.kid, err, want.why, want.allowed, header, payload)
				}
				continue
			}
			if !want.accept {
				t.Fatalf("kid %q: accepted what the policy rejects (%v)\nheader:  %q\npayload: %q", tg.kid, want.why, header, payload)
			}
			checkAccepted(t, token, prefix, out, tg.kid)
			checkClaims(t, &cl, payload)
		}
		checkAllocBound(t, plain, token)

		// Issuer and audience, on tokens otherwise accepted.
		want := refToken(header, payload, hlen, "")
		if !want.accept {
			return
		}
		members, _, _ := refObject(payload)
		if _, err := noAudience.AppendVerify(nil, token); !errors.Is(err, refAudienceRule(members)) &&
			!(err == nil && refAudienceRule(members) == nil) {
			t.Fatalf("without an audience: %v, want %v\npayload: %q", err, refAudienceRule(members), payload)
		}
		_, err := strictIA.AppendVerify(nil, token)
		var iss string
		issRaw, hasIss := lookup(members, "iss")
		if hasIss {
			json.Unmarshal(issRaw, &iss)
		}
		audRaw, hasAud := lookup(members, "aud")
		switch {
		case !hasIss || iss != "iss-x":
			if !errors.Is(err, fastjwt.ErrIssuer) {
				t.Fatalf("iss %s: want ErrIssuer, got %v\npayload: %q", issRaw, err, payload)
			}
		case !hasAud || !audContains(audRaw, "aud-x"):
			if !errors.Is(err, fastjwt.ErrAudience) {
				t.Fatalf("aud %s: want ErrAudience, got %v\npayload: %q", audRaw, err, payload)
			}
		case err != nil:
			t.Fatalf("iss and aud match, got %v\npayload: %q", err, payload)
		}
	})
}

// audContains decodes an "aud" value (a string or an array of strings) with encoding/json.
func audContains(raw []byte, aud string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == aud
	}
	var many []string
	json.Unmarshal(raw, &many)
	for _, a := range many {
		if a == aud {
			return true
		}
	}
	return false
}

// checkClaims compares the Claims of an accepted payload with what encoding/json decodes from
// it: NumericDates exactly (truncated to the nanosecond), strings decoded, audience membership,
// and LookupClaim's raw values with json.RawMessage.
func checkClaims(t *testing.T, cl *fastjwt.Claims, payload []byte) {
	t.Helper()
	members, why, ok := refObject(payload)
	if !ok {
		t.Fatalf("accepted payload the reference rejects: %s\npayload: %q", why, payload)
	}
	dates := []struct {
		name string
		get  func() (time.Time, bool)
	}{
		{"exp", cl.Expires}, {"nbf", cl.NotBefore}, {"iat", cl.IssuedAt},
	}
	for _, d := range dates {
		raw, has := lookup(members, d.name)
		got, ok := d.get()
		if ok != has {
			t.Fatalf("%s present %v, codec says %v\npayload: %q", d.name, has, ok, payload)
		}
		if has {
			checkDate(t, d.name, got, string(raw), payload)
		}
	}
	strs := []struct {
		name string
		get  func() string
	}{
		{"iss", cl.Issuer}, {"sub", cl.Subject}, {"jti", cl.ID},
	}
	for _, s := range strs {
		var want string
		if raw, has := lookup(members, s.name); has {
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		if got := s.get(); got != want {
			t.Fatalf("%s: codec %q, encoding/json %q\npayload: %q", s.name, got, want, payload)
		}
	}
	if raw, has := lookup(members, "aud"); has {
		var auds []string
		if json.Unmarshal(raw, &auds) != nil {
			var one string
			json.Unmarshal(raw, &one)
			auds = []string{one}
		}
		for _, a := range auds {
			if !cl.HasAudience(a) {
				t.Fatalf("HasAudience(%q) false for aud %s", a, raw)
			}
			if cl.HasAudience(a + "\x00") {
				t.Fatalf("HasAudience(%q) true for aud %s", a+"\x00", raw)
			}
		}
	} else if cl.HasAudience("") {
		t.Fatalf("HasAudience(\"\") true without aud\npayload: %q", payload)
	}
	for _, m := range members {
		raw, ok := fastjwt.LookupClaim(payload, m.name)
		if !ok || !bytes.Equal(raw, m.raw) {
			t.Fatalf("LookupClaim(%q) = %q, %v; encoding/json has %q\npayload: %q", m.name, raw, ok, m.raw, payload)
		}
		if isString(m.raw) {
			var want string
			json.Unmarshal(m.raw, &want)
			got, ok := fastjwt.AppendString(nil, raw)
			if !ok || string(got) != want {
				t.Fatalf("AppendString(%q) = %q, %v; encoding/json gives %q", raw, got, ok, want)
			}
		}
	}
	if _, ok := fastjwt.LookupClaim(payload, "\x00absent"); ok {
		t.Fatalf("LookupClaim found an absent member\npayload: %q", payload)
	}
}
