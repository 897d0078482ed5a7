package fastjwt

import "bytes"

// The header decides nothing: the algorithm is always HS256 and keys come only from the ring.
// It is read for three things: to refuse what this codec does not implement, to narrow the
// candidate keys by "kid", and to report the token's declared type ("typ", see typ.go), which the
// layers above use to accept a token only for the purpose it was issued for.

// maxHeaderSize caps the encoded header segment. The headers HS256 tokens carry are well under
// 200 bytes; the cap keeps the work done on an unauthenticated header small and constant.
const maxHeaderSize = 4096

var (
	errHeaderSize    = errorf(ErrMalformed, "header larger than 4096 bytes")
	errHeaderBase64  = errorf(ErrMalformed, "header is not canonical base64url")
	errAlgMissing    = errorf(ErrAlgorithm, `header has no "alg"`)
	errAlgNotHS256   = errorf(ErrAlgorithm, `"alg" is not "HS256"`)
	errKidType       = errorf(ErrMalformed, `"kid" is not a string`)
	errTypType       = errorf(ErrMalformed, `"typ" is not a string`)
	errCrit          = errorf(ErrUnsupported, `"crit" header parameter`)
	errEnc           = errorf(ErrUnsupported, `"enc" header parameter: not a JWS`)
	errB64           = errorf(ErrUnsupported, `"b64" header parameter other than true (RFC 7797)`)
	errUnknownKeyKid = errorf(ErrUnknownKey, `no key has the token's "kid"`)
)

// keyChoice says which keys of the ring may have signed a token: with no kid, any; with a kid,
// the key with that ID (index, or -1 if none has it) and the keys without an ID.
type keyChoice struct {
	anyKey bool
	index  int
}

func (kc keyChoice) allows(c *Codec, i int) bool {
	return kc.anyKey || i == kc.index || c.keys[i].id == ""
}

// readHeader checks the encoded header segment and returns the keys that may verify the token
// and the type its "typ" declares.
func (c *Codec) readHeader(seg []byte) (keyChoice, Type, error) {
	if kc, typ, ok := c.ownHeader(seg); ok {
		return kc, typ, nil
	}
	return c.readHeaderSlow(seg)
}

// ownHeader is the fast path: it recognises the headers this codec emits (precomputed for each
// key and each type it signs) by comparing encoded bytes, the one AppendSign emits (and most
// libraries too) first.
func (c *Codec) ownHeader(seg []byte) (keyChoice, Type, bool) {
	if bytes.Equal(seg, c.plain[TypeJWT]) {
		return keyChoice{anyKey: true}, TypeJWT, true
	}
	for t := range c.plain {
		if Type(t) != TypeJWT && bytes.Equal(seg, c.plain[t]) {
			return keyChoice{anyKey: true}, Type(t), true
		}
	}
	if c.hasOwnKids {
		for i := range c.keys {
			k := &c.keys[i]
			if k.id == "" {
				continue
			}
			for t := range k.headers {
				if bytes.Equal(seg, k.headers[t]) {
					return keyChoice{index: i}, Type(t), true
				}
			}
		}
	}
	return keyChoice{}, 0, false
}

// readHeaderSlow decodes and strictly parses any other header.
func (c *Codec) readHeaderSlow(seg []byte) (keyChoice, Type, error) {
	if len(seg) > maxHeaderSize {
		return keyChoice{}, 0, errHeaderSize
	}
	var buf [1024]byte
	hdr, ok := appendDecodeBase64(buf[:0], seg)
	if !ok {
		return keyChoice{}, 0, errHeaderBase64
	}
	s := scanner{data: hdr}
	var it objectIter
	var alg bool
	var kid jsonString
	typ := TypeNone
	for name, ok := it.next(&s); ok; name, ok = it.next(&s) {
		var err error
		switch n := name; {
		case n.equals("alg"):
			err = errAlgNotHS256
			if s.peek() == '"' {
				var v jsonString
				if v, err = s.str(); err == nil {
					if !v.equals("HS256") {
						return keyChoice{}, 0, errAlgNotHS256
					}
					alg = true
				}
			}
		case n.equals("kid"):
			err = errKidType
			if s.peek() == '"' {
				kid, err = s.str()
			}
		case n.equals("typ"):
			err = errTypType
			if s.peek() == '"' {
				var v jsonString
				if v, err = s.str(); err == nil {
					typ = typeOf(v)
				}
			}
		case n.equals("crit"):
			err = errCrit
		case n.equals("enc"):
			err = errEnc
		case n.equals("b64"):
			err = errB64
			if s.literal("true") == nil {
				err = nil
			}
		default:
			err = s.value(1)
		}
		if err != nil {
			return keyChoice{}, 0, err
		}
	}
	if it.err != nil {
		return keyChoice{}, 0, it.err
	}
	if !s.atEnd() {
		return keyChoice{}, 0, errJSONNotObject
	}
	if !alg {
		return keyChoice{}, 0, errAlgMissing
	}
	if !kid.ok {
		return keyChoice{anyKey: true}, typ, nil
	}
	kc := keyChoice{index: -1}
	usable := false
	for i := range c.keys {
		switch {
		case c.keys[i].id == "":
			usable = true
		case kid.equals(c.keys[i].id):
			kc.index, usable = i, true
		}
	}
	if !usable {
		return keyChoice{}, 0, errUnknownKeyKid
	}
	return kc, typ, nil
}
