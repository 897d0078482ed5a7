package sessiontest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// RunConcurrent runs many clients in parallel, each with its own session, and checks that no
// request sees another client's session.
func RunConcurrent(t *testing.T, st Stack) {
	clk := NewClock()
	base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(5)}), session.Config{}, &hooks{})
	const clients, rounds = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	jars := make([]*http.Client, clients)
	for i := range jars {
		jars[i] = newClient(t)
	}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := jars[i]
			id := "client-" + strconv.Itoa(i)
			for n := 1; n <= rounds; n++ {
				req, _ := http.NewRequest("GET", base+"/?op=id", nil)
				req.Header.Set("X-Client", id)
				res, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if want := id + " " + strconv.Itoa(n); string(body) != want {
					errs <- fmt.Errorf("got %q, want %q", body, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Bearer: each client's token, subject and forwarded header stay its own; every other
	// request carries no token and must not see a previous request's claims.
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(6)})
	b, err := bearer.New(codec, bearer.Config{Optional: true, Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}}})
	if err != nil {
		t.Fatal(err)
	}
	bbase, stop := st.ServeBearer(t, b, nil, bearerHandler)
	t.Cleanup(stop)
	errs = make(chan error, clients)
	tokens := make([]string, clients)
	for i := range tokens {
		tokens[i] = sign(t, codec, `{"sub":"user-`+strconv.Itoa(i)+`"}`)
	}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub, tok := "user-"+strconv.Itoa(i), tokens[i]
			for n := range rounds {
				req, _ := http.NewRequest("GET", bbase+"/", nil)
				want := `anonymous user="" payload=""`
				if n%2 == 0 {
					req.Header.Set("Authorization", "Bearer "+tok)
					want = `sub=` + sub + ` user="` + sub + `" roles="" tenant="" payload=""`
				}
				res, err := plainClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(body) != want {
					errs <- fmt.Errorf("got %q, want %q", body, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
