package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
)

// The keys of the gateway's issuers, loaded by the same code as those of verify: an issuer's key
// settings (from the flags, or from its [issuer] section) are given to a flag set of verify's key
// flags, so that one file, variable or JWK Set means the same keys to every command. The one
// difference is --jwks URL: verify fetches the set once, the gateway keeps it fresh with a
// jwks.Client (background refresh, refetch on an unknown kid, readiness).

// keyFlagSet returns a flag set holding the key flags of verify, for loading an issuer's keys.
func keyFlagSet() (*flag.FlagSet, *keyFlags) {
	fs := newFlagSet("gateway")
	kf := new(keyFlags)
	kf.register(fs)
	kf.registerJWKS(fs)
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
	opts := []fastjwt.Option{fastjwt.WithLeeway(s.leeway)}
	if s.issSet {
		opts = append(opts, fastjwt.WithIssuer(s.iss))
	}
	if aud != "" {
		opts = append(opts, fastjwt.WithAudience(aud))
	}
	set := setFlags(fs)
	if isURL, _ := jwksURL(kf.jwks); set["jwks"] && isURL {
		c, err := kf.jwksClient(set, s.name, opts, log)
		if err != nil {
			return issuerVerifier{}, s.keyError(file, err)
		}
		return issuerVerifier{v: c, client: c}, nil
	}
	c, err := kf.codec(fs, false, opts...)
	if err != nil {
		return issuerVerifier{}, s.keyError(file, err)
	}
	return issuerVerifier{v: c}, nil
}

// registerJWKS adds --jwks and --jwks-timeout, as verify has them.
func (k *keyFlags) registerJWKS(fs *flag.FlagSet) {
	fs.StringVar(&k.jwks, "jwks", "", "the keys: the JWK Set in the file at `PATH`, or at an http:// or https:// URL,\nfetched at start and kept fresh (refreshed as its Cache-Control max-age says, within\n5m and 24h, and at once for a token whose \"kid\" it lacks, at most every 30s)")
	fs.Var(durationFlag{&k.jwksTimeout}, "jwks-timeout", "with --jwks URL: the longest one fetch may take, a `DURATION` (default 5s)")
}

// jwksClient returns a client of the JWK Set at the URL of --jwks. It fetches the set before
// returning, so that a wrong URL is reported at start (or on SIGHUP, keeping the keys in use).
func (k *keyFlags) jwksClient(set map[string]bool, issuer string, opts []fastjwt.Option, log *slog.Logger) (*jwks.Client, error) {
	alg, err := parseAlgFlag(set, k.alg)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"key-file", "key-env", "key"} {
		if set[name] {
			return nil, fmt.Errorf("give only one of --jwks and --%s", name)
		}
	}
	if err := asymmetricOnly(set, "--jwks holds public keys"); err != nil {
		return nil, err
	}
	switch {
	case alg == fastjwt.HS256:
		return nil, errors.New("--alg: HS256 keys are secrets, never in a JWK Set")
	case set["kid"]:
		return nil, errors.New("--kid applies to key files: the keys of a JWK Set at a URL are chosen by the token's \"kid\"")
	case set["jwks-timeout"] && k.jwksTimeout == 0:
		return nil, errors.New("--jwks-timeout: must be more than 0s")
	}
	c, err := jwks.New(k.jwks, jwks.Options{
		CodecOptions: opts,
		JWKOptions:   jwkOptions(alg),
		FetchTimeout: k.jwksTimeout,
		OnError: func(err error) {
			// The package's messages show the URL with any password redacted.
			log.Warn("jwks", "issuer", issuer, "error", err.Error())
		},
	})
	if err != nil {
		return nil, fmt.Errorf("--jwks: %v", err)
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
	if file == "" {
		return err
	}
	msg := err.Error()
	line := s.line
	if m := reLeadingFlag.FindStringSubmatch(msg); m != nil {
		for _, k := range s.keys {
			if k.name == m[1] {
				line = k.line
			}
		}
	}
	msg = reFlagName.ReplaceAllString(msg, "$1")
	return &configError{file, line, "issuer " + strconv.Quote(s.name) + ": " + msg}
}
