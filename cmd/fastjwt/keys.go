package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
)

// Public and private keys for RS256, PS256, ES256 and EdDSA: read from a PEM file (a key or a
// certificate) or a JWK or JWK Set file, bound to the algorithm --alg names. --alg is required
// with a PEM key, since a PEM key does not say which algorithm it is for (an RSA key serves RS256
// and PS256 alike), and the algorithm is never taken from a token; a JWK's algorithm is its "alg",
// or the one its key type implies (RSA: RS256, EC P-256: ES256, OKP Ed25519: EdDSA), and --alg,
// when given, must agree with it (for an RSA JWK without "alg", --alg PS256 chooses PS256).

// keyText is the content of a key file, classified.
type keyText struct {
	data []byte
	kind keyKind
}

type keyKind int

const (
	kindSecret keyKind = iota // anything else: an HMAC secret
	kindPEM                   // one or more PEM blocks
	kindJWK                   // a JSON object with "kty" other than "oct"
	kindJWKSet                // a JSON object with "keys"
)

// classify says what a key file given with --alg RS256, PS256, ES256 or EdDSA holds.
func classify(data []byte) keyKind {
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		return kindPEM
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return kindSecret
	}
	var obj struct {
		Kty  *string         `json:"kty"`
		Keys json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(t, &obj) != nil {
		return kindSecret
	}
	switch {
	case obj.Kty != nil && *obj.Kty != "oct":
		return kindJWK
	case obj.Kty == nil && obj.Keys != nil:
		return kindJWKSet
	}
	return kindSecret
}

// readKeyText reads a key file of at most fastjwt.MaxKeyFileSize bytes.
func readKeyText(path string) ([]byte, error) {
	if path == "" {
		return nil, errors.New("needs the path of a file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, fastjwt.MaxKeyFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > fastjwt.MaxKeyFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a key file", path, fastjwt.MaxKeyFileSize)
	}
	return data, nil
}

// algFlag is --alg: empty when not given.
func parseAlgFlag(set map[string]bool, value string) (fastjwt.Alg, error) {
	if !set["alg"] {
		return 0, nil
	}
	alg, err := fastjwt.ParseAlg(value)
	if err != nil {
		return 0, fmt.Errorf("--alg: %q is not one of HS256, RS256, PS256, ES256, EdDSA (names are case-sensitive)", value)
	}
	return alg, nil
}

// asymmetricOnly refuses the flags that only apply to HS256 secrets.
func asymmetricOnly(set map[string]bool, why string) error {
	for _, name := range []string{"key", "key-env"} {
		if set[name] {
			return fmt.Errorf("--%s: an HS256 secret, but %s: give the key with --key-file PATH", name, why)
		}
	}
	for _, name := range []string{"key-file-raw", "allow-short-key"} {
		if set[name] {
			return fmt.Errorf("--%s applies to HS256 secrets only, and %s", name, why)
		}
	}
	return nil
}

// jwkOptions returns the JWK options --alg implies: the algorithm of RSA keys without "alg".
func jwkOptions(alg fastjwt.Alg) []fastjwt.JWKOption {
	if alg == fastjwt.RS256 || alg == fastjwt.PS256 {
		return []fastjwt.JWKOption{fastjwt.JWKDefaultAlg(alg)}
	}
	return nil
}

// publicKeys returns the public keys of a key file (PEM public key or certificate, JWK, JWK
// Set), bound to alg (0: from the JWKs), with kid as the ID (see the rules above). source names
// the flag the file came from, for messages.
func publicKeys(kt keyText, alg fastjwt.Alg, kid string, kidSet bool, source string) ([]fastjwt.PublicKey, error) {
	switch kt.kind {
	case kindPEM:
		if alg == 0 {
			return nil, errAlgRequired(source)
		}
		k, err := fastjwt.ParsePublicKeyPEM(kt.data, alg, kid)
		if err != nil {
			return nil, keyFormError(source, err)
		}
		return []fastjwt.PublicKey{k}, nil
	case kindJWK:
		k, err := fastjwt.ParseJWK(kt.data, jwkOptions(alg)...)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", source, err)
		}
		if err := checkJWK(&k.ID, k.Alg, alg, kid, kidSet); err != nil {
			return nil, err
		}
		return []fastjwt.PublicKey{k}, nil
	case kindJWKSet:
		keys, err := fastjwt.ParseJWKSet(kt.data, jwkOptions(alg)...)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", source, err)
		}
		return selectKeys(keys, alg, kid, kidSet, source)
	}
	return nil, fmt.Errorf("%s: not a PEM key, a JWK or a JWK Set", source)
}

