package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"gzip;q=0", false},
		{"gzip; q=0.0", false},
		{"gzip;q=0, *", false}, // gzip named: its own q decides
		{"*", true},
		{"*;q=0", false},
		{"identity", false},
		{"br, deflate", false},
		{"gzipx", false},
		{"gzip;q=nonsense", false},
	}
	for _, tt := range tests {
		if got := acceptsGzip([]string{tt.header}); got != tt.want {
			t.Errorf("Accept-Encoding %q: gzip accepted %v, want %v", tt.header, got, tt.want)
		}
	}
}

// gunzip returns rec's body, decompressed when it says it is gzip.
func gunzip(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec.Body.String()
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("Content-Encoding gzip, but the body is not: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnswersCompressedForClientsThatAcceptIt(t *testing.T) {
	long := strings.Repeat("花呗逾期怎么办", 40)
	svc := &fakeService{search: func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
		if req.Query == "boom" {
			panic("index exploded")
		}
		res := &zhsearch.SearchResult{Query: req.Query, Page: 1, Size: 10, Total: 10}
		for range 10 {
			res.Hits = append(res.Hits, zhsearch.Hit{ID: "a1", Title: long, Snippet: long})
		}
		return res, nil
	}}
	h, _, _ := newTestServer(t, svc, nil)
	const path = "/api/v1/search?q=花呗"
	plain := do(h, "GET", path, nil)
	if ce := plain.Header().Get("Content-Encoding"); ce != "" || plain.Code != 200 {
		t.Fatalf("no Accept-Encoding: status %d, Content-Encoding %q", plain.Code, ce)
	}
	zipped := do(h, "GET", path, nil, "Accept-Encoding", "gzip, deflate, br")
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", zipped.Header().Get("Content-Encoding"))
	}
	if got := gunzip(t, zipped); got != plain.Body.String() {
		t.Errorf("decompressed answer differs:\n%s\nwant\n%s", got, plain.Body)
	}
	if zipped.Body.Len()*4 > plain.Body.Len() {
		t.Errorf("compressed %d bytes of %d: want at most a quarter", zipped.Body.Len(), plain.Body.Len())
	}
	for name, rec := range map[string]*httptest.ResponseRecorder{"compressed": zipped, "plain": plain} {
		if vary := rec.Header().Values("Vary"); !hasToken(vary, "Accept-Encoding") || len(vary) != 1 {
			t.Errorf("%s answer: Vary %q, want Accept-Encoding once", name, vary)
		}
	}
	if zipped.Header().Get("Cache-Control") != plain.Header().Get("Cache-Control") {
		t.Errorf("Cache-Control %q compressed, %q not", zipped.Header().Get("Cache-Control"), plain.Header().Get("Cache-Control"))
	}

	// Refused, errors and a panic's 500 leave as plain JSON a client reads.
	if rec := do(h, "GET", path, nil, "Accept-Encoding", "gzip;q=0, br"); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
	wantError(t, "bad request, gzip accepted", do(h, "GET", "/api/v1/search?q=", nil, "Accept-Encoding", "gzip"), 400, zhsearch.EINVALID)
	wantError(t, "unknown route, gzip accepted", do(h, "GET", "/api/v1/nope", nil, "Accept-Encoding", "gzip"), 404, zhsearch.ENOTFOUND)
	wantError(t, "panic, gzip accepted", do(h, "GET", "/api/v1/search?q=boom", nil, "Accept-Encoding", "gzip"), 500, zhsearch.EINTERNAL)

}

func TestMetricsCompressedOnce(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	do(h, "GET", "/api/v1/search?q=花呗", nil)
	rec := do(h, "GET", "/metrics", nil, "Accept-Encoding", "gzip")
	if rec.Code != 200 {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	if body := gunzip(t, rec); !strings.Contains(body, "zhsearch_http_requests_total") {
		t.Errorf("/metrics with gzip accepted does not read as metrics: %.200q (Content-Encoding %q)", body, rec.Header().Get("Content-Encoding"))
	}
}

// BenchmarkSearchAnswerCompressed is what gzip adds to a page of ten hits
// with snippets (about 5 kB of JSON) over the same page sent plain:
//
//	go test -run XXX -bench SearchAnswerCompressed -benchmem ./api/
func BenchmarkSearchAnswerCompressed(b *testing.B) {
	title := "花呗逾期一个月的后果汇总及应对方法"
	snippet := "花呗<mark>逾期</mark>以后,支付宝会按日收取万分之五的罚息,逾期超过三天可能上报<mark>征信</mark>,影响以后办理房贷和信用卡。"
	svc := &fakeService{search: func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
		res := &zhsearch.SearchResult{Query: req.Query, Page: 1, Size: 10, Total: 136}
		for i := range 10 {
			res.Hits = append(res.Hits, zhsearch.Hit{ID: "a" + strings.Repeat("7", i+1), Title: title, Snippet: snippet, URL: "/post/" + strings.Repeat("9", 12) + ".html", Score: 12.5, Highlights: zhsearch.Highlights{Title: title, Body: snippet}})
		}
		return res, nil
	}}
	h, _, _ := newTestServer(b, svc, nil)
	for _, accept := range []string{"", "gzip, deflate, br"} {
		name := "plain"
		if accept != "" {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				rec := do(h, "GET", "/api/v1/search?q=花呗逾期", nil, "Accept-Encoding", accept)
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
