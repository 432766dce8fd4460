package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// blockingService holds every search and related request it is asked to
// compute until the test closes its release channel; entered receives one
// value per request that reached it. Queries and ids starting with
// "cached" are answered by its cache.
type blockingService struct {
	fakeService
	entered chan string
	release chan struct{}
	// ignoreCtx makes the work go on after its context ends, as an engine
	// loop that does not look at its context would.
	ignoreCtx bool
	// yield makes related requests for ids starting with "yield" give
	// their admission slot back before they wait, as a request that joins
	// another's computation does.
	yield bool

	mu     sync.Mutex
	drafts []zhsearch.Article // drafts as the service saw them
}

func newBlockingService() *blockingService {
	return &blockingService{entered: make(chan string, 100), release: make(chan struct{})}
}

func (b *blockingService) hold(ctx context.Context, what string) error {
	b.entered <- what
	if b.ignoreCtx {
		<-b.release
		return nil
	}
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *blockingService) Search(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
	if err := b.hold(ctx, "search "+req.Query); err != nil {
		return nil, err
	}
	return b.fakeService.Search(ctx, req)
}

func (b *blockingService) Related(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	what := "related " + req.ID
	if b.yield && strings.HasPrefix(req.ID, "yield") {
		zhsearch.Yield(ctx)
	}
	if req.Draft != nil {
		b.mu.Lock()
		b.drafts = append(b.drafts, *req.Draft)
		b.mu.Unlock()
		what = "draft " + req.Draft.Title
	}
	if err := b.hold(ctx, what); err != nil {
		return nil, err
	}
	return &zhsearch.RelatedResult{ID: req.ID, Related: []zhsearch.RelatedItem{}}, nil
}

func (b *blockingService) Suggest(ctx context.Context, req zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	if strings.HasPrefix(req.Query, "block") {
		if err := b.hold(ctx, "suggest "+req.Query); err != nil {
			return nil, err
		}
	}
	return b.fakeService.Suggest(ctx, req)
}

func (b *blockingService) CachedSearch(_ context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, bool) {
	if !strings.HasPrefix(req.Query, "cached") {
		return nil, false
	}
	return &zhsearch.SearchResult{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []zhsearch.Hit{}}, true
}

func (b *blockingService) CachedRelated(_ context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, bool) {
	if req.Draft != nil || !strings.HasPrefix(req.ID, "cached") {
		return nil, false
	}
	return &zhsearch.RelatedResult{ID: req.ID, Related: []zhsearch.RelatedItem{}}, true
}

// async sends a request on its own goroutine; its answer arrives on the
// returned channel.
func async(h func() *httptest.ResponseRecorder) <-chan *httptest.ResponseRecorder {
	ch := make(chan *httptest.ResponseRecorder, 1)
	go func() { ch <- h() }()
	return ch
}

func TestGate(t *testing.T) {
	g := newGate("test", 2, 1, 0)
	ctx := context.Background()
	r1, err1 := g.enter(ctx, "192.0.2.1")
	r2, err2 := g.enter(ctx, "192.0.2.1")
	if err1 != nil || err2 != nil {
		t.Fatalf("first two: %v %v", err1, err2)
	}
	third := make(chan error, 1)
	go func() {
		r, err := g.enter(ctx, "192.0.2.1")
		if err == nil {
			r() // before reporting: a deferred release raced the test's next enter
		}
		third <- err
	}()
	waitTickets(g, 3) // the third waits in the queue
	if _, err := g.enter(ctx, "192.0.2.1"); !errors.Is(err, errBusy) {
		t.Fatalf("fourth with 2 running and 1 waiting: %v, want busy", err)
	}
	r1()
	r1() // twice is once
	if err := <-third; err != nil {
		t.Fatalf("queued request after a release: %v", err)
	}
	r3, err := g.enter(ctx, "192.0.2.1") // two run again
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	waiter := make(chan error, 1)
	go func() { _, err := g.enter(cctx, "192.0.2.1"); waiter <- err }()
	waitTickets(g, 3)
	cancel()
	if err := <-waiter; !errors.Is(err, context.Canceled) {
		t.Errorf("waiter whose context ended: %v", err)
	}
	if n := g.waiting(); n != 2 {
		t.Errorf("%d tickets held after the waiter left, want 2", n)
	}
	r2()
	r3()
	if n := g.waiting(); n != 0 {
		t.Errorf("%d tickets held after all released", n)
	}
	if newGate("off", 0, 5, 0) != nil {
		t.Error("limit 0 should mean no gate")
	}
	if r, err := (*gate)(nil).enter(ctx, "192.0.2.1"); err != nil || r == nil {
		t.Error("a nil gate must admit")
	}
}

