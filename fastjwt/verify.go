package fastjwt

import (
	"bytes"
	"time"
)

var (
	errTooLarge         = errorf(ErrTooLarge, "token exceeds the size cap")
	errSegments         = errorf(ErrMalformed, "token is not three dot-separated segments")
	errSignatureSize    = errorf(ErrSignature, "signature is not 32 bytes")
	errSignatureBase64  = errorf(ErrMalformed, "signature is not canonical base64url")
	errMAC              = errorf(ErrSignature, "MAC does not match")
	errSignatureLength  = errorf(ErrSignature, "signature is not the size of the key's signatures")
	errSignatureInvalid = errorf(ErrSignature, "signature does not verify")
	errPayloadBase64    = errorf(ErrMalformed, "payload is not canonical base64url")
	errExpired          = errorf(ErrExpired, `now is at or after "exp"`)
	errNotYetValid      = errorf(ErrNotYetValid, `now is before "nbf"`)
	errIssuerMissing    = errorf(ErrIssuer, `"iss" is missing`)
	errIssuerMismatch   = errorf(ErrIssuer, `"iss" is not the expected issuer`)
	errAudienceMissing  = errorf(ErrAudience, `"aud" is missing`)
	errAudienceMismatch = errorf(ErrAudience, `"aud" does not contain the expected audience`)
	errAudienceUnwanted = errorf(ErrAudience, `"aud" present but no audience is configured`)
	errIssuedInFuture   = errorf(ErrNotYetValid, `"iat" is in the future`)
)

// AppendVerify verifies token and appends its payload, the JSON object exactly as signed, to dst.
// On error dst is returned unchanged. With enough capacity in dst it allocates nothing for HS256,
// and nothing beyond what the standard library's verify allocates for the other algorithms.
//
// In order: the size cap; a token verified twice before, byte for byte, is answered from the
// verified-token cache (see WithVerifyCache) from here to the clock, its payload decoded from
// the presented token; exactly three segments; the
// header (see readHeader): its "alg" must be the algorithm of a key that may verify the token;
// the signature, as canonical base64url of exactly the key's signature size, checked against the
// first two segments as transmitted (an HS256 MAC in constant time); only then the payload,
// decoded and scanned once as strict JSON; and last the registered claims: exp and nbf against
// the clock with the leeway (and iat with RejectFutureIssuedAt), iss when the codec was
// configured with WithIssuer, and aud: with WithAudience it must contain that audience; without
// it, a token carrying "aud" is refused (RFC 7519 sec. 4.1.3) unless the codec was built with
// AcceptAnyAudience.
func (c *Codec) AppendVerify(dst, token []byte) ([]byte, error) {
	var cl Claims
	return c.AppendVerifyClaims(dst, token, &cl)
}

// AppendVerifyClaims is AppendVerify that also fills cl with the token's registered claims and
// the index of the key that verified it and the type its header declares (Claims.Type). cl refers
// to the payload in the returned buffer: it is valid as long as that buffer is unchanged. On
// error cl is zeroed, except that after the signature has verified (a time, issuer or audience
// error) Claims.Type still reports the type the header declares, and Claims.Alg and
// Claims.CacheHit what verified it.
func (c *Codec) AppendVerifyClaims(dst, token []byte, cl *Claims) ([]byte, error) {
	*cl = Claims{}
	if len(token) > c.cfg.maxSize {
		return dst, errTooLarge
	}
	var lk cacheLookup
	if c.cache != nil {
		var out []byte
		var d1, d2 int
		var decoded, hit bool
		if lk, out, d1, d2, decoded, hit = c.cache.get(token, dst, cl); hit {
			cl.cacheHit = true
			cl.alg = c.keys[cl.key].alg
			if decoded {
				return c.checked(out, len(dst), cl)
			}
			return c.verified(dst, token, lk, d1, d2, cl)
		}
	}
	// Exactly two dots, found with IndexByte: the split does not depend on how many segments
	// follow. The header is capped, so the first dot is looked for only that far.
	d1 := bytes.IndexByte(token[:min(len(token), maxHeaderSize+1)], '.')
	if d1 < 0 {
		if len(token) > maxHeaderSize {
			return dst, errHeaderSize
		}
		return dst, errSegments
	}
	d2 := bytes.IndexByte(token[d1+1:], '.') + d1 + 1
	if d2 == d1 || bytes.IndexByte(token[d2+1:], '.') >= 0 {
		return dst, errSegments
	}
	choice, typ, err := c.readHeader(token[:d1])
	if err != nil {
		return dst, err
	}
	var key int
	if c.hmac {
		key, err = c.checkMAC(choice, token[:d2], token[d2+1:])
	} else {
		key, err = c.checkSignature(choice, token[:d2], token[d2+1:])
	}
	if err != nil {
		return dst, err
	}

	start := len(dst)
	dst, ok := appendDecodeBase64(dst, token[d1+1:d2])
	if !ok {
		return dst, errPayloadBase64
	}
	if err := scanPayload(dst[start:], cl); err != nil {
		*cl = Claims{}
		return dst[:start], err
	}
	cl.key = key
	cl.typ = typ
	cl.alg = c.keys[key].alg
	cl.partiesOK = c.checkParties(cl) == nil
	if c.cache != nil {
		c.cache.put(lk, token, cl)
	}
	return c.checked(dst, start, cl)
}

