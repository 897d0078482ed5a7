package fastjwt

import "bytes"

var (
	errTooLarge         = errorf(ErrTooLarge, "token exceeds the size cap")
	errSegments         = errorf(ErrMalformed, "token is not three dot-separated segments")
	errSignatureSize    = errorf(ErrSignature, "signature is not 32 bytes")
	errSignatureBase64  = errorf(ErrMalformed, "signature is not canonical base64url")
	errMAC              = errorf(ErrSignature, "MAC does not match")
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
// On error dst is returned unchanged. With enough capacity in dst it allocates nothing.
//
// In order: the size cap; exactly three segments; the header (see readHeader); the signature, as
// 43 characters of canonical base64url, checked in constant time against the MAC of the first
// two segments as transmitted; only then the payload, decoded and scanned once as strict JSON
// (a token verified before skips the scan: see WithVerifyCache); and last the registered
// claims: exp and nbf against the clock with the leeway (and iat with RejectFutureIssuedAt), iss
// when the codec was configured with WithIssuer, and aud: with WithAudience it must contain that
// audience; without it, a token carrying "aud" is refused (RFC 7519 sec. 4.1.3) unless the codec
// was built with AcceptAnyAudience.
func (c *Codec) AppendVerify(dst, token []byte) ([]byte, error) {
	var cl Claims
	return c.AppendVerifyClaims(dst, token, &cl)
}

// AppendVerifyClaims is AppendVerify that also fills cl with the token's registered claims and
// the index of the key that verified it and the type its header declares (Claims.Type). cl refers
// to the payload in the returned buffer: it is valid as long as that buffer is unchanged. On
// error cl is zeroed.
func (c *Codec) AppendVerifyClaims(dst, token []byte, cl *Claims) ([]byte, error) {
	*cl = Claims{}
	if len(token) > c.cfg.maxSize {
		return dst, errTooLarge
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
	sigText := token[d2+1:]
	if len(sigText) != base64Len(32) {
		return dst, errSignatureSize
	}
	var sig [32]byte
	if _, ok := appendDecodeBase64(sig[:0], sigText); !ok {
		return dst, errSignatureBase64
	}
	key, err := c.matchKey(choice, token[:d2], &sig)
	if err != nil {
		return dst, err
	}

	start := len(dst)
	dst, ok := appendDecodeBase64(dst, token[d1+1:d2])
	if !ok {
		return dst, errPayloadBase64
	}
	payload := dst[start:]
	if c.cache == nil || !c.cache.get(&sig, key, cl) {
		if err := scanPayload(payload, cl); err != nil {
			*cl = Claims{}
			return dst[:start], err
		}
		cl.key = key
		cl.typ = typ
		cl.partiesOK = c.checkParties(cl) == nil
		if c.cache != nil {
			c.cache.put(&sig, cl)
		}
	}
	cl.payload = payload
	// The MAC covers the header, so a cached scan is of a token with this very header; the type
	// is set from the header read above all the same, so that it never depends on the cache.
	cl.typ = typ
	err = c.checkTimes(cl)
	if err == nil && !cl.partiesOK {
		err = c.checkParties(cl)
	}
	if err != nil {
		*cl = Claims{}
		return dst[:start], err
	}
	return dst, nil
}

// matchKey returns the index of the first allowed key whose MAC of input equals sig.
func (c *Codec) matchKey(choice keyChoice, input []byte, sig *[32]byte) (int, error) {
	var mac [32]byte
	for i := range c.keys {
		if !choice.allows(c, i) {
			continue
		}
		c.keys[i].mac.sum(&mac, input)
		if macEqual(&mac, sig) {
			return i, nil
		}
	}
	return -1, errMAC
}

// checkTimes applies exp and nbf, with the leeway, to a verified payload's claims, and iat when
// the codec was built with RejectFutureIssuedAt.
func (c *Codec) checkTimes(cl *Claims) error {
	checkIat := cl.iat.ok && c.cfg.rejectFutureIat
	if !cl.exp.ok && !cl.nbf.ok && !checkIat {
		return nil
	}
	now := c.cfg.now()
	// now < exp + leeway, written as now - leeway < exp so the claim is never rounded.
	if cl.exp.ok && dateOf(now.Add(-c.cfg.leeway)).compare(cl.exp) >= 0 {
		return errExpired
	}
	if !cl.nbf.ok && !checkIat {
		return nil
	}
	late := dateOf(now.Add(c.cfg.leeway))
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
