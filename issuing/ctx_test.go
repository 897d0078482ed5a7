package issuing_test

import "context"

var ctx = context.Background()
