package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
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
  fastjwt keygen [--alg ALG]         make an HS256 secret, or a key pair for --alg
  fastjwt inspect < token            show a token's header and payload WITHOUT verifying it
  fastjwt gateway [flags]            serve token verification for nginx, Caddy, Traefik, Envoy,
                                     or in front of an upstream
  fastjwt recover --redis HOST:PORT --max-age DURATION
                                     re-arm the revocation list after Redis lost its data
  fastjwt help [command]             this text, or a command's flags and details
  fastjwt --version                  the versions of the command, the library and Go

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
key or I/O errors, and for no payload at all.`,
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
		outro: `Exit status 1 if the token is not three base64url segments, 2 for usage or I/O errors
and for no token at all.`,
	},
	"keygen": {
		synopsis: "fastjwt keygen [--alg ALG] [--out PATH] [--bits N]",
		intro: `Makes a new key, in the forms the other commands read: for HS256 (the default) a secret,
the base64 text of 32 random bytes ('head -c 32 /dev/urandom | base64'), for --key-file or
--key-env; for RS256, PS256, ES256 and EdDSA a PKCS #8 PEM private key (sign --alg ALG
--key-file), and with --out its public key in PATH.pub (verify --alg ALG --key-file; fastjwt
jwks --alg ALG --key-file PATH prints its JWK Set).`,
		outro: `Exit status 0, or 2 for usage or I/O errors (an existing file is never overwritten).`,
	},
	"gateway": gatewayHelp,
	"recover": recoverHelp,
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
	case "keygen":
		return runKeygen(args[1:], stdout, stderr)
	case "--version", "-version", "version":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "fastjwt %s: no arguments (got %q)\n", args[0], args[1])
			return exitUsage
		}
		return printVersion(stdout, stderr)
	case "gateway":
		return runGateway(args[1:], stdout, stderr)
	case "recover":
		return runRecover(args[1:], stdout, stderr)
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
	issuerURL                            string // --issuer-url: the keys of an OpenID Connect issuer
	keyFileRaw, allowShort               bool
	jwksTimeout                          time.Duration // --jwks-timeout; 0: jwks.DefaultFetchTimeout
	// fetched are the keys of --jwks URL or --issuer-url once fetched: verify builds a codec for
	// each --iss and --aud, with the keys of one fetch.
	fetched []fastjwt.PublicKey
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
