package fastjwt

import "bytes"

// The header decides nothing: the algorithm of each key is fixed when the ring is built, and keys
// come only from the ring. It is read for four things: to refuse what this codec does not
// implement, to check that its "alg" is the algorithm of a key that may verify the token (RFC
// 8725 sec. 3.1: "alg" is never trusted to pick one), to narrow the candidate keys by "kid", and
// to report the token's declared type ("typ", see typ.go), which the layers above use to accept a
// token only for the purpose it was issued for. "jwk", "jku", "x5u" and "x5c" are never used: a
// key a token brings along proves nothing.

// maxHeaderSize caps the encoded header segment. The headers tokens carry are well under 200
// bytes; the cap keeps the work done on an unauthenticated header small and constant.
const maxHeaderSize = 4096

var (
	errHeaderSize    = errorf(ErrMalformed, "header larger than 4096 bytes")
	errHeaderBase64  = errorf(ErrMalformed, "header is not canonical base64url")
	errAlgMissing    = errorf(ErrAlgorithm, `header has no "alg"`)
	errAlgNotHS256   = errorf(ErrAlgorithm, `"alg" is not "HS256"`)
	errAlgNotRing    = errorf(ErrAlgorithm, `"alg" is not the algorithm of any key of the codec`)
	errAlgNotKid     = errorf(ErrAlgorithm, `"alg" is not the algorithm of the key "kid" names`)
	errKidType       = errorf(ErrMalformed, `"kid" is not a string`)
	errTypType       = errorf(ErrMalformed, `"typ" is not a string`)
	errCrit          = errorf(ErrUnsupported, `"crit" header parameter`)
	errEnc           = errorf(ErrUnsupported, `"enc" header parameter: not a JWS`)
	errB64           = errorf(ErrUnsupported, `"b64" header parameter other than true (RFC 7797)`)
	errUnknownKeyKid = errorf(ErrUnknownKey, `no key has the token's "kid"`)
)

// keyChoice says which keys of the ring may have signed a token: keys of the algorithm alg, and
// of those, with no kid, any; with a kid, the key with that ID (index, or -1 if none has it) and
// the keys without an ID.
type keyChoice struct {
	alg    Alg
	anyKey bool
	index  int
}

func (kc keyChoice) allows(c *Codec, i int) bool {
	k := &c.keys[i]
	return k.alg == kc.alg && (kc.anyKey || i == kc.index || k.id == "")
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
// libraries too) first. Each precomputed header names its key's algorithm, so a match is a
// header whose "alg" is right.
func (c *Codec) ownHeader(seg []byte) (keyChoice, Type, bool) {
	for i := range c.plain {
		p := &c.plain[i]
		if bytes.Equal(seg, p.enc[TypeJWT]) {
			return keyChoice{alg: p.alg, anyKey: true}, TypeJWT, true
		}
		for t := range p.enc {
			if Type(t) != TypeJWT && bytes.Equal(seg, p.enc[t]) {
				return keyChoice{alg: p.alg, anyKey: true}, Type(t), true
			}
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
					return keyChoice{alg: k.alg, index: i}, Type(t), true
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
	var alg Alg
	var kid jsonString
	typ := TypeNone
	for name, ok := it.next(&s); ok; name, ok = it.next(&s) {
		var err error
		switch n := name; {
		case n.equals("alg"):
			err = c.errAlg()
			if s.peek() == '"' {
				var v jsonString
				if v, err = s.str(); err == nil {
					if alg = c.algNamed(v); alg == 0 {
						return keyChoice{}, 0, c.errAlg()
					}
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
	if alg == 0 {
		return keyChoice{}, 0, errAlgMissing
	}
	if !kid.ok {
		return keyChoice{alg: alg, anyKey: true}, typ, nil
	}
	kc := keyChoice{alg: alg, index: -1}
	usable := false
	for i := range c.keys {
		k := &c.keys[i]
		switch {
		case k.id == "":
			usable = usable || k.alg == alg
		case kid.equals(k.id):
			if k.alg != alg {
				// The key the token names is of another algorithm: the header contradicts the
				// ring, which is never resolved in the header's favour.
				return keyChoice{}, 0, errAlgNotKid
			}
			kc.index, usable = i, true
		}
	}
	if !usable {
		return keyChoice{}, 0, errUnknownKeyKid
	}
	return kc, typ, nil
}

// algNamed returns the algorithm of the ring that the "alg" value v names exactly (after
// unescaping), or 0 if it names none of them.
func (c *Codec) algNamed(v jsonString) Alg {
	for i := range c.plain {
		if v.equals(algNames[c.plain[i].alg]) {
			return c.plain[i].alg
		}
	}
	return 0
}

// errAlg is the error for an "alg" that names no algorithm of the ring.
func (c *Codec) errAlg() error {
	if c.hmac {
		return errAlgNotHS256
	}
	return errAlgNotRing
}
