package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/gen"
)

// logLines parses JSON log output.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

func getText(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}

func TestMetricsEndToEnd(t *testing.T) {
	var indexDir string
	base, _ := startServerWith(t, "../../data", func(c *serveConfig) { indexDir = c.indexDir })
	var sr searchResp
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花呗风控"), 200, &sr)
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("量子纠缠"), 200, &sr)
	if sr.Total != 0 {
		t.Fatalf("量子纠缠 found %d", sr.Total)
	}
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花唄風控"), 200, &sr) // the first query's page, from the cache
	getJSON(t, base+"/api/v1/articles/000_6fe797c5a744a779", 200, nil)
	getJSON(t, base+"/api/v1/articles/not-there-123", 404, nil)
	for range 2 { // a monitor's HEAD: no reader's search
		resp, err := http.Head(base + "/api/v1/search?q=" + url.QueryEscape("量子纠缠探测"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	live, err := os.ReadFile(filepath.Join(indexDir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	out := getText(t, base+"/metrics")
	for _, want := range []string{
		"zhsearch_index_up 1\n",
		"zhsearch_index_documents 101\n",
		"zhsearch_index_switch_failing 0\n",
		fmt.Sprintf("zhsearch_index_generation_info{generation=%q} 1\n", strings.TrimSpace(string(live))),
		// The bundled data folder's dict/ is the built-in dictionary.
		fmt.Sprintf("zhsearch_index_dictionary_info{dictionary=%q,dictionary_from=\"built-in\"} 1\n", analysis.EmbeddedDicts().ID),
		`zhsearch_http_requests_total{code="200",method="GET",route="/api/v1/search"} 3` + "\n",
		`zhsearch_http_requests_total{code="200",method="GET",route="/api/v1/articles/:id"} 1` + "\n",
		`zhsearch_http_requests_total{code="404",method="GET",route="/api/v1/articles/:id"} 1` + "\n",
		`zhsearch_http_request_duration_seconds_count{code="200",method="GET",route="/api/v1/search"} 3` + "\n",
		"zhsearch_searches_total 3\n",
		// The HEADs searched (a miss, then a hit), as GETs do.
		`zhsearch_cache_hits_total{cache="search"} 2` + "\n",
		`zhsearch_cache_misses_total{cache="search"} 3` + "\n",
		`zhsearch_cache_entries{cache="search"} 3` + "\n",
		// --search-cache 2048: 16 KiB a page.
		`zhsearch_cache_budget_bytes{cache="search"} 3.3554432e+07` + "\n",
		// --postings-cache-mb auto on a small index: the floor, 128 MiB.
		`zhsearch_cache_budget_bytes{cache="postings"} 1.34217728e+08` + "\n",
		"zhsearch_search_zero_results_total 1\n",
		// serve built the index at start: one successful reindex.
		`zhsearch_reindex_duration_seconds_count{result="success"} 1` + "\n",
		"zhsearch_reindex_failures_total 0\n",
		// Admission refusals are series from the start.
		`zhsearch_http_admission_rejected_total{gate="work"} 0` + "\n",
		`zhsearch_http_admission_rejected_total{gate="drafts"} 0` + "\n",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(out, "not-there-123") {
		t.Error("raw URL in metric labels")
	}
	// The live generation's age, whoever built it, and no reindex running.
	if !strings.Contains(out, "zhsearch_reindex_running 0\n") {
		t.Error("/metrics lacks zhsearch_reindex_running 0")
	}
	var built float64
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "zhsearch_index_generation_built_timestamp_seconds "); ok {
			built, _ = strconv.ParseFloat(v, 64)
		}
	}
	if age := time.Since(time.Unix(int64(built), 0)); age < 0 || age > 10*time.Minute {
		t.Errorf("zhsearch_index_generation_built_timestamp_seconds %v: want the start-up build's time (age %v)", built, age)
	}
}

// TestRelatedCacheFlag checks --related-cache: on by default, a list asked
// for twice is computed once, and the memory it may hold is reported (3
// KiB a list of the flag); with 0 (how bench/run measures the engine) it
// is computed every time, and no memory is reported.
func TestRelatedCacheFlag(t *testing.T) {
	for _, tt := range []struct {
		size         int
		hits, misses int
	}{{index.DefaultRelatedOptions().CacheSize, 1, 1}, {0, 0, 2}} {
		base, _ := startServerWith(t, "../../data", func(c *serveConfig) { c.relatedCache = tt.size })
		for range 2 {
			getJSON(t, base+"/api/v1/articles/000_6fe797c5a744a779/related", 200, nil)
		}
		out := getText(t, base+"/metrics")
		for _, want := range []string{
			fmt.Sprintf(`zhsearch_cache_hits_total{cache="related"} %d`+"\n", tt.hits),
			fmt.Sprintf(`zhsearch_cache_misses_total{cache="related"} %d`+"\n", tt.misses),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("--related-cache %d: /metrics lacks %q", tt.size, want)
			}
		}
		budget := `zhsearch_cache_budget_bytes{cache="related"} `
		if tt.size == 0 && strings.Contains(out, budget) {
			t.Errorf("--related-cache 0: /metrics reports a budget")
		}
		if want := budget + strconv.FormatFloat(float64(tt.size*3072), 'g', -1, 64) + "\n"; tt.size > 0 && !strings.Contains(out, want) {
			t.Errorf("--related-cache %d: /metrics lacks %q", tt.size, want)
		}
	}
}

func TestSearchTimeoutOnRealIndex(t *testing.T) {
	base, logs := startServerWith(t, "../../data", func(c *serveConfig) { c.ops.searchTimeout = time.Nanosecond })
	var e apiError
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花呗风控"), 503, &e)
	if e.Error.Code != "timeout" {
		t.Errorf("error %+v", e.Error)
	}
	getJSON(t, base+"/api/v1/suggest?q="+url.QueryEscape("花呗"), 503, &e)
	getJSON(t, base+"/healthz", 200, nil)
	if strings.Contains(logs.String(), `"msg":"internal error"`) {
		t.Error("timeouts logged as internal errors")
	}
}

// rawRequest writes head and then body on a fresh connection, while reading
// the answer, and returns its status line and body. The server may answer
// and close before the body is sent: that is the point.
func rawRequest(t *testing.T, base, head string, body io.Reader) (status string, respBody string) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	if body != nil {
		go io.Copy(conn, body) // ends when the connection closes
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 431 && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.Status, string(b)
}

func TestHugeBodiesRefusedWithoutReadingThem(t *testing.T) {
	base := startServer(t, "../../data")
	// 100 MB declared: refused at once; only 64 KB of it is ever sent.
	head := "POST /api/v1/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
	status, body := rawRequest(t, base, head, io.LimitReader(zeros{}, 64<<10))
	if !strings.HasPrefix(status, "413") || !strings.Contains(body, `"payload_too_large"`) {
		t.Errorf("declared 100 MB: %s %s", status, body)
	}
	// Chunked, no length: refused once past the limit, not after 100 MB.
	head = "POST /api/v1/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
	chunk := fmt.Sprintf("%x\r\n%s\r\n", 64<<10, strings.Repeat("a", 64<<10))
	status, body = rawRequest(t, base, head, io.MultiReader(strings.NewReader("a\r\n{\"title\":\"\r\n"),
		io.LimitReader(repeatReader(chunk), 4<<20)))
	if !strings.HasPrefix(status, "413") || !strings.Contains(body, `"payload_too_large"`) {
		t.Errorf("chunked: %s %s", status, body)
	}
	// Headers past --max-header-bytes: net/http answers 431 itself.
	head = "GET /api/v1/search?q=a HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 300<<10) + "\r\n\r\n"
	if status, _ = rawRequest(t, base, head, nil); !strings.HasPrefix(status, "431") {
		t.Errorf("huge header: %s", status)
	}
	getJSON(t, base+"/readyz", 200, nil)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// repeatReader repeats s forever.
func repeatReader(s string) io.Reader { return &repeater{s: s} }

type repeater struct {
	s   string
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.off:])
		n += k
		r.off = (r.off + k) % len(r.s)
	}
	return n, nil
}

