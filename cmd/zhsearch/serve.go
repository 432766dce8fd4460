package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
)

// serveConfig is the effective configuration of serve.
type serveConfig struct {
	dataDir, indexDir, addr string
	// corsOrigins may call the API from their pages (api.ParseOrigins).
	corsOrigins []string
	// ready, when set, receives the listener's address once it accepts
	// connections (tests listen on :0).
	ready func(addr string)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--data DIR] [--index DIR] [--addr HOST:PORT] [--cors-origins LIST]", stderr)
	cfg := serveConfig{}
	fs.StringVar(&cfg.dataDir, "data", env("ZHSEARCH_DATA", "./data"), "data folder: *.jsonl and page exports *.txt (env ZHSEARCH_DATA)")
	fs.StringVar(&cfg.indexDir, "index", env("ZHSEARCH_INDEX", "./var/index"), "index folder (env ZHSEARCH_INDEX)")
	fs.StringVar(&cfg.addr, "addr", env("ZHSEARCH_ADDR", ":8080"), "listen address HOST:PORT (env ZHSEARCH_ADDR)")
	cors := fs.String("cors-origins", env("ZHSEARCH_CORS_ORIGINS", ""),
		"comma-separated origins (https://site.example) whose pages may call the API, or *; default none: same origin only (env ZHSEARCH_CORS_ORIGINS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var err error
	if cfg.corsOrigins, err = api.ParseOrigins(*cors); err != nil {
		fmt.Fprintf(stderr, "zhsearch serve: --cors-origins: %v\n", err)
		return errUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	return serve(ctx, cfg, logger)
}

// serve opens (building if needed) the index and serves until ctx ends,
// then shuts down gracefully.
func serve(ctx context.Context, cfg serveConfig, logger *slog.Logger) error {
	ix, err := index.Open(cfg.indexDir)
	if errors.Is(err, index.ErrNoIndex) {
		logger.Info("no index yet: building it", "data", cfg.dataDir, "index", cfg.indexDir)
		stats, berr := index.Build(ctx, cfg.dataDir, cfg.indexDir, index.BuildOptions{})
		if berr != nil {
			return berr
		}
		logger.Info("index built", "articles", stats.Articles, "title_only", stats.TitleOnly, "took", stats.Took.Round(time.Millisecond))
		ix, err = index.Open(cfg.indexDir)
	}
	if err != nil {
		return err
	}
	defer ix.Close()

	srv := &http.Server{
		Handler:           (&api.Server{Service: ix, Logger: logger, CORSOrigins: cfg.corsOrigins}).Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	n, _ := ix.DocCount()
	logger.Info("serving", "addr", ln.Addr().String(), "articles", n, "generation", ix.Path())
	if cfg.ready != nil {
		cfg.ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}