func TestGatePerClient(t *testing.T) {
	g := newGate("test", 2, 4, 2)
	// A request that should be refused and is queued instead fails the
	// test at this deadline, rather than waiting for ever.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a1, err1 := g.enter(ctx, "a")
	a2, err2 := g.enter(ctx, "a")
	if err1 != nil || err2 != nil {
		t.Fatalf("a's first two: %v %v", err1, err2)
	}
	if _, err := g.enter(ctx, "a"); !errors.Is(err, errClientBusy) {
		t.Fatalf("a's third, holding its two: %v, want errClientBusy", err)
	}
	// Another client still gets a queue place, and runs once a slot frees.
	b := make(chan error, 1)
	go func() {
		r, err := g.enter(ctx, "b")
		if err == nil {
			r()
		}
		b <- err
	}()
	waitTickets(g, 3)
	a1()
	if err := <-b; err != nil {
		t.Fatalf("b after a's release: %v", err)
	}
	a3, err := g.enter(ctx, "a") // a holds one again: a second is allowed
	if err != nil {
		t.Fatalf("a after a release: %v", err)
	}
	a2()
	a3()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.held) != 0 {
		t.Errorf("clients still counted after every release: %v", g.held)
	}
}

// TestAdmissionPerClient: with MaxPerClient, a client holding its share of
// the slots and queue places is answered 429 at once, while another
// client's request is still admitted.
func TestAdmissionPerClient(t *testing.T) {
	svc := newBlockingService()
	h, s, _ := newTestServer(t, svc, func(s *Server) {
		s.Ops.MaxConcurrent, s.Ops.MaxQueued, s.Ops.MaxPerClient = 1, 8, 2
		s.Ops.SearchTimeout = 10 * time.Second // a third queued instead of refused fails at it
	})
	from := func(ip string, i int) func() *httptest.ResponseRecorder {
		return func() *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/search?q=长问题%d", i), nil)
			req.RemoteAddr = ip + ":1000"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
	}
	first := async(from("203.0.113.5", 1))
	<-svc.entered
	second := async(from("203.0.113.5", 2))
	waitTickets(s.admit.work, 2)
	rec := from("203.0.113.5", 3)()
	wantError(t, "a third of one client's", rec, 429, zhsearch.ERATELIMITED)
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	other := async(from("198.51.100.9", 4))
	waitTickets(s.admit.work, 3)
	close(svc.release)
	checkOK(t, "first", <-first)
	checkOK(t, "second", <-second)
	checkOK(t, "another client's", <-other)
}

// TestSuggestAdmission: completions have a gate of their own: past its
// slot and queue place a completion is refused at once, and a search is
// still admitted beside them.
func TestSuggestAdmission(t *testing.T) {
	svc := newBlockingService()
	h, s := admissionServer(t, svc, 10*time.Second)
	first := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/suggest?q=block1", nil) })
	<-svc.entered
	second := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/suggest?q=block2", nil) })
	waitTickets(s.admit.suggest, 2)
	wantError(t, "a third completion", do(h, "GET", "/api/v1/suggest?q=block3", nil), 503, zhsearch.EUNAVAILABLE)
	search := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/search?q=花呗", nil) })
	if got := <-svc.entered; got != "search 花呗" {
		t.Errorf("with completions' gate full, the service saw %q, want the search", got)
	}
	close(svc.release)
	checkOK(t, "first", <-first)
	checkOK(t, "queued", <-second)
	checkOK(t, "search", <-search)
}

// route is one expensive API route as the admission tests send it.
type route struct {
	name string
	send func(h http.Handler, i int) *httptest.ResponseRecorder
	gate func(s *Server) *gate
}

