package fastjwt

// Registered claims (RFC 7519 sec. 4.1) are found in the same single pass that validates the
// payload as strict JSON; no map is built. Their types are checked on every sign and verify:
// exp, nbf and iat are numbers, iss, sub and jti strings, aud a string or an array of strings.

var (
	errExpType = errorf(ErrClaimType, `"exp" is not a number`)
	errNbfType = errorf(ErrClaimType, `"nbf" is not a number`)
	errIatType = errorf(ErrClaimType, `"iat" is not a number`)
	errIssType = errorf(ErrClaimType, `"iss" is not a string`)
	errSubType = errorf(ErrClaimType, `"sub" is not a string`)
	errJtiType = errorf(ErrClaimType, `"jti" is not a string`)
	errAudType = errorf(ErrClaimType, `"aud" is not a string or an array of strings`)
)

// scanPayload validates payload as exactly one JSON object and fills cl's registered claims.
func scanPayload(payload []byte, cl *Claims) error {
	s := scanner{data: payload}
	var it objectIter
	for name, ok := it.next(&s); ok; name, ok = it.next(&s) {
		var err error
		switch registeredName(name) {
		case claimExp:
			cl.exp, err = s.date(errExpType)
		case claimNbf:
			cl.nbf, err = s.date(errNbfType)
		case claimIat:
			cl.iat, err = s.date(errIatType)
		case claimIss:
			cl.iss, err = s.stringClaim(errIssType)
		case claimSub:
			cl.sub, err = s.stringClaim(errSubType)
		case claimJti:
			cl.jti, err = s.stringClaim(errJtiType)
		case claimAud:
			cl.aud, err = s.audience()
		default:
			err = s.value(1)
		}
		if err != nil {
			return err
		}
	}
	if it.err != nil {
		return it.err
	}
	if !s.atEnd() {
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

var registeredNames = [...]string{claimExp: "exp", claimNbf: "nbf", claimIat: "iat",
	claimIss: "iss", claimSub: "sub", claimJti: "jti", claimAud: "aud"}

// registeredName identifies a member name. All registered names are three bytes long, so most
// names are ruled out by length; unescaped names, the usual case, are compared in place.
func registeredName(n jsonString) claimName {
	if !n.esc {
		if len(n.raw) != 3 {
			return noClaim
		}
		switch string(n.raw) { // compiled to comparisons, no allocation
		case "exp":
			return claimExp
		case "nbf":
			return claimNbf
		case "iat":
			return claimIat
		case "iss":
			return claimIss
		case "sub":
			return claimSub
		case "jti":
			return claimJti
		case "aud":
			return claimAud
		}
		return noClaim
	}
	for i, r := range registeredNames {
		if r != "" && n.equals(r) {
			return claimName(i)
		}
	}
	return noClaim
}

func (s *scanner) date(typeErr error) (numericDate, error) {
	c := s.peek()
	if c != '-' && (c < '0' || c > '9') {
		return numericDate{}, typeErr
	}
	num, err := s.number()
	if err != nil {
		return numericDate{}, err
	}
	return parseNumericDate(num), nil
}

func (s *scanner) stringClaim(typeErr error) (jsonString, error) {
	if s.peek() != '"' {
		return jsonString{}, typeErr
	}
	return s.str()
}

// audience scans a string or an array of strings and returns its raw text.
func (s *scanner) audience() ([]byte, error) {
	start := s.pos
	switch s.peek() {
	case '"':
		_, err := s.str()
		return s.data[start:s.pos], err
	case '[':
	default:
		return nil, errAudType
	}
	s.pos++
	s.skipSpace()
	if s.peek() == ']' {
		s.pos++
		return s.data[start:s.pos], nil
	}
	for {
		s.skipSpace()
		if s.peek() != '"' {
			return nil, errAudType
		}
		if _, err := s.str(); err != nil {
			return nil, err
		}
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return s.data[start:s.pos], nil
		default:
			return nil, errJSONSyntax
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
