// Command counter is the demo of package session: a per-browser request counter kept in a
// session, a login that hands out a bearer token, an API guarded by that token, logout and
// "log out everywhere" backed by a revocation list, and a page whose script reads the session.
// The same app runs on fasthttp or net/http through the library's two adapters.
//
// By default the session is server-side (-mode server): the cookie's JWT carries a random session
// id and, once logged in, the user's name ("sub"); the counter lives in a store under the id,
// and a browser's first request is a provisional session there, so that a client that never
// sends its cookie back, a flood of them included, fills only the provisional budget and never
// refuses a browser that came back, nor a login. The store and the revocation list are in this process's memory, or in Redis with -redis, where
// several processes started with the same secret share them and behave as one site. With
// -mode cookie the whole session, counter included, is the cookie's JWT payload.
//
//	go run ./examples/counter                              # fasthttp on 127.0.0.1:8000, in memory
//	go run ./examples/counter -stack nethttp               # the same app on net/http
//	go run ./examples/counter -redis 127.0.0.1:6379        # sessions and revocations in Redis
//	go run ./examples/counter -redis 127.0.0.1:6379 -redis-revocations 127.0.0.1:6380
//	                                                       # the revocation list on its own Redis
//	go run ./examples/counter -mode cookie                 # the counter in the cookie's JWT
//	go run ./examples/counter -mode cookie -legacy-gorilla-key-file FILE
//	                                                       # take over gorilla/sessions cookies
//
// Routes:
//
//	GET  /                   "Current counter value: N", counting this browser's requests
//	POST /login              username, password (form or JSON): a new session id, the user in the
//	                         session; returns {"access_token": ...}
//	GET  /api/me             the verified claims of the bearer token (Authorization: Bearer <token>)
//	POST /logout             revokes the session and its login's bearer token; the cookie is deleted
//	POST /logout-everywhere  revokes every session and bearer token of the user, authenticated by
//	                         the session cookie or by a bearer token
//	GET  /app                a page that decodes the session cookie in the browser (unverified)
//
// When the store or the revocation list cannot answer (Redis down), the answer is 503 with
// Retry-After, never a fresh session; the demo recovers by itself when Redis is back with its
// data. A Redis back without its data (restarted without persistence, flushed) has forgotten
// the revocations: the demo answers 503, and logs so, until the list is re-armed with
// `fastjwt recover --redis HOST:PORT --redis-prefix counter: --max-age 24h`, which revokes every
// token issued before. The list's Redis must not evict (maxmemory-policy noeviction, checked at
// start); sessions may, so -redis-revocations gives the list a Redis of its own.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
	"github.com/fastjwt/session/internal/keyfile"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/redisstore"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "counter:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8000", "address to listen on")
	stack := flag.String("stack", "fasthttp", "HTTP stack: fasthttp or nethttp")
	mode := flag.String("mode", "server", "where the session's data lives: server (a store under a session id in the cookie) or cookie (the cookie's JWT payload)")
	redisAddr := flag.String("redis", "", "host:port of a Redis holding the sessions (-mode server) and, without -redis-revocations, the revocation list, shared by every process started with the same secret (default: this process's memory)")
	revAddr := flag.String("redis-revocations", "", "host:port of a Redis of its own for the revocation list (maxmemory-policy noeviction, persistence), so that sessions cannot evict revocations or fill its memory (default: the -redis one)")
	keyFile := flag.String("key-file", "", "file holding the secret key, at least 32 bytes, less one final line ending (default: $SESSION_SECRET, else a random key per start)")
	alg := flag.String("alg", "HS256", "signing algorithm: HS256 (the secret signs), ES256 or EdDSA (key pairs derived from the secret; the public keys are served at /.well-known/jwks.json)")
	legacyHash := flag.String("legacy-gorilla-key-file", "", "file holding the hash key of a gorilla/sessions CookieStore (-mode cookie): its cookies, under this demo's cookie name, are taken over and re-issued as this library's")
	legacyBlock := flag.String("legacy-gorilla-block-key-file", "", "file holding the CookieStore's AES block key (16, 24 or 32 bytes), when its cookies are encrypted")
	legacyWrite := flag.Bool("legacy-gorilla-write", false, "write the session as a gorilla/sessions cookie too, for servers of the old app still running (with -legacy-gorilla-key-file)")
	compress := flag.Bool("compress", false, "compress the session's data in the cookie's JWT when that makes it shorter (the /app page can then no longer read the counter)")
	user := flag.String("user", "demo", "user name accepted by /login")
	password := flag.String("password", "demo", "password accepted by /login")
	flag.Parse()

	key, err := loadKey(*keyFile)
	if err != nil {
		return err
	}
	if _, set := os.LookupEnv(secretEnv); (*redisAddr != "" || *revAddr != "") && *keyFile == "" && !set {
		fmt.Fprintf(os.Stderr, "note: processes sharing a Redis are one site only with one secret: start each with the same -key-file or %s\n", secretEnv)
	}
	hashKey, blockKey, err := legacyKeys(*legacyHash, *legacyBlock)
	if err != nil {
		return err
	}
	a, err := fastjwt.ParseAlg(*alg)
	if err != nil || (a != fastjwt.HS256 && a != fastjwt.ES256 && a != fastjwt.EdDSA) {
		return fmt.Errorf("-alg %q: use HS256, ES256 or EdDSA", *alg)
	}
	d, err := newDemo(config{
		stack: *stack, mode: *mode, redis: *redisAddr, revocations: *revAddr, alg: a, user: *user, password: *password, key: key,
		legacyHashKey: hashKey, legacyBlockKey: blockKey, legacyWrite: *legacyWrite, compress: *compress,
		log: log.New(os.Stderr, "counter: ", log.LstdFlags),
	})
	if err != nil {
		return err
	}
	defer d.close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("demo login: user %q, password %q\n", *user, *password)
	fmt.Printf("sessions: %s\n", d.where)
	fmt.Printf("counter (%s) listening on http://%s\n", *stack, ln.Addr())

	// SIGINT (Ctrl-C) and SIGTERM stop accepting connections and let open requests finish.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := d.serve(ctx, ln); err != nil {
		return err
	}
	fmt.Println("counter stopped")
	return nil
}

