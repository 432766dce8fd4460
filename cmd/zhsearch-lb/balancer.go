package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"
)

// balancer spreads requests round robin over the backends whose /readyz
// answers 200, and names the one that answered in the X-Zhsearch-Replica
// response header. A GET or HEAD that cannot reach its backend (a replica
// that died since the last check), or that waits longer than its timeout
// for the answer to start (a replica frozen or wedged: its kernel still
// accepts the connection), is sent to the next one; that backend counts as
// down until a check finds it ready again.
type balancer struct {
	backends []*backend
	next     atomic.Uint64
	// reads carries GET and HEAD (searches, lists, pages), which wait
	// timeouts.read at most for an answer to start; writes the others
	// (edits, admin), which wait timeouts.write.
	reads, writes http.RoundTripper
	client        *http.Client // health checks
	log           *slog.Logger
	proxy         *httputil.ReverseProxy
}

// timeouts bound how long the balancer waits for a replica's answer to
// start, by kind of request.
type timeouts struct {
	// read is a GET's or a HEAD's: a replica answers a search within its
	// --search-timeout (2 s by default), a 503 included; one that has not
	// started to answer by then is stuck, and the request goes to the next.
	read time.Duration
	// write is any other request's (an edit waits for the cluster's
	// acknowledgement, a reindex starts a job): a replica finishes every
	// answer within its --write-timeout (30 s by default). Past it the
	// answer is a 502, and the request is not sent again: it may have been
	// applied.
	write time.Duration
}

// defaultTimeouts are the balancer's timeouts unless told otherwise.
var defaultTimeouts = timeouts{read: 5 * time.Second, write: 35 * time.Second}

// backend is one replica.
type backend struct {
	url   *url.URL
	ready atomic.Bool
}

// errNoBackend is the proxy's error when no backend is ready.
var errNoBackend = errors.New("no replica is ready")

func newBalancer(urls []*url.URL, to timeouts, log *slog.Logger) *balancer {
	b := &balancer{
		reads:  transportWaiting(to.read),
		writes: transportWaiting(to.write),
		client: &http.Client{Timeout: 2 * time.Second},
		log:    log,
	}
	for _, u := range urls {
		b.backends = append(b.backends, &backend{url: u})
	}
	b.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetXForwarded()
			pr.Out.Host = pr.In.Host
			// The host is chosen per attempt (RoundTrip).
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "backend"
		},
		Transport: b,
		// Which replica answered (host:port), for operators and tests.
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("X-Zhsearch-Replica", resp.Request.URL.Host)
			return nil
		},
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			status, msg := http.StatusBadGateway, "the replica did not answer"
			if errors.Is(err, errNoBackend) {
				status, msg = http.StatusServiceUnavailable, errNoBackend.Error()
			}
			if r.Context().Err() == nil {
				log.Warn("proxy error", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(status)
			io.WriteString(w, `{"error":{"code":"unavailable","message":"`+msg+`"}}`)
		},
	}
	return b
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.proxy.ServeHTTP(w, r) }

// transportWaiting is a transport that waits at most wait for a replica's
// response headers once the request is sent.
func transportWaiting(wait time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = wait
	return t
}

// RoundTrip sends req to a ready backend, and a GET or HEAD without a
// body to the next ready one if that one cannot be reached or does not
// start to answer within the read timeout.
func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	retry := read && (req.Body == nil || req.Body == http.NoBody)
	transport := b.writes
	if read {
		transport = b.reads
	}
	tried := make([]bool, len(b.backends))
	err := errNoBackend
	for range b.backends {
		i := b.pick(tried)
		if i < 0 {
			break
		}
		tried[i] = true
		be := b.backends[i]
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = be.url.Scheme, be.url.Host
		resp, rerr := transport.RoundTrip(out)
		if rerr == nil {
			return resp, nil
		}
		err = rerr
		if req.Context().Err() != nil {
			break
		}
		if be.ready.CompareAndSwap(true, false) {
			b.log.Warn("replica unreachable: out of rotation until it is ready again", "replica", be.url.String(), "err", rerr)
		}
		if !retry {
			break
		}
	}
	return nil, err
}

// pick returns the next ready backend not tried yet in round-robin order,
// or -1.
func (b *balancer) pick(tried []bool) int {
	n := len(b.backends)
	start := int(b.next.Add(1) % uint64(n))
	for k := range n {
		i := (start + k) % n
		if !tried[i] && b.backends[i].ready.Load() {
			return i
		}
	}
	return -1
}

// checkAll asks every backend's /readyz once and updates their state.
func (b *balancer) checkAll(ctx context.Context) {
	done := make(chan struct{}, len(b.backends))
	for _, be := range b.backends {
		go func() {
			defer func() { done <- struct{}{} }()
			ok := b.ready(ctx, be)
			if was := be.ready.Swap(ok); was != ok {
				if ok {
					b.log.Info("replica ready: in rotation", "replica", be.url.String())
				} else {
					b.log.Warn("replica not ready: out of rotation", "replica", be.url.String())
				}
			}
		}()
	}
	for range b.backends {
		<-done
	}
}

// ready reports whether be's /readyz answers 200.
func (b *balancer) ready(ctx context.Context, be *backend) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, be.url.JoinPath("/readyz").String(), nil)
	if err != nil {
		return false
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// watch checks the backends every interval until ctx ends.
func (b *balancer) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.checkAll(ctx)
		}
	}
}
