package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

var hitFields = []string{fTitle, fURL, fPublished, fBody, fTitleOnly}

// Search answers a search-box query. The reader's text is only ever
// analyzed into terms: no query syntax is interpreted.
func (ix *Index) Search(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
	start := time.Now()
	if err := req.Validate(); err != nil {
		return nil, err
	}
	aq := ix.analyze(req.Query)
	key, version := searchKeyOf(aq.norm, aq.ask, req), ix.Version()
	if res, ok := ix.results.get(key, version); ok {
		out := *res // shared: never modified
		out.Query, out.TookMS = req.Query, float64(time.Since(start).Microseconds())/1000
		return &out, nil
	}
	// Concurrent misses on one page compute it once (flightGroup): after an
	// edit empties the cache, a popular query would otherwise be computed
	// once for every reader asking for it at that moment.
	shared, err := ix.searches.do(ctx, searchFlightKey(key, version), func(ctx context.Context) (*zhsearch.SearchResult, error) {
		return ix.computePage(ctx, &aq, key, version)
	})
	if err != nil {
		return nil, err
	}
	out := *shared // shared: never modified
	out.Query, out.TookMS = req.Query, float64(time.Since(start).Microseconds())/1000
	return &out, nil
}

// searchFlightKey names the computation of a page in one index version,
// shared by concurrent misses.
func searchFlightKey(k searchKey, version uint64) string {
	return fmt.Sprintf("%d/%d/%d/%s\x00%s", version, k.page, k.size, k.norm, k.ask)
}

// computePage searches for the page k of aq and caches it at version. The
// answer is shared between the callers that asked for it at once: its
// Query and TookMS are theirs to set on a copy.
func (ix *Index) computePage(ctx context.Context, aq *analyzedQuery, k searchKey, version uint64) (*zhsearch.SearchResult, error) {
	q, err := ix.searchQuery(ctx, aq)
	if err != nil {
		return nil, err
	}
	res, strict, err := ix.rankedPage(ctx, aq, q, k.page, k.size)
	if err != nil {
		return nil, err
	}
	out := &zhsearch.SearchResult{
		Total: res.Total, TotalCapped: res.Capped, Page: k.page, Size: k.size,
		Hits: make([]zhsearch.Hit, 0, len(res.Hits)),
	}
	if out.TotalCapped {
		// Past what a reader can page the evaluator counts only until it
		// may skip, which depends on how deep the page is: every page of
		// every size says the same lower bound (page 1 said 1092, page 50
		// 2030 of one query).
		out.Total = zhsearch.MaxResultWindow
	}
	hl := newHighlighter(aq) // one for the page: the same query marks every hit
	for i, h := range res.Hits {
		hit := ix.hit(h, hl)
		hit.Relaxed = i >= strict
		out.Relaxed = out.Relaxed || hit.Relaxed
		out.Hits = append(out.Hits, hit)
	}
	ix.results.put(k, version, out)
	return out, nil
}

// rankedPage returns the page of q's hits, relaxed when the strict query
// finds less than a page, and how many of them are strict. A query's
// first hits (one of rerankMinChars characters or more), its first
// depthOf hits and the titles that match it by their character pairs alone
// (pairMatches), are reranked by their titles (rerankTitles) as one
// window, whatever the page asked, and the hits after the window are the
// others in their order: a page reads the window first, and the hits
// before it too when the window holds pair matches (a page past a window
// of the engine's first depthOf hits is read alone, as the engine
// ranks). The window is always read at its own
// size: a page of another size breaks ties (breakTies) over another span,
// and a hit tied across the window's end would then move in or out of it,
// shown twice or never.
func (ix *Index) rankedPage(ctx context.Context, aq *analyzedQuery, q query.Query, page, size int) (*pageResult, int, error) {
	offset := (page - 1) * size
	if !reranks(aq) {
		return ix.relaxedPage(ctx, aq, q, page, size)
	}
	depth := depthOf(aq)
	window, strict, err := ix.relaxedPage(ctx, aq, q, 1, depth)
	if err != nil {
		return nil, 0, err
	}
	rerankTitles(aq, window.Hits, strict)
	if window.pairs == 0 && offset >= depth {
		// The window is the engine's first depthOf hits, as every page
		// past it counts them: read the page alone, not all before it.
		return ix.relaxedPage(ctx, aq, q, page, size)
	}
	out := *window
	hits := window.Hits
	if end := offset + size; end > len(hits) && uint64(len(hits)) < window.Total {
		// The page runs past the window: the hits after it are those of
		// the first end that the window does not hold, in the engine's
		// order (ties by id, as every page past the window reads them),
		// not in the order of a page of end (ties newest first over all
		// of them, which would shift with end).
		all, allStrict, err := ix.relaxedPage(ctx, aq, q, 1, end)
		if err != nil {
			return nil, 0, err
		}
		in := make(map[string]bool, len(hits))
		for _, h := range hits {
			in[h.ID] = true
		}
		strictIDs := make(map[string]bool, allStrict)
		for _, h := range all.Hits[:allStrict] {
			strictIDs[h.ID] = true
		}
		hits = slices.Clone(hits)
		for _, h := range engineOrder(all.Hits) {
			if !in[h.ID] {
				hits = append(hits, h)
				if strictIDs[h.ID] {
					strict++ // the window held only strict hits
				}
			}
		}
		out.Total, out.Capped = all.Total, all.Capped
	}
	lo, hi := min(offset, len(hits)), min(offset+size, len(hits))
	out.Hits = hits[lo:hi]
	if past := len(window.Hits) - lo; past < len(out.Hits) {
		breakTies(out.Hits[max(0, past):]) // as a page of the engine's lists them
	}
	return &out, max(0, min(strict-offset, len(out.Hits))), nil
}

