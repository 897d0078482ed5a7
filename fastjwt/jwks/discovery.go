package jwks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// DiscoveryPath is where an OpenID Connect issuer publishes its configuration, appended to the
// issuer URL (OpenID Connect Discovery 1.0 sec. 4).
const DiscoveryPath = "/.well-known/openid-configuration"

// issuerURL is an issuer identifier, checked: an http or https URL with a host and neither query
// nor fragment (OpenID Connect Discovery 1.0 sec. 3, RFC 8414 sec. 2).
type issuerURL struct {
	id        string // exactly as configured: what the document's "issuer" must equal
	scheme    string // "http" or "https"
	discovery string // the URL of its configuration document
	shown     string // for messages: the password, if any, redacted
}

// parseIssuer checks an issuer identifier and derives the URL of its configuration document:
// the identifier with any final "/" removed, and DiscoveryPath appended.
func parseIssuer(raw string) (issuerURL, error) {
	u, shown, err := parseURL(raw)
	if err != nil {
		return issuerURL{}, fmt.Errorf("%w (the issuer URL)", err)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return issuerURL{}, fmt.Errorf("%w: the issuer URL %q has a query or a fragment, which an issuer identifier may not have", ErrConfig, shown)
	}
	return issuerURL{id: raw, scheme: u.Scheme, discovery: strings.TrimSuffix(raw, "/") + DiscoveryPath, shown: shown}, nil
}

// discover fetches the configuration document of iss, with the bounds of a JWKS fetch (ctx, the
// size cap, the redirect rule), checks it and returns its jwks_uri, and that URL as shown in
// messages. Its errors match ErrFetch (and ErrDiscovery for a document that cannot be used).
func (s *settings) discover(ctx context.Context, iss issuerURL) (string, string, error) {
	r, err := s.get(ctx, iss.discovery, redactedURL(iss.discovery), "", "application/json")
	if err != nil {
		return "", "", err
	}
	fail := func(format string, a ...any) (string, string, error) {
		return "", "", fmt.Errorf("%w: %w: GET %s: %s", ErrFetch, ErrDiscovery, redactedURL(iss.discovery), fmt.Sprintf(format, a...))
	}
	doc, err := readDiscovery(r.body)
	if err != nil {
		return fail("%v", err)
	}
	if doc.issuer != iss.id {
		// Exact, as OpenID Connect Discovery 1.0 sec. 4.3 requires: the document of another
		// issuer (a mix-up, a tenant's document served for another) is not this one's.
		return fail("the document's issuer %q is not the configured issuer %q", doc.issuer, iss.id)
	}
	u, shown, err := parseURL(doc.jwksURI)
	if err != nil {
		return fail("jwks_uri: %v", err)
	}
	if u.Scheme != "https" && iss.scheme == "https" {
		// The keys are only as trustworthy as the channel that brings them: an issuer reached
		// over https does not hand its keys to plain http (nor does a redirect, checkRedirect).
		return fail("jwks_uri %q is not an https URL, and the issuer is", shown)
	}
	return u.String(), shown, nil
}

// redactedURL is raw as shown in messages: its password, if any, redacted.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// discoveryDoc holds the members of a configuration document the client uses.
type discoveryDoc struct{ issuer, jwksURI string }

// readDiscovery reads a configuration document: one JSON object whose "issuer" and "jwks_uri"
// are strings, each present once (a document that names either twice is refused, rather than
// read as one parser or another would read it). Other members are ignored.
func readDiscovery(body []byte) (discoveryDoc, error) {
	var doc discoveryDoc
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return doc, fmt.Errorf("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return doc, fmt.Errorf("not a JSON object: %v", err)
		}
		name, _ := t.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return doc, fmt.Errorf("not a JSON object: %v", err)
		}
		var field *string
		switch name {
		case "issuer":
			field = &doc.issuer
		case "jwks_uri":
			field = &doc.jwksURI
		default:
			continue
		}
		if seen[name] {
			return doc, fmt.Errorf("%q appears twice", name)
		}
		seen[name] = true
		if len(value) == 0 || value[0] != '"' || json.Unmarshal(value, field) != nil {
			return doc, fmt.Errorf("%q is not a string", name)
		}
	}
	if _, err := dec.Token(); err != nil {
		return doc, fmt.Errorf("not a JSON object: %v", err)
	}
	if _, err := dec.Token(); err == nil {
		return doc, fmt.Errorf("more than one JSON value")
	}
	switch {
	case !seen["issuer"]:
		return doc, fmt.Errorf("no \"issuer\"")
	case !seen["jwks_uri"]:
		return doc, fmt.Errorf("no \"jwks_uri\": the issuer publishes no keys")
	}
	return doc, nil
}

// Discover reads the configuration document of the OpenID Connect issuer at issuer (issuer
// followed by DiscoveryPath, OpenID Connect Discovery 1.0 sec. 4) once and returns its jwks_uri,
// with the bounds and rules of a fetch (see Fetch). The document's "issuer" must equal issuer
// exactly, character for character, and its jwks_uri must be an https URL when issuer is one
// (an http issuer, on a trusted network, may name either). Errors match ErrConfig for an issuer
// URL that is not one (not http or https, a query or a fragment), or ErrFetch; for a document
// that cannot be used (not a JSON object, another issuer, no or a bad jwks_uri) they also match
// ErrDiscovery. Give the result to Fetch; a server wants NewFromIssuer.
func Discover(ctx context.Context, issuer string, opts Options) (string, error) {
	iss, err := parseIssuer(issuer)
	if err != nil {
		return "", err
	}
	s, err := opts.settings()
	if err != nil {
		return "", err
	}
	if s.own != nil {
		defer s.own.CloseIdleConnections()
	}
	ctx, cancel := context.WithTimeout(ctx, s.FetchTimeout)
	defer cancel()
	u, _, err := s.discover(ctx, iss)
	return u, err
}

// NewFromIssuer returns a client for the keys of the OpenID Connect issuer at issuer: it reads
// the issuer's configuration document, as Discover does, and then serves the JWK Set at its
// jwks_uri as New does, with the same options, bounds and failure policy. The document is read
// as part of a fetch, within the same Options.FetchTimeout: unless opts.Lazy, NewFromIssuer
// fails if either the document or the set cannot be fetched; with Lazy, the background fetch
// retries both (after Options.Cooldown, doubling up to MinRefresh) until they succeed. Once
// found, the jwks_uri is kept for the life of the client: a refresh fetches the set, not the
// document again (a provider that moves its keys needs a new client).
//
// The issuer is not made a condition on the tokens: give fastjwt.WithIssuer(issuer) in
// opts.CodecOptions to require their "iss" to name it, as most providers' tokens do.
func NewFromIssuer(issuer string, opts Options) (*Client, error) {
	iss, err := parseIssuer(issuer)
	if err != nil {
		return nil, err
	}
	return startClient("", "the issuer "+iss.shown, &iss, opts)
}
