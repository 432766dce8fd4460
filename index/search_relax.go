package index

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
)

// maxDropLevels bounds the relaxation ladder's word-dropping steps: each is
// one more search, and only a query that found less than a page pays it.
const maxDropLevels = 3

// relax runs the relaxation ladder after the strict query q found fewer
// than zhsearch.DefaultSearchSize hits (Algolia's removeWordsIfNoResults,
// Elasticsearch's fallback queries): it drops the content words least
// typical of the site one at a time, then falls back to shared bigrams, until
// the hits fill a page of the default size; when all of that finds nothing,
// the query's words that name a subject of the site do (siteWordsLevel),
// and when those find nothing either, two of its pairs (twoPairsLevel).
// Each step finds only what the steps before it did not, and its hits
// rank below theirs. Whether a step
// runs depends on the query only, not on the page or its size, so every
// page of one query, of any size, sees the same list and the same total.
// It returns the page and how many of its hits are strict. pairs, when
// not nil, is the query of a long question's pair matches (pairMatches),
// whose best are among strict's hits: no step lists one of them again.
func (ix *Index) relax(ctx context.Context, aq *analyzedQuery, q, pairs query.Query, strict *pageResult,
	page, size int) (*pageResult, int, error) {
	offset := (page - 1) * size
	levels := aq.relaxedLevels()
	if len(levels) == 0 && !aq.namesSiteWord() {
		return strict, len(strict.Hits), nil
	}
	all := strict
	if offset > 0 { // the page was past the strict hits: fetch them all
		var err error
		if all, err = ix.page(ctx, q, 0, int(strict.Total)); err != nil {
			return nil, 0, err
		}
	}
	hits, total, nStrict := append(search.DocumentMatchCollection{}, all.Hits...), all.Total, len(all.Hits)
	capped := all.Capped
	found := []query.Query{q}
	if pairs != nil {
		found = append(found, pairs)
	}
	for _, level := range levels {
		if total >= zhsearch.DefaultSearchSize {
			break
		}
		only := query.NewBooleanQuery([]query.Query{level}, nil, []query.Query{query.NewDisjunctionQuery(found)})
		res, err := ix.page(ctx, only, 0, max(0, offset+size-len(hits)))
		if err != nil {
			return nil, 0, err
		}
		scoreBelow(res.Hits, hits)
		hits, total = append(hits, res.Hits...), total+res.Total
		capped = capped || res.Capped
		found = append(found, level)
	}
	if total == 0 && aq.namesSiteWord() {
		res, err := ix.page(ctx, aq.siteWordsLevel(), 0, offset+size)
		if err != nil {
			return nil, 0, err
		}
		hits, total, capped = res.Hits, res.Total, res.Capped
	}
	if last := aq.twoPairsLevel(); total == 0 && last != nil {
		res, err := ix.page(ctx, last, 0, offset+size)
		if err != nil {
			return nil, 0, err
		}
		hits, total, capped = res.Hits, res.Total, res.Capped
	}
	out := *strict
	// Past what a reader can page, the total is a lower bound however it
	// was counted, as for a strict query.
	out.Total, out.Capped = total, capped || total > zhsearch.MaxResultWindow
	// Each step's hits came with their ties broken over all it read, the
	// pages before this one too (breakTies), which shifts with the page:
	// the list is put back in the engine's order, ties by id, as any page
	// of any size reads it, and only this page's ties are broken.
	hits = engineOrder(hits)
	out.Hits = hits[min(offset, len(hits)):min(offset+size, len(hits))]
	breakTies(out.Hits)
	return &out, max(0, min(nStrict-offset, len(out.Hits))), nil
}

