package main

import (
	"testing"

	"github.com/fastjwt/session/examples/frameworks/internal/flowtest"
)

func TestFlow(t *testing.T) { flowtest.Serve(t, newHandler) }
