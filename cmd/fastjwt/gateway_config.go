package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
	"github.com/fastjwt/session/gateway"
	"github.com/fastjwt/session/internal/httpsyntax"
)

// The gateway's config file (--config FILE): issuers and routes, in sections of "key = value"
// lines. It is read whole and checked before anything is served, and again on SIGHUP, so that a
// mistake is reported with its file and line and never half applied:
//
//	# Lines starting with '#' or ';' are comments; blank lines are ignored. A comment is
//	# never at the end of a "key = value" line: such a line is refused, not read as a value.
//	[issuer corp]
//	alg      = HS256
//	key-file = /etc/fastjwt/corp.key
//	iss      = https://corp.example
//	leeway   = 30s
//
//	# The path prefix; the longest one matching wins.
//	[route /api/]
//	issuer       = corp
//	aud          = api
//	claim-header = sub=X-User
//
// The format is described for users in the help of the gateway command (gatewayConfigHelp).

// Bounds of a config file: it is read whole, and each line once.
const (
	maxConfigSize     = 1 << 20
	maxConfigErrors   = 20 // reported at once; the rest are left for the next run
	maxIssuerNameLen  = 64
	maxRoutePrefixLen = 1024
)

// gatewaySpec is what the gateway serves: issuers and the routes that use them, read from a
// config file or made from the flags (then one issuer and the route "/").
type gatewaySpec struct {
	file    string // the config file, "" when made from the flags
	issuers []*issuerSpec
	routes  []*routeSpec
}

// issuerSpec is one issuer: where its keys come from and the claims its tokens must have.
type issuerSpec struct {
	name string
	line int // of its section header; 0 from the flags
	// keys are its key settings (key-file, key-env, jwks, alg...), named as the flags of the
	// same meaning, in the order given: loadKeys gives them to the CLI's key loading.
	keys   []setting
	iss    string
	issSet bool
	leeway time.Duration
	// kids are the key IDs of its secret-file and secret-env lines, at their lines.
	kids map[string]int
}

// setting is one "key = value" line (or one flag).
type setting struct {
	name, value string
	line        int
}

// routeSpec is one route: a path prefix and the policy applied to it.
type routeSpec struct {
	name, prefix string
	line         int // of its section header
	issuer       string
	issuerLine   int
	aud          string
	types        []fastjwt.Type // nil: bearer.DefaultTypes()
	headers      []bearer.Forward
	cookie       string
	params       bool // path-parameters = allow
	refuseCase   bool // case-variants = refuse
	maxAuthAge   time.Duration
}

// issuerKeys are the keys of an [issuer] section that say where its keys come from: the CLI's
// key flags of the same names (see keyFlags). "key" (the secret in the text itself) is not one
// of them: a config file is no place for a secret.
var issuerKeys = []string{"alg", "key-file", "key-file-raw", "key-env", "jwks", "issuer-url", "jwks-timeout", "kid", "allow-short-key",
	"secret-file", "secret-env", "jwks-expire-after"}

// routeKeys are the keys of a [route] section.
var routeKeys = []string{"issuer", "aud", "types", "claim-header", "cookie", "name", "path-parameters", "case-variants", "max-auth-age"}

// configError is one mistake in a config file, at a line.
type configError struct {
	file string
	line int
	msg  string
}

func (e *configError) Error() string {
	if e.line == 0 {
		return e.file + ": " + e.msg
	}
	return e.file + ":" + strconv.Itoa(e.line) + ": " + e.msg
}

// configErrors collects the mistakes of a file, up to maxConfigErrors.
type configErrors struct {
	file string
	errs []error
	more int
}

func (c *configErrors) add(line int, format string, a ...any) {
	if len(c.errs) == maxConfigErrors {
		c.more++
		return
	}
	c.errs = append(c.errs, &configError{c.file, line, fmt.Sprintf(format, a...)})
}

func (c *configErrors) err() error {
	if c.more > 0 {
		c.errs = append(c.errs, fmt.Errorf("%s: %d more errors not shown", c.file, c.more))
	}
	return errors.Join(c.errs...)
}

