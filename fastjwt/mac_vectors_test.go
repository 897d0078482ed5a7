package fastjwt

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// wycheproofMACFile is Project Wycheproof's HMAC-SHA256 test set; see testdata/vectors/README.md.
var wycheproofMACFile = filepath.Join("..", "testdata", "vectors", "wycheproof", "hmac_sha256_test.json")

// wycheproofMACCases is the number of cases in wycheproofMACFile. A loader that finds fewer has
// skipped some, and the test fails rather than pass on what it did not run.
const wycheproofMACCases = 174

type macTestFile struct {
	Algorithm     string `json:"algorithm"`
	NumberOfTests int    `json:"numberOfTests"`
	TestGroups    []struct {
		KeySize int `json:"keySize"` // bits
		TagSize int `json:"tagSize"` // bits; tags shorter than 256 are truncated MACs
		Tests   []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Flags   []string `json:"flags"`
			Key     string   `json:"key"`
			Msg     string   `json:"msg"`
			Tag     string   `json:"tag"`
			Result  string   `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// TestWycheproofHMACSHA256 runs every Wycheproof HMAC-SHA256 case through the codec's own MAC
// (macKey, with its precomputed inner and outer states), including keys shorter than a block,
// longer than a block (hashed first), and tags truncated to 128 bits.
func TestWycheproofHMACSHA256(t *testing.T) {
	data, err := os.ReadFile(wycheproofMACFile)
	if err != nil {
		t.Fatal(err)
	}
	var f macTestFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", wycheproofMACFile, err)
	}
	if f.Algorithm != "HMACSHA256" {
		t.Fatalf("algorithm %q, want HMACSHA256", f.Algorithm)
	}
	ran, valid := 0, 0
	for _, g := range f.TestGroups {
		if g.TagSize%8 != 0 || g.TagSize <= 0 || g.TagSize > 256 {
			t.Fatalf("group with tagSize %d: not a byte-sized truncation of HMAC-SHA256", g.TagSize)
		}
		tagLen := g.TagSize / 8
		for _, tc := range g.Tests {
			ran++
			key := mustHex(t, tc.TcID, tc.Key)
			msg := mustHex(t, tc.TcID, tc.Msg)
			tag := mustHex(t, tc.TcID, tc.Tag)
			if len(key)*8 != g.KeySize {
				t.Errorf("tcId %d: key is %d bits, group says %d", tc.TcID, len(key)*8, g.KeySize)
			}
			var out [32]byte
			newMACKey(key).sum(&out, msg)
			// A verifier of a truncated MAC compares the leftmost tagSize bits (RFC 2104 sec. 5);
			// a tag of any other length never matches.
			got := len(tag) == tagLen && bytes.Equal(out[:tagLen], tag)
			var want bool
			switch tc.Result {
			case "valid":
				want = true
				valid++
			case "invalid":
			default:
				t.Fatalf("tcId %d: unknown result %q", tc.TcID, tc.Result)
			}
			if got != want {
				t.Errorf("tcId %d (%s, %v): MAC matches = %v, want %v (computed %x, tag %x)",
					tc.TcID, tc.Comment, tc.Flags, got, want, out[:tagLen], tag)
			}
		}
	}
	t.Logf("Wycheproof HMAC-SHA256: %d cases ran (%d valid, %d invalid)", ran, valid, ran-valid)
	if ran < wycheproofMACCases || ran != f.NumberOfTests {
		t.Fatalf("ran %d cases; the file declares %d and %d are expected", ran, f.NumberOfTests, wycheproofMACCases)
	}
}

func mustHex(t *testing.T, tcID int, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("tcId %d: %v", tcID, err)
	}
	return b
}