// twoPairsLevel is the ladder's last step, run only when every step
// before it, the last resort included, found nothing: the titles that
// share two of the query's character pairs, where the bigram step asked a
// quarter of them (bigramRecallQuorum), so a long question that says its
// subject in words no title holds, around a pair or two that titles do
// (催收说要给我单位发函,还要去老家村委会贴告示,这些到底是真的还是吓唬我啊: 催收 and
// 吓唬 of 催收员说的话哪些是吓唬人的), finds them. Nil when the bigram step
// asked two pairs or fewer already: it found what this would.
//
// Chosen on the tuning half of the readers' questions (574): full
// questions 0.6679 -> 0.6752, all 0.7383 -> 0.7411 (two zero-hit answers
// fewer, one on each half); held-out and every none query unchanged
// (those sharing nothing with the site share no two pairs with a title).
// Three pairs found nothing more.
func (aq *analyzedQuery) twoPairsLevel() query.Query {
	if bigramRecallQuorum(len(aq.bigrams)) <= 2 {
		return nil
	}
	return aq.withIntents(anyOf(fTitleBi, aq.bigrams, 2, boostTitleBigram))
}

// siteTypical is how typical of the site a word must be (queryTerm.typical:
// its idf in general text less its idf in the index) to name one of the
// site's subjects, with its titles leading with it (a head word:
// queryTerm.position above 1). In the judged questions' corpus the
// subjects of questions are near 6 (花呗 5.7, 网贷 6.0, both head words;
// 还款 5.3 and 逾期 5.9 as typical but leading no title, so they do not
// count), the situations around them 2.5 at most (银行卡 2.3, 工资 0.7).
// On the tuning half (249 queries) of the 494 readers' questions any value
// from 4 to 5 scored the same, with or without the head words' condition:
// all 0.7463 → 0.7481, one zero-hit answer fewer, the none queries
// unchanged; 3 let none queries find articles. Lowered to 3.5 when a
// tenth blind set came (574 queries): 房贷 (3.8, a head word) of
// 房贷这俩月实在拿不出,能往后缓缓不 found nothing, its other words being
// ones no title holds; tuning half all 0.7338 → 0.7354 from that query
// alone, held-out, the none queries and the keyword suite unchanged.
// The head words' condition
// keeps a word that many of a small site's titles hold but none leads
// with (到期 of 车险到期了没续保会咋样 among five titles, three with 到期:
// typical only because the index is small) from passing.
const siteTypical = 3.5

// siteWordsLevel is the relaxation ladder's last resort, run only when
// every step before it found nothing: any one of the query's words of two
// characters or more that name a subject of the site (siteTypical, head
// words). A question whose other words
// the site never uses (推销, 说辞, 一套 of 网贷客服推销时说的那一套说辞都有啥坑)
// weighs them so much that its 网贷 carries too little of its weight
// (minCoverage) for the ladder's steps, and found nothing although the
// site is about its subject. Nil when the query names no such subject,
// as a query the site cannot answer does not.
func (aq *analyzedQuery) siteWordsLevel() query.Query {
	var site []queryTerm
	for _, t := range aq.terms {
		if aq.namesSite(t) {
			site = append(site, t)
		}
	}
	if len(site) == 0 {
		return nil
	}
	return aq.withIntents(query.NewDisjunctionQuery([]query.Query{
		anyTerm(fTitle, site, boostTitleWords),
		anyTerm(fBody, site, boostBodyWords),
	}))
}

// namesSiteWord reports whether siteWordsLevel has a word to match.
func (aq *analyzedQuery) namesSiteWord() bool {
	return slices.ContainsFunc(aq.terms, aq.namesSite)
}

// namesSite reports whether t names a subject of the site: a word typical
// of it (typicalWord: two characters or more, siteTypical) that the
// site's titles lead with (queryTerm.position above 1). In a list of
// keywords (keywordList) every word the site uses more than general text
// does is one: the reader named each as something to look for, and 贷款 of
// 无业人员 贷款 (typical 3.0, a word of many titles that few lead with) on
// a site about loans is what to show when no title says 无业人员, where a
// sentence's background word (手机 of 手机屏幕碎了能修吗) is not.
func (aq *analyzedQuery) namesSite(t queryTerm) bool {
	if typicalWord(t) && t.position > 1 {
		return true
	}
	return aq.keywordList() && typicalFrom(t, keywordTypical)
}

