package issuing

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The claims the issuer writes, which no extra claim may name: the registered ones, "fid" (the
// family of a refresh token) and "ext" (the extra claims, carried in a refresh token for its
// successors).
var reserved = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true,
	"iat": true, "jti": true, "fid": true, "ext": true}

// newID returns 128 random bits, base64url: a token's "jti" or a family's id.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// pair is what one generation's two tokens say: everything needed to sign them again, byte for
// byte the same, for a retry inside the grace window.
type pair struct {
	subject string
	family  string
	end     time.Time // the family's End: the refresh token's "exp" is cut to it
	extra   []byte    // a JSON object: the extra claims, "{}" for none
	gen     Generation
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// appendDate appends t as a NumericDate to the nanosecond (RFC 7519 sec. 2 allows a fraction;
// fastjwt reads it exactly): "log out everywhere" compares "iat" with its epoch exactly, and a
// retried successor must carry the very times the families recorded.
func appendDate(b []byte, t time.Time) []byte {
	sec, ns := t.Unix(), t.Nanosecond()
	if ns == 0 {
		return strconv.AppendInt(b, sec, 10)
	}
	if sec < 0 {
		b = append(b, '-')
		sec, ns = -sec-1, 1e9-ns
	}
	b = strconv.AppendInt(b, sec, 10)
	frac := []byte(".000000000")
	for i := 9; i >= 1; i-- {
		frac[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := len(frac)
	for frac[n-1] == '0' {
		n--
	}
	return append(b, frac[:n]...)
}

// appendCommon appends the opening members of both kinds: iss, sub, aud, iat, exp, jti.
func (i *Issuer) appendCommon(b []byte, sub string, iat, exp time.Time, jti string) []byte {
	b = append(b, '{')
	if i.cfg.Issuer != "" {
		b = append(b, `"iss":`...)
		b = appendString(b, i.cfg.Issuer)
		b = append(b, ',')
	}
	b = append(b, `"sub":`...)
	b = appendString(b, sub)
	if i.cfg.Audience != "" {
		b = append(b, `,"aud":`...)
		b = appendString(b, i.cfg.Audience)
	}
	b = append(b, `,"iat":`...)
	b = appendDate(b, iat)
	b = append(b, `,"exp":`...)
	b = appendDate(b, exp)
	b = append(b, `,"jti":`...)
	return appendString(b, jti)
}

// accessPayload is the access token of p: the common members, then the extra claims.
func (i *Issuer) accessPayload(p *pair) []byte {
	b := i.appendCommon(make([]byte, 0, 256+len(p.extra)), p.subject, p.gen.Issued, p.gen.AccessExpires, p.gen.Access)
	if inner := p.extra[1 : len(p.extra)-1]; len(inner) > 0 {
		b = append(b, ',')
		b = append(b, inner...)
	}
	return append(b, '}')
}

// refreshExpires is the "exp" of the refresh token issued at iat in a family ending at end.
func (i *Issuer) refreshExpires(iat, end time.Time) time.Time {
	exp := iat.Add(i.cfg.RefreshTTL)
	if exp.After(end) {
		exp = end
	}
	return exp
}

// refreshPayload is the refresh token of p: the common members, "fid", and the extra claims
// under "ext" for the successors.
func (i *Issuer) refreshPayload(p *pair) []byte {
	b := i.appendCommon(make([]byte, 0, 256+len(p.extra)), p.subject, p.gen.Issued,
		i.refreshExpires(p.gen.Issued, p.end), p.gen.Refresh)
	b = append(b, `,"fid":`...)
	b = appendString(b, p.family)
	if len(p.extra) > 2 {
		b = append(b, `,"ext":`...)
		b = append(b, p.extra...)
	}
	return append(b, '}')
}

// sign signs the two tokens of p.
func (i *Issuer) sign(p *pair) (access, refresh string, err error) {
	a, err := i.cfg.Codec.AppendSignType(nil, fastjwt.TypeAccess, i.accessPayload(p))
	if err != nil {
		return "", "", err
	}
	r, err := i.cfg.RefreshCodec.AppendSignType(nil, fastjwt.TypeRefresh, i.refreshPayload(p))
	if err != nil {
		return "", "", err
	}
	return string(a), string(r), nil
}

// extraJSON encodes the extra claims of an Authenticator as one JSON object ("{}" for none),
// refusing the names the issuer writes.
func extraJSON(extra map[string]any) ([]byte, error) {
	for k := range extra {
		if reserved[k] {
			return nil, errReservedClaim
		}
	}
	if len(extra) == 0 {
		return []byte("{}"), nil
	}
	return json.Marshal(extra) // names sorted: the same claims give the same bytes
}