// verified finishes the verify of a token the main cache answered (lk): its payload segment
// token[d1+1:d2] is decoded into dst, kept in the hot cache when lk says so, and its claims,
// found when it was verified in full, are checked against the clock.
func (c *Codec) verified(dst, token []byte, lk cacheLookup, d1, d2 int, cl *Claims) ([]byte, error) {
	start := len(dst)
	dst, ok := appendDecodeBase64(dst, token[d1+1:d2])
	if !ok { // cannot happen: the same bytes decoded when the token was cached
		*cl = Claims{}
		return dst, errPayloadBase64
	}
	if lk.promote {
		c.cache.hot.put(lk.h, token, dst[start:], cl)
	}
	return c.checked(dst, start, cl)
}

// checked applies the checks of every verify, cached or not, to the claims of the payload at
// dst[start:].
func (c *Codec) checked(dst []byte, start int, cl *Claims) ([]byte, error) {
	cl.payload = dst[start:]
	err := c.checkTimes(cl)
	if err == nil && !cl.partiesOK {
		err = c.checkParties(cl)
	}
	if err != nil {
		// The type stays: it was read from the header the signature covers, and it lets the
		// layers above rank a token of another purpose (401) before its audience (403).
		*cl = Claims{typ: cl.typ, alg: cl.alg, cacheHit: cl.cacheHit}
		return dst[:start], err
	}
	return dst, nil
}

// checkMAC checks the signature segment sigText of an HS256 ring's token: 43 characters of
// canonical base64url, a 32-byte MAC of input under an allowed key. It returns the key's index.
func (c *Codec) checkMAC(choice keyChoice, input, sigText []byte) (int, error) {
	if len(sigText) != base64Len(32) {
		return -1, errSignatureSize
	}
	var sig [32]byte
	if _, ok := appendDecodeBase64(sig[:0], sigText); !ok {
		return -1, errSignatureBase64
	}
	var mac [32]byte
	for i := range c.keys {
		if !choice.allows(c, i) {
			continue
		}
		c.keys[i].mac.sum(&mac, input)
		if macEqual(&mac, &sig) {
			return i, nil
		}
	}
	return -1, errMAC
}

// checkSignature checks the signature segment sigText of a token of any algorithm: canonical
// base64url of a signature of exactly the size of an allowed key's signatures (64 bytes for
// ES256 and EdDSA, the modulus size for RSA), valid for input under that key. It returns the
// key's index.
func (c *Codec) checkSignature(choice keyChoice, input, sigText []byte) (int, error) {
	if len(sigText) > base64Len(maxSigSize) {
		return -1, errSignatureLength
	}
	var buf [maxSigSize]byte
	sig, ok := appendDecodeBase64(buf[:0], sigText)
	if !ok {
		return -1, errSignatureBase64
	}
	sized := false
	for i := range c.keys {
		k := &c.keys[i]
		if !choice.allows(c, i) || len(sig) != k.size {
			continue
		}
		sized = true
		if k.verify(input, sig) {
			return i, nil
		}
	}
	if !sized {
		return -1, errSignatureLength
	}
	return -1, errSignatureInvalid
}

// checkTimes applies exp and nbf, with the leeway, to a verified payload's claims, and iat when
// the codec was built with RejectFutureIssuedAt.
func (c *Codec) checkTimes(cl *Claims) error {
	checkIat := cl.iat.ok && c.cfg.rejectFutureIat
	if !cl.exp.ok && !cl.nbf.ok && !checkIat {
		return nil
	}
	// The clock is read once and the leeway applied in Unix seconds and nanoseconds, which is
	// what time.Time.Add followed by Unix would compute, without either call.
	now := c.cfg.now()
	sec, nsec := now.Unix(), int64(now.Nanosecond())
	lsec, lnsec := int64(c.cfg.leeway/time.Second), int64(c.cfg.leeway%time.Second) // leeway >= 0
	// now < exp + leeway, written as now - leeway < exp so the claim is never rounded.
	if cl.exp.ok && unixDate(sec-lsec, nsec-lnsec).compare(cl.exp) >= 0 {
		return errExpired
	}
	if !cl.nbf.ok && !checkIat {
		return nil
	}
	late := unixDate(sec+lsec, nsec+lnsec)
	if cl.nbf.ok && late.compare(cl.nbf) < 0 {
		return errNotYetValid
	}
	// iat after now + leeway: issued in the future, by a clock that is wrong or a forger.
	if checkIat && late.compare(cl.iat) < 0 {
		return errIssuedInFuture
	}
	return nil
}

// checkParties applies the configured issuer and audience, and the RFC 7519 sec. 4.1.3 rule that a
// recipient that does not identify itself with a value of a present "aud" must reject the token
// (unless AcceptAnyAudience). Its verdict depends only on the payload and the codec, so the
// verify cache keeps it (Claims.partiesOK) with the scan.
func (c *Codec) checkParties(cl *Claims) error {
	if c.cfg.hasIssuer {
		if !cl.iss.ok {
			return errIssuerMissing
		}
		if !cl.str(cl.iss).equals(c.cfg.issuer) {
			return errIssuerMismatch
		}
	}
	if c.cfg.hasAud {
		if !cl.aud.ok {
			return errAudienceMissing
		}
		if !cl.HasAudience(c.cfg.audience) {
			return errAudienceMismatch
		}
	} else if cl.aud.ok && !c.cfg.anyAudience {
		return errAudienceUnwanted
	}
	return nil
}
