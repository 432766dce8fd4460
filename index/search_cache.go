package index

import (
	"sync"
	"sync/atomic"

	"github.com/zhsearch/zhsearch"
)

// DefaultSearchCacheSize is how many result pages an Index keeps for
// repeated searches unless told otherwise (SetSearchCacheSize).
const DefaultSearchCacheSize = 2048

// pageBudget is what the result cache may hold per page it is sized for,
// in bytes of its pages (pageBytes): a cache of n pages holds at most n ×
// pageBudget bytes of them, whatever their size, and drops its oldest
// pages to stay under it. A page of ten hits with their snippets and
// highlights is about 9.5 KiB (the 100k mix's first 300 queries: 8.7 to
// 10.7 KiB by pageBytes, 9.5 KiB of heap each), one of fifty, the most a
// request may ask, about 47 KiB (43 to 51). Counted by pages alone, a
// client asking fifty hits for distinct queries filled the default cache's
// 2,048 places with about 94 MiB, where pages of ten take 19 MiB; with
// the budget, 32 MiB.
const pageBudget = 16 << 10

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
	lru  *byteLRU[searchKey, cachedPage] // nil: caching off

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

// pageBytes is about what a cached page holds in memory: its key's and its
// hits' strings, and a fixed share for each hit's and the page's headers,
// pointers and times.
func pageBytes(k searchKey, res *zhsearch.SearchResult) int64 {
	n := 256 + len(k.norm) + len(k.ask) + len(res.Query)
	for _, h := range res.Hits {
		n += 210 + len(h.ID) + len(h.Title) + len(h.URL) + len(h.Snippet) + len(h.Highlights.Title) + len(h.Highlights.Body)
	}
	return int64(n)
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
		c.lru = newByteLRU[searchKey, cachedPage](n, int64(n)*pageBudget)
	}
}

func (c *searchCache) cache() *byteLRU[searchKey, cachedPage] {
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
	if p, ok := l.get(k); ok && p.version == v {
		c.hits.Add(1)
		return p.res, true
	}
	c.misses.Add(1)
	return nil, false
}

// put caches res for k, computed at version v (see byteLRU.put).
func (c *searchCache) put(k searchKey, v uint64, res *zhsearch.SearchResult) {
	if l := c.cache(); l != nil {
		l.put(k, cachedPage{version: v, res: res}, pageBytes(k, res))
	}
}

// purge drops every page (their version is stale anyway; this frees them).
func (c *searchCache) purge() {
	if l := c.cache(); l != nil {
		l.purge()
	}
}

// SetSearchCacheSize sets how many result pages the index keeps for
// repeated searches, dropping those it holds; 0 turns the cache off.
func (ix *Index) SetSearchCacheSize(n int) {
	ix.results.init()
	ix.results.resize(max(0, n))
}

// SearchCacheStats counts result-cache lookups since the index was
// opened, and what the cache holds: pages, and about how many bytes of
// them.
type SearchCacheStats struct {
	Hits, Misses  uint64
	Entries       int
	Bytes, Budget int64 // held and allowed (pageBudget a page it is sized for)
}

// SearchCacheStats reports how the result cache is doing.
func (ix *Index) SearchCacheStats() SearchCacheStats {
	c := &ix.results
	c.init()
	s := SearchCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load()}
	if l := c.cache(); l != nil {
		s.Entries, s.Bytes = l.stats()
		s.Budget = l.budget
	}
	return s
}
