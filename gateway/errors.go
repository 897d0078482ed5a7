package gateway

import "errors"

// ErrConfig is matched (errors.Is) by every error of New that refuses a Config, and of Swap that
// refuses a Gateway of another mode; the message says why.
var ErrConfig = errors.New("gateway: invalid configuration")

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("gateway: server closed")
