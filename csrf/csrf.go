// Package csrf protects cookie-authenticated applications against cross-site request forgery
// (OWASP ASVS 3.5.1-3.5.3) the way the standard library's net/http.CrossOriginProtection does:
// it refuses cross-origin browser requests that are not safe, judged by the Sec-Fetch-Site
// header a browser sends and, for browsers that do not send it, by the Origin header against the
// Host. No token, no form field, no state on the server.
//
// The verdict, in order:
//
//   - GET, HEAD and OPTIONS are safe methods and always pass. An application must never change
//     state on them.
//   - Sec-Fetch-Site "same-origin" or "none" (the user typed the address, or a bookmark) passes;
//     any other value ("cross-site", "same-site", anything unknown) is refused unless the request
//     is exempt (below).
//   - Without Sec-Fetch-Site: no Origin passes (a non-browser client, or a same-origin request of
//     an old browser); an Origin whose host[:port] equals the Host passes; any other Origin
//     (including "null") is refused unless the request is exempt.
//   - Exempt: the Origin is one of the trusted origins, or the request matches a bypass pattern.
//
// Only the first field line of Sec-Fetch-Site and of Origin counts, as net/http's Header.Get
// reads them; header names match ASCII case-insensitively.
//
// A Protection is built once by New from a Config, is immutable, and is safe for concurrent use.
// Package csrf knows no HTTP framework: the adapters (middleware/nethttp: the standard library's
// CrossOriginProtection configured from the same Protection; middleware/fasthttp: Check) read the
// request into a Request and act on the verdict.
//
// Bypass patterns are the standard library's ServeMux patterns, restricted to what matches on the
// method and the path: "[METHOD ]PATH", where PATH is made of literal segments, {name} wildcards
// (one segment), and ends with a {name...} wildcard, with "/" (the subtree below it), with {$}
// (exactly a trailing slash), or with a literal segment (exactly that path). A pattern with a host
// is refused. As with ServeMux, a GET pattern also matches HEAD; a request whose path is not
// clean (dot segments, doubled slashes) never matches, since ServeMux would redirect it, and
// neither does /tree for a pattern /tree/. Patterns are checked at construction by a ServeMux, so
// conflicting or malformed ones are refused there with the same rules.
package csrf

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrConfig is wrapped by every error of New: a trusted origin or a bypass pattern that cannot
// work.
var ErrConfig = errors.New("csrf: invalid configuration")

// ErrCrossOrigin is Check's verdict on a request refused by its Sec-Fetch-Site header. Its text
// is the standard library's, which its default deny handler writes as the 403 body.
var ErrCrossOrigin = errors.New("cross-origin request detected from Sec-Fetch-Site header")

// ErrCrossOriginOldBrowser is Check's verdict on a request without Sec-Fetch-Site whose Origin
// does not match its Host. Its text is the standard library's.
var ErrCrossOriginOldBrowser = errors.New("cross-origin request detected, and/or browser is out of date: " +
	"Sec-Fetch-Site is missing, and Origin does not match Host")

// Config is what New builds a Protection from. The zero Config is valid: no trusted origins, no
// bypass patterns.
type Config struct {
	// TrustedOrigins are origins whose requests always pass, each exactly "scheme://host[:port]"
	// as a browser sends it in the Origin header (no path, not even "/", no query, no fragment),
	// compared byte for byte with the Origin header.
	TrustedOrigins []string

	// BypassPatterns are requests that always pass, whatever their origin, in the grammar of
	// the package documentation. Each is a hole in the protection: use them only for endpoints
	// that authenticate by other means than the cookie (webhooks signed by their sender, say).
	BypassPatterns []string
}

// Protection is the cross-origin policy built by New. It is immutable and safe for concurrent
// use.
type Protection struct {
	trusted  []string
	patterns []string
	bypass   []pattern
}

// New returns the Protection of c, or an error wrapping ErrConfig for a trusted origin that is
// not "scheme://host[:port]" or a bypass pattern outside the supported grammar (or one that
// conflicts with another, by ServeMux's rules).
func New(c Config) (*Protection, error) {
	p := &Protection{
		trusted:  append([]string(nil), c.TrustedOrigins...),
		patterns: append([]string(nil), c.BypassPatterns...),
	}
	for _, o := range p.trusted {
		if err := validOrigin(o); err != nil {
			return nil, err
		}
	}
	// The standard library checks the patterns it will serve on net/http; a pattern it refuses
	// (malformed, or conflicting with another) is refused here, on both stacks.
	co := http.NewCrossOriginProtection()
	for _, s := range p.patterns {
		if err := addBypass(co, s); err != nil {
			return nil, err
		}
		pat, err := parsePattern(s)
		if err != nil {
			return nil, err
		}
		p.bypass = append(p.bypass, pat)
	}
	return p, nil
}

