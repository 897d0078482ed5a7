package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
	"github.com/fastjwt/session/internal/keyfile"
)

// The keys of the gateway's issuers, loaded by the same code as those of verify: an issuer's key
// settings (from the flags, or from its [issuer] section) are given to a flag set of verify's key
// flags, so that one file, variable or JWK Set means the same keys to every command. The one
// difference is --jwks URL: verify fetches the set once, the gateway keeps it fresh with a
// jwks.Client (background refresh, refetch on an unknown kid, readiness, expiry). The gateway
// alone also takes several HS256 secrets, each with its kid (--secret-file, --secret-env), so
// that a rotation does not refuse the tokens of the previous secret.

// keyFlagSet returns a flag set holding the key flags of verify, for loading an issuer's keys.
func keyFlagSet() (*flag.FlagSet, *keyFlags) {
	fs := newFlagSet("gateway")
	kf := new(keyFlags)
	kf.register(fs)
	kf.registerJWKS(fs)
	registerSecrets(fs)
	return fs, kf
}

// issuerVerifier is the verifier of one issuer for one audience, and the JWKS client behind it
// when its keys come from a URL (to be closed with it, and asked whether it is ready).
type issuerVerifier struct {
	v      fastjwt.Verifier
	client *jwks.Client
}

// verifier loads the keys of issuer s and returns its verifier for audience aud ("": tokens
// carrying "aud" are refused, RFC 7519 sec. 4.1.3). Errors from a config file name its line.
func (s *issuerSpec) verifier(file, aud string, log *slog.Logger) (issuerVerifier, error) {
	fs, kf := keyFlagSet()
	for _, k := range s.keys {
		if (k.name == "key-file-raw" || k.name == "allow-short-key") && k.value == "false" {
			continue // a flag given as false counts as given, which means true to keyFlags
		}
		if err := fs.Set(k.name, k.value); err != nil {
			return issuerVerifier{}, s.keyError(file, fmt.Errorf("--%s: %q %v", k.name, k.value, err))
		}
	}
	set := setFlags(fs)
	opts := []fastjwt.Option{fastjwt.WithLeeway(s.leeway)}
	if s.issSet {
		opts = append(opts, fastjwt.WithIssuer(s.iss))
	} else if set["issuer-url"] {
		// The issuer's tokens name it, unless "iss" says they name another.
		opts = append(opts, fastjwt.WithIssuer(kf.issuerURL))
	}
	if aud != "" {
		opts = append(opts, fastjwt.WithAudience(aud))
	}
	if secrets := secretsOf(fs); len(secrets) > 0 {
		c, i, err := kf.secretCodec(set, secrets, opts)
		if err != nil {
			if i >= 0 && file != "" {
				// The line of that secret, among the settings given in the same order.
				return issuerVerifier{}, s.keyErrorAt(file, secretLine(s.keys, i), err)
			}
			return issuerVerifier{}, s.keyError(file, err)
		}
		return issuerVerifier{v: c}, nil
	}
	isURL, _ := jwksURL(kf.jwks)
	if set["jwks"] && isURL || set["issuer-url"] {
		c, err := kf.jwksClient(set, s.name, opts, log, *fs.Lookup("jwks-expire-after").Value.(durationFlag).d)
		if err != nil {
			return issuerVerifier{}, s.keyError(file, err)
		}
		return issuerVerifier{v: c, client: c}, nil
	}
	if err := kf.remoteFlagsOnly(set, false); err != nil {
		return issuerVerifier{}, s.keyError(file, err)
	}
	c, err := kf.codec(fs, false, opts...)
	if err != nil {
		return issuerVerifier{}, s.keyError(file, err)
	}
	return issuerVerifier{v: c}, nil
}

