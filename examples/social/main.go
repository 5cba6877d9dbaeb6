package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, logger, os.Stdout); err != nil {
		logger.Error("social: " + err.Error())
		os.Exit(1)
	}
}

// run parses the flags, starts the app and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, logger *slog.Logger, out io.Writer) error {
	fs := flag.NewFlagSet("social", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	devOIDC := fs.Bool("dev-oidc", true, "offer \"Sign in with Dev OIDC\", a local test provider (never in production)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	h, closeApp, err := newApp(ctx, Config{BaseURL: base, DevOIDC: *devOIDC, Getenv: getenv, Logger: logger})
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() { _ = closeApp() }()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "social: open %s/\n", base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
