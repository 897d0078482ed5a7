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
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/keyfile"
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

// topUsage is the help of the program as a whole: `fastjwt --help`, `fastjwt help`.
const topUsage = `fastjwt signs, verifies and inspects JSON Web Tokens (HS256, RS256, PS256, ES256, EdDSA)
with the strict codec of github.com/fastjwt/session/fastjwt, and verifies them for a proxy.

usage:
  fastjwt verify [flags] < tokens    verify the tokens on standard input, one per line
  fastjwt sign [flags] < payload     sign the JSON object on standard input
  fastjwt jwks --key-file PATH       print the public JWK Set of a key
  fastjwt inspect < token            show a token's header and payload WITHOUT verifying it
  fastjwt gateway [flags]            serve token verification for nginx, Caddy, Traefik, Envoy,
                                     or in front of an upstream
  fastjwt help [command]             this text, or a command's flags and details

The key of sign and verify, for HS256 (the default), exactly one of:
  --key-file PATH     the file's bytes, less one final line ending ("\n" or "\r\n");
                      --key-file-raw keeps every byte
  --key-env NAME      the value of the environment variable NAME, by the same rule
  --key TEXT          the text itself (other users may see it in the process list)
A key made with 'head -c 32 /dev/urandom | base64 > key' works as --key-file key here and in
the counter demo alike. For RS256, PS256, ES256 or EdDSA: --alg ALG --key-file PATH, a PEM
key or certificate or a JWK (a private one to sign); verify also takes --jwks PATH, a JWK Set
(or --jwks URL, an http:// or https:// URL to fetch it from).

Run 'fastjwt help <command>' (or 'fastjwt <command> --help') for a command's flags.
`

// commandHelp is the help of one command: what comes before and after its list of flags.
type commandHelp struct{ synopsis, intro, outro string }

var commands = map[string]commandHelp{
	"verify": {
		synopsis: "fastjwt verify [flags] < tokens",
		intro: `Verifies the tokens on standard input, one per line ('\n' ends a line; nothing else is
stripped, so a line ending in "\r\n" is an invalid token). An empty last line after the final
'\n' is not a token; an empty line elsewhere is an invalid one. No input at all is an error.
A line longer than 1 MiB is reported as ErrTooLarge without being held in memory.`,
		outro: `Prints one line of JSON per token:
  {"valid":true,"header":<decoded header JSON>,"payload":<decoded payload JSON>}
  {"valid":false,"error":"<ErrName>: <message>"}
(header and payload as in the token, with insignificant whitespace removed).
Exit status 0 if every token is valid, 1 if any is not, 2 for usage, key or I/O errors.`,
	},
	"sign": {
		synopsis: "fastjwt sign [flags] < payload",
		intro: `Signs the JSON object on standard input (surrounding whitespace is removed; the rest is
signed byte for byte) and prints the token and a newline.`,
		outro: `Exit status 1 if the payload is refused: not one valid JSON object, a registered claim of
the wrong type, or a token over the size cap (the reason goes to standard error); 2 for usage,
key or I/O errors.`,
	},
	"jwks": {
		synopsis: "fastjwt jwks --key-file PATH [--alg ALG] [--kid ID]",
		intro: `Prints the public JWK Set ({"keys":[...]}, RFC 7517) of a key: what an issuer publishes at
/.well-known/jwks.json for the tokens signed with the same key. The key file holds a
PEM private or public key or a certificate (then --alg is required), a private or public JWK, or
a JWK Set. Each key is written with its "kid", "use":"sig" and "alg"; private members never.`,
		outro: `Exit status 0, or 2 for usage, key or I/O errors.`,
	},
	"inspect": {
		synopsis: "fastjwt inspect < token",
		intro: `Shows a token's header and payload WITHOUT verifying it. Reads one token (a final line
break is ignored); writes "UNVERIFIED: signature not checked" to standard error and
{"header":...,"payload":...} to standard output. A header or payload that is not JSON is
shown as a JSON string.`,
		outro: `Exit status 1 if the token is not three base64url segments, 2 for usage or I/O errors.`,
	},
	"gateway": gatewayHelp,
}

// valueNames are the placeholders of flags whose usage text does not name one.
var valueNames = map[string]string{"iss": "ISSUER", "aud": "AUDIENCE"}

