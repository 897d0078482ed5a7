package httpsyntax

// AppendQuotedString appends s as an RFC 9110 sec. 5.6.4 quoted-string: '"' and '\' are escaped
// with a backslash, and control characters other than HTAB (which a quoted-string cannot hold)
// are left out, so a configured value can never split a header.
func AppendQuotedString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case (c < 0x20 && c != '\t') || c == 0x7f:
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
