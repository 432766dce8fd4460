package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// runHealthcheck asks a running server whether it is ready, for container
// health checks: images FROM scratch have no curl. It exits 0 when the URL
// answers 200, 1 otherwise; a URL without a path probes its /readyz.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", "[--url URL] [--timeout 3s]", stderr)
	u := fs.String("url", env("ZHSEARCH_HEALTHCHECK_URL", ""), "URL to probe, /readyz when it names no path (env ZHSEARCH_HEALTHCHECK_URL; default: /readyz on ZHSEARCH_ADDR's port on loopback)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *u == "" {
		var err error
		if *u, err = readyzURL(env("ZHSEARCH_ADDR", ":8080")); err != nil {
			fmt.Fprintf(stderr, "zhsearch healthcheck: %v\n", err)
			return errUsage
		}
	}
	p, err := url.Parse(*u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		fmt.Fprintf(stderr, "zhsearch healthcheck: --url %q: want an http:// or https:// URL\n", *u)
		return errUsage
	}
	if p.Path == "" || p.Path == "/" {
		// The server's address alone: its root is the search page, which
		// answers 200 whether or not an index is being served.
		p.Path = "/readyz"
		*u = p.String()
	}
	if *timeout <= 0 {
		fmt.Fprintln(stderr, "zhsearch healthcheck: --timeout must be positive")
		return errUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *u, nil)
	if err != nil {
		return err
	}
	// Only /readyz's own answer counts: a redirect (a proxy's login page,
	// the site's home) would pass whatever the server's state.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", *u, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %s", *u, resp.Status)
	}
	fmt.Fprintf(stdout, "%s: %s\n", *u, resp.Status)
	return nil
}

// readyzURL turns a listen address into the URL of its /readyz on loopback
// (an address that listens on all interfaces also listens there).
func readyzURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New("ZHSEARCH_ADDR is not HOST:PORT")
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
