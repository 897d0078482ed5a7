package main

import (
	"bytes"
	"strings"
	"testing"
)

// 'fastjwt recover' needs --redis and a positive --max-age, and says so.
func TestRecoverUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"recover"}, "fastjwt recover: --redis is required"},
		{[]string{"recover", "--redis", "127.0.0.1:1"}, "fastjwt recover: --max-age is required, more than 0s"},
		{[]string{"recover", "--redis", "nowhere", "--max-age", "1h"}, `fastjwt recover: --redis: "nowhere" is not host:port`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, nil, &stdout, &stderr); code != exitUsage || !strings.HasPrefix(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want %d and %q", tc.args, code, stderr.String(), stdout.String(), exitUsage, tc.want)
		}
	}
}