// keywordTypical is how typical of the site (queryTerm.typical) a word of
// a keyword list must be to name one of its subjects: any word the site
// uses more than general text does (typical above 0; see namesSite). No
// query of the tuning halves is a keyword list that finds nothing, so it
// was chosen on that meaning, not on them.
const keywordTypical = 1e-9

// keywordList reports whether the query is Chinese keywords written apart
// (京东E卡 回收, 无业人员 贷款): two or more, in fewer characters than a
// sentence (singlesMinChars).
func (aq *analyzedQuery) keywordList() bool {
	return !aq.latin && !aq.sentence() && strings.Contains(strings.TrimSpace(aq.norm), " ")
}

// relaxedShare is the most a step's best hit scores, as a share of the
// lowest hit of the steps before it.
const relaxedShare = 0.5

// scoreBelow rescales a relaxation step's hits, best first, so that each
// scores below every hit before them (all of the steps before it, as a
// step runs only once those found less than a page): a list's scores fall
// as it goes, so a client may sort or cut by them, while each step keeps
// its own order. Scores of different steps measure different queries; the
// rank, not the size of the gap, is what they tell.
func scoreBelow(step, before search.DocumentMatchCollection) {
	if len(step) == 0 || len(before) == 0 || step[0].Score <= 0 {
		return
	}
	floor := before[len(before)-1].Score
	for _, h := range before {
		floor = min(floor, h.Score)
	}
	scale := floor * relaxedShare / step[0].Score
	for _, h := range step {
		h.Score *= scale
	}
}

// relaxedLevels returns the relaxation ladder's queries, strict to loose:
// the content words without the one least typical of the site, without the
// two least typical, …, then the query's bigrams.
func (aq *analyzedQuery) relaxedLevels() []query.Query {
	var levels []query.Query
	ts := append([]queryTerm(nil), heldTerms(multiChar(aq.terms))...)
	// The words least typical of the site go first: the situation around
	// a question (工资, 就要 of 花呗每个月10号就要还,可我工资15号才发), not its
	// subject, which the site's idf weighs least.
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].subjectness() > ts[j].subjectness() })
	for n := len(ts) - 1; n >= 1 && len(levels) < maxDropLevels; n-- {
		keep := ts[:n]
		levels = append(levels, aq.withIntents(query.NewDisjunctionQuery([]query.Query{
			weighted(fTitle, keep, strictShare, boostTitleWords),
			weighted(fBody, keep, strictShare, boostBodyWords),
		})))
	}
	if len(ts) > 1 {
		levels = append(levels, aq.withIntents(query.NewDisjunctionQuery([]query.Query{
			anyTerm(fTitle, ts, boostTitleWords),
			anyTerm(fBody, ts, boostBodyWords),
		})))
	}
	if n := len(aq.bigrams); n > 0 {
		need := bigramRecallQuorum(n)
		levels = append(levels, aq.withIntents(query.NewDisjunctionQuery([]query.Query{
			anyOf(fTitleBi, aq.bigrams, need, boostTitleBigram),
			aq.bodyBigrams(need, boostBodyBigram),
		})))
	}
	return levels
}

// anyTerm matches documents whose field holds any of terms, each scoring
// as its place in the site's titles weighs it (queryTerm.position): a
// title sharing only a template word (详解, 指南) with the query comes after
// those sharing the query's subject.
func anyTerm(field string, terms []queryTerm, boost float64) query.Query {
	qs := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		f := t.position
		if f <= 0 {
			f = 1
		}
		qs = append(qs, scaleBoost(t.in(field), boost*f))
	}
	return query.NewDisjunctionQuery(qs)
}

// bigramRecallQuorum is how many of n content bigrams a relaxed hit must
// share: two from three bigrams on, so that one common pair of characters
// (计算 in 量子计算机) is not a match.
func bigramRecallQuorum(n int) int {
	if n < 3 {
		return 1
	}
	return max(2, n/4)
}