func TestRateLimitEndToEnd(t *testing.T) {
	base, _ := startServerWith(t, "../../data", func(c *serveConfig) {
		c.ops.rateLimit, c.ops.rateBurst = 0.1, 3
	})
	u := base + "/api/v1/suggest?q=" + url.QueryEscape("花呗")
	for range 3 {
		getJSON(t, u, 200, nil)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	var e apiError
	checkJSON(t, "4th request", resp, 429, &e)
	resp.Body.Close()
	if e.Error.Code != "rate_limited" || resp.Header.Get("Retry-After") != "10" {
		t.Errorf("429: %+v Retry-After %q", e.Error, resp.Header.Get("Retry-After"))
	}
	getJSON(t, base+"/healthz", 200, nil)
	if out := getText(t, base+"/metrics"); !strings.Contains(out, "zhsearch_http_rate_limited_total 1\n") {
		t.Error("rate-limited request not counted")
	}
}

func TestStatsEndToEnd(t *testing.T) {
	const token = "stats-admin-token-0123456789"
	base, _ := startServerWith(t, "../../data", func(c *serveConfig) {
		c.ops.adminToken = token
		c.ops.trustedProxies = "127.0.0.1" // each search names its reader in X-Forwarded-For
	})
	// Traditional characters, padding and punctuation normalize to one key;
	// the lists count readers, so each search is a reader's own, but the
	// last, the first reader's repeat.
	for i, q := range []string{"花呗风控", "花唄風控", " 花呗风控！", "量子纠缠", "量子糾纏", "征信", "花呗风控"} {
		req, _ := http.NewRequest("GET", base+"/api/v1/search?q="+url.QueryEscape(q), nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i%6+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		checkJSON(t, "search "+q, resp, 200, nil)
		resp.Body.Close()
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/admin/stats?n=5", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Searches uint64 `json:"searches"`
		Zero     uint64 `json:"zero_result_searches"`
		Top      []struct {
			Query string
			Count uint64
		} `json:"top_queries"`
		TopZero []struct {
			Query string
			Count uint64
		} `json:"top_zero_result_queries"`
	}
	checkJSON(t, "stats", resp, 200, &rep)
	resp.Body.Close()
	got := fmt.Sprint(rep.Searches, rep.Zero, rep.Top, rep.TopZero)
	want := "7 2 [{花呗风控 3} {量子纠缠 2} {征信 1}] [{量子纠缠 2}]"
	if got != want {
		t.Errorf("stats = %s, want %s", got, want)
	}
}

func TestConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad addr", []string{"serve", "--addr", "nope"}, nil, `--addr "nope": want HOST:PORT`},
		{"bad port", []string{"serve", "--addr", ":99999"}, nil, `port "99999" is not a number from 0 to 65535`},
		{"negative timeout", []string{"serve", "--read-timeout", "-1s"}, nil, "--read-timeout -1s: must not be negative"},
		{"negative search timeout", []string{"serve", "--search-timeout=-5ms"}, nil, "--search-timeout -5ms: must not be negative"},
		{"bad duration flag", []string{"serve", "--write-timeout", "soon"}, nil, `invalid value "soon" for flag -write-timeout`},
		{"bad duration env", []string{"serve"}, map[string]string{"ZHSEARCH_SEARCH_TIMEOUT": "abc"}, `environment ZHSEARCH_SEARCH_TIMEOUT="abc" (default of --search-timeout): not a duration`},
		{"bad number env", []string{"serve"}, map[string]string{"ZHSEARCH_MAX_BODY_BYTES": "1MB"}, `environment ZHSEARCH_MAX_BODY_BYTES="1MB" (default of --max-body-bytes): not an integer`},
		{"bad float env", []string{"serve"}, map[string]string{"ZHSEARCH_RATE_LIMIT": "fast"}, `ZHSEARCH_RATE_LIMIT="fast"`},
		{"bad addr env", []string{"serve"}, map[string]string{"ZHSEARCH_ADDR": "localhost"}, `--addr "localhost": want HOST:PORT`},
		{"bad debug addr", []string{"serve", "--debug-addr", "6060"}, nil, `--debug-addr "6060": want HOST:PORT`},
		{"tiny body", []string{"serve", "--max-body-bytes", "10"}, nil, "--max-body-bytes 10: must be between 1024"},
		{"negative related cache", []string{"serve", "--related-cache", "-1"}, nil, "--related-cache -1: must be between 0 (off) and 1000000"},
		{"negative rate", []string{"serve", "--rate-limit", "-1"}, nil, "--rate-limit -1: must be between 0"},
		// NaN fails every comparison: it must not pass for a limit (it
		// turned rate limiting off).
		{"rate not a number", []string{"serve", "--rate-limit", "NaN"}, nil, "--rate-limit NaN: must be between 0"},
		{"rate not a number env", []string{"serve"}, map[string]string{"ZHSEARCH_RATE_LIMIT": "nan"}, "--rate-limit NaN: must be between 0"},
		{"infinite rate", []string{"serve", "--rate-limit", "+Inf"}, nil, "--rate-limit +Inf: must be between 0"},
		{"negative concurrency", []string{"serve", "--max-concurrent", "-1"}, nil, "--max-concurrent -1: must be between 0 and 100000"},
		{"bad queue env", []string{"serve"}, map[string]string{"ZHSEARCH_MAX_QUEUED_DRAFTS": "many"}, `ZHSEARCH_MAX_QUEUED_DRAFTS="many" (default of --max-queued-drafts): not an integer`},
		{"tiny articles", []string{"serve", "--max-article-bytes", "100"}, nil, "--max-article-bytes 100: must be between 1024 and 8388608"},
		{"huge articles", []string{"serve"}, map[string]string{"ZHSEARCH_MAX_ARTICLE_BYTES": "1000000000"}, "--max-article-bytes 1000000000: must be between"},
		{"bad postings cache", []string{"serve", "--postings-cache-mb", "lots"}, nil, `--postings-cache-mb "lots": must be auto or a number of MiB`},
		{"negative postings cache env", []string{"serve"}, map[string]string{"ZHSEARCH_POSTINGS_CACHE_MB": "-5"}, `--postings-cache-mb "-5": must be auto`},
		{"zero burst", []string{"serve", "--rate-burst", "0"}, nil, "--rate-burst 0: must be between 1"},
		{"bad proxy", []string{"serve", "--trusted-proxies", "10.0.0.0/8,lb"}, nil, `"lb" is not an IP or CIDR`},
		{"bad log format", []string{"serve", "--log-format", "xml"}, nil, `--log-format "xml": want auto, json or text`},
		{"bad log level", []string{"serve", "--log-level", "loud"}, nil, `--log-level "loud"`},
		{"short token", []string{"serve"}, map[string]string{"ZHSEARCH_ADMIN_TOKEN": "short"}, "admin token (--admin-token or ZHSEARCH_ADMIN_TOKEN) has 5 characters: want 16 to 256"},
		{"token with space", []string{"serve"}, map[string]string{"ZHSEARCH_ADMIN_TOKEN": "has a space in it 123"}, "must be printable ASCII without spaces"},
		{"all at once", []string{"serve", "--addr", "x", "--idle-timeout", "-1s"}, nil, "--idle-timeout -1s: must not be negative"},
		// Blanks or separators only would dial nats.go's default server.
		{"nats of commas", []string{"serve", "--nats", ","}, nil, `--nats: "," names no server`},
		{"nats of blanks", []string{"serve", "--nats", " "}, nil, `names no server`},
		{"nats bad port", []string{"serve", "--nats", "x:99999999"}, nil, "the port must be a number from 1 to 65535"},
		// A value from the environment names its variable, not only the
		// flag it stands for; one given on the command line does not.
		{"negative timeout env", []string{"serve"}, map[string]string{"ZHSEARCH_SHUTDOWN_TIMEOUT": "-5s"}, "--shutdown-timeout -5s: must not be negative (from environment ZHSEARCH_SHUTDOWN_TIMEOUT)"},
		{"negative concurrency env", []string{"serve"}, map[string]string{"ZHSEARCH_MAX_CONCURRENT": "-1"}, "--max-concurrent -1: must be between 0 and 100000 (from environment ZHSEARCH_MAX_CONCURRENT)"},
		{"bad origin env", []string{"serve"}, map[string]string{"ZHSEARCH_CORS_ORIGINS": "http://a/b"}, "(from environment ZHSEARCH_CORS_ORIGINS)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			st := run(context.Background(), tt.args, &out, &out)
			if st != 2 || !strings.Contains(out.String(), tt.want) {
				t.Errorf("status %d, output %q; want 2 and %q", st, out.String(), tt.want)
			}
			if strings.Contains(out.String(), "has a space") || strings.Contains(out.String(), "short\"") {
				t.Error("the admin token was printed")
			}
		})
	}
	// Help lists the environment variables and never the token.
	t.Setenv("ZHSEARCH_ADMIN_TOKEN", "visible-secret-0123456789")
	var out bytes.Buffer
	if st := run(context.Background(), []string{"serve", "-h"}, &out, &out); st != 0 ||
		!strings.Contains(out.String(), "ZHSEARCH_SEARCH_TIMEOUT") || strings.Contains(out.String(), "visible-secret") {
		t.Errorf("serve -h: %d %s", st, out.String())
	}
}

