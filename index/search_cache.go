package index

import (
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/zhsearch/zhsearch"
)

// DefaultSearchCacheSize is how many result pages an Index keeps for
// repeated searches unless told otherwise (SetSearchCacheSize). A page of
// ten hits with snippets is a few kilobytes.
const DefaultSearchCacheSize = 2048

// searchCache keeps recent result pages of one Index. Search traffic is
// skewed: the same few queries (花呗, 征信 …) come back all day, and bleve
// scores every match of every clause, so a repeat costs as much as the
// first time. Entries are keyed by the normalized query, so 花唄 and 花呗
// share one, and carry the index version they were computed on: a live edit
// (Invalidate) makes every older entry a miss.
type searchCache struct {
	once sync.Once
	mu   sync.Mutex // guards size and lru
	size int
	lru  *lru.Cache[searchKey, cachedPage] // nil: caching off

	hits, misses atomic.Uint64
}

type searchKey struct {
	norm string
	// ask is the query's asking clause (askingClause): normalizing drops
	// punctuation, so 工资15号到账,花呗还款日能改吗 and the same words
	// parted by a space share norm, but only the first has a clause that
	// asks, which the rerank weighs (rerankAsk): their pages differ.
	ask        string
	page, size int
}

// searchKeyOf is the cache key of a valid request whose normalized query
// (analysis.Normalize, as analyzedQuery.norm) is norm and whose asking
// clause (as analyzedQuery.ask) is ask: Search and CachedSearch must build
// the same.
func searchKeyOf(norm, ask string, req zhsearch.SearchRequest) searchKey {
	return searchKey{norm: norm, ask: ask, page: req.Page, size: req.Size}
}

type cachedPage struct {
	version uint64
	res     *zhsearch.SearchResult
}

func (c *searchCache) init() {
	c.once.Do(func() { c.resize(DefaultSearchCacheSize) })
}

// resize replaces the cache with an empty one of n pages (0: off).
func (c *searchCache) resize(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.size, c.lru = n, nil
	if n > 0 {
		c.lru, _ = lru.New[searchKey, cachedPage](n) // n > 0 cannot fail
	}
}

func (c *searchCache) cache() *lru.Cache[searchKey, cachedPage] {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru
}

// get returns the page cached for k at version v.
func (c *searchCache) get(k searchKey, v uint64) (*zhsearch.SearchResult, bool) {
	l := c.cache()
	if l == nil {
		return nil, false
	}
	if p, ok := l.Get(k); ok && p.version == v {
		c.hits.Add(1)
		return p.res, true
	}
	c.misses.Add(1)
	return nil, false
}

// put caches res for k, computed at version v.
func (c *searchCache) put(k searchKey, v uint64, res *zhsearch.SearchResult) {
	if l := c.cache(); l != nil {
		l.Add(k, cachedPage{version: v, res: res})
	}
}

// purge drops every page (their version is stale anyway; this frees them).
func (c *searchCache) purge() {
	if l := c.cache(); l != nil {
		l.Purge()
	}
}

// SetSearchCacheSize sets how many result pages the index keeps for
// repeated searches, dropping those it holds; 0 turns the cache off.
func (ix *Index) SetSearchCacheSize(n int) {
	ix.results.init()
	ix.results.resize(max(0, n))
}

// SearchCacheStats counts result-cache lookups since the index was opened.
type SearchCacheStats struct {
	Hits, Misses uint64
	Entries      int
}

// SearchCacheStats reports how the result cache is doing.
func (ix *Index) SearchCacheStats() SearchCacheStats {
	s := SearchCacheStats{Hits: ix.results.hits.Load(), Misses: ix.results.misses.Load()}
	if l := ix.results.cache(); l != nil {
		s.Entries = l.Len()
	}
	return s
}
