package httpsyntax

import "bytes"

// AppendHeadValues appends the values of the lines of a raw request head ("Name: value\r\n"...)
// whose name is name, ASCII case-insensitively, with optional whitespace trimmed, in the order
// received. Adapters read a header this way when their server's parsed view may have merged or
// re-spelled lines (fasthttp's Cookie header).
func AppendHeadValues(dst [][]byte, head []byte, name string) [][]byte {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if i := bytes.IndexByte(line, ':'); i >= 0 && EqualFold(TrimOWS(line[:i]), name) {
			dst = append(dst, TrimOWS(line[i+1:]))
		}
	}
	return dst
}
