package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"
)

// serveDebug serves Go's profiler on addr until the returned stop is
// called. The profiler has a listener of its own so that it can stay on
// loopback or a private network while the API faces readers: profiles
// name the code and can cost seconds of CPU each. It is how the costs of a
// live server under load are read (BENCHMARKS.md):
//
//	go tool pprof 'http://127.0.0.1:6060/debug/pprof/profile?seconds=10'
func serveDebug(addr string, ready func(string), logger *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // heap, goroutine, allocs, block, mutex …
	// No /debug/pprof/cmdline: it shows the command line, and an
	// --admin-token passed there (pprof.Index answers it 404).
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return serveSide("profiler", "--debug-addr", addr, mux, func(a string) {
		if ap, err := netip.ParseAddrPort(a); err == nil && !ap.Addr().IsLoopback() {
			logger.Warn("the profiler listens beyond loopback: keep --debug-addr on a private network, as profiles name the code and cost CPU", "addr", a)
		}
		if ready != nil {
			ready(a)
		}
	}, logger)
}

// serveMetrics serves h, the metrics, as GET /metrics on addr until the
// returned stop is called: scrapers reach it on a private network, and
// the public listener answers /metrics 404 (a flood of it there refused
// Prometheus's own scrapes).
func serveMetrics(addr string, h http.Handler, ready func(string), logger *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return serveSide("metrics", "--metrics-addr", addr, mux, ready, logger)
}

// serveSide serves h on addr, a listener beside the public one, until the
// returned stop is called.
func serveSide(name, flag, addr string, h http.Handler, ready func(string), logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", flag, err)
	}
	// No write timeout: a CPU profile or a trace answers after the seconds
	// it was asked for.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error(name+" listener", "err", err)
		}
	}()
	logger.Info(name+" serving", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close() // a profile still being taken
		}
		<-done
	}, nil
}
