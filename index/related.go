package index

import (
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// RelatedOptions tune the related-articles engine. Start from
// DefaultRelatedOptions and change what needs changing.
type RelatedOptions struct {
	// MaxTerms is how many words beyond the title's the source contributes
	// to the query, best tf × idf first.
	MaxTerms int
	// MinMatch is how many distinct words a result must share with the
	// source: one shared word, however weighty, is chance. (A source with
	// fewer words that are not template words needs as many as it has.)
	MinMatch int
	// MinScore is the similarity (0–1) a result needs to be shown as
	// related; when fewer than asked clear it, fallbacks fill the list.
	MinScore float64
	// TitleShare is the share of the similarity that comes from comparing
	// the titles word by word; the rest is the weighted share of the
	// source's words the result holds.
	TitleShare float64
	// TagBoost is added to the similarity in proportion to the share of
	// the source's tags a result carries.
	TagBoost float64
	// ListedBoost raises the similarity of a result that the source's own
	// 相关内容 list names by this fraction, once it clears MinScore on its
	// own: the list is a signal, not the answer.
	ListedBoost float64
	// DupSimilarity compares the DupKeys of two titles; DupThreshold is the
	// similarity from which they are near-duplicates. Of near-duplicate
	// results only the first is shown, and none that is a near-duplicate
	// of the source.
	DupSimilarity TitleSimilarity
	DupThreshold  float64
	// CacheSize is the number of related lists the cache holds; 0 or less
	// turns the cache off.
	CacheSize int

	// commonShare and commonMinDF override the constants of the same
	// names when set (tests force the common-word path on small indexes).
	commonShare float64
	commonMinDF uint64
}

// DefaultRelatedOptions returns the options the engine uses unless told
// otherwise. MinScore, TitleShare, the boosts and DupThreshold were chosen
// on the judged suite in testdata/related, at the middle of ranges where
// precision hardly moves rather than at its peak.
func DefaultRelatedOptions() RelatedOptions {
	return RelatedOptions{
		MaxTerms: 16, MinMatch: 2, MinScore: 0.3, TitleShare: 0.5,
		TagBoost: 0.2, ListedBoost: 0.2,
		DupSimilarity: BigramJaccard, DupThreshold: 0.6,
		CacheSize: 10000,
	}
}

func (o RelatedOptions) validate() error {
	switch {
	case o.MaxTerms < 1 || o.MaxTerms > maxQueryTerms-maxTitleTerms:
		return fmt.Errorf("related: MaxTerms must be 1-%d", maxQueryTerms-maxTitleTerms)
	case o.MinMatch < 1:
		return errors.New("related: MinMatch must be at least 1")
	case o.MinScore < 0 || o.MinScore > 1:
		return errors.New("related: MinScore must be within 0-1")
	case o.TitleShare < 0 || o.TitleShare > 1:
		return errors.New("related: TitleShare must be within 0-1")
	case o.ListedBoost < 0 || o.TagBoost < 0:
		return errors.New("related: boosts must not be negative")
	case o.DupSimilarity == nil:
		return errors.New("related: DupSimilarity is required")
	case o.DupThreshold <= 0 || o.DupThreshold > 1:
		return errors.New("related: DupThreshold must be within (0, 1]")
	}
	return nil
}

// Limits of the query.
const (
	maxTitleTerms = 12 // words of the source's title
	maxQueryTerms = 64 // all words: a result's matches fit a uint64 mask
	// bodyMatch is what a word that a result holds in its body only counts
	// for, at most, against 1 for a word in its title.
	bodyMatch = 0.6
	// poolFactor × size best-scored results (at least poolMin) are read and
	// ranked in full, their titles compared word by word; the rest never
	// could make the list.
	poolFactor = 4
	poolMin    = 48
	// Words more than commonShare of all articles (and more than
	// commonMinDF) hold are not read through but looked up for the
	// commonFactor × pool best candidates: in a large index their postings
	// cost more than all the rest, for words that say little. The minRead
	// rarest words that count towards MinMatch are always read.
	commonShare  = 0.2
	commonMinDF  = 10000
	commonFactor = 4
	minRead      = 3
	// partialMatch is what a title word counts for when it only sits inside
	// a word of the other title, or holds one (京东 and 京东e卡).
	partialMatch = 0.5
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
	flight  singleflight.Group
	scratch sync.Pool // of *scratch

	hits, misses atomic.Uint64
}

// versionState is what is valid for one version of the index only: cached
// lists and document frequencies.
type versionState struct {
	version uint64
	cache   *lru.Cache[relatedKey, *zhsearch.RelatedResult] // nil: caching off
	dfs     dfCache
}

type relatedKey struct {
	id   string
	size int
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
// written): cached related lists and document frequencies are dropped. The
// writer calls it after the write is visible to readers, so no list
// computed before the change outlives it. A new generation is a new Index
// and starts with an empty cache anyway.
func (ix *Index) Invalidate() { ix.rel.bump() }

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

// Related returns the articles most worth reading after a stored article or
// an unsaved draft. See relatedList for how they are chosen. Lists of stored
// articles are cached per index version; drafts are not cached: each draft
// differs from the last (an editor is typing), so caching them would only
// push out the stored articles' lists.
func (ix *Index) Related(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	e := &ix.rel
	e.init()
	if req.Draft != nil {
		return ix.relatedList(ctx, req.Draft, req.Size)
	}
	st := e.state.Load()
	key := relatedKey{req.ID, req.Size}
	if st.cache != nil {
		if res, ok := st.cache.Get(key); ok {
			e.hits.Add(1)
			return copyResult(res), nil
		}
	}
	e.misses.Add(1)
	// Concurrent misses on one list compute it once, to the end even when
	// the caller that started it goes away: the others still wait for it.
	shared := context.WithoutCancel(ctx)
	ch := e.flight.DoChan(fmt.Sprintf("%d/%d/%s", st.version, req.Size, req.ID), func() (any, error) {
		src, err := ix.Article(shared, req.ID)
		if err != nil {
			return nil, err
		}
		res, err := ix.relatedList(shared, src, req.Size)
		if err != nil {
			return nil, err
		}
		if st.cache != nil {
			st.cache.Add(key, res)
		}
		return res, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return copyResult(r.Val.(*zhsearch.RelatedResult)), nil
	case <-ctx.Done():
		return nil, searchErr(ctx, ctx.Err())
	}
}

func copyResult(r *zhsearch.RelatedResult) *zhsearch.RelatedResult {
	out := *r
	out.Related = make([]zhsearch.RelatedItem, len(r.Related))
	for i, it := range r.Related {
		it.Reasons = append([]string(nil), it.Reasons...)
		out.Related[i] = it
	}
	return &out
}

// corpusStats returns the generation's statistics, computing them once.
func (ix *Index) corpusStats(r bindex.IndexReader) (*corpusStats, error) {
	e := &ix.rel
	e.statsOnce.Do(func() { e.stats, e.statsErr = computeCorpusStats(r, ix.seg) })
	return e.stats, e.statsErr
}

// matches records which query terms an article holds, and where.
type matches struct {
	title     uint64 // mask of query terms in its title, subwords of matches left out
	titleRaw  uint64 // mask of query terms in its title
	body      uint64 // mask of query terms in its body only
	bodyScore float64
	titleLen  float64 // words in its title (from the field norm)
	seen      bool
}

// scored is one article that shares words with the source.
type scored struct {
	num uint64 // internal document number
	matches
	cover float64 // weighted share of the query it holds
	score float64
	doc   relatedDoc
}

// relatedDoc is the stored part of a result.
type relatedDoc struct {
	id, title, url, category string
	published                any
	tags                     []string
	key                      string // DupKey of the title
}

// relatedList chooses the related list of src (a stored article when src.ID
// is set, else a draft):
//
//  1. The source's words are weighed by tf × idf (frequencies from this
//     index), title above tags above body, template words down and head
//     words up (see computeCorpusStats); the title's words and the best
//     MaxTerms others make the query.
//  2. Every article holding a query word in its title or body is scored:
//     the weighted share of the query it covers (title matches count fully,
//     body-only matches less) mixed with how alike the two titles are
//     (TitleShare). Sharing fewer than MinMatch distinct words, or scoring
//     below MinScore, is not enough. The source's own 相关内容 list and
//     shared tags raise a score; the source itself never appears.
//  3. Near-duplicate titles show once, and near-duplicates of the source not
//     at all.
//  4. When fewer than size results are similar enough, articles with the
//     same tags, then the same category, then the titles of the source's own
//     相关内容 list fill the list, with Reason "fallback". A source that
//     shares nothing with anything gets an empty list.
func (ix *Index) relatedList(ctx context.Context, src *zhsearch.Article, size int) (*zhsearch.RelatedResult, error) {
	opts := ix.rel.options()
	out := &zhsearch.RelatedResult{ID: src.ID, Related: []zhsearch.RelatedItem{}}
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	gs, err := ix.corpusStats(r)
	if err != nil {
		return nil, err
	}
	stats := *gs
	if stats.docs, err = r.DocCount(); err != nil {
		return nil, err
	}
	var self uint64
	if src.ID != "" {
		self = 1
	}
	words := sourceWords(ix.seg, src)
	terms, err := ix.rel.selectTerms(ctx, r, &stats, words, self, opts.MaxTerms)
	if err != nil {
		return nil, err
	}
	l := &listBuilder{
		ix: ix, opts: opts, src: src, size: size, out: out,
		seen:   map[string]bool{src.ID: true},
		listed: map[string]bool{},
	}
	if src.ID != "" {
		l.srcKey = DupKey(ix.seg, src.Title)
	}
	for _, t := range src.Related {
		l.listed[analysis.Normalize(t)] = true
	}
	srcTitle, err := ix.titleWords(ctx, r, &stats, src.Title)
	if err != nil {
		return nil, err
	}
	pool, q, err := ix.scoreArticles(ctx, r, &stats, src.ID, terms, sourceConcepts(&stats, words), srcTitle, opts, size)
	if err != nil {
		return nil, err
	}
	l.addSimilar(q.terms, pool)
	if err := l.fallback(ctx, pool); err != nil {
		return nil, err
	}
	return out, nil
}

// scoreArticles scores every article that holds a query term in its title
// or body, reading the terms' postings directly, and returns the best
// poolFactor × size of those that share enough distinct words (MinMatch),
// best first, with their stored fields.
//
// A result must share min(MinMatch, concepts) distinct words, concepts being
// the number of distinct words of the source that are not template words:
// a source that is one subject word and a template (应急贷是什么意思) needs
// one, any other two.
func (ix *Index) scoreArticles(ctx context.Context, r bindex.IndexReader, st *corpusStats, selfID string,
	terms []srcTerm, concepts int, srcTitle []titleWord, opts RelatedOptions, size int) ([]*scored, *termSet, error) {
	q := newTermSet(terms)
	if q.shareable == 0 {
		return nil, q, nil // only template words: nothing to relate by
	}
	need := min(opts.MinMatch, concepts)
	poolSize := max(poolMin, poolFactor*size)
	// Matches are gathered in a slice indexed by document number, reused
	// from request to request.
	sc := ix.rel.scratch.Get().(*scratch)
	defer ix.rel.scratch.Put(sc.reset())
	p := postingsReader{ctx: ctx, r: r}
	share, minDF := commonShare, uint64(commonMinDF)
	if opts.commonShare > 0 {
		share, minDF = opts.commonShare, opts.commonMinDF
	}
	common := q.common(st.docs, share, minDF)
	for _, i := range q.order {
		if common&(1<<i) != 0 {
			continue
		}
		t, bit, inside := q.terms[i], uint64(1)<<i, q.inside[i]
		err := p.each(t.text, fTitle, func(d *bindex.TermFieldDoc) {
			m := sc.at(d.ID.Value())
			if d.Norm > 0 {
				m.titleLen = 1 / (d.Norm * d.Norm)
			}
			m.titleMatch(bit, inside)
		})
		if err != nil {
			return nil, nil, err
		}
		// Titles whose words gse cut otherwise (应急贷款 → 应急/贷款 holds
		// 应急贷's characters, not its word) hold the word's bigrams; looked
		// for with the words of the source's title, which decide most.
		if t.inTitle {
			chain, err := p.bigramChain(t.text, fTitleBi, sc)
			if err != nil {
				return nil, nil, err
			}
			for _, num := range chain {
				if m := sc.at(num); m.titleRaw&bit == 0 {
					m.titleMatch(bit, inside)
				}
			}
		}
		err = p.each(t.text, fBody, func(d *bindex.TermFieldDoc) {
			sc.at(d.ID.Value()).bodyMatch(bit, inside, t.weight, d.Freq)
		})
		if err != nil {
			return nil, nil, err
		}
	}
	var pool []*scored
	if common == 0 {
		pool = sc.best(poolSize, func(m *matches) (float64, bool) {
			if q.matched(m) < need {
				return 0, false
			}
			return q.coarse(m, opts), true
		})
	} else {
		// Words most articles hold are looked up for the best candidates
		// only: reading their postings would cost more than all the rest.
		cands := sc.best(commonFactor*poolSize, func(m *matches) (float64, bool) {
			return q.coarse(m, opts), true
		})
		sort.Slice(cands, func(i, j int) bool { return cands[i].num < cands[j].num })
		for _, i := range q.order {
			if common&(1<<i) == 0 {
				continue
			}
			t, bit, inside := q.terms[i], uint64(1)<<i, q.inside[i]
			err := p.lookup(t.text, fTitle, cands, func(s *scored, d *bindex.TermFieldDoc) {
				if d.Norm > 0 {
					s.titleLen = 1 / (d.Norm * d.Norm)
				}
				s.titleMatch(bit, inside)
			})
			if err != nil {
				return nil, nil, err
			}
			if t.inTitle {
				chain, err := p.lookupChain(t.text, fTitleBi, cands)
				if err != nil {
					return nil, nil, err
				}
				for _, s := range chain {
					if s.titleRaw&bit == 0 {
						s.titleMatch(bit, inside)
					}
				}
			}
			err = p.lookup(t.text, fBody, cands, func(s *scored, d *bindex.TermFieldDoc) {
				s.bodyMatch(bit, inside, t.weight, d.Freq)
			})
			if err != nil {
				return nil, nil, err
			}
		}
		for _, s := range cands {
			if q.matched(&s.matches) >= need {
				s.score = q.coarse(&s.matches, opts)
				pool = append(pool, s)
			}
		}
		sortByScore(pool)
		if len(pool) > poolSize {
			pool = pool[:poolSize]
		}
	}
	for _, s := range pool {
		s.cover = q.cover(&s.matches)
	}
	if err := ix.loadDocs(ctx, r, pool); err != nil {
		return nil, nil, err
	}
	// The source is excluded here, not in the postings: its own document
	// holds every query word. The titles are now compared word by word.
	out := pool[:0]
	for _, s := range pool {
		if s.doc.id == "" || s.doc.id == selfID {
			continue
		}
		words, err := ix.titleWords(ctx, r, st, s.doc.title)
		if err != nil {
			return nil, nil, err
		}
		s.score = (1-opts.TitleShare)*s.cover + opts.TitleShare*titleSimilarity(srcTitle, words)
		out = append(out, s)
	}
	sortScored(out)
	return out, q, nil
}

// titleWord is a word of a title with its weight: idf × position factor.
type titleWord struct {
	text   string
	weight float64
}

// titleWords cuts a title into its words (not subwords), stop words and
// single characters left out, each weighed by idf and position factor.
func (ix *Index) titleWords(ctx context.Context, r bindex.IndexReader, st *corpusStats, title string) ([]titleWord, error) {
	var out []titleWord
	for _, w := range ix.seg.Cut(analysis.Normalize(title), false) {
		if utf8.RuneCountInString(w.Text) < 2 || stopWord(ix.seg, w.Text) {
			continue
		}
		df, err := ix.rel.docFreq(ctx, r, w.Text)
		if err != nil {
			return nil, err
		}
		out = append(out, titleWord{w.Text, idf(df, st.docs) * positionFactor(st, w.Text, "")})
	}
	return out, nil
}

// titleSimilarity is the weighted Dice coefficient of two titles' words: the
// weight of the words each title shares with the other over the weight of
// all. A word that only sits inside a word of the other title, or holds one,
// is shared for partialMatch.
func titleSimilarity(a, b []titleWord) float64 {
	var num, den float64
	side := func(x, y []titleWord) {
		for _, w := range x {
			den += w.weight
			best := 0.0
			for _, v := range y {
				switch {
				case w.text == v.text:
					best = 1
				case strings.Contains(v.text, w.text) || strings.Contains(w.text, v.text):
					best = max(best, partialMatch)
				}
			}
			num += best * w.weight
		}
	}
	side(a, b)
	side(b, a)
	if den == 0 {
		return 0
	}
	return num / den
}

// titleMatch records that the article's title holds term bit, unless a
// word holding that term matched there already (inside).
func (s *matches) titleMatch(bit, inside uint64) {
	s.titleRaw |= bit
	if s.title&inside == 0 {
		s.title |= bit
	}
}

// bodyMatch records that the article's body holds term bit freq times,
// unless its title holds it or a word holding it matched already.
func (s *matches) bodyMatch(bit, inside uint64, weight float64, freq uint64) {
	if (s.title|s.body)&(bit|inside) == 0 {
		s.body |= bit
		f := float64(freq)
		s.bodyScore += weight * bodyMatch * f / (f + 1)
	}
}

// matched counts the distinct words that count towards MinMatch an
// article holds.
func (q *termSet) matched(m *matches) int {
	return bits.OnesCount64((m.title | m.body) & q.concepts)
}

// cover is the weighted share of the query an article holds: words in its
// title fully, words in its body only in part.
func (q *termSet) cover(m *matches) float64 {
	return min(1, (q.sum(m.title, ^uint64(0))+m.bodyScore)/q.total)
}

// sum is the weight of the terms in both masks.
func (q *termSet) sum(mask, of uint64) float64 {
	var w float64
	for b := mask & of; b != 0; b &= b - 1 {
		w += q.terms[bits.TrailingZeros64(b)].weight
	}
	return w
}

// coarse scores an article from its matches alone: its cover mixed with an
// estimate of the title similarity from the masks, good enough to pick the
// pool whose titles are then compared word by word.
func (q *termSet) coarse(m *matches, opts RelatedOptions) float64 {
	var titleSim float64
	if q.titleTotal > 0 && m.titleLen > 0 {
		titleW := q.sum(m.title, q.inTitle)
		raw := float64(bits.OnesCount64(m.titleRaw))
		titleSim = math.Sqrt(min(1, titleW/q.titleTotal) * min(1, raw/m.titleLen))
	}
	return (1-opts.TitleShare)*q.cover(m) + opts.TitleShare*titleSim
}

// scratch holds the matches of one list, indexed by document number, and
// the numbers touched; it is reused from list to list.
type scratch struct {
	m       []matches
	touched []uint64
	counts  []uint8 // bigrams of a chain held, see bigramChain
}

// count moves document n's chain count from i to i+1; a count other than
// i stays.
func (sc *scratch) count(n uint64, i uint8) {
	if n >= uint64(len(sc.counts)) {
		sc.counts = append(sc.counts, make([]uint8, int(n)+1-len(sc.counts)+len(sc.counts)/2)...)
	}
	if sc.counts[n] == i {
		sc.counts[n] = i + 1
	}
}

// at returns the matches of document num.
func (sc *scratch) at(num uint64) *matches {
	if num >= uint64(len(sc.m)) {
		sc.m = append(sc.m, make([]matches, int(num)+1-len(sc.m)+len(sc.m)/2)...)
	}
	m := &sc.m[num]
	if !m.seen {
		m.seen = true
		sc.touched = append(sc.touched, num)
	}
	return m
}

// reset clears what the last list touched.
func (sc *scratch) reset() *scratch {
	for _, n := range sc.touched {
		sc.m[n] = matches{}
	}
	sc.touched = sc.touched[:0]
	return sc
}

// best returns the k touched documents that score highest, best first (by
// document number among equals); score reports false for a document that
// does not qualify.
func (sc *scratch) best(k int, score func(m *matches) (float64, bool)) []*scored {
	h := make(scoredHeap, 0, k)
	for _, n := range sc.touched {
		m := &sc.m[n]
		v, ok := score(m)
		if !ok {
			continue
		}
		if len(h) == k {
			if v < h[0].score || v == h[0].score && n > h[0].num {
				continue
			}
			h[0] = &scored{num: n, matches: *m, score: v}
			heap.Fix(&h, 0)
			continue
		}
		heap.Push(&h, &scored{num: n, matches: *m, score: v})
	}
	out := []*scored(h)
	sortByScore(out)
	return out
}

// scoredHeap is a min-heap of articles by score: the worst on top.
type scoredHeap []*scored

func (h scoredHeap) Len() int { return len(h) }
func (h scoredHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].num > h[j].num
}
func (h scoredHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)   { *h = append(*h, x.(*scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// common returns the mask of the terms more than share of the n articles
// (and more than minDF) hold, except the rarest minRead concepts, which are
// always read.
func (q *termSet) common(n uint64, share float64, minDF uint64) uint64 {
	var mask uint64
	byDF := make([]int, len(q.terms))
	for i := range byDF {
		byDF[i] = i
	}
	sort.SliceStable(byDF, func(a, b int) bool { return q.terms[byDF[a]].df < q.terms[byDF[b]].df })
	read := 0
	for _, i := range byDF {
		if q.concepts&(1<<i) != 0 && read < minRead {
			read++
			continue
		}
		if df := q.terms[i].df; df > minDF && float64(df) > share*float64(n) {
			mask |= 1 << i
		}
	}
	// A word inside a common word is looked up with it, after it, so that
	// a match of both counts once.
	for i := range q.terms {
		if q.inside[i]&mask != 0 {
			mask |= 1 << i
		}
	}
	return mask
}

// postingsReader reads the postings of terms in one index snapshot.
type postingsReader struct {
	ctx context.Context
	r   bindex.IndexReader
	tfd bindex.TermFieldDoc
}

// each calls fn with every document whose field holds term, with its
// frequency (title and body) and norm (title).
func (p *postingsReader) each(term, field string, fn func(d *bindex.TermFieldDoc)) error {
	if err := p.ctx.Err(); err != nil {
		return searchErr(p.ctx, err)
	}
	// Only a title's norm is used (its length); bigram chains need neither
	// frequency nor norm.
	freq, norm := field == fTitle || field == fBody, field == fTitle
	tfr, err := p.r.TermFieldReader(p.ctx, []byte(term), field, freq, norm, false)
	if err != nil {
		return err
	}
	for {
		d, err := tfr.Next(p.tfd.Reset())
		if err != nil {
			tfr.Close()
			return err
		}
		if d == nil {
			break
		}
		fn(d)
	}
	return tfr.Close()
}

// lookup calls fn with each of cands (sorted by document number) whose
// field holds term, skipping through the postings.
func (p *postingsReader) lookup(term, field string, cands []*scored, fn func(s *scored, d *bindex.TermFieldDoc)) error {
	if err := p.ctx.Err(); err != nil {
		return searchErr(p.ctx, err)
	}
	// Only a title's norm is used (its length); bigram chains need neither
	// frequency nor norm.
	freq, norm := field == fTitle || field == fBody, field == fTitle
	tfr, err := p.r.TermFieldReader(p.ctx, []byte(term), field, freq, norm, false)
	if err != nil {
		return err
	}
	id := make([]byte, 8)
	for _, s := range cands {
		binary.BigEndian.PutUint64(id, s.num)
		d, err := tfr.Advance(id, p.tfd.Reset())
		if err != nil {
			tfr.Close()
			return err
		}
		if d == nil {
			break
		}
		if d.ID.Value() == s.num {
			fn(s, d)
		}
	}
	return tfr.Close()
}

// bigrams returns the distinct bigram-field terms of word that have two
// units (a Latin run is one unit).
func bigrams(word string) []string {
	var grams []string
	seen := map[string]bool{}
	for _, tok := range (&analysis.GramTokenizer{N: 2}).Tokenize([]byte(word)) {
		if g := string(tok.Term); utf8.RuneCountInString(g) >= 2 && !seen[g] {
			seen[g] = true
			grams = append(grams, g)
		}
	}
	return grams
}

// lookupChain returns those of cands (sorted by document number) whose
// bigram field holds every bigram of word.
func (p *postingsReader) lookupChain(word, field string, cands []*scored) ([]*scored, error) {
	grams := bigrams(word)
	if len(grams) == 0 {
		return nil, nil
	}
	count := map[*scored]int{}
	for i, g := range grams {
		err := p.lookup(g, field, cands, func(s *scored, _ *bindex.TermFieldDoc) {
			if count[s] == i {
				count[s] = i + 1
			}
		})
		if err != nil {
			return nil, err
		}
	}
	var out []*scored
	for _, s := range cands {
		if count[s] == len(grams) {
			out = append(out, s)
		}
	}
	return out, nil
}

// bigramChain returns the documents whose bigram field holds every bigram
// of word (of two or more characters; a Latin run is one unit), counting
// in sc.
func (p *postingsReader) bigramChain(word, field string, sc *scratch) ([]uint64, error) {
	grams := bigrams(word)
	if len(grams) == 0 {
		return nil, nil
	}
	// Documents holding the first i bigrams have count i: only they
	// advance, so the count of the last bigram is the chain.
	var first []uint64
	for i, g := range grams {
		err := p.each(g, field, func(d *bindex.TermFieldDoc) {
			n := d.ID.Value()
			if i == 0 {
				first = append(first, n)
				sc.count(n, 0)
			} else {
				sc.count(n, uint8(i))
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out := first[:0]
	for _, n := range first {
		if sc.counts[n] == uint8(len(grams)) {
			out = append(out, n)
		}
		sc.counts[n] = 0
	}
	return out, nil
}

// sortByScore orders articles by coarse score, by document number among
// equals.
func sortByScore(ss []*scored) {
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].score != ss[j].score {
			return ss[i].score > ss[j].score
		}
		return ss[i].num < ss[j].num
	})
}

// sortScored orders results best first, by id among equals: document
// numbers depend on the order in which a build's workers finished.
func sortScored(ss []*scored) {
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].score != ss[j].score {
			return ss[i].score > ss[j].score
		}
		return ss[i].doc.id < ss[j].doc.id
	})
}

// termSet is the query: the source's terms other articles hold, with what
// scoring needs to know about them.
type termSet struct {
	terms []srcTerm
	// inside[i] is the mask of the terms that hold term i (提前还款 holds
	// 还款): a match of i where one of those matched is the same match.
	inside []uint64
	// order visits longer terms first, so a word's match is known before
	// its subwords are read.
	order []int
	// concepts is the mask of the terms that count towards MinMatch: not
	// template words (a subword counts only where the word holding it did
	// not match, see scoreArticles). shareable is the number of those not
	// inside another term.
	concepts  uint64
	shareable int
	inTitle   uint64 // mask of the terms in the source's title
	// total is the weight of all terms not inside another, title words no
	// other article holds included; titleTotal that of the title's.
	total, titleTotal float64
}

func newTermSet(all []srcTerm) *termSet {
	q := &termSet{}
	for _, t := range all {
		if !t.absent && len(q.terms) < maxQueryTerms {
			q.terms = append(q.terms, t)
		}
	}
	q.inside = make([]uint64, len(q.terms))
	for i, t := range q.terms {
		for j, u := range q.terms {
			if i != j && len(u.text) > len(t.text) && strings.Contains(u.text, t.text) {
				q.inside[i] |= 1 << j
			}
		}
		if !t.template {
			q.concepts |= 1 << i
		}
		if t.inTitle {
			q.inTitle |= 1 << i
		}
		if q.inside[i] == 0 && !t.template {
			q.shareable++
		}
		q.order = append(q.order, i)
	}
	for _, t := range all {
		if insideAny(t.text, all) {
			continue
		}
		if t.inTitle {
			q.titleTotal += t.weight
		}
		if t.inTitle || !t.absent {
			q.total += t.weight
		}
	}
	sort.SliceStable(q.order, func(a, b int) bool { return len(q.terms[q.order[a]].text) > len(q.terms[q.order[b]].text) })
	return q
}

// insideAny reports whether another of terms holds word.
func insideAny(word string, terms []srcTerm) bool {
	for _, u := range terms {
		if len(u.text) > len(word) && strings.Contains(u.text, word) {
			return true
		}
	}
	return false
}

var relatedFields = []string{fTitle, fURL, fPublished, fTags, fCategory}

// loadDocs reads the stored fields of the pool's documents.
func (ix *Index) loadDocs(ctx context.Context, r bindex.IndexReader, pool []*scored) error {
	if len(pool) == 0 {
		return nil
	}
	byID := make(map[string]*scored, len(pool))
	ids := make([]string, 0, len(pool))
	for _, s := range pool {
		id, err := r.ExternalID(bindex.IndexInternalID(numBytes(s.num)))
		if err != nil {
			return err
		}
		byID[id] = s
		ids = append(ids, id)
	}
	hits, err := ix.fetch(ctx, query.NewDocIDQuery(ids), len(ids), []string{"_id"})
	if err != nil {
		return err
	}
	for _, h := range hits {
		if s := byID[h.ID]; s != nil {
			s.doc = ix.relatedDocOf(h)
		}
	}
	return nil
}

func numBytes(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// fetch runs q and returns up to size hits with the fields a related item
// needs, ordered by sortBy (nil: by score, then newest, then id).
func (ix *Index) fetch(ctx context.Context, q query.Query, size int, sortBy []string) ([]*search.DocumentMatch, error) {
	sr := bleve.NewSearchRequestOptions(q, size, 0, false)
	sr.Fields = relatedFields
	if sortBy == nil {
		sortBy = []string{"-_score", "-" + fPublished, "_id"}
	}
	sr.SortBy(sortBy)
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	return res.Hits, nil
}

func (ix *Index) relatedDocOf(h *search.DocumentMatch) relatedDoc {
	d := relatedDoc{id: h.ID, published: h.Fields[fPublished], tags: storedStrings(h.Fields[fTags])}
	d.title, _ = h.Fields[fTitle].(string)
	d.url, _ = h.Fields[fURL].(string)
	d.category, _ = h.Fields[fCategory].(string)
	d.key = DupKey(ix.seg, d.title)
	return d
}

// listBuilder assembles one related list.
type listBuilder struct {
	ix     *Index
	opts   RelatedOptions
	src    *zhsearch.Article
	srcKey string // DupKey of a stored source's title; "" for a draft
	size   int
	out    *zhsearch.RelatedResult
	seen   map[string]bool // ids shown or excluded
	keys   []string        // DupKeys of the titles shown
	listed map[string]bool // normalized titles of the source's 相关内容
}

// admit reports whether d may join the list: not shown yet, not the
// source, not a near-duplicate of the source or of a result shown.
func (l *listBuilder) admit(d *relatedDoc) bool {
	if d.id == "" || l.seen[d.id] {
		return false
	}
	l.seen[d.id] = true
	if l.srcKey != "" && l.opts.DupSimilarity(l.srcKey, d.key) >= l.opts.DupThreshold {
		return false
	}
	for _, k := range l.keys {
		if l.opts.DupSimilarity(k, d.key) >= l.opts.DupThreshold {
			return false
		}
	}
	l.keys = append(l.keys, d.key)
	return true
}

func (l *listBuilder) full() bool { return len(l.out.Related) >= l.size }

func (l *listBuilder) add(d *relatedDoc, score float64, reason string, reasons []string) {
	l.out.Related = append(l.out.Related, zhsearch.RelatedItem{
		ID: d.id, Title: d.title, URL: d.url, PublishedAt: storedTime(d.published),
		Score: score, Reason: reason, Reasons: reasons,
	})
}

// addSimilar adds the pool's results that clear MinScore, after the
// 相关内容 and tag boosts, best first.
func (l *listBuilder) addSimilar(terms []srcTerm, pool []*scored) {
	srcTags := normalizedSet(l.src.Tags)
	for _, s := range pool {
		if len(srcTags) > 0 {
			s.score += l.opts.TagBoost * float64(len(sharedTags(srcTags, s.doc.tags))) / float64(len(srcTags))
		}
		if l.listed[analysis.Normalize(s.doc.title)] && s.score >= l.opts.MinScore {
			s.score *= 1 + l.opts.ListedBoost
		}
	}
	similar := make([]*scored, 0, len(pool))
	for _, s := range pool {
		if s.score >= l.opts.MinScore {
			similar = append(similar, s)
		}
	}
	sortScored(similar)
	for _, s := range similar {
		if l.full() {
			break
		}
		if l.admit(&s.doc) {
			l.add(&s.doc, round3(s.score), "", reasons(terms, s))
		}
	}
}

// reasons are the shared words, those in the result's title first, heavier
// first.
func reasons(terms []srcTerm, s *scored) []string {
	var out []string
	for _, pass := range []uint64{s.title, s.body} {
		for i, t := range terms { // terms are sorted by weight
			if pass&(1<<i) != 0 && len(out) < 5 {
				out = append(out, t.text)
			}
		}
	}
	return out
}

// fallback fills the list from the same tags, the same category, then the
// source's 相关内容 titles.
func (l *listBuilder) fallback(ctx context.Context, pool []*scored) error {
	if l.full() {
		return nil
	}
	n := l.size*2 + len(l.seen)
	// Within each kind of fallback, articles that share words with the
	// source, though not enough to be similar, come first.
	score := make(map[string]float64, len(pool))
	for _, s := range pool {
		score[s.doc.id] = s.score
	}
	if tags := uniqueTags(l.src.Tags); len(tags) > 0 {
		qs := make([]query.Query, len(tags))
		for i, t := range tags {
			tq := query.NewTermQuery(t)
			tq.SetField(fTags)
			qs[i] = tq
		}
		hits, err := l.ix.fetch(ctx, query.NewDisjunctionQuery(qs), n, []string{"-_score", "_id"})
		if err != nil {
			return err
		}
		srcTags := normalizedSet(l.src.Tags)
		type cand struct {
			doc    relatedDoc
			shared []string
		}
		var cands []cand
		for _, s := range pool {
			if sh := sharedTags(srcTags, s.doc.tags); len(sh) > 0 {
				cands = append(cands, cand{s.doc, sh})
			}
		}
		for _, h := range hits {
			d := l.ix.relatedDocOf(h)
			cands = append(cands, cand{d, sharedTags(srcTags, d.tags)})
		}
		// More shared tags first, then a higher score.
		sort.SliceStable(cands, func(i, j int) bool {
			if a, b := len(cands[i].shared), len(cands[j].shared); a != b {
				return a > b
			}
			return score[cands[i].doc.id] > score[cands[j].doc.id]
		})
		for _, c := range cands {
			if l.full() {
				return nil
			}
			if l.admit(&c.doc) {
				l.add(&c.doc, 0, zhsearch.ReasonFallback, c.shared)
			}
		}
	}
	if c := strings.TrimSpace(l.src.Category); c != "" && !l.full() {
		for _, s := range pool {
			if l.full() {
				return nil
			}
			if analysis.Normalize(s.doc.category) == analysis.Normalize(c) && l.admit(&s.doc) {
				l.add(&s.doc, 0, zhsearch.ReasonFallback, []string{c})
			}
		}
		tq := query.NewTermQuery(c)
		tq.SetField(fCategory)
		hits, err := l.ix.fetch(ctx, tq, n, []string{"-" + fPublished, "_id"})
		if err != nil {
			return err
		}
		for _, h := range hits {
			if l.full() {
				return nil
			}
			d := l.ix.relatedDocOf(h)
			if l.admit(&d) {
				l.add(&d, 0, zhsearch.ReasonFallback, []string{c})
			}
		}
	}
	if len(l.src.Related) > 0 && !l.full() {
		order := map[string]int{}
		var qs []query.Query
		for i, t := range l.src.Related {
			k := analysis.Normalize(t)
			if _, dup := order[k]; dup || k == "" {
				continue
			}
			order[k] = i
			tq := query.NewTermQuery(k)
			tq.SetField(fTitleKey)
			qs = append(qs, tq)
		}
		hits, err := l.ix.fetch(ctx, query.NewDisjunctionQuery(qs), len(qs)+len(l.seen), nil)
		if err != nil {
			return err
		}
		sort.SliceStable(hits, func(i, j int) bool {
			return order[analysis.Normalize(storedTitle(hits[i]))] < order[analysis.Normalize(storedTitle(hits[j]))]
		})
		for _, h := range hits {
			if l.full() {
				return nil
			}
			d := l.ix.relatedDocOf(h)
			if l.admit(&d) {
				l.add(&d, 0, zhsearch.ReasonFallback, nil)
			}
		}
	}
	return nil
}

func storedTitle(h *search.DocumentMatch) string {
	t, _ := h.Fields[fTitle].(string)
	return t
}

// uniqueTags returns the tags as written and normalized, once each: the
// tags field is a keyword field, matched exactly.
func uniqueTags(tags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		for _, v := range []string{strings.TrimSpace(t), analysis.Normalize(t)} {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

func normalizedSet(tags []string) map[string]bool {
	m := map[string]bool{}
	for _, t := range tags {
		if n := analysis.Normalize(t); n != "" {
			m[n] = true
		}
	}
	return m
}

// sharedTags returns the tags of tags whose normalized form is in src.
func sharedTags(src map[string]bool, tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		n := analysis.Normalize(t)
		if src[n] && !seen[n] {
			seen[n] = true
			out = append(out, t)
		}
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
