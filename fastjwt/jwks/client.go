package jwks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Client verifies tokens with the keys of a remote JWK Set (an identity provider's jwks_uri),
// fetched from the one URL it was built with and kept fresh in the background. It implements
// fastjwt.Verifier, so bearer.New takes it in place of a codec. It
// is safe for concurrent use; Close stops its goroutines.
//
// The key set in use is an immutable *fastjwt.Codec (fastjwt.NewVerifier of the set's keys and
// Options.CodecOptions) behind an atomic pointer: a verify loads it and verifies, with no lock
// and no allocation beyond the codec's own. A new set replaces it whole; the verified-token cache
// goes with the codec, so a token verified by a key that left the set is never answered from it.
// See the package documentation for the refresh policy.
type Client struct {
	// url is the JWK Set's URL, shown the same for messages (its password, if any, redacted).
	// For a client of an issuer (NewFromIssuer) both are empty until the discovery succeeds:
	// only fetches write them, and fetches never overlap.
	url, shown string
	// source names where the keys come from in Ready's messages: the URL, or the issuer.
	source string
	issuer *issuerURL // nil: a client of a JWK Set URL
	s      *settings

	set    atomic.Pointer[keySet]
	loaded atomic.Int64 // when the set in use was last fetched or confirmed, UnixNano
	// next is the interval the last fetch asked for before the next (for tests and metrics).
	next atomic.Int64

	fetches atomic.Uint64
	failed  atomic.Uint64

	mu         sync.Mutex
	flight     *flight   // the fetch under way, nil if none
	lastDemand time.Time // when a token with an unknown kid last started a fetch
	failures   int       // consecutive failed fetches
	lastErr    error     // of the last fetch, nil if it succeeded
	closed     bool

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// keySet is one fetched key set, immutable.
type keySet struct {
	codec *fastjwt.Codec
	kids  map[string]bool // the IDs of its keys
	sum   [32]byte        // SHA-256 of the document
	etag  string
}

// flight is one fetch; done is closed when it has finished and the client's state reflects it.
type flight struct {
	done chan struct{}
	err  error
	next time.Duration // when to refresh next
}

var (
	_ fastjwt.Verifier       = (*Client)(nil)
	_ fastjwt.LeewayReporter = (*Client)(nil)
)

// Leeway returns the clock skew the client's codecs allow on "exp" (fastjwt.WithLeeway in
// Options.CodecOptions; 0 without it), as fastjwt.Codec.Leeway does: bearer.New compares it with
// its revocation list's grace.
func (c *Client) Leeway() time.Duration { return fastjwt.LeewayOf(c.s.CodecOptions...) }

// errNoKeys is the answer to every token while no key set is loaded. A package-level value:
// answering with it allocates nothing.
var errNoKeys = fmt.Errorf("%w: no key set has been loaded from the JWKS URL yet", fastjwt.ErrUnknownKey)

// New returns a client for the JWK Set at url, an http or https URL: https, unless the network
// to the server is trusted (loopback, a private link), since the keys are only as trustworthy as
// the channel that brings them. Unless opts.Lazy, it fetches the set before returning and fails
// if it cannot (errors matching ErrFetch, after at most opts.FetchTimeout); a bad configuration
// is refused with ErrConfig. Close the client when done with it.
func New(url string, opts Options) (*Client, error) {
	u, shown, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	return startClient(u.String(), shown, nil, opts)
}

// startClient returns a client of the set at url (shown so in messages), or, with iss, of the set
// that issuer's configuration document names.
func startClient(url, shown string, iss *issuerURL, opts Options) (*Client, error) {
	s, err := opts.settings()
	if err != nil {
		return nil, err
	}
	c := &Client{url: url, shown: shown, source: shown, issuer: iss, s: s}
	if iss != nil {
		c.url, c.shown = "", ""
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	first := time.Duration(0)
	if !opts.Lazy {
		c.mu.Lock()
		f := c.startLocked()
		c.mu.Unlock()
		<-f.done
		if f.err != nil {
			c.Close()
			return nil, f.err
		}
		first = f.next
	}
	c.wg.Go(func() { c.refresh(first) })
	return c, nil
}

// AppendVerifyClaims verifies token with the key set in use, appends its payload to dst and fills
// cl, with the contract of fastjwt.Codec.AppendVerifyClaims (on error dst is returned unchanged,
// cl is zeroed, and the error matches one of fastjwt's sentinels). A token whose kid no key of
// the set has may wait for one refetch, at most Options.FetchTimeout: see the package
// documentation. While the set in use is older than Options.ExpireAfter, every token is refused
// at once with an error matching ErrSetExpired (and fastjwt.ErrKeysUnavailable).
func (c *Client) AppendVerifyClaims(dst, token []byte, cl *fastjwt.Claims) ([]byte, error) {
	ks := c.set.Load()
	if ks == nil {
		return c.refetch(dst, token, cl, nil, errNoKeys)
	}
	if c.s.now().UnixNano()-c.loaded.Load() > int64(c.s.ExpireAfter) {
		return c.expired(dst, cl)
	}
	out, err := ks.codec.AppendVerifyClaims(dst, token, cl)
	if err != nil && ks.mayBeNewKey(err, token) {
		return c.refetch(dst, token, cl, ks, err)
	}
	return out, err
}

// mayBeNewKey reports whether a token the set ks refused with err names a kid the set does not
// have, with an algorithm a remote set could bring: a token that a newer set might verify. The
// codec says ErrUnknownKey for a kid it lacks; but for a kid it lacks with an algorithm none of
// its keys has it says ErrAlgorithm, and with a set that has keys without an ID (which any kid
// may use) ErrSignature, so for those two the header is read here.
func (ks *keySet) mayBeNewKey(err error, token []byte) bool {
	if errors.Is(err, fastjwt.ErrUnknownKey) {
		return true
	}
	if !errors.Is(err, fastjwt.ErrAlgorithm) && !errors.Is(err, fastjwt.ErrSignature) {
		return false
	}
	kid, alg, ok := readKid(token)
	return ok && !ks.kids[kid] && alg != fastjwt.HS256
}

// readKid returns the "kid" and the algorithm of a token's header, if it has a "kid" and names
// an algorithm of fastjwt. Only for the refusal path: it allocates.
func readKid(token []byte) (string, fastjwt.Alg, bool) {
	seg, _, ok := bytes.Cut(token, []byte{'.'})
	if !ok || len(seg) > 4096 {
		return "", 0, false
	}
	hdr := make([]byte, base64.RawURLEncoding.DecodedLen(len(seg)))
	n, err := base64.RawURLEncoding.Decode(hdr, seg)
	if err != nil {
		return "", 0, false
	}
	var h struct {
		Alg string  `json:"alg"`
		Kid *string `json:"kid"`
	}
	if json.Unmarshal(hdr[:n], &h) != nil || h.Kid == nil {
		return "", 0, false
	}
	alg, err := fastjwt.ParseAlg(h.Alg)
	if err != nil {
		return "", 0, false
	}
	return *h.Kid, alg, true
}

// refetch is the path of a token the set ks (nil: none loaded) refused with err because it does
// not know its kid: it joins the fetch under way or starts one unless the cooldown forbids it,
// waits for it at most FetchTimeout, and verifies the token again if the set changed. Otherwise
// the answer is err, at once: the set in use is the negative cache.
func (c *Client) refetch(dst, token []byte, cl *fastjwt.Claims, ks *keySet, err error) ([]byte, error) {
	if f := c.demand(); f != nil {
		t := time.NewTimer(c.s.FetchTimeout)
		select {
		case <-f.done:
		case <-t.C:
		}
		t.Stop()
	}
	// Also when no fetch was started: one may have finished since ks was loaded.
	if now := c.set.Load(); now != ks && now != nil {
		return now.codec.AppendVerifyClaims(dst, token, cl)
	}
	*cl = fastjwt.Claims{}
	return dst, err
}

// expired is the answer to a token while the set in use is older than ExpireAfter. It starts
// a fetch unless one is under way or the cooldown forbids it, so that the set is back soon
// after the server is, but does not wait for it: the background refresh is retrying already,
// and requests should not queue behind a server that is down.
func (c *Client) expired(dst []byte, cl *fastjwt.Claims) ([]byte, error) {
	c.demand()
	*cl = fastjwt.Claims{}
	return dst, errSetExpired
}

// demand returns the fetch under way, or starts one if the last fetch a token started is at
// least Cooldown ago; nil if neither (or the client is closed).
func (c *Client) demand() *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return nil
	case c.flight != nil:
		return c.flight
	}
	now := time.Now()
	if !c.lastDemand.IsZero() && now.Sub(c.lastDemand) < c.s.Cooldown {
		return nil
	}
	c.lastDemand = now
	return c.startLocked()
}

// startLocked starts a fetch in a goroutine of its own, so that no caller's deadline cuts it
// short and those who stop waiting do not stop it. c.mu is held.
func (c *Client) startLocked() *flight {
	f := &flight{done: make(chan struct{})}
	c.flight = f
	c.wg.Go(func() { c.run(f) })
	return f
}

// run does the fetch f and records its outcome.
func (c *Client) run(f *flight) {
	next, err := c.fetch()
	if err != nil && c.s.OnError != nil {
		// Before the flight ends, so that calls never overlap.
		c.s.OnError(err)
	}
	c.mu.Lock()
	c.flight = nil
	c.lastErr = err
	if err != nil {
		c.failures++
		// Retry sooner than a refresh: after Cooldown, doubling with each failure, up to
		// MinRefresh.
		next = min(c.s.MinRefresh, c.s.Cooldown<<min(c.failures-1, 16))
	} else {
		c.failures = 0
	}
	c.mu.Unlock()
	c.next.Store(int64(next))
	f.err, f.next = err, next
	close(f.done)
}

// fetch gets the set and, if it is new and usable, puts it in use. It returns when to refresh
// next: the response's lifetime within MinRefresh and MaxRefresh.
func (c *Client) fetch() (time.Duration, error) {
	c.fetches.Add(1)
	ctx, cancel := context.WithTimeout(c.ctx, c.s.FetchTimeout)
	defer cancel()
	if c.issuer != nil && c.url == "" {
		u, shown, err := c.s.discover(ctx, *c.issuer)
		if err != nil {
			c.failed.Add(1)
			return 0, err
		}
		c.url, c.shown = u, shown
	}
	prev := c.set.Load()
	etag := ""
	if prev != nil {
		etag = prev.etag
	}
	r, err := c.s.get(ctx, c.url, c.shown, etag, jwksAccept)
	if err != nil {
		c.failed.Add(1)
		return 0, err
	}
	now := c.s.now().UnixNano()
	switch {
	case prev == nil || !r.notModified && r.sum != prev.sum:
		if err := c.install(r, now); err != nil {
			c.failed.Add(1)
			return 0, err
		}
	case r.etag != prev.etag:
		// The same document under a new ETag: keep the codec (and its cache of verified tokens).
		c.loaded.Store(now)
		c.set.Store(&keySet{codec: prev.codec, kids: prev.kids, sum: prev.sum, etag: r.etag})
	default:
		c.loaded.Store(now)
	}
	next := r.lifetime
	if next < 0 {
		next = c.s.MinRefresh
	}
	return min(max(next, c.s.MinRefresh), c.s.MaxRefresh), nil
}

// install builds the codec of a new document and puts it in use, fetched at now (UnixNano).
func (c *Client) install(r response, now int64) error {
	keys, err := c.s.parse(r.body, c.shown)
	if err != nil {
		return err
	}
	codec, err := fastjwt.NewVerifier(keys, c.s.CodecOptions...)
	if err != nil {
		return fmt.Errorf("%w: GET %s: %w", ErrFetch, c.shown, err)
	}
	ks := &keySet{codec: codec, kids: make(map[string]bool, len(keys)), sum: r.sum, etag: r.etag}
	for _, k := range keys {
		ks.kids[k.ID] = true
	}
	c.loaded.Store(now)
	c.set.Store(ks)
	return nil
}

// refresh is the background goroutine: it fetches the set after first, then after each fetch
// when that fetch says (see run), until Close.
func (c *Client) refresh(first time.Duration) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		c.mu.Lock()
		f := c.flight
		if f == nil && !c.closed {
			f = c.startLocked()
		}
		c.mu.Unlock()
		if f == nil {
			return
		}
		select {
		case <-c.ctx.Done():
			return
		case <-f.done:
		}
		t.Reset(f.next)
	}
}

