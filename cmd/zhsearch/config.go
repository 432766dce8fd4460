package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
)

// opsConfig is the production side of serve's configuration: logging,
// server limits, rate limiting and the admin token. Every field has a flag
// whose default comes from a ZHSEARCH_* environment variable.
type opsConfig struct {
	logFormat, logLevel string

	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout time.Duration
	shutdownTimeout, searchTimeout                            time.Duration
	maxHeaderBytes                                            int
	maxBodyBytes                                              int64

	// Admission control (api.Ops): uncached searches and related lists,
	// and drafts, running at once and waiting.
	maxConcurrent, maxQueued             int
	maxConcurrentDrafts, maxQueuedDrafts int
	maxPerClient                         int
	maxArticleBytes                      int64 // builds, LiveConfig and the cluster's Config

	rateLimit      float64
	rateBurst      int
	rateClients    int
	trustedProxies string
	corsOrigins    string // raw --cors-origins; validate parses it into serveConfig.corsOrigins

	adminToken secret
}

// secret is a string flag whose value never appears in usage or logs.
type secret string

// String implements flag.Value; it never shows the value.
func (s *secret) String() string { return "" }

// Set implements flag.Value.
func (s *secret) Set(v string) error { *s = secret(v); return nil }

// LogValue implements slog.LogValuer.
func (s secret) LogValue() slog.Value {
	if s == "" {
		return slog.StringValue("(unset)")
	}
	return slog.StringValue("[redacted]")
}

// envFlags binds flags whose defaults come from environment variables and
// collects the environment values that do not parse.
type envFlags struct {
	fs   *flag.FlagSet
	errs []error
	// fromEnv names, by flag, the variable whose value became its default.
	fromEnv map[string]string
	// keys are the variables bound (unknownEnv).
	keys map[string]bool
}

func (e *envFlags) lookup(key string) (string, bool) {
	e.bind(key)
	v, ok := os.LookupEnv(key)
	return strings.TrimSpace(v), ok && strings.TrimSpace(v) != ""
}

// took records that flag name's default came from variable key.
func (e *envFlags) took(name, key string) {
	if e.fromEnv == nil {
		e.fromEnv = map[string]string{}
	}
	e.fromEnv[name] = key
}

// attribute names the environment variable in each problem with a value
// that came from it (a --flag not given on the command line): an operator
// who set only ZHSEARCH_SHUTDOWN_TIMEOUT=-5s is told so, not about a flag
// never typed.
func (e *envFlags) attribute(errs []error) []error {
	given := map[string]bool{}
	e.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for i, err := range errs {
		msg := err.Error()
		if !strings.HasPrefix(msg, "--") {
			continue
		}
		name := msg[2:]
		if j := strings.IndexAny(name, " :="); j >= 0 {
			name = name[:j]
		}
		if key, ok := e.fromEnv[name]; ok && !given[name] {
			errs[i] = fmt.Errorf("%s (from environment %s)", msg, key)
		}
	}
	return errs
}

func (e *envFlags) bad(key, v, name string, err error) {
	e.errs = append(e.errs, fmt.Errorf("environment %s=%q (default of --%s): %v", key, clipValue(v), name, err))
}

func (e *envFlags) String(p *string, name, key, def, usage string) {
	if v, ok := e.lookup(key); ok {
		def = v
		e.took(name, key)
	}
	e.fs.StringVar(p, name, def, usage+" (env "+key+")")
}

func (e *envFlags) Duration(p *time.Duration, name, key string, def time.Duration, usage string) {
	if v, ok := e.lookup(key); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.bad(key, v, name, errors.New("not a duration such as 2s or 500ms"))
		} else {
			def = d
			e.took(name, key)
		}
	}
	e.fs.DurationVar(p, name, def, usage+" (env "+key+")")
}

func (e *envFlags) Int(p *int, name, key string, def int, usage string) {
	if v, ok := e.lookup(key); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.bad(key, v, name, errors.New("not an integer"))
		} else {
			def = n
			e.took(name, key)
		}
	}
	e.fs.IntVar(p, name, def, usage+" (env "+key+")")
}

