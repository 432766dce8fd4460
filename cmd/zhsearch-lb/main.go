// Command zhsearch-lb is the small load balancer of the docker-compose
// cluster profile: one port in front of several zhsearch replicas. It
// sends each request to the next replica whose /readyz answers 200 (round
// robin), checks them every --check interval, and retries a GET or HEAD
// on the next replica when one cannot be reached or has not started to
// answer within --timeout. Production sites
// usually have a load balancer of their own; any that checks /readyz
// will do.
//
//	zhsearch-lb --backends http://replica1:8080,http://replica2:8080 [--addr :8080] [--check 1s] [--timeout 5s] [--write-timeout 35s]
//	zhsearch-lb probe [--url URL]   # exit 0 when the balancer's /readyz answers 200 (health check)
//
// Each flag also reads an environment variable: ZHSEARCH_LB_BACKENDS,
// ZHSEARCH_LB_ADDR, ZHSEARCH_LB_CHECK, ZHSEARCH_LB_TIMEOUT,
// ZHSEARCH_LB_WRITE_TIMEOUT.
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
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if len(args) > 0 && args[0] == "probe" {
		return probe(ctx, args[1:], stderr)
	}
	fs := flag.NewFlagSet("zhsearch-lb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("ZHSEARCH_LB_ADDR", ":8080"), "listen address HOST:PORT (env ZHSEARCH_LB_ADDR)")
	list := fs.String("backends", os.Getenv("ZHSEARCH_LB_BACKENDS"), "comma-separated replica base URLs (env ZHSEARCH_LB_BACKENDS)")
	check := fs.String("check", envOr("ZHSEARCH_LB_CHECK", "1s"), "how often each replica's /readyz is asked (env ZHSEARCH_LB_CHECK)")
	readWait := fs.String("timeout", envOr("ZHSEARCH_LB_TIMEOUT", defaultTimeouts.read.String()),
		"how long a GET or HEAD waits for a replica's answer to start before it goes to the next replica (env ZHSEARCH_LB_TIMEOUT)")
	writeWait := fs.String("write-timeout", envOr("ZHSEARCH_LB_WRITE_TIMEOUT", defaultTimeouts.write.String()),
		"how long another request (an edit, a reindex) waits for a replica's answer to start before it is answered 502 (env ZHSEARCH_LB_WRITE_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	urls, err := parseBackends(*list)
	var every time.Duration
	var to timeouts
	for _, d := range []struct {
		flag, value string
		into        *time.Duration
	}{{"check", *check, &every}, {"timeout", *readWait, &to.read}, {"write-timeout", *writeWait, &to.write}} {
		v, derr := time.ParseDuration(d.value)
		if err == nil && (derr != nil || v <= 0) {
			err = fmt.Errorf("--%s %q: want a positive duration such as 1s", d.flag, d.value)
		}
		*d.into = v
	}
	if err != nil {
		fmt.Fprintf(stderr, "zhsearch-lb: %v\n", err)
		return 2
	}
	b := newBalancer(urls, to, log)
	b.checkAll(ctx)
	go b.watch(ctx, every)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("listen", "err", err)
		return 1
	}
	srv := &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	log.Info("balancing", "addr", ln.Addr().String(), "backends", *list)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		log.Error("serve", "err", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// parseBackends splits --backends into http(s) base URLs.
func parseBackends(s string) ([]*url.URL, error) {
	var urls []*url.URL
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--backends: %q: want http://HOST:PORT", part)
		}
		urls = append(urls, u)
	}
	if len(urls) == 0 {
		return nil, errors.New("--backends: name at least one replica (http://HOST:PORT)")
	}
	return urls, nil
}

// probe asks the balancer's /readyz (images FROM scratch have no curl):
// 0 when it answers 200, 1 otherwise.
func probe(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("zhsearch-lb probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	u := fs.String("url", "", "URL to ask (default: /readyz on ZHSEARCH_LB_ADDR's port on loopback)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *u == "" {
		_, port, err := net.SplitHostPort(envOr("ZHSEARCH_LB_ADDR", ":8080"))
		if err != nil {
			fmt.Fprintf(stderr, "zhsearch-lb probe: ZHSEARCH_LB_ADDR: %v\n", err)
			return 2
		}
		*u = "http://" + net.JoinHostPort("127.0.0.1", port) + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *u, nil)
	if err != nil {
		fmt.Fprintf(stderr, "zhsearch-lb probe: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "zhsearch-lb probe: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "zhsearch-lb probe: %s: %s\n", *u, resp.Status)
		return 1
	}
	return 0
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