// secretEnv is the environment variable the demo takes its secret from when -key-file is not
// given, so that the secret need not be on the command line.
const secretEnv = "SESSION_SECRET"

// loadKey returns the secret: from the file at path, else from the environment variable
// SESSION_SECRET, else a random one. Both sources follow the module's one key-file rule
// (internal/keyfile): every byte but one final line ending, so the key made by
// `head -c 32 /dev/urandom | base64 > key` means the same secret here and to the fastjwt command.
// A random key is fine for trying the demo, but every restart then invalidates all sessions and
// tokens.
func loadKey(path string) ([]byte, error) {
	if path != "" {
		if _, set := os.LookupEnv(secretEnv); set {
			fmt.Fprintf(os.Stderr, "note: the key comes from -key-file; %s is ignored\n", secretEnv)
		}
		b, err := keyfile.Read(path)
		if err != nil {
			return nil, fmt.Errorf("-key-file: %w", err)
		}
		if len(b) < 32 {
			return nil, fmt.Errorf("-key-file %s: the key has %d bytes, at least 32 are needed (try: head -c 32 /dev/urandom | base64 > %s)", path, len(b), path)
		}
		return b, nil
	}
	if _, set := os.LookupEnv(secretEnv); set {
		b, err := keyfile.FromEnv(secretEnv)
		if err != nil {
			return nil, fmt.Errorf("%w (unset %s for a random key, or: export %s=\"$(head -c 32 /dev/urandom | base64)\")", err, secretEnv, secretEnv)
		}
		if len(b) < 32 {
			return nil, fmt.Errorf("%s: the key has %d bytes, at least 32 are needed (try: export %s=\"$(head -c 32 /dev/urandom | base64)\")", secretEnv, len(b), secretEnv)
		}
		return b, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "warning: neither -key-file nor %s given; using a random key, so sessions and tokens will not survive a restart\n", secretEnv)
	return key, nil
}