// readGatewayConfig reads and checks the config file at path.
func readGatewayConfig(path string) (*gatewaySpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a config file", path, maxConfigSize)
	}
	spec, err := parseGatewayConfig(path, data)
	if err != nil {
		return nil, err
	}
	// Paths in the file are relative to it, wherever the gateway was started from.
	for _, iss := range spec.issuers {
		for i, k := range iss.keys {
			if k.name == "key-file" || k.name == "jwks" {
				if isURL, _ := jwksURL(k.value); !isURL && !filepath.IsAbs(k.value) {
					iss.keys[i].value = filepath.Join(filepath.Dir(path), k.value)
				}
			}
			if k.name == "secret-file" {
				// KID=PATH: checked by the parse.
				kid, p, _ := strings.Cut(k.value, "=")
				if !filepath.IsAbs(p) {
					iss.keys[i].value = kid + "=" + filepath.Join(filepath.Dir(path), p)
				}
			}
		}
	}
	return spec, nil
}

var (
	reIssuerName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	reKey        = regexp.MustCompile(`^[a-z][a-z-]*$`)
)

// parseGatewayConfig parses and checks a config file's text; file names it in errors. Every
// mistake found is reported (up to maxConfigErrors), each as "file:line: what is wrong".
func parseGatewayConfig(file string, data []byte) (*gatewaySpec, error) {
	spec := &gatewaySpec{file: file}
	errs := &configErrors{file: file}
	if !utf8.Valid(data) {
		// The line of the first invalid byte, so that it can be found.
		n := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		errs.add(n, "not valid UTF-8")
		return nil, errs.err()
	}
	var (
		iss    *issuerSpec
		route  *routeSpec
		seen   map[string]int // keys of the current section, at their lines
		issuer = map[string]*issuerSpec{}
		prefix = map[string]*routeSpec{}
	)
	lines := strings.Split(string(data), "\n")
	for i, text := range lines {
		n := i + 1
		text = strings.TrimSuffix(text, "\r")
		if strings.ContainsFunc(text, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			errs.add(n, "control character in the line")
			continue
		}
		text = strings.TrimSpace(text)
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		if text[0] == '[' {
			iss, route, seen = nil, nil, map[string]int{}
			kind, arg, ok := parseSection(text)
			switch {
			case !ok:
				errs.add(n, "bad section header %q: want [issuer NAME] or [route /PREFIX]", text)
			case kind == "issuer":
				if msg := checkIssuerName(arg); msg != "" {
					errs.add(n, "%s", msg)
					break
				}
				if prev := issuer[arg]; prev != nil {
					errs.add(n, "duplicate [issuer %s] (first at line %d)", arg, prev.line)
					break
				}
				iss = &issuerSpec{name: arg, line: n}
				issuer[arg] = iss
				spec.issuers = append(spec.issuers, iss)
			case kind == "route":
				if msg := checkRoutePrefix(arg); msg != "" {
					errs.add(n, "%s", msg)
					break
				}
				if prev := prefix[arg]; prev != nil {
					errs.add(n, "duplicate [route %s] (first at line %d)", arg, prev.line)
					break
				}
				route = &routeSpec{prefix: arg, line: n}
				prefix[arg] = route
				spec.routes = append(spec.routes, route)
			default:
				errs.add(n, "unknown section [%s ...]: want [issuer NAME] or [route /PREFIX]", kind)
			}
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case !ok || !reKey.MatchString(key):
			errs.add(n, "not a section header or a \"key = value\" line: %q", text)
			continue
		case seen == nil:
			errs.add(n, "%q before any section: keys go in an [issuer NAME] or [route /PREFIX] section", key)
			continue
		case iss == nil && route == nil:
			continue // in a section whose header was wrong: reported there
		}
		where := sectionName(iss, route)
		known := routeKeys
		if iss != nil {
			known = append(slices.Clip(issuerKeys), "iss", "leeway")
		}
		if !slices.Contains(known, key) {
			hint := ""
			if key == "key" && iss != nil {
				hint = " (a secret goes in a file, key-file, or the environment, key-env)"
			}
			errs.add(n, "unknown key %q in %s%s; known: %s", key, where, hint, strings.Join(known, ", "))
			continue
		}
		if first, dup := seen[key]; dup && key != "claim-header" && !isSecretKey(key) {
			errs.add(n, "duplicate key %q in %s (first at line %d)", key, where, first)
			continue
		}
		seen[key] = n
		if i := strings.IndexAny(value, "#;"); i > 0 && (value[i-1] == ' ' || value[i-1] == '\t') {
			// "iss = https://corp.example # our IdP" would otherwise require that whole text.
			errs.add(n, "%s: %q: a comment goes on a line of its own", where, key)
			continue
		}
		if value == "" {
			errs.add(n, "%s: %q has no value", where, key)
			continue
		}
		var msg string
		if iss != nil {
			msg = iss.set(key, value, n)
		} else {
			msg = route.set(key, value, n)
		}
		if msg != "" {
			errs.add(n, "%s: %s: %s", where, key, msg)
		}
	}
	if len(errs.errs) > 0 {
		return nil, errs.err() // what follows would report the consequences of these
	}
	checkSpec(spec, issuer, errs)
	if len(errs.errs) > 0 {
		return nil, errs.err()
	}
	return spec, nil
}