// selectKeys returns the keys of a JWK Set that are of --alg and have the --kid, when given.
func selectKeys(keys []fastjwt.PublicKey, alg fastjwt.Alg, kid string, kidSet bool, source string) ([]fastjwt.PublicKey, error) {
	var out []fastjwt.PublicKey
	for _, k := range keys {
		if (alg == 0 || k.Alg == alg) && (!kidSet || k.ID == kid) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		var want []string
		if alg != 0 {
			want = append(want, "of --alg "+alg.String())
		}
		if kidSet {
			want = append(want, fmt.Sprintf("with --kid %q", kid))
		}
		return nil, fmt.Errorf("%s: the JWK Set has no key %s", source, strings.Join(want, " and "))
	}
	return out, nil
}

// urlScheme matches what comes before "://" in a URL (RFC 3986 sec. 3.1).
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// jwksURL reports whether --jwks names a URL to fetch rather than a file: an http:// or
// https:// URL. A URL of another scheme is refused rather than taken for a file's path.
func jwksURL(v string) (bool, error) {
	scheme, _, ok := strings.Cut(v, "://")
	if !ok || !urlScheme.MatchString(scheme) {
		return false, nil
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return true, nil
	}
	return false, fmt.Errorf("--jwks: a %s:// URL: only http:// and https:// URLs are fetched (or give the PATH of a file)", scheme)
}

// fetchJWKS fetches the JWK Set at the URL of --jwks once, with the bounds of package jwks (the
// timeout of --jwks-timeout, 5s by default; 1 MiB; at most 3 redirects, never from https to
// http), and returns its keys of --alg and with --kid, when given.
func (k *keyFlags) fetchJWKS(alg fastjwt.Alg, kidSet bool) ([]fastjwt.PublicKey, error) {
	if k.fetched != nil {
		return k.fetched, nil
	}
	keys, err := jwks.Fetch(context.Background(), k.jwks, jwks.Options{FetchTimeout: k.jwksTimeout, JWKOptions: jwkOptions(alg)})
	if err != nil {
		return nil, fmt.Errorf("--jwks: %v", err)
	}
	k.fetched, err = selectKeys(keys, alg, k.kid, kidSet, "--jwks")
	return k.fetched, err
}

// registerIssuerURL adds --issuer-url, for verify and the gateway alike; after says what becomes
// of the set found.
func (k *keyFlags) registerIssuerURL(fs *flag.FlagSet, after string) {
	fs.StringVar(&k.issuerURL, "issuer-url", "", "the keys of the OpenID Connect issuer at `URL` (its jwks_uri, "+after+");\nits tokens must have \"iss\" URL unless --iss says otherwise")
}

// remoteFlagsOnly refuses --jwks-timeout and --jwks-expire-after without a remote set (--jwks
// URL or --issuer-url), and a zero --jwks-timeout.
func (k *keyFlags) remoteFlagsOnly(set map[string]bool, remote bool) error {
	for _, name := range []string{"jwks-timeout", "jwks-expire-after"} {
		if set[name] && !remote {
			return fmt.Errorf("--%s applies to --jwks URL and --issuer-url only", name)
		}
	}
	if set["jwks-timeout"] && k.jwksTimeout == 0 {
		return errors.New("--jwks-timeout: must be more than 0s")
	}
	return nil
}

// issuerOnly refuses the key flags that --issuer-url replaces.
func issuerOnly(set map[string]bool) error {
	for _, name := range []string{"jwks", "key-file", "key-env", "key", "secret-file", "secret-env"} {
		if set[name] {
			return fmt.Errorf("give only one of --issuer-url and --%s", name)
		}
	}
	if err := asymmetricOnly(set, "--issuer-url names public keys"); err != nil {
		return err
	}
	if set["kid"] {
		return errors.New("--kid applies to key files: the keys of an issuer are chosen by the token's \"kid\"")
	}
	return nil
}

// issuerOptions returns opts with the issuer --issuer-url names required as "iss", unless --iss
// was given (which says which "iss" the tokens carry, for providers whose tokens name another).
func issuerOptions(set map[string]bool, issuerURL string, opts []fastjwt.Option) []fastjwt.Option {
	if set["issuer-url"] && !set["iss"] {
		return append(opts, fastjwt.WithIssuer(issuerURL))
	}
	return opts
}