// config is what the command line decides.
type config struct {
	stack          string      // "fasthttp" or "nethttp"
	mode           string      // "server" (the default when empty) or "cookie"
	redis          string      // host:port of Redis; "" keeps everything in memory
	revocations    string      // host:port of the revocation list's own Redis; "": redis's
	alg            fastjwt.Alg // HS256 when zero
	user, password string
	key            []byte
	log            *log.Logger
	// The migration from gorilla/sessions (legacy.go): the CookieStore's hash and block keys,
	// and whether to write its cookies too.
	legacyHashKey, legacyBlockKey []byte
	legacyWrite                   bool
	compress                      bool // Config.Compress
}

// The session modes of -mode.
const (
	modeServer = "server"
	modeCookie = "cookie"
)

// redisPrefix starts every key the demo writes in Redis: its processes share them, and other
// programs on the same Redis do not see them.
const redisPrefix = "counter:"

// sessionLifetime is the life of a session token; the bearer tokens live less (tokenTTL), so
// that a subject's revocation entry, which lasts one session lifetime, outlives every token it
// names.
const (
	sessionLifetime = 24 * time.Hour
	tokenTTL        = time.Hour
)

// demo is the app with the library's session and bearer policies, ready to serve.
type demo struct {
	stack    string
	where    string // where the sessions and revocations live, for the start-up message
	app      *app
	sessions *session.Manager
	bearer   *bearer.Bearer
	jwks     http.Handler // the public keys, for ES256 and EdDSA; nil for HS256
	log      *log.Logger
	close    func()      // releases the Redis connection, if any
	store    store.Store // the sessions' store; nil in cookie mode
}

// backends returns the session store (nil in cookie mode) and the revocation list: in Redis when
// cfg.redis (or, for the list, cfg.revocations) is set, else in memory, with a description of the
// choice and the function that releases them. A list on a Redis that may evict revocations is
// refused.
// backends returns the session store (nil in cookie mode), the revocation list and the
// refresh-token families (both security state: in the list's Redis when there is one, whose
// durability marker they share), where they are, and how to close them.
func backends(cfg config) (store.Store, revoke.List, issuing.Families, string, func(), error) {
	mode, addr := cfg.mode, cfg.redis
	if cfg.revocations != "" {
		return splitBackends(cfg)
	}
	if addr == "" {
		list, families := revoke.NewMemory(revoke.MemoryOptions{}), issuing.NewMemory(issuing.MemoryOptions{})
		if mode == modeCookie {
			return nil, list, families, "in the cookie; revocations and refresh tokens in this process's memory", func() {}, nil
		}
		return store.NewMemory(store.MemoryOptions{}), list, families,
			"server-side, in this process's memory (-redis host:port to share them)", func() {}, nil
	}
	r, err := dialList("-redis", addr, cfg.log)
	if err != nil {
		return nil, nil, nil, "", nil, err
	}
	if mode == modeCookie {
		return nil, r.List(), r.Families(), "in the cookie; revocations and refresh tokens in Redis at " + addr, r.Close, nil
	}
	return r.Store(), r.List(), r.Families(), "server-side, in Redis at " + addr, r.Close, nil
}