func (e *envFlags) Int64(p *int64, name, key string, def int64, usage string) {
	if v, ok := e.lookup(key); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			e.bad(key, v, name, errors.New("not an integer"))
		} else {
			def = n
			e.took(name, key)
		}
	}
	e.fs.Int64Var(p, name, def, usage+" (env "+key+")")
}

func (e *envFlags) Float(p *float64, name, key string, def float64, usage string) {
	if v, ok := e.lookup(key); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			e.bad(key, v, name, errors.New("not a number"))
		} else {
			def = f
			e.took(name, key)
		}
	}
	e.fs.Float64Var(p, name, def, usage+" (env "+key+")")
}

// bind records that variable key sets a flag.
func (e *envFlags) bind(key string) {
	if e.keys == nil {
		e.keys = map[string]bool{}
	}
	e.keys[key] = true
}

// otherCommandsEnv are the ZHSEARCH_ variables of other commands than
// serve, which a service's environment may hold for them.
var otherCommandsEnv = []string{"ZHSEARCH_HEALTHCHECK_URL"}

// unknownEnv returns the ZHSEARCH_ variables of environ that set nothing:
// a misspelt one (ZHSEARCH_SERCH_TIMEOUT) would otherwise leave its
// setting at the default without a word, as would one that a rolled-back
// binary does not know yet.
func (e *envFlags) unknownEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		key, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(key, "ZHSEARCH_") && !e.keys[key] && !slices.Contains(otherCommandsEnv, key) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

func (e *envFlags) Secret(p *secret, name, key, usage string) {
	e.bind(key)
	if v, ok := os.LookupEnv(key); ok {
		*p = secret(v)
	}
	e.fs.Var(p, name, usage+" (env "+key+"; prefer the environment: flags show in ps)")
}

func clipValue(v string) string {
	if len(v) > 40 {
		return v[:40] + "…"
	}
	return v
}