// Close stops the background refresh and any fetch under way, and waits for the client's
// goroutines to return. The client keeps verifying with the key set it holds, which is no
// longer refreshed, until it is older than Options.ExpireAfter. Close is idempotent.
func (c *Client) Close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.cancel()
		c.wg.Wait()
		if c.s.own != nil {
			c.s.own.CloseIdleConnections()
		}
	})
}

// Ready returns nil when the client holds a key set fetched or confirmed (a 304 answer, or the
// same document again) at most Options.MaxStale ago, and otherwise an error matching ErrNotReady
// that says why (no set loaded yet, with the last fetch's error; a set too old; the client
// closed). It is what a gateway's readiness probe asks. A stale set is still used: the issuer's
// keys rarely change, and refusing every token because its JWKS endpoint is down would turn an
// outage of the issuer into one of every service behind the gateway. MaxStale (twice MaxRefresh by
// default) is the time after which an operator should look; ExpireAfter (72 hours by default)
// the one after which the set is no longer used, and Ready says so.
func (c *Client) Ready() error {
	c.mu.Lock()
	closed, lastErr := c.closed, c.lastErr
	c.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("%w: the client is closed", ErrNotReady)
	case c.set.Load() == nil && lastErr != nil:
		return fmt.Errorf("%w: no key set loaded from %s: %w", ErrNotReady, c.source, lastErr)
	case c.set.Load() == nil:
		return fmt.Errorf("%w: no key set loaded from %s yet", ErrNotReady, c.source)
	}
	if age := c.Age(); age > c.s.ExpireAfter {
		if lastErr != nil {
			return fmt.Errorf("%w: the key set was last fetched %v ago, more than ExpireAfter (%v): every token is refused: %w",
				ErrNotReady, age.Round(time.Second), c.s.ExpireAfter, lastErr)
		}
		return fmt.Errorf("%w: the key set was last fetched %v ago, more than ExpireAfter (%v): every token is refused",
			ErrNotReady, age.Round(time.Second), c.s.ExpireAfter)
	} else if age > c.s.MaxStale {
		if lastErr != nil {
			return fmt.Errorf("%w: the key set was last fetched %v ago (more than %v): %w", ErrNotReady,
				age.Round(time.Second), c.s.MaxStale, lastErr)
		}
		return fmt.Errorf("%w: the key set was last fetched %v ago (more than %v)", ErrNotReady,
			age.Round(time.Second), c.s.MaxStale)
	}
	return nil
}

// Age returns how long ago the key set in use was fetched or last confirmed by a fetch (a 304
// answer, or the same document again); 0 while no set is loaded (see Ready).
func (c *Client) Age() time.Duration {
	if c.set.Load() == nil {
		return 0
	}
	return c.s.now().Sub(time.Unix(0, c.loaded.Load()))
}

// Fetches returns the number of fetches the client has made, successful or not.
func (c *Client) Fetches() uint64 { return c.fetches.Load() }

// FailedFetches returns the number of fetches that failed (each reported to Options.OnError).
func (c *Client) FailedFetches() uint64 { return c.failed.Load() }

// CacheStats returns the counts of the verified-token cache of the key set in use. A new set
// comes with a new cache, whose counts start from zero.
func (c *Client) CacheStats() fastjwt.CacheStats {
	ks := c.set.Load()
	if ks == nil {
		return fastjwt.CacheStats{}
	}
	return ks.codec.CacheStats()
}
