package jwks

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// parseURL checks that raw is an absolute http or https URL with a host, and returns it with the
// form used in messages (its password, if any, redacted).
func parseURL(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return nil, "", fmt.Errorf("%w: the JWKS URL does not parse: %v", ErrConfig, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, "", fmt.Errorf("%w: the JWKS URL %q is not an http or https URL", ErrConfig, u.Redacted())
	}
	if u.Host == "" {
		return nil, "", fmt.Errorf("%w: the JWKS URL %q has no host", ErrConfig, u.Redacted())
	}
	return u, u.Redacted(), nil
}

// checkRedirect follows at most MaxRedirects redirects, to http or https URLs only, and never
// from https to http: the keys are only as trustworthy as the channel that brought them.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("more than %d redirects", MaxRedirects)
	}
	switch req.URL.Scheme {
	case "https":
	case "http":
		for _, r := range via {
			if r.URL.Scheme == "https" {
				return errors.New("a redirect from https to http")
			}
		}
	default:
		return fmt.Errorf("a redirect to a %q URL", req.URL.Scheme)
	}
	return nil
}

// response is what one fetch brought back.
type response struct {
	body        []byte
	sum         [32]byte // SHA-256 of body
	etag        string
	notModified bool
	// lifetime is how long the response says it is fresh (Cache-Control max-age less Age);
	// -1 when it says nothing.
	lifetime time.Duration
}

// jwksAccept is the Accept header of a JWK Set fetch.
const jwksAccept = "application/jwk-set+json, application/json"

// get fetches the document at u (a JWK Set, or an issuer's configuration), conditionally on etag
// when it is not empty, bounded by ctx and the size cap of s.
func (s *settings) get(ctx context.Context, u, shown, etag, accept string) (response, error) {
	fail := func(format string, a ...any) (response, error) {
		return response{}, fmt.Errorf("%w: GET %s: %s", ErrFetch, shown, fmt.Sprintf(format, a...))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fail("%v", err)
	}
	req.Header.Set("Accept", accept)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already
		}
		return fail("%v", err)
	}
	// The body is closed without being drained: an unwanted or oversized body is not read to
	// save the connection.
	defer resp.Body.Close()
	r := response{lifetime: lifetime(resp.Header), etag: resp.Header.Get("ETag")}
	switch {
	case resp.StatusCode == http.StatusNotModified && etag != "":
		r.notModified = true
		if r.etag == "" {
			r.etag = etag
		}
		return r, nil
	case resp.StatusCode != http.StatusOK:
		return fail("status %d", resp.StatusCode)
	case resp.ContentLength > s.MaxResponseSize:
		return fail("the response has %d bytes, more than the %d allowed", resp.ContentLength, s.MaxResponseSize)
	}
	r.body, err = io.ReadAll(io.LimitReader(resp.Body, s.MaxResponseSize+1))
	if err != nil {
		return fail("reading the body: %v", err)
	}
	if int64(len(r.body)) > s.MaxResponseSize {
		return fail("the response is longer than the %d bytes allowed", s.MaxResponseSize)
	}
	r.sum = sha256.Sum256(r.body)
	return r, nil
}

// parse reads the keys of a fetched JWK Set.
func (s *settings) parse(body []byte, shown string) ([]fastjwt.PublicKey, error) {
	keys, err := fastjwt.ParseJWKSet(body, s.jwkOptions(shown)...)
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: %w", ErrFetch, shown, err)
	}
	return keys, nil
}

// lifetime returns how long a response says it is fresh (RFC 9111 sec. 4.2.1): its
// Cache-Control max-age less its Age (sec. 5.1), 0 with no-cache or no-store, or -1 when it
// gives no max-age (Expires is not read). Malformed values count as 0: refresh soon.
func lifetime(h http.Header) time.Duration {
	const unset = -1
	maxAge := int64(unset)
	for _, line := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-cache", "no-store":
				maxAge = 0
			case "max-age":
				v := seconds(strings.Trim(strings.TrimSpace(value), `"`))
				if maxAge == unset || v < maxAge {
					maxAge = v // of two max-age directives, the shorter
				}
			}
		}
	}
	if maxAge == unset {
		return unset
	}
	if a := h.Get("Age"); a != "" {
		maxAge = max(0, maxAge-seconds(a))
	}
	return time.Duration(maxAge) * time.Second
}

// seconds parses delta-seconds (RFC 9111 sec. 1.2.2): digits, saturating at about 68 years; 0
// for anything else.
func seconds(s string) int64 {
	if s == "" {
		return 0
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 1<<31 - 1 // too many digits: RFC 9111 says use the greatest value
	}
	return v
}

// Fetch fetches the JWK Set at url once and returns its usable keys, each bound to its
// algorithm, with the bounds and rules of a Client: an http or https URL, opts.FetchTimeout
// (also bounded by ctx), opts.MaxResponseSize, the redirect rule, and the parsing of
// fastjwt.ParseJWKSet with opts.JWKOptions (symmetric keys, private members or duplicate kids
// refuse the set). It is what a command-line tool needs; a server verifying tokens for longer
// than one fetch's worth of time wants a Client. Errors match ErrConfig or ErrFetch.
func Fetch(ctx context.Context, url string, opts Options) ([]fastjwt.PublicKey, error) {
	u, shown, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	s, err := opts.settings()
	if err != nil {
		return nil, err
	}
	if s.own != nil {
		defer s.own.CloseIdleConnections()
	}
	ctx, cancel := context.WithTimeout(ctx, s.FetchTimeout)
	defer cancel()
	r, err := s.get(ctx, u.String(), shown, "", jwksAccept)
	if err != nil {
		return nil, err
	}
	return s.parse(r.body, shown)
}