var expensiveRoutes = []route{
	{"search", func(h http.Handler, i int) *httptest.ResponseRecorder {
		return do(h, "GET", fmt.Sprintf("/api/v1/search?q=查询%d", i), nil)
	}, func(s *Server) *gate { return s.admit.work }},
	{"related", func(h http.Handler, i int) *httptest.ResponseRecorder {
		return do(h, "GET", fmt.Sprintf("/api/v1/articles/a%d/related", i), nil)
	}, func(s *Server) *gate { return s.admit.work }},
	{"draft", func(h http.Handler, i int) *httptest.ResponseRecorder {
		return postDraft(h, fmt.Sprintf(`{"title":"草稿%d"}`, i))
	}, func(s *Server) *gate { return s.admit.drafts }},
}

func postDraft(h http.Handler, body string) *httptest.ResponseRecorder {
	return do(h, "POST", "/api/v1/related", strings.NewReader(body), "Content-Type", "application/json")
}

// admissionServer serves svc with one slot and one queue place per gate.
func admissionServer(t *testing.T, svc zhsearch.SearchService, timeout time.Duration) (http.Handler, *Server) {
	h, s, _ := newTestServer(t, svc, func(s *Server) {
		s.Ops.MaxConcurrent, s.Ops.MaxQueued = 1, 1
		s.Ops.MaxConcurrentDrafts, s.Ops.MaxQueuedDrafts = 1, 1
		s.Ops.SearchTimeout = timeout
	})
	return h, s
}

// waitTickets waits until n requests run or wait in g.
func waitTickets(g *gate, n int) {
	for g.waiting() < n {
		time.Sleep(time.Millisecond)
	}
}

// TestAdmission: with one slot and one queue place, a third expensive
// request is refused at once with 503 unavailable and Retry-After, while
// cached answers, cheap routes and the other gate's routes are served.
func TestAdmission(t *testing.T) {
	for i, rt := range expensiveRoutes {
		other := expensiveRoutes[(i+2)%len(expensiveRoutes)] // search ↔ draft, related → search
		t.Run(rt.name, func(t *testing.T) {
			svc := newBlockingService()
			h, s := admissionServer(t, svc, time.Minute)
			first := async(func() *httptest.ResponseRecorder { return rt.send(h, 1) })
			<-svc.entered
			second := async(func() *httptest.ResponseRecorder { return rt.send(h, 2) })
			waitTickets(rt.gate(s), 2)

			rec := rt.send(h, 3)
			wantError(t, "past the limit", rec, 503, zhsearch.EUNAVAILABLE)
			if got := rec.Header().Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After %q, want 1", got)
			}
			if n := counter(t, s, "zhsearch_http_admission_rejected_total"); n != 1 {
				t.Errorf("%v refusals counted, want 1", n)
			}
			for _, u := range []string{"/api/v1/search?q=cached花呗", "/api/v1/articles/cached1/related", "/api/v1/suggest?q=花", "/api/v1/articles/a1"} {
				if rec := do(h, "GET", u, nil); rec.Code != 200 {
					t.Errorf("%s while %s is full: %d %s", u, rt.name, rec.Code, rec.Body)
				}
			}
			if other.gate(s) != rt.gate(s) {
				third := async(func() *httptest.ResponseRecorder { return other.send(h, 4) })
				if got := <-svc.entered; !strings.Contains(got, "4") {
					t.Errorf("%s while %s is full: the service saw %q", other.name, rt.name, got)
				}
				defer func() { checkOK(t, other.name, <-third) }()
			}
			close(svc.release)
			checkOK(t, "first", <-first)
			checkOK(t, "queued", <-second)
		})
	}
}

func checkOK(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != 200 {
		t.Errorf("%s: %d %s", what, rec.Code, rec.Body)
	}
}

