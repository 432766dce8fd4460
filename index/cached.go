package index

import (
	"context"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// CachedSearch implements zhsearch.CacheService: the page Search would
// answer from the result cache, if it holds it, or from the computation of
// it already running for another caller, waited for within ctx; it never
// starts a search. A hit counts as a cache hit; a miss counts nothing,
// since the Search that follows counts it; a page shared with a running
// computation counts as a miss, as Search would have counted it.
func (ix *Index) CachedSearch(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, bool) {
	start := time.Now()
	if req.Validate() != nil {
		return nil, false
	}
	// The key needs the normalized query and its asking clause only;
	// analyzing it (segmentation) is left to the Search that follows a miss.
	key, version := searchKeyOf(analysis.Normalize(req.Query), askingClause(ix.seg.Lexicon(), req.Query), req), ix.Version()
	res, ok := (*zhsearch.SearchResult)(nil), false
	if l := ix.results.cache(); l != nil {
		if p, hit := l.get(key); hit && p.version == version {
			ix.results.hits.Add(1)
			res, ok = p.res, true
		}
	}
	if !ok {
		var err error
		if res, ok, err = ix.searches.join(ctx, searchFlightKey(key, version)); !ok || err != nil {
			return nil, false // Search answers, through admission, with its own error
		}
		ix.results.misses.Add(1)
	}
	out := *res // shared: never modified
	out.Query, out.TookMS = req.Query, float64(time.Since(start).Microseconds())/1000
	return &out, true
}

// CachedRelated implements zhsearch.CacheService: the list Related would
// answer for a stored article from its cache, if it holds it, or from the
// computation of it already running for another caller, waited for within
// ctx. Drafts are never cached. The API asks before admission, so a caller
// that joins a computation waits without an admission slot: a burst of
// readers of one new article would otherwise fill every slot with waiters
// of a single computation.
func (ix *Index) CachedRelated(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, bool) {
	if req.Draft != nil || req.Validate() != nil {
		return nil, false
	}
	e := &ix.rel
	e.init()
	st := e.state.Load()
	if res, ok := st.get(relatedKeyOf(req)); ok {
		e.hits.Add(1)
		return withMinScore(copyResult(res), req.MinScore), true
	}
	res, found, err := e.flight.join(ctx, st.flightKey(req))
	if !found || err != nil {
		// Nothing running, or it failed or this caller's wait ended:
		// Related answers, through admission, with its own error.
		return nil, false
	}
	e.misses.Add(1) // as Related would have counted it: computed, not cached
	return withMinScore(copyResult(res), req.MinScore), true
}

// CachedSearch implements zhsearch.CacheService on the current generation.
func (l *Live) CachedSearch(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, bool) {
	g, err := l.acquire()
	if err != nil {
		return nil, false
	}
	defer g.release()
	return g.ix.CachedSearch(ctx, req)
}

// CachedRelated implements zhsearch.CacheService on the current generation.
func (l *Live) CachedRelated(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, bool) {
	g, err := l.acquire()
	if err != nil {
		return nil, false
	}
	defer g.release()
	return g.ix.CachedRelated(ctx, req)
}