// engineOrder returns hits in the order the engine ranks them, best score
// first and equal scores by id (byID), undoing breakTies.
func engineOrder(hits search.DocumentMatchCollection) search.DocumentMatchCollection {
	out := slices.Clone(hits)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// relaxedPage returns the page of q's hits, relaxed when the strict query
// finds less than a page, and how many of them are strict. The first page
// of a long question whose words match fewer articles than its reranked
// window holds (depthOf), but some, also holds, after them, the titles
// that match it by their pairs alone (pairMatches), as strict hits.
func (ix *Index) relaxedPage(ctx context.Context, aq *analyzedQuery, q query.Query, page, size int) (*pageResult, int, error) {
	res, err := ix.page(ctx, q, (page-1)*size, size)
	if err != nil {
		return nil, 0, err
	}
	var pairs query.Query
	if page == 1 && res.Total > 0 && res.Total < uint64(depthOf(aq)) && aq.chars >= pairMinChars {
		if pairs, err = ix.pairMatches(ctx, aq, q, res); err != nil {
			return nil, 0, err
		}
	}
	if res.Total >= zhsearch.DefaultSearchSize {
		return res, len(res.Hits), nil
	}
	return ix.relax(ctx, aq, q, pairs, res, page, max(size, len(res.Hits)))
}

// pageResult is one page of hits of a query, and how many documents match
// it: a lower bound when capped (see topK).
type pageResult struct {
	Hits   search.DocumentMatchCollection
	Total  uint64
	Capped bool
	pairs  int // of Hits, a long question's pair matches (pairMatches)
}

// page returns the hits from offset to offset+size, by score only: sorting
// by a stored field as well would load that field for every match, which
// doubled the time of broad queries at 100k articles (BENCHMARKS.md). Equal
// scores are taken in order of article id (byID), the same for every page,
// every build and every replica, so pages never repeat or skip a hit;
// within the page breakTies lists them newest first.
// The top-k evaluator answers every query it can compile; bleve the rest.
func (ix *Index) page(ctx context.Context, q query.Query, offset, size int) (*pageResult, error) {
	var res *pageResult
	var err error = errUnsupported{} // bleve answers when the evaluator is off
	if !ix.bleveSearch {
		res, err = ix.topPage(ctx, q, offset, size)
	}
	if errors.As(err, new(errUnsupported)) {
		res, err = ix.blevePage(ctx, q, offset, size)
	}
	if err != nil {
		return nil, err
	}
	breakTies(res.Hits)
	return res, nil
}

// topPage runs q through the top-k evaluator and loads the page's fields.
func (ix *Index) topPage(ctx context.Context, q query.Query, offset, size int) (*pageResult, error) {
	r, err := ix.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	top, err := topK(ctx, r, q, offset+size, exactCount, &ix.postings, inPlaceUntilTwice)
	if err != nil {
		return nil, err
	}
	ix.work.add(top)
	if err := top.byID(r); err != nil {
		return nil, err
	}
	hits, err := loadHits(r, top.hits[min(offset, len(top.hits)):], hitFields)
	if err != nil {
		return nil, err
	}
	return &pageResult{Hits: hits, Total: top.total, Capped: top.capped}, nil
}

// loadHits turns the evaluator's hits into document matches with the
// named stored fields.
func loadHits(r bindex.IndexReader, top []topHit, fields []string) (search.DocumentMatchCollection, error) {
	req := &bleve.SearchRequest{Fields: fields}
	l := newStoredLoader(r)
	hits := make(search.DocumentMatchCollection, 0, len(top))
	for _, t := range top {
		h, err := l.load(t.doc, t.score, req)
		if err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// reader opens a snapshot of the index for reading postings directly; the
// caller closes it.
func (ix *Index) reader() (bindex.IndexReader, error) {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// blevePage runs q as a bleve search.
func (ix *Index) blevePage(ctx context.Context, q query.Query, offset, size int) (*pageResult, error) {
	sr := bleve.NewSearchRequestOptions(q, size, offset, false)
	sr.Fields = hitFields
	sr.SortBy([]string{"-_score", "_id"}) // equal scores by id, as the evaluator (byID)
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	return &pageResult{Hits: res.Hits, Total: res.Total}, nil
}

// breakTies orders hits of equal score newest first, then by id, so equal
// titles list in a stable, useful order.
func breakTies(hits search.DocumentMatchCollection) {
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		ta, tb := storedTime(a.Fields[fPublished]), storedTime(b.Fields[fPublished])
		switch {
		case ta != nil && tb != nil && !ta.Equal(*tb):
			return ta.After(*tb)
		case (ta == nil) != (tb == nil):
			return ta != nil // dated articles before undated ones
		}
		return a.ID < b.ID
	})
}

// searchQuery combines exact and sound matching. Homophones join only when
// the dictionary cannot read the query as words (a one-character piece, as
// in 花/贝/风控) and nothing holds the query as written: 网袋 and 景点 are
// words and never drown in 网贷 and 经典, while 花贝风控 finds 花呗风控.
func (ix *Index) searchQuery(ctx context.Context, aq *analyzedQuery) (query.Query, error) {
	if err := ix.weigh(ctx, aq); err != nil {
		return nil, searchErr(ctx, err)
	}
	ix.checkSlips(aq)
	if err := ix.markWordTypos(aq); err != nil {
		return nil, searchErr(ctx, err)
	}
	aq.bound()
	if err := ix.markTypos(ctx, aq); err != nil {
		return nil, searchErr(ctx, err)
	}
	exact := aq.exactQuery()
	if err := ix.completeSyllable(ctx, aq); err != nil {
		return nil, searchErr(ctx, err)
	}
	if aq.latin && aq.initials != "" {
		words, err := ix.initialsWords(aq.initials)
		if err != nil {
			return nil, err
		}
		aq.initialWords = words
		if aq.apartWords, err = ix.apartInitialsWords(aq.initialsApart); err != nil {
			return nil, err
		}
	}
	sound := aq.soundQuery()
	if sound == nil {
		return exact, nil
	}
	if !aq.latin {
		if !aq.unknown {
			return exact, nil // every piece is a known word: not a typo
		}
		found, err := ix.matchesAny(ctx, exactPhrase(aq))
		if err != nil {
			return nil, err
		}
		if found {
			return exact, nil
		}
	}
	aq.soundUsed = true
	return query.NewDisjunctionQuery([]query.Query{exact, sound}), nil
}

// apartInitialsWords returns the title words each of words stands for as
// initials (apartInitials), or nil when one stands for none: a Latin query
// typed as initials apart (jc hb) then finds the titles that hold a word
// of each. Character by character, as a run of initials is matched, two
// letters apart found any two neighbouring characters with those initials
// in any of their readings (久才 for jc, 还会 for hh): words keep to what
// the reader meant.
func (ix *Index) apartInitialsWords(words []string) ([][]wordCount, error) {
	byWord, err := ix.apartInitials(words)
	if err != nil {
		return nil, err
	}
	var out [][]wordCount
	for _, w := range words {
		if len(byWord[w]) == 0 {
			return nil, nil
		}
		out = append(out, byWord[w])
	}
	return out, nil
}

// maxCompletions bounds the syllables an unfinished one is read as
// (completeSyllable): s may become 35 of them, each a phrase query of the
// syllables before it, and at 100k articles a search for huabeis took
// 25 ms against 3 ms for huabei.
const maxCompletions = 6

// completeSyllable sets aq.completions, for pinyin whose last syllable is
// still being typed (analyzedQuery.unfinished): the syllables that last
// one starts that the most titles hold, at most maxCompletions of them,
// the commonest first.
func (ix *Index) completeSyllable(ctx context.Context, aq *analyzedQuery) error {
	n := len(aq.unfinished)
	if n == 0 {
		return nil
	}
	field := aq.typedPY
	if field == "" {
		field = fTitlePY
	}
	ix.rel.init() // the document frequency cache lives with the related engine's
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	type held struct {
		syllable string
		titles   uint64
	}
	var all []held
	for _, s := range analysis.SyllablesWithPrefix(aq.unfinished[n-1]) {
		c, err := ix.rel.cachedCounts(ctx, r, keySyllable+field+" "+s, s, []string{field})
		if err != nil {
			return err
		}
		if c[0] > 0 {
			all = append(all, held{s, c[0]})
		}
	}
	slices.SortStableFunc(all, func(a, b held) int { return cmp.Compare(b.titles, a.titles) })
	for _, h := range all[:min(len(all), maxCompletions)] {
		aq.completions = append(aq.completions, h.syllable)
	}
	return nil
}

// exactPhrase matches documents holding the whole query as written in the
// title, or all of its bigrams in the body (bodies keep no positions: they
// would double the index for this one check). Where body bigrams are runs
// (bodyRuns) a body holds only the bigrams of its two-character words and
// runs, so for most queries the title decides: a query only a body holds
// may then also be matched by sound, below every exact hit (the judged
// typo figures are the same either way, BENCHMARKS.md).
func exactPhrase(aq *analyzedQuery) query.Query {
	chains := phraseChains(aq.norm)
	if len(chains) == 0 {
		return query.NewMatchNoneQuery()
	}
	var bigrams []query.Query
	for _, c := range chains {
		for _, t := range c {
			bigrams = append(bigrams, aq.bodyBigram(t))
		}
	}
	return query.NewDisjunctionQuery([]query.Query{allPhrases(fTitleBi, chains, 1), query.NewConjunctionQuery(bigrams)})
}

// matchesAny reports whether any document matches q, stopping at the
// first. The evaluator answers it with lists read in place and never
// admitted to the postings cache (bleve's searchers answer when the
// evaluator cannot, as for titleTaken's id exclusions, or is off): the
// check's lists (bodies' bigrams among them, the longest of the index)
// are read by no search, and decoding or keeping them cost more than the
// check and pushed search's own lists out (at 1M articles, a quarter of a
// search's time). Lists the cache holds (the title bigrams the search
// reads next) serve as they are; bleve's searchers looked each term up
// afresh in every segment, an eighth of the time of long queries at 100k.
func (ix *Index) matchesAny(ctx context.Context, q query.Query) (bool, error) {
	r, err := ix.reader()
	if err != nil {
		return false, err
	}
	defer r.Close()
	if !ix.bleveSearch {
		top, err := topK(ctx, r, q, 0, 1, &ix.postings, inPlaceOnly)
		if err == nil {
			return top.total > 0, nil
		}
		if !errors.As(err, new(errUnsupported)) {
			return false, err
		}
	}
	s, err := q.Searcher(ctx, r, ix.bleve.Mapping(), search.SearcherOptions{})
	if err != nil {
		return false, searchErr(ctx, err)
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	m, err := s.Next(sctx)
	if err != nil {
		return false, searchErr(ctx, err)
	}
	return m != nil, nil
}

// searchErr turns a cancelled or timed-out context into a timeout error.
func searchErr(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return zhsearch.Errorf(zhsearch.ETIMEOUT, "search took too long or was cancelled")
	}
	return err
}

func (ix *Index) hit(h *search.DocumentMatch, hl *highlighter) zhsearch.Hit {
	title, _ := h.Fields[fTitle].(string)
	body, _ := h.Fields[fBody].(string)
	if titleOnly, _ := h.Fields[fTitleOnly].(bool); titleOnly {
		body = "" // indexed as its title, see toDoc
	}
	url, _ := h.Fields[fURL].(string)
	titleHL := hl.title(title)
	snippet, bodyHL := hl.snippet(body, snippetRunes)
	return zhsearch.Hit{
		ID: h.ID, Title: title, URL: zhsearch.LinkURL(url), PublishedAt: storedTime(h.Fields[fPublished]),
		Snippet: snippet, Score: h.Score,
		Highlights: zhsearch.Highlights{Title: titleHL, Body: bodyHL},
	}
}

func storedTime(v any) *time.Time {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return &t
}
