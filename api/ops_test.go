package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/analytics"
	"github.com/zhsearch/zhsearch/metrics"
)

// fakeService answers from memory; search, when set, replaces Search.
type fakeService struct {
	search func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error)
}

func (f *fakeService) Search(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if f.search != nil {
		return f.search(ctx, req)
	}
	res := &zhsearch.SearchResult{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []zhsearch.Hit{}}
	if !strings.Contains(req.Query, "没有") {
		res.Total = 1
		res.Hits = append(res.Hits, zhsearch.Hit{ID: "a1", Title: req.Query})
	}
	return res, nil
}

func (f *fakeService) Suggest(ctx context.Context, req zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &zhsearch.SuggestResult{Query: req.Query, Suggestions: []zhsearch.Suggestion{}}, nil
}

func (f *fakeService) Related(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &zhsearch.RelatedResult{ID: req.ID, Related: []zhsearch.RelatedItem{}}, nil
}

func (f *fakeService) Article(ctx context.Context, id string) (*zhsearch.Article, error) {
	if id != "a1" {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	return &zhsearch.Article{ID: "a1", Title: "花呗"}, nil
}

func (f *fakeService) Ready(ctx context.Context) error { return nil }

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

const testToken = "s3cret-admin-token-0123456789"

// newTestServer returns a Server over svc with metrics, analytics and a
// JSON logger into the returned buffer; opt may adjust it.
func newTestServer(t testing.TB, svc zhsearch.SearchService, opt func(*Server)) (http.Handler, *Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	s := &Server{
		Service:    svc,
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		AdminToken: testToken,
		Ops: Ops{
			Metrics:   metrics.New(metrics.Options{}),
			Analytics: analytics.New(analytics.Options{Normalize: strings.ToLower}),
		},
	}
	if opt != nil {
		opt(s)
	}
	return s.Handler(), s, logs
}

// do sends one request to h.
func do(h http.Handler, method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// wantError checks that rec is a JSON error with status and code.
func wantError(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if rec.Code != status {
		t.Errorf("%s: status %d, want %d; body %s", what, rec.Code, status, rec.Body)
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s: body %s, want error code %s with a message", what, rec.Body, code)
	}
}

func TestPanicAnswers500AndLogsStack(t *testing.T) {
	svc := &fakeService{search: func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
		if req.Query == "boom" {
			panic("index exploded")
		}
		return &zhsearch.SearchResult{Query: req.Query, Page: 1, Size: 10, Total: 1}, nil
	}}
	h, s, logs := newTestServer(t, svc, nil)
	rec := do(h, "GET", "/api/v1/search?q=boom", nil, HeaderRequestID, "req-panic-1")
	wantError(t, "panic", rec, 500, zhsearch.EINTERNAL)
	if strings.Contains(rec.Body.String(), "exploded") {
		t.Errorf("panic value leaked to the client: %s", rec.Body)
	}
	var panicLine map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"panic"`) {
			if err := json.Unmarshal([]byte(line), &panicLine); err != nil {
				t.Fatal(err)
			}
		}
	}
	stack, _ := panicLine["stack"].(string)
	if panicLine["request_id"] != "req-panic-1" || panicLine["panic"] != "index exploded" ||
		!strings.Contains(stack, "goroutine") || !strings.Contains(stack, "ops_test.go") {
		t.Errorf("panic log line = %v", panicLine)
	}
	// The access log and metrics saw the 500, and the server goes on.
	if !strings.Contains(logs.String(), `"status":500`) {
		t.Error("no access log line with status 500")
	}
	if rec := do(h, "GET", "/api/v1/search?q=ok", nil); rec.Code != 200 {
		t.Errorf("after a panic: status %d", rec.Code)
	}
	want := `
# HELP zhsearch_http_requests_total HTTP requests answered, by route template, method and status code.
# TYPE zhsearch_http_requests_total counter
zhsearch_http_requests_total{code="200",method="GET",route="/api/v1/search"} 1
zhsearch_http_requests_total{code="500",method="GET",route="/api/v1/search"} 1
`
	if err := testutil.GatherAndCompare(s.Ops.Metrics.Registry(), strings.NewReader(want), "zhsearch_http_requests_total"); err != nil {
		t.Error(err)
	}
}

func TestSearchTimeoutAnswers503(t *testing.T) {
	var sawDeadline atomic.Bool // the search runs on a goroutine of its own
	svc := &fakeService{search: func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
		_, ok := ctx.Deadline()
		sawDeadline.Store(ok)
		if req.Query == "slow" {
			<-ctx.Done()
			return nil, ctx.Err() // a plain context error, as a library would return it
		}
		return &zhsearch.SearchResult{Query: req.Query, Page: 1, Size: 10}, nil
	}}
	h, _, logs := newTestServer(t, svc, func(s *Server) { s.Ops.SearchTimeout = 20 * time.Millisecond })
	wantError(t, "slow search", do(h, "GET", "/api/v1/search?q=slow", nil), 503, zhsearch.ETIMEOUT)
	if !sawDeadline.Load() {
		t.Error("the service's context had no deadline")
	}
	if strings.Contains(logs.String(), `"msg":"internal error"`) {
		t.Error("a timeout was logged as an internal error")
	}
	// A 503 (past its deadline, or shed by admission) is the server
	// protecting itself as designed: a warning, not an error to page on.
	if strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Errorf("a timeout's access log line is not a warning:\n%s", logs)
	}
	if !strings.Contains(logs.String(), `"error_code":"timeout"`) {
		t.Errorf("a timeout's access log line does not say so:\n%s", logs)
	}

	h, _, _ = newTestServer(t, svc, nil) // SearchTimeout 0: no deadline
	if rec := do(h, "GET", "/api/v1/search?q=fast", nil); rec.Code != 200 || sawDeadline.Load() {
		t.Errorf("no timeout configured: status %d, deadline %v", rec.Code, sawDeadline.Load())
	}
}

func TestClientGoneIsNotAServerError(t *testing.T) {
	entered := make(chan struct{})
	svc := &fakeService{search: func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
		close(entered)
		<-ctx.Done()
		return nil, zhsearch.Errorf(zhsearch.ETIMEOUT, "search took too long or was cancelled") // as the index says it
	}}
	h, s, logs := newTestServer(t, svc, func(s *Server) { s.Ops.SearchTimeout = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/api/v1/search?q=花呗", nil).WithContext(ctx)
	go func() { <-entered; cancel() }() // the reader closes the tab
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	wantError(t, "client gone", rec, StatusClientClosedRequest, zhsearch.ECANCELED)
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a client going away was logged as an error:\n%s", logs)
	}
	want := `
# HELP zhsearch_http_requests_total HTTP requests answered, by route template, method and status code.
# TYPE zhsearch_http_requests_total counter
zhsearch_http_requests_total{code="499",method="GET",route="/api/v1/search"} 1
`
	if err := testutil.GatherAndCompare(s.Ops.Metrics.Registry(), strings.NewReader(want), "zhsearch_http_requests_total"); err != nil {
		t.Error(err)
	}
}

// cutBody is a request body whose connection closes half-way.
type cutBody struct{ cancel context.CancelFunc }

func (b cutBody) Read([]byte) (int, error) { b.cancel(); return 0, io.ErrUnexpectedEOF }

// TestBodyCutIsNotBadInput: a draft whose connection closes before its body
// arrived (the client left, or a shutdown past its timeout cut it) is
// answered and counted as cancelled, not as the client's bad input (400).
func TestBodyCutIsNotBadInput(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("POST", "/api/v1/related", cutBody{cancel}).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	wantError(t, "body cut", rec, StatusClientClosedRequest, zhsearch.ECANCELED)

	// An article upsert's body is read the same way.
	h, _, _ = newTestServer(t, &fakeService{}, func(s *Server) { s.Admin = noAdmin{} })
	ctx, cancel = context.WithCancel(context.Background())
	req = httptest.NewRequest("PUT", "/api/v1/admin/articles/a1", cutBody{cancel}).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	wantError(t, "upsert body cut", rec, StatusClientClosedRequest, zhsearch.ECANCELED)
}

// TestUpsertBodyLimit: an article upsert's body is bound by the server's
// body limit, and the 413 names that limit, however the body is sent.
func TestUpsertBodyLimit(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, func(s *Server) { s.Admin = noAdmin{}; s.Ops.MaxBodyBytes = 4096 })
	body := `{"title":"` + strings.Repeat("花", 2000) + `"}`
	for _, chunked := range []bool{false, true} {
		var r io.Reader = strings.NewReader(body)
		if chunked {
			r = struct{ io.Reader }{r} // no length known: sent chunked
		}
		req := httptest.NewRequest("PUT", "/api/v1/admin/articles/a1", r)
		if chunked {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		wantError(t, fmt.Sprintf("chunked=%v", chunked), rec, 413, zhsearch.ETOOLARGE)
		if !strings.Contains(rec.Body.String(), "larger than 4096 bytes") {
			t.Errorf("chunked=%v: %s, want the limit named (4096 bytes)", chunked, rec.Body)
		}
	}
}

// noAdmin is an admin service that is never reached: its tests end before.
type noAdmin struct{}

func (noAdmin) PutArticle(context.Context, *zhsearch.Article) (*zhsearch.EditResult, error) {
	return nil, errors.New("not reached")
}
func (noAdmin) DeleteArticle(context.Context, string) (*zhsearch.EditResult, error) {
	return nil, errors.New("not reached")
}
func (noAdmin) StartReindex(context.Context) (*zhsearch.ReindexJob, error) {
	return nil, errors.New("not reached")
}
func (noAdmin) ReindexJob(context.Context, string) (*zhsearch.ReindexJob, error) {
	return nil, errors.New("not reached")
}

func TestRequestID(t *testing.T) {
	h, _, logs := newTestServer(t, &fakeService{}, nil)
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"sane", "abc-123_XYZ.9", true},
		{"uuid", "6fa459ea-ee8a-3ca4-894e-db77e160355e", true},
		{"absent", "", false},
		{"space", "abc 123", false},
		{"too long", strings.Repeat("a", 129), false},
		{"non-ASCII", "请求", false},
		{"control", "a\x01b", false},
		{"a trace id", "Root=1-5759e988-bd862e3fe1be46a994272793/a@b:c+d", true},
		{"markup", "<script>x</script>", false},
		{"quote", `a"b`, false},
		{"header list", "a,b;c", false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		rec := do(h, "GET", "/healthz", nil, HeaderRequestID, tt.in)
		got := rec.Header().Get(HeaderRequestID)
		switch {
		case tt.keep && got != tt.in:
			t.Errorf("%s: X-Request-ID %q, want %q", tt.name, got, tt.in)
		case !tt.keep && !generated.MatchString(got):
			t.Errorf("%s: X-Request-ID %q, want a generated id", tt.name, got)
		case !tt.keep && seen[got]:
			t.Errorf("%s: generated id %q twice", tt.name, got)
		}
		seen[got] = true
		if !strings.Contains(logs.String(), `"request_id":"`+got+`"`) {
			t.Errorf("%s: no log line with request_id %q", tt.name, got)
		}
	}
}

// TestHead: HEAD is answered as GET, without a body, on the API's reading
// routes and the health checks; other methods stay 405.
func TestHead(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	for _, path := range []string{"/healthz", "/api/v1/search?q=花呗", "/api/v1/suggest?q=花", "/api/v1/articles/a1", "/api/v1/articles/a1/related"} {
		if rec := do(h, "HEAD", path, nil); rec.Code != 200 {
			t.Errorf("HEAD %s = %d, want 200", path, rec.Code)
		}
	}
	if rec := do(h, "HEAD", "/api/v1/articles/nope", nil); rec.Code != 404 {
		t.Errorf("HEAD of an unknown article = %d, want 404", rec.Code)
	}
	if rec := do(h, "PUT", "/api/v1/search?q=x", nil); rec.Code != 405 {
		t.Errorf("PUT /api/v1/search = %d, want 405", rec.Code)
	}
}

func TestAccessLogAndMetricsUseRouteTemplates(t *testing.T) {
	h, s, logs := newTestServer(t, &fakeService{}, nil)
	do(h, "GET", "/api/v1/articles/a1", nil)
	do(h, "GET", "/api/v1/articles/secret-id-42", nil)
	do(h, "GET", "/no/such/path/secret-id-43", nil)
	do(h, "DELETE", "/api/v1/search", nil)

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 4 {
		t.Fatalf("%d access lines, want one per request: %v", len(lines), lines)
	}
	want := []struct {
		route  string
		status float64
	}{{"/api/v1/articles/:id", 200}, {"/api/v1/articles/:id", 404}, {"unmatched", 404}, {"unmatched", 405}}
	for i, w := range want {
		if lines[i]["route"] != w.route || lines[i]["status"] != w.status || lines[i]["request_id"] == "" || lines[i]["duration_ms"] == nil {
			t.Errorf("access line %d = %v, want route %s status %v", i, lines[i], w.route, w.status)
		}
	}
	rec := do(h, "GET", "/metrics", nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `zhsearch_http_requests_total{code="404",method="GET",route="/api/v1/articles/:id"} 1`) ||
		!strings.Contains(body, `zhsearch_http_requests_total{code="405",method="DELETE",route="unmatched"} 1`) {
		t.Errorf("metrics:\n%s", body)
	}
	if strings.Contains(body, "secret-id") {
		t.Error("a raw URL leaked into metric labels")
	}
	if rec := do(h, "HEAD", "/metrics", nil); rec.Code != 200 { // net/http drops the body
		t.Errorf("HEAD /metrics = %d, want 200", rec.Code)
	}
	_ = s
}

func TestAdminToken(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	tests := []struct {
		name, auth string
		status     int
	}{
		{"none", "", 401},
		{"basic", "Basic " + testToken, 401},
		{"bearer only", "Bearer", 401},
		{"bearer empty", "Bearer ", 401},
		{"wrong", "Bearer wrong-token-0123456789", 401},
		{"prefix", "Bearer " + testToken[:len(testToken)-1], 401},
		{"longer", "Bearer " + testToken + "x", 401},
		{"over-long", "Bearer " + strings.Repeat("x", 10000), 401},
		{"right", "Bearer " + testToken, 200},
		{"scheme case", "bearer " + testToken, 200},
	}
	for _, tt := range tests {
		rec := do(h, "GET", "/api/v1/admin/stats", nil, "Authorization", tt.auth)
		if tt.status == 401 {
			wantError(t, tt.name, rec, 401, zhsearch.EUNAUTHORIZED)
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate", tt.name)
			}
		} else if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.status)
		}
	}
	// No token configured: the admin routes do not exist, whatever is presented.
	h, _, _ = newTestServer(t, &fakeService{}, func(s *Server) { s.AdminToken = "" })
	for _, auth := range []string{"", "Bearer ", "Bearer " + testToken} {
		wantError(t, "disabled "+auth, do(h, "GET", "/api/v1/admin/stats", nil, "Authorization", auth), 404, zhsearch.ENOTFOUND)
	}
}

