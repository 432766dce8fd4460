// Package metrics is zhsearch's Prometheus instrumentation: HTTP request
// counts and latencies per route template and status, searches that found
// nothing, the live index (documents, generation), reindex durations and
// failures, and the Go runtime and process. Everything is registered in a
// registry owned by a Metrics value, never in the global default one, so
// tests and several servers in one process do not collide.
//
// The api package calls the Observe methods from its middleware; whoever
// runs a reindex reports it through ObserveReindex (Metrics implements
// zhsearch.ReindexObserver), and the live index is read at scrape time
// through the IndexInfo function given to New.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/zhsearch/zhsearch"
)

// Namespace prefixes every zhsearch metric.
const Namespace = "zhsearch"

// IndexInfo describes the live index at scrape time.
type IndexInfo struct {
	Generation string // name of the live generation folder
	// Dictionary is the ID of the dictionary the live generation cuts
	// text with, DictionaryFrom "built-in" or "data folder".
	Dictionary, DictionaryFrom string
	Documents                  uint64 // articles it holds
	// SwitchFailing names the generation the index folder's CURRENT names
	// that the server could not switch to ("": none).
	SwitchFailing string
	// Caches are the live generation's caches (search results, related
	// lists); a new generation starts them from zero.
	Caches []CacheInfo
	// Built is when the live generation was built (zero: unknown), and
	// Reindexing whether this server is building the next one (an admin
	// reindex), or its first, before any index is open; Indexed and
	// ToIndex are how far that build is: articles indexed of those it
	// indexes (0 of 0 until it has counted them).
	Built            time.Time
	Reindexing       bool
	Indexed, ToIndex int
	// Applied is the last seq of the edit log (journal or cluster stream)
	// the live generation holds. Journal, for a server that keeps an edit
	// journal itself, is its last seq and how many edits it could not
	// take (nil: none).
	Applied uint64
	Journal *JournalInfo
}

// JournalInfo describes a server's edit journal: its last seq, the edits
// it could not take, and the sizes of its file and of its archive (the
// records compaction moved out of it).
type JournalInfo struct {
	Last, AppendFailures uint64
	Bytes, ArchiveBytes  int64
}

// CacheInfo counts one cache's lookups, and for a cache sized in bytes
// (decoded postings, search pages, related lists), what it holds against
// its budget.
type CacheInfo struct {
	Name         string // "search", "related" or "postings"
	Hits, Misses uint64
	Entries      int
	// Bytes and Budget are the memory held and allowed; Budget 0: the
	// cache is not sized in bytes, and neither is reported.
	Bytes, Budget int64
}

// Options configures New.
type Options struct {
	// Index, when set, is called at each scrape for the live index. An
	// error reports zhsearch_index_up 0.
	Index func() (IndexInfo, error)
}

// Metrics holds zhsearch's collectors and the registry they live in. It is
// safe for concurrent use.
type Metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	searches        prometheus.Counter
	zeroResults     prometheus.Counter
	rateLimited     prometheus.Counter
	unavailable     *prometheus.CounterVec
	errors          *prometheus.CounterVec
	admissionWait   *prometheus.HistogramVec
	gates           sync.Map // gate name → *gateGauges
	reindexDuration *prometheus.HistogramVec
	reindexFailures prometheus.Counter
	reindexLastOK   prometheus.Gauge
	journalCuts     prometheus.Counter
}

var _ zhsearch.ReindexObserver = (*Metrics)(nil)