// fetchIssuer reads the configuration document of the issuer of --issuer-url and fetches the JWK
// Set it names once, with the bounds of package jwks (as fetchJWKS), and returns its keys of
// --alg, when given.
func (k *keyFlags) fetchIssuer(alg fastjwt.Alg) ([]fastjwt.PublicKey, error) {
	if k.fetched != nil {
		return k.fetched, nil
	}
	opts := jwks.Options{FetchTimeout: k.jwksTimeout, JWKOptions: jwkOptions(alg)}
	u, err := jwks.Discover(context.Background(), k.issuerURL, opts)
	if err != nil {
		return nil, fmt.Errorf("--issuer-url: %v", err)
	}
	keys, err := jwks.Fetch(context.Background(), u, opts)
	if err != nil {
		return nil, fmt.Errorf("--issuer-url: the issuer's jwks_uri: %v", err)
	}
	k.fetched, err = selectKeys(keys, alg, "", false, "--issuer-url")
	return k.fetched, err
}

// privateKey returns the private key of a key file (PEM private key, private JWK).
func privateKey(kt keyText, alg fastjwt.Alg, kid string, kidSet bool, source string) (fastjwt.PrivateKey, error) {
	switch kt.kind {
	case kindPEM:
		if alg == 0 {
			return fastjwt.PrivateKey{}, errAlgRequired(source)
		}
		k, err := fastjwt.ParsePrivateKeyPEM(kt.data, alg, kid)
		if err != nil {
			return fastjwt.PrivateKey{}, keyFormError(source, err)
		}
		return k, nil
	case kindJWK:
		k, err := fastjwt.ParsePrivateJWK(kt.data, jwkOptions(alg)...)
		if err != nil {
			return fastjwt.PrivateKey{}, fmt.Errorf("%s: %v", source, err)
		}
		if err := checkJWK(&k.ID, k.Alg, alg, kid, kidSet); err != nil {
			return fastjwt.PrivateKey{}, err
		}
		return k, nil
	case kindJWKSet:
		return fastjwt.PrivateKey{}, fmt.Errorf("%s: a JWK Set holds public keys; a signing key is one private JWK or a PEM private key", source)
	}
	return fastjwt.PrivateKey{}, fmt.Errorf("%s: not a PEM key or a JWK", source)
}

// checkJWK reconciles a JWK's algorithm and ID with --alg and --kid.
func checkJWK(id *string, keyAlg, alg fastjwt.Alg, kid string, kidSet bool) error {
	if alg != 0 && keyAlg != alg {
		return fmt.Errorf("--alg: the JWK's key is for %v, not %v", keyAlg, alg)
	}
	if kidSet {
		if *id != "" && *id != kid {
			return fmt.Errorf("--kid: the JWK's \"kid\" is %q, not %q", *id, kid)
		}
		*id = kid
	}
	return nil
}

// The key forms the CLI refuses, with the reason and the fix: an EC key with explicit curve
// parameters (RFC 5480 sec. 2.1.1 requires named curves, and explicit parameters can describe a
// curve that is not the one they seem to; Go's x509 reads named curves only), a DSA key (JWS has
// no DSA algorithm, RFC 7518 sec. 3.1), and OpenSSH public keys (not a JOSE key format: PEM and
// JWK are; an OpenSSH private key gets its own hint from package fastjwt).

// errOpenSSHPublic is the refusal of an OpenSSH public key ("ssh-ed25519 AAAA... comment").
var errOpenSSHPublic = errors.New("--key-file: an OpenSSH public key, which is not read: give the key as PEM " +
	"(ssh-keygen -e -m PKCS8 -f KEY.pub for RSA and ECDSA keys) or as a JWK")

// openSSHPublicKey reports whether data is an OpenSSH public key line.
func openSSHPublicKey(data []byte) bool {
	for _, p := range []string{"ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-", "sk-ssh-ed25519@", "sk-ecdsa-sha2-"} {
		if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(p)) {
			return true
		}
	}
	return false
}

// keyFormError is the error of a PEM key that does not parse, with the reason and the fix for the
// key forms that are refused by design (see above); other errors as they are.
func keyFormError(source string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "x509: invalid ECDSA parameters"), strings.Contains(msg, "x509: unknown elliptic curve"):
		return fmt.Errorf("%s: an EC key with explicit curve parameters, or on a curve other than P-256: only "+
			"keys that name their curve are read (RFC 5480 sec. 2.1.1), since explicit parameters may describe "+
			"another curve than they seem to; write it with the curve's name: openssl ec -in KEY -param_enc "+
			"named_curve (with -pubin -pubout for a public key) (%v)", source, err)
	case strings.Contains(msg, "*dsa.PublicKey"), strings.Contains(msg, "1.2.840.10040.4.1"):
		return fmt.Errorf("%s: a DSA key: JWS has no DSA algorithm (RFC 7518 sec. 3.1); use an RSA, EC P-256 "+
			"or Ed25519 key", source)
	}
	return fmt.Errorf("%s: %v", source, err)
}