// TestYieldGivesSlotBack: work that yields (zhsearch.Yield: it waits for
// another request's computation) gives its slot back, so the request
// queued behind it runs; without the yield it would wait for the first.
func TestYieldGivesSlotBack(t *testing.T) {
	svc := newBlockingService()
	svc.yield = true
	h, s := admissionServer(t, svc, time.Minute)
	first := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/articles/yield1/related", nil) })
	if got := <-svc.entered; got != "related yield1" {
		t.Fatalf("the service saw %q first", got)
	}
	second := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/search?q=查询2", nil) })
	select {
	case got := <-svc.entered:
		if got != "search 查询2" {
			t.Errorf("the service saw %q second", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request queued behind a yielding one never ran")
	}
	if n := s.admit.work.waiting(); n != 1 {
		t.Errorf("%d tickets held with one request yielded and one running, want 1", n)
	}
	close(svc.release)
	checkOK(t, "yielded", <-first)
	checkOK(t, "second", <-second)
}

// TestKeptSlotOutlivesItsReader: a computation that takes its request's
// admission slot over (zhsearch.Keep: one shared with other readers) holds
// it after the reader who started it has gone, until it stops: readers
// leaving one after another cannot run more computations at once than the
// gate admits.
func TestKeptSlotOutlivesItsReader(t *testing.T) {
	stop := make(chan struct{})
	running, returned := make(chan struct{}), make(chan struct{})
	svc := &fakeService{search: func(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
		if req.Query == "shared" {
			defer close(returned)
			release := zhsearch.Keep(ctx)
			go func() { <-stop; release() }() // the computation ends later
			close(running)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return &zhsearch.SearchResult{Query: req.Query, Page: 1, Size: 10}, nil
	}}
	h, s, _ := newTestServer(t, svc, func(s *Server) { s.Ops.MaxConcurrent, s.Ops.MaxQueued = 1, 0 })
	ctx, leave := context.WithCancel(context.Background())
	first := async(func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/search?q=shared", nil).WithContext(ctx))
		return rec
	})
	<-running
	leave() // the reader who started it goes away
	<-first
	<-returned
	// Its request is done; had the slot gone with it, it would be free
	// within moments.
	for deadline := time.Now().Add(200 * time.Millisecond); s.admit.work.waiting() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	wantError(t, "while the computation runs", do(h, "GET", "/api/v1/search?q=other", nil), 503, zhsearch.EUNAVAILABLE)
	close(stop)
	for deadline := time.Now().Add(10 * time.Second); s.admit.work.waiting() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	checkOK(t, "after it stopped", do(h, "GET", "/api/v1/search?q=other", nil))
}

// TestRefusedDraftIsNotRead: a draft refused by admission control is
// answered before a byte of its body is read.
func TestRefusedDraftIsNotRead(t *testing.T) {
	svc := newBlockingService()
	h, s := admissionServer(t, svc, time.Minute)
	first := async(func() *httptest.ResponseRecorder { return postDraft(h, `{"title":"草稿"}`) })
	<-svc.entered
	second := async(func() *httptest.ResponseRecorder { return postDraft(h, `{"title":"草稿"}`) })
	waitTickets(s.admit.drafts, 2)

	body := &countingReader{t: t, n: 900 << 10, max: 0}
	req := httptest.NewRequest("POST", "/api/v1/related", body)
	req.ContentLength = body.n
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	wantError(t, "draft past the limit", rec, 503, zhsearch.EUNAVAILABLE)
	if body.read != 0 {
		t.Errorf("read %d bytes of a refused draft", body.read)
	}
	close(svc.release)
	checkOK(t, "first", <-first)
	checkOK(t, "queued", <-second)
}

// TestDeadlineAnswersAndWorkKeepsItsSlot: work that ignores its context
// is answered 503 timeout at the deadline, and keeps its admission slot
// until it really ends, so runaway work cannot pile up.
func TestDeadlineAnswersAndWorkKeepsItsSlot(t *testing.T) {
	for _, rt := range []route{expensiveRoutes[0], expensiveRoutes[2]} {
		t.Run(rt.name, func(t *testing.T) {
			svc := newBlockingService()
			svc.ignoreCtx = true
			h, s := admissionServer(t, svc, 20*time.Millisecond)
			wantError(t, "runaway work", rt.send(h, 1), 503, zhsearch.ETIMEOUT)
			if got := <-svc.entered; got == "" {
				t.Fatal("the work never started")
			}
			if n := rt.gate(s).waiting(); n != 1 {
				t.Errorf("%d requests hold the gate after the timeout, want the runaway one", n)
			}
			close(svc.release)
			for rt.gate(s).waiting() > 0 {
				time.Sleep(time.Millisecond) // the work ends, its slot comes back
			}
			checkOK(t, "after the work ended", rt.send(h, 2))
		})
	}
}

// TestDraftInput: what a draft may hold, through the handler.
func TestDraftInput(t *testing.T) {
	tags := make([]string, 60000)
	for i := range tags {
		tags[i] = fmt.Sprintf("标签%d", i)
	}
	manyTags, _ := json.Marshal(map[string]any{"title": "花呗", "tags": tags})
	long := strings.Repeat("花呗分期", 5000) // 20,000 characters
	tests := []struct {
		name, body  string
		contentType string
		status      int
		code        string
	}{
		{"60000 tags", string(manyTags), "", 400, zhsearch.EINVALID},
		{"65 tags", `{"title":"花呗","tags":[` + strings.Repeat(`"t",`, 64) + `"t"]}`, "", 400, zhsearch.EINVALID},
		{"long tag", `{"title":"花呗","tags":["` + strings.Repeat("长", 65) + `"]}`, "", 400, zhsearch.EINVALID},
		{"invalid UTF-8 title", "{\"title\":\"\xff\xfe\"}", "", 400, zhsearch.EINVALID},
		{"invalid UTF-8 body", "{\"title\":\"花呗\",\"body\":\"正文\xc3\"}", "", 400, zhsearch.EINVALID},
		{"RLO in the title", `{"title":"\u202e花呗"}`, "", 400, zhsearch.EINVALID},
		{"isolate in a tag", `{"title":"花呗","tags":["\u2067x"]}`, "", 400, zhsearch.EINVALID},
		{"NUL in the body", `{"title":"花呗","body":"a\u0000b"}`, "", 400, zhsearch.EINVALID},
		{"unknown field", `{"title":"花呗","titel":"x"}`, "", 400, zhsearch.EINVALID},
		{"a field twice", `{"title":"花呗","size":30,"size":3}`, "", 400, zhsearch.EINVALID},
		{"not JSON", `{"title":`, "", 400, zhsearch.EINVALID},
		{"a stray brace after the object", `{"title":"花呗"}}`, "", 400, zhsearch.EINVALID},
		{"two objects", `{"title":"花呗"} {"title":"借呗"}`, "", 400, zhsearch.EINVALID},
		{"empty body", "", "", 400, zhsearch.EINVALID},
		{"size 0", `{"title":"花呗","size":0}`, "", 400, zhsearch.EINVALID},
		{"size -1", `{"title":"花呗","size":-1}`, "", 400, zhsearch.EINVALID},
		{"size null", `{"title":"花呗","size":null}`, "", 200, ""},
		{"size 3", `{"title":"花呗","size":3}`, "", 200, ""},
		// Windows tools write one; it read "invalid character 'ï'".
		{"a byte order mark before the object", "\ufeff{\"title\":\"花呗\"}", "", 200, ""},
		{"text/plain", `{"title":"花呗"}`, "text/plain", 415, zhsearch.EUNSUPPORTED},
		{"tabs and lines in the body", `{"title":"花呗","body":"第一段\n\t第二段\r\n"}`, "", 200, ""},
		{"long body", `{"title":"花呗","body":"` + long + `"}`, "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newBlockingService()
			close(svc.release)
			h, _ := admissionServer(t, svc, time.Minute)
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			rec := do(h, "POST", "/api/v1/related", strings.NewReader(tt.body), "Content-Type", ct)
			if tt.status != 200 {
				wantError(t, tt.name, rec, tt.status, tt.code)
				if len(svc.entered) != 0 {
					t.Error("bad input reached the engine")
				}
				return
			}
			checkOK(t, tt.name, rec)
			if len(svc.drafts) == 0 {
				t.Fatalf("%s: the draft did not reach the engine", tt.name)
			}
			if n := utf8.RuneCountInString(svc.drafts[0].Body); n > zhsearch.MaxDraftBodyLen {
				t.Errorf("the engine got a body of %d characters, more than %d", n, zhsearch.MaxDraftBodyLen)
			}
		})
	}
}

// TestDraftParametersInTheURL: a draft's size given in the URL, where the
// GET route takes it, is refused: it was passed over, and five items came
// back where the client asked for three.
func TestDraftParametersInTheURL(t *testing.T) {
	svc := newBlockingService()
	close(svc.release)
	h, _ := admissionServer(t, svc, time.Minute)
	rec := do(h, "POST", "/api/v1/related?size=3", strings.NewReader(`{"title":"花呗"}`), "Content-Type", "application/json")
	wantError(t, "size in the URL", rec, 400, zhsearch.EINVALID)
	if !strings.Contains(rec.Body.String(), "fields of its JSON body") {
		t.Errorf("the message does not say where size goes: %s", rec.Body)
	}
	if len(svc.entered) != 0 {
		t.Error("the draft reached the engine")
	}
}

// TestDraftContentEncoding: a body sent compressed, or claiming to be,
// is refused 415 with what to do; identity is the body as it is.
func TestDraftContentEncoding(t *testing.T) {
	for _, tt := range []struct {
		encoding string
		status   int
	}{
		{"gzip", 415},
		{"br", 415},
		{"identity, gzip", 415},
		{"identity", 200},
		{"", 200},
	} {
		svc := newBlockingService()
		close(svc.release)
		h, _ := admissionServer(t, svc, time.Minute)
		rec := do(h, "POST", "/api/v1/related", strings.NewReader(`{"title":"花呗"}`),
			"Content-Type", "application/json", "Content-Encoding", tt.encoding)
		if tt.status != 200 {
			wantError(t, "Content-Encoding "+tt.encoding, rec, tt.status, zhsearch.EUNSUPPORTED)
			continue
		}
		checkOK(t, "Content-Encoding "+tt.encoding, rec)
	}
}

// TestSlowDraftBodyTimesOut: a draft body cut off by the read deadline
// (set to the request's deadline once the draft is admitted) is answered
// 503 timeout and gives its slot back.
func TestSlowDraftBodyTimesOut(t *testing.T) {
	svc := newBlockingService()
	close(svc.release)
	h, s := admissionServer(t, svc, time.Minute)
	body := io.MultiReader(strings.NewReader(`{"title":"`), iotest.ErrReader(os.ErrDeadlineExceeded))
	rec := do(h, "POST", "/api/v1/related", body, "Content-Type", "application/json")
	wantError(t, "slow body", rec, 503, zhsearch.ETIMEOUT)
	if n := s.admit.drafts.waiting(); n != 0 {
		t.Errorf("%d draft slots held after a timed-out body", n)
	}
	if len(svc.entered) != 0 {
		t.Error("a draft whose body never arrived reached the engine")
	}
}

// TestEmptyBodyMessage: an empty JSON body is called empty, not JSON that
// ends early.
func TestEmptyBodyMessage(t *testing.T) {
	svc := newBlockingService()
	close(svc.release)
	h, _ := admissionServer(t, svc, time.Minute)
	rec := do(h, "POST", "/api/v1/related", strings.NewReader(" \n"), "Content-Type", "application/json")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "the request body is empty") {
		t.Errorf("empty body: %d %s", rec.Code, rec.Body.String())
	}
}

