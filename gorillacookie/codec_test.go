package gorillacookie_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/gorillacookie"
)

var (
	t0       = time.Unix(1_900_000_000, 0)
	hashKey  = []byte("0123456789abcdef0123456789abcdef")
	blockKey = []byte("fedcba9876543210")
)

func newCodec(t testing.TB, cfg gorillacookie.Config) *gorillacookie.Codec {
	t.Helper()
	c, err := gorillacookie.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pairs is a fixed list of (name, JSON value) pairs to encode.
func pairs(kv ...string) func(func(string, []byte) bool) {
	return func(yield func(string, []byte) bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if !yield(kv[i], []byte(kv[i+1])) {
				return
			}
		}
	}
}

type decoded struct {
	values  []string // "name=json"
	dropped []string
}

func decode(c *gorillacookie.Codec, name, value string, now time.Time) (decoded, error) {
	var d decoded
	err := c.Decode(name, []byte(value), now,
		func(n string, v []byte) { d.values = append(d.values, n+"="+string(v)) },
		func(n string, err error) { d.dropped = append(d.dropped, n) })
	return d, err
}

func TestRoundTrip(t *testing.T) {
	for _, cfg := range []gorillacookie.Config{
		{HashKey: hashKey},
		{HashKey: hashKey, BlockKey: blockKey},
		{HashKey: hashKey, Format: gorillacookie.JSON},
		{HashKey: hashKey, BlockKey: blockKey, Format: gorillacookie.JSON},
	} {
		t.Run(fmt.Sprintf("block %v format %d", cfg.BlockKey != nil, cfg.Format), func(t *testing.T) {
			c := newCodec(t, cfg)
			var dropped []string
			v, err := c.AppendEncode(nil, "session", t0, pairs("counter", "41", "name", `"alice"`, "ok", "true", "pi", "3.5", "list", "[1,2]", "none", "null"),
				func(n string, err error) {
					if !errors.Is(err, gorillacookie.ErrDropped) {
						t.Errorf("drop %s: %v", n, err)
					}
					dropped = append(dropped, n)
				})
			if err != nil {
				t.Fatal(err)
			}
			d, err := decode(c, "session", string(v), t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"counter=41", "name=\"alice\"", "ok=true", "pi=3.5"}
			if cfg.Format == gorillacookie.JSON {
				want = []string{"counter=41", "list=[1,2]", "name=\"alice\"", "none=null", "ok=true", "pi=3.5"}
			} else if !slices.Equal(dropped, []string{"list", "none"}) {
				t.Errorf("dropped %v, want list and none (no gob form without registered types)", dropped)
			}
			if !slices.Equal(d.values, want) {
				t.Errorf("decoded %v, want %v", d.values, want)
			}
		})
	}
}

// Every refusal: the MAC covers the name, the date and the value; the age is checked; nothing
// is added from a refused cookie.
func TestRefused(t *testing.T) {
	c := newCodec(t, gorillacookie.Config{HashKey: hashKey, BlockKey: blockKey})
	good, err := c.AppendEncode(nil, "session", t0, pairs("counter", "1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.URLEncoding.DecodeString(string(good))
	reencode := func(b []byte) string { return base64.URLEncoding.EncodeToString(b) }
	flip := func(i int) string {
		b := slices.Clone(raw)
		b[i] ^= 1
		return reencode(b)
	}
	otherKey := newCodec(t, gorillacookie.Config{HashKey: []byte("another key, another key, anothe"), BlockKey: blockKey})
	fromOther, _ := otherKey.AppendEncode(nil, "session", t0, pairs("counter", "1"), nil)
	cases := []struct {
		name, cookie, value string
		now                 time.Time
		want                error
	}{
		{"date changed", "session", flip(0), t0, gorillacookie.ErrMAC},
		{"value changed", "session", flip(len(raw) / 2), t0, gorillacookie.ErrMAC},
		{"MAC changed", "session", flip(len(raw) - 1), t0, gorillacookie.ErrMAC},
		{"MAC cut", "session", reencode(raw[:len(raw)-1]), t0, gorillacookie.ErrMAC},
		{"other name", "other", string(good), t0, gorillacookie.ErrMAC},
		{"other key", "session", string(fromOther), t0, gorillacookie.ErrMAC},
		{"expired", "session", string(good), t0.Add(gorillacookie.DefaultMaxAge + time.Second), gorillacookie.ErrExpired},
		{"not base64", "session", "!!!", t0, gorillacookie.ErrMalformed},
		{"no separators", "session", reencode([]byte("nothing")), t0, gorillacookie.ErrMalformed},
		{"one separator", "session", reencode([]byte("1|x")), t0, gorillacookie.ErrMalformed},
		{"empty", "session", "", t0, gorillacookie.ErrMalformed},
		{"too long", "session", strings.Repeat("A", 4097), t0, gorillacookie.ErrTooLong},
		{"a JWS", "session", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", t0, gorillacookie.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := decode(c, tc.cookie, tc.value, tc.now)
			if !errors.Is(err, tc.want) || len(d.values) != 0 {
				t.Errorf("err %v, values %v: want %v and nothing", err, d.values, tc.want)
			}
		})
	}
	// Just inside the age limit is accepted.
	if _, err := decode(c, "session", string(good), t0.Add(gorillacookie.DefaultMaxAge)); err != nil {
		t.Errorf("at MaxAge: %v", err)
	}
	// Without a limit, an old cookie is accepted.
	ageless := newCodec(t, gorillacookie.Config{HashKey: hashKey, BlockKey: blockKey, MaxAge: -1})
	if _, err := decode(ageless, "session", string(good), t0.Add(10*gorillacookie.DefaultMaxAge)); err != nil {
		t.Errorf("MaxAge -1: %v", err)
	}
	// Decrypted with the wrong block key, the MAC verifies but the gob does not decode.
	wrongBlock := newCodec(t, gorillacookie.Config{HashKey: hashKey, BlockKey: []byte("0000000000000000")})
	if _, err := decode(wrongBlock, "session", string(good), t0); !errors.Is(err, gorillacookie.ErrDecode) {
		t.Errorf("wrong block key: %v, want ErrDecode", err)
	}
}

func TestConfig(t *testing.T) {
	for _, cfg := range []gorillacookie.Config{
		{},
		{HashKey: hashKey, BlockKey: []byte("short")},
		{HashKey: hashKey, Format: 7},
	} {
		if _, err := gorillacookie.New(cfg); !errors.Is(err, gorillacookie.ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", cfg, err)
		}
	}
	// MaxLength bounds writes too.
	c := newCodec(t, gorillacookie.Config{HashKey: hashKey, MaxLength: 100})
	if _, err := c.AppendEncode(nil, "s", t0, pairs("big", `"`+strings.Repeat("x", 200)+`"`), nil); !errors.Is(err, gorillacookie.ErrTooLong) {
		t.Errorf("long write: %v", err)
	}
}
