package index

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	bindex "github.com/blevesearch/bleve_index_api"

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
	stats     atomic.Pointer[corpusStats] // atomic: tests ask whether it is computed
	statsErr  error

	version atomic.Uint64
	state   atomic.Pointer[versionState]
	flight  flightGroup[*zhsearch.RelatedResult]
	// scratches are the scratch spaces of lists not being scored: a free
	// list, not a sync.Pool, which lost them to GC and to a goroutine
	// moving between Ps, and each new one grew to the index's size again
	// (an eighth of a related list's allocations). It keeps GOMAXPROCS of
	// them at most (admission holds computations to about one per CPU, and
	// the server runs twice as many Ps): each is 4 bytes per article and
	// 40 per article a list touched, about 2 MB at 100k articles.
	scratches chan *scratch

	hits, misses atomic.Uint64
	lazy         atomic.Uint64 // lists whose scoring looked some bodies up only

	gaps bool // see Index.gaps
}

// versionState is what is valid for one version of the index only: cached
// lists and document frequencies.
type versionState struct {
	version uint64
	// cache holds the lists of stored articles, at most listBudget
	// bytes a list it is sized for (nil: caching off).
	cache   *byteLRU[relatedKey, *zhsearch.RelatedResult]
	dfs     dfCache
	titles  titleCache
	dupKeys boundedCache[string] // DupKey by title
	// pages remembers the pages with 相关内容 lists curation has read, by
	// id (*curatingPage).
	pages sync.Map
}
type relatedKey struct {
	id   string
	size int
}

// relatedKeyOf is the cache key of a valid request for a stored article's
// list: Related and CachedRelated must build the same.
func relatedKeyOf(req zhsearch.RelatedRequest) relatedKey { return relatedKey{req.ID, req.Size} }

// flightKey names the computation of req's list in this version, shared
// by concurrent misses (flightGroup).
func (st *versionState) flightKey(req zhsearch.RelatedRequest) string {
	return fmt.Sprintf("%d/%d/%s", st.version, req.Size, req.ID)
}

func (e *relatedEngine) init() {
	e.initOnce.Do(func() {
		e.scratches = make(chan *scratch, runtime.GOMAXPROCS(0))
		e.opts = DefaultRelatedOptions()
		e.state.Store(newVersionState(0, e.opts.CacheSize))
	})
}

// getScratch returns a scratch space for one list, reset.
func (e *relatedEngine) getScratch() *scratch {
	select {
	case sc := <-e.scratches:
		return sc.reset()
	default:
		return &scratch{}
	}
}

// putScratch gives sc back once its list is scored; beyond the free
// list's room it is left to the collector, not cleared first (getScratch
// clears the ones it hands out again).
func (e *relatedEngine) putScratch(sc *scratch) {
	select {
	case e.scratches <- sc:
	default:
	}
}

// listBudget is what the related cache may hold per list it is sized for,
// in bytes of its lists (listBytes): a cache of n lists holds at most n ×
// listBudget bytes, whatever their size, and drops its oldest lists to
// stay under it. Over the readers' questions' corpus (200 lists of each
// size), a list of five items is about 1.3 KiB by listBytes, one of ten
// 2.3 KiB, one of twenty, the most a request may ask, 4.2 KiB: the default
// cache's 10,000 places hold every list of ten or fewer, 30 MiB at most,
// where lists of twenty would have taken 42 MiB, and the figure is now
// seen (zhsearch_cache_bytes{cache="related"}).
const listBudget = 3 << 10

// listBytes is about what a cached list holds in memory: its key's and
// its items' strings, and a fixed share for each item's and the list's
// headers, pointers, times and cache entry.
func listBytes(k relatedKey, res *zhsearch.RelatedResult) int64 {
	n := 200 + len(k.id) + len(res.ID)
	for _, it := range res.Related {
		n += 140 + len(it.ID) + len(it.Title) + len(it.URL) + len(it.Reason)
		for _, r := range it.Reasons {
			n += 16 + len(r)
		}
	}
	return int64(n)
}

func newVersionState(v uint64, size int) *versionState {
	st := &versionState{version: v}
	if size > 0 {
		st.cache = newByteLRU[relatedKey, *zhsearch.RelatedResult](size, int64(size)*listBudget)
	}
	return st
}

// get returns the list cached for k.
func (st *versionState) get(k relatedKey) (*zhsearch.RelatedResult, bool) {
	if st.cache == nil {
		return nil, false
	}
	return st.cache.get(k)
}

// put caches res for k (see byteLRU.put).
func (st *versionState) put(k relatedKey, res *zhsearch.RelatedResult) {
	if st.cache != nil {
		st.cache.put(k, res, listBytes(k, res))
	}
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
	ix.rel.changeOptions(func(cur *RelatedOptions) { *cur = o })
	return nil
}

// SetRelatedCacheSize sets how many related lists the index caches (0 or
// less: none), keeping the other options. It drops every cached list.
func (ix *Index) SetRelatedCacheSize(n int) {
	ix.rel.changeOptions(func(o *RelatedOptions) { o.CacheSize = max(n, 0) })
}

// changeOptions applies change to the options and starts a new version.
func (e *relatedEngine) changeOptions(change func(*RelatedOptions)) {
	e.init()
	e.mu.Lock()
	change(&e.opts)
	e.mu.Unlock()
	e.bump()
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
// opened, and what the cache holds now: lists, and about how many bytes
// of them.
type RelatedCacheStats struct {
	Hits, Misses  uint64
	Entries       int
	Bytes, Budget int64 // held and allowed (listBudget a list it is sized for)
}

// RelatedCacheStats reports how the related-list cache is doing.
func (ix *Index) RelatedCacheStats() RelatedCacheStats {
	e := &ix.rel
	e.init()
	s := RelatedCacheStats{Hits: e.hits.Load(), Misses: e.misses.Load()}
	if st := e.state.Load(); st.cache != nil {
		s.Entries, s.Bytes = st.cache.stats()
		s.Budget = st.cache.budget
	}
	return s
}

// corpusStats returns the generation's statistics, computing them once.
func (ix *Index) corpusStats(r bindex.IndexReader) (*corpusStats, error) {
	e := &ix.rel
	e.statsOnce.Do(func() {
		st, err := computeCorpusStats(r, ix.seg)
		e.stats.Store(st)
		e.statsErr = err
	})
	return e.stats.Load(), e.statsErr
}

// close is called by (*Index).Close before the bleve index closes: shared
// related computations are cancelled and awaited (see flightGroup).
func (e *relatedEngine) close() { e.flight.close() }