// registerJWKS adds --jwks and --jwks-timeout, as verify has them, and --jwks-expire-after.
func (k *keyFlags) registerJWKS(fs *flag.FlagSet) {
	fs.StringVar(&k.jwks, "jwks", "", "the keys: the JWK Set in the file at `PATH`, or at an http:// or https:// URL,\nfetched at start and kept fresh (refreshed as its Cache-Control max-age says, within\n5m and 24h, and at once for a token whose \"kid\" it lacks, at most every 30s)")
	k.registerIssuerURL(fs, "fetched at start and kept fresh as with --jwks URL")
	fs.Var(durationFlag{&k.jwksTimeout}, "jwks-timeout", "with --jwks URL or --issuer-url: the longest a fetch may take, a `DURATION` (5s)")
	fs.Var(durationFlag{new(time.Duration)}, "jwks-expire-after", "with --jwks URL or --issuer-url: once no fetch of the set has succeeded for this `DURATION`,\nevery token gets 503 (the keys the issuer publishes are unknown) until one does;\nat least 1s (default 72h; /readyz fails from 48h, or from then if shorter). The\nset is refreshed at least every half of it")
}

// registerSecrets adds --secret-file and --secret-env, the HS256 secrets of a rotation.
func registerSecrets(fs *flag.FlagSet) {
	list := new([]setting)
	fs.Var(secretFlag{"secret-file", list}, "secret-file", "an HS256 secret and its key ID, `KID=PATH`: the bytes of the file at PATH, as\nfor --key-file (and --key-file-raw). Repeatable, with --secret-env: every secret\nverifies; a token with a \"kid\" is checked with that kid's secret only (another\nkid is refused), one without \"kid\" with each secret in turn. Not with --key-file,\n--key-env, --key or --kid")
	fs.Var(secretFlag{"secret-env", list}, "secret-env", "an HS256 secret and its key ID, `KID=NAME`: the value of the environment\nvariable NAME, as for --key-env. Repeatable, with --secret-file")
}

// secretFlag is --secret-file KID=PATH or --secret-env KID=NAME, repeatable: one HS256 secret
// and its key ID each time. Both flags append to one list, so that it keeps the order of the
// command line (the order a token without "kid" tries the secrets in).
type secretFlag struct {
	name string
	list *[]setting
}

func (f secretFlag) String() string {
	if f.list == nil {
		return ""
	}
	var vs []string
	for _, s := range *f.list {
		if s.name == f.name {
			vs = append(vs, s.value)
		}
	}
	return strings.Join(vs, " ")
}

func (f secretFlag) Set(v string) error {
	kid, _, msg := parseSecret(f.name, v)
	if msg != "" {
		return errors.New(msg)
	}
	for _, s := range *f.list {
		if k, _, _ := parseSecret(s.name, s.value); k == kid {
			return fmt.Errorf("repeats kid %q (first with --%s): every secret has a kid of its own", kid, s.name)
		}
	}
	*f.list = append(*f.list, setting{name: f.name, value: v})
	return nil
}

// maxKidLen bounds the key ID of a secret.
const maxKidLen = 256