func errAlgRequired(source string) error {
	return fmt.Errorf("--alg is required with a PEM key (%s): RS256, PS256, ES256 or EdDSA; it is never taken from a token", source)
}

// asymmetricCodec builds the codec of verify or sign from the key flags when they name a public
// or private key rather than an HS256 secret: --jwks, or --alg other than HS256 with --key-file.
// ok is false for an HS256 secret (no --alg, or --alg HS256), which codec reads as before.
func (k *keyFlags) asymmetricCodec(fs *flag.FlagSet, signing bool, opts []fastjwt.Option) (c *fastjwt.Codec, ok bool, err error) {
	set := setFlags(fs)
	alg, err := parseAlgFlag(set, k.alg)
	if err != nil {
		return nil, true, err
	}
	if !utf8.ValidString(k.kid) {
		return nil, true, errors.New("--kid: not valid UTF-8")
	}
	isURL, err := jwksURL(k.jwks)
	if err != nil && set["jwks"] {
		return nil, true, err
	}
	if err := k.remoteFlagsOnly(set, set["jwks"] && isURL || set["issuer-url"]); err != nil {
		return nil, true, err
	}
	var kt keyText
	source := "--key-file"
	switch {
	case set["issuer-url"]:
		if err := issuerOnly(set); err != nil {
			return nil, true, err
		}
		if alg == fastjwt.HS256 {
			return nil, true, errors.New("--alg: HS256 keys are secrets, never published by an issuer")
		}
		if signing {
			return nil, true, errors.New("--issuer-url: an issuer publishes public keys, which verify but cannot sign")
		}
		keys, err := k.fetchIssuer(alg)
		if err != nil {
			return nil, true, err
		}
		if c, err = fastjwt.NewVerifier(keys, issuerOptions(set, k.issuerURL, opts)...); err != nil {
			return nil, true, fmt.Errorf("--issuer-url: %v", err)
		}
		return c, true, nil
	case set["jwks"]:
		source = "--jwks"
		for _, name := range []string{"key-file", "key-env", "key"} {
			if set[name] {
				return nil, true, fmt.Errorf("give only one of --jwks and --%s", name)
			}
		}
		if err := asymmetricOnly(set, "--jwks holds public keys"); err != nil {
			return nil, true, err
		}
		if alg == fastjwt.HS256 {
			return nil, true, errors.New("--alg: HS256 keys are secrets, never in a JWK Set")
		}
		if isURL {
			keys, err := k.fetchJWKS(alg, set["kid"])
			if err != nil {
				return nil, true, err
			}
			if c, err = fastjwt.NewVerifier(keys, opts...); err != nil {
				return nil, true, fmt.Errorf("--jwks: %v", err)
			}
			return c, true, nil
		}
		data, err := readKeyText(k.jwks)
		if err != nil {
			return nil, true, fmt.Errorf("--jwks: %v", err)
		}
		if kt = (keyText{data, classify(data)}); kt.kind != kindJWKSet {
			return nil, true, errors.New(`--jwks: not a JWK Set ({"keys":[...]})`)
		}
	case alg == 0 || alg == fastjwt.HS256:
		// An HS256 secret, whatever the file holds: the codec refuses key material as a
		// secret, with a hint to give --alg.
		return nil, false, nil
	default:
		if err := asymmetricOnly(set, "--alg "+alg.String()+" takes a public or private key"); err != nil {
			return nil, true, err
		}
		if !set["key-file"] {
			return nil, true, fmt.Errorf("missing key: --alg %v needs --key-file PATH (a PEM key or certificate, a JWK or a JWK Set)", alg)
		}
		data, err := readKeyText(k.keyFile)
		if err != nil {
			return nil, true, fmt.Errorf("--key-file: %v", err)
		}
		if kt = (keyText{data, classify(data)}); kt.kind == kindSecret {
			if openSSHPublicKey(data) {
				return nil, true, errOpenSSHPublic
			}
			return nil, true, fmt.Errorf("--key-file: --alg %v needs a PEM key or certificate, a JWK or a JWK Set; the file holds none", alg)
		}
	}
	if signing {
		priv, err := privateKey(kt, alg, k.kid, set["kid"], source)
		if err != nil {
			return nil, true, err
		}
		c, err = fastjwt.NewSigner(priv, nil, opts...)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %v", source, err)
		}
		return c, true, nil
	}
	keys, err := publicKeys(kt, alg, k.kid, set["kid"], source)
	if err != nil {
		return nil, true, err
	}
	c, err = fastjwt.NewVerifier(keys, opts...)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %v", source, err)
	}
	return c, true, nil
}
