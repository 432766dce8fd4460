package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/cluster"
	"github.com/zhsearch/zhsearch/index"
)

// serveConfig is the effective configuration of serve.
type serveConfig struct {
	dataDir, indexDir, addr string
	// journal is the edit journal's path ("": DATA/journal/edits.log).
	journal string
	// nats lists the NATS servers of a cluster ("": a single server);
	// replica names this replica in it (cluster.go).
	nats, replica string
	// searchCache is how many result pages are cached (0: off).
	searchCache int
	// relatedCache is how many related lists are cached (0: off).
	relatedCache int
	// postingsCache is --postings-cache-mb as given; validate turns it
	// into postingsCacheBytes, the memory for decoded postings as
	// index.LiveConfig.PostingsCache takes it (0, the zero value: by the
	// index's size; negative: none kept).
	postingsCache      string
	postingsCacheBytes int64
	// poll is how often CURRENT is checked for an offline reindex (0: off,
	// SIGHUP only; serve passes it to LiveConfig.Poll as -1).
	poll time.Duration
	ops  opsConfig // config.go
	// corsOrigins may call the API from their pages (api.ParseOrigins).
	corsOrigins []string
	// debugAddr, when set, serves Go's profiler (net/http/pprof) on a
	// listener of its own, never on the public one (debug.go).
	debugAddr string
	// metricsAddr, when set, serves GET /metrics on a listener of its own,
	// and the public one does not (debug.go).
	metricsAddr string
	// cpus is how many CPUs the server has: searches and related lists
	// computed at once (--max-concurrent) and builds go by it, not by
	// GOMAXPROCS, which runServe raises above it (schedulerProcs); 0:
	// GOMAXPROCS.
	cpus int
	// ready, when set, receives the listener's address once it accepts
	// connections (tests listen on :0); debugReady the profiler's.
	ready, debugReady, metricsReady func(addr string)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--data DIR] [--index DIR] [--addr HOST:PORT] [flags]\n\nSet ZHSEARCH_ADMIN_TOKEN to turn on the admin API (reindex, article edits, statistics) under /api/v1/admin/.", stderr)
	cfg := serveConfig{}
	envs := bindServeFlags(fs, &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(envs); err != nil {
		fmt.Fprintf(stderr, "zhsearch serve: invalid configuration:\n%v\n", err)
		return errUsage
	}
	cfg.cpus = machineCPUs()
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(schedulerProcs(cfg.cpus))
	}
	logger := newLogger(stderr, cfg.ops.logFormat, cfg.ops.logLevel)
	// bleve reports through the standard log package ("unable to load
	// snapshot …"): its lines go through the same handler, as JSON lines
	// among the others rather than plain text in the middle of them.
	slog.SetDefault(logger)
	for _, key := range envs.unknownEnv(os.Environ()) {
		logger.Warn("environment variable ignored: it is no setting of zhsearch serve (misspelt, or of another version?)", "variable", key)
	}
	err := checkDataFolder(cfg.dataDir)
	if err == nil {
		err = serve(ctx, cfg, logger)
	}
	if err != nil {
		if _, text := logger.Handler().(*slog.TextHandler); !text {
			// Log pipelines read the JSON lines: the error that stops the
			// server (a journal to repair, a full disk) is one of them,
			// not a plain line after them.
			logger.Error("zhsearch serve stopped", "err", err.Error())
			return reported{err}
		}
	}
	return err
}

// reported is an error the command has logged already: main exits 1
// without printing it again.
type reported struct{ err error }

func (r reported) Error() string { return r.err.Error() }
func (r reported) Unwrap() error { return r.err }

// checkDataFolder reports a data folder that is a file, or that cannot be
// read, as itself: otherwise the first thing to fail was the edit
// journal inside it, and its error named the journal.
func checkDataFolder(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // a server may start before its data; a build says what is missing
	case err != nil:
		return fmt.Errorf("data folder: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("data folder %s: not a folder", dir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	defer f.Close()
	if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("data folder: %w", err)
	}
	return nil
}

