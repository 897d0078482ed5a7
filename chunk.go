package session

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// Chunked cookies (Config.Chunked), in the form ASP.NET Core's ChunkingCookieManager gave the
// practice: a session whose cookie would exceed Config.MaxCookieSize is written as
//
//	session=chunks-3; ...
//	session.1=<first third of the token>; ...
//	session.2=<second third>; ...
//	session.3=<last third>; ...
//
// with the same attributes on each. The token is split as it is, so the signature covers the
// whole: a chunk that is missing, duplicated, from another write (stale) or in the wrong cookie
// makes a token that does not verify, and the request gets a new session, never another
// session's data. Every write deletes the chunks the request carried beyond the new count (all of
// them when the new value fits one cookie), so that no stale chunk outlives the value it belonged
// to.

// Limits of chunking.
const (
	// DefaultMaxChunks is Config.MaxChunks when zero: 4 chunk cookies.
	DefaultMaxChunks = 4
	// MaxChunkCookies is the largest Config.MaxChunks: 8.
	MaxChunkCookies = 8
	// MaxChunkedSize is the largest Config.MaxChunkedSize: 7168 bytes of Cookie header, which
	// leaves 1 KiB of the 8 KiB that nginx (large_client_header_buffers), Apache
	// (LimitRequestFieldSize) and most proxies and upstreams accept for one header line.
	MaxChunkedSize = 7168
)

// ErrChunks: the session's cookie says "chunks-N" but the request does not carry exactly one
// cookie of each chunk's name. The request gets a new session.
var ErrChunks = errors.New("session: chunked session cookie is incomplete or ambiguous")

// chunkMarker starts the value of the session's cookie when the token is in chunks.
const chunkMarker = "chunks-"

// chunkCount returns N of a "chunks-N" value, or 0 when v is not one (or N is outside
// 1..max).
func chunkCount(v []byte, max int) int {
	if !bytes.HasPrefix(v, []byte(chunkMarker)) || len(v) != len(chunkMarker)+1 {
		return 0
	}
	n := int(v[len(chunkMarker)] - '0')
	if n < 1 || n > max {
		return 0
	}
	return n
}

// presentChunks returns the set of chunk indices (bit i-1 for CookieName.i) the request's
// Cookie lines carry, so that a write can delete the ones its value no longer uses.
func (m *Manager) presentChunks(lines [][]byte) uint16 {
	var set uint16
	prefix := m.cfg.CookieName
	for _, line := range lines {
		for {
			k, _, rest, ok := httpsyntax.NextCookie(line)
			if !ok {
				break
			}
			line = rest
			if len(k) == len(prefix)+2 && k[len(prefix)] == '.' && string(k[:len(prefix)]) == prefix {
				if i := int(k[len(k)-1] - '0'); i >= 1 && i <= m.cfg.MaxChunks {
					set |= 1 << (i - 1)
				}
			}
		}
	}
	return set
}

// reassemble returns the token a "chunks-N" cookie stands for, built in s.chunks from the
// request's cookies CookieName.1 to CookieName.N, each of which must be present exactly once.
func (s *Session) reassemble(n int) ([]byte, error) {
	var one [2][]byte
	s.chunks = s.chunks[:0]
	for i := range n {
		vals, count := httpsyntax.AppendCookieValues(one[:0], s.lines, s.m.chunkNames[i], 2)
		if count != 1 {
			clear(one[:])
			return nil, fmt.Errorf("%w: %d cookies named %s", ErrChunks, count, s.m.chunkNames[i])
		}
		s.chunks = append(s.chunks, vals[0]...)
		clear(one[:])
	}
	return s.chunks, nil
}

// split writes the Set-Cookie values of token in chunks into s.buf and s.outs, or fails with
// ErrCookieTooLarge when the token needs more than Config.MaxChunks chunks or more than
// Config.MaxChunkedSize of Cookie header.
func (s *Session) split(token []byte, now time.Time, life int64, attrs int) error {
	m := s.m
	// What one chunk cookie costs besides its piece of the token.
	mark := len(s.buf)
	s.buf = m.appendSetCookie(s.buf, m.chunkNames[0], nil, now, life, attrs)
	overhead := len(s.buf) - mark
	s.buf = s.buf[:mark]
	room := m.cfg.MaxCookieSize - overhead
	if room < 1 {
		return fmt.Errorf("%w: the attributes leave no room for a chunk", ErrCookieTooLarge)
	}
	k := (len(token) + room - 1) / room
	// The request's Cookie header gets "name=chunks-k; " and "name.i=piece; " for each chunk.
	header := len(m.cfg.CookieName) + 1 + len(chunkMarker) + 1 + k*(len(m.chunkNames[0])+1+2) + len(token)
	if k > m.cfg.MaxChunks || header > m.cfg.MaxChunkedSize {
		return fmt.Errorf("%w: %d chunks and %d bytes of Cookie header, the limits are %d and %d",
			ErrCookieTooLarge, k, header, m.cfg.MaxChunks, m.cfg.MaxChunkedSize)
	}
	piece := (len(token) + k - 1) / k
	marker := strconv.AppendInt([]byte(chunkMarker), int64(k), 10)
	s.out(m.appendSetCookie(s.buf, m.cfg.CookieName, marker, now, life, attrs))
	for i := range k {
		p := token[i*piece : min(len(token), (i+1)*piece)]
		s.out(m.appendSetCookie(s.buf, m.chunkNames[i], p, now, life, attrs))
	}
	s.nchunks = k
	return nil
}

// out records the Set-Cookie value that b appended to s.buf, and keeps b as s.buf.
func (s *Session) out(b []byte) {
	s.outs = append(s.outs, len(s.buf), len(b))
	s.buf = b
}

// deleteStaleChunks deletes the chunk cookies the request carried that the new value does not
// use (all of them after a deletion or a value in one cookie).
func (s *Session) deleteStaleChunks(h ResponseHeader, used int) {
	for i := used; i < len(s.m.chunkNames); i++ {
		if s.chunksHad&(1<<i) != 0 {
			h.Add("Set-Cookie", s.m.deleteChunk[s.secureIndex()][i])
		}
	}
}
