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
	// DefaultExpireAfter is the age beyond which a key set is no longer used (see
	// Options.ExpireAfter): three days, enough to ride out an outage of the identity provider
	// over a weekend, and a day beyond the default MaxStale (48 hours), so that readiness probes
	// and alerts report the stale set well before tokens are refused.
	DefaultExpireAfter = 72 * time.Hour
	// MinExpireAfter is the least Options.ExpireAfter.
	MinExpireAfter = time.Second
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
	// MaxRefresh, at most ExpireAfter; it may not be above ExpireAfter). The set is still used
	// to verify: see Ready.
	MaxStale time.Duration

	// ExpireAfter bounds how long a key set is trusted without a successful fetch. Once the set
	// in use was last fetched or confirmed (a 304 answer, or the same document again) more than
	// ExpireAfter ago, every token is refused with an error matching ErrSetExpired, until a
	// fetch succeeds again: an attacker who can block the fetch must not keep a key the issuer
	// has withdrawn usable for ever. Default DefaultExpireAfter (72 hours), or three times
	// MaxRefresh if that is longer; at least MinExpireAfter.
	//
	// The set is refreshed at least every ExpireAfter/2, so that it never expires while the
	// server answers: a MaxRefresh given above ExpireAfter/2 is refused, a default one is
	// lowered to ExpireAfter/2 (and a default MinRefresh to at most that).
	ExpireAfter time.Duration

	// Clock replaces time.Now as the source of the current time for the age of the key set
	// (Age, Ready, ExpireAfter). It does not set the codec's clock, which checks exp and nbf
	// (fastjwt.WithClock in CodecOptions), nor the timers of the refresh and the cooldown.
	Clock func() time.Time

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
	// now is Clock, or time.Now.
	now func() time.Time
}

func (o Options) settings() (*settings, error) {
	s := &settings{Options: o, now: o.Clock}
	if s.now == nil {
		s.now = time.Now
	}
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
		{"ExpireAfter", &s.ExpireAfter, 0},
	} {
		if *d.v < 0 {
			return nil, fmt.Errorf("%w: %s is negative", ErrConfig, d.name)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	switch {
	case s.ExpireAfter == 0:
		s.ExpireAfter = max(DefaultExpireAfter, 3*s.MaxRefresh)
	case s.ExpireAfter < MinExpireAfter:
		return nil, fmt.Errorf("%w: ExpireAfter (%v) is under %v", ErrConfig, s.ExpireAfter, MinExpireAfter)
	case s.MaxRefresh > s.ExpireAfter/2 && o.MaxRefresh != 0:
		return nil, fmt.Errorf("%w: MaxRefresh (%v) is above half of ExpireAfter (%v): the set could expire between two refreshes", ErrConfig, s.MaxRefresh, s.ExpireAfter)
	case s.MaxRefresh > s.ExpireAfter/2:
		s.MaxRefresh = s.ExpireAfter / 2
		if o.MinRefresh == 0 {
			s.MinRefresh = min(s.MinRefresh, s.MaxRefresh)
		}
	}
	if s.MinRefresh > s.MaxRefresh {
		return nil, fmt.Errorf("%w: MinRefresh (%v) is above MaxRefresh (%v)", ErrConfig, s.MinRefresh, s.MaxRefresh)
	}
	switch {
	case s.MaxStale == 0:
		s.MaxStale = min(2*s.MaxRefresh, s.ExpireAfter)
	case s.MaxStale > s.ExpireAfter:
		return nil, fmt.Errorf("%w: MaxStale (%v) is above ExpireAfter (%v): Ready would report ready while every token is refused", ErrConfig, s.MaxStale, s.ExpireAfter)
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
