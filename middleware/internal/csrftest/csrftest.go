// Package csrftest holds the cross-origin cases both adapters are tested with. The cases are
// those of the Go standard library's net/http/csrf_test.go (Copyright 2025 The Go Authors,
// BSD-style license, see the Go distribution's LICENSE file), with cases for duplicate header
// lines, the spelling of header names, and odd paths added.
package csrftest

// Trusted and Bypass configure the Protection of every case, as the standard library's tests
// configure theirs.
var (
	Trusted = []string{"https://trusted.example"}
	Bypass  = []string{
		"/bypass/", "/only/{foo}", "/no-trailing", "/yes-trailing/",
		"PUT /put-only/", "GET /get-only/", "POST /post-only/",
	}
)

// Case is one request, sent with Host example.com, and the status it must get (200 or 403).
type Case struct {
	Name, Method, Path string
	Headers            []string // "Name: value" lines, in order
	Status             int
}

// Cases returns the table.
func Cases() []Case {
	var cs []Case
	add := func(name, method, path string, status int, headers ...string) {
		cs = append(cs, Case{name, method, path, headers, status})
	}
	// TestCrossOriginProtectionSecFetchSite.
	add("same-origin allowed", "POST", "/", 200, "Sec-Fetch-Site: same-origin")
	add("none allowed", "POST", "/", 200, "Sec-Fetch-Site: none")
	add("cross-site blocked", "POST", "/", 403, "Sec-Fetch-Site: cross-site")
	add("same-site blocked", "POST", "/", 403, "Sec-Fetch-Site: same-site")
	add("no header with no origin", "POST", "/", 200)
	add("no header with matching origin", "POST", "/", 200, "Origin: https://example.com")
	add("no header with mismatched origin", "POST", "/", 403, "Origin: https://attacker.example")
	add("no header with null origin", "POST", "/", 403, "Origin: null")
	add("GET allowed", "GET", "/", 200, "Sec-Fetch-Site: cross-site")
	add("HEAD allowed", "HEAD", "/", 200, "Sec-Fetch-Site: cross-site")
	add("OPTIONS allowed", "OPTIONS", "/", 200, "Sec-Fetch-Site: cross-site")
	add("PUT blocked", "PUT", "/", 403, "Sec-Fetch-Site: cross-site")
	// TestCrossOriginProtectionTrustedOriginBypass.
	add("trusted origin without sec-fetch-site", "POST", "/", 200, "Origin: https://trusted.example")
	add("trusted origin with cross-site", "POST", "/", 200, "Origin: https://trusted.example", "Sec-Fetch-Site: cross-site")
	add("untrusted origin without sec-fetch-site", "POST", "/", 403, "Origin: https://attacker.example")
	add("untrusted origin with cross-site", "POST", "/", 403, "Origin: https://attacker.example", "Sec-Fetch-Site: cross-site")
	// TestCrossOriginProtectionPatternBypass (Origin https://attacker.example on each).
	bp := func(name, path, site string, status int) {
		h := []string{"Origin: https://attacker.example"}
		if site != "" {
			h = append(h, "Sec-Fetch-Site: "+site)
		}
		add(name, "POST", path, status, h...)
	}
	bp("bypass path without sec-fetch-site", "/bypass/", "", 200)
	bp("bypass path with cross-site", "/bypass/", "cross-site", 200)
	bp("non-bypass path without sec-fetch-site", "/api/", "", 403)
	bp("non-bypass path with cross-site", "/api/", "cross-site", 403)
	bp("redirect to bypass path without ..", "/foo/../bypass/bar", "", 403)
	bp("redirect to bypass path with trailing slash", "/bypass", "", 403)
	bp("redirect to non-bypass path with ..", "/foo/../api/bar", "", 403)
	bp("redirect to non-bypass path with trailing slash", "/api", "", 403)
	bp("wildcard bypass", "/only/123", "", 200)
	bp("non-wildcard", "/only/123/foo", "", 403)
	bp("no trailing slash exact match", "/no-trailing", "", 200)
	bp("no trailing slash with slash", "/no-trailing/", "", 403)
	bp("yes trailing slash exact match", "/yes-trailing/", "", 200)
	bp("yes trailing slash without slash", "/yes-trailing", "", 403)
	bp("method-specific hit", "/post-only/", "", 200)
	add("method-specific miss (PUT)", "POST", "/put-only/", 403, "Origin: https://attacker.example")
	add("method-specific miss (GET)", "POST", "/get-only/", 403, "Origin: https://attacker.example")
	// Added: more paths to the bypass patterns.
	bp("bypass subtree", "/bypass/a/b", "cross-site", 200)
	bp("bypass with query", "/bypass/?a=b", "cross-site", 200)
	bp("bypass percent-encoded literal", "/by%70ass/x", "cross-site", 200)
	bp("bypass doubled slash", "/bypass//x", "cross-site", 403)
	bp("bypass dot segment", "/bypass/./x", "cross-site", 403)
	bp("wildcard trailing slash", "/only/", "cross-site", 403)
	add("put-only by PUT", "PUT", "/put-only/x", 200, "Sec-Fetch-Site: cross-site")
	// Added: duplicate lines (the first counts, as Header.Get) and the spelling of names.
	add("duplicate sec-fetch-site, cross-site first", "POST", "/", 403, "Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-origin")
	add("duplicate sec-fetch-site, same-origin first", "POST", "/", 200, "Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: cross-site")
	add("duplicate sec-fetch-site, two spellings", "POST", "/", 403, "sec-fetch-site: cross-site", "Sec-Fetch-Site: same-origin")
	add("duplicate origin, attacker first", "POST", "/", 403, "Origin: https://attacker.example", "Origin: https://example.com")
	add("duplicate origin, matching first", "POST", "/", 200, "Origin: https://example.com", "Origin: https://attacker.example")
	add("duplicate origin, two spellings", "POST", "/", 403, "oRIGIN: https://attacker.example", "Origin: https://example.com")
	add("lower-case sec-fetch-site", "POST", "/", 403, "sec-fetch-site: cross-site")
	add("upper-case SEC-FETCH-SITE", "POST", "/", 200, "SEC-FETCH-SITE: same-origin")
	add("lower-case origin", "POST", "/", 403, "origin: https://attacker.example")
	add("sec-fetch-site value case", "POST", "/", 403, "Sec-Fetch-Site: Same-Origin")
	add("empty sec-fetch-site, attacker origin", "POST", "/", 403, "Sec-Fetch-Site:", "Origin: https://attacker.example")
	add("whitespace around value", "POST", "/", 200, "Sec-Fetch-Site:   same-origin  ")
	add("origin with other port", "POST", "/", 403, "Origin: https://example.com:8443")
	add("origin host case", "POST", "/", 403, "Origin: https://EXAMPLE.com")
	add("origin with user info", "POST", "/", 200, "Origin: https://u@example.com")
	add("origin with path", "POST", "/", 200, "Origin: https://example.com/x")
	add("origin without scheme", "POST", "/", 200, "Origin: //example.com")
	add("trusted origin with trailing slash", "POST", "/", 403, "Origin: https://trusted.example/", "Sec-Fetch-Site: cross-site")
	add("lower-case method", "post", "/", 403, "Sec-Fetch-Site: cross-site")
	// Added: an absolute-form target, whose authority is the Host net/http compares with.
	add("absolute form, origin of the target", "POST", "http://other.example/x", 200, "Origin: https://other.example")
	add("absolute form, origin of the Host header", "POST", "http://other.example/x", 403, "Origin: https://example.com")
	add("absolute form, bypass path", "POST", "http://other.example/bypass/x", 200, "Sec-Fetch-Site: cross-site")
	add("DELETE blocked", "DELETE", "/", 403, "Origin: https://attacker.example")
	return cs
}