// TestQueueingAndRefusalsObserved: what an on-call engineer reads of a
// full gate. While one search runs and one waits, the gate's gauges say
// so; the waiting one's log line gives the time it queued, the refused
// one's and the timed-out one's give their error codes, and the errors
// counter tells the refusal (unavailable) from the deadline (timeout),
// both 503.
func TestQueueingAndRefusalsObserved(t *testing.T) {
	b := newBusyServer(t)
	h, s, logs, svc, first, second := b.h, b.s, b.logs, b.svc, b.first, b.second
	if r, w := gauge(t, s, "zhsearch_http_admission_running"), gauge(t, s, "zhsearch_http_admission_waiting"); r != 1 || w != 1 {
		t.Errorf("gauges running %v, waiting %v: want 1 and 1", r, w)
	}
	wantError(t, "past the limit", do(h, "GET", "/api/v1/search?q=third", nil), 503, zhsearch.EUNAVAILABLE)
	time.Sleep(20 * time.Millisecond) // the second one's queueing, measured
	svc.release <- struct{}{}
	checkOK(t, "first", <-first)
	<-svc.entered
	close(svc.release)
	checkOK(t, "queued", <-second)

	lines := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l["msg"] == "request" {
			lines[fmt.Sprint(l["query"])] = l
		}
	}
	if q, _ := lines["q=second"]["queued_ms"].(float64); q < 10 {
		t.Errorf("the queued search's log line: %v, want queued_ms of 10 or more", lines["q=second"])
	}
	if code := lines["q=third"]["error_code"]; code != zhsearch.EUNAVAILABLE {
		t.Errorf("the refused search's log line: %v, want error_code %s", lines["q=third"], zhsearch.EUNAVAILABLE)
	}
	if n := counter(t, s, "zhsearch_http_errors_total"); n != 1 {
		t.Errorf("errors counted %v, want 1", n)
	}
	if n := histogramCount(t, s, "zhsearch_http_admission_wait_seconds"); n != 2 {
		t.Errorf("admission waits observed %v, want 2 (the two admitted)", n)
	}
}

