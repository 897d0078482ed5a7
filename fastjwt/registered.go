package fastjwt

import (
	"encoding/binary"
	"math/bits"
)

// Registered claims (RFC 7519 sec. 4.1) are found in the same single pass that validates the
// payload as strict JSON; no map is built. Their types are checked on every sign and verify:
// exp, nbf and iat are numbers within the range of a time.Time (see maxDateSeconds), iss, sub and
// jti strings, aud a string or an array of strings.

var (
	errExpType = errorf(ErrClaimType, `"exp" is not a number`)
	errNbfType = errorf(ErrClaimType, `"nbf" is not a number`)
	errIatType = errorf(ErrClaimType, `"iat" is not a number`)
	errIssType = errorf(ErrClaimType, `"iss" is not a string`)
	errSubType = errorf(ErrClaimType, `"sub" is not a string`)
	errJtiType = errorf(ErrClaimType, `"jti" is not a string`)
	errAudType = errorf(ErrClaimType, `"aud" is not a string or an array of strings`)

	errExpRange = errorf(ErrClaimType, `"exp" is out of range: no time.Time holds it`)
	errNbfRange = errorf(ErrClaimType, `"nbf" is out of range: no time.Time holds it`)
	errIatRange = errorf(ErrClaimType, `"iat" is out of range: no time.Time holds it`)
)

// scanPayload validates payload as exactly one JSON object and fills cl's registered claims.
// It is the verify path's only pass over the payload, so it walks the top level in one loop over
// a local index rather than through objectIter.
func scanPayload(d []byte, cl *Claims) error {
	cl.payload = d
	var names nameSet
	i := skipSpace(d, 0)
	if i >= len(d) || d[i] != '{' {
		return errJSONNotObject
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		i++
	} else {
		for {
			if i >= len(d) || d[i] != '"' {
				return errJSONSyntax
			}
			// A short name without escapes, the usual case, is found, fingerprinted (see
			// fingerprintOf: the name itself and its length) and recorded from one word: the
			// eight bytes after the quote hold the name and its closing quote, and nothing before
			// that quote is special (specialBytes).
			end := -1
			var fp uint64
			if i+9 <= len(d) {
				w := binary.LittleEndian.Uint64(d[i+1:])
				m := specialBytes(w)
				lane := uint(bits.TrailingZeros64(m)) &^ 7
				if m != 0 && byte(w>>lane) == '"' {
					n := int(lane >> 3)
					fp, end = w&(1<<lane-1)|uint64(n)<<56, i+2+n
					if !names.addNew(fp, i+1, i+1+n) {
						if err := names.addSlow(d, jsonString{raw: d[i+1 : i+1+n], ok: true}, i+1, fp); err != nil {
							return err
						}
					}
				}
			}
			if end < 0 {
				var code uint8
				end, code = skipString(d, i)
				if code > stringEscaped {
					return stringErrors[code]
				}
				name := jsonString{raw: d[i+1 : end-1], esc: code == stringEscaped, ok: true}
				if name.esc {
					fp = escapedFingerprint(name.raw)
				} else {
					fp = fingerprintOf(name.raw)
				}
				if err := names.addFP(d, name, i+1, fp); err != nil {
					return err
				}
			}
			var err error
			i = end
			if i >= len(d) || d[i] != ':' {
				i = skipSpace(d, i)
				if i >= len(d) || d[i] != ':' {
					return errJSONSyntax
				}
			}
			i = skipSpace(d, i+1)
			switch registeredName(fp) {
			case claimExp:
				cl.exp, i, err = scanDate(d, i, errExpType, errExpRange)
			case claimNbf:
				cl.nbf, i, err = scanDate(d, i, errNbfType, errNbfRange)
			case claimIat:
				cl.iat, i, err = scanDate(d, i, errIatType, errIatRange)
			case claimIss:
				cl.iss, i, err = scanStringClaim(d, i, errIssType)
			case claimSub:
				cl.sub, i, err = scanStringClaim(d, i, errSubType)
			case claimJti:
				cl.jti, i, err = scanStringClaim(d, i, errJtiType)
			case claimAud:
				s := scanner{data: d, pos: i}
				var esc bool
				_, esc, err = s.audience()
				cl.aud = span{start: i, end: s.pos, esc: esc, ok: true}
				i = s.pos
			default:
				switch {
				case i < len(d) && d[i] == '"':
					var code uint8
					if i, code = skipString(d, i); code > stringEscaped {
						return stringErrors[code]
					}
				case i+4 <= len(d) && binary.LittleEndian.Uint32(d[i:]) == literalTrue:
					i += 4
				default:
					i, err = skipValue(d, i, 1)
				}
			}
			if err != nil {
				return err
			}
			i = skipSpace(d, i)
			if i < len(d) && d[i] == ',' {
				i = skipSpace(d, i+1)
				continue
			}
			if i < len(d) && d[i] == '}' {
				i++
				break
			}
			return errJSONSyntax
		}
	}
	if skipSpace(d, i) != len(d) {
		return errJSONNotObject
	}
	return nil
}

