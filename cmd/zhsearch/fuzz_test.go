package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/analytics"
	"github.com/zhsearch/zhsearch/api"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/metrics"
)

// fuzzHandler returns the API over a real index of the bundled corpus, with
// metrics and analytics on.
func fuzzHandler(f *testing.F) http.Handler {
	f.Helper()
	dir := f.TempDir()
	if _, err := index.Build(context.Background(), "../../data", dir, index.BuildOptions{}); err != nil {
		f.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ix.Close() })
	s := &api.Server{
		Service: ix,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ops: api.Ops{
			Metrics:   metrics.New(metrics.Options{}),
			Analytics: analytics.New(analytics.Options{Normalize: analysis.Normalize}),
		},
	}
	return s.Handler()
}

// FuzzSearchHandler sends arbitrary query strings to GET /api/v1/search and
// GET /api/v1/suggest on a real index: the answer is never a 5xx, always
// JSON, a 200 respects the requested bounds and its highlights carry no
// markup but <mark>.
func FuzzSearchHandler(f *testing.F) {
	f.Add("q=花呗风控&size=5", false)
	f.Add("q=%ff%fe&page=1e9", true)
	h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, rawQuery string, suggest bool) {
		path := "/api/v1/search"
		if suggest {
			path = "/api/v1/suggest"
		}
		req := httptest.NewRequest("GET", path, nil)
		req.URL.RawQuery = rawQuery // as the server would see it, escapes and all
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: status %d: %s", path, rawQuery, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q", ct)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("body is not JSON: %q", rec.Body)
		}
		if rec.Code != 200 {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &e); e.Error.Code != zhsearch.EINVALID || e.Error.Message == "" {
				t.Fatalf("status %d with body %s", rec.Code, rec.Body)
			}
			return
		}
		if suggest {
			var res zhsearch.SuggestResult
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Suggestions) > zhsearch.MaxSuggestSize {
				t.Fatalf("suggest answer %s (%v)", rec.Body, err)
			}
			return
		}
		var res zhsearch.SearchResult
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		if res.Page < 1 || res.Size < 1 || res.Size > zhsearch.MaxSearchSize || res.Page*res.Size > zhsearch.MaxResultWindow ||
			len(res.Hits) > res.Size || uint64(len(res.Hits)) > res.Total || strings.TrimSpace(res.Query) == "" {
			t.Fatalf("answer out of bounds: page %d size %d hits %d total %d query %q", res.Page, res.Size, len(res.Hits), res.Total, res.Query)
		}
		for _, hit := range res.Hits {
			for _, hl := range []string{hit.Highlights.Title, hit.Highlights.Body} {
				if bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(hl); strings.ContainsAny(bare, "<>") {
					t.Fatalf("highlight %q carries markup", hl)
				}
			}
		}
	})
}
