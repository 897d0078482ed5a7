package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
)

func runInspect(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("inspect")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	tok, err := io.ReadAll(io.LimitReader(stdin, maxLine+1))
	if err != nil {
		return usageError(stderr, "inspect", "reading stdin: %v", err)
	}
	if len(tok) > maxLine {
		fmt.Fprintf(stderr, "fastjwt inspect: token longer than %d bytes\n", maxLine)
		return exitInvalid
	}
	tok = bytes.TrimSuffix(tok, []byte("\n"))
	tok = bytes.TrimSuffix(tok, []byte("\r"))
	if len(tok) == 0 {
		return usageError(stderr, "inspect", "no token on standard input (fastjwt inspect < token, or echo TOKEN | fastjwt inspect)")
	}
	parts := bytes.Split(tok, []byte("."))
	if len(parts) != 3 {
		fmt.Fprintf(stderr, "fastjwt inspect: not a compact JWS: %d dot-separated segments, want 3\n", len(parts))
		return exitInvalid
	}
	var decoded [3][]byte
	for i, name := range []string{"header", "payload", "signature"} {
		b, ok := decodeSegment(parts[i])
		if !ok {
			fmt.Fprintf(stderr, "fastjwt inspect: the %s segment is not base64url\n", name)
			return exitInvalid
		}
		decoded[i] = b
	}
	fmt.Fprintln(stderr, "UNVERIFIED: signature not checked")
	var out bytes.Buffer
	out.WriteString(`{"header":`)
	writeJSONOrString(&out, decoded[0])
	out.WriteString(`,"payload":`)
	writeJSONOrString(&out, decoded[1])
	out.WriteString("}")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out.Bytes(), "", "  "); err != nil {
		return usageError(stderr, "inspect", "%v", err) // both parts are valid JSON: cannot happen
	}
	pretty.WriteByte('\n')
	if _, err := stdout.Write(pretty.Bytes()); err != nil {
		return usageError(stderr, "inspect", "%v", err)
	}
	return exitOK
}

// decodeSegment decodes unpadded base64url. The standard decoder skips CR and LF, which are not
// part of the alphabet, so they are refused first.
func decodeSegment(seg []byte) ([]byte, bool) {
	if bytes.ContainsAny(seg, "\r\n") {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(string(seg))
	return b, err == nil
}

// writeJSONOrString writes b compacted if it is JSON, else as a JSON string.
func writeJSONOrString(w *bytes.Buffer, b []byte) {
	if json.Valid(b) {
		_ = json.Compact(w, b) // valid: cannot fail
		return
	}
	s, _ := json.Marshal(string(b)) // a string always marshals
	w.Write(s)
}
