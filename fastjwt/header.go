package fastjwt

import "bytes"

// The header decides nothing: the algorithm is always HS256 and keys come only from the ring.
// It is read for two things, to refuse what this codec does not implement, and to narrow the
// candidate keys by "kid".

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

// readHeader checks the encoded header segment and returns the keys that may verify the token.
func (c *Codec) readHeader(seg []byte) (keyChoice, error) {
	// Fast path: the headers this codec emits, compared as encoded bytes.
	if bytes.Equal(seg, c.plain) {
		return keyChoice{anyKey: true}, nil
	}
	if c.hasOwnKids {
		for i := range c.keys {
			if k := &c.keys[i]; k.id != "" && bytes.Equal(seg, k.header) {
				return keyChoice{index: i}, nil
			}
		}
	}
	return c.readHeaderSlow(seg)
}

// readHeaderSlow decodes and strictly parses any other header.
func (c *Codec) readHeaderSlow(seg []byte) (keyChoice, error) {
	if len(seg) > maxHeaderSize {
		return keyChoice{}, errHeaderSize
	}
	var buf [1024]byte
	hdr, ok := appendDecodeBase64(buf[:0], seg)
	if !ok {
		return keyChoice{}, errHeaderBase64
	}
	s := scanner{data: hdr}
	var it objectIter
	var alg bool
	var kid jsonString
	for name, ok := it.next(&s); ok; name, ok = it.next(&s) {
		var err error
		switch n := name; {
		case n.equals("alg"):
			err = errAlgNotHS256
			if s.peek() == '"' {
				var v jsonString
				if v, err = s.str(); err == nil {
					if !v.equals("HS256") {
						return keyChoice{}, errAlgNotHS256
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
				_, err = s.str()
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
			return keyChoice{}, err
		}
	}
	if it.err != nil {
		return keyChoice{}, it.err
	}
	if !s.atEnd() {
		return keyChoice{}, errJSONNotObject
	}
	if !alg {
		return keyChoice{}, errAlgMissing
	}
	if !kid.ok {
		return keyChoice{anyKey: true}, nil
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
		return keyChoice{}, errUnknownKeyKid
	}
	return kc, nil
}