// New returns Metrics registered in a fresh registry, with the Go runtime
// and process collectors.
func New(opts Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template, method and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
		searches: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "searches_total",
			Help: "Search-box queries answered (first pages only, so paging does not count twice).",
		}),
		zeroResults: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "search_zero_results_total",
			Help: "Search-box queries that found nothing.",
		}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "rate_limited_total",
			Help: "Requests refused with 429 by the per-client rate limit.",
		}),
		unavailable: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "admission_rejected_total",
			Help: "Requests refused with 503 unavailable by admission control, by gate (work: uncached searches and related lists; drafts; suggest: completions).",
		}, []string{"gate"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "errors_total",
			Help: "Requests answered with an error, by route template and error code (timeout and unavailable tell a deadline from a refusal, both 503).",
		}, []string{"route", "error"}),
		admissionWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "admission_wait_seconds",
			Help:    "Time requests admitted through a gate waited for a slot, by gate: the queueing in a request's duration.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"gate"}),
		reindexDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "reindex", Name: "duration_seconds",
			Help:    "Time taken by reindexes, by result (success or failure).",
			Buckets: []float64{.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"result"}),
		reindexFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "reindex", Name: "failures_total",
			Help: "Reindexes that failed (the previous generation stayed live).",
		}),
		reindexLastOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "reindex", Name: "last_success_timestamp_seconds",
			Help: "Unix time of the last successful reindex this process ran (0: none since it started; a generation built elsewhere, by an offline reindex it follows or another replica, shows in zhsearch_index_generation_built_timestamp_seconds).",
		}),
		journalCuts: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "journal", Name: "torn_cuts_total",
			Help: "Torn last records (an append a crash interrupted) cut off the edit journal when it was opened.",
		}),
	}
	m.reg.MustRegister(m.journalCuts, m.requests, m.duration, m.inFlight, m.searches, m.zeroResults, m.rateLimited,
		m.unavailable, m.errors, m.admissionWait, m.reindexDuration, m.reindexFailures, m.reindexLastOK,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	if opts.Index != nil {
		m.reg.MustRegister(newIndexCollector(opts.Index))
	}
	// Start the reindex series at zero so rates and alerts work before the
	// first reindex.
	m.reindexDuration.WithLabelValues("success")
	m.reindexDuration.WithLabelValues("failure")
	return m
}

// Registry returns the registry holding every collector.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// methodLabel bounds the method label: anything unusual is "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodDelete, http.MethodPatch, http.MethodOptions:
		return method
	}
	return "other"
}

// ObserveRequest records one answered request. route must be a route
// template (e.g. /api/v1/articles/:id), never a raw URL, so the number of
// series stays bounded.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	method = methodLabel(method)
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method, code).Observe(took.Seconds())
}

// RequestStarted counts a request in flight until the returned func is
// called.
func (m *Metrics) RequestStarted() (done func()) {
	m.inFlight.Inc()
	return m.inFlight.Dec
}

// ObserveSearch records one answered search-box query.
func (m *Metrics) ObserveSearch(zeroResults bool) {
	m.searches.Inc()
	if zeroResults {
		m.zeroResults.Inc()
	}
}

// ObserveRateLimited records a request refused by the rate limit.
func (m *Metrics) ObserveRateLimited() { m.rateLimited.Inc() }

// ObserveRejected records a request refused by the admission control of
// gate (work or drafts).
func (m *Metrics) ObserveRejected(gate string) { m.unavailable.WithLabelValues(gate).Inc() }

// AddGate starts the refusals of an admission gate at zero, and reports
// at each scrape how many requests run in it and wait for it. A gate
// added again (a handler made anew over the same metrics) is read through
// its new functions.
func (m *Metrics) AddGate(gate string, running, waiting func() int) {
	m.unavailable.WithLabelValues(gate)
	m.admissionWait.WithLabelValues(gate)
	if running == nil || waiting == nil {
		return
	}
	g, loaded := m.gates.LoadOrStore(gate, &gateGauges{})
	gg := g.(*gateGauges)
	gg.running.Store(&running)
	gg.waiting.Store(&waiting)
	if loaded {
		return
	}
	labels := prometheus.Labels{"gate": gate}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "http", Name: "admission_running",
			Help: "Requests running in an admission gate now (at most --max-concurrent).", ConstLabels: labels},
			func() float64 { return float64((*gg.running.Load())()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "http", Name: "admission_waiting",
			Help: "Requests waiting for a slot of an admission gate now (at most --max-queued).", ConstLabels: labels},
			func() float64 { return float64((*gg.waiting.Load())()) }),
	)
}

// gateGauges are the functions an admission gate's gauges read.
type gateGauges struct{ running, waiting atomic.Pointer[func() int] }

// ObserveAdmitted records how long a request waited for a slot of gate.
func (m *Metrics) ObserveAdmitted(gate string, waited time.Duration) {
	m.admissionWait.WithLabelValues(gate).Observe(waited.Seconds())
}

// ObserveError records a request answered with the error code code.
func (m *Metrics) ObserveError(route, code string) { m.errors.WithLabelValues(route, code).Inc() }

