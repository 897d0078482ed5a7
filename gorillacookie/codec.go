package gorillacookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"sync"
	"time"
)

// Defaults of Config, those of gorilla/securecookie.New and sessions.NewCookieStore.
const (
	// DefaultMaxAge is how old a cookie may be when Config.MaxAge is zero: 30 days.
	DefaultMaxAge = 30 * 24 * time.Hour
	// DefaultMaxLength is the longest cookie value read or written when Config.MaxLength is
	// zero: 4096 bytes.
	DefaultMaxLength = 4096
)

// Format is how the values are serialized inside the cookie.
type Format int

// Formats, as gorilla/securecookie names its serializers.
const (
	// Gob is securecookie.GobEncoder, the default: a gob of map[interface{}]interface{}.
	Gob Format = iota
	// JSON is securecookie.JSONEncoder: a JSON object.
	JSON
)

// Errors of Decode and AppendEncode; test with errors.Is.
var (
	// ErrConfig: a Config that cannot work (no hash key, a block key that is not an AES key).
	ErrConfig = errors.New("gorillacookie: invalid configuration")
	// ErrMalformed: the value is not the format (bad base64, no "date|value|mac").
	ErrMalformed = errors.New("gorillacookie: malformed cookie")
	// ErrMAC: the MAC does not verify: tampered, another key, or another cookie name.
	ErrMAC = errors.New("gorillacookie: the MAC is invalid")
	// ErrExpired: the cookie's date is older than MaxAge, or not a number.
	ErrExpired = errors.New("gorillacookie: the cookie has expired")
	// ErrTooLong: the value is longer than MaxLength.
	ErrTooLong = errors.New("gorillacookie: the cookie value is too long")
	// ErrDecode: the MAC verified but the values cannot be deserialized (a gob type the
	// application did not register, a ciphertext too short for its IV).
	ErrDecode = errors.New("gorillacookie: the values cannot be decoded")
	// ErrDropped is what the drop callback receives for a value without a counterpart in the
	// other format, wrapped with why.
	ErrDropped = errors.New("gorillacookie: value dropped")
)

// Config is the configuration of a Codec: what the gorilla application gave
// sessions.NewCookieStore (its first key pair) and the store's options.
type Config struct {
	// HashKey is the HMAC-SHA256 key, the first of the pair. Required.
	HashKey []byte
	// BlockKey, if set, is the AES key (16, 24 or 32 bytes), the second of the pair.
	BlockKey []byte
	// Format is the serializer (default Gob).
	Format Format
	// MaxAge is how old a cookie may be (default DefaultMaxAge); negative: no limit.
	MaxAge time.Duration
	// MaxLength is the longest value read or written (default DefaultMaxLength); negative: no
	// limit.
	MaxLength int
}

// Codec reads and writes gorilla/securecookie cookies under one Config. It is immutable and
// safe for concurrent use.
type Codec struct {
	cfg   Config
	block cipher.Block
	macs  sync.Pool // hash.Hash: HMAC-SHA256 under HashKey
}

// New returns a Codec for cfg, or an error matching ErrConfig.
func New(cfg Config) (*Codec, error) {
	if len(cfg.HashKey) == 0 {
		return nil, fmt.Errorf("%w: no hash key", ErrConfig)
	}
	if cfg.Format != Gob && cfg.Format != JSON {
		return nil, fmt.Errorf("%w: unknown format %d", ErrConfig, cfg.Format)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxLength == 0 {
		cfg.MaxLength = DefaultMaxLength
	}
	c := &Codec{cfg: cfg}
	c.cfg.HashKey = bytes.Clone(cfg.HashKey)
	if cfg.BlockKey != nil {
		b, err := aes.NewCipher(cfg.BlockKey)
		if err != nil {
			return nil, fmt.Errorf("%w: block key: %w", ErrConfig, err)
		}
		c.block = b
	}
	key := c.cfg.HashKey
	c.macs.New = func() any { return hmac.New(sha256.New, key) }
	return c, nil
}

// MaxAge returns the age past which a cookie is refused, as configured (negative: none).
func (c *Codec) MaxAge() time.Duration { return c.cfg.MaxAge }

// mac appends to dst the HMAC-SHA256 of name "|" rest.
func (c *Codec) mac(dst []byte, name string, rest []byte) []byte {
	h := c.macs.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(name))
	h.Write([]byte{'|'})
	h.Write(rest)
	dst = h.Sum(dst)
	c.macs.Put(h)
	return dst
}

// open verifies value as the cookie named name at now and returns the serialized values, still
// encrypted. Nothing of the value but its base64 and its split at '|' is read before the MAC
// verified.
func (c *Codec) open(name string, value []byte, now time.Time) ([]byte, error) {
	if c.cfg.MaxLength > 0 && len(value) > c.cfg.MaxLength {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLong, len(value))
	}
	b := make([]byte, base64.URLEncoding.DecodedLen(len(value)))
	n, err := base64.URLEncoding.Decode(b, value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	b = b[:n]
	// "date|value|mac": the MAC is what follows the second '|' (it may hold '|' itself).
	i := bytes.IndexByte(b, '|')
	if i < 0 {
		return nil, ErrMalformed
	}
	j := bytes.IndexByte(b[i+1:], '|')
	if j < 0 {
		return nil, ErrMalformed
	}
	j += i + 1
	var sum [sha256.Size]byte
	want := c.mac(sum[:0], name, b[:j])
	if subtle.ConstantTimeCompare(want, b[j+1:]) != 1 {
		return nil, ErrMAC
	}
	date, err := strconv.ParseInt(string(b[:i]), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: date %q", ErrExpired, b[:i])
	}
	if c.cfg.MaxAge > 0 && date < now.Unix()-int64(c.cfg.MaxAge/time.Second) {
		return nil, fmt.Errorf("%w: written at %d", ErrExpired, date)
	}
	inner := b[i+1 : j]
	plain := make([]byte, base64.URLEncoding.DecodedLen(len(inner)))
	if n, err = base64.URLEncoding.Decode(plain, inner); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	plain = plain[:n]
	if c.block != nil {
		size := c.block.BlockSize()
		if len(plain) <= size {
			return nil, fmt.Errorf("%w: the ciphertext is shorter than its IV", ErrDecode)
		}
		iv, text := plain[:size], plain[size:]
		cipher.NewCTR(c.block, iv).XORKeyStream(text, text)
		plain = text
	}
	return plain, nil
}

// seal appends to dst the cookie value named name holding the serialized values plain, written
// at now. plain is encrypted in place.
func (c *Codec) seal(dst []byte, name string, plain []byte, now time.Time) ([]byte, error) {
	if c.block != nil {
		iv := make([]byte, c.block.BlockSize(), c.block.BlockSize()+len(plain))
		_, _ = rand.Read(iv) // crypto/rand.Read never fails (Go 1.24+)
		cipher.NewCTR(c.block, iv).XORKeyStream(plain, plain)
		plain = append(iv, plain...)
	}
	b := strconv.AppendInt(nil, now.Unix(), 10)
	b = append(b, '|')
	b = base64.URLEncoding.AppendEncode(b, plain)
	b = c.mac(b, name, b)
	// The MAC follows a '|' that it does not cover: insert it.
	n := len(b) - sha256.Size
	b = append(b[:n], append([]byte{'|'}, b[n:]...)...)
	start := len(dst)
	dst = base64.URLEncoding.AppendEncode(dst, b)
	if c.cfg.MaxLength > 0 && len(dst)-start > c.cfg.MaxLength {
		return dst[:start], fmt.Errorf("%w: %d bytes", ErrTooLong, len(dst)-start)
	}
	return dst, nil
}