// claimName identifies a registered claim; noClaim is any other member.
type claimName uint8

const (
	noClaim claimName = iota
	claimExp
	claimNbf
	claimIat
	claimIss
	claimSub
	claimJti
	claimAud
)

// literalTrue is "true" as a little-endian word.
const literalTrue = 't' | 'r'<<8 | 'u'<<16 | 'e'<<24

// registeredName identifies a member name by its fingerprint (see fingerprintOf): registered
// names are three bytes long, so their fingerprints are the names themselves.
func registeredName(fp uint64) claimName {
	const three = 3 << 56
	switch fp {
	case three | 'e' | 'x'<<8 | 'p'<<16:
		return claimExp
	case three | 'n' | 'b'<<8 | 'f'<<16:
		return claimNbf
	case three | 'i' | 'a'<<8 | 't'<<16:
		return claimIat
	case three | 'i' | 's'<<8 | 's'<<16:
		return claimIss
	case three | 's' | 'u'<<8 | 'b'<<16:
		return claimSub
	case three | 'j' | 't'<<8 | 'i'<<16:
		return claimJti
	case three | 'a' | 'u'<<8 | 'd'<<16:
		return claimAud
	}
	return noClaim
}

func scanDate(d []byte, i int, typeErr, rangeErr error) (numericDate, int, error) {
	if i >= len(d) || (d[i] != '-' && (d[i] < '0' || d[i] > '9')) {
		return numericDate{}, i, typeErr
	}
	// The usual NumericDate, whole seconds without sign, fraction or exponent, is converted as
	// it is scanned; anything else goes through the general number scan and exact conversion.
	if d[i] != '0' {
		var sec int64
		digits := d[i:min(len(d), i+18)] // 18 digits cannot overflow int64
		n := 0
		for ; n < len(digits); n++ {
			dg := digits[n] - '0'
			if dg > 9 {
				break
			}
			sec = sec*10 + int64(dg)
		}
		if j := i + n; n > 0 && (j == len(d) || (d[j] != '.' && d[j]|0x20 != 'e' && d[j]-'0' > 9)) {
			return numericDate{ok: true, sec: sec}, j, nil
		}
	}
	s := scanner{data: d, pos: i}
	num, err := s.number()
	if err != nil {
		return numericDate{}, i, err
	}
	nd, ok := parseNumericDate(num)
	if !ok {
		return numericDate{}, i, rangeErr
	}
	return nd, s.pos, nil
}

func scanStringClaim(d []byte, i int, typeErr error) (span, int, error) {
	if i >= len(d) || d[i] != '"' {
		return span{}, i, typeErr
	}
	end, code := skipString(d, i)
	if code > stringEscaped {
		return span{}, i, stringErrors[code]
	}
	return span{start: i + 1, end: end - 1, esc: code == stringEscaped, ok: true}, end, nil
}

// audience scans a string or an array of strings and returns its raw text, and whether any of
// its strings has escapes.
func (s *scanner) audience() ([]byte, bool, error) {
	start := s.pos
	switch s.peek() {
	case '"':
		v, err := s.str()
		return s.data[start:s.pos], v.esc, err
	case '[':
	default:
		return nil, false, errAudType
	}
	s.pos++
	s.skipSpace()
	if s.peek() == ']' {
		s.pos++
		return s.data[start:s.pos], false, nil
	}
	esc := false
	for {
		s.skipSpace()
		if s.peek() != '"' {
			return nil, false, errAudType
		}
		v, err := s.str()
		if err != nil {
			return nil, false, err
		}
		esc = esc || v.esc
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return s.data[start:s.pos], esc, nil
		default:
			return nil, false, errJSONSyntax
		}
	}
}

// audienceContains reports whether raw, an "aud" value validated by audience, is or contains aud.
func audienceContains(raw []byte, aud string) bool {
	s := scanner{data: raw}
	switch s.peek() {
	case '"':
		v, err := s.str()
		return err == nil && v.equals(aud)
	case '[':
		s.pos++
		for {
			s.skipSpace()
			if s.peek() != '"' {
				return false
			}
			v, err := s.str()
			if err != nil {
				return false
			}
			if v.equals(aud) {
				return true
			}
			s.skipSpace()
			if s.peek() != ',' {
				return false
			}
			s.pos++
		}
	}
	return false
}
