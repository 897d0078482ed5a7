package fastjwt

var (
	errSignTooLarge = errorf(ErrTooLarge, "signed token would exceed the size cap")
	errSignType     = errorf(ErrUnsupported, "the codec signs only TypeNone, TypeJWT, TypeAccess, TypeSession and TypeRefresh")
	errNoSigningKey = errorf(ErrKey, "the codec has no signing key (NewVerifier): it only verifies")
)

// AppendSign appends to dst a compact JWS (RFC 7515 sec. 7.1) of payload, signed with the ring's
// first key (with the algorithm it is bound to), and returns the extended buffer. Its header declares "typ":"JWT"; it is
// AppendSignType with TypeJWT.
//
// payload is signed byte for byte as given; it must be one JSON object that this codec would
// accept when verifying (strict UTF-8, no duplicate names, registered claims of the right types),
// so a token it signs is never one it would refuse to parse. Times are not checked: signing an
// expired token is allowed. payload must not overlap dst's spare capacity. On error dst is
// returned unchanged. With enough capacity in dst, AppendSign allocates nothing for HS256; the
// other algorithms allocate what the standard library's Sign does. A codec built by NewVerifier
// has no signing key: it returns an ErrKey error.
func (c *Codec) AppendSign(dst, payload []byte) ([]byte, error) {
	return c.AppendSignType(dst, TypeJWT, payload)
}

// AppendSignType is AppendSign for a token whose header declares the type typ (explicit typing,
// RFC 8725 sec. 3.11): {"alg":"HS256","typ":"session+jwt"} for TypeSession (with the signing
// key's algorithm as "alg"), with "kid" between the two when the signing key has an ID, and no
// "typ" member for TypeNone. The headers are precomputed when the codec is built, so the
// verifier's fast path recognises them and AppendSignType, like AppendSign, allocates nothing
// for HS256 with enough capacity in dst.
//
// TypeOther, and any value that is not one of the Type constants, is refused with ErrUnsupported:
// the codec emits only the types it can name.
func (c *Codec) AppendSignType(dst []byte, typ Type, payload []byte) ([]byte, error) {
	if typ >= TypeOther {
		return dst, errSignType
	}
	if !c.canSign {
		return dst, errNoSigningKey
	}
	var cl Claims
	if err := scanPayload(payload, &cl); err != nil {
		return dst, err
	}
	k := &c.keys[0]
	header := k.headers[typ]
	size := len(header) + 1 + base64Len(len(payload)) + 1 + base64Len(k.size)
	if size > c.cfg.maxSize {
		return dst, errSignTooLarge
	}
	start := len(dst)
	dst = append(dst, header...)
	dst = append(dst, '.')
	dst = appendBase64(dst, payload)
	d1, d2 := start+len(header), len(dst)
	if k.alg == HS256 {
		var mac [32]byte
		k.mac.sum(&mac, dst[start:])
		dst = append(dst, '.')
		dst = appendBase64(dst, mac[:])
	} else {
		var buf [maxSigSize]byte
		sig, err := k.sign(buf[:0], dst[start:])
		if err != nil {
			return dst[:start], err
		}
		dst = append(dst, '.')
		dst = appendBase64(dst, sig)
	}
	if c.cache != nil {
		// The payload was just scanned to validate it: remember the token, so that its return
		// (a session re-issued on every change comes back with the next request) is a hit.
		tok := dst[start:]
		cl.typ = typ
		cl.alg = k.alg
		cl.partiesOK = c.checkParties(&cl) == nil
		c.cache.put(c.cache.hash(tok), tok, d1-start, d2-start, payload, &cl)
	}
	return dst, nil
}
