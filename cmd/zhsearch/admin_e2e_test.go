package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
)

const testToken = "test-admin-token-0123456789abcdef"

// testServer is `zhsearch serve` running in-process on :0.
type testServer struct {
	base string
	logs *syncBuffer
	stop func()
}

// startServe runs serve with cfg (addr and ready are set here) until the
// test ends or stop is called.
func startServe(t *testing.T, cfg serveConfig) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	cfg.addr = "127.0.0.1:0"
	if cfg.ops == (opsConfig{}) {
		cfg.ops = defaultOpsConfig()
	}
	if cfg.searchCache == 0 {
		cfg.searchCache = index.DefaultSearchCacheSize // as served: edits must pass the cache
	}
	if cfg.relatedCache == 0 {
		cfg.relatedCache = index.DefaultRelatedOptions().CacheSize
	}
	b := startBackground(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	var once sync.Once
	s := &testServer{logs: logs}
	s.stop = func() {
		once.Do(func() {
			cancel()
			b.stopped(t)
		})
	}
	t.Cleanup(s.stop)
	s.base = b.listening(t, logs)
	return s
}

// reindexOffline runs `zhsearch reindex` in-process and fails the test if
// it does not succeed.
func reindexOffline(t *testing.T, data, idx string) {
	t.Helper()
	var out bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 0 {
		t.Fatalf("reindex: %s", &out)
	}
}

// adminOps is the default configuration with the admin API on.
func adminOps(token string) opsConfig {
	o := defaultOpsConfig()
	o.adminToken = secret(token)
	return o
}

// call sends one request and returns the status and body.
func call(t *testing.T, method, u, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// mustCall is call that fails the test on another status.
func mustCall(t *testing.T, method, u, token, body string, want int, out any) {
	t.Helper()
	status, b := call(t, method, u, token, body)
	if status != want {
		t.Fatalf("%s %s: %d %s; want %d", method, u, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, u, err, b)
		}
	}
}

// writeCorpus writes data/corpus.jsonl: n articles, each holding 测试.
func writeCorpus(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id":"%s%d","title":"测试文章%s%d 花呗还款","body":"第%d篇测试文章：借呗额度、征信查询和网贷逾期的说明。","published_at":"2024-01-02 10:00:00"}`+"\n",
			prefix, i, prefix, i, i)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "corpus.jsonl"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// searchTotal returns the total of a search for q.
func searchTotal(t *testing.T, base, q string) uint64 {
	t.Helper()
	var sr searchResp
	getJSON(t, base+"/api/v1/search?size=1&q="+url.QueryEscape(q), 200, &sr)
	return sr.Total
}