// ObserveReindex records a finished reindex: its duration, and a failure
// when err is not nil. It implements zhsearch.ReindexObserver.
func (m *Metrics) ObserveReindex(took time.Duration, err error) {
	if err != nil {
		m.reindexDuration.WithLabelValues("failure").Observe(took.Seconds())
		m.reindexFailures.Inc()
		return
	}
	m.reindexDuration.WithLabelValues("success").Observe(took.Seconds())
	m.reindexLastOK.SetToCurrentTime()
}

// ObserveJournalCut records a torn last record cut off the edit journal.
func (m *Metrics) ObserveJournalCut(bytes int64) { m.journalCuts.Inc() }

// indexCollector reads the live index at scrape time, so a generation
// swapped in by a reindex shows at the next scrape.
type indexCollector struct {
	info                               func() (IndexInfo, error)
	up, docs, gen, dict, switchFailing *prometheus.Desc
	built, reindexing                  *prometheus.Desc
	indexed, toIndex                   *prometheus.Desc
	applied, journalLast, appendFail   *prometheus.Desc
	journalBytes                       *prometheus.Desc
	cacheHits, cacheMisses, cacheLen   *prometheus.Desc
	cacheBytes, cacheBudget            *prometheus.Desc
}

func newIndexCollector(info func() (IndexInfo, error)) *indexCollector {
	return &indexCollector{
		info: info,
		up: prometheus.NewDesc(Namespace+"_index_up",
			"1 when the live index answered the scrape's questions, 0 otherwise.", nil, nil),
		docs: prometheus.NewDesc(Namespace+"_index_documents",
			"Articles in the live index, title-only ones included.", nil, nil),
		switchFailing: prometheus.NewDesc(Namespace+"_index_switch_failing",
			"1 while the index folder's CURRENT names a generation the server could not switch to (it serves its old one; a restart would fail), else 0.", nil, nil),
		built: prometheus.NewDesc(Namespace+"_index_generation_built_timestamp_seconds",
			"Unix time the live generation was built (its build started), by this server or elsewhere: the index's age.", nil, nil),
		reindexing: prometheus.NewDesc(Namespace+"_reindex_running",
			"1 while a reindex started through this server's admin API runs (it shares the server's CPU and memory), or the server builds its first index before it can serve, else 0.", nil, nil),
		indexed: prometheus.NewDesc(Namespace+"_reindex_articles_indexed",
			"Articles the running reindex (zhsearch_reindex_running) has indexed so far; reported while it runs.", nil, nil),
		toIndex: prometheus.NewDesc(Namespace+"_reindex_articles_to_index",
			"Articles the running reindex indexes in all (0 until it has read them); reported while it runs.", nil, nil),
		applied: prometheus.NewDesc(Namespace+"_index_applied_seq",
			"Last seq of the edit log (journal or cluster stream) the live index holds.", nil, nil),
		journalLast: prometheus.NewDesc(Namespace+"_journal_last_seq",
			"Last seq of this server's edit journal: ahead of zhsearch_index_applied_seq while journaled edits wait to be written into the index.", nil, nil),
		appendFail: prometheus.NewDesc(Namespace+"_journal_append_failures_total",
			"Edits refused because the edit journal could not take them (its disk full or read-only).", nil, nil),
		journalBytes: prometheus.NewDesc(Namespace+"_journal_bytes",
			"Size of this server's edit journal (file=\"journal\") and of its archive (file=\"archive\"), where compaction moves the records every generation holds: the archive only grows, by every edit made.", []string{"file"}, nil),
		gen: prometheus.NewDesc(Namespace+"_index_generation_info",
			"Always 1; the generation label names the live index generation.", []string{"generation"}, nil),
		dict: prometheus.NewDesc(Namespace+"_index_dictionary_info",
			"Always 1; the dictionary label is the ID of the dictionary the live generation cuts text with (a digest of its files), dictionary_from where it came from: built-in or data folder.", []string{"dictionary", "dictionary_from"}, nil),
		cacheHits: prometheus.NewDesc(Namespace+"_cache_hits_total",
			"Lookups answered by a cache of the live generation (restarts from 0 with each generation).", []string{"cache"}, nil),
		cacheMisses: prometheus.NewDesc(Namespace+"_cache_misses_total",
			"Lookups a cache of the live generation could not answer.", []string{"cache"}, nil),
		cacheLen: prometheus.NewDesc(Namespace+"_cache_entries",
			"Entries a cache of the live generation holds.", []string{"cache"}, nil),
		cacheBytes: prometheus.NewDesc(Namespace+"_cache_bytes",
			"Memory a cache of the live generation holds, for caches sized in bytes.", []string{"cache"}, nil),
		cacheBudget: prometheus.NewDesc(Namespace+"_cache_budget_bytes",
			"Memory a cache of the live generation may hold (postings: --postings-cache-mb, negative: none kept; search: 16 KiB a page of --search-cache; related: 3 KiB a list of --related-cache).", []string{"cache"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *indexCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.docs
	ch <- c.gen
	ch <- c.dict
	ch <- c.switchFailing
	ch <- c.built
	ch <- c.reindexing
	ch <- c.indexed
	ch <- c.toIndex
	ch <- c.applied
	ch <- c.journalLast
	ch <- c.appendFail
	ch <- c.journalBytes
	ch <- c.cacheHits
	ch <- c.cacheMisses
	ch <- c.cacheLen
	ch <- c.cacheBytes
	ch <- c.cacheBudget
}

// Collect implements prometheus.Collector.
func (c *indexCollector) Collect(ch chan<- prometheus.Metric) {
	info, err := c.info()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		c.collectReindex(ch, info)
		c.collectEdits(ch, info)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.docs, prometheus.GaugeValue, float64(info.Documents))
	ch <- prometheus.MustNewConstMetric(c.gen, prometheus.GaugeValue, 1, info.Generation)
	ch <- prometheus.MustNewConstMetric(c.dict, prometheus.GaugeValue, 1, info.Dictionary, info.DictionaryFrom)
	ch <- prometheus.MustNewConstMetric(c.switchFailing, prometheus.GaugeValue, oneIf(info.SwitchFailing != ""))
	if !info.Built.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.built, prometheus.GaugeValue, float64(info.Built.UnixNano())/1e9)
	}
	c.collectReindex(ch, info)
	c.collectEdits(ch, info)
	for _, cc := range info.Caches {
		ch <- prometheus.MustNewConstMetric(c.cacheHits, prometheus.CounterValue, float64(cc.Hits), cc.Name)
		ch <- prometheus.MustNewConstMetric(c.cacheMisses, prometheus.CounterValue, float64(cc.Misses), cc.Name)
		ch <- prometheus.MustNewConstMetric(c.cacheLen, prometheus.GaugeValue, float64(cc.Entries), cc.Name)
		if cc.Budget != 0 {
			ch <- prometheus.MustNewConstMetric(c.cacheBytes, prometheus.GaugeValue, float64(cc.Bytes), cc.Name)
			ch <- prometheus.MustNewConstMetric(c.cacheBudget, prometheus.GaugeValue, float64(cc.Budget), cc.Name)
		}
	}
}

