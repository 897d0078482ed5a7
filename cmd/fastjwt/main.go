package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Exit statuses.
const (
	exitOK      = 0 // every token valid; sign and inspect succeeded
	exitInvalid = 1 // some token invalid; a payload or token refused
	exitUsage   = 2 // bad flags or key, or an I/O error
)

// maxLine bounds the memory one input token may take. A longer line is reported invalid
// (ErrTooLarge) without being buffered; it is far above any size cap a codec would use.
const maxLine = 1 << 20

const usage = `usage:
  fastjwt verify [flags]    verify tokens read from stdin, one per line
  fastjwt sign [flags]      sign the JSON object read from stdin
  fastjwt inspect           show a token's header and payload WITHOUT verifying it

verify: tokens on stdin, one per line ('\n' ends a line; nothing else is stripped, so a line
ending in "\r\n" is an invalid token). An empty last line after the final '\n' is not a token;
an empty line elsewhere is an invalid one.
  --key-file PATH     secret = the file's exact bytes (or --key TEXT: the UTF-8 text)
  --kid ID            the key's id (optional)
  --now UNIX          the clock in seconds, may be fractional, e.g. 1700000000.5
                      (at most 9 fractional digits; default: the system clock)
  --leeway DURATION   allowed clock skew for exp and nbf (default 0s)
  --iss ISSUER        expected issuer (checked when given)
  --aud AUDIENCE      expected audience (checked when given)
  --allow-short-key   accept secrets under 32 bytes
  --raw               stdin is exactly one token, byte for byte, no line splitting
prints one line of JSON per token:
  {"valid":true,"header":<decoded header JSON>,"payload":<decoded payload JSON>}
  {"valid":false,"error":"<ErrName>: <message>"}
(header and payload as in the token, with insignificant whitespace removed).
Exit status 0 if every token is valid, 1 if any is not, 2 for usage, key or I/O errors.

sign [--key-file PATH | --key TEXT] [--kid ID] [--allow-short-key]
  stdin: one JSON object (surrounding whitespace is removed; the rest is signed byte for byte);
  stdout: the token and a newline. Exit status 1 if the payload is refused: not one valid JSON
  object, a registered claim of the wrong type, or a token over the size cap (the reason goes to
  stderr); 2 for usage, key or I/O errors.

inspect
  stdin: one token (a final line break is ignored). Writes "UNVERIFIED: signature not checked"
  to stderr and {"header":...,"payload":...} to stdout; a header or payload that is not JSON is
  shown as a JSON string. Exit status 1 if the token is not three base64url segments.
`

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// run is the whole program, with its arguments and streams passed in so tests can call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "verify":
		return runVerify(args[1:], stdin, stdout, stderr)
	case "sign":
		return runSign(args[1:], stdin, stdout, stderr)
	case "inspect":
		return runInspect(args[1:], stdin, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	fmt.Fprintf(stderr, "fastjwt: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// usageError reports a usage problem of a subcommand and returns exitUsage.
func usageError(stderr io.Writer, cmd string, format string, a ...any) int {
	fmt.Fprintf(stderr, "fastjwt %s: %s\n", cmd, fmt.Sprintf(format, a...))
	return exitUsage
}

// keyFlags are the flags verify and sign share.
type keyFlags struct {
	keyFile, key, kid string
	allowShort        bool
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.keyFile, "key-file", "", "secret = the file's exact bytes")
	fs.StringVar(&k.key, "key", "", "secret = the UTF-8 text")
	fs.StringVar(&k.kid, "kid", "", "the key's id")
	fs.BoolVar(&k.allowShort, "allow-short-key", false, "accept secrets under 32 bytes")
}

// codec builds the codec for the key flags; any failure is a usage error.
func (k *keyFlags) codec(fs *flag.FlagSet, opts ...fastjwt.Option) (*fastjwt.Codec, error) {
	set := setFlags(fs)
	var secret []byte
	switch {
	case set["key-file"] && set["key"]:
		return nil, errors.New("give either --key-file or --key, not both")
	case set["key-file"]:
		b, err := os.ReadFile(k.keyFile)
		if err != nil {
			return nil, err
		}
		secret = b
	case set["key"]:
		secret = []byte(k.key)
	default:
		return nil, errors.New("missing key: give --key-file PATH or --key TEXT")
	}
	if k.allowShort {
		opts = append(opts, fastjwt.AllowShortKeys())
	}
	return fastjwt.NewHS256([]fastjwt.Key{{ID: k.kid, Secret: secret}}, opts...)
}

// setFlags returns the names of the flags given on the command line, so that an empty --iss ""
// still counts as given.
func setFlags(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

// newFlagSet returns a flag set that reports errors (and -h) on stderr with the usage text.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fastjwt "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	return fs
}

// parseFlags parses args and refuses positional arguments; ok is false after a usage error has
// been reported.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	if err := fs.Parse(args); err != nil {
		return false // the flag package has printed the error and the usage text
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}

func runVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", stderr)
	var kf keyFlags
	kf.register(fs)
	now := fs.String("now", "", "the clock in seconds since the epoch, may be fractional")
	leeway := fs.Duration("leeway", 0, "allowed clock skew")
	iss := fs.String("iss", "", "expected issuer")
	aud := fs.String("aud", "", "expected audience")
	raw := fs.Bool("raw", false, "stdin is exactly one token")
	if !parseFlags(fs, args, stderr) {
		return exitUsage
	}
	set := setFlags(fs)
	var opts []fastjwt.Option
	if set["now"] {
		t, err := parseUnix(*now)
		if err != nil {
			return usageError(stderr, "verify", "--now %q: %v", *now, err)
		}
		opts = append(opts, fastjwt.WithClock(func() time.Time { return t }))
	}
	if *leeway < 0 {
		return usageError(stderr, "verify", "--leeway %v: must not be negative", *leeway)
	}
	opts = append(opts, fastjwt.WithLeeway(*leeway))
	if set["iss"] {
		opts = append(opts, fastjwt.WithIssuer(*iss))
	}
	if set["aud"] {
		opts = append(opts, fastjwt.WithAudience(*aud))
	}
	c, err := kf.codec(fs, opts...)
	if err != nil {
		return usageError(stderr, "verify", "%v", err)
	}

	v := verifier{c: c, out: bufio.NewWriter(stdout)}
	in := bufio.NewReaderSize(stdin, 64<<10)
	if *raw {
		err = v.raw(in)
	} else {
		err = v.lines(in)
	}
	if err == nil {
		err = v.out.Flush()
	}
	if err != nil {
		return usageError(stderr, "verify", "%v", err)
	}
	if v.invalid > 0 {
		return exitInvalid
	}
	return exitOK
}

// verifier verifies tokens and writes one JSON line for each.
type verifier struct {
	c       *fastjwt.Codec
	out     *bufio.Writer
	payload []byte // reused buffer for verified payloads
	line    []byte // reused buffer for the output line
	invalid int
}

var errLineTooLarge = fmt.Errorf("%w: input line longer than %d bytes", fastjwt.ErrTooLarge, maxLine)