// bindServeFlags defines serve's flags on fs, with environment defaults.
func bindServeFlags(fs *flag.FlagSet, cfg *serveConfig) *envFlags {
	e := &envFlags{fs: fs}
	e.String(&cfg.dataDir, "data", "ZHSEARCH_DATA", "./data", "data folder: *.jsonl and page exports *.txt")
	e.String(&cfg.indexDir, "index", "ZHSEARCH_INDEX", "./var/index", "index folder")
	e.String(&cfg.addr, "addr", "ZHSEARCH_ADDR", ":8080", "listen address HOST:PORT")
	e.String(&cfg.journal, "journal", "ZHSEARCH_JOURNAL", "", "edit journal of live edits, replayed by every reindex (default DATA/journal/edits.log)")
	e.String(&cfg.nats, "nats", "ZHSEARCH_NATS", "",
		"comma-separated NATS server URLs: run as one replica of a cluster sharing edits and generations through JetStream (default: a single server with its local journal)")
	e.String(&cfg.replica, "replica", "ZHSEARCH_REPLICA", "", "this replica's name in a cluster's logs and reindex lock (default: host name and process id)")
	e.Int(&cfg.searchCache, "search-cache", "ZHSEARCH_SEARCH_CACHE", index.DefaultSearchCacheSize,
		"search result pages kept for repeated queries, per index generation (0: off)")
	e.Int(&cfg.relatedCache, "related-cache", "ZHSEARCH_RELATED_CACHE", index.DefaultRelatedOptions().CacheSize,
		"related lists kept for repeated articles, per index generation (0: off)")
	e.String(&cfg.postingsCache, "postings-cache-mb", "ZHSEARCH_POSTINGS_CACHE_MB", "auto",
		"memory in MiB for decoded postings, which every uncached search and related list reads, per index generation "+
			"(0: none kept; auto: 128 per 100,000 articles, from 128 to 2048)")
	e.String(&cfg.debugAddr, "debug-addr", "ZHSEARCH_DEBUG_ADDR", "",
		"listen address of Go's profiler (/debug/pprof/), e.g. 127.0.0.1:6060; keep it off public networks (default: off)")
	e.String(&cfg.metricsAddr, "metrics-addr", "ZHSEARCH_METRICS_ADDR", "",
		"listen address of GET /metrics, e.g. 10.0.0.5:9090, instead of the public --addr (default: --addr)")
	e.Duration(&cfg.poll, "poll", "ZHSEARCH_POLL", time.Second,
		"how often to look for a generation switched by an offline reindex; 0 turns polling off (then send SIGHUP)")
	o, d := &cfg.ops, defaultOpsConfig()
	e.String(&o.logFormat, "log-format", "ZHSEARCH_LOG_FORMAT", d.logFormat, "log format: json, text, or auto (text on a terminal, else json)")
	e.String(&o.logLevel, "log-level", "ZHSEARCH_LOG_LEVEL", d.logLevel, "log level: debug, info, warn or error")
	e.Duration(&o.readHeaderTimeout, "read-header-timeout", "ZHSEARCH_READ_HEADER_TIMEOUT", d.readHeaderTimeout, "time allowed to read a request's headers")
	e.Duration(&o.readTimeout, "read-timeout", "ZHSEARCH_READ_TIMEOUT", d.readTimeout, "time allowed to read a whole request")
	e.Duration(&o.writeTimeout, "write-timeout", "ZHSEARCH_WRITE_TIMEOUT", d.writeTimeout, "time allowed to write a response")
	e.Duration(&o.idleTimeout, "idle-timeout", "ZHSEARCH_IDLE_TIMEOUT", d.idleTimeout, "how long an idle keep-alive connection stays open")
	e.Duration(&o.shutdownTimeout, "shutdown-timeout", "ZHSEARCH_SHUTDOWN_TIMEOUT", d.shutdownTimeout, "on SIGTERM, how long in-flight requests may take to finish (0: as long as they need)")
	e.Duration(&o.searchTimeout, "search-timeout", "ZHSEARCH_SEARCH_TIMEOUT", d.searchTimeout, "deadline of each API request's work (0: none); past it the request answers 503")
	e.Int(&o.maxHeaderBytes, "max-header-bytes", "ZHSEARCH_MAX_HEADER_BYTES", d.maxHeaderBytes, "largest request header block in bytes")
	e.Int64(&o.maxBodyBytes, "max-body-bytes", "ZHSEARCH_MAX_BODY_BYTES", d.maxBodyBytes, "largest request body in bytes")
	e.Int(&o.maxConcurrent, "max-concurrent", "ZHSEARCH_MAX_CONCURRENT", d.maxConcurrent,
		"searches and related lists computed at once (cached answers do not count; 0: no limit)")
	e.Int(&o.maxQueued, "max-queued", "ZHSEARCH_MAX_QUEUED", d.maxQueued,
		"searches and related lists waiting beyond --max-concurrent; past them: 503 unavailable with Retry-After")
	e.Int(&o.maxConcurrentDrafts, "max-concurrent-drafts", "ZHSEARCH_MAX_CONCURRENT_DRAFTS", d.maxConcurrentDrafts,
		"draft related requests (POST /api/v1/related) computed at once (0: no limit)")
	e.Int(&o.maxQueuedDrafts, "max-queued-drafts", "ZHSEARCH_MAX_QUEUED_DRAFTS", d.maxQueuedDrafts,
		"draft related requests waiting, bodies unread, beyond --max-concurrent-drafts")
	e.Int(&o.maxPerClient, "max-per-client", "ZHSEARCH_MAX_PER_CLIENT", d.maxPerClient,
		"of those computed or waiting, at most this many one client IP's (an IPv6 client: its /64) per kind; past it: 429 (0: no bound; set --trusted-proxies behind a balancer first)")
	e.Int64(&o.maxArticleBytes, "max-article-bytes", "ZHSEARCH_MAX_ARTICLE_BYTES", d.maxArticleBytes,
		"largest article in bytes of text, for builds and admin PUTs (an admin PUT body is also bound by --max-body-bytes)")
	e.Float(&o.rateLimit, "rate-limit", "ZHSEARCH_RATE_LIMIT", d.rateLimit, "API requests per second allowed to one client IP (0: no limit)")
	e.Int(&o.rateBurst, "rate-burst", "ZHSEARCH_RATE_BURST", d.rateBurst, "burst of requests allowed to one client IP above --rate-limit")
	e.Int(&o.rateClients, "rate-clients", "ZHSEARCH_RATE_CLIENTS", d.rateClients, "client IPs tracked by the rate limit at once")
	e.String(&o.trustedProxies, "trusted-proxies", "ZHSEARCH_TRUSTED_PROXIES", d.trustedProxies, "comma-separated IPs/CIDRs of load balancers whose X-Forwarded-For names the client")
	e.String(&o.corsOrigins, "cors-origins", "ZHSEARCH_CORS_ORIGINS", d.corsOrigins,
		"comma-separated origins (https://site.example) whose pages may call the API, or *; default none: same origin only")
	e.Secret(&o.adminToken, "admin-token", "ZHSEARCH_ADMIN_TOKEN", "bearer `token` of the admin API /api/v1/admin/ (unset: admin API off)")
	return e
}

