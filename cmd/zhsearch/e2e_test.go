package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
)

// startServer runs `zhsearch serve` in-process on a real listener on :0
// with a fresh index folder built from dataDir, and returns its base URL.
func startServer(t *testing.T, dataDir string) string {
	t.Helper()
	base, _ := startServerWith(t, dataDir, nil)
	return base
}

// startServerWith is startServer with the default production configuration
// adjusted by opt; it also returns the server's JSON log.
// bundledData is the repository's data folder, as the tests name it.
var bundledData = filepath.Clean("../../data")

func startServerWith(t *testing.T, dataDir string, opt func(*serveConfig)) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := serveConfig{dataDir: dataDir, indexDir: filepath.Join(t.TempDir(), "index"), addr: "127.0.0.1:0",
		ops: defaultOpsConfig(), searchCache: index.DefaultSearchCacheSize,
		relatedCache: index.DefaultRelatedOptions().CacheSize}
	if filepath.Clean(dataDir) == bundledData {
		// The repository's data folder: its journal (data/journal) is a
		// developer's, who may have tried the admin API on it; a test
		// neither replays nor writes it.
		cfg.journal = filepath.Join(t.TempDir(), "edits.log")
	}
	if opt != nil {
		opt(&cfg)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := startBackground(ctx, cfg, logger)
	t.Cleanup(func() {
		cancel()
		b.stopped(t)
	})
	return b.listening(t, logs), logs
}

func getJSON(t *testing.T, u string, wantStatus int, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	checkJSON(t, "GET "+u, resp, wantStatus, v)
}

func checkJSON(t *testing.T, what string, resp *http.Response, wantStatus int, v any) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s: status %d, want %d; body %s", what, resp.StatusCode, wantStatus, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v in %s", what, err, body)
		}
	}
}

type searchResp struct {
	Total uint64 `json:"total"`
	Hits  []struct {
		ID, Title  string
		Highlights struct{ Title, Body string }
	} `json:"hits"`
}

type apiError struct {
	Error struct{ Code, Message string } `json:"error"`
}