func TestEffectiveConfigLoggedRedacted(t *testing.T) {
	const token = "never-log-me-0123456789"
	_, logs := startServerWith(t, "../../data", func(c *serveConfig) {
		c.ops.adminToken = token
		c.ops.searchTimeout = 1500 * time.Millisecond
		c.metricsAddr = "127.0.0.1:0"
	})
	if strings.Contains(logs.String(), token) {
		t.Fatal("the admin token is in the log")
	}
	var cfg map[string]any
	for _, l := range logLines(t, logs.String()) {
		if l["msg"] == "configuration" {
			cfg, _ = l["config"].(map[string]any)
		}
	}
	// The side listeners' addresses too: an operator who cannot scrape a
	// server reads where it listens.
	if cfg["admin_token"] != "[redacted]" || cfg["search_timeout"] != "1.5s" || cfg["addr"] != "127.0.0.1:0" ||
		cfg["metrics_addr"] != "127.0.0.1:0" || cfg["debug_addr"] != "" {
		t.Errorf("configuration line = %v", cfg)
	}
}

func TestLogFormat(t *testing.T) {
	var b bytes.Buffer
	newLogger(&b, "auto", "info").Info("x", "k", 1) // a buffer is not a terminal: JSON
	if !json.Valid(b.Bytes()) {
		t.Errorf("auto on a non-terminal: %q", b.String())
	}
	b.Reset()
	newLogger(&b, "text", "info").Info("x", "k", 1)
	if !strings.HasPrefix(b.String(), "time=") {
		t.Errorf("text: %q", b.String())
	}
	b.Reset()
	newLogger(&b, "json", "warn").Info("hidden")
	if b.Len() != 0 {
		t.Errorf("info logged at warn level: %q", b.String())
	}
}

