package main

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// backgroundServe is `zhsearch serve` running in-process for a test.
type backgroundServe struct {
	addr    chan string   // where it listens, once it does
	done    chan struct{} // closed, with err set, once serve returns
	err     error
	started bool // listening returned its address
}

// startBackground runs serve with cfg in a goroutine until ctx ends.
func startBackground(ctx context.Context, cfg serveConfig, logger *slog.Logger) *backgroundServe {
	b := &backgroundServe{addr: make(chan string, 1), done: make(chan struct{})}
	cfg.ready = func(a string) { b.addr <- a }
	go func() {
		defer close(b.done)
		b.err = serve(ctx, cfg, logger)
	}()
	return b
}

// listening returns the server's base URL, or fails t, with logs, if serve
// stops or does not start within two minutes.
func (b *backgroundServe) listening(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	select {
	case a := <-b.addr:
		b.started = true
		return "http://" + a
	case <-b.done:
		t.Fatalf("serve: %v\n%s", b.err, logs)
	case <-time.After(2 * time.Minute):
		t.Fatal("server did not start")
	}
	return ""
}

// stopped waits for serve to return, which it does once its context ends,
// and reports its error if it had started (listening reports the error
// of one that did not). It waits on done, closed once and for all, not on
// a channel its error was read from: a cleanup after a server that failed
// to start does not hang the test.
func (b *backgroundServe) stopped(t *testing.T) {
	t.Helper()
	<-b.done
	if b.err != nil && b.started {
		t.Errorf("serve: %v", b.err)
	}
}