// validate checks the configuration and the environment it came from,
// returning every problem at once.
func (cfg *serveConfig) validate(e *envFlags) error {
	var errs []error
	if e != nil {
		errs = append(errs, e.errs...)
	}
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := checkAddr(cfg.addr); err != nil {
		bad("--addr %q: %v", clipValue(cfg.addr), err)
	}
	if cfg.debugAddr != "" {
		if err := checkAddr(cfg.debugAddr); err != nil {
			bad("--debug-addr %q: %v", clipValue(cfg.debugAddr), err)
		}
	}
	if cfg.metricsAddr != "" {
		if err := checkAddr(cfg.metricsAddr); err != nil {
			bad("--metrics-addr %q: %v", clipValue(cfg.metricsAddr), err)
		}
	}
	if strings.TrimSpace(cfg.dataDir) == "" {
		bad("--data must not be empty")
	}
	if strings.TrimSpace(cfg.indexDir) == "" {
		bad("--index must not be empty")
	}
	if _, err := natsURLs(cfg.nats); err != nil {
		bad("--nats: %v", err)
	}
	o := &cfg.ops
	switch o.logFormat {
	case "auto", "json", "text":
	default:
		bad("--log-format %q: want auto, json or text", clipValue(o.logFormat))
	}
	if _, err := parseLevel(o.logLevel); err != nil {
		bad("--log-level %q: %v", clipValue(o.logLevel), err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"read-header-timeout", o.readHeaderTimeout}, {"read-timeout", o.readTimeout},
		{"write-timeout", o.writeTimeout}, {"idle-timeout", o.idleTimeout},
		{"shutdown-timeout", o.shutdownTimeout}, {"search-timeout", o.searchTimeout},
		{"poll", cfg.poll},
	} {
		if d.v < 0 {
			bad("--%s %s: must not be negative", d.name, d.v)
		}
	}
	if o.maxHeaderBytes < 1<<10 || o.maxHeaderBytes > 16<<20 {
		bad("--max-header-bytes %d: must be between 1024 and %d", o.maxHeaderBytes, 16<<20)
	}
	if o.maxBodyBytes < 1<<10 || o.maxBodyBytes > 64<<20 {
		bad("--max-body-bytes %d: must be between 1024 and %d", o.maxBodyBytes, 64<<20)
	}
	errs = append(errs, o.validateAdmission()...)
	if n, err := postingsBudget(cfg.postingsCache); err != nil {
		bad("--postings-cache-mb %q: %v", clipValue(cfg.postingsCache), err)
	} else {
		cfg.postingsCacheBytes = n
	}
	if cfg.searchCache < 0 || cfg.searchCache > 1_000_000 {
		bad("--search-cache %d: must be between 0 (off) and 1000000", cfg.searchCache)
	}
	if cfg.relatedCache < 0 || cfg.relatedCache > 1_000_000 {
		bad("--related-cache %d: must be between 0 (off) and 1000000", cfg.relatedCache)
	}
	if !(o.rateLimit >= 0 && o.rateLimit <= 1e6) { // NaN too, which every comparison fails
		bad("--rate-limit %g: must be between 0 (off) and 1000000", o.rateLimit)
	}
	if o.rateBurst < 1 || o.rateBurst > 1e6 {
		bad("--rate-burst %d: must be between 1 and 1000000", o.rateBurst)
	}
	if o.rateClients < 1 || o.rateClients > 10_000_000 {
		bad("--rate-clients %d: must be between 1 and 10000000", o.rateClients)
	}
	if _, err := parseProxies(o.trustedProxies); err != nil {
		bad("--trusted-proxies: %v", err)
	}
	if origins, err := api.ParseOrigins(o.corsOrigins); err != nil {
		bad("--cors-origins: %v", err)
	} else {
		cfg.corsOrigins = origins
	}
	if o.adminToken != "" {
		if err := zhsearch.CheckAdminToken(string(o.adminToken)); err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				bad("the admin token (--admin-token or ZHSEARCH_ADMIN_TOKEN) %v", e)
			}
		}
	}
	if e != nil {
		errs = e.attribute(errs)
	}
	return errors.Join(errs...)
}

