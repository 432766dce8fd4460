package main

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/analytics"
	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/metrics"
)

// observability is what one serve process measures: Prometheus metrics and
// the editors' search analytics.
type observability struct {
	metrics   *metrics.Metrics
	analytics *analytics.Recorder
	// live returns the index being served (nil before it opens), read at
	// each scrape.
	live func() liveIndex
	// first is the first build's progress, before any index is open.
	first buildProgress
}

// buildProgress is how far a build is, updated by its progress callback
// and read by scrapes.
type buildProgress struct {
	running     atomic.Bool
	done, total atomic.Int64
	tenths      atomic.Int64 // the last tenth of the build logged (report)
}

// report is a build's progress callback (index.BuildOptions.Progress): it
// keeps done of total for the scrapes, and logs each tenth of the build
// reached, so that a first build (about 20 minutes at 1M articles) says
// how far it is in the log too.
func (b *buildProgress) report(logger *slog.Logger, done, total int) {
	b.done.Store(int64(done))
	b.total.Store(int64(total))
	if total <= 0 {
		return
	}
	tenth := int64(done * 10 / total)
	if last := b.tenths.Load(); tenth > last && b.tenths.CompareAndSwap(last, tenth) {
		logger.Info("building the index", "indexed", done, "of", total, "percent", tenth*10)
	}
}

// liveIndex is what the metrics read from the index being served.
type liveIndex interface {
	DocCount() (uint64, error)
	Generation() string
	CacheStats() (index.CacheStats, error)
	SwitchFailing() string
	GenerationBuilt() time.Time
	ReindexProgress() (zhsearch.ReindexProgress, bool)
	Applied() uint64
	JournalStats() (index.JournalStats, bool)
	Dictionary() index.Dictionary
}

func newObservability(live func() liveIndex) *observability {
	o := &observability{live: live}
	o.metrics = metrics.New(metrics.Options{Index: o.indexInfo})
	o.analytics = analytics.New(analytics.Options{Normalize: analysis.Normalize})
	return o
}

func (o *observability) indexInfo() (metrics.IndexInfo, error) {
	ix := o.live()
	if ix == nil {
		info := metrics.IndexInfo{Reindexing: o.first.running.Load()}
		if info.Reindexing {
			info.Indexed, info.ToIndex = int(o.first.done.Load()), int(o.first.total.Load())
		}
		return info, index.ErrNoIndex
	}
	var journal *metrics.JournalInfo
	if st, ok := ix.JournalStats(); ok {
		journal = &metrics.JournalInfo{Last: st.Last, AppendFailures: st.AppendFailures, Bytes: st.Bytes, ArchiveBytes: st.ArchiveBytes}
	}
	n, err := ix.DocCount()
	if err != nil {
		// Journaled edits the index could not take: the journal's seq
		// against the index's says how many wait.
		return metrics.IndexInfo{Applied: ix.Applied(), Journal: journal}, err
	}
	cs, err := ix.CacheStats()
	if err != nil {
		return metrics.IndexInfo{}, err
	}
	progress, reindexing := ix.ReindexProgress()
	dict := ix.Dictionary()
	return metrics.IndexInfo{Generation: ix.Generation(), Dictionary: dict.ID, DictionaryFrom: dict.Source(),
		Documents: n, SwitchFailing: ix.SwitchFailing(),
		Built: ix.GenerationBuilt(), Reindexing: reindexing, Indexed: progress.Done, ToIndex: progress.Total,
		Applied: ix.Applied(), Journal: journal, Caches: []metrics.CacheInfo{
			{Name: "search", Hits: cs.Search.Hits, Misses: cs.Search.Misses, Entries: cs.Search.Entries,
				Bytes: cs.Search.Bytes, Budget: cs.Search.Budget},
			{Name: "related", Hits: cs.Related.Hits, Misses: cs.Related.Misses, Entries: cs.Related.Entries,
				Bytes: cs.Related.Bytes, Budget: cs.Related.Budget},
			{Name: "postings", Hits: cs.Postings.Hits, Misses: cs.Postings.Misses, Entries: cs.Postings.Lists,
				Bytes: cs.Postings.Bytes, Budget: cs.Postings.Budget},
		}}, nil
}

// apiServer returns the API over svc and admin with cfg's limits and o's
// instrumentation; clusterStats, when set, is a replica's cluster status
// for /api/v1/admin/stats.
func (o *observability) apiServer(cfg serveConfig, svc zhsearch.SearchService, admin zhsearch.AdminService,
	clusterStats func() any, logger *slog.Logger) *api.Server {
	proxies, _ := parseProxies(cfg.ops.trustedProxies) // validated
	return &api.Server{
		Service:     svc,
		Admin:       admin,
		Logger:      logger,
		AdminToken:  string(cfg.ops.adminToken),
		CORSOrigins: cfg.corsOrigins,
		Ops: api.Ops{
			Metrics:          o.metrics,
			MetricsElsewhere: cfg.metricsAddr != "",
			Analytics:        o.analytics,
			Cluster:          clusterStats,
			SearchTimeout:    cfg.ops.searchTimeout,
			MaxBodyBytes:     cfg.ops.maxBodyBytes,
			MaxConcurrent:    cfg.ops.maxConcurrent, MaxQueued: cfg.ops.maxQueued,
			MaxConcurrentDrafts: cfg.ops.maxConcurrentDrafts, MaxQueuedDrafts: cfg.ops.maxQueuedDrafts,
			MaxPerClient:   cfg.ops.maxPerClient,
			RateLimit:      cfg.ops.rateLimit,
			RateBurst:      cfg.ops.rateBurst,
			RateClients:    cfg.ops.rateClients,
			TrustedProxies: proxies,
		},
	}
}

// httpServer returns the HTTP server of h with cfg's timeouts and header
// limit.
func (cfg serveConfig) httpServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ops.readHeaderTimeout,
		ReadTimeout:       cfg.ops.readTimeout,
		WriteTimeout:      cfg.ops.writeTimeout,
		IdleTimeout:       cfg.ops.idleTimeout,
		MaxHeaderBytes:    cfg.ops.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
