// Command certportal runs a certification program's candidate portal. See
// README.md, or run `certportal help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"example.org/certportal/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := (&app.Main{}).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
