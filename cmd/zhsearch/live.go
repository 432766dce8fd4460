package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/journal"
)

// ensureIndex builds the index from the data folder when the index folder
// holds none yet, and reports whether it built. If another process is
// building it, it waits for that build to finish. The build replays log,
// a cluster's stream, or when nil the journal.
func ensureIndex(ctx context.Context, cfg serveConfig, logger *slog.Logger, log index.EditLog, progress *buildProgress) (built bool, err error) {
	for {
		_, err := index.CurrentGeneration(cfg.indexDir)
		if !errors.Is(err, index.ErrNoIndex) {
			return false, err // built by another process meanwhile, or unreadable
		}
		if log == nil {
			// A server already writing this journal would make this one
			// refuse it once built: refuse before the build, not after.
			if err := journal.CheckFree(journal.PathOf(cfg.dataDir, cfg.journal)); err != nil {
				return false, err
			}
		}
		logger.Info("no index yet: building it", "data", cfg.dataDir, "index", cfg.indexDir)
		progress.running.Store(true)
		stats, err := index.Build(ctx, cfg.dataDir, cfg.indexDir, index.BuildOptions{Journal: cfg.journal, Log: log, CPUs: cfg.cpus,
			MaxArticleBytes: cfg.ops.maxArticleBytes, Progress: func(done, total int) { progress.report(logger, done, total) }})
		progress.running.Store(false)
		if err == nil {
			logger.Info("index built", "articles", stats.Articles, "title_only", stats.TitleOnly,
				"edits", stats.Edits, "took_ms", stats.Took.Milliseconds())
			for _, w := range stats.Warnings {
				logger.Warn(w)
			}
			return true, nil
		}
		if !errors.Is(err, index.ErrLocked) {
			return true, err
		}
		// Another process's build: not this one's to count.
		logger.Info("another process is building the index: waiting for it")
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// holdSIGHUP keeps a SIGHUP that arrives before the index is open from
// ending the process, Go's default for it: during the first build, or
// while a replica joins its cluster, there is no generation to switch to
// yet, so it is logged and dropped. stop ends the hold; call it once
// reloadOnSIGHUP has taken SIGHUP over.
func holdSIGHUP(logger *slog.Logger) (stop func()) {
	return onSIGHUP(context.Background(), func() {
		logger.Info("SIGHUP before the index is open: nothing to switch yet")
	})
}

// reloadOnSIGHUP makes SIGHUP switch the server to the generation CURRENT
// names (the poll does the same within a second). It returns a stop
// function.
func reloadOnSIGHUP(ctx context.Context, ix *index.Live, logger *slog.Logger) (stop func()) {
	return onSIGHUP(ctx, func() {
		if err := ix.Reload(); err != nil {
			logger.Error("SIGHUP: cannot switch generations; still serving the old one", "err", err)
		} else {
			logger.Info("SIGHUP: serving", "generation", ix.Generation())
		}
	})
}

// onSIGHUP calls fn on each SIGHUP, one at a time, until ctx is done or
// stop is called; meanwhile SIGHUP does not end the process.
func onSIGHUP(ctx context.Context, fn func()) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-quit:
				return
			case <-hup:
				fn()
			}
		}
	}()
	return func() { signal.Stop(hup); close(quit); <-done }
}
