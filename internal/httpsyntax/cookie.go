package httpsyntax

import "bytes"

// The one Cookie request header grammar, for every adapter and every concept that reads a
// cookie, so that the same bytes give the same cookies on every server stack.
//
// A Cookie header is what RFC 6265 sec. 5.4 has a user agent send: cookie-pairs separated by
// ";" (and, from the user agent, one SP). A server reads it leniently but without ambiguity:
//
//   - each line of the field is split at every ';' into pairs; the lines are taken in order;
//   - a pair is trimmed of optional whitespace (SP and HTAB) at both ends;
//   - its name is what precedes the first '=', trimmed of SP and HTAB; a pair without '=' has
//     no name and is skipped (it can never be a named cookie);
//   - its value is what follows the first '=', trimmed of SP and HTAB; a value wrapped in one
//     pair of double quotes has them removed (cookie-value of RFC 6265 sec. 4.1.1);
//   - names are compared byte for byte (cookie names are case-sensitive).
//
// Whether a value is well-formed (ValidCookieValue) is left to the caller: a malformed value
// under the right name is still a candidate, so the caller can count it and report it.

// NextCookie returns the first cookie-pair of header and the rest of the header after it. ok is
// false once header holds no more pairs.
func NextCookie(header []byte) (name, value, rest []byte, ok bool) {
	for len(header) > 0 {
		var pair []byte
		pair, header = cut(header, ';')
		pair = TrimOWS(pair)
		eq := bytes.IndexByte(pair, '=')
		if eq < 0 {
			continue
		}
		name, value = TrimOWS(pair[:eq]), TrimOWS(pair[eq+1:])
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		return name, value, header, true
	}
	return nil, nil, nil, false
}

// AppendCookieValues appends to dst the values of the cookies called name in the Cookie header
// lines, in order, and stops after max of them (max < 1 means no limit). It reports how many
// cookies of that name the lines hold in all, counted up to max+1, so a caller can tell "exactly
// max" from "more than max". The values point into lines.
func AppendCookieValues(dst [][]byte, lines [][]byte, name string, max int) ([][]byte, int) {
	n := 0
	for _, line := range lines {
		for {
			k, v, rest, ok := NextCookie(line)
			if !ok {
				break
			}
			line = rest
			if string(k) != name {
				continue
			}
			n++
			if max > 0 && n > max {
				return dst, n
			}
			dst = append(dst, v)
		}
	}
	return dst, n
}

// ValidCookieValue reports whether v (without its optional quotes) consists of cookie-octets
// only (RFC 6265 sec. 4.1.1): no control characters, whitespace, DQUOTE, comma, semicolon or
// backslash, and nothing outside US-ASCII.
func ValidCookieValue(v []byte) bool {
	for _, c := range v {
		if c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}
