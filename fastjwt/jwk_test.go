package fastjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwkMembers returns the members of the JWK of the test key file (private members included when
// private), as a map to edit and marshal.
func jwkMembers(t testing.TB, file string, private bool) map[string]any {
	t.Helper()
	m := map[string]any{}
	switch k := testKey(t, file).(type) {
	case *rsa.PrivateKey:
		m["kty"], m["n"], m["e"] = "RSA", b64u(k.N.Bytes()), b64u(big.NewInt(int64(k.E)).Bytes())
		if private {
			m["d"], m["p"], m["q"] = b64u(k.D.Bytes()), b64u(k.Primes[0].Bytes()), b64u(k.Primes[1].Bytes())
			m["dp"], m["dq"], m["qi"] = b64u(k.Precomputed.Dp.Bytes()), b64u(k.Precomputed.Dq.Bytes()), b64u(k.Precomputed.Qinv.Bytes())
		}
	case *ecdsa.PrivateKey:
		point, _ := k.PublicKey.Bytes()
		m["kty"], m["crv"], m["x"], m["y"] = "EC", "P-256", b64u(point[1:33]), b64u(point[33:])
		if private {
			d, _ := k.Bytes()
			m["d"] = b64u(d)
		}
	case ed25519.PrivateKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", b64u(k.Public().(ed25519.PublicKey))
		if private {
			m["d"] = b64u(k.Seed())
		}
	default:
		t.Fatalf("%s: %T", file, k)
	}
	return m
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// A codec's public keys, published as a JWK Set, parse back to the same keys, IDs and
// algorithms, and a verifier built from them accepts the codec's tokens.
func TestJWKRoundTrip(t *testing.T) {
	for _, ac := range asymCases {
		t.Run(ac.name, func(t *testing.T) {
			signer, _ := ac.pair(t, "kid-"+ac.name, clockTestNow())
			set, err := fastjwt.AppendJWKSet(nil, signer.PublicKeys())
			if err != nil {
				t.Fatal(err)
			}
			keys, err := fastjwt.ParseJWKSet(set)
			if err != nil {
				t.Fatalf("%s: %v", set, err)
			}
			want := signer.PublicKeys()[0]
			if len(keys) != 1 || keys[0].ID != want.ID || keys[0].Alg != ac.alg ||
				!want.Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(keys[0].Key) {
				t.Fatalf("%+v", keys)
			}
			var obj map[string]json.RawMessage
			one, _ := want.AppendJWK(nil)
			if err := json.Unmarshal(one, &obj); err != nil || string(obj["use"]) != `"sig"` || string(obj["alg"]) != `"`+ac.alg.String()+`"` {
				t.Fatalf("%s: %v", one, err)
			}
			k, err := fastjwt.ParseJWK(one)
			if err != nil || k.Alg != ac.alg {
				t.Fatalf("ParseJWK: %+v %v", k, err)
			}
			verifier, err := fastjwt.NewVerifier(keys, clockTestNow())
			if err != nil {
				t.Fatal(err)
			}
			tok, _ := signer.AppendSign(nil, []byte(asymPayload))
			if _, err := verifier.AppendVerify(nil, tok); err != nil {
				t.Fatal(err)
			}
			// The private JWK of the same key signs tokens the published set verifies.
			priv, err := fastjwt.ParsePrivateJWK(marshal(t, with(jwkMembers(t, ac.file, true), "alg", ac.alg.String(), "kid", "p")))
			if err != nil {
				t.Fatal(err)
			}
			tok, _ = mustSigner(t, fastjwt.PrivateKey{ID: want.ID, Alg: priv.Alg, Key: priv.Key}).AppendSign(nil, []byte(asymPayload))
			if _, err := verifier.AppendVerify(nil, tok); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A JWK without "alg" gets the algorithm its key type implies, or the configured one for RSA.
func TestJWKImpliedAlgorithm(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts []fastjwt.JWKOption
		want fastjwt.Alg
	}{
		{"rsa2048.pkcs8.pem", nil, fastjwt.RS256},
		{"rsa2048.pkcs8.pem", []fastjwt.JWKOption{fastjwt.JWKDefaultAlg(fastjwt.PS256)}, fastjwt.PS256},
		{"rsa2048.pkcs8.pem", []fastjwt.JWKOption{fastjwt.JWKDefaultAlg(fastjwt.ES256)}, fastjwt.RS256},
		{"p256.sec1.pem", []fastjwt.JWKOption{fastjwt.JWKDefaultAlg(fastjwt.PS256)}, fastjwt.ES256},
		{"ed25519.pkcs8.pem", nil, fastjwt.EdDSA},
	} {
		k, err := fastjwt.ParseJWK(marshal(t, jwkMembers(t, tc.file, false)), tc.opts...)
		if err != nil || k.Alg != tc.want {
			t.Errorf("%s %d options: %v %v, want %v", tc.file, len(tc.opts), k.Alg, err, tc.want)
		}
	}
	// An explicit "alg" wins over the default.
	k, err := fastjwt.ParseJWK(marshal(t, with(jwkMembers(t, "rsa2048.pkcs8.pem", false), "alg", "RS256")),
		fastjwt.JWKDefaultAlg(fastjwt.PS256))
	if err != nil || k.Alg != fastjwt.RS256 {
		t.Fatalf("%v %v", k.Alg, err)
	}
}

// The JWK rules: each violation refused with ErrKey, and a message naming what is wrong.
func TestParseJWKRefuses(t *testing.T) {
	rsaKey := jwkMembers(t, "rsa2048.pkcs8.pem", false)
	ecKey := jwkMembers(t, "p256.sec1.pem", false)
	edKey := jwkMembers(t, "ed25519.pkcs8.pem", false)
	small := jwkMembers(t, "rsa1024.pkcs8.pem", false)
	offCurve := with(ecKey, "y", b64u(make([]byte, 32)))
	for _, tc := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"use enc", marshal(t, with(rsaKey, "use", "enc")), `"use" is "enc"`},
		{"use other", marshal(t, with(ecKey, "use", "sig2")), `"use" is`},
		{"key_ops encrypt", marshal(t, with(rsaKey, "key_ops", []string{"encrypt"})), `"key_ops" lists "encrypt"`},
		{"key_ops verify and encrypt", marshal(t, with(rsaKey, "key_ops", []string{"verify", "encrypt"})), `lists "encrypt"`},
		{"key_ops sign only", marshal(t, with(ecKey, "key_ops", []string{"sign"})), `does not list "verify"`},
		{"key_ops twice", marshal(t, with(ecKey, "key_ops", []string{"verify", "verify"})), "twice"},
		{"key_ops not an array", marshal(t, with(ecKey, "key_ops", "verify")), "not an array"},
		{"oct", []byte(`{"kty":"oct","k":"c2VjcmV0"}`), "symmetric"},
		{"no kty", marshal(t, with(ecKey, "kty", nil)), `no "kty"`},
		{"kty unknown", marshal(t, with(ecKey, "kty", "AKP")), `"kty" "AKP"`},
		{"kty lowercase", marshal(t, with(ecKey, "kty", "ec")), `"kty" "ec"`},
		{"EC P-384", marshal(t, with(ecKey, "crv", "P-384")), "P-384"},
		{"EC secp256k1", marshal(t, with(ecKey, "crv", "secp256k1")), "secp256k1"},
		{"OKP X25519", marshal(t, with(edKey, "crv", "X25519")), "X25519"},
		{"OKP Ed448", marshal(t, with(edKey, "crv", "Ed448")), "Ed448"},
		{"alg RS512", marshal(t, with(rsaKey, "alg", "RS512")), `"alg" "RS512"`},
		{"alg RSA-OAEP", marshal(t, with(rsaKey, "alg", "RSA-OAEP")), `"alg" "RSA-OAEP"`},
		{"alg none", marshal(t, with(ecKey, "alg", "none")), `"alg" "none"`},
		{"alg rs256", marshal(t, with(rsaKey, "alg", "rs256")), `"alg" "rs256"`},
		{"alg HS256 on RSA", marshal(t, with(rsaKey, "alg", "HS256")), `"alg" "HS256"`},
		{"alg ES256 on RSA", marshal(t, with(rsaKey, "alg", "ES256")), "does not fit"},
		{"alg EdDSA on EC", marshal(t, with(ecKey, "alg", "EdDSA")), "does not fit"},
		{"alg not a string", marshal(t, with(ecKey, "alg", 256)), `"alg" is not a string`},
		{"kid not a string", marshal(t, with(ecKey, "kid", 1)), `"kid" is not a string`},
		{"point off the curve", marshal(t, offCurve), "not a point on P-256"},
		{"x short", marshal(t, with(ecKey, "x", b64u(make([]byte, 31)))), `"x" has 31 bytes`},
		{"y missing", marshal(t, with(ecKey, "y", nil)), `no "y"`},
		{"Ed25519 x short", marshal(t, with(edKey, "x", b64u(make([]byte, 31)))), `"x" has 31 bytes`},
		{"n leading zero", marshal(t, with(rsaKey, "n", "AA"+rsaKey["n"].(string)[2:])), "leading zero"},
		{"n padded", marshal(t, with(rsaKey, "n", rsaKey["n"].(string)+"=")), "base64url"},
		{"n standard base64", marshal(t, with(rsaKey, "n", strings.NewReplacer("-", "+", "_", "/").Replace(rsaKey["n"].(string)+"-_"))), "base64url"},
		{"e even", marshal(t, with(rsaKey, "e", "AQAA")), "exponent"},
		{"e 1", marshal(t, with(rsaKey, "e", "AQ")), "exponent"},
		{"e too large", marshal(t, with(rsaKey, "e", "AQAAAAE")), "exponent"},
		{"e leading zero", marshal(t, with(rsaKey, "e", "AAEAAQ")), "exponent"},
		{"RSA 1024", marshal(t, small), "1024 bits"},
		{"RSA private d", marshal(t, with(rsaKey, "d", "AQAB")), `private member "d"`},
		{"RSA private p", marshal(t, with(rsaKey, "p", "AQAB")), `private member "p"`},
		{"RSA oth", marshal(t, with(rsaKey, "oth", []any{})), `private member "oth"`},
		{"EC private d", marshal(t, jwkMembers(t, "p256.sec1.pem", true)), `private member "d"`},
		{"OKP private d", marshal(t, jwkMembers(t, "ed25519.pkcs8.pem", true)), `private member "d"`},
		{"symmetric k on EC", marshal(t, with(ecKey, "k", "AQAB")), `private member "k"`},
		{"duplicate member", []byte(`{"kty":"EC","kty":"EC","crv":"P-256","x":"` + ecKey["x"].(string) + `","y":"` + ecKey["y"].(string) + `"}`), "strict JSON"},
		{"not an object", []byte(`[]`), "strict JSON"},
		{"trailing text", append(marshal(t, ecKey), " x"...), "strict JSON"},
		{"invalid UTF-8", []byte("{\"kty\":\"EC\",\"kid\":\"\xff\"}"), "strict JSON"},
		{"a JWK Set", marshal(t, map[string]any{"keys": []any{ecKey}}), `no "kty"`},
		{"too large", append(marshal(t, ecKey), make([]byte, fastjwt.MaxKeyFileSize)...), "larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fastjwt.ParseJWK(tc.data)
			if !errors.Is(err, fastjwt.ErrKey) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want ErrKey saying %q", err, tc.msg)
			}
			if fastjwt.ErrorName(err) != "ErrKey" || errors.Is(err, fastjwt.ErrMalformed) {
				t.Fatalf("err = %v matches another sentinel", err)
			}
		})
	}
	// What the rules allow: "use":"sig", key_ops with verify (and sign), unknown members, x5c.
	for name, m := range map[string]map[string]any{
		"use sig":         with(ecKey, "use", "sig"),
		"key_ops verify":  with(ecKey, "key_ops", []string{"verify"}),
		"key_ops both":    with(rsaKey, "key_ops", []string{"sign", "verify"}),
		"unknown members": with(edKey, "ext", true, "x5c", []string{"MIIB"}, "x5t", "abc", "custom", map[string]any{"a": 1}),
		"empty kid":       with(ecKey, "kid", ""),
	} {
		if _, err := fastjwt.ParseJWK(marshal(t, m)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A JWK Set: keys for encryption and of other algorithms are skipped (and reported); a
// dangerous or malformed key, a duplicate kid, too many keys or no usable key refuse the set.
func TestParseJWKSet(t *testing.T) {
	rsaKey := with(jwkMembers(t, "rsa2048.pkcs8.pem", false), "kid", "rsa", "alg", "RS256", "use", "sig")
	ecKey := with(jwkMembers(t, "p256.sec1.pem", false), "kid", "ec")
	edKey := jwkMembers(t, "ed25519.pkcs8.pem", false)
	encKey := with(jwkMembers(t, "rsa3072.pkcs8.pem", false), "kid", "enc", "alg", "RSA-OAEP", "use", "enc")
	p384 := map[string]any{"kty": "EC", "crv": "P-384", "kid": "p384", "x": b64u(make([]byte, 48)), "y": b64u(make([]byte, 48))}
	set := func(keys ...any) []byte { return marshal(t, map[string]any{"keys": keys}) }

	var skipped []string
	keys, err := fastjwt.ParseJWKSet(set(encKey, rsaKey, p384, ecKey, edKey, with(rsaKey, "kid", "rs512", "alg", "RS512")),
		fastjwt.JWKOnSkip(func(i int, err error) {
			if !errors.Is(err, fastjwt.ErrKey) {
				t.Errorf("skip %d: %v", i, err)
			}
			skipped = append(skipped, fmt.Sprint(i))
		}))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 || keys[0].ID != "rsa" || keys[1].ID != "ec" || keys[2].ID != "" || keys[2].Alg != fastjwt.EdDSA {
		t.Fatalf("%+v", keys)
	}
	if strings.Join(skipped, ",") != "0,2,5" {
		t.Fatalf("skipped %v", skipped)
	}
	if _, err := fastjwt.NewVerifier(keys); err != nil {
		t.Fatal(err)
	}
	// Escaped member names are the same names.
	if keys, err := fastjwt.ParseJWKSet([]byte(`{"k\u0065ys":[` + string(marshal(t, ecKey)) + `]}`)); err != nil || len(keys) != 1 {
		t.Fatalf("escaped name: %v %v", keys, err)
	}

	many := make([]any, fastjwt.DefaultMaxJWKSetKeys+1)
	for i := range many {
		many[i] = with(edKey, "kid", fmt.Sprint(i))
	}
	for _, tc := range []struct {
		name string
		data []byte
		opts []fastjwt.JWKOption
		msg  string
	}{
		{"oct key", set(rsaKey, map[string]any{"kty": "oct", "k": "c2VjcmV0"}), nil, "symmetric"},
		{"private member", set(rsaKey, with(ecKey, "d", "AQAB")), nil, `private member "d"`},
		{"point off the curve", set(rsaKey, with(ecKey, "y", b64u(make([]byte, 32)))), nil, "not a point"},
		{"duplicate kid", set(rsaKey, with(ecKey, "kid", "rsa")), nil, `the kid "rsa"`},
		{"duplicate kid, same key", set(ecKey, ecKey), nil, `the kid "ec"`},
		{"only skipped keys", set(encKey, p384), nil, "no key usable"},
		{"empty", []byte(`{"keys":[]}`), nil, "no key usable"},
		{"too many keys", set(many...), nil, "101 keys"},
		{"JWKMaxKeys", set(rsaKey, ecKey, edKey), []fastjwt.JWKOption{fastjwt.JWKMaxKeys(2)}, "3 keys"},
		{"keys not an array", []byte(`{"keys":{}}`), nil, "not an array"},
		{"keys null", []byte(`{"keys":null}`), nil, "not an array"},
		{"no keys", []byte(`{"kty":"EC"}`), nil, `no "keys"`},
		{"a key not an object", set(rsaKey, "x"), nil, "strict JSON"},
		{"duplicate keys member", []byte(`{"keys":[],"keys":[]}`), nil, "strict JSON"},
		{"not JSON", []byte(`garbage`), nil, "strict JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fastjwt.ParseJWKSet(tc.data, tc.opts...)
			if !errors.Is(err, fastjwt.ErrKey) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want ErrKey saying %q", err, tc.msg)
			}
		})
	}
}

// Private JWKs: every member must belong to the key.
func TestParsePrivateJWK(t *testing.T) {
	rsaPriv := jwkMembers(t, "rsa2048.pkcs8.pem", true)
	other := jwkMembers(t, "rsa3072.pkcs8.pem", true)
	ecPriv := jwkMembers(t, "p256.sec1.pem", true)
	edPriv := jwkMembers(t, "ed25519.pkcs8.pem", true)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherPoint, _ := otherKey.PublicKey.Bytes()
	otherEC := map[string]any{"x": b64u(otherPoint[1:33]), "y": b64u(otherPoint[33:])}
	for _, m := range []map[string]any{rsaPriv, with(rsaPriv, "dp", nil, "dq", nil, "qi", nil), ecPriv, edPriv,
		with(ecPriv, "key_ops", []string{"sign"})} {
		if _, err := fastjwt.ParsePrivateJWK(marshal(t, m)); err != nil {
			t.Errorf("%v: %v", m["kty"], err)
		}
	}
	for _, tc := range []struct {
		name string
		m    map[string]any
		msg  string
	}{
		{"public RSA", jwkMembers(t, "rsa2048.pkcs8.pem", false), `no "d"`},
		{"public EC", jwkMembers(t, "p256.sec1.pem", false), `no "d"`},
		{"RSA d of another key", with(rsaPriv, "d", other["d"]), "not the private key"},
		{"RSA p missing", with(rsaPriv, "p", nil), `no "p"`},
		{"RSA dp wrong", with(rsaPriv, "dp", other["dp"]), `"dp" does not match`},
		{"RSA qi wrong", with(rsaPriv, "qi", rsaPriv["dq"]), `"qi" does not match`},
		{"RSA oth", with(rsaPriv, "oth", []any{}), `"oth"`},
		{"EC d of another key", with(ecPriv, "x", otherEC["x"], "y", otherEC["y"]), `not the private key of "x" and "y"`},
		{"EC d short", with(ecPriv, "d", b64u(make([]byte, 31))), `"d" has 31 bytes`},
		{"EC d zero", with(ecPriv, "d", b64u(make([]byte, 32))), "not a P-256 private key"},
		{"Ed25519 d of another key", with(edPriv, "d", b64u(make([]byte, 32))), `not the private key of "x"`},
		{"key_ops verify only", with(ecPriv, "key_ops", []string{"verify"}), `does not list "sign"`},
		{"use enc", with(edPriv, "use", "enc"), `"use" is "enc"`},
		{"RSA 1024", jwkMembers(t, "rsa1024.pkcs8.pem", true), "1024 bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fastjwt.ParsePrivateJWK(marshal(t, tc.m))
			if !errors.Is(err, fastjwt.ErrKey) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want ErrKey saying %q", err, tc.msg)
			}
		})
	}
}

