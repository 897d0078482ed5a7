package jwks

import (
	"fmt"
	"net/http"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Defaults of Options: what a zero field means.
const (
	// DefaultFetchTimeout bounds one fetch, from the request to the last byte of the body, and
	// so the longest a verify waits for a refetch.
	DefaultFetchTimeout = 5 * time.Second
	// DefaultMinRefresh and DefaultMaxRefresh bound the refresh interval a response's
	// Cache-Control max-age asks for.
	DefaultMinRefresh = 5 * time.Minute
	DefaultMaxRefresh = 24 * time.Hour
	// DefaultCooldown is the least time between two fetches caused by tokens with an unknown kid.
	DefaultCooldown = 30 * time.Second
	// DefaultMaxResponseSize caps the body of a JWKS response: 1 MiB, fastjwt.MaxKeyFileSize,
	// the most the JWK parser reads. A set of a hundred 4096-bit RSA keys is about 75 KB.
	DefaultMaxResponseSize = fastjwt.MaxKeyFileSize
	// MaxRedirects is the number of redirects a fetch follows; a redirect from https to http is
	// never followed.
	MaxRedirects = 3
)

// Options configure a Client (New) and a one-off fetch (Fetch). The zero value is the defaults.
type Options struct {
	// CodecOptions configure the codec each fetched key set is verified with, as for
	// fastjwt.NewVerifier: the issuer and audience required (fastjwt.WithIssuer,
	// fastjwt.WithAudience), the leeway, the clock, the verified-token cache.
	CodecOptions []fastjwt.Option

	// JWKOptions configure the parsing of the set, as for fastjwt.ParseJWKSet: the algorithm of
	// RSA keys without "alg" (fastjwt.JWKDefaultAlg, RS256 by default), the number of keys a set
	// may hold (fastjwt.JWKMaxKeys, fastjwt.DefaultMaxJWKSetKeys by default). By default the
	// keys a set skips are reported to OnError; a fastjwt.JWKOnSkip here replaces that.
	JWKOptions []fastjwt.JWKOption

	// HTTPClient makes the requests. By default a client of the package's own, with a transport
	// cloned from http.DefaultTransport (so it honours HTTP_PROXY and HTTPS_PROXY), a timeout of
	// FetchTimeout, response headers capped at 64 KiB, and the redirect rule of MaxRedirects. A
	// client given here is used as given, except that, if its CheckRedirect is nil, the
	// package's redirect rule is set on a copy; FetchTimeout still bounds every fetch.
	HTTPClient *http.Client

	// FetchTimeout bounds one fetch, and so the longest a verify waits for a refetch (default
	// DefaultFetchTimeout).
	FetchTimeout time.Duration

	// MinRefresh and MaxRefresh bound the refresh interval: the background refresh fetches the
	// set again after the lifetime the response's Cache-Control max-age gives it (less its Age
	// header), or after MinRefresh when it gives none, within these bounds (defaults
	// DefaultMinRefresh, DefaultMaxRefresh).
	MinRefresh, MaxRefresh time.Duration

	// Cooldown is the least time between two fetches caused by tokens whose kid is unknown
	// (default DefaultCooldown).
	Cooldown time.Duration

	// MaxResponseSize caps the body of a response in bytes (default and maximum
	// DefaultMaxResponseSize). A response that says it is longer is refused before its body is
	// read; one that turns out longer is refused at the first byte over the cap.
	MaxResponseSize int64

	// MaxStale is the age of the key set beyond which Ready reports ErrNotReady (default twice
	// MaxRefresh). The set is still used to verify: see Ready.
	MaxStale time.Duration

	// OnError, when set, hears about every failed fetch (errors matching ErrFetch: the last good
	// key set was kept) and about each key a new set skips (errors matching fastjwt.ErrKey:
	// "use":"enc", an unsupported curve). It is called from the client's goroutines, during the
	// fetch, so calls never overlap; requests waiting for the fetch wait for it too, so it should
	// be quick (log, count). It must not call Close.
	OnError func(error)

	// Lazy makes New return at once, without keys: the first fetch runs in the background, and
	// tokens verified before it succeeds wait for it (at most FetchTimeout) or are refused with
	// fastjwt.ErrUnknownKey. By default New fetches the set itself and fails if it cannot.
	Lazy bool
}

// settings are Options with the defaults filled in and checked.
type settings struct {
	Options
	hc *http.Client
	// own is the transport the client made itself, closed by Close.
	own *http.Transport
}

func (o Options) settings() (*settings, error) {
	s := &settings{Options: o}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"FetchTimeout", &s.FetchTimeout, DefaultFetchTimeout},
		{"MinRefresh", &s.MinRefresh, DefaultMinRefresh},
		{"MaxRefresh", &s.MaxRefresh, DefaultMaxRefresh},
		{"Cooldown", &s.Cooldown, DefaultCooldown},
		{"MaxStale", &s.MaxStale, 0},
	} {
		if *d.v < 0 {
			return nil, fmt.Errorf("%w: %s is negative", ErrConfig, d.name)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if s.MinRefresh > s.MaxRefresh {
		return nil, fmt.Errorf("%w: MinRefresh (%v) is above MaxRefresh (%v)", ErrConfig, s.MinRefresh, s.MaxRefresh)
	}
	if s.MaxStale == 0 {
		s.MaxStale = 2 * s.MaxRefresh
	}
	switch {
	case s.MaxResponseSize < 0:
		return nil, fmt.Errorf("%w: MaxResponseSize is negative", ErrConfig)
	case s.MaxResponseSize == 0:
		s.MaxResponseSize = DefaultMaxResponseSize
	case s.MaxResponseSize > DefaultMaxResponseSize:
		return nil, fmt.Errorf("%w: MaxResponseSize is above %d bytes, the most the JWK parser reads", ErrConfig, DefaultMaxResponseSize)
	}
	if o.HTTPClient != nil {
		hc := *o.HTTPClient
		if hc.CheckRedirect == nil {
			hc.CheckRedirect = checkRedirect
		}
		s.hc = &hc
	} else {
		s.own = http.DefaultTransport.(*http.Transport).Clone()
		s.own.MaxResponseHeaderBytes = 64 << 10
		s.own.ResponseHeaderTimeout = s.FetchTimeout
		s.hc = &http.Client{Transport: s.own, Timeout: s.FetchTimeout, CheckRedirect: checkRedirect}
	}
	return s, nil
}

// jwkOptions are the options of ParseJWKSet: the caller's, after the report of skipped keys
// to OnError.
func (s *settings) jwkOptions(url string) []fastjwt.JWKOption {
	opts := make([]fastjwt.JWKOption, 0, len(s.JWKOptions)+1)
	if s.OnError != nil {
		onError := s.OnError
		opts = append(opts, fastjwt.JWKOnSkip(func(i int, err error) {
			onError(fmt.Errorf("jwks: %s: key %d of the set skipped: %w", url, i, err))
		}))
	}
	return append(opts, s.JWKOptions...)
}
