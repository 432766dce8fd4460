package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// TestFlightShares: callers of one key while it runs get one computation's
// answer.
func TestFlightShares(t *testing.T) {
	var g flightGroup[*zhsearch.RelatedResult]
	var runs atomic.Int32
	release := make(chan struct{})
	fn := func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		runs.Add(1)
		<-release
		return &zhsearch.RelatedResult{ID: "x"}, nil
	}
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			res, err := g.do(context.Background(), "k", fn)
			if err == nil && res.ID != "x" {
				err = fmt.Errorf("answer %+v", res)
			}
			errs <- err
		}()
	}
	waitFor(t, func() bool { return g.waiting("k") == 3 })
	close(release)
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("%d computations for one key, want 1", n)
	}
}

// TestFlightFollowersYield: callers that find the computation of their key
// running give their admission slot back (zhsearch.Yield) while they wait;
// the one that computes keeps its own.
func TestFlightFollowersYield(t *testing.T) {
	var g flightGroup[*zhsearch.RelatedResult]
	release := make(chan struct{})
	fn := func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		<-release
		return &zhsearch.RelatedResult{ID: "x"}, nil
	}
	var yields [3]atomic.Int32
	done := make(chan error, 3)
	call := func(i int) {
		ctx := zhsearch.WithYield(context.Background(), func() { yields[i].Add(1) })
		_, err := g.do(ctx, "k", fn)
		done <- err
	}
	go call(0)
	waitFor(t, func() bool { return g.waiting("k") == 1 })
	go call(1)
	go call(2)
	waitFor(t, func() bool { return g.waiting("k") == 3 })
	// Each joins, then yields, then waits: the yields follow at once.
	for deadline := time.Now().Add(10 * time.Second); yields[1].Load()+yields[2].Load() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the callers that joined yielded %d and %d times, want once each", yields[1].Load(), yields[2].Load())
		}
	}
	if n := yields[0].Load(); n != 0 {
		t.Errorf("the caller that computes yielded %d times", n)
	}
	close(release)
	for range 3 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestFlightStopsWhenAllLeave: the shared computation's context ends when
// the last caller waiting for it has gone, not before; a later caller
// starts afresh.
func TestFlightStopsWhenAllLeave(t *testing.T) {
	var g flightGroup[*zhsearch.RelatedResult]
	stopped := make(chan struct{})
	started := make(chan struct{}, 2)
	fn := func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		started <- struct{}{}
		<-ctx.Done()
		close(stopped)
		return nil, ctx.Err()
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := g.do(ctx1, "k", fn); errs <- err }()
	<-started
	go func() { _, err := g.do(ctx2, "k", fn); errs <- err }()
	waitFor(t, func() bool { return g.waiting("k") == 2 })
	cancel1()
	if err := <-errs; zhsearch.ErrorCode(err) != zhsearch.ETIMEOUT {
		t.Errorf("first caller gone: error %v, want %s", err, zhsearch.ETIMEOUT)
	}
	select {
	case <-stopped:
		t.Fatal("the computation stopped while a caller still waited for it")
	default:
	}
	cancel2()
	if err := <-errs; zhsearch.ErrorCode(err) != zhsearch.ETIMEOUT {
		t.Errorf("second caller gone: error %v, want %s", err, zhsearch.ETIMEOUT)
	}
	<-stopped // the computation sees its context end; the test hangs otherwise
	res, err := g.do(context.Background(), "k", func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		return &zhsearch.RelatedResult{ID: "fresh"}, nil
	})
	if err != nil || res.ID != "fresh" {
		t.Errorf("after the abandoned computation: %+v, %v; want a fresh answer", res, err)
	}
}