// checkSpec checks what needs the whole file: every issuer has keys and a route, every route an
// issuer that exists.
func checkSpec(spec *gatewaySpec, issuer map[string]*issuerSpec, errs *configErrors) {
	if len(spec.routes) == 0 {
		errs.add(0, "no [route /PREFIX] section: nothing to serve")
	}
	used := map[string]bool{}
	for _, r := range spec.routes {
		switch {
		case r.issuer == "":
			errs.add(r.line, "route %q has no issuer: add \"issuer = NAME\"", r.prefix)
		case issuer[r.issuer] == nil:
			errs.add(r.issuerLine, "route %q: unknown issuer %q (no [issuer %s] section)", r.prefix, r.issuer, r.issuer)
		default:
			used[r.issuer] = true
		}
	}
	for _, iss := range spec.issuers {
		sources := 0
		if len(iss.kids) > 0 {
			sources++ // any number of secret-file and secret-env lines
		}
		for _, k := range iss.keys {
			if k.name == "key-file" || k.name == "key-env" || k.name == "jwks" || k.name == "issuer-url" {
				sources++
			}
		}
		switch {
		case sources == 0:
			errs.add(iss.line, "issuer %q has no key: add key-file, key-env, jwks, issuer-url, or secret-file and secret-env lines", iss.name)
		case sources > 1:
			errs.add(iss.line, "issuer %q: give only one of key-file, key-env, jwks, issuer-url, and secret-file and secret-env lines", iss.name)
		}
		if !used[iss.name] {
			errs.add(iss.line, "issuer %q is used by no route", iss.name)
		}
	}
}

// set records one key of an [issuer] section; it returns what is wrong with the value.
func (s *issuerSpec) set(key, value string, line int) string {
	switch key {
	case "iss":
		s.iss, s.issSet = value, true
	case "leeway":
		d, msg := parseConfigDuration(value)
		if msg != "" {
			return msg
		}
		s.leeway = d
	case "secret-file", "secret-env":
		kid, _, msg := parseSecret(key, value)
		if msg != "" {
			return fmt.Sprintf("%q %s", value, msg)
		}
		if first, dup := s.kids[kid]; dup {
			return fmt.Sprintf("kid %q already has a secret (line %d): every secret has a kid of its own", kid, first)
		}
		if s.kids == nil {
			s.kids = map[string]int{}
		}
		s.kids[kid] = line
		s.keys = append(s.keys, setting{key, value, line})
	case "key-file-raw", "allow-short-key":
		if value != "true" && value != "false" {
			return fmt.Sprintf("%q is not true or false", value)
		}
		fallthrough
	default:
		if key == "jwks-expire-after" {
			if d, msg := parseConfigDuration(value); msg != "" {
				return msg
			} else if d < jwks.MinExpireAfter {
				return fmt.Sprintf("must be at least %v", jwks.MinExpireAfter)
			}
		}
		if key == "jwks-timeout" {
			if d, msg := parseConfigDuration(value); msg != "" {
				return msg
			} else if d == 0 {
				return "must be more than 0s"
			}
		}
		s.keys = append(s.keys, setting{key, value, line})
	}
	return ""
}

// isSecretKey reports whether key is one of the repeatable secret lines of an [issuer] section.
func isSecretKey(key string) bool { return key == "secret-file" || key == "secret-env" }

