package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRequestsAndSearches(t *testing.T) {
	m := New(Options{})
	m.ObserveRequest("/api/v1/search", "GET", 200, 3*time.Millisecond)
	m.ObserveRequest("/api/v1/search", "GET", 200, 30*time.Millisecond)
	m.ObserveRequest("/api/v1/articles/:id", "GET", 404, time.Millisecond)
	m.ObserveRequest("unmatched", "BREW", 405, time.Millisecond)
	m.ObserveSearch(false)
	m.ObserveSearch(true)
	m.ObserveRateLimited()
	m.ObserveRejected("drafts")
	m.ObserveRejected("drafts")
	want := `
# HELP zhsearch_http_requests_total HTTP requests answered, by route template, method and status code.
# TYPE zhsearch_http_requests_total counter
zhsearch_http_requests_total{code="200",method="GET",route="/api/v1/search"} 2
zhsearch_http_requests_total{code="404",method="GET",route="/api/v1/articles/:id"} 1
zhsearch_http_requests_total{code="405",method="other",route="unmatched"} 1
# HELP zhsearch_searches_total Search-box queries answered (first pages only, so paging does not count twice).
# TYPE zhsearch_searches_total counter
zhsearch_searches_total 2
# HELP zhsearch_search_zero_results_total Search-box queries that found nothing.
# TYPE zhsearch_search_zero_results_total counter
zhsearch_search_zero_results_total 1
# HELP zhsearch_http_rate_limited_total Requests refused with 429 by the per-client rate limit.
# TYPE zhsearch_http_rate_limited_total counter
zhsearch_http_rate_limited_total 1
# HELP zhsearch_http_admission_rejected_total Requests refused with 503 unavailable by admission control, by gate (work: uncached searches and related lists; drafts; suggest: completions).
# TYPE zhsearch_http_admission_rejected_total counter
zhsearch_http_admission_rejected_total{gate="drafts"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"zhsearch_http_requests_total", "zhsearch_searches_total", "zhsearch_search_zero_results_total",
		"zhsearch_http_rate_limited_total", "zhsearch_http_admission_rejected_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.duration); n != 3 {
		t.Errorf("%d latency series, want 3", n)
	}
	done := m.RequestStarted()
	if v := testutil.ToFloat64(m.inFlight); v != 1 {
		t.Errorf("in flight = %v", v)
	}
	done()
	if v := testutil.ToFloat64(m.inFlight); v != 0 {
		t.Errorf("in flight after done = %v", v)
	}
}

func TestReindexObserver(t *testing.T) {
	m := New(Options{})
	m.ObserveReindex(2*time.Second, nil)
	m.ObserveReindex(time.Second, errors.New("bad date"))
	m.ObserveReindex(time.Second, errors.New("locked"))
	if v := testutil.ToFloat64(m.reindexFailures); v != 2 {
		t.Errorf("failures = %v, want 2", v)
	}
	if v := testutil.ToFloat64(m.reindexLastOK); v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last success = %v", v)
	}
	want := `
# HELP zhsearch_reindex_duration_seconds Time taken by reindexes, by result (success or failure).
# TYPE zhsearch_reindex_duration_seconds histogram
zhsearch_reindex_duration_seconds_bucket{result="failure",le="0.5"} 0
zhsearch_reindex_duration_seconds_bucket{result="failure",le="1"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="2.5"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="5"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="10"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="30"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="60"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="120"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="300"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="600"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="1800"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="3600"} 2
zhsearch_reindex_duration_seconds_bucket{result="failure",le="+Inf"} 2
zhsearch_reindex_duration_seconds_sum{result="failure"} 2
zhsearch_reindex_duration_seconds_count{result="failure"} 2
zhsearch_reindex_duration_seconds_bucket{result="success",le="0.5"} 0
zhsearch_reindex_duration_seconds_bucket{result="success",le="1"} 0
zhsearch_reindex_duration_seconds_bucket{result="success",le="2.5"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="5"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="10"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="30"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="60"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="120"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="300"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="600"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="1800"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="3600"} 1
zhsearch_reindex_duration_seconds_bucket{result="success",le="+Inf"} 1
zhsearch_reindex_duration_seconds_sum{result="success"} 2
zhsearch_reindex_duration_seconds_count{result="success"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "zhsearch_reindex_duration_seconds"); err != nil {
		t.Error(err)
	}
}

