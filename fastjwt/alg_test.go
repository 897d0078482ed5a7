package fastjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

const asymPayload = `{"sub":"42","exp":1700000100,"iss":"https://issuer.example"}`

// rawSign returns header.payload.signature, signed by the standard library with key for alg,
// whatever the header says: the tokens of other implementations and of attackers.
func rawSign(t testing.TB, alg fastjwt.Alg, key crypto.Signer, header, payload string) string {
	t.Helper()
	input := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch alg {
	case fastjwt.RS256:
		sig, err = rsa.SignPKCS1v15(nil, key.(*rsa.PrivateKey), crypto.SHA256, digest[:])
	case fastjwt.PS256:
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, digest[:],
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case fastjwt.ES256:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), digest[:])
		if err == nil {
			sig = make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
		}
	case fastjwt.EdDSA:
		sig = ed25519.Sign(key.(ed25519.PrivateKey), []byte(input))
	default:
		t.Fatalf("rawSign: %v", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func clockTestNow() fastjwt.Option { return fastjwt.WithClock(func() time.Time { return testNow }) }

// Every algorithm signs and verifies its own tokens, of every type, with and without a key ID;
// the signatures are what the standard library verifies; the verify-only codec accepts them too.
func TestAsymmetricRoundTrip(t *testing.T) {
	for _, ac := range asymCases {
		for _, kid := range []string{"", "key-1"} {
			t.Run(fmt.Sprintf("%s/kid=%q", ac.name, kid), func(t *testing.T) {
				signer, verifier := ac.pair(t, kid, clockTestNow())
				for typ := fastjwt.TypeNone; typ < fastjwt.TypeOther; typ++ {
					tok, err := signer.AppendSignType(nil, typ, []byte(asymPayload))
					if err != nil {
						t.Fatal(err)
					}
					parts := strings.Split(string(tok), ".")
					hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
					want := `{"alg":"` + ac.alg.String() + `"`
					if kid != "" {
						want += `,"kid":"` + kid + `"`
					}
					if typ != fastjwt.TypeNone {
						want += `,"typ":"` + typ.String() + `"`
					}
					if string(hdr) != want+"}" {
						t.Fatalf("%v: header %s, want %s}", typ, hdr, want)
					}
					checkStdlibSignature(t, ac, parts)
					for name, c := range map[string]*fastjwt.Codec{"signer": signer, "verifier": verifier} {
						for i := 0; i < 2; i++ { // the second verify is a cache hit
							var cl fastjwt.Claims
							p, err := c.AppendVerifyClaims(nil, tok, &cl)
							if err != nil || string(p) != asymPayload || cl.Type() != typ || cl.KeyIndex() != 0 || cl.Subject() != "42" {
								t.Fatalf("%s %v verify %d: %q %v, Type %v", name, typ, i, p, err, cl.Type())
							}
						}
					}
				}
			})
		}
	}
}

// checkStdlibSignature verifies a token's signature with the standard library directly.
func checkStdlibSignature(t *testing.T, ac asymCase, parts []string) {
	t.Helper()
	input := []byte(parts[0] + "." + parts[1])
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(input)
	pub := testKey(t, ac.file).(crypto.Signer).Public()
	ok := false
	switch ac.alg {
	case fastjwt.RS256:
		ok = rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig) == nil
	case fastjwt.PS256:
		ok = rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case fastjwt.ES256:
		ok = len(sig) == 64 && ecdsa.Verify(pub.(*ecdsa.PublicKey), digest[:],
			new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case fastjwt.EdDSA:
		ok = ed25519.Verify(pub.(ed25519.PublicKey), input, sig)
	}
	if !ok {
		t.Fatalf("%s: the standard library does not verify the signature", ac.name)
	}
}

// Tokens the standard library signs, as another implementation would, verify; a flipped bit
// in any part does not.
func TestAsymmetricForeignTokens(t *testing.T) {
	for _, ac := range asymCases {
		t.Run(ac.name, func(t *testing.T) {
			_, verifier := ac.pair(t, "", clockTestNow(), fastjwt.WithVerifyCache(0))
			key := testKey(t, ac.file).(crypto.Signer)
			tok := rawSign(t, ac.alg, key, `{"typ":"JWT","alg":"`+ac.alg.String()+`"}`, asymPayload)
			if p, err := verifier.AppendVerify(nil, []byte(tok)); err != nil || string(p) != asymPayload {
				t.Fatalf("%q %v", p, err)
			}
			d2 := strings.LastIndexByte(tok, '.')
			for _, i := range []int{2, d2 - 3, d2 + 2, len(tok) - 5} {
				bad := []byte(tok)
				if bad[i] == 'A' {
					bad[i] = 'B'
				} else {
					bad[i] = 'A'
				}
				if _, err := verifier.AppendVerify(nil, bad); err == nil {
					t.Fatalf("byte %d changed: accepted", i)
				}
			}
		})
	}
}

// The construction rule: every key bound to one algorithm it fits; everything else is ErrKey.
func TestAsymmetricKeysRefused(t *testing.T) {
	rsa2048 := testKey(t, "rsa2048.pub.pem")
	p256 := testKey(t, "p256.pub.pem")
	ed := testKey(t, "ed25519.pub.pem")
	huge := &rsa.PublicKey{N: new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 8191), big.NewInt(1)), E: 65537}
	even := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537}
	evenE := &rsa.PublicKey{N: rsa2048.(*rsa.PublicKey).N, E: 65536}
	offCurve := &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}
	for _, tc := range []struct {
		name string
		key  fastjwt.PublicKey
	}{
		{"RSA 1024", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: testKey(t, "rsa1024.pub.pem")}},
		{"RSA 1024 PS256", fastjwt.PublicKey{Alg: fastjwt.PS256, Key: testKey(t, "rsa1024.pkcs1.pub.pem")}},
		{"RSA 8192", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: huge}},
		{"RSA even modulus", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: even}},
		{"RSA even exponent", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: evenE}},
		{"P-384 for ES256", fastjwt.PublicKey{Alg: fastjwt.ES256, Key: testKey(t, "p384.pub.pem")}},
		{"point not on the curve", fastjwt.PublicKey{Alg: fastjwt.ES256, Key: offCurve}},
		{"RSA for ES256", fastjwt.PublicKey{Alg: fastjwt.ES256, Key: rsa2048}},
		{"EC for RS256", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: p256}},
		{"Ed25519 for PS256", fastjwt.PublicKey{Alg: fastjwt.PS256, Key: ed}},
		{"EC for EdDSA", fastjwt.PublicKey{Alg: fastjwt.EdDSA, Key: p256}},
		{"short Ed25519", fastjwt.PublicKey{Alg: fastjwt.EdDSA, Key: ed.(ed25519.PublicKey)[:31]}},
		{"private key as public", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: testKey(t, "rsa2048.pkcs8.pem")}},
		{"HS256", fastjwt.PublicKey{Alg: fastjwt.HS256, Key: []byte("a secret of thirty-two bytes!!!!")}},
		{"no algorithm", fastjwt.PublicKey{Key: rsa2048}},
		{"unknown algorithm", fastjwt.PublicKey{Alg: 99, Key: rsa2048}},
		{"no key", fastjwt.PublicKey{Alg: fastjwt.RS256}},
		{"nil RSA key", fastjwt.PublicKey{Alg: fastjwt.RS256, Key: (*rsa.PublicKey)(nil)}},
		{"invalid UTF-8 ID", fastjwt.PublicKey{ID: "\xff", Alg: fastjwt.RS256, Key: rsa2048}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := fastjwt.NewVerifier([]fastjwt.PublicKey{tc.key}); !errors.Is(err, fastjwt.ErrKey) {
				t.Fatalf("NewVerifier: %v, want ErrKey", err)
			}
			ok := fastjwt.PrivateKey{Alg: fastjwt.ES256, Key: testKey(t, "p256.sec1.pem").(crypto.Signer)}
			if _, err := fastjwt.NewSigner(ok, []fastjwt.PublicKey{tc.key}); !errors.Is(err, fastjwt.ErrKey) {
				t.Fatalf("NewSigner: %v, want ErrKey", err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		priv fastjwt.PrivateKey
		pubs []fastjwt.PublicKey
	}{
		{"no signing key", fastjwt.PrivateKey{Alg: fastjwt.ES256}, nil},
		{"RSA 1024 signer", signingKey(t, "rsa1024.pkcs8.pem", fastjwt.RS256, ""), nil},
		{"P-384 signer", signingKey(t, "p384.sec1.pem", fastjwt.ES256, ""), nil},
		{"RSA signer for EdDSA", signingKey(t, "rsa2048.pkcs8.pem", fastjwt.EdDSA, ""), nil},
		{"HS256 signer", signingKey(t, "rsa2048.pkcs8.pem", fastjwt.HS256, ""), nil},
		{"duplicate ID", signingKey(t, "p256.sec1.pem", fastjwt.ES256, "k"),
			[]fastjwt.PublicKey{{ID: "k", Alg: fastjwt.EdDSA, Key: ed}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := fastjwt.NewSigner(tc.priv, tc.pubs); !errors.Is(err, fastjwt.ErrKey) {
				t.Fatalf("NewSigner: %v, want ErrKey", err)
			}
		})
	}
	if _, err := fastjwt.NewVerifier(nil); !errors.Is(err, fastjwt.ErrKey) {
		t.Fatalf("empty ring: %v", err)
	}
	if _, err := fastjwt.NewVerifier([]fastjwt.PublicKey{{ID: "a", Alg: fastjwt.RS256, Key: rsa2048},
		{ID: "a", Alg: fastjwt.ES256, Key: p256}}); !errors.Is(err, fastjwt.ErrKey) {
		t.Fatalf("duplicate IDs: %v", err)
	}
}

// A codec built by NewVerifier holds no private key: it signs nothing.
func TestVerifierDoesNotSign(t *testing.T) {
	_, verifier := asymCases[0].pair(t, "")
	if _, err := verifier.AppendSign([]byte("x"), []byte(`{}`)); !errors.Is(err, fastjwt.ErrKey) {
		t.Fatalf("AppendSign: %v", err)
	}
	out, err := verifier.AppendSignType([]byte("x"), fastjwt.TypeSession, []byte(`{}`))
	if !errors.Is(err, fastjwt.ErrKey) || string(out) != "x" {
		t.Fatalf("AppendSignType: %q %v", out, err)
	}
}

// The key a codec copied at construction is not changed by its caller changing theirs, and
// PublicKeys returns copies.
func TestAsymmetricKeysCopied(t *testing.T) {
	priv := testKey(t, "rsa2048.pkcs8.pem").(*rsa.PrivateKey)
	pub := &rsa.PublicKey{N: new(big.Int).Set(priv.N), E: priv.E}
	c, err := fastjwt.NewVerifier([]fastjwt.PublicKey{{ID: "r", Alg: fastjwt.RS256, Key: pub}}, clockTestNow())
	if err != nil {
		t.Fatal(err)
	}
	tok := rawSign(t, fastjwt.RS256, priv, `{"alg":"RS256","kid":"r"}`, asymPayload)
	pub.N.SetInt64(3)
	if _, err := c.AppendVerify(nil, []byte(tok)); err != nil {
		t.Fatalf("after the caller changed its key: %v", err)
	}
	keys := c.PublicKeys()
	if len(keys) != 1 || keys[0].ID != "r" || keys[0].Alg != fastjwt.RS256 || !priv.PublicKey.Equal(keys[0].Key) {
		t.Fatalf("PublicKeys: %+v", keys)
	}
	keys[0].Key.(*rsa.PublicKey).N.SetInt64(5)
	if !priv.PublicKey.Equal(c.PublicKeys()[0].Key) {
		t.Fatal("PublicKeys returned the codec's own key")
	}
	hs, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: testSecret}})
	if k := hs.PublicKeys(); k != nil {
		t.Fatalf("an HS256 codec published %v", k)
	}
}