// validateAdmission checks the admission limits and the article size.
func (o *opsConfig) validateAdmission() []error {
	var errs []error
	for _, l := range []struct {
		name string
		v    int
	}{
		{"max-concurrent", o.maxConcurrent}, {"max-queued", o.maxQueued},
		{"max-concurrent-drafts", o.maxConcurrentDrafts}, {"max-queued-drafts", o.maxQueuedDrafts},
		{"max-per-client", o.maxPerClient},
	} {
		if l.v < 0 || l.v > 100_000 {
			errs = append(errs, fmt.Errorf("--%s %d: must be between 0 and 100000", l.name, l.v))
		}
	}
	if o.maxArticleBytes < 1<<10 || o.maxArticleBytes > zhsearch.MaxMaxArticleBytes {
		errs = append(errs, fmt.Errorf("--max-article-bytes %d: must be between 1024 and %d", o.maxArticleBytes, zhsearch.MaxMaxArticleBytes))
	}
	return errs
}

// bindArticleLimit defines --max-article-bytes on fs (reindex; serve has
// it among its ops flags). The returned function, called after parsing,
// checks the value and returns it.
func bindArticleLimit(fs *flag.FlagSet) func() (int64, error) {
	e := &envFlags{fs: fs}
	o := opsConfig{}
	e.Int64(&o.maxArticleBytes, "max-article-bytes", "ZHSEARCH_MAX_ARTICLE_BYTES", zhsearch.DefaultMaxArticleBytes,
		"largest article in bytes of text; a larger one stops the build with file:line")
	return func() (int64, error) {
		errs := append(e.errs, o.validateAdmission()...)
		return o.maxArticleBytes, errors.Join(errs...)
	}
}

// checkAddr accepts HOST:PORT with an optional host and a numeric port.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want HOST:PORT, e.g. :8080 or 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if strings.ContainsAny(host, " /\\") {
		return fmt.Errorf("host %q is not a host name or IP", host)
	}
	return nil
}

// parseProxies reads a comma-separated list of IPs and CIDRs.
func parseProxies(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("%q is not an IP or CIDR", clipValue(p))
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, errors.New("want debug, info, warn or error")
	}
	return l, nil
}

// newLogger returns the process logger: JSON lines unless format is text,
// or auto and w is a terminal.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	lvl, err := parseLevel(level)
	if err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "text" || format == "auto" && isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// isTerminal reports whether w is a terminal: text logs and the progress