// TestFlightEndsAtTheStartersDeadline: a computation ends at the deadline
// of the caller that started it, however many callers join it later with
// deadlines of their own: readers joining one after another cannot keep
// it running past a request's deadline.
func TestFlightEndsAtTheStartersDeadline(t *testing.T) {
	var g flightGroup[*zhsearch.RelatedResult]
	started := make(chan struct{})
	var sawDeadline atomic.Bool
	fn := func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		_, ok := ctx.Deadline()
		sawDeadline.Store(ok)
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	first, cancel1 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel1()
	errs := make(chan error, 2)
	go func() { _, err := g.do(first, "k", fn); errs <- err }()
	<-started
	// A joiner that would wait for an hour.
	later, cancel2 := context.WithTimeout(context.Background(), time.Hour)
	defer cancel2()
	go func() { _, err := g.do(later, "k", fn); errs <- err }()
	for range 2 {
		select {
		case err := <-errs:
			if err == nil {
				t.Error("a caller got an answer from a computation that never finished")
			}
		case <-time.After(time.Minute):
			t.Fatal("the computation outlived its starter's deadline by a minute")
		}
	}
	if !sawDeadline.Load() {
		t.Error("the computation's context had no deadline")
	}
}

// TestFlightKeepsItsStartersSlot: the computation takes over the admission
// slot of the caller that started it (zhsearch.Keep) and gives it back
// once it has stopped, not when that caller leaves; a joiner keeps none.
func TestFlightKeepsItsStartersSlot(t *testing.T) {
	var g flightGroup[*zhsearch.RelatedResult]
	var kept, released atomic.Int32
	withSlot := func(ctx context.Context) context.Context {
		return zhsearch.WithKeep(ctx, func() func() {
			kept.Add(1)
			return func() { released.Add(1) }
		})
	}
	finish, started := make(chan struct{}), make(chan struct{})
	fn := func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		close(started)
		<-finish
		return &zhsearch.RelatedResult{ID: "done"}, nil
	}
	ctx1, leave := context.WithCancel(withSlot(context.Background()))
	errs := make(chan error, 2)
	go func() { _, err := g.do(ctx1, "k", fn); errs <- err }()
	<-started
	go func() { _, err := g.do(withSlot(context.Background()), "k", fn); errs <- err }()
	waitFor(t, func() bool { return g.waiting("k") == 2 })
	leave()
	<-errs // the starter gone
	if kept.Load() != 1 || released.Load() != 0 {
		t.Errorf("starter gone, computation running: slots kept %d, released %d; want 1, 0", kept.Load(), released.Load())
	}
	close(finish)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); released.Load() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slot was not given back once the computation stopped")
		}
	}
}

// TestFlightCloseWaits: close cancels a running computation and returns only
// once it has returned, so the index is never closed under it; nothing
// starts after close.
func TestFlightCloseWaits(t *testing.T) {
	var g flightGroup[*zhsearch.RelatedResult]
	var returned atomic.Bool
	started := make(chan struct{})
	go g.do(context.Background(), "k", func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		close(started)
		<-ctx.Done()
		returned.Store(true)
		return nil, ctx.Err()
	})
	<-started
	g.close()
	if !returned.Load() {
		t.Fatal("close returned before the computation did")
	}
	_, err := g.do(context.Background(), "k", func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		t.Error("a computation started after close")
		return nil, nil
	})
	if zhsearch.ErrorCode(err) != zhsearch.EUNAVAILABLE {
		t.Errorf("after close: error %v, want %s", err, zhsearch.EUNAVAILABLE)
	}
}

// TestFlightPanic: a panic in the shared goroutine is an error of its
// callers, not the end of the process.
func TestFlightPanic(t *testing.T) {
	var logs strings.Builder
	g := flightGroup[*zhsearch.RelatedResult]{log: slog.New(slog.NewTextHandler(&logs, nil))}
	_, err := g.do(context.Background(), "k", func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		var r *zhsearch.RelatedResult
		return r, errors.New(r.ID) // nil dereference, as a closed bleve snapshot gives
	})
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Errorf("error %v, want the panic as an error", err)
	}
	// Logged where the service logs, with its stack.
	if !strings.Contains(logs.String(), "shared computation panicked") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("the panic was not logged to the service's logger:\n%s", logs.String())
	}
}

