package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

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
	// WeakFactor (0–1) scales the score of a weaker match: an article that
	// shares a word with the source but fewer than MinMatch, or scores
	// below MinScore. It is shown with ReasonWeak, ordered by its lowered
	// score among the others.
	WeakFactor float64
	// CurationBoost is added to the score of an article in proportion to
	// the evidence (at most 1) the site's 相关内容 lists give that it belongs
	// with the source: pages listing the source, and titles listed beside
	// it, weighed by how focused each list is (see curation).
	CurationBoost float64
	// LeadBoost raises the weight of the first word of the source's title
	// (and the words inside it) by this fraction: a title names its
	// subject first.
	LeadBoost float64
	// ExpandWeight is the weight (against 1 for a body word) of the words
	// added to a short source's query from the titles of its best matches;
	// 0 adds none. See expansion.
	ExpandWeight float64
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
	// poolSize overrides the pool's size when set, and lazyOff reads every
	// body through (tests compare the lazy bodies of scoreArticles with
	// reading them all on a small index).
	poolSize int
	lazyOff  bool
}

// DefaultRelatedOptions returns the options the engine uses unless told
// otherwise. MinScore, TitleShare, WeakFactor, ExpandWeight, the boosts and
// DupThreshold were chosen on the tuning half of the judged suite in
// testdata/related (TestRelatedTuning), at the middle of ranges where
// precision hardly moves rather than at its peak; the held-out half and
// testdata/related2 only report. CurationBoost moves nothing there (the
// suite's lists are the seed page's catch-all list and short lists of
// three); 0.2 matches ListedBoost, and TestRelatedCuration holds its effect.
func DefaultRelatedOptions() RelatedOptions {
	return RelatedOptions{
		MaxTerms: 16, MinMatch: 2, MinScore: 0.35, TitleShare: 0.4,
		TagBoost: 0.2, ListedBoost: 0.2, WeakFactor: 0.5, CurationBoost: 0.2, ExpandWeight: 3, LeadBoost: 1,
		DupSimilarity: SpliceJaccard, DupThreshold: 0.6,
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
	case o.WeakFactor < 0 || o.WeakFactor > 1:
		return errors.New("related: WeakFactor must be within 0-1")
	case o.ListedBoost < 0 || o.TagBoost < 0 || o.CurationBoost < 0 || o.ExpandWeight < 0 || o.LeadBoost < 0:
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
	// poolSize best-scored results are read and ranked in full, their
	// titles compared word by word; the rest never make the list. The pool
	// is the same for every size, so that a shorter list is the start of a
	// longer one (the widget's five are the article page's first five):
	// it was 4 × size, at least 48, and a list of 20 led with articles
	// that the pool of a list of 5 had left out. (Reading their stored
	// fields is most of an uncached list's time now that weaker matches
	// keep the pool full; 24 or 32 is faster, and 0.01 lower on the tuning
	// half; 80, the pool of the largest size, moved the tuning halves
	// of the judged lists both ways, 0.967 -> 0.933 and 0.967 -> 0.978
	// for drafts, and took a held-out half's drafts below the yardstick.)
	poolSize = 48
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
		res, err := ix.relatedList(ctx, req.Draft, req.Size)
		if err != nil {
			return nil, err
		}
		return withMinScore(res, req.MinScore), nil
	}
	st := e.state.Load()
	key := relatedKeyOf(req)
	if res, ok := st.get(key); ok {
		e.hits.Add(1)
		return withMinScore(copyResult(res), req.MinScore), nil
	}
	e.misses.Add(1)
	if err := ctx.Err(); err != nil {
		// Gone already: start nothing (a select below between a finished
		// list and ctx.Done would pick either).
		return nil, searchErr(ctx, err)
	}
	// Concurrent misses on one list compute it once; the computation stops
	// when the last caller waiting for it has gone, and holds the index
	// open until it returns (see flightGroup).
	res, err := e.flight.do(ctx, st.flightKey(req), func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		src, bodyCut, err := ix.relatedSource(ctx, req.ID)
		if err != nil {
			return nil, err
		}
		res, err := ix.relatedListOf(ctx, src, bodyCut, req.Size)
		if err != nil {
			return nil, err
		}
		st.put(key, res)
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return withMinScore(copyResult(res), req.MinScore), nil
}

// withMinScore drops the items of res scoring below min (a request's
// MinScore; lists are computed and cached whole).
func withMinScore(res *zhsearch.RelatedResult, min float64) *zhsearch.RelatedResult {
	if min <= 0 {
		return res
	}
	kept := res.Related[:0]
	for _, it := range res.Related {
		if it.Score >= min {
			kept = append(kept, it)
		}
	}
	res.Related = kept
	return res
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

// relatedDoc is the stored part of a result.
type relatedDoc struct {
	id, title, url, category string
	published                any
	tags                     []string
	key                      string // DupKey of the title, set by admit
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
	return ix.relatedListOf(ctx, src, "", size)
}

// relatedListOf is relatedList with the cut of the source's body as the
// index stored it (fBodyCut; "": its body is cut).
func (ix *Index) relatedListOf(ctx context.Context, src *zhsearch.Article, bodyCut string, size int) (*zhsearch.RelatedResult, error) {
	src = boundedSource(src)
	opts := ix.rel.options()
	out := &zhsearch.RelatedResult{ID: src.ID, Related: []zhsearch.RelatedItem{}}
	r, err := ix.reader()
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
	if stats.bodies, err = withBodies(ctx, r, stats.docs); err != nil {
		return nil, err
	}
	var self uint64
	if src.ID != "" {
		self = 1
	}
	words, err := sourceWords(ctx, ix.seg, src, bodyCut)
	if err != nil {
		return nil, err
	}
	if src.ID == "" {
		ix.pruneDraftWords(words, maxDraftLookups)
	}
	short := shortWords(words)
	if !short {
		dropChars(words)
	}
	ix.markSubjects(words, short)
	terms, err := ix.rel.selectTerms(ctx, r, &stats, words, self, opts.MaxTerms, opts.LeadBoost)
	if err != nil {
		return nil, err
	}
	l := &listBuilder{
		ix: ix, opts: opts, src: src, size: size, out: out,
		seen:   map[string]bool{src.ID: true},
		listed: map[string]bool{},
	}
	if src.ID == "" {
		// A draft under the title of an article is that article being
		// edited: it never lists itself. An article close to it, even one
		// whose title differs only by words the duplicate key leaves out
		// (朋友借钱不还可以起诉吗 for a draft 朋友借钱不还能起诉吗), answers
		// what the draft asks, and stays (the judged drafts count it).
		l.draftTitle = spelledAlike(src.Title)
	} else {
		l.srcKey = DupKey(ix.seg, src.Title)
	}
	for _, t := range src.Related {
		l.listed[analysis.Normalize(t)] = true
	}
	if src.ID != "" && opts.CurationBoost > 0 {
		if l.curated, err = ix.curation(ctx, src.Title); err != nil {
			return nil, err
		}
	}
	// A draft's title is cut afresh: each draft is new, and the cache is
	// for the titles of the index's articles, which come back list after
	// list.
	titleOf := ix.titleWords
	if src.ID == "" {
		titleOf = ix.cutTitle
	}
	srcTitle, err := titleOf(ctx, r, &stats, src.Title)
	if err != nil {
		return nil, err
	}
	concepts := termConcepts(terms, opts.MinMatch)
	rq := &relatedQuery{r: r, st: &stats, selfID: src.ID, concepts: concepts, srcTitle: srcTitle, srcText: src.Title, opts: opts}
	pool, q, err := ix.scoreArticles(ctx, rq, terms, nil)
	if err != nil {
		return nil, err
	}
	// A short source (a title, a sentence) says little: the words the
	// titles of its best matches agree on say the rest (feedback), and the
	// articles are scored again with them.
	// A source of characters only is not: its first matches share
	// characters in any order, and the words they agree on (借钱 for
	// 我现在还能借到钱吗) are theirs, not the source's.
	if short && opts.ExpandWeight > 0 && q.shareable > 0 {
		if exp := ix.expansion(pool, words); len(exp) > 0 {
			for _, w := range exp {
				words[w] = &sourceWord{tf: opts.ExpandWeight, intent: 1, expanded: true}
			}
			if terms, err = ix.rel.selectTerms(ctx, r, &stats, words, self, opts.MaxTerms, opts.LeadBoost); err != nil {
				return nil, err
			}
			known := make(map[uint64]relatedDoc, len(pool))
			for _, s := range pool {
				known[s.num] = s.doc
			}
			if pool, q, err = ix.scoreArticles(ctx, rq, terms, known); err != nil {
				return nil, err
			}
		}
	}
	l.addSimilar(q.terms, pool)
	if err := l.fallback(ctx, pool); err != nil {
		return nil, err
	}
	return out, nil
}

var relatedFields = []string{fTitle, fURL, fPublished, fTags, fCategory}

// loadDocs reads the stored fields of the pool's documents, but for those
// known already (by document number) or in the document cache. They are
// read from r, the snapshot the pool's numbers belong to.
func (ix *Index) loadDocs(ctx context.Context, r bindex.IndexReader, pool []*scored, known map[uint64]relatedDoc) error {
	l := newStoredLoader(r)
	segs := l.segs
	fields := &bleve.SearchRequest{Fields: relatedFields}
	for _, s := range pool {
		if d, ok := known[s.num]; ok {
			s.doc = d
			continue
		}
		if d, ok := ix.cachedRelatedDoc(segs, s.num); ok {
			s.doc = d
			continue
		}
		h, err := l.load(s.num, 0, fields)
		if err != nil {
			return err
		}
		s.doc = ix.relatedDocOf(h)
		ix.keepRelatedDoc(segs, s.num, s.doc)
	}
	return nil
}

func numBytes(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// fetch runs q and returns up to size hits with the fields a related item
// needs (or those named), ordered by sortBy (nil: by score, then newest,
// then id).
func (ix *Index) fetch(ctx context.Context, q query.Query, size int, sortBy []string, fields ...string) ([]*search.DocumentMatch, error) {
	sr := bleve.NewSearchRequestOptions(q, size, 0, false)
	sr.Fields = relatedFields
	if len(fields) > 0 {
		sr.Fields = fields
	}
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

// fetchBest returns the articles of the size best hits of q by score,
// ties by id. It runs through the top-k evaluator, and reads the hits'
// fields through the document cache: a tag that thousands of articles
// share made bleve score every one of them, and the tag fallback was the
// slowest tenth of related lists at 100k articles (30 ms against 11).
func (ix *Index) fetchBest(ctx context.Context, q query.Query, size int) ([]relatedDoc, error) {
	var docs []relatedDoc
	if !ix.bleveSearch {
		r, err := ix.reader()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		top, err := topK(ctx, r, q, size, 0, &ix.postings, inPlaceUntilTwice)
		if err == nil {
			err = top.byID(r)
		}
		switch {
		case errors.As(err, new(errUnsupported)):
		case err != nil:
			return nil, err
		default:
			pool := make([]*scored, len(top.hits))
			for i, t := range top.hits {
				pool[i] = &scored{num: t.doc, score: t.score}
			}
			if err := ix.loadDocs(ctx, r, pool, nil); err != nil {
				return nil, err
			}
			for _, s := range pool { // in the evaluator's order: score, then id
				docs = append(docs, s.doc)
			}
			return docs, nil
		}
	}
	hits, err := ix.fetch(ctx, q, size, []string{"-_score", "_id"})
	if err != nil {
		return nil, err
	}
	for _, h := range hits {
		docs = append(docs, ix.relatedDocOf(h))
	}
	return docs, nil
}

func (ix *Index) relatedDocOf(h *search.DocumentMatch) relatedDoc {
	d := relatedDoc{id: h.ID, published: h.Fields[fPublished], tags: storedStrings(h.Fields[fTags])}
	d.title, _ = h.Fields[fTitle].(string)
	d.url, _ = h.Fields[fURL].(string)
	d.category, _ = h.Fields[fCategory].(string)
	return d
}

// listBuilder assembles one related list.
type listBuilder struct {
	ix   *Index
	opts RelatedOptions
	src  *zhsearch.Article
	// srcKey is the DupKey of a stored source's title: its near-duplicates
	// are left out. "" for a draft.
	srcKey string
	// draftTitle is a draft's title as spelledAlike reads it: an article
	// of that very title is left out. "" for a stored source.
	draftTitle string
	size       int
	out        *zhsearch.RelatedResult
	seen       map[string]bool // ids shown or excluded
	keys       []string        // DupKeys of the titles shown
	listed     map[string]bool // normalized titles of the source's 相关内容
	// curated is the evidence of the site's lists, by normalized title
	// (see curation); nil for a draft.
	curated map[string]float64
}

// admit reports whether d may join the list: not shown yet, not the
// source, not a near-duplicate of the source (for a draft: not of its
// very title) or of a result shown.
func (l *listBuilder) admit(d *relatedDoc) bool {
	if d.id == "" || l.seen[d.id] {
		return false
	}
	l.seen[d.id] = true
	if d.key == "" {
		d.key = l.ix.dupKey(d.title) // only for the articles considered
	}
	if l.srcKey != "" && l.opts.DupSimilarity(l.srcKey, d.key) >= l.opts.DupThreshold {
		return false
	}
	if l.draftTitle != "" && spelledAlike(d.title) == l.draftTitle {
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

// spelledAlike is title normalized, its letters and digits only: two
// titles that differ only by width, case, script, spaces or punctuation
// read the same.
func spelledAlike(title string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, analysis.Normalize(title))
}

func (l *listBuilder) full() bool { return len(l.out.Related) >= l.size }

// add appends an item. Its score is shown at most 1, min_score's range:
// the 相关内容, tag and curation boosts may take a similarity past it, and
// the list is in the order of the uncapped scores.
func (l *listBuilder) add(d *relatedDoc, score float64, reason string, reasons []string) {
	l.out.Related = append(l.out.Related, zhsearch.RelatedItem{
		ID: d.id, Title: d.title, URL: zhsearch.LinkURL(d.url), PublishedAt: storedTime(d.published),
		Score: min(1, score), Reason: reason, Reasons: reasons,
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
		key := analysis.Normalize(s.doc.title)
		s.score += l.opts.CurationBoost * min(1, l.curated[key])
		if l.listed[key] && s.score >= l.opts.MinScore {
			s.score *= 1 + l.opts.ListedBoost
		}
	}
	// Articles that share a word with the source but are not similar enough
	// fill the list too, their scores lowered by WeakFactor, so the list is
	// full whenever that many share one.
	weak := map[*scored]bool{}
	for _, s := range pool {
		if !s.similar || s.score < l.opts.MinScore {
			weak[s] = true
			s.score *= l.opts.WeakFactor
		}
	}
	sortScored(pool)
	for _, s := range pool {
		if l.full() {
			break
		}
		if l.admit(&s.doc) {
			reason := zhsearch.ReasonSimilar
			if weak[s] {
				reason = zhsearch.ReasonWeak
			}
			l.add(&s.doc, round3(s.score), reason, reasons(terms, s))
		}
	}
}

// reasons are the shared words, those in the result's title first, heavier
// first, boilerplate left out; a word the result holds as a synonym is given
// as the source's. Template words (详解, 靠谱吗, a year such as 2024) are
// reasons only of a match that shares no other word, characters only of
// one that shares no word: a reader learns nothing from 详解 beside 花呗.
func reasons(terms []srcTerm, s *scored) []string {
	out := sharedWords(terms, s, false, false)
	if len(out) == 0 {
		out = sharedWords(terms, s, false, true)
	}
	if len(out) == 0 {
		out = sharedWords(terms, s, true, true)
	}
	return joinPairs(terms, out, analysis.Normalize(s.doc.title))
}

// sharedWords are reasons' words: the characters only (chars) or none of
// them, template words among them or not (templates).
func sharedWords(terms []srcTerm, s *scored, chars, templates bool) []string {
	var out []string
	for _, pass := range []uint64{s.title, s.body} {
		for i, t := range terms { // terms are sorted by weight
			w := t.text
			if t.synOf != "" {
				w = t.synOf
			}
			if t.expanded || t.boiler || t.char != chars || t.template && !templates && !t.char {
				continue // not the source's word, or not a reason here (a footer, a character, a frame)
			}
			if pass&(1<<i) != 0 && len(out) < 5 && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// joinPairs joins the character pairs of a word the dictionary does not
// know (羊小 and 小咩 of 羊小咩, read as pairs: sourceWord.bigram) back into
// the word, one pair after the other, where the result's title holds the
// word so joined: pairs chain in more than one order (越滚 and 滚越 of
// 越滚越), and a result may hold the pairs apart, in its body.
func joinPairs(terms []srcTerm, words []string, title string) []string {
	pair := map[string]bool{}
	for _, t := range terms {
		if t.bigram {
			pair[t.text] = true
		}
	}
	for joinOne(words, pair, title) {
		words = slices.DeleteFunc(words, func(w string) bool { return w == "" })
	}
	return words
}

// joinOne joins the first pair of words that chains (a word ending in the
// character a pair starts with) into a word title holds, leaving the pair
// it took empty, and reports whether it did.
func joinOne(words []string, pair map[string]bool, title string) bool {
	for i, a := range words {
		last, size := utf8.DecodeLastRuneInString(a)
		for j, b := range words {
			first, _ := utf8.DecodeRuneInString(b)
			joined := a[:len(a)-size] + b
			if i != j && pair[a] && pair[b] && utf8.RuneCountInString(b) == 2 && last == first && strings.Contains(title, joined) {
				words[i], words[j] = joined, ""
				pair[joined] = true
				return true
			}
		}
	}
	return false
}

// fallback fills the list from the same tags, the same category, then the
// source's 相关内容 titles.
func (l *listBuilder) fallback(ctx context.Context, pool []*scored) error {
	if l.full() {
		return nil
	}
	n := l.size*2 + len(l.seen)
	for _, stage := range []func(context.Context, []*scored, int) error{l.sameTags, l.sameCategory, l.ownRelated} {
		if l.full() {
			return nil
		}
		if err := stage(ctx, pool, n); err != nil {
			return err
		}
	}
	return nil
}

// sameTags adds the articles sharing the most tags with the source (of
// the pool, then of the index's best n), more shared tags first, then the
// pool's higher score: an article that shares words with the source,
// though not enough to be similar, comes first.
func (l *listBuilder) sameTags(ctx context.Context, pool []*scored, n int) error {
	tags := uniqueTags(l.src.Tags)
	if len(tags) == 0 {
		return nil
	}
	keys := normalizedKeys(l.src.Tags)
	qs := make([]query.Query, 0, len(tags)+len(keys))
	for _, t := range tags {
		qs = append(qs, termIn(t, fTags)) // as written or normalized: older generations
	}
	for _, k := range keys {
		qs = append(qs, termIn(k, fTagsKey))
	}
	docs, err := l.ix.fetchBest(ctx, query.NewDisjunctionQuery(qs), n)
	if err != nil {
		return err
	}
	score := make(map[string]float64, len(pool))
	for _, s := range pool {
		score[s.doc.id] = s.score
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
	for _, d := range docs {
		cands = append(cands, cand{d, sharedTags(srcTags, d.tags)})
	}
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
	return nil
}

// sameCategory adds the articles of the source's category: the pool's
// first, then the index's newest n.
func (l *listBuilder) sameCategory(ctx context.Context, pool []*scored, n int) error {
	c := strings.TrimSpace(l.src.Category)
	if c == "" {
		return nil
	}
	key := analysis.Normalize(c)
	for _, s := range pool {
		if l.full() {
			return nil
		}
		if analysis.Normalize(s.doc.category) == key && l.admit(&s.doc) {
			l.add(&s.doc, 0, zhsearch.ReasonFallback, []string{c})
		}
	}
	cq := query.NewDisjunctionQuery([]query.Query{termIn(c, fCategory), termIn(key, fCategoryKey)})
	hits, err := l.ix.fetch(ctx, cq, n, []string{"-" + fPublished, "_id"})
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
	return nil
}

// ownRelated adds the articles titled as the source's own 相关内容 list
// names them, in the list's order.
func (l *listBuilder) ownRelated(ctx context.Context, _ []*scored, _ int) error {
	if len(l.src.Related) == 0 {
		return nil
	}
	order := map[string]int{}
	var qs []query.Query
	for i, t := range l.src.Related {
		k := analysis.Normalize(t)
		if _, dup := order[k]; dup || k == "" {
			continue
		}
		order[k] = i
		qs = append(qs, termIn(k, fTitleKey))
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
	return nil
}

func storedTitle(h *search.DocumentMatch) string {
	t, _ := h.Fields[fTitle].(string)
	return t
}

// termIn is a query for the term t in field.
func termIn(t, field string) query.Query {
	tq := query.NewTermQuery(t)
	tq.SetField(field)
	return tq
}

// uniqueTags returns the tags as written and normalized, once each: the
// tags field is a keyword field, matched exactly (tags_key holds the
// normalized forms; a generation built before it, the raw ones only).
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
	for _, k := range normalizedKeys(tags) {
		m[k] = true
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

// Feedback for short sources.
const (
	// shortSource is the most distinct words a source may have for its
	// query to be expanded, and for the words of its body to make weaker
	// matches (markSubjects): a title or a sentence or two.
	shortSource = 16
	// expandDocs best matches are read for words; a word two of them hold
	// in their titles is added.
	expandDocs   = 3
	expandAgreed = 2
)

// expansion returns the words (not the source's own, not stop, question or
// template words) that at least expandAgreed of the titles of the
// expandDocs best-scored articles of pool hold, in a stable order.
func (ix *Index) expansion(pool []*scored, words map[string]*sourceWord) []string {
	count := map[string]int{}
	for _, s := range pool[:min(len(pool), expandDocs)] {
		seen := map[string]bool{}
		for _, w := range ix.seg.Cut(analysis.Normalize(s.doc.title), false) {
			t := w.Text
			if seen[t] || words[t] != nil || utf8.RuneCountInString(t) < 2 || stopWord(ix.seg, t) {
				continue
			}
			if _, question := ix.seg.Lexicon().QuestionStemWeight(t); question {
				continue
			}
			seen[t] = true
			count[t]++
		}
	}
	var out []string
	for t, n := range count {
		if n >= expandAgreed {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// withBodies counts the articles of docs that are not title-only.
func withBodies(ctx context.Context, r bindex.IndexReader, docs uint64) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte("T"), fTitleOnly, false, false, false)
	if err != nil {
		return 0, err
	}
	defer tfr.Close()
	return docs - min(docs, tfr.Count()), nil
}
