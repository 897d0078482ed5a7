package httpsyntax

import "bytes"

// CountListToken counts the members of an RFC 9110 sec. 5.6.1 comma-separated list equal to tok
// under ASCII case folding, across every line of a field that may be sent as several lines (Vary:
// "Accept-Encoding" and "Cookie, Origin" on two lines is one list).
func CountListToken(lines [][]byte, tok string) int {
	n := 0
	for _, list := range lines {
		for len(list) > 0 {
			var item []byte
			item, list = cut(list, ',')
			if EqualFold(TrimOWS(item), tok) {
				n++
			}
		}
	}
	return n
}

// AppendListWithout appends the members of the list held in lines, joined by ", ", leaving out
// every member equal to tok (ASCII case-insensitively) and empty members.
func AppendListWithout(dst []byte, lines [][]byte, tok string) []byte {
	first := true
	for _, list := range lines {
		for len(list) > 0 {
			var item []byte
			item, list = cut(list, ',')
			item = TrimOWS(item)
			if len(item) == 0 || EqualFold(item, tok) {
				continue
			}
			if !first {
				dst = append(dst, ", "...)
			}
			first = false
			dst = append(dst, item...)
		}
	}
	return dst
}

// cut splits b around the first sep; rest is nil when there is none.
func cut(b []byte, sep byte) (before, rest []byte) {
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}