// TestAdminPathIDs: an id no article may have (. or .., or not of the id
// form) is bad input on PUT and DELETE alike, said so, not "article not
// found".
func TestAdminPathIDs(t *testing.T) {
	// noAdmin fails any edit that reaches it: these must not.
	h, _, _ := newTestServer(t, &fakeService{}, func(s *Server) { s.Admin = noAdmin{} })
	for _, method := range []string{"PUT", "DELETE"} {
		for _, id := range []string{".", "..", "a%20b"} {
			rec := do(h, method, "/api/v1/admin/articles/"+id, strings.NewReader(`{"title":"花呗"}`),
				"Authorization", "Bearer "+testToken, "Content-Type", "application/json")
			wantError(t, method+" "+id, rec, 400, zhsearch.EINVALID)
			if !strings.Contains(rec.Body.String(), "not . or ..") {
				t.Errorf("%s %s: %s, want the id's rule in full", method, id, rec.Body.String())
			}
		}
	}
}

func TestAdminStats(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	// Each from a reader of its own; the last, the first reader's repeat
	// of its query, is a search but lists nothing more.
	for i, q := range []string{"花呗", "花呗", "%20花呗%20", "没有这个", "没有这个", "ABC", "abc", "花呗&page=2", "花呗"} {
		req := httptest.NewRequest("GET", "/api/v1/search?q="+q, nil)
		req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1000", i%8+1)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("search %s: %d", q, rec.Code)
		}
	}
	do(h, "GET", "/api/v1/search?q=", nil) // a 400 is not a search
	auth := []string{"Authorization", "Bearer " + testToken}
	rec := do(h, "GET", "/api/v1/admin/stats?n=2", nil, auth...)
	if rec.Code != 200 {
		t.Fatalf("stats: %d %s", rec.Code, rec.Body)
	}
	var rep analytics.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	wantTop := []analytics.QueryCount{{Query: "花呗", Count: 3}, {Query: "abc", Count: 2}}
	wantZero := []analytics.QueryCount{{Query: "没有这个", Count: 2}}
	if rep.Searches != 8 || rep.ZeroResultSearches != 2 || !equalCounts(rep.TopQueries, wantTop) || !equalCounts(rep.TopZeroResultQueries, wantZero) {
		t.Errorf("stats = %+v", rep)
	}
	for _, q := range []string{"n=0", "n=-1", "n=abc", "n=101"} {
		wantError(t, "stats "+q, do(h, "GET", "/api/v1/admin/stats?"+q, nil, auth...), 400, zhsearch.EINVALID)
	}
	h, _, _ = newTestServer(t, &fakeService{}, func(s *Server) { s.Ops.Analytics = nil })
	wantError(t, "analytics off", do(h, "GET", "/api/v1/admin/stats", nil, auth...), 404, zhsearch.ENOTFOUND)
}