func TestEndToEndSeedCorpus(t *testing.T) {
	base := startServer(t, "../../data")

	var sr searchResp
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花呗风控")+"&size=10", 200, &sr)
	// The corpus has five titles holding 花呗风控; they all come first.
	const want = 5
	if len(sr.Hits) < want {
		t.Fatalf("%d hits, want at least %d", len(sr.Hits), want)
	}
	for i, h := range sr.Hits[:want] {
		if !strings.Contains(h.Title, "花呗风控") {
			t.Errorf("hit %d is %q, want a 花呗风控 title in the first %d", i+1, h.Title, want)
		}
		if !strings.Contains(h.Highlights.Title, "<mark>花呗风控</mark>") {
			t.Errorf("hit %d highlight %q", i+1, h.Highlights.Title)
		}
	}

	var rel struct {
		ID      string `json:"id"`
		Related []struct {
			ID, Title, Reason string
			Reasons           []string
		}
	}
	const seed = "000_6fe797c5a744a779"
	getJSON(t, base+"/api/v1/articles/"+seed+"/related?size=5", 200, &rel)
	if len(rel.Related) == 0 {
		t.Fatal("seed article has no related articles")
	}
	for _, r := range rel.Related {
		if r.ID == seed {
			t.Error("related list holds the article itself")
		}
		switch r.Reason {
		case "similar", "weak":
			if len(r.Reasons) == 0 {
				t.Errorf("related %q (%s) carries no reasons", r.Title, r.Reason)
			}
		case "fallback":
		default:
			t.Errorf("related %q: reason %q, want similar, weak or fallback", r.Title, r.Reason)
		}
	}

	var art struct {
		ID, Title string
		Related   []string
	}
	getJSON(t, base+"/api/v1/articles/"+seed, 200, &art)
	if art.Title != "花呗协商还款对征信的影响" || len(art.Related) != 100 {
		t.Errorf("article = %q with %d related titles", art.Title, len(art.Related))
	}

	// Every documented field is there, in one shape across answers, even
	// when empty: a client reads hit.url and article.url alike.
	var shapes struct {
		Hits    []map[string]json.RawMessage `json:"hits"`
		Related []map[string]json.RawMessage `json:"related"`
	}
	var article map[string]json.RawMessage
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花呗风控"), 200, &shapes)
	getJSON(t, base+"/api/v1/articles/"+seed+"/related?size=5", 200, &shapes)
	getJSON(t, base+"/api/v1/articles/"+seed, 200, &article)
	for what, got := range map[string]map[string]json.RawMessage{"hit": shapes.Hits[0], "related item": shapes.Related[0], "article": article} {
		want := []string{"id", "title", "url", "published_at"}
		if what == "hit" {
			want = append(want, "snippet", "score", "highlights", "relaxed")
		}
		for _, k := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("%s has no %q field: %v", what, k, slices.Sorted(maps.Keys(got)))
			}
		}
	}

	var sug struct{ Suggestions []struct{ ID, Title string } }
	getJSON(t, base+"/api/v1/suggest?q="+url.QueryEscape("花呗"), 200, &sug)
	if len(sug.Suggestions) == 0 || !strings.HasPrefix(sug.Suggestions[0].Title, "花呗") {
		t.Errorf("suggest 花呗 = %+v", sug.Suggestions)
	}

	resp, err := http.Post(base+"/api/v1/related", "application/json",
		strings.NewReader(`{"title":"租机变现有什么风险","body":"租机以后转卖手机变现","size":3}`))
	if err != nil {
		t.Fatal(err)
	}
	var draft struct{ Related []struct{ ID, Title string } }
	checkJSON(t, "POST draft", resp, 200, &draft)
	resp.Body.Close()
	if len(draft.Related) == 0 || !strings.Contains(draft.Related[0].Title, "租机") {
		t.Errorf("draft related = %+v", draft.Related)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		getJSON(t, base+path, 200, nil)
	}
}

func TestQuerySyntaxIsText(t *testing.T) {
	base := startServer(t, "../../data")
	for _, q := range []string{"title:花呗", "*", "+花呗 -风控", `"花呗`, "花呗~2", "(风控", "/.*/", "花呗^10"} {
		var sr searchResp
		getJSON(t, base+"/api/v1/search?q="+url.QueryEscape(q), 200, &sr)
	}
	// 'title:x' is the text "title x", not a field query: it matches nothing here.
	var sr searchResp
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("title:量子"), 200, &sr)
	if sr.Total != 0 {
		t.Errorf("title:量子 found %d hits", sr.Total)
	}
}

// TestAnswerCaching: what a reader's browser or a shared cache may keep.
// Searches, completions, articles and related lists are the same for
// every reader and may be kept for half a minute; errors, drafts' lists,
// the admin API and health answers must not be stored; no API answer is
// sniffed as another type.
func TestAnswerCaching(t *testing.T) {
	const token = "e2e-admin-token-0123456789abcdef"
	base, _ := startServerWith(t, "../../data", func(c *serveConfig) { c.ops.adminToken = token })
	seed := "/api/v1/articles/000_6fe797c5a744a779"
	tests := []struct {
		method, path, body string
		status             int
		cacheControl       string
	}{
		{"GET", "/api/v1/search?q=" + url.QueryEscape("花呗"), "", 200, api.CachePublicAnswer},
		{"HEAD", "/api/v1/search?q=" + url.QueryEscape("花呗"), "", 200, api.CachePublicAnswer},
		{"GET", "/api/v1/suggest?q=" + url.QueryEscape("花呗"), "", 200, api.CachePublicAnswer},
		{"GET", seed, "", 200, api.CachePublicAnswer},
		{"GET", seed + "/related", "", 200, api.CachePublicAnswer},
		{"GET", "/api/v1/search?q=", "", 400, "no-store"},
		{"GET", "/api/v1/articles/nope", "", 404, "no-store"},
		{"POST", "/api/v1/related", `{"title":"花呗逾期了怎么办"}`, 200, "no-store"},
		{"GET", "/api/v1/admin/reindex", "", 401, "no-store"},
		{"GET", "/healthz", "", 200, "no-store"},
		{"GET", "/readyz", "", 200, "no-store"},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := [3]string{strconv.Itoa(resp.StatusCode), resp.Header.Get("Cache-Control"), resp.Header.Get("X-Content-Type-Options")}
		if want := [3]string{strconv.Itoa(tt.status), tt.cacheControl, "nosniff"}; got != want {
			t.Errorf("%s %s: status, Cache-Control, X-Content-Type-Options = %q, want %q", tt.method, tt.path, got, want)
		}
	}
}