// set records one key of a [route] section; it returns what is wrong with the value.
func (r *routeSpec) set(key, value string, line int) string {
	switch key {
	case "issuer":
		if msg := checkIssuerName(value); msg != "" {
			return msg
		}
		r.issuer, r.issuerLine = value, line
	case "aud":
		r.aud = value
	case "name":
		if !httpsyntax.IsToken(value) {
			return fmt.Sprintf("%q: letters, digits and !#$%%&'*+-.^_`|~ only", value)
		}
		r.name = value
	case "cookie":
		if !httpsyntax.IsToken(value) {
			return fmt.Sprintf("%q is not a cookie name (RFC 6265: letters, digits and !#$%%&'*+-.^_`|~)", value)
		}
		r.cookie = value
	case "path-parameters":
		allow, msg := allowOrRefuse(value, "refuse")
		r.params = allow
		return msg
	case "max-auth-age":
		d, msg := parseConfigDuration(value)
		if msg != "" {
			return msg
		}
		r.maxAuthAge = d
	case "case-variants":
		allow, msg := allowOrRefuse(value, "allow")
		r.refuseCase = !allow
		return msg
	case "types":
		types, msg := parseTypes(value)
		if msg != "" {
			return msg
		}
		r.types = types
	case "claim-header":
		f, msg := parseClaimHeader(value)
		if msg != "" {
			return msg
		}
		if msg := addClaimHeader(&r.headers, f); msg != "" {
			return msg
		}
	}
	return ""
}

// allowOrRefuse reads a route option that takes "allow" or "refuse" (def names the default, for
// the message).
func allowOrRefuse(value, def string) (allow bool, msg string) {
	if value != "allow" && value != "refuse" {
		other := map[string]string{"allow": "refuse", "refuse": "allow"}[def]
		return false, fmt.Sprintf("%q: want %s or %s (the default)", value, other, def)
	}
	return value == "allow", ""
}

// maxClaimHeaders bounds the claim headers of a route, as package gateway does.
const maxClaimHeaders = 64

// addClaimHeader adds f to the claim headers of a route, unless its header already receives a
// claim: names differing in case, or in '-' and '_' (one header to a CGI-style upstream, which
// reads X-User and X_User both as HTTP_X_USER), are one header.
func addClaimHeader(headers *[]bearer.Forward, f bearer.Forward) string {
	unify := func(h string) string { return strings.ToLower(strings.ReplaceAll(h, "_", "-")) }
	for _, prev := range *headers {
		if unify(prev.Header) == unify(f.Header) {
			return fmt.Sprintf("header %q already receives claim %q", f.Header, prev.Claim)
		}
	}
	if len(*headers) == maxClaimHeaders {
		return fmt.Sprintf("more than %d claim headers", maxClaimHeaders)
	}
	*headers = append(*headers, f)
	return ""
}

// sectionName names the current section in messages: issuer "corp", route "/api/".
func sectionName(iss *issuerSpec, r *routeSpec) string {
	if iss != nil {
		return fmt.Sprintf("issuer %q", iss.name)
	}
	return fmt.Sprintf("route %q", r.prefix)
}

// parseSection splits "[kind arg]".
func parseSection(text string) (kind, arg string, ok bool) {
	inner, ok := strings.CutPrefix(text, "[")
	if !ok {
		return "", "", false
	}
	if inner, ok = strings.CutSuffix(inner, "]"); !ok {
		return "", "", false
	}
	fields := strings.Fields(inner)
	if len(fields) != 2 {
		return "", "", false
	}
	return fields[0], fields[1], true
}

func checkIssuerName(name string) string {
	if len(name) > maxIssuerNameLen || !reIssuerName.MatchString(name) {
		return fmt.Sprintf("bad issuer name %q: letters, digits, '.', '_' and '-', at most %d", name, maxIssuerNameLen)
	}
	return ""
}

// checkRoutePrefix says what is wrong with a route's path prefix: the gateway's own rule
// (gateway.CheckPathPrefix), and a length a config file keeps short.
func checkRoutePrefix(p string) string {
	if len(p) > maxRoutePrefixLen {
		return fmt.Sprintf("route prefix longer than %d bytes", maxRoutePrefixLen)
	}
	if err := gateway.CheckPathPrefix(p); err != nil {
		return fmt.Sprintf("bad route prefix %q: %v", p, err)
	}
	return ""
}

// parseConfigDuration parses a non-negative duration such as 30s.
func parseConfigDuration(v string) (time.Duration, string) {
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("%q is not a duration (e.g. 30s, 2m)", v)
	case d < 0:
		return 0, fmt.Sprintf("%q must not be negative", v)
	}
	return d, ""
}