func TestIndexCollectorReadsLiveIndexAtScrape(t *testing.T) {
	var gen atomic.Value
	gen.Store("gen-1")
	var broken, firstBuild atomic.Bool
	var failing atomic.Value
	failing.Store("")
	m := New(Options{Index: func() (IndexInfo, error) {
		if firstBuild.Load() { // no index open yet: the server builds its first
			return IndexInfo{Reindexing: true, Indexed: 3000, ToIndex: 100000}, errors.New("no index")
		}
		if broken.Load() { // journaled edits the index cannot take
			return IndexInfo{Applied: 5, Journal: &JournalInfo{Last: 9}}, errors.New("index not writable")
		}
		return IndexInfo{Generation: gen.Load().(string), Dictionary: "0123456789abcdef", DictionaryFrom: "data folder", Documents: 101, SwitchFailing: failing.Load().(string),
			Built: time.Unix(1_700_000_000, 0), Reindexing: true, Indexed: 40, ToIndex: 101, Applied: 5, Journal: &JournalInfo{Last: 7, AppendFailures: 2, Bytes: 2048, ArchiveBytes: 65536},
			Caches: []CacheInfo{{Name: "search", Hits: 7, Misses: 3, Entries: 3},
				{Name: "postings", Hits: 5, Misses: 2, Entries: 4, Bytes: 4096, Budget: 128 << 20}}}, nil
	}})
	scrape := func() string {
		t.Helper()
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 {
			t.Fatalf("scrape status %d: %s", rec.Code, b)
		}
		return string(b)
	}
	for _, want := range []string{
		"zhsearch_index_up 1\n", "zhsearch_index_documents 101\n", `zhsearch_index_generation_info{generation="gen-1"} 1`,
		`zhsearch_index_dictionary_info{dictionary="0123456789abcdef",dictionary_from="data folder"} 1`,
		`zhsearch_cache_hits_total{cache="search"} 7`, `zhsearch_cache_misses_total{cache="search"} 3`,
		`zhsearch_cache_entries{cache="search"} 3`,
		`zhsearch_cache_bytes{cache="postings"} 4096`, `zhsearch_cache_budget_bytes{cache="postings"} 1.34217728e+08`,
		"zhsearch_index_generation_built_timestamp_seconds 1.7e+09\n", "zhsearch_reindex_running 1\n",
		"zhsearch_reindex_articles_indexed 40\n", "zhsearch_reindex_articles_to_index 101\n",
		"zhsearch_index_applied_seq 5\n", "zhsearch_journal_last_seq 7\n", "zhsearch_journal_append_failures_total 2\n",
		`zhsearch_journal_bytes{file="journal"} 2048`, `zhsearch_journal_bytes{file="archive"} 65536`,
		"go_goroutines ", "process_resident_memory_bytes ", "go_build_info{",
	} {
		if out := scrape(); !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if out := scrape(); strings.Contains(out, `zhsearch_cache_bytes{cache="search"}`) {
		t.Error("a cache not sized in bytes reports bytes")
	}
	if out := scrape(); !strings.Contains(out, "zhsearch_index_switch_failing 0\n") {
		t.Error("a server that switches says it fails to")
	}
	failing.Store("gen-3") // CURRENT names a generation the server cannot open
	if out := scrape(); !strings.Contains(out, "zhsearch_index_switch_failing 1\n") {
		t.Error("a failing switch is not reported")
	}
	failing.Store("")
	gen.Store("gen-2") // a reindex swapped the generation
	if out := scrape(); !strings.Contains(out, `generation="gen-2"`) || strings.Contains(out, `generation="gen-1"`) {
		t.Errorf("after swap:\n%s", out)
	}
	broken.Store(true)
	if out := scrape(); !strings.Contains(out, "zhsearch_index_up 0\n") || strings.Contains(out, "zhsearch_index_documents") ||
		!strings.Contains(out, "zhsearch_journal_last_seq 9\n") || !strings.Contains(out, "zhsearch_index_applied_seq 5\n") {
		t.Errorf("broken index not reported as down")
	}
	if out := scrape(); !strings.Contains(out, "zhsearch_reindex_running 0\n") || strings.Contains(out, "zhsearch_reindex_articles_indexed") {
		t.Errorf("a broken index that builds nothing reports a build")
	}
	firstBuild.Store(true)
	for _, want := range []string{"zhsearch_index_up 0\n", "zhsearch_reindex_running 1\n",
		"zhsearch_reindex_articles_indexed 3000\n", "zhsearch_reindex_articles_to_index 100000\n"} {
		if out := scrape(); !strings.Contains(out, want) {
			t.Errorf("during a first build, scrape lacks %q", want)
		}
	}
}

func TestMetricsLint(t *testing.T) {
	m := New(Options{Index: func() (IndexInfo, error) { return IndexInfo{Generation: "g", Documents: 1}, nil }})
	m.ObserveRequest("/healthz", "GET", 200, time.Millisecond)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "zhsearch_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

// TestGateAddedAgain: a handler made again over the same metrics (serve
// makes one while it starts, then the real one) adds its gates again; the
// gauges read the latest gate, and nothing is registered twice.
func TestGateAddedAgain(t *testing.T) {
	m := New(Options{})
	m.AddGate("work", func() int { return 1 }, func() int { return 2 })
	m.AddGate("work", func() int { return 3 }, func() int { return 4 })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	for _, want := range []string{`zhsearch_http_admission_running{gate="work"} 3`, `zhsearch_http_admission_waiting{gate="work"} 4`} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