// validOrigin applies the rules of net/http's CrossOriginProtection.AddTrustedOrigin.
func validOrigin(origin string) error {
	u, err := url.Parse(origin)
	switch {
	case err != nil:
		return fmt.Errorf("%w: trusted origin %q: %v", ErrConfig, origin, err)
	case u.Scheme == "":
		return fmt.Errorf("%w: trusted origin %q: scheme is required", ErrConfig, origin)
	case u.Host == "":
		return fmt.Errorf("%w: trusted origin %q: host is required", ErrConfig, origin)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || u.User != nil:
		return fmt.Errorf("%w: trusted origin %q: path, query, fragment and user information are not allowed", ErrConfig, origin)
	}
	return nil
}

// addBypass registers s on co, turning ServeMux's panic on a bad pattern into an error.
func addBypass(co *http.CrossOriginProtection, s string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: bypass pattern %q: %v", ErrConfig, s, r)
		}
	}()
	co.AddInsecureBypassPattern(s)
	return nil
}

// TrustedOrigins returns a copy of the trusted origins.
func (p *Protection) TrustedOrigins() []string { return append([]string(nil), p.trusted...) }

// BypassPatterns returns a copy of the bypass patterns.
func (p *Protection) BypassPatterns() []string { return append([]string(nil), p.patterns...) }

// Request is what Check reads of a request. The adapters fill it from their framework's request
// without copying; Check keeps nothing of it.
type Request struct {
	// Method is the request method, case-sensitive as in the request line.
	Method []byte
	// Host is the host[:port] the request is for: the authority of an absolute-form target,
	// else the Host header, as net/http's Request.Host.
	Host []byte
	// Path is the path of the request target as sent, percent-encoding included, without the
	// query (net/http's URL.EscapedPath).
	Path []byte
	// SecFetchSite is the value of the first Sec-Fetch-Site field line; empty when absent.
	SecFetchSite []byte
	// Origin is the value of the first Origin field line; empty when absent.
	Origin []byte
}

// Check returns nil when r may proceed, else ErrCrossOrigin or ErrCrossOriginOldBrowser. It
// allocates nothing, except for an Origin header that its fast reading cannot decide (one with
// percent-encoding, user information, brackets or no "//"), which it reads with net/url.
func (p *Protection) Check(r *Request) error {
	switch string(r.Method) {
	case "GET", "HEAD", "OPTIONS":
		return nil
	}
	switch string(r.SecFetchSite) {
	case "":
		// Fall through to the Origin header.
	case "same-origin", "none":
		return nil
	default:
		if p.exempt(r) {
			return nil
		}
		return ErrCrossOrigin
	}
	if len(r.Origin) == 0 {
		return nil
	}
	if originMatchesHost(r.Origin, r.Host) || p.exempt(r) {
		return nil
	}
	return ErrCrossOriginOldBrowser
}

// exempt reports whether r matches a bypass pattern or carries a trusted Origin.
func (p *Protection) exempt(r *Request) bool {
	if len(p.bypass) > 0 && cleanPath(r.Path) {
		for i := range p.bypass {
			if p.bypass[i].match(r.Method, r.Path) {
				return true
			}
		}
	}
	if len(r.Origin) > 0 {
		for _, o := range p.trusted {
			if string(r.Origin) == o {
				return true
			}
		}
	}
	return false
}

// originMatchesHost reports whether url.Parse(origin) succeeds with a Host equal to host, as
// net/http's check does. The common shape, scheme "://" host [":" port] with plain host
// characters, is decided in place; anything else goes to url.Parse.
func originMatchesHost(origin, host []byte) bool {
	if a, ok := fastAuthority(origin); ok {
		return string(a) == string(host)
	}
	if len(host) > 0 && !strings.Contains(string(origin), "//") {
		// Without "//" url.Parse finds no authority: its Host is empty.
		return false
	}
	u, err := url.Parse(string(origin))
	return err == nil && u.Host == string(host)
}

// fastAuthority returns the authority of origin when origin is exactly scheme "://" authority,
// with a scheme url.Parse accepts and an authority of letters, digits, '.', '-' and '_', with
// an optional ":" and digits: the shape for which url.Parse's Host is that authority verbatim.
func fastAuthority(origin []byte) ([]byte, bool) {
	i := 0
	for i < len(origin) && origin[i] != ':' {
		c := origin[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return nil, false
		}
		i++
	}
	if i == 0 || len(origin) < i+3 || string(origin[i:i+3]) != "://" {
		return nil, false
	}
	a := origin[i+3:]
	colon := -1
	for j, c := range a {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '_':
			if colon >= 0 && !('0' <= c && c <= '9') {
				return nil, false
			}
		case c == ':' && colon < 0:
			colon = j
		default:
			return nil, false
		}
	}
	if len(a) == 0 || colon == 0 || colon == len(a)-1 {
		return nil, false
	}
	return a, true
}
