package httpsyntax

// PercentByte decodes the percent-encoded octet "%XY" that starts at b[i] (RFC 3986 sec. 2.1:
// two hexadecimal digits, either case), and reports whether there is one there: the gateway's
// path rule and the cross-origin bypass patterns read escapes by this one rule.
func PercentByte(b []byte, i int) (byte, bool) {
	if i < 0 || i+2 >= len(b) || b[i] != '%' {
		return 0, false
	}
	h, ok1 := hexValue(b[i+1])
	l, ok2 := hexValue(b[i+2])
	return h<<4 | l, ok1 && ok2
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