// twoArticles opens a new index of two related articles, a and b.
func twoArticles(t *testing.T) *Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	_, err := BuildArticles(context.Background(), dir, []zhsearch.Article{
		{ID: "a", Title: "花呗风控怎么解除", Body: "花呗风控解除的办法。"},
		{ID: "b", Title: "花呗风控多久恢复", Body: "花呗风控一般一到三个月恢复。"},
	}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestRelatedAfterClose: a stored article's related list asked of a closed
// index is an error, not a panic.
func TestRelatedAfterClose(t *testing.T) {
	ix := twoArticles(t)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Related(context.Background(), zhsearch.RelatedRequest{ID: "a", Size: 5}); err == nil {
		t.Error("Related on a closed index: no error")
	}
}

// waiting is how many callers wait for key's computation.
func (g *flightGroup[T]) waiting(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.calls[key]; c != nil {
		return c.waiters
	}
	return 0
}

// waitFor polls cond until it holds (the test's own deadline bounds it).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		runtime.Gosched()
	}
}

// countdownCtx is a context whose Err reports Canceled from its n-th call
// on, and whose Done is closed then: a cancellation at every point where
// the engine looks at its context, in turn.
type countdownCtx struct {
	context.Context
	left  atomic.Int64
	after atomic.Int64 // calls of Err once cancelled
	done  chan struct{}
	once  sync.Once
}

func newCountdown(n int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background(), done: make(chan struct{})}
	c.left.Store(n)
	return c
}
func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		c.once.Do(func() { close(c.done) })
		c.after.Add(1)
		return context.Canceled
	}
	return nil
}
func (c *countdownCtx) Done() <-chan struct{} { return c.done }

// TestRelatedStopsWhenCancelled cancels a related list at every point where
// the engine looks at its context, for a stored article and for a draft
// with 60,000 tags: each call either answers the full list or returns a
// timeout error, and stops soon after the cancellation.
func TestRelatedStopsWhenCancelled(t *testing.T) {
	ix, _, _ := suiteIndex(t)
	tags := make([]string, 60000)
	for i := range tags {
		tags[i] = fmt.Sprintf("标签%d号", i)
	}
	tags[0], tags[1] = "征信", "网贷"
	for _, tt := range []struct {
		name string
		src  *zhsearch.Article
	}{
		{"stored", nil},
		{"draft with 60000 tags", &zhsearch.Article{Title: "网贷逾期会影响征信吗", Body: "网贷逾期以后征信会有记录吗？", Tags: tags}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == nil {
				var err error
				if src, err = ix.Article(context.Background(), "k013"); err != nil {
					t.Fatal(err)
				}
			}
			want, err := ix.relatedList(context.Background(), src, 5)
			if err != nil {
				t.Fatal(err)
			}
			for n := int64(0); ; n++ {
				ctx := newCountdown(n)
				got, err := ix.relatedList(ctx, src, 5)
				if err == nil {
					if ctx.left.Load() >= 0 && !reflect.DeepEqual(got, want) {
						t.Errorf("after %d looks: %+v, want %+v", n, got, want)
					}
					if ctx.left.Load() >= 0 {
						break // never cancelled: every look was made
					}
					t.Fatalf("cancelled at look %d, yet answered %+v", n, got)
				}
				if zhsearch.ErrorCode(err) != zhsearch.ETIMEOUT {
					t.Fatalf("cancelled at look %d: error %v, want %s", n, err, zhsearch.ETIMEOUT)
				}
				if a := ctx.after.Load(); a > 8 {
					t.Errorf("cancelled at look %d: the context was asked %d more times before the work stopped", n, a)
				}
				if n > 100000 {
					t.Fatal("no end to the looks at the context")
				}
			}
		})
	}
}