func newDemo(cfg config) (*demo, error) {
	if cfg.stack != "fasthttp" && cfg.stack != "nethttp" {
		return nil, fmt.Errorf("unknown -stack %q: use fasthttp or nethttp", cfg.stack)
	}
	if cfg.mode == "" {
		cfg.mode = modeServer
	}
	if cfg.mode != modeServer && cfg.mode != modeCookie {
		return nil, fmt.Errorf("unknown -mode %q: use server or cookie", cfg.mode)
	}
	if cfg.user == "" || cfg.password == "" {
		return nil, errors.New("-user and -password must not be empty")
	}
	if cfg.log == nil {
		cfg.log = log.New(io.Discard, "", 0)
	}
	// One key per purpose, derived from the one secret, on top of the library's explicit typing
	// (session cookies are typed "session+jwt", and bearer authentication refuses them): a session
	// cookie never passes as a bearer token, nor a bearer token as a session cookie, even for a
	// verifier elsewhere that ignores "typ".
	cookies, err := newCodec(cfg.alg, cfg.key, "session cookie")
	if err != nil {
		return nil, err
	}
	tokens, err := newCodec(cfg.alg, cfg.key, "bearer token", fastjwt.WithAudience(apiAudience))
	if err != nil {
		return nil, err
	}
	// The refresh tokens of /token have a key of their own too: they are presented only to
	// /token/refresh and /token/revoke, and fail the signature anywhere else.
	refreshTokens, err := newCodec(cfg.alg, cfg.key, "refresh token", fastjwt.WithAudience(apiAudience))
	if err != nil {
		return nil, err
	}
	var keys http.Handler
	if pub := append(cookies.PublicKeys(), tokens.PublicKeys()...); len(pub) > 0 {
		if keys, err = jwks.Handler(pub, 5*time.Minute); err != nil {
			return nil, err
		}
	}
	legacy, err := legacyConfig(cfg)
	if err != nil {
		return nil, err
	}
	store, revocations, families, where, closeBackends, err := backends(cfg)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			closeBackends()
		}
	}()
	scfg := session.Config{
		Lifetime: sessionLifetime,
		// The /app page reads the session with document.cookie, so the cookie cannot be
		// HttpOnly. Only do this when scripts need the data: any script on the page can read it.
		ScriptReadable: true,
		// Both fail closed: a store or a list that cannot answer gives a 503, not a new session.
		Store:       store,
		Revocations: revocations,
		OnInvalid:   func(err error) { cfg.log.Printf("session cookie refused, starting a new session: %v", err) },
		OnError:     func(err error) { cfg.log.Printf("session not saved: %v", err) },
		Compress:    cfg.compress,
		Legacy:      legacy,
	}
	if store != nil {
		// The user's name stays in the cookie's token, for the /app page and for any service
		// that reads the cookie without the store; the rest (the counter) is in the store.
		scfg.TokenFields = []string{fieldUser}
	}
	m, err := session.New(cookies, scfg)
	if err != nil {
		return nil, err
	}
	b, err := bearer.New(tokens, bearer.Config{
		Realm: "counter",
		// djangorestframework-jwt's clients send "Authorization: JWT <token>".
		Schemes:     []string{"Bearer", "JWT"},
		Revocations: revocations,
		OnInvalid: func(err error) {
			if !errors.Is(err, bearer.ErrNoToken) { // a request without a token is no news
				cfg.log.Printf("bearer token refused: %v", err)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	a := &app{
		user:     cfg.user,
		password: sha256.Sum256([]byte(cfg.password)),
		tokens:   tokens,
		tokenTTL: tokenTTL,
		now:      time.Now,
		sessions: m,
		revoked:  revocations,
		log:      cfg.log,
	}
	// The token endpoints (/token, /token/refresh, /token/verify, /token/revoke). Their
	// refresh-token families are beside the revocation list: with -redis, every process
	// refreshes the tokens of every other.
	a.issuer, err = issuing.New(issuing.Config{
		Codec: tokens, RefreshCodec: refreshTokens, Audience: apiAudience,
		Families:    families,
		Revocations: revocations,
		Authenticate: func(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
			if !a.checkPassword(credentials{Username: c.Username, Password: c.Password}) {
				return "", nil, issuing.ErrInvalidGrant
			}
			return c.Username, nil, nil
		},
	})
	if err != nil {
		return nil, err
	}
	ok = true
	return &demo{stack: cfg.stack, where: where, app: a, sessions: m, bearer: b, jwks: keys, log: cfg.log, close: closeBackends, store: store}, nil
}

// newCodec returns the codec of one purpose: HS256 with a key derived from the secret, or an
// ES256 or EdDSA key pair derived from it, so that every process started with the same secret
// signs with the same key (two demo processes behind one name behave as one site). Its public key
// has the purpose's name as its ID.
func newCodec(alg fastjwt.Alg, secret []byte, purpose string, opts ...fastjwt.Option) (*fastjwt.Codec, error) {
	seed := deriveKey(secret, purpose)
	id := strings.ReplaceAll(purpose, " ", "-")
	switch alg {
	case fastjwt.ES256:
		// A P-256 scalar from the seed: below the group order but for a 2^-32 chance, in which
		// case the seed is hashed again.
		for i := 0; ; i++ {
			key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed)
			if err == nil {
				return fastjwt.NewSigner(fastjwt.PrivateKey{ID: id, Alg: alg, Key: key}, nil, opts...)
			}
			if i == 8 {
				return nil, err
			}
			seed = deriveKey(seed, purpose)
		}
	case fastjwt.EdDSA:
		key := ed25519.NewKeyFromSeed(seed)
		return fastjwt.NewSigner(fastjwt.PrivateKey{ID: id, Alg: alg, Key: key}, nil, opts...)
	}
	return fastjwt.NewHS256([]fastjwt.Key{{Secret: seed}}, opts...)
}

// deriveKey returns HMAC-SHA256(secret, purpose): independent keys from one secret.
func deriveKey(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("fastjwt counter demo: " + purpose))
	return mac.Sum(nil)
}

// serve answers on ln until ctx ends, then shuts down gracefully.
func (d *demo) serve(ctx context.Context, ln net.Listener) error {
	if d.stack == "nethttp" {
		return serveNethttp(ctx, ln, nethttpHandler(d.app, d.sessions, d.bearer, d.jwks))
	}
	return serveFasthttp(ctx, ln, fasthttpHandler(d.app, d.sessions, d.bearer, d.jwks))
}

// splitBackends is backends with the revocation list on a Redis of its own (cfg.revocations),
// and the sessions on cfg.redis, or in memory.
func splitBackends(cfg config) (store.Store, revoke.List, issuing.Families, string, func(), error) {
	rl, err := dialList("-redis-revocations", cfg.revocations, cfg.log)
	if err != nil {
		return nil, nil, nil, "", nil, err
	}
	listWhere := "; revocations and refresh tokens in Redis at " + cfg.revocations
	switch {
	case cfg.mode == modeCookie:
		if cfg.redis != "" {
			rl.Close()
			return nil, nil, nil, "", nil, errors.New("-redis: in -mode cookie the sessions are in the cookie; -redis-revocations alone holds the list")
		}
		return nil, rl.List(), rl.Families(), "in the cookie" + listWhere, rl.Close, nil
	case cfg.redis == "":
		return store.NewMemory(store.MemoryOptions{}), rl.List(), rl.Families(), "server-side, in this process's memory" + listWhere, rl.Close, nil
	}
	rs, err := redisstore.Dial(redisstore.Options{Addrs: []string{cfg.redis}, Prefix: redisPrefix})
	if err != nil {
		rl.Close()
		return nil, nil, nil, "", nil, fmt.Errorf("-redis: %w (is Redis listening there? without -redis the sessions stay in this process's memory)", err)
	}
	return rs.Store(), rl.List(), rl.Families(), "server-side, in Redis at " + cfg.redis + listWhere, func() { rs.Close(); rl.Close() }, nil
}

// dialList connects to the Redis of the revocation list (flag names the flag of addr) and checks
// it: reachable, its maxmemory-policy noeviction, its marker armed. What an operator must see
// later (Redis lost its data: 503 until 'fastjwt recover') goes to the log.
func dialList(flag, addr string, logger *log.Logger) (*redisstore.Redis, error) {
	r, err := redisstore.Dial(redisstore.Options{Addrs: []string{addr}, Prefix: redisPrefix,
		OnAlert: func(err error) {
			logger.Printf("revocation list: %v (after fixing Redis: fastjwt recover --redis %s --redis-prefix %s --max-age %v)", err, addr, redisPrefix, sessionLifetime)
		}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w (is Redis listening there? without %s the data stays in this process's memory)", flag, err, flag)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.List().Check(ctx); err != nil {
		r.Close()
		if errors.Is(err, redisstore.ErrEvictingPolicy) {
			return nil, fmt.Errorf("%s: %w; give the revocation list a Redis of its own with -redis-revocations", flag, err)
		}
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return r, nil
}