// lines verifies each '\n'-terminated line of in. A line longer than maxLine is discarded as it
// is read and reported as too large.
func (v *verifier) lines(in *bufio.Reader) error {
	var tok []byte
	for {
		tok = tok[:0]
		tooLarge, sawAny, eof := false, false, false
		for {
			// Before a read that may block (a pipe fed a token at a time), let the caller see
			// the results so far.
			if in.Buffered() == 0 {
				if err := v.out.Flush(); err != nil {
					return err
				}
			}
			chunk, err := in.ReadSlice('\n')
			if len(chunk) > 0 {
				sawAny = true
			}
			if !tooLarge {
				if len(tok)+len(chunk) > maxLine+1 { // +1: the '\n' is not part of the token
					tooLarge, tok = true, tok[:0]
				} else {
					tok = append(tok, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
			break
		}
		if eof && !sawAny {
			return nil // nothing after the last '\n': no further token
		}
		if tooLarge {
			if err := v.reject(errLineTooLarge); err != nil {
				return err
			}
		} else {
			if n := len(tok); n > 0 && tok[n-1] == '\n' {
				tok = tok[:n-1]
			}
			if err := v.verify(tok); err != nil {
				return err
			}
		}
		if eof {
			return nil
		}
	}
}

// raw verifies all of in as one token.
func (v *verifier) raw(in io.Reader) error {
	tok, err := io.ReadAll(io.LimitReader(in, maxLine+1))
	if err != nil {
		return err
	}
	if len(tok) > maxLine {
		if _, err := io.Copy(io.Discard, in); err != nil {
			return err
		}
		return v.reject(errLineTooLarge)
	}
	return v.verify(tok)
}

func (v *verifier) verify(tok []byte) error {
	var err error
	v.payload, err = v.c.AppendVerify(v.payload[:0], tok)
	if err != nil {
		return v.reject(err)
	}
	// The codec accepted the header, so it is canonical base64url of one JSON object. Both parts
	// are compacted, which only drops insignificant whitespace (never escapes anything), so that
	// each token gets exactly one line.
	hdr, derr := base64.RawURLEncoding.DecodeString(string(tok[:bytes.IndexByte(tok, '.')]))
	line := bytes.NewBuffer(v.line[:0])
	line.WriteString(`{"valid":true,"header":`)
	if derr == nil {
		derr = json.Compact(line, hdr)
	}
	line.WriteString(`,"payload":`)
	if derr == nil {
		derr = json.Compact(line, v.payload)
	}
	if derr != nil { // cannot happen for a token the codec verified; never print a broken line
		return v.reject(fmt.Errorf("%w: %v", fastjwt.ErrMalformed, derr))
	}
	line.WriteString("}\n")
	v.line = line.Bytes()
	_, err = v.out.Write(v.line)
	return err
}

func (v *verifier) reject(err error) error {
	v.invalid++
	name := fastjwt.ErrorName(err)
	if name == "" {
		name = "ErrInvalid"
	}
	msg, _ := json.Marshal(name + ": " + err.Error()) // a string always marshals
	line := append(v.line[:0], `{"valid":false,"error":`...)
	line = append(append(line, msg...), "}\n"...)
	v.line = line
	_, err = v.out.Write(line)
	return err
}

// parseUnix parses seconds since the epoch, written as an optional '-', decimal digits, and
// optionally '.' and one to nine more digits. It is exact: the digits are read as integers, never
// through a float, so "1700000000.5" is time.Unix(1700000000, 500000000).
func parseUnix(s string) (time.Time, error) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if !allDigits(intPart) {
		return time.Time{}, errors.New("not a number of seconds (digits, optionally '.' and up to 9 digits)")
	}
	if hasFrac && !allDigits(frac) {
		return time.Time{}, errors.New("the fraction must be one or more digits")
	}
	if len(frac) > 9 {
		return time.Time{}, errors.New("more than 9 fractional digits: the clock has nanosecond precision")
	}
	sec, err := strconv.ParseInt(intPart, 10, 64)
	// time.Unix adds about 6.2e10 seconds internally; keep far from int64's limits.
	if err != nil || sec > 1<<62 {
		return time.Time{}, errors.New("out of range")
	}
	var nsec int64
	if frac != "" {
		n, _ := strconv.ParseInt(frac, 10, 64) // at most 9 digits: fits
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func runSign(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("sign", stderr)
	var kf keyFlags
	kf.register(fs)
	if !parseFlags(fs, args, stderr) {
		return exitUsage
	}
	c, err := kf.codec(fs)
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
	tok, err := c.AppendSign(nil, payload)
	if err != nil {
		name := fastjwt.ErrorName(err)
		if name == "" {
			name = "ErrInvalid"
		}
		fmt.Fprintf(stderr, "fastjwt sign: payload refused: %s: %v\n", name, err)
		return exitInvalid
	}
	if _, err := stdout.Write(append(tok, '\n')); err != nil {
		return usageError(stderr, "sign", "%v", err)
	}
	return exitOK
}

func runInspect(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("inspect", stderr)
	if !parseFlags(fs, args, stderr) {
		return exitUsage
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
