package index

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	bindex "github.com/blevesearch/bleve_index_api"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/zhsearch/zhsearch"
)

// relatedEngine is the related-articles state of one Index (one generation):
// its options, its corpus statistics and its cache. The zero value is ready
// to use with the default options.
type relatedEngine struct {
	initOnce sync.Once
	mu       sync.Mutex // guards opts
	opts     RelatedOptions

	statsOnce sync.Once
	stats     *corpusStats
	statsErr  error

	version atomic.Uint64
	state   atomic.Pointer[versionState]
	flight  flightGroup
	scratch sync.Pool // of *scratch

	hits, misses atomic.Uint64
	lazy         atomic.Uint64 // lists whose scoring looked some bodies up only

	gaps bool // see Index.gaps
}

// versionState is what is valid for one version of the index only: cached
// lists and document frequencies.
type versionState struct {
	version uint64
	cache   *lru.Cache[relatedKey, *zhsearch.RelatedResult] // nil: caching off
	dfs     dfCache
	titles  titleCache
	// pages remembers the pages with 相关内容 lists curation has read, by
	// id (*curatingPage).
	pages sync.Map
}
type relatedKey struct {
	id   string
	size int
}

// flightKey names the computation of req's list in this version, shared
// by concurrent misses (flightGroup).
func (st *versionState) flightKey(req zhsearch.RelatedRequest) string {
	return fmt.Sprintf("%d/%d/%s", st.version, req.Size, req.ID)
}

func (e *relatedEngine) init() {
	e.initOnce.Do(func() {
		e.scratch.New = func() any { return &scratch{} }
		e.opts = DefaultRelatedOptions()
		e.state.Store(newVersionState(0, e.opts.CacheSize))
	})
}
func newVersionState(v uint64, size int) *versionState {
	st := &versionState{version: v}
	if size > 0 {
		st.cache, _ = lru.New[relatedKey, *zhsearch.RelatedResult](size) // size > 0 cannot fail
	}
	return st
}
func (e *relatedEngine) options() RelatedOptions {
	e.init()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.opts
}
func (e *relatedEngine) df() *dfCache { return &e.state.Load().dfs }

// bump starts a new version: the cache and document frequencies of the
// previous one are dropped.
func (e *relatedEngine) bump() {
	e.init()
	e.mu.Lock()
	defer e.mu.Unlock()
	v := e.version.Add(1)
	e.state.Store(newVersionState(v, e.opts.CacheSize))
}

// SetRelatedOptions changes how related lists are made. It drops every
// cached list.
func (ix *Index) SetRelatedOptions(o RelatedOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	e := &ix.rel
	e.init()
	e.mu.Lock()
	e.opts = o
	e.mu.Unlock()
	e.bump()
	return nil
}

// Invalidate tells the index that its content changed (a live edit was
// written): cached related lists, search results and document frequencies
// are dropped. The
// writer calls it after the write is visible to readers, so no list
// computed before the change outlives it. A new generation is a new Index
// and starts with an empty cache anyway.
func (ix *Index) Invalidate() {
	ix.rel.bump()
	ix.results.purge()
}

// Version counts the changes announced with Invalidate or
// SetRelatedOptions since the index was opened.
func (ix *Index) Version() uint64 { return ix.rel.version.Load() }

// RelatedCacheStats counts related-list cache lookups since the index was
// opened, and the lists the cache holds now.
type RelatedCacheStats struct {
	Hits, Misses uint64
	Entries      int
}

// RelatedCacheStats reports how the related-list cache is doing.
func (ix *Index) RelatedCacheStats() RelatedCacheStats {
	e := &ix.rel
	e.init()
	s := RelatedCacheStats{Hits: e.hits.Load(), Misses: e.misses.Load()}
	if c := e.state.Load().cache; c != nil {
		s.Entries = c.Len()
	}
	return s
}

// corpusStats returns the generation's statistics, computing them once.
func (ix *Index) corpusStats(r bindex.IndexReader) (*corpusStats, error) {
	e := &ix.rel
	e.statsOnce.Do(func() { e.stats, e.statsErr = computeCorpusStats(r, ix.seg) })
	return e.stats, e.statsErr
}

