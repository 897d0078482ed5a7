package fastjwt

var errSignTooLarge = errorf(ErrTooLarge, "signed token would exceed the size cap")

// AppendSign appends to dst a compact JWS (RFC 7515 sec. 7.1) of payload, signed with the ring's
// first key, and returns the extended buffer.
//
// payload is signed byte for byte as given; it must be one JSON object that this codec would
// accept when verifying (strict UTF-8, no duplicate names, registered claims of the right types),
// so a token it signs is never one it would refuse to parse. Times are not checked: signing an
// expired token is allowed. payload must not overlap dst's spare capacity. On error dst is
// returned unchanged. With enough capacity in dst, AppendSign allocates nothing.
func (c *Codec) AppendSign(dst, payload []byte) ([]byte, error) {
	var cl Claims
	if err := scanPayload(payload, &cl); err != nil {
		return dst, err
	}
	k := &c.keys[0]
	size := len(k.header) + 1 + base64Len(len(payload)) + 1 + base64Len(32)
	if size > c.cfg.maxSize {
		return dst, errSignTooLarge
	}
	start := len(dst)
	dst = append(dst, k.header...)
	dst = append(dst, '.')
	dst = appendBase64(dst, payload)
	var mac [32]byte
	k.mac.sum(&mac, dst[start:])
	if c.cache != nil {
		// The payload was just scanned to validate it: remember the scan for the token's return
		// (a session re-issued on every change comes back with the next request).
		cl.partiesOK = c.checkParties(&cl) == nil
		c.cache.put(&mac, &cl)
	}
	dst = append(dst, '.')
	return appendBase64(dst, mac[:]), nil
}
