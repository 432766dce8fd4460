package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
)

// serveConfig is the effective configuration of serve.
type serveConfig struct {
	dataDir, indexDir, addr string
	// adminToken turns the admin API and live edits on (ZHSEARCH_ADMIN_TOKEN).
	adminToken string
	// poll is how often CURRENT is checked for an offline reindex (0: 1s;
	// negative: never, SIGHUP only).
	poll time.Duration
	// corsOrigins may call the API from their pages (api.ParseOrigins).
	corsOrigins []string
	// ready, when set, receives the listener's address once it accepts
	// connections (tests listen on :0).
	ready func(addr string)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--data DIR] [--index DIR] [--addr HOST:PORT] [--cors-origins LIST] [--poll DURATION]\n\nSet ZHSEARCH_ADMIN_TOKEN to turn on the admin API (reindex, article edits) under /api/v1/admin/.", stderr)
	cfg := serveConfig{}
	fs.StringVar(&cfg.dataDir, "data", env("ZHSEARCH_DATA", "./data"), "data folder: *.jsonl and page exports *.txt (env ZHSEARCH_DATA)")
	fs.StringVar(&cfg.indexDir, "index", env("ZHSEARCH_INDEX", "./var/index"), "index folder (env ZHSEARCH_INDEX)")
	fs.StringVar(&cfg.addr, "addr", env("ZHSEARCH_ADDR", ":8080"), "listen address HOST:PORT (env ZHSEARCH_ADDR)")
	fs.DurationVar(&cfg.poll, "poll", time.Second, "how often to look for a generation built by an offline reindex;\n0 turns polling off (then send SIGHUP)")
	cors := fs.String("cors-origins", env("ZHSEARCH_CORS_ORIGINS", ""),
		"comma-separated origins (https://site.example) whose pages may call the API, or *; default none: same origin only (env ZHSEARCH_CORS_ORIGINS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.adminToken = os.Getenv("ZHSEARCH_ADMIN_TOKEN")
	if cfg.poll <= 0 {
		cfg.poll = -1 // off
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
	if err := ensureIndex(ctx, cfg, logger); err != nil {
		return err
	}
	ix, err := index.OpenLive(index.LiveConfig{IndexDir: cfg.indexDir, DataDir: cfg.dataDir,
		Edits: cfg.adminToken != "", Poll: cfg.poll, Logger: logger})
	if err != nil {
		return err
	}
	defer ix.Close()
	stopHUP := reloadOnSIGHUP(ctx, ix, logger)
	defer stopHUP()

	srv := &http.Server{
		Handler: (&api.Server{Service: ix, Logger: logger, CORSOrigins: cfg.corsOrigins,
			Admin: ix, AdminToken: cfg.adminToken}).Handler(),
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
	logger.Info("serving", "addr", ln.Addr().String(), "articles", n, "generation", ix.Generation())
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