// flightGroup runs concurrent misses on one related list once and shares
// the answer (singleflight), with two differences that matter to a server:
//
//   - The shared computation runs under a context of its own that ends when
//     the last caller waiting for it has gone (its deadline passed, or the
//     client left), so abandoned work stops instead of running on; and when
//     the index closes.
//   - It holds the index: close refuses new computations, cancels those
//     running and waits for them to return before the index (and with it
//     bleve's snapshot) is closed. A generation switched out by a reindex
//     therefore never closes under a computation that outlived its callers.
//     A panic in a computation becomes an error of its callers instead of
//     ending the process.
type flightGroup struct {
	mu      sync.Mutex
	calls   map[string]*flightCall
	closed  bool
	running sync.WaitGroup
}

// flightCall is one shared computation.
type flightCall struct {
	done    chan struct{} // closed when res and err are set
	res     *zhsearch.RelatedResult
	err     error
	waiters int // callers waiting; guarded by flightGroup.mu
	cancel  context.CancelFunc
}

// do returns fn's answer for key, running fn at most once at a time per
// key. ctx bounds the wait of this caller only; fn gets a context that ends
// when every caller waiting for it has gone or the group closes. A caller
// that finds fn already running for key yields (zhsearch.Yield): it
// computes nothing, so its admission slot goes to the next request.
func (g *flightGroup) do(ctx context.Context, key string,
	fn func(ctx context.Context) (*zhsearch.RelatedResult, error)) (*zhsearch.RelatedResult, error) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the index is closed")
	}
	if g.calls == nil {
		g.calls = map[string]*flightCall{}
	}
	c := g.calls[key]
	leader := c == nil
	if leader {
		fctx, cancel := context.WithCancel(context.Background())
		c = &flightCall{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = c
		g.running.Add(1)
		go g.run(fctx, key, c, fn)
	}
	c.waiters++
	g.mu.Unlock()
	if !leader {
		zhsearch.Yield(ctx) // it only waits: its admission slot can serve another
	}
	select {
	case <-c.done:
		g.leave(key, c)
		return c.res, c.err
	case <-ctx.Done():
		g.leave(key, c)
		return nil, searchErr(ctx, ctx.Err())
	}
}

// join waits for the computation of key that is running for other
// callers, if there is one, and returns its answer (found false: none is
// running). ctx bounds this caller's wait; leaving early counts as for do.
func (g *flightGroup) join(ctx context.Context, key string) (res *zhsearch.RelatedResult, found bool, err error) {
	g.mu.Lock()
	c := g.calls[key]
	if c == nil || g.closed {
		g.mu.Unlock()
		return nil, false, nil
	}
	c.waiters++
	g.mu.Unlock()
	select {
	case <-c.done:
		g.leave(key, c)
		return c.res, true, c.err
	case <-ctx.Done():
		g.leave(key, c)
		return nil, true, searchErr(ctx, ctx.Err())
	}
}

// leave drops a waiter; the last one to leave a computation that has not
// finished cancels it, and a later caller starts afresh.
func (g *flightGroup) leave(key string, c *flightCall) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c.waiters--
	if c.waiters > 0 {
		return
	}
	select {
	case <-c.done:
	default:
		c.cancel()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
	}
}

func (g *flightGroup) run(ctx context.Context, key string, c *flightCall,
	fn func(ctx context.Context) (*zhsearch.RelatedResult, error)) {
	defer g.running.Done()
	defer func() {
		if p := recover(); p != nil {
			slog.Error("related list panicked", "key", key, "panic", p, "stack", string(debug.Stack()))
			c.res, c.err = nil, fmt.Errorf("related list for %s: panic: %v", key, p)
		}
		g.mu.Lock()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
		g.mu.Unlock()
		c.cancel()
		close(c.done)
	}()
	c.res, c.err = fn(ctx)
}

// close stops the group: no new computation starts, running ones are
// cancelled, and close returns once they have all returned.
func (g *flightGroup) close() {
	g.mu.Lock()
	g.closed = true
	for _, c := range g.calls {
		c.cancel()
	}
	g.mu.Unlock()
	g.running.Wait()
}

// close is called by (*Index).Close before the bleve index closes: shared
// related computations are cancelled and awaited (see flightGroup).
func (e *relatedEngine) close() { e.flight.close() }
