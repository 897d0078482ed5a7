package main

import (
	"net/http/httptest"
	"testing"

	"github.com/fastjwt/session/examples/frameworks/internal/app"
	"github.com/fastjwt/session/examples/frameworks/internal/flowtest"
)

func TestFlow(t *testing.T) {
	a, err := app.New([]byte(flowtest.Secret), flowtest.User, flowtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(a))
	defer srv.Close()
	flowtest.Run(t, srv.URL)
}