// A ring of several algorithms and sizes: each token is verified by the key of its algorithm,
// chosen by kid or tried in ring order, and reports its index; the signing key can be any.
func TestAsymmetricRing(t *testing.T) {
	var pubs []fastjwt.PublicKey
	var privs []fastjwt.PrivateKey
	for i, ac := range asymCases {
		for _, id := range []string{fmt.Sprint("k", i), ""} {
			if id == "" && i%2 == 0 {
				continue // ID-less keys for some algorithms only
			}
			p := signingKey(t, ac.file, ac.alg, id)
			privs = append(privs, p)
			pubs = append(pubs, p.Public())
		}
	}
	ring, err := fastjwt.NewVerifier(pubs, clockTestNow(), fastjwt.WithVerifyCache(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range privs {
		s, err := fastjwt.NewSigner(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.AppendSign(nil, []byte(asymPayload))
		if err != nil {
			t.Fatal(err)
		}
		var cl fastjwt.Claims
		if _, err := ring.AppendVerifyClaims(nil, tok, &cl); err != nil {
			t.Fatalf("key %d (%v %q): %v", i, p.Alg, p.ID, err)
		}
		// An ID-less key is found by trying the keys of its algorithm: the first of them that
		// verifies is the same key material, maybe under another index.
		if p.ID != "" && cl.KeyIndex() != i {
			t.Fatalf("key %d (%v %q): KeyIndex %d", i, p.Alg, p.ID, cl.KeyIndex())
		}
		if !pubs[cl.KeyIndex()].Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(p.Public().Key) {
			t.Fatalf("key %d verified by key %d", i, cl.KeyIndex())
		}
	}
	// Rotation with NewSigner: the new key signs, the old public key still verifies.
	old := signingKey(t, "p256.sec1.pem", fastjwt.ES256, "2025")
	oldTok, _ := mustSigner(t, old).AppendSign(nil, []byte(asymPayload))
	rotated, err := fastjwt.NewSigner(signingKey(t, "ed25519.pkcs8.pem", fastjwt.EdDSA, "2026"),
		[]fastjwt.PublicKey{old.Public()}, clockTestNow())
	if err != nil {
		t.Fatal(err)
	}
	var cl fastjwt.Claims
	if _, err := rotated.AppendVerifyClaims(nil, oldTok, &cl); err != nil || cl.KeyIndex() != 1 {
		t.Fatalf("old key's token: %v, KeyIndex %d", err, cl.KeyIndex())
	}
	newTok, _ := rotated.AppendSign(nil, []byte(asymPayload))
	if _, err := rotated.AppendVerifyClaims(nil, newTok, &cl); err != nil || cl.KeyIndex() != 0 {
		t.Fatalf("new key's token: %v, KeyIndex %d", err, cl.KeyIndex())
	}
}

func mustSigner(t testing.TB, p fastjwt.PrivateKey, opts ...fastjwt.Option) *fastjwt.Codec {
	t.Helper()
	c, err := fastjwt.NewSigner(p, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// derSigner is a crypto.Signer that is not one of the standard library's key types, as a key in
// a hardware module is: the codec knows it only through the interface.
type derSigner struct{ crypto.Signer }

func (d derSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.Signer.Sign(r, digest, opts)
}

// A crypto.Signer of any kind signs: its ECDSA signatures come in ASN.1 DER and are converted to
// R||S.
func TestOpaqueSigner(t *testing.T) {
	for _, ac := range asymCases {
		t.Run(ac.name, func(t *testing.T) {
			key := derSigner{testKey(t, ac.file).(crypto.Signer)}
			s := mustSigner(t, fastjwt.PrivateKey{ID: "hsm", Alg: ac.alg, Key: key}, clockTestNow())
			for range 20 { // ECDSA: R and S of varying lengths in DER
				tok, err := s.AppendSign(nil, []byte(asymPayload))
				if err != nil {
					t.Fatal(err)
				}
				checkStdlibSignature(t, ac, strings.Split(string(tok), "."))
			}
		})
	}
}

// The algorithm-confusion attacks of RFC 8725 sec. 2.1 and 3.1: the header never chooses the
// algorithm or the key.
func TestAlgorithmConfusion(t *testing.T) {
	rsaPriv := testKey(t, "rsa2048.pkcs8.pem").(*rsa.PrivateKey)
	ecPriv := testKey(t, "p256.sec1.pem").(*ecdsa.PrivateKey)
	edPriv := testKey(t, "ed25519.pkcs8.pem").(ed25519.PrivateKey)
	ring, err := fastjwt.NewVerifier([]fastjwt.PublicKey{
		{ID: "rsa", Alg: fastjwt.RS256, Key: &rsaPriv.PublicKey},
		{ID: "ec", Alg: fastjwt.ES256, Key: &ecPriv.PublicKey},
		{Alg: fastjwt.EdDSA, Key: edPriv.Public()},
	}, clockTestNow())
	if err != nil {
		t.Fatal(err)
	}
	var cases []verdictCase

	// HS256 tokens MACed with the public key's bytes, in every form a verifier might hold them.
	rsaSPKI, _ := x509.MarshalPKIXPublicKey(&rsaPriv.PublicKey)
	ecSPKI, _ := x509.MarshalPKIXPublicKey(&ecPriv.PublicKey)
	ecPoint, _ := ecPriv.PublicKey.Bytes()
	for name, secret := range map[string][]byte{
		"RSA SPKI PEM":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaSPKI}),
		"RSA SPKI DER":  rsaSPKI,
		"RSA PKCS1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaPriv.PublicKey)}),
		"RSA PKCS1 DER": x509.MarshalPKCS1PublicKey(&rsaPriv.PublicKey),
		"RSA modulus":   rsaPriv.N.Bytes(),
		"EC SPKI PEM":   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecSPKI}),
		"EC SPKI DER":   ecSPKI,
		"EC point":      ecPoint,
		"Ed25519 key":   edPriv.Public().(ed25519.PublicKey),
		"RSA cert PEM":  testPEM(t, "rsa2048.cert.pem"),
	} {
		for _, hdr := range []string{`{"alg":"HS256"}`, `{"alg":"HS256","typ":"JWT"}`, `{"alg":"HS256","kid":"rsa"}`, `{"alg":"HS256","kid":"ec"}`} {
			cases = append(cases, verdictCase{"HS256 with " + name + " " + hdr, signRaw(secret, b64(hdr), b64(asymPayload)), fastjwt.ErrAlgorithm})
		}
	}

	valid := rawSign(t, fastjwt.RS256, rsaPriv, `{"alg":"RS256","kid":"rsa"}`, asymPayload)
	sig := valid[strings.LastIndexByte(valid, '.'):]
	cases = append(cases,
		verdictCase{"valid RS256", valid, nil},
		verdictCase{"valid ES256", rawSign(t, fastjwt.ES256, ecPriv, `{"alg":"ES256","kid":"ec"}`, asymPayload), nil},
		verdictCase{"valid EdDSA", rawSign(t, fastjwt.EdDSA, edPriv, `{"alg":"EdDSA"}`, asymPayload), nil},
		verdictCase{"valid EdDSA, unknown kid", rawSign(t, fastjwt.EdDSA, edPriv, `{"alg":"EdDSA","kid":"x"}`, asymPayload), nil},
		verdictCase{"none, no signature", b64(`{"alg":"none"}`) + "." + b64(asymPayload) + ".", fastjwt.ErrAlgorithm},
		verdictCase{"none, RS256 signature", b64(`{"alg":"none","kid":"rsa"}`) + "." + b64(asymPayload) + sig, fastjwt.ErrAlgorithm},
		verdictCase{"None", b64(`{"alg":"None"}`) + "." + b64(asymPayload) + ".", fastjwt.ErrAlgorithm},
		verdictCase{"rs256", rawSign(t, fastjwt.RS256, rsaPriv, `{"alg":"rs256","kid":"rsa"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"Rs256", rawSign(t, fastjwt.RS256, rsaPriv, `{"alg":"Rs256"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"RS256 with a space", rawSign(t, fastjwt.RS256, rsaPriv, `{"alg":"RS256 "}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"eddsa", rawSign(t, fastjwt.EdDSA, edPriv, `{"alg":"eddsa"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"Ed25519 (not a JWS alg)", rawSign(t, fastjwt.EdDSA, edPriv, `{"alg":"Ed25519"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"RS384", b64(`{"alg":"RS384","kid":"rsa"}`) + "." + b64(asymPayload) + sig, fastjwt.ErrAlgorithm},
		verdictCase{"PS256 under the RS256 key", rawSign(t, fastjwt.PS256, rsaPriv, `{"alg":"PS256","kid":"rsa"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"PS256 without kid, no PS256 key", rawSign(t, fastjwt.PS256, rsaPriv, `{"alg":"PS256"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"PSS signature labelled RS256", rawSign(t, fastjwt.PS256, rsaPriv, `{"alg":"RS256","kid":"rsa"}`, asymPayload), fastjwt.ErrSignature},
		verdictCase{"RS256 under the ES256 key", rawSign(t, fastjwt.RS256, rsaPriv, `{"alg":"RS256","kid":"ec"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"ES256 under the RS256 key", rawSign(t, fastjwt.ES256, ecPriv, `{"alg":"ES256","kid":"rsa"}`, asymPayload), fastjwt.ErrAlgorithm},
		verdictCase{"ES256 signature labelled EdDSA", rawSign(t, fastjwt.ES256, ecPriv, `{"alg":"EdDSA"}`, asymPayload), fastjwt.ErrSignature},
		verdictCase{"EdDSA signature labelled ES256", rawSign(t, fastjwt.EdDSA, edPriv, `{"alg":"ES256","kid":"ec"}`, asymPayload), fastjwt.ErrSignature},
		verdictCase{"alg array", b64(`{"alg":["RS256"],"kid":"rsa"}`) + "." + b64(asymPayload) + sig, fastjwt.ErrAlgorithm},
		verdictCase{"alg missing", b64(`{"kid":"rsa"}`) + "." + b64(asymPayload) + sig, fastjwt.ErrAlgorithm},
	)

	// ES256 with the signature in ASN.1 DER instead of R||S.
	input := b64(`{"alg":"ES256","kid":"ec"}`) + "." + b64(asymPayload)
	digest := sha256.Sum256([]byte(input))
	der, _ := ecdsa.SignASN1(rand.Reader, ecPriv, digest[:])
	cases = append(cases, verdictCase{"ES256 DER signature", input + "." + base64.RawURLEncoding.EncodeToString(der), fastjwt.ErrSignature})
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	rs.R.FillBytes(raw[:32])
	rs.S.FillBytes(raw[32:])
	cases = append(cases,
		verdictCase{"ES256 R||S of that DER", input + "." + base64.RawURLEncoding.EncodeToString(raw), nil},
		verdictCase{"ES256 R||S with a leading zero", input + "." + base64.RawURLEncoding.EncodeToString(append([]byte{0}, raw...)), fastjwt.ErrSignature},
		verdictCase{"ES256 63 bytes", input + "." + base64.RawURLEncoding.EncodeToString(raw[:63]), fastjwt.ErrSignature},
		verdictCase{"ES256 S+N", input + "." + base64.RawURLEncoding.EncodeToString(append(raw[:32:32],
			new(big.Int).Add(rs.S, elliptic.P256().Params().N).FillBytes(make([]byte, 33))[1:]...)), fastjwt.ErrSignature},
	)

	// Keys the token brings along are never used: a token signed by the attacker's own key,
	// with that key in "jwk", "jku", "x5u" or "x5c", is checked against the ring's key.
	attacker, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ax, _ := attacker.PublicKey.Bytes()
	jwk := fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":%q,"y":%q}`,
		base64.RawURLEncoding.EncodeToString(ax[1:33]), base64.RawURLEncoding.EncodeToString(ax[33:]))
	for name, extra := range map[string]string{
		"jwk": `"jwk":` + jwk,
		"jku": `"jku":"https://attacker.example/jwks.json"`,
		"x5u": `"x5u":"https://attacker.example/cert.pem"`,
		"x5c": `"x5c":["MIIBszCCAVmgAwIBAgIUZ"]`,
	} {
		for _, kid := range []string{`,"kid":"ec"`, `,"kid":"attacker"`, ``} {
			want := fastjwt.ErrSignature
			if kid == `,"kid":"attacker"` {
				want = fastjwt.ErrUnknownKey // no ID-less ES256 key to try
			}
			cases = append(cases, verdictCase{"embedded " + name + kid,
				rawSign(t, fastjwt.ES256, attacker, `{"alg":"ES256"`+kid+`,`+extra+`}`, asymPayload), want})
		}
	}
	check(t, ring, cases)
}