// gauge reads a gauge of s's registry, summed over its series.
func gauge(t *testing.T, s *Server, name string) float64 {
	t.Helper()
	mfs, err := s.Ops.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// histogramCount reads how many observations a histogram of s's registry
// holds, over its series.
func histogramCount(t *testing.T, s *Server, name string) uint64 {
	t.Helper()
	mfs, err := s.Ops.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
			}
		}
	}
	return n
}

// busyServer is a test server of one search slot and one queue place,
// both taken: first runs (blocked in svc until it is released) and second
// waits, so the next search is refused (503).
type busyServer struct {
	h             http.Handler
	s             *Server
	logs          *syncBuffer
	svc           *blockingService
	first, second <-chan *httptest.ResponseRecorder
}

func newBusyServer(t *testing.T) busyServer {
	t.Helper()
	svc := newBlockingService()
	h, s, logs := newTestServer(t, svc, func(s *Server) {
		s.Ops.MaxConcurrent, s.Ops.MaxQueued = 1, 1
		s.Ops.SearchTimeout = time.Minute
	})
	first := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/search?q=first", nil) })
	<-svc.entered
	second := async(func() *httptest.ResponseRecorder { return do(h, "GET", "/api/v1/search?q=second", nil) })
	waitTickets(s.admit.work, 2)
	return busyServer{h, s, logs, svc, first, second}
}

