package redisstore

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/issuing/issuingtest"
	"github.com/redis/rueidis"
)

var contractFamilies atomic.Int64

// The families meet the contract of issuing.Families on a real redis-server, which expires the
// records by its own clock: through a client made by Dial, and through one the caller made
// (given to New). Each case has a prefix of its own.
func TestFamiliesContract(t *testing.T) {
	needRedis(t)
	prefix := func(t *testing.T) string {
		return fmt.Sprintf("fcontract:%d:%s:", contractFamilies.Add(1), strings.ReplaceAll(t.Name(), "/", ":"))
	}
	t.Run("Dial", func(t *testing.T) {
		issuingtest.Run(t, func(t *testing.T) issuing.Families {
			return dial(t, shared, Options{Prefix: prefix(t), Timeout: contractTimeout}).Families()
		})
	})
	t.Run("New", func(t *testing.T) {
		client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{shared.Addr()}, PipelineMultiplex: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		issuingtest.Run(t, func(t *testing.T) issuing.Families {
			r, err := New(client, Options{Prefix: prefix(t), Timeout: contractTimeout})
			if err != nil {
				t.Fatal(err)
			}
			return r.Families()
		})
	})
}
