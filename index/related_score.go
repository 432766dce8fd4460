package index

import (
	"container/heap"
	"context"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// matches records which query terms an article holds, and where.
type matches struct {
	title     uint64 // mask of query terms in its title, subwords of matches left out
	titleRaw  uint64 // mask of query terms in its title
	body      uint64 // mask of query terms in its body only
	bodyScore float64
	titleLen  float64 // words in its title (from the field norm)
}

// scored is one article that shares words with the source.
type scored struct {
	num uint64 // internal document number
	matches
	cover float64 // weighted share of the query it holds
	score float64
	// similar is set when the article shares enough distinct words with the
	// source (MinMatch) to be called similar once it reaches MinScore; the
	// others share at least one and may fill the list as weaker matches.
	similar bool
	doc     relatedDoc
}

// relatedQuery is what scoring a related list needs besides its terms:
// the snapshot, the generation's statistics, the source's id (excluded),
// its count of concepts (see scoreArticles), its title's words and text
// and the options: not the list's size, which decides nothing before the
// list is built (poolSize).
type relatedQuery struct {
	r        bindex.IndexReader
	st       *corpusStats
	selfID   string
	concepts int
	srcTitle []titleWord
	srcText  string // the source's title as written
	opts     RelatedOptions
}

// scoreArticles scores every article that holds a query term in its title
// or body, reading the terms' postings directly, and returns the best
// poolSize of those that share a subject word of the source (see
// termSet.subject: words shared only with a long source's body, however
// many, relate nothing), best first, with their stored fields (those in
// known taken from it).
//
// To be similar (rather than a weaker match) a result must share
// min(MinMatch, concepts) distinct words, concepts being the number of
// distinct words of the source that are not template words (termConcepts):
// a source that is one subject word and a template (应急贷是什么意思) needs
// one, any other two.
func (ix *Index) scoreArticles(ctx context.Context, rq *relatedQuery, terms []srcTerm, known map[uint64]relatedDoc) ([]*scored, *termSet, error) {
	r, st, opts := rq.r, rq.st, rq.opts
	q := newTermSet(terms)
	q.gaps = ix.body.wordsToo()
	if q.shareable == 0 && q.titleSubjects == 0 {
		return nil, q, nil // only template words, no character: nothing to relate by
	}
	need := min(opts.MinMatch, rq.concepts)
	poolN := poolSize
	if opts.poolSize > 0 {
		poolN = opts.poolSize
	}
	// Matches are gathered in a slice indexed by document number, reused
	// from request to request.
	sc := ix.rel.getScratch()
	defer ix.rel.putScratch(sc)
	p := postingsReader{ctx: ctx, r: r, segs: newSegPostings(r, &ix.postings), df: func(g string) uint64 {
		df, err := ix.rel.termFreq(ctx, r, g, true)
		if err != nil {
			return math.MaxUint64 // read last; the read itself reports the error
		}
		return df
	}}
	share, minDF := commonShare, uint64(commonMinDF)
	if opts.commonShare > 0 {
		share, minDF = opts.commonShare, opts.commonMinDF
	}
	common := q.common(st.docs, share, minDF)
	// The titles of every article are read first (short lists: a title has
	// a few words), then the bodies: a body match adds to the cover only,
	// at most bodyMatch × the word's weight, so once the titles have made
	// the best candidates known, the bodies of the words that cannot lift
	// an article into them are looked up for the candidates only (see
	// lazyBodies). The pool is the same as if every body had been read.
	qualify := qualifier{q: q, titleShare: opts.TitleShare, need: need, filter: true}
	k := poolN
	if common != 0 {
		// The candidates of the common words' lookups are chosen from all.
		k = commonFactor * poolN
		qualify.filter = false
	}
	for _, i := range q.order {
		if common&(1<<i) != 0 {
			continue
		}
		if err := q.matchTitle(i, scanAll{&p, sc}); err != nil {
			return nil, nil, err
		}
	}
	titled := len(sc.m) // the articles touched by the titles
	theta, err := sc.kth(ctx, k, qualify, 0)
	if err != nil {
		return nil, nil, err
	}
	var lazy uint64
	if !opts.lazyOff {
		lazy = q.lazyBodies(sc, common, theta, qualify)
	}
	for _, i := range q.order {
		if (common|lazy)&(1<<i) != 0 {
			continue
		}
		if err := q.matchBody(i, scanAll{&p, sc}, q.upTo[i]); err != nil {
			return nil, nil, err
		}
	}
	// cands are the only articles that may make the best k, sorted (nil:
	// every article touched may).
	var cands []uint64
	if lazy != 0 {
		ix.rel.lazy.Add(1)
		if theta, err = sc.kth(ctx, k, qualify, titled); err != nil {
			return nil, nil, err
		}
		cands = sc.upTo(theta, q.lift(lazy, opts.TitleShare), func(m *matches) (float64, bool) { return qualify.bound(m, lazy) })
		for _, i := range q.order {
			if lazy&(1<<i) == 0 {
				continue
			}
			if err := q.matchBody(i, scanNums{&p, sc, cands}, q.upTo[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	best, err := sc.best(ctx, k, qualify.score, cands)
	if err != nil {
		return nil, nil, err
	}
	pool := best
	if common != 0 {
		// Words most articles hold are looked up for the best candidates
		// only: reading their postings would cost more than all the rest.
		pool = nil
		sort.Slice(best, func(i, j int) bool { return best[i].num < best[j].num })
		for _, i := range q.order {
			if common&(1<<i) == 0 {
				continue
			}
			if err := q.match(i, scanCands{&p, best}); err != nil {
				return nil, nil, err
			}
		}
		for _, s := range best {
			if q.subject(&s.matches) {
				s.score, _ = qualify.score(&s.matches)
				pool = append(pool, s)
			}
		}
		sortByScore(pool)
		if len(pool) > poolN {
			pool = pool[:poolN]
		}
	}
	for _, s := range pool {
		s.cover = q.cover(&s.matches)
		// A source of characters only has no word to share: its matches
		// are weaker ones.
		s.similar = q.shareable > 0 && q.matched(&s.matches) >= need
	}
	if err := ix.loadDocs(ctx, r, pool, known); err != nil {
		return nil, nil, err
	}
	out, err := ix.compareTitles(ctx, rq, pool, q.chars)
	return out, q, err
}

// compareTitles scores the pool, its stored fields loaded, by cover and
// by the similarity of each title to the source's, word by word, and
// returns it best first; a title that shares only characters with the
// source (chars: the mask of its one-character terms) by their pairs,
// which tell in which order it holds them (征信黑户还能借到钱吗 for
// 我现在还能借到钱吗, before 朋友借钱不还怎么办). The source is excluded here,
// not in the postings: its own document holds every query word.
func (ix *Index) compareTitles(ctx context.Context, rq *relatedQuery, pool []*scored, chars uint64) ([]*scored, error) {
	srcKey := "" // the source's title normalized, once a match needs it
	out := pool[:0]
	for _, s := range pool {
		if err := ctx.Err(); err != nil {
			return nil, searchErr(ctx, err)
		}
		if s.doc.id == "" || s.doc.id == rq.selfID {
			continue
		}
		var sim float64
		if (s.titleRaw|s.body)&^chars == 0 {
			if srcKey == "" {
				srcKey = analysis.Normalize(rq.srcText)
			}
			sim = BigramDice(srcKey, analysis.Normalize(s.doc.title))
		} else {
			words, err := ix.titleWords(ctx, rq.r, rq.st, s.doc.title)
			if err != nil {
				return nil, err
			}
			sim = titleSimilarity(rq.srcTitle, words, ix.seg.Lexicon().Synonyms)
		}
		s.score = (1-rq.opts.TitleShare)*s.cover + rq.opts.TitleShare*sim
		out = append(out, s)
	}
	sortScored(out)
	return out, nil
}

// titleWord is a word of a title with its weight: idf × position factor.
type titleWord struct {
	text   string
	weight float64
}

// titleWords cuts a title into its words (not subwords), stop words and
// single characters left out, each weighed by idf and position factor.
func (ix *Index) titleWords(ctx context.Context, r bindex.IndexReader, st *corpusStats, title string) ([]titleWord, error) {
	c := &ix.rel.state.Load().titles
	if words, ok := c.get(title); ok {
		return words, nil
	}
	words, err := ix.cutTitle(ctx, r, st, title)
	if err != nil {
		return nil, err
	}
	c.put(title, words)
	return words, nil
}

// titleCache remembers the words of titles (titleWords) for one version of
// an index, as dfCache its frequencies: the titles of the articles most
// often related come back list after list. The slices are shared: read
// only.
type titleCache struct{ boundedCache[[]titleWord] }

// put keeps copies of the title and of its words' texts (slices of its
// normalized form), nothing of a longer text they were cut from.
func (c *titleCache) put(title string, words []titleWord) {
	kept := make([]titleWord, len(words))
	for i, w := range words {
		kept[i] = titleWord{strings.Clone(w.text), w.weight}
	}
	c.boundedCache.put(title, kept)
}

// boundedCache is a map from texts that forgets everything once it holds
// boundedCacheMax of them: what it keeps is cheap to work out again.
type boundedCache[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

const boundedCacheMax = 50_000

func (c *boundedCache[V]) get(key string) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v, ok
}

// put keeps v under a copy of key.
func (c *boundedCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= boundedCacheMax {
		c.m = make(map[string]V, 1024)
	}
	c.m[strings.Clone(key)] = v
}

// cutTitle is titleWords without the cache.
func (ix *Index) cutTitle(ctx context.Context, r bindex.IndexReader, st *corpusStats, title string) ([]titleWord, error) {
	var out []titleWord
	for _, w := range ix.seg.Cut(analysis.Normalize(zhsearch.CutRunes(title, zhsearch.MaxTitleLen)), false) {
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
// is shared for partialMatch, and so is a synonym of a word of the other
// (synonyms: data/dict/synonyms.txt; 还钱 in one title, 还款 in the other):
// the scoring counts it as a shared word, and the titles say the same in
// other words. Chosen on the pooled tuning halves of the eight judged
// related sets of testdata/related's corpus: sources 0.852 → 0.859,
// drafts 0.779 → 0.779 (0.854 and 0.779 at a quarter, 0.859 and 0.777 at
// 0.6, 0.856 and 0.771 at 0.8, 0.856 and 0.768 at 1); held-out 0.810 →
// 0.812 and 0.715 → 0.718.
func titleSimilarity(a, b []titleWord, synonyms func(string) []string) float64 {
	var num, den float64
	side := func(x, y []titleWord) {
		for _, w := range x {
			den += w.weight
			best := 0.0
			alts := synonyms(w.text)
			for _, v := range y {
				switch {
				case w.text == v.text:
					best = 1
				case strings.Contains(v.text, w.text) || strings.Contains(w.text, v.text), slices.Contains(alts, v.text):
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
// Only the title matches of the terms in titles count (see matchBody).
func (s *matches) bodyMatch(bit, inside, titles uint64, weight float64, freq uint64) {
	if (s.title&titles|s.body)&(bit|inside) == 0 {
		s.body |= bit
		f := float64(freq)
		s.bodyScore += weight * bodyMatch * f / (f + 1)
	}
}

// subject reports whether an article holds one of the words every listed
// article shares with the source: a subject word of the source
// (srcTerm.subject) that is not a template word (any such word when the
// title has none, a draft of body only).
func (q *termSet) subject(m *matches) bool {
	return (m.title|m.body)&q.subjects != 0 || m.title&q.titleSubjects != 0
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
		w += q.weights[bits.TrailingZeros64(b)]
	}
	return w
}

// coarseScore scores an article from its matches alone: its cover mixed
// with an estimate of the title similarity from the masks, good enough to
// pick the pool whose titles are then compared word by word.
// It takes the options' TitleShare alone: it runs for every article
// touched, several times, and copying the options cost a tenth of it.
func (q *termSet) coarseScore(m *matches, titleShare float64) float64 {
	// The weights of the title's terms, and of those in the source's
	// title, summed in one pass (in the order of sum and cover).
	var all, titleW float64
	for b := m.title; b != 0; b &= b - 1 {
		i := bits.TrailingZeros64(b)
		w := q.weights[i]
		all += w
		if q.inTitle&(1<<i) != 0 {
			titleW += w
		}
	}
	var titleSim float64
	if q.titleTotal > 0 && m.titleLen > 0 {
		raw := float64(bits.OnesCount64(m.titleRaw &^ q.chars))
		titleSim = math.Sqrt(min(1, titleW/q.titleTotal) * min(1, raw/m.titleLen))
	}
	return (1-titleShare)*min(1, (all+m.bodyScore)/q.total) + titleShare*titleSim
}

// scratch holds the matches of one list: a slot per document number (4
// bytes, so that reading a posting list touches few cache lines) pointing
// into the matches of the documents touched, kept densely in touch order.
// It is reused from list to list.
type scratch struct {
	slot    []int32   // by document number: 1 + index in m, 0 when untouched
	m       []matches // the touched documents' matches
	touched []uint64  // their numbers, in the order of m
	raw     []float64 // their coarse scores as kth last computed them
}

// termPostings reads a query term's postings into the matches of the
// articles scored: every article's (scanAll) or the candidates' (scanCands).
type termPostings interface {
	// each calls fn for every article scored whose field holds term, and
	// returns how many articles of the index hold it (when known, else
	// unknownCount).
	each(term, field string, fn func(m *matches, d *bindex.TermFieldDoc)) (uint64, error)
	// chain calls fn for every article scored whose title bigrams hold
	// word's bigrams in a row, except, maybe, those among the words
	// articles of the index whose title holds word as a word (see
	// postingsReader.chain).
	chain(word string, words uint64, fn func(m *matches)) error
}

// unknownCount stands for a count of articles not known.
const unknownCount = math.MaxUint64

// scanAll reads postings into the scratch, for every article.
type scanAll struct {
	p  *postingsReader
	sc *scratch
}

func (a scanAll) each(term, field string, fn func(m *matches, d *bindex.TermFieldDoc)) (uint64, error) {
	return a.p.eachNum(term, field, func(num uint64, d *bindex.TermFieldDoc) { fn(a.sc.at(num), d) })
}

func (a scanAll) chain(word string, words uint64, fn func(m *matches)) error {
	chain, err := a.p.chain(word, fTitleBi, words)
	if err != nil {
		return err
	}
	for _, num := range chain {
		fn(a.sc.at(num))
	}
	return nil
}

// scanNums reads body postings into the scratch for the documents nums
// (sorted) only, skipping through the postings.
type scanNums struct {
	p    *postingsReader
	sc   *scratch
	nums []uint64
}

func (c scanNums) each(term, field string, fn func(m *matches, d *bindex.TermFieldDoc)) (uint64, error) {
	return unknownCount, c.p.lookupNums(term, field, c.nums, func(num uint64, d *bindex.TermFieldDoc) { fn(c.sc.at(num), d) })
}

func (c scanNums) chain(string, uint64, func(m *matches)) error {
	panic("scanNums reads bodies only")
}

// scanCands reads postings for the candidates only (sorted by number).
type scanCands struct {
	p     *postingsReader
	cands []*scored
}

func (c scanCands) each(term, field string, fn func(m *matches, d *bindex.TermFieldDoc)) (uint64, error) {
	return unknownCount, c.p.lookup(term, field, c.cands, func(s *scored, d *bindex.TermFieldDoc) { fn(&s.matches, d) })
}

func (c scanCands) chain(word string, _ uint64, fn func(m *matches)) error {
	chain, err := c.p.lookupChain(word, fTitleBi, c.cands)
	if err != nil {
		return err
	}
	for _, s := range chain {
		fn(&s.matches)
	}
	return nil
}

// match reads the postings of query term i from src: its title field, its
// bigrams in titles, its body field.
func (q *termSet) match(i int, src termPostings) error {
	if err := q.matchTitle(i, src); err != nil {
		return err
	}
	return q.matchBody(i, src, ^uint64(0))
}

// matchTitle reads the postings of query term i in titles: its title
// field and its bigrams in titles. A title match depends on the title
// matches of the longer words holding the term only, so the titles of all
// terms may be read before any body, in q.order.
func (q *termSet) matchTitle(i int, src termPostings) error {
	t, bit, inside := q.terms[i], uint64(1)<<i, q.inside[i]
	titleField, _ := t.fields()
	var words uint64
	if t.counts[0] > 0 {
		var err error
		words, err = src.each(t.text, titleField, func(m *matches, d *bindex.TermFieldDoc) {
			if d.Norm > 0 && !t.bigram && !t.char {
				m.titleLen = 1 / (d.Norm * d.Norm)
			}
			m.titleMatch(bit, inside)
		})
		if err != nil {
			return err
		}
	}
	// Titles whose words gse cut otherwise (应急贷款 → 应急/贷款 holds
	// 应急贷's characters, not its word) hold the word's bigrams; looked
	// for with the words of the source's title, which decide most. The
	// titles holding the word matched already.
	if t.inTitle && !t.bigram && !t.char {
		err := src.chain(t.text, words, func(m *matches) {
			if m.titleRaw&bit == 0 {
				m.titleMatch(bit, inside)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// matchBody reads the postings of query term i in bodies, after the bodies
// of the terms holding it (q.order). Of the title matches only those of
// the terms in titles count: read term by term (match), a term's body
// comes before the titles of the terms after it, among them its synonyms;
// with the titles of all terms read first, titles is q.upTo[i].
func (q *termSet) matchBody(i int, src termPostings, titles uint64) error {
	t, bit, inside := q.terms[i], uint64(1)<<i, q.inside[i]
	_, bodyField := t.fields()
	if t.counts[1] > 0 {
		_, err := src.each(t.text, bodyField, func(m *matches, d *bindex.TermFieldDoc) {
			m.bodyMatch(bit, inside, titles, t.weight, d.Freq)
		})
		if err != nil {
			return err
		}
	}
	if !t.bigram || !q.gaps || t.counts[2] == 0 {
		return nil
	}
	// The body bigrams are the gaps between words (Index.gaps): where the
	// body's words hold the bigram as a word, it is there.
	_, err := src.each(t.text, fBody, func(m *matches, d *bindex.TermFieldDoc) {
		m.bodyMatch(bit, inside, titles, t.weight, d.Freq)
	})
	return err
}

// at returns the matches of document num, valid until the next call of
// at.
func (sc *scratch) at(num uint64) *matches {
	if num >= uint64(len(sc.slot)) {
		sc.slot = append(sc.slot, make([]int32, int(num)+1-len(sc.slot)+len(sc.slot)/2)...)
	}
	s := sc.slot[num]
	if s == 0 {
		sc.m = append(sc.m, matches{})
		sc.touched = append(sc.touched, num)
		s = int32(len(sc.m))
		sc.slot[num] = s
	}
	return &sc.m[s-1]
}

// reset clears what the last list touched.
func (sc *scratch) reset() *scratch {
	for _, n := range sc.touched {
		sc.slot[n] = 0
	}
	sc.m = sc.m[:0]
	sc.touched = sc.touched[:0]
	return sc
}

// best returns the k touched documents (of nums when not nil) that score
// highest, best first (by document number among equals); score reports
// false for a document that does not qualify.
func (sc *scratch) best(ctx context.Context, k int, score func(m *matches) (float64, bool), nums []uint64) ([]*scored, error) {
	if nums == nil {
		nums = sc.touched
	}
	h := make(scoredHeap, 0, min(k, len(nums)))
	slab := make([]scored, 0, min(k, len(nums))) // the heap's entries, in one allocation
	for i, n := range nums {
		if i%ctxEvery == 0 && ctx.Err() != nil {
			return nil, searchErr(ctx, ctx.Err())
		}
		m := sc.at(n)
		v, ok := score(m)
		if !ok {
			continue
		}
		if len(h) == k {
			if v < h[0].score || v == h[0].score && n > h[0].num {
				continue
			}
			*h[0] = scored{num: n, matches: *m, score: v} // the one it replaces is dropped
			heap.Fix(&h, 0)
			continue
		}
		slab = append(slab, scored{num: n, matches: *m, score: v})
		heap.Push(&h, &slab[len(slab)-1])
	}
	out := []*scored(h)
	sortByScore(out)
	return out, nil
}

// kth returns the k-th best score of the touched documents that qualify,
// or -Inf when fewer than k do: a lower bound of the score the k-th best
// will have once every list is read, since reading more only raises a
// score. It keeps the coarse score of each document that qualifies in
// sc.raw (NaN for the others) until the next list is read: upTo and
// lazyBodies bound from it rather than score every document again.
//
// The first kept documents were scored by the last call, and only bodies
// were read since: a document still without a body match is as it was
// then (a body read that changes a document sets a bit of its body), and
// its kept score is reused.
func (sc *scratch) kth(ctx context.Context, k int, qualify qualifier, kept int) (float64, error) {
	h := make(floatHeap, 0, k)
	sc.raw = slices.Grow(sc.raw[:kept], len(sc.m)-kept)[:len(sc.m)]
	for i := range sc.m {
		if i%ctxEvery == 0 && ctx.Err() != nil {
			return 0, searchErr(ctx, ctx.Err())
		}
		var raw, v float64
		var ok bool
		if m := &sc.m[i]; i < kept && m.body == 0 {
			raw, v, ok = qualify.again(m, sc.raw[i])
		} else {
			raw, v, ok = qualify.coarse(m)
		}
		sc.raw[i] = raw
		if !ok {
			continue
		}
		if len(h) < k {
			h.push(v)
		} else if v > h[0] {
			h[0] = v
			h.down(0)
		}
	}
	if len(h) < k {
		return math.Inf(-1), nil
	}
	return h[0], nil
}

// upTo returns, sorted, the touched documents whose bound reaches theta
// (less boundSlack): the others cannot make the best k. lift is the most
// the bound adds to a document's coarse score as kth kept it: a document
// that falls short by more is passed over without computing its bound.
func (sc *scratch) upTo(theta, lift float64, bound func(m *matches) (float64, bool)) []uint64 {
	var out []uint64
	for i, n := range sc.touched {
		// A NaN (an article that did not qualify then, and may now with
		// the lazy terms) compares false: its bound is computed.
		if raw := sc.raw[i]; raw+lift+2*boundSlack < theta {
			continue
		}
		if v, ok := bound(&sc.m[i]); ok && v+boundSlack >= theta {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// boundSlack covers the rounding of scores summed in another order.
const boundSlack = 1e-9

// floatHeap is a min-heap of scores, written out rather than through
// container/heap: kth keeps one for every article a list touches, and
// the interface's calls were a fifth of its time.
type floatHeap []float64

// push adds v.
func (h *floatHeap) push(v float64) {
	*h = append(*h, v)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent] <= s[i] {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

// down restores the heap after h[i] grew.
func (h floatHeap) down(i int) {
	for {
		least, l := i, 2*i+1
		if l < len(h) && h[l] < h[least] {
			least = l
		}
		if r := l + 1; r < len(h) && h[r] < h[least] {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

// qualifier scores the touched articles while the pool is chosen: by their
// coarse score, less 1 for those sharing fewer words than a similar
// article needs (so they come after those that do); with filter (a pool
// without common words), only those that hold a subject word
// (termSet.subject) qualify.
type qualifier struct {
	q          *termSet
	titleShare float64 // the options' TitleShare (see coarse)
	need       int
	filter     bool
}

// coarse returns the article's coarse score (NaN when it does not qualify:
// not computed) and the score it qualifies with.
func (f qualifier) coarse(m *matches) (raw, v float64, ok bool) {
	raw = math.NaN()
	if !f.filter || f.q.subject(m) {
		raw = f.q.coarseScore(m, f.titleShare)
	}
	return f.again(m, raw)
}

// again is coarse for an article whose matches have not changed since
// coarse returned raw for it.
func (f qualifier) again(m *matches, raw float64) (float64, float64, bool) {
	if math.IsNaN(raw) {
		return raw, 0, false
	}
	if f.q.matched(m) < f.need {
		return raw, raw - 1, true
	}
	return raw, raw, true
}

// score is coarse without the raw score, for scratch.best.
func (f qualifier) score(m *matches) (float64, bool) {
	_, v, ok := f.coarse(m)
	return v, ok
}

// lift is the most the body matches of the lazy terms add to an article's
// coarse score (see bound).
func (q *termSet) lift(lazy uint64, titleShare float64) float64 {
	var w float64
	for b := lazy; b != 0; b &= b - 1 {
		w += q.terms[bits.TrailingZeros64(b)].weight * bodyMatch
	}
	return (1 - titleShare) * w / q.total
}

// bound is the most the score an article qualifies with can become once
// the bodies of the lazy terms are read, and false when it cannot qualify
// then.
func (f qualifier) bound(m *matches, lazy uint64) (float64, bool) {
	u := *m
	for b := lazy &^ (m.title | m.body); b != 0; b &= b - 1 {
		i := bits.TrailingZeros64(b)
		u.body |= 1 << i
		u.bodyScore += f.q.terms[i].weight * bodyMatch
	}
	return f.score(&u)
}

// lazyBodies returns the terms (not common) whose bodies need only be
// looked up for the candidates, because together they cannot lift an
// article holding none of the other terms to theta, the k-th best score
// after the titles; of the sets of the lightest terms that cannot, the one
// whose reading costs least: the postings of the other terms read
// through, and lookups for the touched articles whose score may still
// reach theta. A term holding another is lazy only with it, so that the
// terms' bodies are still read longest first.
func (q *termSet) lazyBodies(sc *scratch, common uint64, theta float64, qualify qualifier) uint64 {
	if math.IsInf(theta, -1) || len(sc.m) == 0 {
		return 0
	}
	byWeight := make([]int, 0, len(q.terms))
	var scan uint64   // postings of all bodies
	common |= q.chars // no body to read
	for i := range q.terms {
		if common&(1<<i) == 0 {
			byWeight = append(byWeight, i)
			scan += q.terms[i].df
		}
	}
	sort.SliceStable(byWeight, func(a, b int) bool { return q.terms[byWeight[a]].weight < q.terms[byWeight[b]].weight })
	// The touched articles by score (as if they shared enough words), in
	// buckets of 1/lazyBuckets: how many may reach theta once bodies
	// weighing w are added is the count of those above theta - w.
	var hist [lazyBuckets + 1]int
	for i := range sc.m {
		v := sc.raw[i] // kept by kth, unchanged since
		if math.IsNaN(v) {
			v = q.coarseScore(&sc.m[i], qualify.titleShare)
		}
		hist[min(lazyBuckets, max(0, int(v*lazyBuckets)))]++
	}
	reach := func(lift float64) int {
		n := 0
		for b := max(0, int((theta-lift)*lazyBuckets)-1); b <= lazyBuckets; b++ {
			n += hist[b]
		}
		return n
	}
	var lazy, best uint64
	bestCost := scan
	for _, i := range byWeight {
		if lazy&(1<<i) != 0 {
			continue
		}
		try := q.closeInside(lazy|1<<i) &^ common
		if v, ok := qualify.bound(&matches{}, try); ok && v+boundSlack >= theta {
			break
		}
		lazy = try
		var read float64
		for b := lazy; b != 0; b &= b - 1 {
			read += float64(q.terms[bits.TrailingZeros64(b)].df)
		}
		cost := float64(scan) - read + float64(reach(q.lift(lazy, qualify.titleShare))*bits.OnesCount64(lazy))
		if cost < float64(bestCost) {
			best, bestCost = lazy, uint64(cost)
		}
	}
	return best
}

// lazyBuckets is the resolution of lazyBodies' estimate.
const lazyBuckets = 200

// closeInside adds to mask the terms inside (or synonyms of) its terms,
// until none is left out.
func (q *termSet) closeInside(mask uint64) uint64 {
	for {
		next := mask
		for i := range q.terms {
			if q.inside[i]&next != 0 {
				next |= 1 << i
			}
		}
		if next == mask {
			return mask
		}
		mask = next
	}
}

// ctxEvery is how many documents a loop over postings or candidates
// handles between two looks at its context.
const ctxEvery = 4096

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
	// segs, when set, opens the postings instead of r (see segPostings).
	segs *segPostings
	tfd  bindex.TermFieldDoc
	// df, when set, gives the document frequency of a bigram (an estimate
	// is enough): a chain reads its rarest bigram first.
	df func(gram string) uint64
}

// open returns the postings of term in field, read with what the field
// needs: only a title's norm is used (its length); bigram chains need
// neither frequency nor norm, a body bigram its frequency.
func (p *postingsReader) open(term, field string) (bindex.TermFieldReader, error) {
	if err := p.ctx.Err(); err != nil {
		return nil, searchErr(p.ctx, err)
	}
	freq, norm := p.reads(field)
	if p.segs != nil {
		return p.segs.open(term, field, freq, norm)
	}
	return p.r.TermFieldReader(p.ctx, []byte(term), field, freq, norm, false)
}

// reads says what of a posting of field the engine reads.
func (p *postingsReader) reads(field string) (freq, norm bool) {
	return field == fTitle || field == fBody || field == fBodyBi, field == fTitle
}

// eachNum calls fn with the number of every document whose field holds
// term, with its frequency (title and body) and norm (title), and returns
// how many there are. On a scorch snapshot it walks the segments' lists
// itself: a related list reads every posting of its terms, and through a
// term reader each posting's number went into bytes and back, behind two
// interface calls (a tenth of its time).
func (p *postingsReader) eachNum(term, field string, fn func(num uint64, d *bindex.TermFieldDoc)) (uint64, error) {
	if p.segs == nil {
		tfr, err := p.open(term, field)
		if err != nil {
			return 0, err
		}
		return p.read(tfr, func(d *bindex.TermFieldDoc) { fn(d.ID.Value(), d) })
	}
	if err := p.ctx.Err(); err != nil {
		return 0, searchErr(p.ctx, err)
	}
	parts, _, _, err := p.segs.lists.parts(field, term, false, inPlaceUntilTwice)
	if err != nil {
		return 0, err
	}
	freq, norm := p.reads(field)
	d := p.tfd.Reset()
	var n uint64
	for _, part := range parts {
		if part.zap != nil {
			k, err := p.eachInPlace(part, freq, norm, d, fn)
			n += k
			if err != nil {
				return 0, err
			}
			continue
		}
		l := part.list
		for j, doc := range l.docs {
			if part.deleted != nil && part.deleted.Contains(doc) {
				continue
			}
			if n++; n%ctxEvery == 0 && p.ctx.Err() != nil {
				return 0, searchErr(p.ctx, p.ctx.Err())
			}
			if freq {
				d.Freq = uint64(l.fn[j].freq)
			}
			if norm {
				d.Norm = float64(l.fn[j].norm)
			}
			fn(part.offset+uint64(doc), d)
		}
	}
	return n, nil
}

// eachInPlace calls fn with every posting of a part read through zap
// (which leaves deleted documents out), and returns how many.
func (p *postingsReader) eachInPlace(part listPart, freq, norm bool, d *bindex.TermFieldDoc, fn func(num uint64, d *bindex.TermFieldDoc)) (uint64, error) {
	it := part.zap.pl.Iterator(freq, norm, false, nil)
	var n uint64
	for {
		ps, err := it.Next()
		if err != nil || ps == nil {
			return n, err
		}
		if n++; n%ctxEvery == 0 && p.ctx.Err() != nil {
			return n, searchErr(p.ctx, p.ctx.Err())
		}
		if freq {
			d.Freq = ps.Frequency()
		}
		if norm {
			d.Norm = ps.Norm()
		}
		fn(part.offset+ps.Number(), d)
	}
}

// read calls fn with every document of tfr, closes it and returns the
// number of documents read.
func (p *postingsReader) read(tfr bindex.TermFieldReader, fn func(d *bindex.TermFieldDoc)) (uint64, error) {
	var n uint64
	for ; ; n++ {
		if n%ctxEvery == ctxEvery-1 && p.ctx.Err() != nil {
			tfr.Close()
			return 0, searchErr(p.ctx, p.ctx.Err())
		}
		d, err := tfr.Next(p.tfd.Reset())
		if err != nil {
			tfr.Close()
			return 0, err
		}
		if d == nil {
			break
		}
		fn(d)
	}
	return n, tfr.Close()
}

// lookup calls fn with each of cands (sorted by document number) whose
// field holds term, skipping through the postings.
func (p *postingsReader) lookup(term, field string, cands []*scored, fn func(s *scored, d *bindex.TermFieldDoc)) error {
	tfr, err := p.open(term, field)
	if err != nil {
		return err
	}
	return p.skip(tfr, len(cands), func(i int) uint64 { return cands[i].num }, func(i int, d *bindex.TermFieldDoc) { fn(cands[i], d) })
}

// lookupNums calls fn with each of nums (sorted) whose field holds term,
// skipping through the postings.
func (p *postingsReader) lookupNums(term, field string, nums []uint64, fn func(num uint64, d *bindex.TermFieldDoc)) error {
	if len(nums) == 0 {
		return nil
	}
	tfr, err := p.open(term, field)
	if err != nil {
		return err
	}
	return p.skip(tfr, len(nums), func(i int) uint64 { return nums[i] }, func(i int, d *bindex.TermFieldDoc) { fn(nums[i], d) })
}

// skip calls fn with the index of each of the n sorted document numbers
// (num(i)) that tfr holds, and closes tfr. It never advances tfr to a
// number at or before the one it is on: the reader would start over.
func (p *postingsReader) skip(tfr bindex.TermFieldReader, n int, num func(i int) uint64, fn func(i int, d *bindex.TermFieldDoc)) error {
	id := make([]byte, 8)
	for i, calls := 0, 0; i < n; calls++ {
		if calls%ctxEvery == ctxEvery-1 && p.ctx.Err() != nil {
			tfr.Close()
			return searchErr(p.ctx, p.ctx.Err())
		}
		binary.BigEndian.PutUint64(id, num(i))
		d, err := tfr.Advance(id, p.tfd.Reset())
		if err != nil {
			tfr.Close()
			return err
		}
		if d == nil {
			break
		}
		// Skip the numbers the postings jumped over.
		at := d.ID.Value()
		for i < n && num(i) < at {
			i++
		}
		if i < n && num(i) == at {
			fn(i, d)
			i++
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

// allHan reports whether word is made of Han characters only.
func allHan(word string) bool {
	for _, r := range word {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return word != ""
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

// bigramChain returns, sorted, the documents whose bigram field holds
// every bigram of word (of two or more characters; a Latin run is one
// unit): the rarest bigram's postings read through, the others looked up
// for the documents still in the chain.
func (p *postingsReader) bigramChain(word, field string) ([]uint64, error) {
	return p.chain(word, field, unknownCount)
}

// chain is bigramChain, but may leave out (returning none) the documents
// whose field holds word as a word when words, their number, is known:
// when word is all Han characters (every character a unit of its own, in
// the bigrams of any text holding the word), each of those documents holds
// its bigrams, and when its rarest bigram is held by no more documents,
// the chain is those documents and nothing else.
func (p *postingsReader) chain(word, field string, words uint64) ([]uint64, error) {
	grams := bigrams(word)
	if len(grams) == 0 {
		return nil, nil
	}
	if p.df != nil {
		dfs := make(map[string]uint64, len(grams))
		for _, g := range grams {
			dfs[g] = p.df(g)
		}
		sort.SliceStable(grams, func(a, b int) bool { return dfs[grams[a]] < dfs[grams[b]] })
	}
	tfr, err := p.open(grams[0], field)
	if err != nil {
		return nil, err
	}
	if words != unknownCount && tfr.Count() <= words && allHan(word) {
		return nil, tfr.Close()
	}
	var chain []uint64
	if _, err := p.read(tfr, func(d *bindex.TermFieldDoc) { chain = append(chain, d.ID.Value()) }); err != nil {
		return nil, err
	}
	for _, g := range grams[1:] {
		if len(chain) == 0 {
			break
		}
		// Kept in place: a number is written at or before where it is read.
		kept := chain[:0]
		err := p.lookupNums(g, field, chain, func(n uint64, _ *bindex.TermFieldDoc) { kept = append(kept, n) })
		if err != nil {
			return nil, err
		}
		chain = kept
	}
	return chain, nil
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
	terms   []srcTerm
	weights []float64 // the terms' weights
	// inside[i] is the mask of the terms that hold term i (提前还款 holds
	// 还款): a match of i where one of those matched is the same match. A
	// feedback word (京东白条, added for 白条) holds none: the source's own
	// word must count.
	inside []uint64
	// order visits longer terms first, so a word's match is known before
	// its subwords are read.
	order []int
	// upTo[i] is the mask of term i and the terms before it in order.
	upTo []uint64
	// concepts is the mask of the terms that count towards MinMatch: not
	// template words (a subword counts only where the word holding it did
	// not match, see scoreArticles). shareable is the number of those not
	// inside another term.
	concepts  uint64
	shareable int
	subjects  uint64 // the terms a weaker match must hold one of, see subject
	// titleSubjects are the terms that make a weaker match in a title only.
	titleSubjects uint64
	inTitle       uint64 // mask of the terms in the source's title
	// chars are the one-character terms (srcTerm.char): read in titles
	// only, never a shared word. They relate nothing alone (租 of
	// 租来的手机可以转卖吗 in 租房合同到期了押金怎么退), but in a source that
	// has nothing else (我现在还能借到钱吗: 还, 借, 钱), whose list would be
	// empty while titles share its content: there they are title subjects,
	// digits (a year, an amount) excepted.
	chars uint64
	// total is the weight of all terms not inside another, title words no
	// other article holds included; titleTotal that of the title's.
	total, titleTotal float64
	// gaps: a bigram term is looked up in the body's words too (Index.gaps).
	gaps bool
}

func newTermSet(all []srcTerm) *termSet {
	q := &termSet{}
	for _, t := range all {
		if !t.absent && len(q.terms) < maxQueryTerms {
			q.terms = append(q.terms, t)
		}
	}
	q.weights = make([]float64, len(q.terms))
	for i, t := range q.terms {
		q.weights[i] = t.weight
	}
	q.inside = make([]uint64, len(q.terms))
	for i, t := range q.terms {
		for j, u := range q.terms {
			if i != j && (holds(u, t) || sameWord(t, u)) {
				q.inside[i] |= 1 << j
			}
		}
		if !t.template {
			q.concepts |= 1 << i
		}
		if t.inTitle {
			q.inTitle |= 1 << i
		}
		if t.char {
			q.chars |= 1 << i
		}
		if t.subject && !t.template {
			q.subjects |= 1 << i
		}
		if t.titleSubject && !t.template {
			q.titleSubjects |= 1 << i
		}
		q.order = append(q.order, i)
	}
	// Shareable words: one per source word and its synonyms.
	roots := map[string]bool{}
	for _, t := range q.terms {
		root := t.text
		if t.synOf != "" {
			root = t.synOf
		}
		if !t.template && !insideAny(t, q.terms) && !roots[root] {
			roots[root] = true
			q.shareable++
		}
	}
	if q.shareable == 0 {
		for i, t := range q.terms {
			if t.char && !digitsOnly(t.text) {
				q.titleSubjects |= 1 << i
			}
		}
	}
	for _, t := range all {
		if t.synOf != "" || insideAny(t, all) {
			continue // a synonym stands for a word already counted
		}
		if t.inTitle {
			q.titleTotal += t.weight
		}
		if t.inTitle || !t.absent {
			q.total += t.weight
		}
	}
	sort.SliceStable(q.order, func(a, b int) bool { return len(q.terms[q.order[a]].text) > len(q.terms[q.order[b]].text) })
	q.upTo = make([]uint64, len(q.terms))
	var before uint64
	for _, i := range q.order {
		before |= 1 << i
		q.upTo[i] = before
	}
	titleSubject := func(t srcTerm) bool { return t.inTitle && t.subject && !t.template }
	switch {
	case !slices.ContainsFunc(all, titleSubject):
		// No subject in the title: a draft of body only, or a title of
		// characters and everyday words (车被刮了, 工作问题), which must not
		// list less than the body alone would.
		q.subjects = q.concepts
	case !slices.ContainsFunc(q.terms, titleSubject):
		// The title's subjects are words no other article holds: the
		// body's words that are not everyday ones stand for them (a draft
		// 成了老赖还能借到钱吗 whose body says 失信被执行人 and 法院 got an
		// empty list). Everyday words of the body still relate nothing.
		for i, t := range q.terms {
			if t.specific && !t.template {
				q.subjects |= 1 << i
			}
		}
	}
	return q
}

// fields are the title and body fields holding the term: the word fields,
// or the bigram fields for a bigram of single characters (see sourceWords).
func (t srcTerm) fields() (title, body string) {
	if t.bigram {
		return fTitleBi, fBodyBi
	}
	if t.char {
		return fTitleUni, ""
	}
	return fTitle, fBody
}

// insideAny reports whether another of terms holds t (see holds).
func insideAny(t srcTerm, terms []srcTerm) bool {
	return slices.ContainsFunc(terms, func(u srcTerm) bool { return holds(u, t) })
}

// holds reports whether the source word u stands for t, a word inside it
// (协商还款 for 协商): an article matching u is not matched by t again, and
// t does not count apart in the source's weight. Only a word that weighs
// as much does: a word of a draft's title (京东 of 京东卡怎么卖) inside a
// lighter word of its body (京东E卡) is the heavier evidence, and with the
// body word standing for it, titles saying 京东E卡 lost the title word's
// weight while 京东快递丢件了怎么办 covered the whole source with it.
// A feedback word (expanded) stands for nothing, nor does a synonym
// (逾期还款 of 逾期 for 还款): sameWord relates synonyms, and the weight
// the source counts (insideAny) never let one stand for another word.
func holds(u, t srcTerm) bool {
	return !u.expanded && u.synOf == "" && len(u.text) > len(t.text) && u.weight >= t.weight && strings.Contains(u.text, t.text)
}

// sameWord reports whether two terms stand for one word of the source: a
// word and its synonym, or two synonyms of one word. An article holding
// both shares that word once.
func sameWord(t, u srcTerm) bool {
	return t.synOf != "" && (t.synOf == u.text || t.synOf == u.synOf) || u.synOf != "" && u.synOf == t.text
}