func TestHealthcheckCommand(t *testing.T) {
	base := startServer(t, "../../data")
	var out bytes.Buffer
	if st := run(context.Background(), []string{"healthcheck", "--url", base + "/readyz"}, &out, &out); st != 0 {
		t.Errorf("healthy server: status %d, %s", st, &out)
	}
	u, _ := url.Parse(base)
	t.Setenv("ZHSEARCH_ADDR", ":"+u.Port())
	out.Reset()
	if st := run(context.Background(), []string{"healthcheck"}, &out, &out); st != 0 {
		t.Errorf("from ZHSEARCH_ADDR: status %d, %s", st, &out)
	}
	for _, bare := range []string{base, base + "/"} {
		// The search page answers 200 whatever the index: a bare address
		// probes /readyz.
		out.Reset()
		if st := run(context.Background(), []string{"healthcheck", "--url", bare}, &out, &out); st != 0 || !strings.Contains(out.String(), base+"/readyz: 200") {
			t.Errorf("--url %s: status %d, %s; want /readyz probed", bare, st, &out)
		}
	}
	out.Reset()
	if st := run(context.Background(), []string{"healthcheck", "--url", base + "/nope"}, &out, &out); st != 1 || !strings.Contains(out.String(), "404") {
		t.Errorf("404: status %d, %s", st, &out)
	}
	// A redirect is no answer from /readyz: a proxy's login page or the
	// site's home page answer 200 whatever zhsearch's state.
	redirect := httptest.NewServer(http.RedirectHandler(base+"/healthz", http.StatusFound))
	defer redirect.Close()
	out.Reset()
	if st := run(context.Background(), []string{"healthcheck", "--url", redirect.URL + "/readyz"}, &out, &out); st != 1 || !strings.Contains(out.String(), "302") {
		t.Errorf("a redirect to /healthz: status %d, %s; want a failure naming the 302", st, &out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	out.Reset()
	if st := run(context.Background(), []string{"healthcheck", "--url", "http://" + dead + "/readyz", "--timeout", "2s"}, &out, &out); st != 1 {
		t.Errorf("no server: status %d, %s", st, &out)
	}
	out.Reset()
	if st := run(context.Background(), []string{"healthcheck", "--url", "ftp://x"}, &out, &out); st != 2 {
		t.Errorf("bad url: status %d, %s", st, &out)
	}
}

// jsonServer is `zhsearch serve --log-format json` run as a child process,
// its log read as it comes.
type jsonServer struct {
	cmd     *exec.Cmd
	addr    string
	logs    syncBuffer
	readAll chan struct{} // closed once the log has been read to its end
}

// startJSONServer starts serve over ../../data with extra flags and waits
// for its address.
func startJSONServer(t *testing.T, extra ...string) *jsonServer {
	t.Helper()
	args := append([]string{"serve", "--data", "../../data", "--index", filepath.Join(t.TempDir(), "index"),
		"--journal", filepath.Join(t.TempDir(), "edits.log"),
		"--addr", "127.0.0.1:0", "--read-timeout", "30s", "--log-format", "json"}, extra...)
	s := &jsonServer{cmd: exec.Command(os.Args[0], args...), readAll: make(chan struct{})}
	s.cmd.Env = append(os.Environ(), "ZHSEARCH_TEST_EXEC=1")
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill() })
	addrc := make(chan string, 1)
	// Wait closes the pipe once the process exits, whatever is left
	// unread in it: the last lines (index closed) are read to its end
	// first.
	go func() {
		defer close(s.readAll)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "serving" {
				addrc <- m["addr"].(string)
			}
		}
	}()
	select {
	case s.addr = <-addrc:
	case <-time.After(2 * time.Minute):
		t.Fatalf("server did not start: %s", s.logs.String())
	}
	return s
}