// TestShedAnswersLogSampled: a flood of requests refused by admission
// (503) writes about shedLogPerSecond access log lines a second, not one
// each; the metrics count every one, and the next line logged says how
// many were not.
func TestShedAnswersLogSampled(t *testing.T) {
	b := newBusyServer(t)
	h, s, logs, svc, first, second := b.h, b.s, b.logs, b.svc, b.first, b.second
	const flood = 200
	for i := range flood {
		wantError(t, "past the limit", do(h, "GET", fmt.Sprintf("/api/v1/search?q=shed%d", i), nil), 503, zhsearch.EUNAVAILABLE)
	}
	time.Sleep(300 * time.Millisecond) // a line's worth of the sampler's budget comes back
	wantError(t, "after the flood", do(h, "GET", "/api/v1/search?q=last", nil), 503, zhsearch.EUNAVAILABLE)
	close(svc.release)
	checkOK(t, "first", <-first)
	checkOK(t, "queued", <-second)

	logged, unlogged := 0, 0.0
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l["msg"] == "request" && l["status"] == float64(503) {
			logged++
			if n, ok := l["unlogged_503s"].(float64); ok {
				unlogged += n
			}
		}
	}
	if logged == 0 || logged >= flood/2 {
		t.Errorf("%d of %d refused searches logged: want a sample of them", logged, flood+1)
	}
	if logged+int(unlogged) != flood+1 {
		t.Errorf("%d logged and %v said unlogged: want the %d refused", logged, unlogged, flood+1)
	}
	if n := counter(t, s, "zhsearch_http_errors_total"); n != flood+1 {
		t.Errorf("errors counted %v, want %d", n, flood+1)
	}
}

// TestShedSampler: a burst of shedLogPerSecond lines, then one line a
// tenth of a second, each line after some were skipped saying how many.
func TestShedSampler(t *testing.T) {
	s := newShedSampler()
	t0 := time.Unix(1_700_000_000, 0)
	for i := range shedLogPerSecond {
		if logged, skipped := s.sample(t0); !logged || skipped != 0 {
			t.Fatalf("line %d of the burst: logged %v, skipped %d", i, logged, skipped)
		}
	}
	for range 5 {
		if logged, _ := s.sample(t0); logged {
			t.Fatal("a line past the burst was logged")
		}
	}
	if logged, skipped := s.sample(t0.Add(time.Second / shedLogPerSecond)); !logged || skipped != 5 {
		t.Errorf("a tenth of a second on: logged %v, skipped %d; want logged, 5 skipped", logged, skipped)
	}
}