// bar are for people watching, JSON lines and plain lines for everything else.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// LogValue renders the effective configuration for the start-up log line,
// with the admin token redacted.
func (cfg serveConfig) LogValue() slog.Value {
	o := cfg.ops
	return slog.GroupValue(
		slog.String("data", cfg.dataDir),
		slog.String("index", cfg.indexDir),
		slog.String("addr", cfg.addr),
		slog.String("metrics_addr", cfg.metricsAddr),
		slog.String("debug_addr", cfg.debugAddr),
		slog.String("journal", cfg.journal),
		slog.String("nats", redactURLs(cfg.nats)),
		slog.String("replica", cfg.replica),
		slog.String("poll", cfg.poll.String()),
		slog.Int("cpus", cfg.cpus),
		slog.Int("gomaxprocs", runtime.GOMAXPROCS(0)),
		slog.Int("search_cache", cfg.searchCache),
		slog.Int("related_cache", cfg.relatedCache),
		slog.String("postings_cache_mb", cfg.postingsCache),
		slog.String("log_format", o.logFormat),
		slog.String("log_level", o.logLevel),
		slog.String("read_header_timeout", o.readHeaderTimeout.String()),
		slog.String("read_timeout", o.readTimeout.String()),
		slog.String("write_timeout", o.writeTimeout.String()),
		slog.String("idle_timeout", o.idleTimeout.String()),
		slog.String("shutdown_timeout", o.shutdownTimeout.String()),
		slog.String("search_timeout", o.searchTimeout.String()),
		slog.Int("max_header_bytes", o.maxHeaderBytes),
		slog.Int64("max_body_bytes", o.maxBodyBytes),
		slog.Int("max_concurrent", o.maxConcurrent),
		slog.Int("max_queued", o.maxQueued),
		slog.Int("max_concurrent_drafts", o.maxConcurrentDrafts),
		slog.Int("max_queued_drafts", o.maxQueuedDrafts),
		slog.Int("max_per_client", o.maxPerClient),
		slog.Int64("max_article_bytes", o.maxArticleBytes),
		slog.Float64("rate_limit", o.rateLimit),
		slog.Int("rate_burst", o.rateBurst),
		slog.Int("rate_clients", o.rateClients),
		slog.String("trusted_proxies", o.trustedProxies),
		slog.Any("cors_origins", cfg.corsOrigins),
		slog.Any("admin_token", o.adminToken),
	)
}

// defaultOpsConfig holds the built-in defaults of the ops flags; it also
// configures in-process servers (tests) that parse no command line.
func defaultOpsConfig() opsConfig {
	cpus := machineCPUs()
	return opsConfig{
		logFormat: "auto", logLevel: "info",
		readHeaderTimeout: 5 * time.Second, readTimeout: 15 * time.Second,
		writeTimeout: 30 * time.Second, idleTimeout: 120 * time.Second,
		shutdownTimeout: 15 * time.Second, searchTimeout: 2 * time.Second,
		maxHeaderBytes: 128 << 10, maxBodyBytes: 1 << 20,
		maxConcurrent: searchSlots(cpus), maxQueued: 64,
		maxConcurrentDrafts: 2 * cpus, maxQueuedDrafts: 16,
		maxArticleBytes: zhsearch.DefaultMaxArticleBytes,
		rateBurst:       20, rateClients: 10000,
	}
}

// searchSlots is the default --max-concurrent: one computation per CPU and
// one more, the pool Goetz's Java Concurrency in Practice gives
// compute-bound work (the extra one runs while another takes a page fault
// or waits for the collector). More at once only shares the CPUs out: each
// computation takes longer and the slowest are stretched the most. At
// 100k articles on 2 CPUs and 16 connections, 3 at once instead of 8 cut
// search's p99 from about 220 to 90 ms and related's from 245 to 160 ms
// at the same throughput (BENCHMARKS.md, "Admission").
func searchSlots(cpus int) int { return cpus + 1 }

// postingsBudget turns --postings-cache-mb (auto, or MiB with 0 for none
// kept) into index.LiveConfig's PostingsCache.
func postingsBudget(flag string) (int64, error) {
	if flag == "auto" {
		return 0, nil
	}
	mb, err := strconv.Atoi(flag)
	if err != nil || mb < 0 || mb > 1<<20 {
		return 0, errors.New("must be auto or a number of MiB between 0 (none kept) and 1048576")
	}
	if mb == 0 {
		return -1, nil
	}
	return int64(mb) << 20, nil
}
