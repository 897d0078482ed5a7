package main

import (
	"errors"
	"fmt"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/gorillacookie"
	"github.com/fastjwt/session/internal/keyfile"
)

// legacyKeys reads the keys of a gorilla/sessions CookieStore the demo takes sessions over
// from (-legacy-gorilla-key-file, -legacy-gorilla-block-key-file), by the module's one key-file
// rule. Both paths empty: no migration (nil keys).
func legacyKeys(hashPath, blockPath string) (hash, block []byte, err error) {
	if hashPath == "" {
		if blockPath != "" {
			return nil, nil, errors.New("-legacy-gorilla-block-key-file needs -legacy-gorilla-key-file (the hash key)")
		}
		return nil, nil, nil
	}
	if hash, err = keyfile.Read(hashPath); err != nil {
		return nil, nil, fmt.Errorf("-legacy-gorilla-key-file: %w", err)
	}
	if blockPath != "" {
		if block, err = keyfile.Read(blockPath); err != nil {
			return nil, nil, fmt.Errorf("-legacy-gorilla-block-key-file: %w", err)
		}
	}
	return hash, block, nil
}

// legacyConfig returns the migration of cfg: gorilla/sessions cookies under the demo's own cookie
// name, read (and, with -legacy-gorilla-write, written) with cfg's keys; nil without keys. The
// sessions are re-issued as this library's cookies, so the migration needs -mode cookie: a
// gorilla CookieStore keeps the whole session in the cookie, as that mode does.
func legacyConfig(cfg config) (*session.Legacy, error) {
	if cfg.legacyHashKey == nil {
		if cfg.legacyWrite {
			return nil, errors.New("-legacy-gorilla-write needs -legacy-gorilla-key-file")
		}
		return nil, nil
	}
	if cfg.mode != modeCookie {
		return nil, errors.New("-legacy-gorilla-key-file needs -mode cookie (a gorilla CookieStore session lives in its cookie)")
	}
	codec, err := gorillacookie.New(gorillacookie.Config{HashKey: cfg.legacyHashKey, BlockKey: cfg.legacyBlockKey})
	if err != nil {
		return nil, fmt.Errorf("-legacy-gorilla-block-key-file: %w (an AES key has 16, 24 or 32 bytes)", err)
	}
	phase := session.LegacyRead
	if cfg.legacyWrite {
		phase = session.LegacyWrite
	}
	return &session.Legacy{
		Codec: codec,
		Phase: phase,
		OnError: func(err error) {
			cfg.log.Printf("gorilla session: %v", err)
		},
	}, nil
}