func TestBadRequests(t *testing.T) {
	const token = "e2e-admin-token-0123456789abcdef"
	base, _ := startServerWith(t, "../../data", func(c *serveConfig) { c.ops.adminToken = token })
	var before searchResp
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花呗风控"), 200, &before)
	long := strings.Repeat("花", 201)
	tests := []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/search", 400, "invalid_argument"},
		{"/api/v1/search?q=", 400, "invalid_argument"},
		{"/api/v1/search?q=%20%20", 400, "invalid_argument"},
		{"/api/v1/search?q=" + url.QueryEscape(long), 400, "invalid_argument"},
		{"/api/v1/search?q=%ff%fe", 400, "invalid_argument"},
		{"/api/v1/search?q=%E8%8A", 400, "invalid_argument"}, // a cut UTF-8 sequence
		{"/api/v1/search?q=" + strings.Repeat("a", 10000), 400, "invalid_argument"},
		{"/api/v1/search?q=" + url.QueryEscape(strings.Repeat("花", 10000)), 400, "invalid_argument"},
		{"/api/v1/search?q=%00", 400, "invalid_argument"},
		{"/api/v1/search?q=%E3%80%80%09", 400, "invalid_argument"}, // ideographic space and tab
		{"/api/v1/suggest?q=%ff", 400, "invalid_argument"},
		{"/api/v1/search?q=a&size=0", 400, "invalid_argument"},
		{"/api/v1/search?q=a&size=-1", 400, "invalid_argument"},
		{"/api/v1/search?q=a&size=51", 400, "invalid_argument"},
		{"/api/v1/search?q=a&size=abc", 400, "invalid_argument"},
		{"/api/v1/search?q=a&page=0", 400, "invalid_argument"},
		{"/api/v1/search?q=a&page=1e9", 400, "invalid_argument"},
		{"/api/v1/search?q=a&page=1000000000", 400, "invalid_argument"},
		{"/api/v1/search?q=a&page=99999999999999999999", 400, "invalid_argument"},
		{"/api/v1/search?q=a&page=-1", 400, "invalid_argument"},
		{"/api/v1/search?q=a&size=1.5", 400, "invalid_argument"},
		{"/api/v1/search?q=a&page=21&size=50", 400, "invalid_argument"}, // page*size > 1000
		{"/api/v1/search?q=a&page=101&size=10", 400, "invalid_argument"},
		{"/api/v1/suggest", 400, "invalid_argument"},
		{"/api/v1/suggest?q=a&size=0", 400, "invalid_argument"},
		{"/api/v1/articles/nope", 404, "not_found"},
		{"/api/v1/articles/..%2F..%2Fetc", 404, "not_found"},
		{"/api/v1/articles/a%00b", 404, "not_found"},
		{"/api/v1/articles/%00", 404, "not_found"},
		{"/api/v1/articles/a%2Fb", 404, "not_found"},
		{"/api/v1/articles/..", 404, "not_found"},
		{"/api/v1/articles/%2E%2E/related", 404, "not_found"},
		{"/api/v1/articles/../../etc/passwd", 404, "not_found"},
		{"/api/v1/articles/" + strings.Repeat("a", 129), 404, "not_found"},
		{"/api/v1/articles/%ff%fe", 404, "not_found"},
		{"/api/v1/articles/nope/related", 404, "not_found"},
		{"/api/v1/articles/000_6fe797c5a744a779/related?size=21", 400, "invalid_argument"},
		{"/api/v1/articles/000_6fe797c5a744a779/related?size=0", 400, "invalid_argument"},
		{"/api/v1/nope", 404, "not_found"},
		{"/api/v1/search/?q=a", 404, "not_found"}, // a stray slash: JSON, not a redirect
		{"/api/v1/articles/000_6fe797c5a744a779/related/", 404, "not_found"},
		{"/api/v1/search?q=a%zz", 400, "invalid_argument"}, // not "q is required"
	}
	for _, tt := range tests {
		var e apiError
		getJSON(t, base+tt.path, tt.status, &e)
		if e.Error.Code != tt.code || e.Error.Message == "" {
			t.Errorf("GET %s: error %+v, want code %s and a message", tt.path, e.Error, tt.code)
		}
	}

	posts := []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"wrong content type", "text/plain", `{"title":"花呗"}`, 415, "unsupported_media_type"},
		{"malformed", "application/json", `{"title":`, 400, "invalid_argument"},
		{"unknown field", "application/json", `{"titel":"花呗"}`, 400, "invalid_argument"},
		{"empty draft", "application/json", `{"title":" ","body":""}`, 400, "invalid_argument"},
		{"bad size", "application/json", `{"title":"花呗","size":99}`, 400, "invalid_argument"},
		{"too large", "application/json", `{"title":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "payload_too_large"},
		{"no content type", "", `{"title":"花呗"}`, 415, "unsupported_media_type"},
		{"form", "application/x-www-form-urlencoded", `title=花呗`, 415, "unsupported_media_type"},
		{"multipart", "multipart/form-data; boundary=x", "--x\r\n\r\n--x--", 415, "unsupported_media_type"},
		{"bad media type", "application/json; charset", `{"title":"花呗"}`, 415, "unsupported_media_type"},
		{"empty body", "application/json", ``, 400, "invalid_argument"},
		{"array", "application/json", `[{"title":"花呗"}]`, 400, "invalid_argument"},
		{"two values", "application/json", `{"title":"花呗"} {"title":"借呗"}`, 400, "invalid_argument"},
		{"wrong type", "application/json", `{"title":1}`, 400, "invalid_argument"},
		{"size as string", "application/json", `{"title":"花呗","size":"3"}`, 400, "invalid_argument"},
		{"negative size", "application/json", `{"title":"花呗","size":-1}`, 400, "invalid_argument"},
		{"title too long", "application/json", `{"title":"` + strings.Repeat("花", 513) + `"}`, 400, "invalid_argument"},
	}
	for _, tt := range posts {
		resp, err := http.Post(base+"/api/v1/related", tt.ctype, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		checkJSON(t, "POST "+tt.name, resp, tt.status, &e)
		resp.Body.Close()
		if e.Error.Code != tt.code {
			t.Errorf("POST %s: code %q, want %q", tt.name, e.Error.Code, tt.code)
		}
	}
	// The same draft with a charset parameter is fine.
	resp, err := http.Post(base+"/api/v1/related", "application/json; charset=utf-8", strings.NewReader(`{"title":"花呗"}`))
	if err != nil {
		t.Fatal(err)
	}
	checkJSON(t, "POST charset", resp, 200, nil)
	resp.Body.Close()

	for _, tt := range []struct{ name, auth string }{
		{"no token", ""},
		{"wrong token", "Bearer wrong-admin-token-0123456789"},
		{"over-long token", "Bearer " + strings.Repeat("t", 100000)},
		{"basic auth", "Basic " + token},
	} {
		req, _ := http.NewRequest("GET", base+"/api/v1/admin/stats", nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		checkJSON(t, "admin "+tt.name, resp, 401, &e)
		resp.Body.Close()
		if e.Error.Code != "unauthorized" {
			t.Errorf("admin %s: code %q", tt.name, e.Error.Code)
		}
	}

	// An editor's malformed query string is refused as a reader's is.
	req, _ := http.NewRequest("GET", base+"/api/v1/admin/stats?n=%ZZ", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e apiError
	checkJSON(t, "admin stats?n=%ZZ", resp, 400, &e)
	resp.Body.Close()
	if e.Error.Code != "invalid_argument" {
		t.Errorf("admin stats?n=%%ZZ: code %q, want invalid_argument", e.Error.Code)
	}

	// Nothing was lost: the index answers as before.
	getJSON(t, base+"/readyz", 200, nil)
	var after searchResp
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape("花呗风控"), 200, &after)
	if after.Total != before.Total || len(after.Hits) != len(before.Hits) || after.Hits[0].ID != before.Hits[0].ID {
		t.Errorf("after bad input: %d hits (first %v), before %d", after.Total, after.Hits, before.Total)
	}
}

func TestCommandLine(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(t.TempDir(), "data.jsonl") // a data folder given as a file
	if err := os.WriteFile(file, []byte(`{"id":"a","title":"花呗"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		status int
		out    string
	}{
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"version"}, 0, "zhsearch (devel) " + runtime.Version()}, // a test binary records no commit
		{[]string{"--version"}, 0, "zhsearch (devel) " + runtime.Version()},
		{[]string{"version", "extra"}, 2, `unexpected argument "extra"`},
		{nil, 2, "Commands:"}, // no command: usage on stderr, as go does
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"reindex", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"serve", "-h"}, 0, "Usage: zhsearch serve"},
		{[]string{"reindex", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"dict"}, 2, "Usage: zhsearch dict suggest"},
		{[]string{"dict", "-h"}, 0, "zhsearch dict builtin FILE"}, // both subcommands
		{[]string{"dict", "builtin", "domain.txt", "extra"}, 2, "want one FILE, got 2 arguments"},
		{[]string{"help", "serve"}, 0, "Usage: zhsearch serve"},
		{[]string{"help", "nope"}, 2, `unknown command "nope"`},
		{[]string{"journal", "bogus"}, 2, `unknown subcommand "bogus"`},
		{[]string{"dict", "bogus"}, 2, `unknown subcommand "bogus"`},
		{[]string{"dict", "suggest", "--top", "0"}, 2, "--top must be between 1 and"},
		{[]string{"gen", "--topics", "-1"}, 2, "topics"},
		{[]string{"dict", "suggest", "--data", "../../data", "--min-count", "3"}, 0, "急用钱"},
		{[]string{"dict", "suggest", "--data", empty}, 1, "no articles found"},
		// The data folder's own fault is said as such, not as the edit
		// journal's inside it; an empty one as serve says it.
		{[]string{"reindex", "--data", file, "--index", t.TempDir()}, 1, "data folder " + file + ": not a folder"},
		{[]string{"serve", "--data", file, "--index", t.TempDir(), "--addr", "127.0.0.1:0"}, 1, "data folder " + file + ": not a folder"},
		{[]string{"reindex", "--data", "", "--index", t.TempDir()}, 2, "--data and --index must not be empty"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if got := run(context.Background(), tt.args, &out, &out); got != tt.status || !strings.Contains(out.String(), tt.out) {
			t.Errorf("zhsearch %q: status %d, output %q; want %d and %q", tt.args, got, out.String(), tt.status, tt.out)
		}
	}
}