// parseSecret splits KID=PATH (secret-file) or KID=NAME (secret-env) at the first '=': a kid
// holds no '=', a path may. msg says what is wrong, or is "".
func parseSecret(name, v string) (kid, where, msg string) {
	what, example := "PATH", "2026-01=/etc/fastjwt/2026-01.key"
	if name == "secret-env" {
		what, example = "NAME", "2026-01=JWT_SECRET_2026_01"
	}
	kid, where, ok := strings.Cut(v, "=")
	switch {
	case !ok:
		return "", "", fmt.Sprintf("is not KID=%s: each secret comes with its key ID, e.g. %s", what, example)
	case kid == "":
		return "", "", fmt.Sprintf("has no KID before '=': each secret comes with its key ID (KID=%s)", what)
	case where == "":
		return "", "", fmt.Sprintf("has no %s after '='", what)
	case len(kid) > maxKidLen:
		return "", "", fmt.Sprintf("has a KID longer than %d bytes", maxKidLen)
	case !utf8.ValidString(kid) || strings.ContainsFunc(kid, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", "", "has a KID that is not valid UTF-8 or holds a control character"
	}
	return kid, where, ""
}

// secretsOf returns the secrets given to fs with --secret-file and --secret-env, in order.
func secretsOf(fs *flag.FlagSet) []setting {
	f := fs.Lookup("secret-file")
	if f == nil {
		return nil
	}
	return *f.Value.(secretFlag).list
}

// secretLine returns the line of the i-th secret-file or secret-env setting of keys.
func secretLine(keys []setting, i int) int {
	for _, k := range keys {
		if k.name == "secret-file" || k.name == "secret-env" {
			if i == 0 {
				return k.line
			}
			i--
		}
	}
	return 0
}

// flagKeySettings returns the key flags given on the command line as the settings of an issuer,
// the secrets in the order given.
func flagKeySettings(fs *flag.FlagSet, set map[string]bool) []setting {
	var keys []setting
	for _, name := range []string{"alg", "key-file", "key-file-raw", "key-env", "key", "kid", "allow-short-key", "jwks", "issuer-url", "jwks-timeout", "jwks-expire-after"} {
		if set[name] {
			keys = append(keys, setting{name: name, value: fs.Lookup(name).Value.String()})
		}
	}
	return append(keys, secretsOf(fs)...)
}

// secretCodec builds the HS256 codec of the secrets of --secret-file and --secret-env: every one
// verifies (the gateway signs nothing), each under its kid. On error, i is the index of the
// secret it is about, or -1.
func (k *keyFlags) secretCodec(set map[string]bool, secrets []setting, opts []fastjwt.Option) (c *fastjwt.Codec, i int, err error) {
	const both = "--secret-file and --secret-env"
	for _, name := range []string{"key-file", "key-env", "key"} {
		if set[name] {
			return nil, -1, fmt.Errorf("--%s: give one secret with --key-file, --key-env or --key (and --kid), or several with %s (each KID=...), not both", name, both)
		}
	}
	switch {
	case set["kid"]:
		return nil, -1, fmt.Errorf("--kid: with %s, each secret has its kid: KID=PATH, KID=NAME", both)
	case set["jwks"]:
		return nil, -1, fmt.Errorf("--jwks: give only one of --jwks and %s", both)
	case set["issuer-url"]:
		return nil, -1, fmt.Errorf("--issuer-url: give only one of --issuer-url and %s", both)
	}
	if err := k.remoteFlagsOnly(set, false); err != nil {
		return nil, -1, err
	}
	alg, err := parseAlgFlag(set, k.alg)
	if err != nil {
		return nil, -1, err
	}
	if alg != 0 && alg != fastjwt.HS256 {
		return nil, -1, fmt.Errorf("--alg: %s are HS256 secrets; an %v key is given with --key-file or --jwks", both, alg)
	}
	files := false
	for _, s := range secrets {
		files = files || s.name == "secret-file"
	}
	if set["key-file-raw"] && !files {
		return nil, -1, errors.New("--key-file-raw applies to --key-file and --secret-file only")
	}
	if k.allowShort {
		opts = append(opts, fastjwt.AllowShortKeys())
	}
	keys := make([]fastjwt.Key, 0, len(secrets))
	for i, s := range secrets {
		kid, where, msg := parseSecret(s.name, s.value)
		if msg != "" {
			return nil, i, fmt.Errorf("--%s: %q %s", s.name, s.value, msg)
		}
		var secret []byte
		switch {
		case s.name == "secret-env":
			secret, err = keyfile.FromEnv(where)
		case k.keyFileRaw:
			secret, err = keyfile.ReadRaw(where)
		default:
			secret, err = keyfile.Read(where)
		}
		if err != nil {
			return nil, i, fmt.Errorf("--%s: kid %q: %v", s.name, kid, err)
		}
		if len(secret) < fastjwt.MinSecretSize && !k.allowShort {
			return nil, i, fmt.Errorf("--%s: kid %q: the key has %d bytes, at least %d are needed: use a longer secret "+
				"(head -c 32 /dev/urandom | base64 > key), or --allow-short-key to accept this one",
				s.name, kid, len(secret), fastjwt.MinSecretSize)
		}
		key := fastjwt.Key{ID: kid, Secret: secret}
		// Each secret alone first, so that an error names it.
		if _, err := fastjwt.NewHS256([]fastjwt.Key{key}, opts...); err != nil {
			return nil, i, fmt.Errorf("--%s: kid %q: %s", s.name, kid, cliWording(err.Error()))
		}
		keys = append(keys, key)
	}
	c, err = fastjwt.NewHS256(keys, opts...)
	if err != nil {
		return nil, -1, fmt.Errorf("--%s: %s", secrets[0].name, cliWording(err.Error()))
	}
	return c, -1, nil
}

// jwksClient returns a client of the JWK Set at the URL of --jwks, or of the issuer of
// --issuer-url (discovery). It fetches the set before returning, so that a wrong URL is reported
// at start (or on SIGHUP, keeping the keys in use).
// expireAfter is the value of --jwks-expire-after (0: not given, the package's default).
func (k *keyFlags) jwksClient(set map[string]bool, issuer string, opts []fastjwt.Option, log *slog.Logger, expireAfter time.Duration) (*jwks.Client, error) {
	alg, err := parseAlgFlag(set, k.alg)
	if err != nil {
		return nil, err
	}
	source := "--jwks"
	if set["issuer-url"] {
		source = "--issuer-url"
		if err := issuerOnly(set); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"key-file", "key-env", "key"} {
		if set[name] {
			return nil, fmt.Errorf("give only one of --jwks and --%s", name)
		}
	}
	if err := asymmetricOnly(set, "--jwks holds public keys"); err != nil {
		return nil, err
	}
	if err := k.remoteFlagsOnly(set, true); err != nil {
		return nil, err
	}
	switch {
	case alg == fastjwt.HS256:
		return nil, errors.New("--alg: HS256 keys are secrets, never in a JWK Set")
	case set["kid"]:
		return nil, errors.New("--kid applies to key files: the keys of a JWK Set at a URL are chosen by the token's \"kid\"")
	case set["jwks-expire-after"] && expireAfter < jwks.MinExpireAfter:
		return nil, fmt.Errorf("--jwks-expire-after: must be at least %v", jwks.MinExpireAfter)
	}
	newClient := jwks.New
	url := k.jwks
	if set["issuer-url"] {
		newClient, url = jwks.NewFromIssuer, k.issuerURL
	}
	c, err := newClient(url, jwks.Options{
		CodecOptions: opts,
		JWKOptions:   jwkOptions(alg),
		FetchTimeout: k.jwksTimeout,
		ExpireAfter:  expireAfter,
		OnError: func(err error) {
			// The package's messages show the URL with any password redacted.
			log.Warn("jwks", "issuer", issuer, "error", err.Error())
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	return c, nil
}

var (
	reLeadingFlag = regexp.MustCompile(`^--([a-z][a-z-]*)`)
	reFlagName    = regexp.MustCompile(`--([a-z][a-z-]*)`)
)

// keyError returns err, an error of the key flags, in the words of the source of the settings:
// as it is for the flags; for a config file, at the line of the setting it names (or of the
// section), with the flags' names written as the file's keys.
func (s *issuerSpec) keyError(file string, err error) error {
	return s.keyErrorAt(file, 0, err)
}

// keyErrorAt is keyError at the given line (0: the one keyError finds).
func (s *issuerSpec) keyErrorAt(file string, line int, err error) error {
	if file == "" {
		return err
	}
	msg := err.Error()
	if line == 0 {
		line = s.line
		if m := reLeadingFlag.FindStringSubmatch(msg); m != nil {
			for _, k := range s.keys {
				if k.name == m[1] {
					line = k.line
				}
			}
		}
	}
	msg = reFlagName.ReplaceAllString(msg, "$1")
	return &configError{file, line, "issuer " + strconv.Quote(s.name) + ": " + msg}
}