// printHelp writes the help of the command named by fs: synopsis, intro, the flags, outro.
func printHelp(w io.Writer, name string, fs *flag.FlagSet) {
	h := commands[name]
	fmt.Fprintf(w, "usage: %s\n\n%s\n", h.synopsis, h.intro)
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		placeholder, usage := flag.UnquoteUsage(f)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			placeholder = ""
		} else if !strings.Contains(f.Usage, "`") {
			placeholder = valueNames[f.Name]
			if placeholder == "" {
				placeholder = "VALUE"
			}
		}
		left := "--" + f.Name
		if placeholder != "" {
			left += " " + placeholder
		}
		width = max(width, len(left))
		rows = append(rows, row{left, usage})
	})
	if len(rows) > 0 {
		fmt.Fprint(w, "\nflags:\n")
		for _, r := range rows {
			usage := strings.ReplaceAll(r.usage, "\n", "\n  "+strings.Repeat(" ", width+2))
			fmt.Fprintf(w, "  %-*s  %s\n", width, r.left, usage)
		}
	}
	fmt.Fprintf(w, "\n%s\n", h.outro)
}

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// run is the whole program, with its arguments and streams passed in so tests can call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return exitUsage
	}
	switch args[0] {
	case "verify":
		return runVerify(args[1:], stdin, stdout, stderr)
	case "sign":
		return runSign(args[1:], stdin, stdout, stderr)
	case "inspect":
		return runInspect(args[1:], stdin, stdout, stderr)
	case "jwks":
		return runJWKS(args[1:], stdout, stderr)
	case "gateway":
		return runGateway(args[1:], stdout, stderr)
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, topUsage)
		return exitOK
	case "help":
		switch {
		case len(args) == 1:
			fmt.Fprint(stdout, topUsage)
			return exitOK
		case len(args) > 2:
			fmt.Fprintf(stderr, "fastjwt help: one command at most, got %d (run 'fastjwt --help')\n", len(args)-1)
			return exitUsage
		}
		if _, ok := commands[args[1]]; !ok {
			fmt.Fprintf(stderr, "fastjwt help: unknown command %q (run 'fastjwt --help' for the commands)\n", args[1])
			return exitUsage
		}
		return run([]string{args[1], "--help"}, stdin, stdout, stderr)
	}
	if strings.HasPrefix(args[0], "-") {
		name, _, _ := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		fmt.Fprintf(stderr, "fastjwt: unknown flag --%s before the command; flags go after it (run 'fastjwt --help')\n", name)
		return exitUsage
	}
	fmt.Fprintf(stderr, "fastjwt: unknown command %q (run 'fastjwt --help' for the commands)\n", args[0])
	return exitUsage
}

// usageError reports a usage problem of a subcommand and returns exitUsage.
func usageError(stderr io.Writer, cmd string, format string, a ...any) int {
	fmt.Fprintf(stderr, "fastjwt %s: %s\n", cmd, fmt.Sprintf(format, a...))
	return exitUsage
}

// keyFlags are the flags verify and sign share (and --jwks, which verify adds).
type keyFlags struct {
	keyFile, keyEnv, key, kid, alg, jwks string
	keyFileRaw, allowShort               bool
	jwksTimeout                          time.Duration // --jwks-timeout; 0: jwks.DefaultFetchTimeout
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.alg, "alg", "HS256", "the algorithm `ALG`: HS256 (a secret), RS256, PS256, ES256 or EdDSA (a key from\n--key-file); required with a PEM key, never taken from a token")
	fs.StringVar(&k.keyFile, "key-file", "", "the secret: the bytes of the file at `PATH`, less one final line ending\n(\"\\n\" or \"\\r\\n\"); a key made by 'head -c 32 /dev/urandom | base64 > key' is its text.\nWith --alg RS256, PS256, ES256 or EdDSA: a PEM key (or certificate) or a JWK (Set)")
	fs.BoolVar(&k.keyFileRaw, "key-file-raw", false, "with --key-file: every byte of the file is the secret, a final line ending\nincluded (binary keys)")
	fs.StringVar(&k.keyEnv, "key-env", "", "the secret: the value of the environment variable `NAME`, less one final line\nending (keeps the secret out of the process list)")
	fs.StringVar(&k.key, "key", "", "the secret: `TEXT` itself (other users may see it in the process list)")
	fs.StringVar(&k.kid, "kid", "", "the key's `ID` (optional)")
	fs.BoolVar(&k.allowShort, "allow-short-key", false, "accept a secret under 32 bytes (one token is enough to brute-force it)")
}