// halfSentDraft opens a connection to s and sends a draft's request with
// only the start of its body: a request in flight.
func (s *jsonServer) halfSentDraft(t *testing.T, body string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /api/v1/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		len(body), body[:10])
	time.Sleep(200 * time.Millisecond) // let the server read the head: the request is in flight
	return conn
}

// stop sends SIGTERM and waits for the log's end and the exit.
func (s *jsonServer) stop(t *testing.T) error {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return s.wait(t)
}

func (s *jsonServer) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-s.readAll:
	case <-time.After(time.Minute):
		t.Fatalf("the server's log did not end a minute after SIGTERM: %s", s.logs.String())
	}
	return s.cmd.Wait()
}

// TestGracefulShutdownOnSIGTERM runs the real command in a child process,
// holds a request in flight (its body half sent), sends SIGTERM, and checks
// that the server stops accepting, finishes the request, closes the index
// and exits 0.
func TestGracefulShutdownOnSIGTERM(t *testing.T) {
	srv := startJSONServer(t)
	body := `{"title":"租机变现有什么风险","size":2}`
	conn := srv.halfSentDraft(t, body)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes: new connections are refused.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", srv.addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 10s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The in-flight request completes normally.
	io.WriteString(conn, body[10:])
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request: %v\n%s", err, srv.logs.String())
	}
	var draft struct{ Related []struct{ Title string } }
	checkJSON(t, "in-flight draft", resp, 200, &draft)
	if len(draft.Related) == 0 {
		t.Error("in-flight request answered without results")
	}
	if err := srv.wait(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, srv.logs.String())
	}
	if got := logMessages(t, srv.logs.String()); !strings.Contains(got, "shutting down|request|all requests finished|index closed") {
		t.Errorf("shutdown sequence: %s", got)
	}
}

