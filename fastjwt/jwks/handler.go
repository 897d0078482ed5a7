package jwks

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// DefaultMaxAge is the Cache-Control max-age Handler serves when given 0: five minutes. It is
// how long a verifier may keep the set without asking again, so it bounds two delays: after a
// new key is published, the issuer should wait this long before signing with it (verifiers that
// do not refetch on an unknown kid would refuse its tokens until then); after a key is removed
// (compromised), verifiers may trust it this long. Five minutes keeps the second short, costs a
// verifier one small request per five minutes, and is the least refresh interval a Client of
// this package uses by default (DefaultMinRefresh), so a longer max-age would only delay both.
const DefaultMaxAge = 5 * time.Minute

// Handler returns the handler of the JWK Set of keys (RFC 7517 sec. 5): what an issuer serves at
// /.well-known/jwks.json (or the jwks_uri of its OpenID Provider metadata) for the services that
// verify its tokens. For a ring, keys is its codec's PublicKeys(); to rotate, publish the new key
// alongside the old ones for maxAge before signing with it.
//
// Every key must have an ID, its "kid", by which verifiers pick it, and an asymmetric algorithm,
// its "alg": keys without an ID, HS256 keys (their secrets are never published) and keys that
// do not fit their algorithm are refused with an error matching fastjwt.ErrKey, duplicate IDs
// too, and an empty set. maxAge is the Cache-Control max-age, in whole seconds (0:
// DefaultMaxAge; negative: refused with ErrConfig).
//
// The document is built once. The handler answers GET and HEAD with Content-Type
// application/jwk-set+json (RFC 7517 sec. 8.5.1), Cache-Control "public, max-age=N", a strong
// ETag of the document, X-Content-Type-Options nosniff, and 304 Not Modified to an
// If-None-Match that matches it (RFC 9110 sec. 13.1.2); any other method gets 405 with Allow.
func Handler(keys []fastjwt.PublicKey, maxAge time.Duration) (http.Handler, error) {
	switch {
	case maxAge < 0:
		return nil, fmt.Errorf("%w: maxAge is negative", ErrConfig)
	case maxAge == 0:
		maxAge = DefaultMaxAge
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys to publish", fastjwt.ErrKey)
	}
	for i, k := range keys {
		if k.ID == "" {
			return nil, fmt.Errorf("%w: key %d has no ID: verifiers pick a published key by its kid", fastjwt.ErrKey, i)
		}
		if k.Alg == fastjwt.HS256 {
			return nil, fmt.Errorf("%w: key %d is an HS256 secret: secrets are never published", fastjwt.ErrKey, i)
		}
	}
	doc, err := fastjwt.AppendJWKSet(nil, keys)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(doc)
	return &handler{
		doc:          doc,
		etag:         `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
		cacheControl: "public, max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10),
		length:       strconv.Itoa(len(doc)),
	}, nil
}

// handler serves one precomputed JWK Set. Its fields are never written after Handler returns;
// each response gets header slices of its own.
type handler struct {
	doc                        []byte
	etag, cacheControl, length string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr.Set("Cache-Control", h.cacheControl)
	hdr.Set("ETag", h.etag)
	if matches(r.Header.Values("If-None-Match"), h.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", "application/jwk-set+json")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Length", h.length)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(h.doc) // an error is a client gone: nothing to do
	}
}

// matches reports whether the If-None-Match field lines match etag by the weak comparison RFC
// 9110 sec. 13.1.2 prescribes for it: "*", or an entity-tag whose opaque part is etag's.
func matches(lines []string, etag string) bool {
	for _, line := range lines {
		for tag := range strings.SplitSeq(line, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}