// codec builds the codec for the key flags: for a public or private key (see keys.go) or for an
// HS256 secret. Its errors name the flags, never the codec's Go options.
func (k *keyFlags) codec(fs *flag.FlagSet, signing bool, opts ...fastjwt.Option) (*fastjwt.Codec, error) {
	if c, ok, err := k.asymmetricCodec(fs, signing, opts); ok {
		return c, err
	}
	set := setFlags(fs)
	given := 0
	for _, name := range []string{"key-file", "key-env", "key"} {
		if set[name] {
			given++
		}
	}
	switch {
	case given == 0 && fs.Lookup("jwks") != nil:
		return nil, errors.New("missing key: give --key-file PATH, --key-env NAME, --key TEXT or --jwks PATH")
	case given == 0:
		return nil, errors.New("missing key: give --key-file PATH, --key-env NAME or --key TEXT")
	case given > 1:
		return nil, errors.New("give only one of --key-file, --key-env and --key")
	case set["key-file-raw"] && !set["key-file"]:
		return nil, errors.New("--key-file-raw applies to --key-file only")
	}
	var secret []byte
	var source string // the flag the secret came from, for messages
	var err error
	switch {
	case set["key-file"]:
		source = "--key-file"
		switch {
		case k.keyFile == "":
			err = errors.New("needs the path of a file")
		case k.keyFileRaw:
			secret, err = keyfile.ReadRaw(k.keyFile)
		default:
			secret, err = keyfile.Read(k.keyFile)
		}
	case set["key-env"]:
		source = "--key-env"
		if k.keyEnv == "" {
			err = errors.New("needs the name of an environment variable")
		} else {
			secret, err = keyfile.FromEnv(k.keyEnv)
		}
	default:
		source = "--key"
		secret = []byte(k.key)
		if len(secret) == 0 {
			err = errors.New("the key is empty")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if !utf8.ValidString(k.kid) {
		return nil, errors.New("--kid: not valid UTF-8")
	}
	if len(secret) < fastjwt.MinSecretSize && !k.allowShort {
		return nil, fmt.Errorf("%s: the key has %d bytes, at least %d are needed: use a longer secret "+
			"(head -c 32 /dev/urandom | base64 > key), or --allow-short-key to accept this one",
			source, len(secret), fastjwt.MinSecretSize)
	}
	if k.allowShort {
		opts = append(opts, fastjwt.AllowShortKeys())
	}
	c, err := fastjwt.NewHS256([]fastjwt.Key{{ID: k.kid, Secret: secret}}, opts...)
	if err != nil {
		msg := cliWording(err.Error())
		if strings.Contains(msg, "asymmetric key material") {
			msg += " (for a public or private key, give --alg RS256, PS256, ES256 or EdDSA and --key-file)"
		}
		return nil, fmt.Errorf("%s: %s", source, msg)
	}
	return c, nil
}

// goOptions maps the codec's Go option names, which its error texts may mention, to the flags
// that set them here.
var goOptions = strings.NewReplacer(
	"AllowShortKeys", "--allow-short-key",
	"WithAudience", "--aud",
	"WithIssuer", "--iss",
	"WithLeeway", "--leeway",
	"WithClock", "--now",
	"AcceptAnyAudience", "--accept-any-audience",
	"RejectFutureIssuedAt", "--reject-future-iat",
	"RejectFutureIAT", "--reject-future-iat",
	"RejectFutureIat", "--reject-future-iat",
)

// cliWording rewrites an error text of the codec for the command line: Go option names become
// the flags that set them.
func cliWording(msg string) string { return goOptions.Replace(msg) }

// setFlags returns the names of the flags given on the command line, so that an empty --iss ""
// still counts as given.
func setFlags(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

// newFlagSet returns the flag set of a command. The flag package prints nothing: parseFlags
// reports errors in the command line's own words, and help on standard output.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args and refuses positional arguments. With -h or --help it prints the
// command's help on stdout. ok is false when the command is to return code at once: 0 after
// help, exitUsage after a usage error has been reported.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	name := fs.Name()
	err := fs.Parse(args)
	if err == flag.ErrHelp {
		printHelp(stdout, name, fs)
		return exitOK, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "fastjwt %s: %s (run 'fastjwt %s --help' for the flags)\n", name, flagError(err), name)
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fastjwt %s: unexpected argument %q: input is read from standard input (run 'fastjwt %s --help')\n", name, fs.Arg(0), name)
		return exitUsage, false
	}
	return 0, true
}

// The errors of the flag package, whose texts are stable: parseFlags rewrites them.
var (
	reUndefined  = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reNeedsValue = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	reInvalid    = regexp.MustCompile(`^invalid (boolean )?value (".*") for (?:flag )?-+([^:]*): (.*)$`)
)

// flagError says which flag is wrong and why.
func flagError(err error) string {
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		return "unknown flag --" + m[1]
	}
	if m := reNeedsValue.FindStringSubmatch(msg); m != nil {
		return "--" + m[1] + " needs a value"
	}
	if m := reInvalid.FindStringSubmatch(msg); m != nil {
		boolean, value, name, why := m[1] != "", m[2], m[3], m[4]
		switch {
		case boolean:
			why = "is not true or false (the flag alone means true)"
		case why == "parse error" || why == "value out of range":
			why = "is not a valid value"
		}
		return "--" + name + ": " + value + " " + why
	}
	return msg
}