func TestFailedReindexKeepsLiveIndex(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	good := `{"id":"a1","title":"花呗风控解除"}` + "\n"
	if err := os.WriteFile(filepath.Join(data, "a.jsonl"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out); st != 0 {
		t.Fatalf("first reindex: %d %s", st, &out)
	}
	live, _ := os.ReadFile(filepath.Join(idx, "CURRENT"))
	bad := good + `{"id":"a2","title":"x","published_at":"soon"}` + "\n"
	if err := os.WriteFile(filepath.Join(data, "a.jsonl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &out)
	if want := filepath.Join(data, "a.jsonl") + ":2: bad date"; st != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("bad reindex: status %d, output %q; want 1 and %q", st, out.String(), want)
	}
	if after, _ := os.ReadFile(filepath.Join(idx, "CURRENT")); !bytes.Equal(after, live) {
		t.Errorf("CURRENT changed from %q to %q", live, after)
	}
	entries, _ := os.ReadDir(idx)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != fmt.Sprintf("[BUILD CURRENT LOCK %s]", strings.TrimSpace(string(live))) {
		t.Errorf("index folder holds %v", names)
	}
}

// TestServePortTakenFailsFirst: a server whose address is taken says so at
// once, before building an index it could not serve.
func TestServePortTakenFailsFirst(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	idx := filepath.Join(t.TempDir(), "index")
	cfg := serveConfig{dataDir: "../../data", indexDir: idx, addr: taken.Addr().String(), ops: defaultOpsConfig(),
		journal: filepath.Join(t.TempDir(), "edits.log")}
	err = serve(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "listen:") {
		t.Fatalf("serve on a taken address: %v; want a listen error", err)
	}
	if _, err := os.Stat(filepath.Join(idx, "CURRENT")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an index was built before the listen error (%v)", err)
	}
}

// TestDictionaryReplacedWarns: a data folder's dict/domain.txt replaces
// the built-in one whole; one started with a single new word drops the
// built-in domain words, and reindex and dict suggest say so, naming the
// way to start from the built-in file, which dict builtin writes.
func TestDictionaryReplacedWarns(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"a.jsonl":         `{"id":"a1","title":"美团月付风控了怎么办"}` + "\n",
		"dict/domain.txt": "美团 1000 nz\n",
	} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const warning = "dict/domain.txt replaces the built-in domain.txt and lacks"
	var out, errOut bytes.Buffer
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &errOut); st != 0 || !strings.Contains(errOut.String(), warning) {
		t.Errorf("reindex: status %d, stderr %q; want 0 and a warning %q", st, &errOut, warning)
	}
	// The editor sees which dictionary the new generation took.
	if !strings.Contains(out.String(), "(data folder)\n") || !strings.Contains(out.String(), "dictionary: ") {
		t.Errorf("reindex with a data folder's dictionary says %q, want its dictionary (data folder)", &out)
	}
	errOut.Reset()
	if st := run(context.Background(), []string{"dict", "suggest", "--data", data, "--min-count", "1"}, &out, &errOut); st != 0 || !strings.Contains(errOut.String(), warning) {
		t.Errorf("dict suggest: status %d, stderr %q; want 0 and a warning %q", st, &errOut, warning)
	}
	out.Reset()
	builtin, err := os.ReadFile("../../data/dict/domain.txt")
	if err != nil {
		t.Fatal(err)
	}
	if st := run(context.Background(), []string{"dict", "builtin", "domain.txt"}, &out, &errOut); st != 0 || !bytes.Equal(out.Bytes(), builtin) {
		t.Errorf("dict builtin domain.txt: status %d, %d bytes; want the built-in file's %d", st, out.Len(), len(builtin))
	}
	// With the built-in words kept, no warning.
	if err := os.WriteFile(filepath.Join(data, "dict", "domain.txt"), append(builtin, "美团 1000 nz\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if st := run(context.Background(), []string{"reindex", "--data", data, "--index", idx}, &out, &errOut); st != 0 || strings.Contains(errOut.String(), "warning") {
		t.Errorf("reindex with the built-in words kept: status %d, stderr %q; want no warning", st, &errOut)
	}
}