// waitJob polls the admin API until reindex job id ends, and returns it.
func waitJob(t *testing.T, base, id string) zhsearch.ReindexJob {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var j zhsearch.ReindexJob
		mustCall(t, "GET", base+"/api/v1/admin/reindex", testToken, "", 200, &j)
		if j.ID != id {
			t.Fatalf("latest job is %s, want %s", j.ID, id)
		}
		if j.State != zhsearch.JobRunning {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("reindex did not finish")
	return zhsearch.ReindexJob{}
}

func startReindex(t *testing.T, base string) string {
	t.Helper()
	var j zhsearch.ReindexJob
	mustCall(t, "POST", base+"/api/v1/admin/reindex", testToken, "", 202, &j)
	if j.ID == "" || j.State != zhsearch.JobRunning {
		t.Fatalf("POST reindex answered %+v", j)
	}
	return j.ID
}

// indexEntries lists the index folder.
func indexEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// followed reports whether a server log says it switched to generation gen
// (any generation if gen is "") made by another process.
func followed(logs, gen string) bool {
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="following new generation"`) && strings.Contains(line, "generation="+gen) {
			return true
		}
	}
	return false
}

func currentGen(t *testing.T, idx string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(idx, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestAdminAuth(t *testing.T) {
	data := t.TempDir()
	writeCorpus(t, data, "a", 3)
	srv := startServe(t, serveConfig{dataDir: data, indexDir: t.TempDir(), ops: adminOps(testToken)})
	u := srv.base + "/api/v1/admin/reindex"
	headers := map[string]string{
		"missing":        "",
		"wrong":          "Bearer not-the-token",
		"prefix":         "Bearer " + testToken[:10],
		"longer":         "Bearer " + testToken + "x",
		"over-long":      "Bearer " + strings.Repeat("a", 4<<10),
		"over-long real": "Bearer " + strings.Repeat(testToken, 20),
		"empty":          "Bearer ",
		"basic":          "Basic " + testToken,
		"no scheme":      testToken,
	}
	for name, h := range headers {
		for _, method := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(method, u, nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var e apiError
			checkJSON(t, name, resp, 401, &e)
			resp.Body.Close()
			if e.Error.Code != "unauthorized" || e.Error.Message != "unauthorized" {
				t.Errorf("%s %s: error %+v, want a bare unauthorized", name, method, e.Error)
			}
		}
	}
	for _, path := range []string{"/api/v1/admin/articles/a1"} {
		for _, method := range []string{"PUT", "DELETE"} {
			if status, _ := call(t, method, srv.base+path, "wrong", `{"title":"x"}`); status != 401 {
				t.Errorf("%s %s with a wrong token: %d", method, path, status)
			}
		}
	}
	// Refused requests changed nothing.
	getJSON(t, srv.base+"/api/v1/articles/a1", 200, nil)
	mustCall(t, "GET", u, testToken, "", 404, nil) // no job yet
	mustCall(t, "GET", u, "bearer-case", "", 401, nil)
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "bearer "+testToken) // the scheme is case-insensitive
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("lower-case scheme: %d, want 404 (authorized, no job yet)", resp.StatusCode)
	}
}

func TestAdminDisabledWithoutToken(t *testing.T) {
	data := t.TempDir()
	writeCorpus(t, data, "a", 3)
	srv := startServe(t, serveConfig{dataDir: data, indexDir: t.TempDir()})
	for _, method := range []string{"POST", "GET"} {
		if status, _ := call(t, method, srv.base+"/api/v1/admin/reindex", testToken, ""); status != 404 {
			t.Errorf("%s reindex without a configured token: %d, want 404", method, status)
		}
	}
	if status, _ := call(t, "PUT", srv.base+"/api/v1/admin/articles/a1", testToken, `{"title":"x"}`); status != 404 {
		t.Errorf("PUT without a configured token: %d, want 404", status)
	}
	if n := strings.Count(srv.logs.String(), "admin API disabled"); n != 1 {
		t.Errorf("log says %d times that the admin API is off, want once:\n%s", n, srv.logs)
	}
	if _, err := os.Stat(filepath.Join(data, "journal")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a server without edits created the journal folder: %v", err)
	}
}

// TestStartUpLog: what an operator reads of a start with the admin API on
// and journaled edits: the binary's version, the generation served with
// its format and writer and the edits replayed into it, and the admin API
// said to be on once (the server that answers while the index loads
// registered it too, and said so a second time).
func TestStartUpLog(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 3)
	cfg := serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken)}
	srv := startServe(t, cfg)
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/n1", testToken, `{"title":"日志里的编辑"}`, 201, nil)
	srv.stop()
	srv = startServe(t, cfg) // a restart on the generation the edit went into
	// The journal's seq and the index's agree: nothing waits.
	metricsOut := getText(t, srv.base+"/metrics")
	for _, want := range []string{"zhsearch_journal_last_seq 1\n", "zhsearch_index_applied_seq 1\n", "zhsearch_journal_append_failures_total 0\n"} {
		if !strings.Contains(metricsOut, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The journal's disk use, its file and its archive, holds the edit.
	var journalBytes int
	files := regexp.MustCompile(`zhsearch_journal_bytes\{file="(journal|archive)"\} (\d+)`).FindAllStringSubmatch(metricsOut, -1)
	for _, m := range files {
		n, _ := strconv.Atoi(m[2])
		journalBytes += n
	}
	if len(files) != 2 || journalBytes == 0 {
		t.Errorf("/metrics gives the journal's files %v: want both, holding the edit", files)
	}
	logs := srv.logs.String()
	for _, want := range []string{"msg=configuration version=", "msg=\"serving generation\"", "format=2", "written_by="} {
		if !strings.Contains(logs, want) {
			t.Errorf("start-up log lacks %q:\n%s", want, logs)
		}
	}
	if !regexp.MustCompile(`replayed_edits=\d+`).MatchString(logs) {
		t.Errorf("start-up log does not say how many edits it replayed:\n%s", logs)
	}
	if n := strings.Count(logs, "admin API enabled"); n != 1 {
		t.Errorf("log says %d times that the admin API is on, want once:\n%s", n, logs)
	}
}

func TestAdminArticleValidation(t *testing.T) {
	data := t.TempDir()
	writeCorpus(t, data, "a", 3)
	srv := startServe(t, serveConfig{dataDir: data, indexDir: t.TempDir(), ops: adminOps(testToken)})
	tests := []struct {
		name, method, id, ctype, body string
		status                        int
		code                          string
	}{
		{"malformed", "PUT", "n1", "application/json", `{"title":`, 400, "invalid_argument"},
		{"not an object", "PUT", "n1", "application/json", `["title"]`, 400, "invalid_argument"},
		{"null", "PUT", "n1", "application/json", `null`, 400, "invalid_argument"},
		{"two values", "PUT", "n1", "application/json", `{"title":"a"}{"title":"b"}`, 400, "invalid_argument"},
		{"unknown field", "PUT", "n1", "application/json", `{"title":"a","titel":"b"}`, 400, "invalid_argument"},
		{"no title", "PUT", "n1", "application/json", `{"body":"正文"}`, 400, "invalid_argument"},
		{"blank title", "PUT", "n1", "application/json", `{"title":"  "}`, 400, "invalid_argument"},
		{"long title", "PUT", "n1", "application/json", `{"title":"` + strings.Repeat("长", 513) + `"}`, 400, "invalid_argument"},
		{"bad date", "PUT", "n1", "application/json", `{"title":"a","published_at":"2024-13-01"}`, 400, "invalid_argument"},
		{"id mismatch", "PUT", "n1", "application/json", `{"id":"n2","title":"a"}`, 400, "invalid_argument"},
		{"id not a string", "PUT", "n1", "application/json", `{"id":7,"title":"a"}`, 400, "invalid_argument"},
		{"bad id in path", "PUT", "bad%20id", "application/json", `{"title":"a"}`, 400, "invalid_argument"},
		{"tags not a list", "PUT", "n1", "application/json", `{"title":"a","tags":"x"}`, 400, "invalid_argument"},
		{"content type", "PUT", "n1", "text/plain", `{"title":"a"}`, 415, "unsupported_media_type"},
		{"too large", "PUT", "n1", "application/json", `{"title":"a","body":"` + strings.Repeat("a", 17<<20) + `"}`, 413, "payload_too_large"},
		{"delete unknown", "DELETE", "nope", "", "", 404, "not_found"},
		{"delete bad id", "DELETE", "..", "", "", 400, "invalid_argument"}, // no article may have it: bad input, as for PUT
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.base+"/api/v1/admin/articles/"+tt.id, strings.NewReader(tt.body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		checkJSON(t, tt.name, resp, tt.status, &e)
		resp.Body.Close()
		if e.Error.Code != tt.code || e.Error.Message == "" {
			t.Errorf("%s: error %+v, want code %s and a message", tt.name, e.Error, tt.code)
		}
	}
	getJSON(t, srv.base+"/api/v1/articles/n1", 404, nil)
	if n := searchTotal(t, srv.base, "测试"); n != 3 {
		t.Errorf("refused edits changed the index: %d articles, want 3", n)
	}
	// The accepted forms: id from the path, or the same id in the body.
	var r zhsearch.EditResult
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/n1", testToken, `{"title":"新文章"}`, 201, &r)
	if r != (zhsearch.EditResult{ID: "n1", Op: "put", Seq: 1, Created: true}) {
		t.Errorf("PUT answered %+v", r)
	}
	r = zhsearch.EditResult{}
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/n1", testToken, `{"id":"n1","title":"新文章二"}`, 200, &r)
	if r != (zhsearch.EditResult{ID: "n1", Op: "put", Seq: 2}) {
		t.Errorf("second PUT answered %+v", r)
	}
}

// fetchArticle fetches an article, or nil on 404.
func fetchArticle(t *testing.T, base, id string) *zhsearch.Article {
	t.Helper()
	status, b := call(t, "GET", base+"/api/v1/articles/"+id, "", "")
	if status == 404 {
		return nil
	}
	var a zhsearch.Article
	if status != 200 || json.Unmarshal(b, &a) != nil {
		t.Fatalf("GET article %s: %d %s", id, status, b)
	}
	return &a
}

// TestEditsSurviveRestartAndReindex: upserts and deletes, title-only
// articles included, are visible at once and still there after a restart,
// a server reindex, an offline reindex the server follows, and another
// restart.
func TestEditsSurviveRestartAndReindex(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	seed, err := os.ReadFile("../../data/000_6fe797c5a744a779.txt")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(data, "000_6fe797c5a744a779.txt"), seed, 0o644)
	cfg := serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken), poll: 20 * time.Millisecond}
	srv := startServe(t, cfg)

	// A title-only article from the seed page's 相关内容 list.
	var sr struct {
		Hits []struct{ ID, Title string }
	}
	getJSON(t, srv.base+"/api/v1/search?size=1&q="+url.QueryEscape("花呗风控"), 200, &sr)
	titleOnly := sr.Hits[0].ID
	if !strings.HasPrefix(titleOnly, "t-") {
		t.Fatalf("first hit %v is not title-only", sr.Hits[0])
	}
	const seedID = "000_6fe797c5a744a779"
	admin := srv.base + "/api/v1/admin/articles/"
	mustCall(t, "PUT", admin+"e1", testToken, `{"title":"租机回租套路贷曝光","body":"回租不是租机。","tags":["租机"]}`, 201, nil)
	mustCall(t, "PUT", admin+seedID, testToken, `{"title":"花呗协商还款全攻略（修订）","body":"修订后的正文"}`, 200, nil)
	mustCall(t, "DELETE", admin+titleOnly, testToken, "", 200, nil)
	mustCall(t, "PUT", admin+"e2", testToken, `{"title":"临时文章"}`, 201, nil)
	mustCall(t, "DELETE", admin+"e2", testToken, "", 200, nil)

	check := func(when string, base string) {
		t.Helper()
		if a := fetchArticle(t, base, "e1"); a == nil || a.Title != "租机回租套路贷曝光" || a.Body != "回租不是租机。" {
			t.Errorf("%s: e1 is %+v", when, a)
		}
		if a := fetchArticle(t, base, seedID); a == nil || a.Title != "花呗协商还款全攻略（修订）" || len(a.Related) != 0 {
			t.Errorf("%s: seed article is %+v", when, a)
		}
		for _, id := range []string{titleOnly, "e2"} {
			if a := fetchArticle(t, base, id); a != nil {
				t.Errorf("%s: deleted %s is back: %+v", when, id, a)
			}
		}
		var sr searchResp
		getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("套路贷曝光"), 200, &sr)
		if len(sr.Hits) == 0 || sr.Hits[0].ID != "e1" {
			t.Errorf("%s: search does not find e1 first: %+v", when, sr.Hits)
		}
	}
	check("live", srv.base)
	srv.stop()

	srv = startServe(t, cfg)
	check("after restart", srv.base)

	if j := waitJob(t, srv.base, startReindex(t, srv.base)); j.State != zhsearch.JobSucceeded || j.Result.Edits != 5 {
		t.Fatalf("server reindex: %+v", j)
	}
	check("after a server reindex", srv.base)

	before := currentGen(t, idx)
	var out bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 0 {
		t.Fatalf("offline reindex: %d\n%s", st, &out)
	}
	if !strings.Contains(out.String(), "replayed 5 live edits from the journal") {
		t.Errorf("offline reindex output:\n%s", &out)
	}
	after := currentGen(t, idx)
	if after == before {
		t.Fatal("offline reindex did not switch CURRENT")
	}
	deadline := time.Now().Add(time.Minute)
	for !followed(srv.logs.String(), after) {
		if time.Now().After(deadline) {
			t.Fatalf("server did not follow the offline reindex:\n%s", srv.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	check("after an offline reindex", srv.base)
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/e3", testToken, `{"title":"切换后的编辑"}`, 201, nil)
	srv.stop()

	srv = startServe(t, cfg)
	check("after the last restart", srv.base)
	if fetchArticle(t, srv.base, "e3") == nil {
		t.Error("e3, edited after following, is lost")
	}
	if got := indexEntries(t, idx); !slices.Equal(got, []string{"BUILD", "CURRENT", "LOCK", after}) {
		t.Errorf("index folder holds %v, want only the live generation %s", got, after)
	}
}

// TestReindexUnderLoad searches continuously while the index is rebuilt and
// switched, by the server and by an offline reindex the server follows,
// with edits flowing: every answer must be 2xx and count exactly the old
// or the new corpus, never a half-built one.
func TestReindexUnderLoad(t *testing.T) {
	for _, mode := range []string{"server", "offline"} {
		t.Run(mode, func(t *testing.T) {
			data, idx := t.TempDir(), t.TempDir()
			const n1, n2 = 300, 700
			writeCorpus(t, data, "a", n1)
			srv := startServe(t, serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken), poll: 50 * time.Millisecond})
			oldGen := currentGen(t, idx)

			var stop atomic.Bool
			var wg sync.WaitGroup
			var requests, bad atomic.Int64
			var sawOld, sawNew atomic.Int64
			var mu sync.Mutex
			var problems []string
			report := func(format string, args ...any) {
				bad.Add(1)
				mu.Lock()
				if len(problems) < 10 {
					problems = append(problems, fmt.Sprintf(format, args...))
				}
				mu.Unlock()
			}
			client := &http.Client{Timeout: 30 * time.Second}
			q := srv.base + "/api/v1/search?size=3&q=" + url.QueryEscape("测试")
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					seenNew := false
					for !stop.Load() {
						resp, err := client.Get(q)
						if err != nil {
							report("transport: %v", err)
							continue
						}
						body, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						requests.Add(1)
						var sr searchResp
						if resp.StatusCode != 200 || json.Unmarshal(body, &sr) != nil {
							report("status %d: %s", resp.StatusCode, body)
							continue
						}
						switch {
						case sr.Total == n1 && !seenNew:
							sawOld.Add(1)
						case sr.Total == n2:
							sawNew.Add(1)
							seenNew = true
						default:
							report("total %d (seen new: %v), want %d or %d", sr.Total, seenNew, n1, n2)
						}
					}
				}()
			}
			// Edits flow during the switch too.
			var edited []string
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					id := fmt.Sprintf("edit%d", i)
					req, _ := http.NewRequest("PUT", srv.base+"/api/v1/admin/articles/"+id, strings.NewReader(`{"title":"编辑文章"}`))
					req.Header.Set("Authorization", "Bearer "+testToken)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						report("PUT %s: %v", id, err)
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 201 {
						report("PUT %s: %d %s", id, resp.StatusCode, b)
						continue
					}
					edited = append(edited, id)
					time.Sleep(5 * time.Millisecond)
				}
			}()

			time.Sleep(200 * time.Millisecond)
			writeCorpus(t, data, "b", n2)
			atSwitch := requests.Load()
			start := time.Now()
			if mode == "server" {
				if j := waitJob(t, srv.base, startReindex(t, srv.base)); j.State != zhsearch.JobSucceeded {
					t.Fatalf("reindex: %+v", j)
				}
			} else {
				var out bytes.Buffer
				if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 0 {
					t.Fatalf("offline reindex: %d\n%s", st, &out)
				}
				for !followed(srv.logs.String(), "") {
					if time.Since(start) > time.Minute {
						t.Fatal("server did not follow the offline reindex")
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			took := time.Since(start)
			time.Sleep(300 * time.Millisecond) // keep searching on the new generation
			stop.Store(true)
			wg.Wait()
			during := requests.Load() - atSwitch
			t.Logf("%s reindex %d -> %d articles took %s; %d searches during it (%d in all), %d edits, %d errors",
				mode, n1, n2, took.Round(time.Millisecond), during, requests.Load(), len(edited), bad.Load())
			if bad.Load() > 0 {
				t.Fatalf("%d failed or inconsistent answers, e.g.\n%s", bad.Load(), strings.Join(problems, "\n"))
			}
			if sawOld.Load() == 0 || sawNew.Load() == 0 {
				t.Errorf("answers from the old generation: %d, from the new: %d; want both", sawOld.Load(), sawNew.Load())
			}
			if n := searchTotal(t, srv.base, "测试"); n != n2 {
				t.Errorf("after the switch: %d, want %d", n, n2)
			}
			for _, id := range edited {
				if fetchArticle(t, srv.base, id) == nil {
					t.Errorf("edit %s lost in the switch", id)
				}
			}
			deadline := time.Now().Add(time.Minute)
			for slices.Contains(indexEntries(t, idx), oldGen) {
				if time.Now().After(deadline) {
					t.Fatalf("old generation never removed: %v", indexEntries(t, idx))
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// TestReindexConflict: a second reindex while one runs gets 409, whether
// the first runs in the server or in another process.
func TestReindexConflict(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 600)
	srv := startServe(t, serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken)})

	id := startReindex(t, srv.base)
	var e apiError
	mustCall(t, "POST", srv.base+"/api/v1/admin/reindex", testToken, "", 409, &e)
	if e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, id) {
		t.Errorf("second reindex: %+v", e.Error)
	}
	waitJob(t, srv.base, id)

	// Another process holds the build lock (an offline `zhsearch reindex`).
	f, err := os.OpenFile(filepath.Join(idx, "BUILD"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	mustCall(t, "POST", srv.base+"/api/v1/admin/reindex", testToken, "", 409, &e)
	if e.Error.Code != "conflict" {
		t.Errorf("reindex during another process's build: %+v", e.Error)
	}
	var out bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 1 ||
		!strings.Contains(out.String(), "the index folder is busy") {
		t.Errorf("offline reindex during another build: %d %s", st, &out)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	waitJob(t, srv.base, startReindex(t, srv.base))
}

// TestRemoteReindexCommand drives `zhsearch reindex --server`.
func TestRemoteReindexCommand(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 5)
	srv := startServe(t, serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken)})
	live := currentGen(t, idx)

	t.Setenv("ZHSEARCH_ADMIN_TOKEN", testToken)
	writeCorpus(t, data, "b", 8)
	var out, errOut bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--server", srv.base}, &out, &errOut); st != 0 {
		t.Fatalf("reindex --server: %d\n%s%s", st, &out, &errOut)
	}
	if !strings.Contains(out.String(), "indexed 8 articles and 0 title-only articles from 1 files") {
		t.Errorf("reindex --server printed:\n%s", &out)
	}
	if n := searchTotal(t, srv.base, "测试"); n != 8 {
		t.Errorf("after reindex --server: %d articles, want 8", n)
	}
	if g := currentGen(t, idx); g == live {
		t.Errorf("reindex --server left %s live", g)
	}

	// A dictionary file that lacks the built-in entries it replaces is
	// said, as an offline reindex says it: on stderr and in the job's
	// result (the server logs it too).
	if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "dict", "domain.txt"), []byte("测试词 1000 n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if st := run(context.Background(), []string{"reindex", "--server", srv.base}, &out, &errOut); st != 0 {
		t.Fatalf("reindex --server with a short domain.txt: %d\n%s%s", st, &out, &errOut)
	}
	const lacks = "warning: dict/domain.txt replaces the built-in domain.txt and lacks"
	if !strings.Contains(errOut.String(), lacks) {
		t.Errorf("reindex --server with a short domain.txt: stderr %q, want %q", &errOut, lacks)
	}
	var job zhsearch.ReindexJob
	mustCall(t, "GET", srv.base+"/api/v1/admin/reindex", testToken, "", 200, &job)
	if job.Result == nil || len(job.Result.Warnings) != 1 || !strings.Contains(job.Result.Warnings[0], "lacks") {
		t.Errorf("job result %+v: want the dictionary's warning", job.Result)
	}
	os.RemoveAll(filepath.Join(data, "dict"))
	live = currentGen(t, idx)

	// Broken input: the job fails naming file and line; the server keeps serving.
	os.WriteFile(filepath.Join(data, "corpus.jsonl"), []byte(`{"id":"x","title":"好"}`+"\n"+`{"id":"y"}`+"\n"), 0o644)
	out.Reset()
	errOut.Reset()
	st := run(context.Background(), []string{"reindex", "--server", srv.base}, &out, &errOut)
	if want := filepath.Join(data, "corpus.jsonl") + ":2: article y: title is required"; st != 1 || !strings.Contains(errOut.String(), want) {
		t.Errorf("broken input: status %d, stderr %q; want 1 and %q", st, &errOut, want)
	}
	if currentGen(t, idx) != live || searchTotal(t, srv.base, "测试") != 8 {
		t.Error("a failed reindex changed the live generation")
	}

	// The API's URL for the server's: said so, not "no admin API".
	errOut.Reset()
	if st := run(context.Background(), []string{"reindex", "--server", srv.base + "/api/v1/"}, &out, &errOut); st != 1 ||
		!strings.Contains(errOut.String(), "give the server's root URL, without /api/v1") {
		t.Errorf("--server …/api/v1: %d %s", st, &errOut)
	}
	// A query would swallow the routes appended to it; a path the server
	// does not serve is said to be the path's fault; an empty --server
	// (an unset variable) is no local build from ./data.
	for _, tt := range []struct {
		server string
		status int
		want   string
	}{
		{srv.base + "?x=1", 1, "without a query or fragment"},
		{srv.base + "/prefix", 1, "check the path after the server's address"},
		{"", 2, "--server is empty"},
	} {
		errOut.Reset()
		if st := run(context.Background(), []string{"reindex", "--server", tt.server}, &out, &errOut); st != tt.status || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("--server %q: status %d, stderr %s; want %d and %q", tt.server, st, &errOut, tt.status, tt.want)
		}
	}

	t.Setenv("ZHSEARCH_ADMIN_TOKEN", "wrong-token")
	errOut.Reset()
	if st := run(context.Background(), []string{"reindex", "--server", srv.base}, &out, &errOut); st != 1 ||
		!strings.Contains(errOut.String(), "refused the admin token") {
		t.Errorf("wrong token: %d %s", st, &errOut)
	}
	t.Setenv("ZHSEARCH_ADMIN_TOKEN", "")
	errOut.Reset()
	if st := run(context.Background(), []string{"reindex", "--server", srv.base}, &out, &errOut); st != 1 ||
		!strings.Contains(errOut.String(), "set ZHSEARCH_ADMIN_TOKEN") {
		t.Errorf("no token: %d %s", st, &errOut)
	}
	errOut.Reset()
	if st := run(context.Background(), []string{"reindex", "--server", srv.base, "--index", idx}, &out, &errOut); st != 2 {
		t.Errorf("--server with --index: %d %s", st, &errOut)
	}
}

// TestReindexProgressLines: without a terminal, progress is plain lines.
func TestReindexProgressLines(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 30)
	var out, errOut bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &errOut); st != 0 {
		t.Fatalf("reindex: %d %s", st, &errOut)
	}
	for _, want := range []string{"reindex: reading the data folder", "reindex: indexing\n",
		"reindex: indexed 30/30 articles (100%), ", " articles/s\n", "reindex: verifying", "reindex: switching"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, &errOut)
		}
	}
	if !strings.Contains(out.String(), "indexed 30 articles and 0 title-only articles from 1 files in ") {
		t.Errorf("summary:\n%s", &out)
	}
}

// TestKillOfflineReindex SIGKILLs a `zhsearch reindex` in the middle of
// writing a generation: a server started afterwards serves the last
// complete generation and removes the partial one.
func TestKillOfflineReindex(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 40)
	reindexOffline(t, data, idx)
	live := currentGen(t, idx)
	writeCorpus(t, data, "b", 20000)
	p := startProcess(t, nil, "reindex", "--data", data, "--index", idx)
	waitPartial(t, idx, p)
	p.kill(t)
	if got := currentGen(t, idx); got != live {
		t.Fatalf("CURRENT moved to %s though the build was killed", got)
	}

	writeCorpus(t, data, "a", 40) // what a restart serves is the old generation either way
	srv := startServe(t, serveConfig{dataDir: data, indexDir: idx})
	if n := searchTotal(t, srv.base, "测试"); n != 40 {
		t.Errorf("after the kill: %d articles, want 40", n)
	}
	if got := indexEntries(t, idx); !slices.Equal(got, []string{"BUILD", "CURRENT", "LOCK", live}) {
		t.Errorf("index folder holds %v after restart, want the partial build removed", got)
	}
}

// waitPartial waits until a build in idx has written part of a generation
// (a segment file in a .building folder), while the process still runs.
func waitPartial(t *testing.T, idx string, p *process) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		segs, _ := filepath.Glob(filepath.Join(idx, "gen-*.building", "store", "*.zap"))
		if len(segs) > 0 {
			return
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("process ended before it was killed (%v):\n%s", err, p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no partial generation appeared:\n%s", p.stderr)
}

// TestKillServerDuringReindex SIGKILLs a server in the middle of a reindex,
// with an edit accepted before it and one during it: the restarted server
// serves the last complete generation with both edits and removes the
// partial one, and the next reindex keeps the edits.
func TestKillServerDuringReindex(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 40)
	p := startProcess(t, []string{"ZHSEARCH_ADMIN_TOKEN=" + testToken},
		"serve", "--data", data, "--index", idx, "--addr", "127.0.0.1:0")
	base := p.waitServing(t)
	live := currentGen(t, idx)
	mustCall(t, "PUT", base+"/api/v1/admin/articles/e1", testToken, `{"title":"杀进程前的编辑"}`, 201, nil)

	writeCorpus(t, data, "b", 20000)
	id := startReindex(t, base)
	mustCall(t, "PUT", base+"/api/v1/admin/articles/e2", testToken, `{"title":"重建中的编辑"}`, 201, nil)
	waitPartial(t, idx, p)
	var j zhsearch.ReindexJob
	mustCall(t, "GET", base+"/api/v1/admin/reindex", testToken, "", 200, &j)
	if j.ID != id || j.State != zhsearch.JobRunning {
		t.Fatalf("job before the kill: %+v", j)
	}
	p.kill(t)

	writeCorpus(t, data, "c", 60)
	srv := startServe(t, serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken)})
	if got := currentGen(t, idx); got != live {
		t.Errorf("CURRENT is %s, want %s", got, live)
	}
	if n := searchTotal(t, srv.base, "测试"); n != 40 {
		t.Errorf("after the kill: %d articles, want 40", n)
	}
	for _, id := range []string{"e1", "e2"} {
		if fetchArticle(t, srv.base, id) == nil {
			t.Errorf("after the kill: edit %s lost", id)
		}
	}
	if got := indexEntries(t, idx); !slices.Equal(got, []string{"BUILD", "CURRENT", "LOCK", live}) {
		t.Errorf("index folder holds %v after restart, want the partial build removed", got)
	}
	if j := waitJob(t, srv.base, startReindex(t, srv.base)); j.State != zhsearch.JobSucceeded {
		t.Fatalf("reindex after restart: %+v", j)
	}
	if n := searchTotal(t, srv.base, "测试"); n != 60 {
		t.Errorf("after reindex: %d articles, want 60", n)
	}
	for _, id := range []string{"e1", "e2"} {
		if fetchArticle(t, srv.base, id) == nil {
			t.Errorf("after reindex: edit %s lost", id)
		}
	}
}

// reindexFullDisk builds a live generation of 40 articles, then reindexes
// n more in a process whose files may grow to fsize bytes at most
// (RLIMIT_FSIZE: writes past it fail as they do on a full disk). It checks
// that the reindex fails (exit 1) and leaves the live generation and
// nothing else, and returns its output.
func reindexFullDisk(t *testing.T, n int, fsize string) string {
	t.Helper()
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 40)
	reindexOffline(t, data, idx)
	live := currentGen(t, idx)
	writeCorpus(t, data, "b", n)
	p := startProcess(t, []string{"ZHSEARCH_TEST_FSIZE=" + fsize}, "reindex", "--data", data, "--index", idx)
	var err error
	select {
	case err = <-p.done:
		p.done <- err
	case <-time.After(3 * time.Minute):
		t.Fatalf("reindex on a full disk did not end\n%s", p.stderr)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("reindex on a full disk: %v, want exit 1\n%s", err, p.stderr)
	}
	if got := indexEntries(t, idx); !slices.Equal(got, []string{"BUILD", "CURRENT", "LOCK", live}) {
		t.Errorf("index folder holds %v, want only the live generation", got)
	}
	ix, err := index.Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, _ := ix.DocCount(); n != 40 {
		t.Errorf("live generation holds %d articles, want 40", n)
	}
	return p.stderr.String()
}

// TestReindexDiskFull: a reindex that cannot write its files (the disk
// fills up) fails with a clear error and leaves the live generation and
// nothing else.
func TestReindexDiskFull(t *testing.T) {
	if out := reindexFullDisk(t, 3000, "65536"); !strings.Contains(out, "file too large") {
		t.Errorf("reindex on a full disk does not say why:\n%s", out)
	}
}

// TestReindexDiskFullAtMerge: a reindex whose final merge cannot write its
// segment (the disk fills up only then: each batch's segment fits under
// the cap, the merged one does not) fails with the system's error. bleve's
// merger retries such a merge for ever, and the reindex ran at full CPU,
// saying nothing, until it was killed (found by a probe).
func TestReindexDiskFullAtMerge(t *testing.T) {
	out := reindexFullDisk(t, 20000, "8000000")
	if !strings.Contains(out, "indexed 20000/20000") || !strings.Contains(out, "compact: write index") || !strings.Contains(out, "file too large") {
		t.Errorf("reindex whose final merge fills the disk: want a failure after indexing every article, naming the merge and the error\n%s", out)
	}
}

// TestReindexUnwritableFolder: an index folder the process may not write
// gives a clear error and leaves the live generation alone.
func TestReindexUnwritableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere; TestReindexDiskFull covers failing writes")
	}
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 5)
	reindexOffline(t, data, idx)
	live := currentGen(t, idx)
	os.Chmod(idx, 0o555)
	defer os.Chmod(idx, 0o755)
	var out bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 1 ||
		!strings.Contains(out.String(), "permission denied") {
		t.Errorf("reindex into a read-only folder: %d %s", st, &out)
	}
	if currentGen(t, idx) != live {
		t.Error("CURRENT changed")
	}
}

// TestSIGHUPFollowsOfflineReindex: with polling off, a server switches to a
// generation built by an offline reindex when it gets SIGHUP, and only then.
func TestSIGHUPFollowsOfflineReindex(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 10)
	p := startProcess(t, nil, "serve", "--data", data, "--index", idx, "--addr", "127.0.0.1:0", "--poll", "0")
	base := p.waitServing(t)
	writeCorpus(t, data, "b", 12)
	var out bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 0 {
		t.Fatalf("offline reindex: %s", &out)
	}
	time.Sleep(300 * time.Millisecond)
	if n := searchTotal(t, base, "测试"); n != 10 {
		t.Fatalf("without SIGHUP the server serves %d articles, want the old 10", n)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for searchTotal(t, base, "测试") != 12 {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not switch generations:\n%s", p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The line is logged once Reload has returned, which is after the new
	// generation answers searches.
	for !strings.Contains(p.stderr.String(), "SIGHUP: serving") {
		if time.Now().After(deadline) {
			t.Fatalf("log does not tell of the SIGHUP:\n%s", p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSIGHUPDuringFirstBuild: a SIGHUP that comes while serve builds its
// first index, with no generation to switch to yet, is logged and
// dropped; it ended the process (Go's default for SIGHUP), the build lost.
func TestSIGHUPDuringFirstBuild(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	// Enough articles that the build outlasts the signal's delivery.
	if st := run(context.Background(), []string{"gen", "--n", "3000", "--seed", "5", "--out", filepath.Join(data, "gen.jsonl")}, io.Discard, io.Discard); st != 0 {
		t.Fatalf("gen: status %d", st)
	}
	p := startProcess(t, nil, "serve", "--data", data, "--index", idx, "--addr", "127.0.0.1:0")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(p.stderr.String(), "no index yet: building it") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start its first build:\n%s", p.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.waitServing(t) // fails if the signal ended the process
	log := p.stderr.String()
	held, built := strings.Index(log, "SIGHUP before the index is open"), strings.Index(log, `"msg":"index built"`)
	if held < 0 || built < 0 || held > built {
		t.Errorf("want the SIGHUP logged during the build, before it ended:\n%s", log)
	}
}

// TestJournalElsewhereSurvivesLostIndex: with --journal outside the data
// folder (as in the docker image), an edit survives losing the whole index
// folder: the first build of the next start replays that journal.
func TestJournalElsewhereSurvivesLostIndex(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 3)
	journal := filepath.Join(t.TempDir(), "volume", "edits.log")
	cfg := serveConfig{dataDir: data, indexDir: idx, journal: journal, ops: adminOps(testToken)}
	srv := startServe(t, cfg)
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/kept1", testToken, `{"title":"换了硬盘也要留下的文章"}`, 201, nil)
	srv.stop()
	if _, err := os.Stat(journal); err != nil {
		t.Fatalf("the journal is not where --journal says: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "journal")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a journal was written into the data folder too: %v", err)
	}
	if err := os.RemoveAll(idx); err != nil {
		t.Fatal(err)
	}
	srv = startServe(t, cfg)
	if fetchArticle(t, srv.base, "kept1") == nil {
		t.Error("the edit is gone after the index folder was rebuilt from scratch")
	}
}