// typeNames are the names a route's "types" list (and --types) takes.
var typeNames = map[string]fastjwt.Type{
	"none": fastjwt.TypeNone, "JWT": fastjwt.TypeJWT, "at+jwt": fastjwt.TypeAccess, "session+jwt": fastjwt.TypeSession,
}

// parseTypes parses a list of token types separated by spaces or commas.
func parseTypes(v string) ([]fastjwt.Type, string) {
	var types []fastjwt.Type
	for _, name := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		t, ok := typeNames[name]
		if !ok {
			return nil, fmt.Sprintf("unknown token type %q: none (no \"typ\"), JWT, at+jwt or session+jwt", name)
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return nil, "no token type"
	}
	return types, ""
}

// parseClaimHeader parses CLAIM=HEADER, the value of --claim-header and of claim-header.
func parseClaimHeader(v string) (bearer.Forward, string) {
	claim, header, ok := strings.Cut(v, "=")
	claim, header = strings.TrimSpace(claim), strings.TrimSpace(header)
	switch {
	case !ok || claim == "" || header == "":
		return bearer.Forward{}, fmt.Sprintf("%q: want CLAIM=HEADER, e.g. sub=X-User", v)
	case !httpsyntax.SafeFieldValue([]byte(claim)):
		return bearer.Forward{}, fmt.Sprintf("claim name %q holds a control character", claim)
	case !httpsyntax.IsToken(header):
		return bearer.Forward{}, fmt.Sprintf("%q is not a header name (letters, digits and !#$%%&'*+-.^_`|~)", header)
	}
	if why := reservedHeader(header); why != "" {
		return bearer.Forward{}, fmt.Sprintf("header %q cannot receive a claim: %s", header, why)
	}
	return bearer.Forward{Claim: claim, Header: header}, ""
}

// reservedHeaders are the header names a claim may not be written to, lower case, with the
// reason: hop-by-hop fields (RFC 9110 sec. 7.6.1), which proxies drop or act on; the message
// framing and the credentials; and the fields the proxies and the gateway read to route a
// request, which a claim must not steer.
var reservedHeaders = map[string]string{
	"connection":          "a hop-by-hop field",
	"keep-alive":          "a hop-by-hop field",
	"proxy-connection":    "a hop-by-hop field",
	"proxy-authenticate":  "a hop-by-hop field",
	"proxy-authorization": "a hop-by-hop field",
	"te":                  "a hop-by-hop field",
	"trailer":             "a hop-by-hop field",
	"transfer-encoding":   "a hop-by-hop field",
	"upgrade":             "a hop-by-hop field",
	"content-length":      "it frames the message",
	"content-encoding":    "it frames the message",
	"content-type":        "it describes the body",
	"host":                "it routes the request",
	"expect":              "it changes how the request is sent",
	"authorization":       "it carries credentials",
	"cookie":              "it carries credentials",
	"set-cookie":          "it carries credentials",
	"www-authenticate":    "it is the gateway's answer",
	"cache-control":       "it is the gateway's answer",
	"retry-after":         "it is the gateway's answer",
	"location":            "it is the gateway's answer",
	"date":                "it is the gateway's answer",
	"server":              "it is the gateway's answer",
	"forwarded":           "the proxies use it to route the request",
	"via":                 "the proxies use it to route the request",
	"x-forwarded-for":     "the proxies use it to route the request",
	"x-forwarded-host":    "the proxies use it to route the request",
	"x-forwarded-proto":   "the proxies use it to route the request",
	"x-forwarded-port":    "the proxies use it to route the request",
	"x-forwarded-prefix":  "the proxies use it to route the request",
	"x-forwarded-method":  "the gateway reads it to choose the route",
	"x-forwarded-uri":     "the gateway reads it to choose the route",
	"x-original-uri":      "the gateway reads it to choose the route",
	"x-original-url":      "the gateway reads it to choose the route",
	"x-original-method":   "the gateway reads it to choose the route",
	"x-real-ip":           "the proxies use it to route the request",
}

// reservedHeader says why header may not receive a claim, or "".
func reservedHeader(header string) string {
	h := strings.ToLower(header)
	if why, ok := reservedHeaders[h]; ok {
		return why
	}
	if strings.HasPrefix(h, "x-envoy-") {
		return "Envoy reads its x-envoy-* fields (x-envoy-auth-headers-to-remove among them)"
	}
	return ""
}

// firstInvalidUTF8 returns the offset of the first byte that is not part of valid UTF-8.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
