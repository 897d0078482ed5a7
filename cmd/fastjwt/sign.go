package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/fastjwt/session/fastjwt"
)

func runSign(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("sign")
	var kf keyFlags
	kf.register(fs)
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	c, err := kf.codec(fs, true)
	if err != nil {
		return usageError(stderr, "sign", "%v", err)
	}
	payload, err := io.ReadAll(io.LimitReader(stdin, maxLine+1))
	if err != nil {
		return usageError(stderr, "sign", "reading stdin: %v", err)
	}
	if len(payload) > maxLine {
		fmt.Fprintf(stderr, "fastjwt sign: payload: longer than %d bytes\n", maxLine)
		return exitInvalid
	}
	payload = bytes.Trim(payload, " \t\r\n") // JSON whitespace around the object
	if len(payload) == 0 {
		return usageError(stderr, "sign", `no payload on standard input: give the claims as a JSON object, e.g. echo '{"sub":"42"}' | fastjwt sign ...`)
	}
	tok, err := c.AppendSign(nil, payload)
	if err != nil {
		name := fastjwt.ErrorName(err)
		if name == "" {
			name = "ErrInvalid"
		}
		// The codec's texts speak of a token; here it is the payload that is refused.
		msg := strings.Replace(cliWording(err.Error()), "malformed token: ", "", 1)
		fmt.Fprintf(stderr, "fastjwt sign: payload refused: %s: %s\n", name, msg)
		return exitInvalid
	}
	if _, err := stdout.Write(append(tok, '\n')); err != nil {
		return usageError(stderr, "sign", "%v", err)
	}
	return exitOK
}