// collectReindex reports whether a reindex runs and, while one does, how
// far it is: a server building its first index, which has none open
// (Collect's error), reports it too.
func (c *indexCollector) collectReindex(ch chan<- prometheus.Metric, info IndexInfo) {
	ch <- prometheus.MustNewConstMetric(c.reindexing, prometheus.GaugeValue, oneIf(info.Reindexing))
	if info.Reindexing {
		ch <- prometheus.MustNewConstMetric(c.indexed, prometheus.GaugeValue, float64(info.Indexed))
		ch <- prometheus.MustNewConstMetric(c.toIndex, prometheus.GaugeValue, float64(info.ToIndex))
	}
}

// collectEdits reports the edit log's seqs: what the index holds and,
// for a server with a journal, what the journal holds and could not take.
// An index that cannot be written reports them too (Collect), as the gap
// between them is what waits.
func (c *indexCollector) collectEdits(ch chan<- prometheus.Metric, info IndexInfo) {
	j := info.Journal
	if j == nil && info.Applied == 0 {
		return // no index open yet, or one without edits
	}
	ch <- prometheus.MustNewConstMetric(c.applied, prometheus.GaugeValue, float64(info.Applied))
	if j != nil {
		ch <- prometheus.MustNewConstMetric(c.journalLast, prometheus.GaugeValue, float64(j.Last))
		ch <- prometheus.MustNewConstMetric(c.appendFail, prometheus.CounterValue, float64(j.AppendFailures))
		ch <- prometheus.MustNewConstMetric(c.journalBytes, prometheus.GaugeValue, float64(j.Bytes), "journal")
		ch <- prometheus.MustNewConstMetric(c.journalBytes, prometheus.GaugeValue, float64(j.ArchiveBytes), "archive")
	}
}

// oneIf is a condition as a gauge's value: 1 or 0.
func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