// TestRelatedDraftBounded: what a draft contributes is capped, so 60,000
// tags give the list the first maxSourceTags of them give.
func TestRelatedDraftBounded(t *testing.T) {
	ix, _, _ := suiteIndex(t)
	tags := []string{"征信", "网贷"}
	for i := len(tags); i < 60000; i++ {
		tags = append(tags, fmt.Sprintf("标签%d号", i))
	}
	// Related refuses such a draft (zhsearch.MaxTags); the engine bounds
	// what any source contributes all the same.
	draft := func(tags []string) *zhsearch.Article {
		return &zhsearch.Article{Title: "网贷逾期会影响征信吗", Tags: tags}
	}
	all, err := ix.relatedList(context.Background(), draft(tags), 5)
	if err != nil {
		t.Fatal(err)
	}
	capped, err := ix.relatedList(context.Background(), draft(tags[:maxSourceTags]), 5)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(all, capped) {
		t.Errorf("60000 tags: %+v\nwant the list of the first %d: %+v", all, maxSourceTags, capped)
	}
	if len(all.Related) == 0 {
		t.Error("empty list for a draft on 网贷 and 征信")
	}
}

// TestExpansion: the words two of the three best matches' titles agree on,
// not the source's own, not question or stop words, are a short source's
// feedback words.
func TestExpansion(t *testing.T) {
	ix, _, _ := suiteIndex(t)
	pool := []*scored{
		{doc: relatedDoc{title: "征信花了怎么修复"}},
		{doc: relatedDoc{title: "征信花了如何快速修复"}},
		{doc: relatedDoc{title: "花呗被风控了怎么解除"}},
		{doc: relatedDoc{title: "征信修复公司可信吗"}}, // fourth: not read
	}
	words := map[string]*sourceWord{"征信花了": {}, "风控": {}, "解除": {}}
	if got, want := ix.expansion(pool, words), []string{"修复"}; !reflect.DeepEqual(got, want) {
		t.Errorf("expansion = %v, want %v", got, want)
	}
}

// TestCachedRelatedJoinsComputation: a request for a list that another
// caller's computation is producing gets that computation's answer from
// CachedRelated, which the API asks before admission, so it waits without
// holding an admission slot of its own; with nothing cached or running it
// answers at once that it has nothing, and a joiner whose wait ends early
// leaves the computation to the others.
func TestCachedRelatedJoinsComputation(t *testing.T) {
	ix := twoArticles(t)
	defer ix.Close()
	ctx := context.Background()
	req := zhsearch.RelatedRequest{ID: "a", Size: 5}
	if res, ok := ix.CachedRelated(ctx, req); ok {
		t.Fatalf("nothing cached or running: CachedRelated answered %+v", res)
	}

	// Another caller's computation of a's list, held until released.
	ix.rel.init()
	key := ix.rel.state.Load().flightKey(req)
	releaseAll, leader := holdComputation(t, &ix.rel.flight, key,
		&zhsearch.RelatedResult{ID: "a", Related: []zhsearch.RelatedItem{{ID: "from-the-leader"}}})
	defer releaseAll() // before Close, which waits for the computation

	gone, cancel := context.WithCancel(ctx)
	left := make(chan bool, 1)
	go func() {
		_, ok := ix.CachedRelated(gone, req)
		left <- ok
	}()
	type answer struct {
		res *zhsearch.RelatedResult
		ok  bool
	}
	joined := make(chan answer, 1)
	go func() {
		res, ok := ix.CachedRelated(ctx, req)
		joined <- answer{res, ok}
	}()
	for ix.rel.flight.waiting(key) < 3 {
		select {
		case a := <-joined:
			t.Fatalf("CachedRelated answered %+v, %v without joining the running computation", a.res, a.ok)
		case ok := <-left:
			t.Fatalf("CachedRelated answered %v without joining the running computation", ok)
		default:
			runtime.Gosched()
		}
	}
	cancel()
	if <-left {
		t.Error("a joiner whose wait ended: CachedRelated answered ok")
	}
	if n := ix.rel.flight.waiting(key); n != 2 {
		t.Errorf("%d callers wait after one left, want 2: the computation must go on", n)
	}
	releaseAll()
	a := <-joined
	if !a.ok || len(a.res.Related) != 1 || a.res.Related[0].ID != "from-the-leader" {
		t.Errorf("joined the running computation: %+v, %v; want its answer", a.res, a.ok)
	}
	if err := <-leader; err != nil {
		t.Error(err)
	}
}