// TestShutdownTimeoutCutsRequests: a request still running at
// --shutdown-timeout is cut, logged and counted as 499, and the process
// exits 1 (found by a probe: the process exited before the cut request's
// log line).
func TestShutdownTimeoutCutsRequests(t *testing.T) {
	srv := startJSONServer(t, "--shutdown-timeout", "500ms")
	srv.halfSentDraft(t, `{"title":"租机变现有什么风险","size":2}`) // never finished
	err := srv.stop(t)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit: %v, want 1 (a request was cut)\n%s", err, srv.logs.String())
	}
	// The log's JSON lines, the command's error the last of them.
	logs := srv.logs.String()
	lines := logLines(t, logs)
	if last := lines[len(lines)-1]; last["level"] != "ERROR" || !strings.Contains(fmt.Sprint(last["err"]), "in-flight requests did not finish") {
		t.Errorf("the command's error %v, want an ERROR line saying requests were cut", last)
	}
	cut := false
	for _, l := range logLines(t, logs) {
		if l["msg"] == "request" && l["route"] == "/api/v1/related" && l["status"] == float64(api.StatusClientClosedRequest) {
			cut = true
		}
	}
	if !cut {
		t.Errorf("no request line with status 499 for the cut request:\n%s", srv.logs.String())
	}
	if got := logMessages(t, logs); !strings.Contains(got, "shutting down|request|index closed|zhsearch serve stopped") {
		t.Errorf("shutdown sequence: %s", got)
	}
}

// logMessages joins the msg of every JSON log line with |.
func logMessages(t *testing.T, logs string) string {
	t.Helper()
	var msgs []string
	for _, l := range logLines(t, logs) {
		msgs = append(msgs, fmt.Sprint(l["msg"]))
	}
	return strings.Join(msgs, "|")
}

func TestGenCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if st := run(context.Background(), []string{"gen", "--n", "5", "--seed", "7"}, &out, &errb); st != 0 {
		t.Fatalf("gen: %d %s", st, &errb)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5", len(lines))
	}
	// The output is a data folder's JSONL: reindex accepts it.
	data, idx := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "gen.jsonl"), out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var rout bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &rout, io.Discard); st != 0 ||
		!strings.HasPrefix(rout.String(), "indexed 5 articles") {
		t.Errorf("reindex of gen output: %d %s", st, &rout)
	}
	errb.Reset()
	if st := run(context.Background(), []string{"gen", "--n", "-1"}, &out, &errb); st != 2 {
		t.Errorf("gen --n -1: status %d", st)
	}
	// --out writes the same, and a write that fails (a full disk) fails
	// the command and leaves no file cut mid-line behind.
	file := filepath.Join(t.TempDir(), "gen.jsonl")
	if st := run(context.Background(), []string{"gen", "--n", "5", "--seed", "7", "--out", file}, io.Discard, &errb); st != 0 {
		t.Fatalf("gen --out: %d %s", st, &errb)
	}
	if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, out.Bytes()) {
		t.Errorf("gen --out wrote %d bytes (%v), want the %d of standard output", len(got), err, out.Len())
	}
	// A folder that is not there is named as given, not by the temporary
	// file gen writes first.
	errb.Reset()
	missing := filepath.Join(t.TempDir(), "missing", "gen.jsonl")
	if st := run(context.Background(), []string{"gen", "--n", "5", "--out", missing}, io.Discard, &errb); st == 0 ||
		!strings.Contains(errb.String(), "write "+missing+": ") || strings.Contains(errb.String(), ".tmp") {
		t.Errorf("gen --out into a missing folder: status %d, %q; want the path given", st, errb.String())
	}
	// A pipe whose reader goes away, as a full disk does, fails the write.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		if r, err := os.Open(fifo); err == nil {
			r.Read(make([]byte, 10))
			r.Close()
		}
	}()
	errb.Reset()
	if st := run(context.Background(), []string{"gen", "--n", "2000", "--out", fifo}, io.Discard, &errb); st == 0 {
		t.Errorf("gen --out to a pipe closed early: status 0, want a failure")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C before the first line
	if st := run(ctx, []string{"gen", "--n", "5", "--out", file + ".2"}, io.Discard, io.Discard); st == 0 {
		t.Error("gen --out, interrupted: status 0")
	}
	if _, err := os.Stat(file + ".2"); !os.IsNotExist(err) {
		t.Errorf("gen --out, interrupted: %s left behind (%v)", file+".2", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestPostingsBudget: --postings-cache-mb reaches the index as meant:
// auto sizes the budget by the index, 0 keeps no decoded postings.
func TestPostingsBudget(t *testing.T) {
	for _, tt := range []struct {
		flag string
		want int64
		ok   bool
	}{{"auto", 0, true}, {"0", -1, true}, {"256", 256 << 20, true}, {"-5", 0, false}, {"lots", 0, false}, {"2000000", 0, false}} {
		got, err := postingsBudget(tt.flag)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("postingsBudget(%q) = %d, %v; want %d, ok %v", tt.flag, got, err, tt.want, tt.ok)
		}
	}
}

// TestHealthzDuringFirstBuild: while serve builds its first index, the
// process answers /healthz (a liveness probe must not kill a build of
// minutes), 503 unavailable with Retry-After to the API, /readyz
// included, and the site's pages to a browser (raw JSON before); once the
// index is open it serves.
func TestHealthzDuringFirstBuild(t *testing.T) {
	cfg := firstBuildConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	b := startBackground(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	t.Cleanup(func() { cancel(); b.stopped(t) })
	base := "http://" + cfg.addr
	waitHealthy(t, base, logs)
	select {
	case <-b.addr:
		// The build of 3,000 articles takes seconds, the first answer
		// milliseconds: /healthz waited for the index.
		t.Fatal("/healthz answered only once the first build was done")
	default:
	}
	for _, path := range []string{"/readyz", "/api/v1/search?q=" + url.QueryEscape("花呗")} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		checkJSON(t, path+" during the first build", resp, 503, &e)
		resp.Body.Close()
		if e.Error.Code != "unavailable" || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s during the first build: code %q, Retry-After %q", path, e.Error.Code, resp.Header.Get("Retry-After"))
		}
	}
	// A browser gets the site's pages, not raw JSON: the search page (its
	// script then says the search is busy), an article page's error page,
	// the embeds' scripts.
	for _, tt := range []struct {
		path   string
		status int
		ctype  string
	}{
		{"/?q=" + url.QueryEscape("花呗"), 200, "text/html"},
		{"/a/x1", 503, "text/html"},
		{"/widget.js", 200, "javascript"},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+tt.path, nil)
		req.Header.Set("Accept", "text/html,*/*")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(resp.Header.Get("Content-Type"), tt.ctype) {
			t.Errorf("%s during the first build: %d %s, want %d %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.ctype)
		}
	}
	b.listening(t, logs)
	getJSON(t, base+"/readyz", 200, nil)
}

// TestStopDuringFirstBuild: SIGTERM or Ctrl-C while serve builds its first
// index is a stop asked for, as at any other time: serve returns no error
// (exit 0, where it was 1 with a bare "context canceled" that supervisors
// count as a crash) and says so, and the next start builds the index.
func TestStopDuringFirstBuild(t *testing.T) {
	cfg := firstBuildConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	b := startBackground(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	waitHealthy(t, "http://"+cfg.addr, logs)
	cancel()
	<-b.done
	if b.err != nil {
		t.Fatalf("serve stopped during its first build: %v; want no error\n%s", b.err, logs)
	}
	if !strings.Contains(logs.String(), "stopped during the first index build") {
		t.Errorf("the log does not say the first build was stopped:\n%s", logs)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	again := startBackground(ctx2, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	t.Cleanup(func() { cancel2(); again.stopped(t) })
	getJSON(t, again.listening(t, logs)+"/readyz", 200, nil)
}

// TestReplicaAnswersHealthzWhileJoining: a replica (--nats) takes its
// address before it connects to NATS and installs the cluster's
// generation (775 MB at 100k articles): /healthz answers meanwhile, the
// API 503, its --metrics-addr says no index is up, and SIGTERM then is a
// stop asked for (exit 0). It took the address only after both, so a
// liveness probe killed a replica waiting for NATS, and a stop during the
// wait exited 1; its metrics listener answered only once the index was
// open.
func TestReplicaAnswersHealthzWhileJoining(t *testing.T) {
	cfg := firstBuildConfig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.nats = "nats://" + ln.Addr().String() // no NATS server there
	ln.Close()
	metricsc := make(chan string, 1)
	cfg.metricsAddr, cfg.metricsReady = "127.0.0.1:0", func(a string) { metricsc <- a }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	b := startBackground(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	base := "http://" + cfg.addr
	waitHealthy(t, base, logs)
	var metricsAddr string
	select {
	case metricsAddr = <-metricsc:
	case <-time.After(30 * time.Second): // it would answer once joined: never, here
		t.Fatalf("no metrics listener while joining the cluster\n%s", logs)
	}
	if out := getText(t, "http://"+metricsAddr+"/metrics"); !strings.Contains(out, "zhsearch_index_up 0\n") ||
		!strings.Contains(out, "zhsearch_reindex_running 0\n") {
		t.Errorf("/metrics while joining the cluster lacks zhsearch_index_up 0 or zhsearch_reindex_running 0")
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("/readyz while joining the cluster: %d, want 503", resp.StatusCode)
	}
	cancel()
	<-b.done
	if b.err != nil {
		t.Fatalf("stopped while joining the cluster: %v; want no error\n%s", b.err, logs)
	}
	if !strings.Contains(logs.String(), "stopped while joining the cluster") {
		t.Errorf("the log does not say the stop came while joining:\n%s", logs)
	}
}

// TestFirstBuildSaysHowFar: a server building its first index answers on
// its --metrics-addr meanwhile, with the build running and how far it is,
// and logs each tenth of the build. It said nothing between "no index yet"
// and "serving", and its metrics listener was not up (about 20 minutes at
// 1M articles).
func TestFirstBuildSaysHowFar(t *testing.T) {
	cfg := firstBuildConfig(t)
	metricsc := make(chan string, 1)
	cfg.metricsAddr, cfg.metricsReady = "127.0.0.1:0", func(a string) { metricsc <- a }
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	b := startBackground(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	t.Cleanup(func() { cancel(); b.stopped(t) })
	metricsURL := "http://" + <-metricsc + "/metrics"
	sawBuild := false
	for !sawBuild {
		out := getText(t, metricsURL)
		sawBuild = strings.Contains(out, "zhsearch_reindex_running 1\n") && strings.Contains(out, "zhsearch_reindex_articles_to_index ")
		if strings.Contains(out, "zhsearch_index_up 1\n") {
			break // built already: the scrapes came too late to see it
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !sawBuild {
		t.Error("/metrics never showed the first build running")
	}
	b.listening(t, logs)
	if out := getText(t, metricsURL); !strings.Contains(out, "zhsearch_reindex_running 0\n") {
		t.Error("/metrics shows a build running once the index serves")
	}
	if !regexp.MustCompile(`"msg":"building the index","indexed":3000,"of":3000,"percent":100`).MatchString(logs.String()) {
		t.Errorf("the log does not say how far the first build is:\n%s", logs)
	}
}

// firstBuildConfig returns a serve configuration on a free address over a
// data folder of 3,000 generated articles and no index yet: a first build
// of seconds.
func firstBuildConfig(t *testing.T) serveConfig {
	t.Helper()
	data := t.TempDir()
	f, err := os.Create(filepath.Join(data, "gen.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	if err := gen.Generate(gen.Options{N: 3000, Seed: 2}, func(a zhsearch.Article) error { return enc.Encode(a) }); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return serveConfig{dataDir: data, indexDir: filepath.Join(t.TempDir(), "index"), addr: addr, ops: defaultOpsConfig()}
}

// waitHealthy waits until the server at base answers /healthz 200, or fails
// t after ten seconds.
func waitHealthy(t *testing.T, base string, logs *syncBuffer) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatalf("/healthz did not answer 200 while the first index was built\n%s", logs)
}

// TestUnknownEnvironment: a ZHSEARCH_ variable that sets nothing of serve
// is named (a misspelt setting stays at its default otherwise, silently),
// and no variable that sets something, or belongs to another command, is.
func TestUnknownEnvironment(t *testing.T) {
	envs := bindServeFlags(flag.NewFlagSet("serve", flag.ContinueOnError), &serveConfig{})
	for _, tt := range []struct {
		name    string
		environ []string
		want    []string
	}{
		{"settings", []string{"ZHSEARCH_SEARCH_TIMEOUT=1s", "ZHSEARCH_ADMIN_TOKEN=x", "ZHSEARCH_METRICS_ADDR=127.0.0.1:9", "PATH=/bin"}, nil},
		{"misspelt", []string{"ZHSEARCH_SERCH_TIMEOUT=1s", "ZHSEARCH_SEARCH_TIMEOUT=1s", "ZHSEARCH_METRIC_ADDR=x"},
			[]string{"ZHSEARCH_METRIC_ADDR", "ZHSEARCH_SERCH_TIMEOUT"}},
		{"another command's", []string{"ZHSEARCH_HEALTHCHECK_URL=http://127.0.0.1:8080"}, nil},
		{"not ours", []string{"ZHSEARCHX=1", "MY_ZHSEARCH_ADDR=1"}, nil},
	} {
		if got := envs.unknownEnv(tt.environ); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestStopErrorLoggedAsJSON: the error that stops serve (here a data
// folder that is a file) is a JSON log line at error level when the logs
// are JSON, as pipelines alerting on level=ERROR read them, and not a
// plain line after them; with text logs it is the plain line.
func TestStopErrorLoggedAsJSON(t *testing.T) {
	dataFile := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(dataFile, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--data", dataFile, "--index", t.TempDir(), "--addr", "127.0.0.1:0"}
	var out, errs bytes.Buffer
	if st := run(context.Background(), append(args, "--log-format", "json"), &out, &errs); st != 1 {
		t.Fatalf("exit %d, want 1:\n%s", st, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(errs.String()), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("last line is not JSON: %q", lines[len(lines)-1])
	}
	if last["level"] != "ERROR" || !strings.Contains(fmt.Sprint(last["err"]), dataFile) {
		t.Errorf("last line %v: want an ERROR naming %s", last, dataFile)
	}
	errs.Reset()
	if st := run(context.Background(), append(args, "--log-format", "text"), &out, &errs); st != 1 ||
		!strings.Contains(errs.String(), "zhsearch serve: ") {
		t.Errorf("text logs: exit %d, stderr %q: want the plain error line", st, errs.String())
	}
}