// serve opens (building if needed) the index and serves until ctx ends,
// then shuts down gracefully.
func serve(ctx context.Context, cfg serveConfig, logger *slog.Logger) error {
	logger.Info("configuration", "version", zhsearch.Version(), "config", cfg)
	releaseHUP := holdSIGHUP(logger)
	defer func() { releaseHUP() }()
	var live *index.Live
	obs := newObservability(func() liveIndex {
		if live == nil {
			return nil
		}
		return live
	})
	// A replica of a cluster (--nats) reads and writes edits through the
	// cluster's stream (cluster.go); a single server its local journal.
	var link *clusterLink
	closeNode := func() {
		if link != nil {
			link.close()
			link = nil
		}
	}
	defer closeNode()
	// The address is taken first: a port in use is said at once, not after
	// a first build of minutes, or a replica's download of its cluster's
	// generation. Until the index is open the server answers /healthz (the
	// process is alive: a liveness probe must not kill a first build, or a
	// replica waiting for NATS) and 503 to everything else
	// (startingService).
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // srv.Serve closes it too; closing it twice is harmless
	handler := &swapHandler{}
	starting := obs.apiServer(cfg, startingService{}, startingService{}, nil, logger)
	starting.Starting = true
	handler.set(starting.Handler())
	srv := cfg.httpServer(handler, logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer srv.Close() // a failed start; after a graceful Shutdown, nothing
	// The profiler and the metrics listeners answer from here on: a first
	// build, or a replica waiting for NATS or downloading its cluster's
	// generation, is watched like a server that serves (the on-call's
	// black box was a first build that said nothing for 20 minutes).
	if cfg.debugAddr != "" {
		stopDebug, err := serveDebug(cfg.debugAddr, cfg.debugReady, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	if cfg.metricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.metricsAddr, obs.metrics.Handler(), cfg.metricsReady, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	var editLog index.EditLog
	if cfg.nats != "" {
		node, err := joinCluster(ctx, cfg, logger)
		switch {
		case err != nil && ctx.Err() != nil:
			// SIGTERM while waiting for NATS or installing the
			// cluster's generation: a stop asked for (exit 0).
			logger.Info("stopped while joining the cluster", "err", err)
			return nil
		case errors.Is(err, errNotJoined):
			logger.Warn("cannot reach the cluster: serving the local generation as it is, without the edits made since, "+
				"and joining in the background; edits and reindexes answer 503 until then", "err", err)
		case err != nil:
			return err
		}
		link = &clusterLink{replica: cfg.replica}
		if node != nil {
			link.node.Store(node)
		}
		editLog = link
	}
	start := time.Now()
	built, err := ensureIndex(ctx, cfg, logger, editLog, &obs.first)
	if built {
		obs.metrics.ObserveReindex(time.Since(start), err)
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// SIGTERM or Ctrl-C during the first build: a stop asked for, as
		// at any other time (exit 0); nothing half-built is kept.
		logger.Info("stopped during the first index build; the next start builds it again")
		return nil
	}
	if err != nil {
		return err
	}
	poll := cfg.poll
	if poll <= 0 {
		poll = -1 // off
	}
	lcfg := index.LiveConfig{IndexDir: cfg.indexDir, DataDir: cfg.dataDir, Journal: cfg.journal, MaxArticleBytes: cfg.ops.maxArticleBytes,
		SearchCache: offIfZero(cfg.searchCache), RelatedCache: offIfZero(cfg.relatedCache), PostingsCache: cfg.postingsCacheBytes,
		BuildCPUs: cfg.cpus, Edits: cfg.ops.adminToken != "", Poll: poll, Logger: logger, Observer: obs.metrics}
	if link != nil {
		lcfg.Edits, lcfg.Log, lcfg.OnBuilt = false, link, link.OnBuilt
	}
	live, err = index.OpenLive(lcfg)
	if err != nil {
		return err
	}
	defer func() {
		closeNode() // stop applying the stream first
		if err := live.Close(); err != nil {
			logger.Error("closing the index", "err", err)
			return
		}
		logger.Info("index closed")
	}()
	var (
		svc   zhsearch.SearchService = live
		admin zhsearch.AdminService  = live
		stats func() any
	)
	if lk := link; lk != nil { // link is nil once closed: the closures keep lk
		lk.live = live
		stats = func() any { return lk.Status() }
		registerClusterMetrics(obs.metrics.Registry(), lk.Status)
		if node := lk.node.Load(); node != nil {
			node.Start(live)
			svc, admin = clusterService{live, node}, node
		} else {
			admin = detachedAdmin{}
			lk.attach(cfg, logger, func(node *cluster.Node) {
				handler.set(obs.apiServer(cfg, clusterService{live, node}, node, stats, logger).Handler())
			})
		}
	}
	stopHUP := reloadOnSIGHUP(ctx, live, logger)
	defer stopHUP()
	releaseHUP()
	releaseHUP = func() {}

	handler.set(obs.apiServer(cfg, svc, admin, stats, logger).Handler())
	n, _ := live.DocCount()
	logger.Info("serving", "addr", ln.Addr().String(), "articles", n, "generation", live.Generation())
	if cfg.ready != nil {
		cfg.ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish, then (deferred above)
	// close the index.
	logger.Info("shutting down", "timeout", cfg.ops.shutdownTimeout.String())
	shutCtx, cancel := context.Background(), context.CancelFunc(func() {})
	if cfg.ops.shutdownTimeout > 0 {
		shutCtx, cancel = context.WithTimeout(shutCtx, cfg.ops.shutdownTimeout)
	}
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		srv.Close()
		// Closing their connections ends the requests still running; they
		// are logged and counted (499) as they return, which takes a
		// moment: the process must not exit under them (a probe saw a cut
		// request in no log; here they are logged with or without the
		// wait, which closes the race).
		handler.drain(cutRequestsWait)
		return fmt.Errorf("shutdown: in-flight requests did not finish: %w", err)
	}
	logger.Info("all requests finished")
	return nil
}

// machineCPUs is the number of CPUs the process may use (container limits
// included), whatever GOMAXPROCS says: read once, before serve raises
// GOMAXPROCS. An operator who pins GOMAXPROCS pins Go's Ps, not the CPU
// count that --max-concurrent and the build's workers are derived from
// (GOMAXPROCS=4 on 2 CPUs gave 5 search slots, not 3).
var machineCPUs = sync.OnceValue(cpusAvailable)

// cpusAvailable is Go's default GOMAXPROCS, as if the environment set
// none and nothing had changed it; GOMAXPROCS is left as it was.
func cpusAvailable() int {
	prev := runtime.GOMAXPROCS(0)
	runtime.SetDefaultGOMAXPROCS()
	n := runtime.GOMAXPROCS(0)
	if n != prev || os.Getenv("GOMAXPROCS") != "" {
		runtime.GOMAXPROCS(prev)
	}
	return n
}

// schedulerProcs is the server's GOMAXPROCS on cpus CPUs: twice as many.
// Go's scheduler notices that a connection has a request to read, or can
// take a response, when a P goes looking for work; with every P running
// a search of several milliseconds, only its monitor does, every 10 ms,
// so requests waited for it. With Ps to spare, an idle one waits on the
// network and the kernel shares the CPUs out in slices finer than Go's
// 10 ms. Admission (--max-concurrent) still holds computations to about
// one per CPU. At 100k articles on 2 CPUs and 16 connections, search's
// p99 went from 86–120 ms to 38–50 ms at the same throughput
// (BENCHMARKS.md, "Ps to spare"). GOMAXPROCS in the environment wins.
func schedulerProcs(cpus int) int { return 2 * cpus }

// offIfZero turns a flag's 0 (off) into LiveConfig's -1 (off; 0 there is
// the default).
func offIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// swapHandler serves with the handler set last: the starting one until
// the index is open, then the service's; it counts the requests it is
// serving, so that shutdown can wait for them (drain).
type swapHandler struct {
	h        atomic.Pointer[http.Handler]
	inFlight sync.WaitGroup
}

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	defer s.inFlight.Done()
	(*s.h.Load()).ServeHTTP(w, r)
}

// drain waits for the requests being served to return, at most wait.
func (s *swapHandler) drain(wait time.Duration) {
	done := make(chan struct{})
	go func() { s.inFlight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
	}
}

// cutRequestsWait bounds how long shutdown waits, after closing their
// connections, for the requests its timeout cut to be logged.
const cutRequestsWait = 2 * time.Second

// startingService answers for the index while it is being opened or
// first built: every search, list, article and edit is 503 unavailable
// (with Retry-After), /readyz too, through the API server itself, so a
// browser gets the site's pages and error page, not raw JSON, and /healthz
// answers 200 (the process is alive: a liveness probe must not kill a
// first build of minutes).
type startingService struct{}

func (startingService) err() error {
	return zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the index is being opened or built: try again shortly")
}

func (s startingService) Search(context.Context, zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
	return nil, s.err()
}

func (s startingService) Suggest(context.Context, zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	return nil, s.err()
}

func (s startingService) Related(context.Context, zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	return nil, s.err()
}

func (s startingService) Article(context.Context, string) (*zhsearch.Article, error) {
	return nil, s.err()
}

func (s startingService) Ready(context.Context) error { return s.err() }

func (s startingService) PutArticle(context.Context, *zhsearch.Article) (*zhsearch.EditResult, error) {
	return nil, s.err()
}

func (s startingService) DeleteArticle(context.Context, string) (*zhsearch.EditResult, error) {
	return nil, s.err()
}

func (s startingService) StartReindex(context.Context) (*zhsearch.ReindexJob, error) {
	return nil, s.err()
}

func (s startingService) ReindexJob(context.Context, string) (*zhsearch.ReindexJob, error) {
	return nil, s.err()
}
