package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/fastjwt/session/redisstore"
)

// recoverHelp is the help of 'fastjwt recover'.
var recoverHelp = commandHelp{
	synopsis: "fastjwt recover --redis HOST:PORT --max-age DURATION [flags]",
	intro: `Re-arms the revocation list in Redis after Redis lost its data (a restart without
persistence, a FLUSHALL, a failover to an empty replica): until then every process using the
list answers 503 for the tokens it checks, and the gateway's /readyz fails. It revokes every
token issued before now, until now + --max-age (the longest lifetime of the tokens, plus the
verifiers' leeway), then writes the list's new marker; the processes using the list accept it
within a second. Users sign in again. Run it once, after Redis is configured as the list needs
(maxmemory-policy noeviction, persistence).`,
	outro: `Exit status 0 once the list is re-armed, 2 for usage errors or when Redis refused.`,
}

func runRecover(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("recover")
	redisAddr := fs.String("redis", "", "the list's Redis at `HOST:PORT` (standalone or a cluster node)")
	redisPassEnv := fs.String("redis-password-env", "", "the password is the value of the environment variable `NAME`")
	redisPrefix := fs.String("redis-prefix", redisstore.DefaultPrefix, "the `PREFIX` of the list's keys (redisstore.Options.Prefix)")
	var maxAge time.Duration
	fs.Var(durationFlag{&maxAge}, "max-age", "the longest lifetime of a token issued before now, plus leeway, a `DURATION`\nsuch as 24h: until then, every such token is refused")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := setFlags(fs)
	fail := func(format string, a ...any) int { return usageError(stderr, "recover", format, a...) }
	switch {
	case !set["redis"]:
		return fail("--redis is required")
	case maxAge <= 0:
		return fail("--max-age is required, more than 0s")
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	r, err := dialRedis(*redisAddr, *redisPassEnv, *redisPrefix, 0, false, log)
	if err != nil {
		return fail("%v", err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	until := time.Now().Add(maxAge)
	if err := r.List().Recover(ctx, until); err != nil {
		fmt.Fprintf(stderr, "fastjwt recover: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "re-armed: every token issued before now is revoked until %s\n", until.UTC().Format(time.RFC3339))
	return exitOK
}