// TestSearchSharesComputation: searches for a page that another caller's
// computation is producing get its answer (Search and CachedSearch, which
// the API asks before admission), each with its own query text; another
// page of the same query is computed on its own.
func TestSearchSharesComputation(t *testing.T) {
	ix := twoArticles(t)
	defer ix.Close()
	ctx := context.Background()
	req := zhsearch.SearchRequest{Query: "花呗风控", Page: 1, Size: 10}
	aq := ix.analyze(req.Query)
	key := searchFlightKey(searchKey{norm: aq.norm, ask: aq.ask, page: 1, size: 10}, ix.Version())
	releaseAll, leader := holdComputation(t, &ix.searches, key,
		&zhsearch.SearchResult{Total: 1, Page: 1, Size: 10, Hits: []zhsearch.Hit{{ID: "from-the-leader"}}})
	defer releaseAll() // before Close, which waits for the computation

	other, err := ix.Search(ctx, zhsearch.SearchRequest{Query: req.Query, Page: 2, Size: 10})
	if err != nil || len(other.Hits) != 0 || other.Total != 2 {
		t.Errorf("page 2, computed on its own: %+v, %v; want no hits of 2", other, err)
	}
	type answer struct {
		res *zhsearch.SearchResult
		err error
	}
	searched, cached := make(chan answer, 1), make(chan answer, 1)
	go func() {
		res, err := ix.Search(ctx, zhsearch.SearchRequest{Query: "花唄風控", Page: 1, Size: 10})
		searched <- answer{res, err}
	}()
	go func() {
		res, ok := ix.CachedSearch(ctx, req)
		if !ok {
			res = nil
		}
		cached <- answer{res, nil}
	}()
	for ix.searches.waiting(key) < 3 {
		select {
		case a := <-searched:
			t.Fatalf("Search answered %+v, %v without waiting for the running computation", a.res, a.err)
		case a := <-cached:
			t.Fatalf("CachedSearch answered %+v without waiting for the running computation", a.res)
		default:
			runtime.Gosched()
		}
	}
	releaseAll()
	for _, a := range []struct {
		answer
		query string
	}{{<-searched, "花唄風控"}, {<-cached, req.Query}} {
		if a.err != nil || a.res == nil || len(a.res.Hits) != 1 || a.res.Hits[0].ID != "from-the-leader" || a.res.Query != a.query {
			t.Errorf("joined the running computation: %+v, %v; want its answer for %q", a.res, a.err, a.query)
		}
	}
	if err := <-leader; err != nil {
		t.Error(err)
	}
}

// holdComputation starts a computation of key in g, as another caller's,
// that answers answer once release is called (more than once is once);
// its caller's error arrives on leader.
func holdComputation[T any](t *testing.T, g *flightGroup[T], key string, answer T) (release func(), leader <-chan error) {
	t.Helper()
	held := make(chan struct{})
	var once sync.Once
	errs := make(chan error, 1)
	go func() {
		_, err := g.do(context.Background(), key, func(ctx context.Context) (T, error) {
			<-held
			return answer, nil
		})
		errs <- err
	}()
	waitFor(t, func() bool { return g.waiting(key) == 1 })
	return func() { once.Do(func() { close(held) }) }, errs
}