// durationFlag is a flag.Value for a duration that must not be negative.
type durationFlag struct{ d *time.Duration }

func (v durationFlag) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

func (v durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("is not a duration (e.g. 30s, 2m)")
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*v.d = d
	return nil
}

// unixFlag is a flag.Value for a time given as seconds since the epoch (see parseUnix).
type unixFlag struct{ t *time.Time }

func (v unixFlag) String() string { return "" }

func (v unixFlag) Set(s string) error {
	t, err := parseUnix(s)
	if err != nil {
		return err
	}
	*v.t = t
	return nil
}

func runVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify")
	var kf keyFlags
	kf.register(fs)
	var now time.Time
	fs.Var(unixFlag{&now}, "now", "the clock: `UNIX` seconds since the epoch, may be fractional, e.g. 1700000000.5\n(at most 9 fractional digits; default: the system clock)")
	var leeway time.Duration
	fs.Var(durationFlag{&leeway}, "leeway", "allowed clock skew for exp and nbf, a `DURATION` such as 30s (default 0s)")
	iss := fs.String("iss", "", "expected issuer")
	aud := fs.String("aud", "", "expected audience")
	anyAud := fs.Bool("accept-any-audience", false, "without --aud, accept tokens carrying \"aud\" (by default refused,\nRFC 7519 sec. 4.1.3); whoever uses the payload checks aud")
	futureIat := fs.Bool("reject-future-iat", false, "refuse a token whose \"iat\" is after now plus the leeway")
	raw := fs.Bool("raw", false, "stdin is exactly one token")
	fs.StringVar(&kf.jwks, "jwks", "", "the keys: the JWK Set in the file at `PATH`, or fetched once from an\nhttp:// or https:// URL; chosen by the token's \"kid\", each with its \"alg\"\n(or the one its key type implies)")
	fs.Var(durationFlag{&kf.jwksTimeout}, "jwks-timeout", "with --jwks URL: the longest the fetch may take, a `DURATION` (default 5s)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := setFlags(fs)
	var opts []fastjwt.Option
	if set["now"] {
		opts = append(opts, fastjwt.WithClock(func() time.Time { return now }))
	}
	opts = append(opts, fastjwt.WithLeeway(leeway))
	if set["iss"] {
		opts = append(opts, fastjwt.WithIssuer(*iss))
	}
	if set["aud"] {
		opts = append(opts, fastjwt.WithAudience(*aud))
	}
	if *anyAud {
		opts = append(opts, fastjwt.AcceptAnyAudience())
	}
	if *futureIat {
		opts = append(opts, fastjwt.RejectFutureIssuedAt())
	}
	c, err := kf.codec(fs, false, opts...)
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
	if v.tokens == 0 {
		return usageError(stderr, "verify", "no token on standard input")
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
	tokens  int    // tokens read
	invalid int    // tokens refused
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
		v.tokens++
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
		v.tokens++
		return v.reject(errLineTooLarge)
	}
	if len(tok) == 0 {
		return nil // no input: no token
	}
	v.tokens++
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
	msg, _ := json.Marshal(name + ": " + cliWording(err.Error())) // a string always marshals
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
		return time.Time{}, errors.New("is not a number of seconds (digits, optionally '.' and up to 9 more digits)")
	}
	if hasFrac && !allDigits(frac) {
		return time.Time{}, errors.New("is not a number of seconds (digits, optionally '.' and up to 9 more digits)")
	}
	if len(frac) > 9 {
		return time.Time{}, errors.New("has more than 9 fractional digits (the clock has nanosecond precision)")
	}
	sec, err := strconv.ParseInt(intPart, 10, 64)
	// time.Unix adds about 6.2e10 seconds internally; keep far from int64's limits.
	if err != nil || sec > 1<<62 {
		return time.Time{}, errors.New("is out of range")
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
	tok, err := c.AppendSign(nil, payload)
	if err != nil {
		name := fastjwt.ErrorName(err)
		if name == "" {
			name = "ErrInvalid"
		}
		fmt.Fprintf(stderr, "fastjwt sign: payload refused: %s: %s\n", name, cliWording(err.Error()))
		return exitInvalid
	}
	if _, err := stdout.Write(append(tok, '\n')); err != nil {
		return usageError(stderr, "sign", "%v", err)
	}
	return exitOK
}

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