// AppendJWK refuses what NewVerifier refuses, and AppendJWKSet refuses duplicate IDs; both leave
// dst unchanged on error.
func TestAppendJWKRefuses(t *testing.T) {
	ok := fastjwt.PublicKey{ID: "a", Alg: fastjwt.EdDSA, Key: testKey(t, "ed25519.pub.pem")}
	for name, keys := range map[string][]fastjwt.PublicKey{
		"no algorithm": {{Key: ok.Key}},
		"RSA 1024":     {{Alg: fastjwt.RS256, Key: testKey(t, "rsa1024.pub.pem")}},
		"duplicate ID": {ok, ok},
		"bad ID":       {{ID: "\xff", Alg: fastjwt.EdDSA, Key: ok.Key}},
	} {
		out, err := fastjwt.AppendJWKSet([]byte("x"), keys)
		if !errors.Is(err, fastjwt.ErrKey) || string(out) != "x" {
			t.Errorf("%s: %q %v", name, out, err)
		}
	}
	out, err := fastjwt.AppendJWKSet(nil, nil)
	if err != nil || string(out) != `{"keys":[]}` {
		t.Fatalf("empty set: %s %v", out, err)
	}
	// A kid that needs escaping is escaped.
	k := ok
	k.ID = "a\"b</script>"
	out, err = k.AppendJWK(nil)
	if err != nil || !json.Valid(out) {
		t.Fatalf("%s %v", out, err)
	}
	back, err := fastjwt.ParseJWK(out)
	if err != nil || back.ID != k.ID {
		t.Fatalf("%+v %v", back, err)
	}
}