func equalCounts(a, b []analytics.QueryCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRateLimit(t *testing.T) {
	h, s, _ := newTestServer(t, &fakeService{}, func(s *Server) {
		s.Ops.RateLimit, s.Ops.RateBurst = 0.5, 2
		s.Ops.TrustedProxies = []string{"10.0.0.1"}
	})
	from := func(remote string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/search?q=花呗", nil)
		req.RemoteAddr = remote
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 2 {
		if rec := from("192.0.2.7:1000"); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := from("192.0.2.7:1001")
	wantError(t, "over the limit", rec, 429, zhsearch.ERATELIMITED)
	if ra := rec.Header().Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After = %q, want 2 (one token per 2s)", ra)
	}
	// An untrusted peer cannot escape its bucket with X-Forwarded-For.
	wantError(t, "spoofed XFF", from("192.0.2.7:1002", "X-Forwarded-For", "203.0.113.9"), 429, zhsearch.ERATELIMITED)
	// Another client has its own bucket; a trusted proxy's XFF names the client.
	if rec := from("192.0.2.8:1000"); rec.Code != 200 {
		t.Errorf("other client: %d", rec.Code)
	}
	for i := range 2 {
		if rec := from("10.0.0.1:5000", "X-Forwarded-For", "198.51.100.1"); rec.Code != 200 {
			t.Errorf("client behind the proxy, request %d: %d", i+1, rec.Code)
		}
	}
	if rec := from("10.0.0.1:5000", "X-Forwarded-For", "198.51.100.2"); rec.Code != 200 {
		t.Errorf("second client behind the proxy: %d", rec.Code)
	}
	// Only X-Forwarded-For names the client: the proxy documented sets it,
	// and a client's own X-Real-IP, passed on by a proxy that does not
	// strip it, must not buy a new bucket per request.
	for i := range 2 {
		from("10.0.0.1:5001", "X-Real-IP", fmt.Sprintf("203.0.113.%d", i))
	}
	wantError(t, "X-Real-IP through the proxy", from("10.0.0.1:5001", "X-Real-IP", "203.0.113.99"), 429, zhsearch.ERATELIMITED)
	// Probes and metrics are never limited.
	for range 5 {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = "192.0.2.7:1003"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("healthz limited: %d", rec.Code)
		}
	}
	// An IPv6 client is its /64: rotating addresses inside it, or
	// writing an IPv4 address IPv4-mapped, buys no new bucket.
	for i, ip := range []string{"2001:db8::1", "2001:db8::2"} {
		if rec := from("10.0.0.1:5002", "X-Forwarded-For", ip); rec.Code != 200 {
			t.Errorf("IPv6 client, request %d: %d", i+1, rec.Code)
		}
	}
	wantError(t, "another address of the same /64", from("10.0.0.1:5002", "X-Forwarded-For", "2001:db8::3:7"), 429, zhsearch.ERATELIMITED)
	wantError(t, "IPv4-mapped", from("10.0.0.1:5003", "X-Forwarded-For", "::ffff:198.51.100.1"), 429, zhsearch.ERATELIMITED)
	if rec := from("10.0.0.1:5002", "X-Forwarded-For", "2001:db8:0:1::1"); rec.Code != 200 {
		t.Errorf("IPv6 client of another /64: %d", rec.Code)
	}
	if v := counter(t, s, "zhsearch_http_rate_limited_total"); v != 5 {
		t.Errorf("rate_limited_total = %v, want 5 (over the limit, spoofed XFF, X-Real-IP, the same /64, IPv4-mapped)", v)
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8::1", "2001:db8::/64"},
		{"2001:db8::ffff:1:2", "2001:db8::/64"},
		{"2001:db8:0:1::1", "2001:db8:0:1::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an ip", "not an ip"},
	}
	for _, tt := range tests {
		if got := clientKey(tt.ip); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func counter(t *testing.T, s *Server, name string) float64 {
	t.Helper()
	mfs, err := s.Ops.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			sum := 0.0 // over every label's series
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			return sum
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestClientLimiterBoundedMemory(t *testing.T) {
	l := newClientLimiter(1, 1, 3)
	now := time.Unix(1000, 0)
	for i := range 100 {
		l.allow(string(rune('a'+i%26))+strings.Repeat("x", i), now)
	}
	if n := l.size(); n != 3 {
		t.Errorf("tracking %d clients, cap 3", n)
	}
	// The most recent clients are kept: their buckets are empty.
	if ok, wait := l.allow("v"+strings.Repeat("x", 99), now); ok || wait != time.Second {
		t.Errorf("recent client: allowed %v, wait %v", ok, wait)
	}
	if ok, _ := l.allow("v"+strings.Repeat("x", 99), now.Add(time.Second)); !ok {
		t.Error("bucket did not refill after 1s")
	}
}

// countingReader fails the test if more than max bytes are read.
type countingReader struct {
	t    *testing.T
	n    int64
	max  int64
	mu   sync.Mutex
	read int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.read >= r.n {
		return 0, io.EOF
	}
	if r.read > r.max {
		r.t.Errorf("read %d bytes of a body that should have been refused", r.read)
		return 0, io.ErrUnexpectedEOF
	}
	k := int64(len(p))
	if k > r.n-r.read {
		k = r.n - r.read
	}
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.read += k
	return int(k), nil
}

func TestBodyLimits(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, func(s *Server) { s.Ops.MaxBodyBytes = 4 << 10 })
	// A declared 100 MB body is refused before a byte of it is read.
	body := &countingReader{t: t, n: 100 << 20, max: 0}
	req := httptest.NewRequest("POST", "/api/v1/related", body)
	req.ContentLength = body.n
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	wantError(t, "declared 100 MB", rec, 413, zhsearch.ETOOLARGE)
	if body.read != 0 {
		t.Errorf("read %d bytes of a declared oversized body", body.read)
	}
	// An undeclared (chunked) body stops being read just past the limit.
	body = &countingReader{t: t, n: 100 << 20, max: 64 << 10}
	req = httptest.NewRequest("POST", "/api/v1/related", io.MultiReader(strings.NewReader(`{"title":"`), body))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	wantError(t, "chunked 100 MB", rec, 413, zhsearch.ETOOLARGE)
	// Under the limit is fine.
	rec = do(h, "POST", "/api/v1/related", strings.NewReader(`{"title":"花呗"}`), "Content-Type", "application/json")
	if rec.Code != 200 {
		t.Errorf("small draft: %d %s", rec.Code, rec.Body)
	}
}

func TestLimitsAnswerCrossOriginReadably(t *testing.T) {
	const origin = "https://site.example"
	h, _, _ := newTestServer(t, &fakeService{}, func(s *Server) {
		s.CORSOrigins = []string{origin}
		s.Ops.RateLimit, s.Ops.RateBurst = 0.01, 1
	})
	get := func() *httptest.ResponseRecorder {
		return do(h, "GET", "/api/v1/search?q=花呗", nil, "Origin", origin)
	}
	if rec := get(); rec.Code != 200 {
		t.Fatalf("first request: %d", rec.Code)
	}
	// Preflights are answered before the rate limit: they cost nothing.
	for range 3 {
		rec := do(h, "OPTIONS", "/api/v1/search", nil, "Origin", origin, "Access-Control-Request-Method", "GET")
		if rec.Code != 204 {
			t.Fatalf("preflight: %d", rec.Code)
		}
	}
	rec := get()
	wantError(t, "cross-origin 429", rec, 429, zhsearch.ERATELIMITED)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("429 without Access-Control-Allow-Origin (%q): the page cannot read it", got)
	}
}

// TestHugeCountsNameTheirBound: a page or size too large for any integer
// is refused by the bound it breaks, not called "not a positive integer",
// which it is; a negative one stays not positive.
func TestHugeCountsNameTheirBound(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	tests := []struct{ path, want string }{
		{"/api/v1/search?q=a&page=99999999999999999999", "page*size must be at most"},
		{"/api/v1/search?q=a&size=99999999999999999999", "size must be between 1 and"},
		{"/api/v1/search?q=a&page=-99999999999999999999", "page must be a positive integer"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		wantError(t, tt.path, rec, 400, zhsearch.EINVALID)
		if !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %s, want a message saying %q", tt.path, rec.Body, tt.want)
		}
	}
}

// TestRepeatedParametersRefused: a parameter given twice is refused with
// 400, not read as its first value: page=1&page=2 answered page 1 and
// size=5&size=60 five hits, each without a word (API integrator probe).
func TestRepeatedParametersRefused(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	for _, path := range []string{
		"/api/v1/search?q=a&page=1&page=2",
		"/api/v1/search?q=a&size=5&size=60",
		"/api/v1/search?q=a&q=b",
		"/api/v1/suggest?q=a&q=b",
		"/api/v1/suggest?q=a&size=3&size=4",
		"/api/v1/articles/a1/related?size=3&size=4",
		"/api/v1/articles/a1/related?min_score=0.1&min_score=0.2",
	} {
		rec := do(h, "GET", path, nil)
		wantError(t, path, rec, 400, zhsearch.EINVALID)
		if !strings.Contains(rec.Body.String(), "times: give it once") {
			t.Errorf("%s: %s, want a message saying the parameter is repeated", path, rec.Body)
		}
	}
	if rec := do(h, "GET", "/api/v1/search?q=a&page=1&size=5", nil); rec.Code != 200 {
		t.Errorf("parameters given once: %d %s", rec.Code, rec.Body)
	}
}

// TestLogLinesBounded: a long path sent without a token, or to a route that
// fails, makes log lines of bounded length (security probe: a 100 KB
// warning per request).
func TestLogLinesBounded(t *testing.T) {
	h, _, logs := newTestServer(t, &fakeService{}, func(s *Server) { s.Admin = noAdmin{} })
	long := "/api/v1/admin/articles/" + strings.Repeat("A", 100_000)
	if rec := do(h, "DELETE", long, nil); rec.Code != 401 {
		t.Fatalf("DELETE without a token: %d", rec.Code)
	}
	do(h, "GET", "/api/v1/"+strings.Repeat("B", 100_000), nil)
	do(h, "GET", "/api/v1/search?q="+strings.Repeat("%E8%8A%B1", 30_000), nil)
	for _, line := range strings.Split(logs.String(), "\n") {
		if len(line) > 3000 {
			t.Errorf("a log line of %d bytes: %.120s…", len(line), line)
		}
	}
}

// TestConnectionClosedAfterAmbiguousFraming: a chunked request, or an
// HTTP/1.0 one, is answered with Connection: close, so a body framed
// otherwise than Go read it cannot be taken for the next request
// (security probe: request smuggling through a front proxy).
func TestConnectionClosedAfterAmbiguousFraming(t *testing.T) {
	h, _, _ := newTestServer(t, &fakeService{}, nil)
	tests := []struct {
		name  string
		req   func() *http.Request
		close bool
	}{
		{"HTTP/1.1", func() *http.Request { return httptest.NewRequest("GET", "/api/v1/search?q=花呗", nil) }, false},
		{"HTTP/1.0", func() *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/search?q=花呗", nil)
			r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.0", 1, 0
			return r
		}, true},
		{"chunked", func() *http.Request {
			r := httptest.NewRequest("POST", "/api/v1/related", strings.NewReader(`{"title":"花呗"}`))
			r.Header.Set("Content-Type", "application/json")
			r.TransferEncoding = []string{"chunked"}
			r.ContentLength = -1
			return r
		}, true},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, tt.req())
		if got := rec.Header().Get("Connection") == "close"; got != tt.close {
			t.Errorf("%s: Connection %q, want close: %v", tt.name, rec.Header().Get("Connection"), tt.close)
		}
	}
}
