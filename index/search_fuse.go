package index

import (
	"context"
	"sort"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// A long query (a reader's full question) is ranked twice over its first
// hits: by the engine's score, and by how much of each hit's title is the
// query's character pairs (BM25 over the title's bigrams). The two ranks
// are fused (reciprocal rank fusion, Cormack et al. 2009): a title that
// says the question in other words than the query's, and so matches few
// of its words, rises when it shares many of its pairs, and a title that
// matches the words but little else falls. Strict hits stay above relaxed
// ones: each group is reordered within itself.
//
// Chosen on the tuning half (229 queries) of the readers' questions of the
// day (454), from 15 and 20 characters, depths 20 and 30, k 10 and 40,
// weights 0.75 and 1: the tuning half moved from 0.7585 to 0.7567–0.7616
// and held-out from 0.7338 to 0.7353–0.7402. Depth 30 scored 0.7616
// against 0.7605 but cost 2–8% more over the 100k mix (bench/evalwork:
// each search's least time of three), depth 20 within its run-to-run
// spread; in process, where the garbage collector counts too, search's
// mean time is 3.4% more at depth 20 (BENCHMARKS.md). The
// query's pairs are its content words' (analyzedQuery.bigrams): its whole
// text's, fillers included, scored the same. Short queries (keywords,
// typos) keep the engine's order: reranked by their pairs, typos lost
// most, since a misspelt word's pairs are the typo's.
const (
	fuseMinChars = 15   // a query of fewer characters is not reranked
	fuseDepth    = 20   // how many first hits are reranked
	fuseK        = 10   // reciprocal rank fusion's constant
	fuseWeight   = 0.75 // the title pairs' rank against the engine's (1)
)

// fuses reports whether aq's first hits are reranked by their titles'
// pairs.
func fuses(aq *analyzedQuery) bool {
	return aq.chars >= fuseMinChars && len(aq.bigrams) > 0
}

// fuseTitles reorders hits[:strict] and hits[strict:] each by the fused
// rank of their order and their titles' pairs, and gives them their new
// places' scores, so that scores still fall down the list. The pairs'
// document frequencies come from a snapshot of its own, which an edit
// since the hits were found may have moved a little: they weigh pairs,
// they decide no membership.
func (ix *Index) fuseTitles(ctx context.Context, aq *analyzedQuery, hits search.DocumentMatchCollection, strict int) error {
	if len(hits) < 2 {
		return nil
	}
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	idf, err := ix.pairIDF(ctx, r, aq.bigrams)
	if err != nil {
		return err
	}
	fuseGroup(hits[:strict], idf)
	fuseGroup(hits[strict:], idf)
	return nil
}

// weightedPair is one of the query's pairs and its idf in titles.
type weightedPair struct {
	text string
	idf  float64
}

// pairIDF returns the pairs that titles of r hold, with their BM25 idf.
// Their counts come through the related engine's cache of the version
// (termCounts of a bigram: its title count first), which the typo check
// and related lists fill too.
func (ix *Index) pairIDF(ctx context.Context, r bindex.IndexReader, pairs []string) ([]weightedPair, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	ix.rel.init()
	idfs := make([]weightedPair, 0, len(pairs))
	for _, p := range pairs {
		counts, err := ix.rel.termCounts(ctx, r, p, true)
		if err != nil {
			return nil, err
		}
		if df := counts[0]; df > 0 {
			idfs = append(idfs, weightedPair{p, idf(df, n)})
		}
	}
	return idfs, nil
}

// fuseGroup reranks one group of hits (see fuseTitles). BM25's title
// length is against the group's mean, not the index's: the ranks compare
// these titles with each other only.
func fuseGroup(hits search.DocumentMatchCollection, idf []weightedPair) {
	if len(hits) < 2 || len(idf) == 0 {
		return
	}
	pairs := make([][]string, len(hits))
	var total float64
	for i, h := range hits {
		title, _ := h.Fields[fTitle].(string)
		for _, t := range (&analysis.GramTokenizer{N: 2}).Tokenize([]byte(title)) {
			pairs[i] = append(pairs[i], string(t.Term))
		}
		total += float64(len(pairs[i]))
	}
	avg := max(total/float64(len(hits)), 1)
	type ranked struct {
		h          *search.DocumentMatch
		own, title int // 1-based ranks
		pairs      float64
	}
	rs := make([]*ranked, len(hits))
	for i, h := range hits {
		rs[i] = &ranked{h: h, own: i + 1, pairs: titleBM25(pairs[i], idf, avg)}
	}
	byTitle := append([]*ranked(nil), rs...)
	sort.SliceStable(byTitle, func(a, b int) bool { return byTitle[a].pairs > byTitle[b].pairs })
	for i, x := range byTitle {
		x.title = i + 1
	}
	fused := func(x *ranked) float64 {
		v := 1 / (fuseK + float64(x.own))
		if x.pairs > 0 {
			v += fuseWeight / (fuseK + float64(x.title))
		}
		return v
	}
	sort.SliceStable(rs, func(a, b int) bool { return fused(rs[a]) > fused(rs[b]) })
	scores := make([]float64, len(hits))
	for i, h := range hits {
		scores[i] = h.Score
	}
	for i, x := range rs {
		hits[i] = x.h
		hits[i].Score = scores[i]
	}
}

// titleBM25 scores a title's pairs against the query's (their idf).
func titleBM25(pairs []string, idf []weightedPair, avg float64) float64 {
	const k1, b = 1.2, 0.75
	tf := map[string]int{}
	for _, p := range pairs {
		tf[p]++
	}
	norm := k1 * (1 - b + b*float64(len(pairs))/avg)
	var s float64
	for _, p := range idf {
		if f := float64(tf[p.text]); f > 0 {
			s += p.idf * f * (k1 + 1) / (f + norm)
		}
	}
	return s
}

// A long question may say what a title says in other words than the
// title's, and share few of its words but many of its character pairs:
// 网贷一直按时还,一回都没逾期过,咋突然就借不出来了 and
// 网贷未逾期却突然无法借款的原因及应对策略 share 网贷, 逾期 and 突然, but the
// title says 未 and 无法借款 where the question says 没 and 借不出来, and
// its words fall short of the quorum that 网贷, 按时 and 借 fill in other
// titles (a dictionary's gaps do the same: before 大数据 was a word of
// it, 大数据花了还能借到钱吗 shared only 大, 数据 and 花 with a question
// about 大数据弄花了, and its pairs 大数, 数据, 据花). When its words match
// fewer articles than the reranked window holds (fuseDepth), but some,
// the window is filled with the titles that share most of its pairs (a
// quarter of those inside its words: pairQuorum) without
// matching its words, which bleve's character pairs find. They join the
// strict hits after the words' hits, to be reranked with them
// (fuseTitles), and every page of the question reads them in the same
// place (rankedPage). A question whose words fill the window reads no
// pairs: the lists of common pairs are long, and they changed no judged
// page.
//
// Chosen on the tuning half of the readers' questions (574), beside the
// rerank alone: all 0.7354 -> 0.7383 (spoken 0.698 -> 0.707, typos 0.829
// -> 0.835, full questions 0.6678 -> 0.6679), held-out 0.7245 -> 0.7294
// (full questions 0.619 -> 0.629). Tried on the tuning half, in a first
// version that added 20 titles whatever the words found (0.7380): 10 or
// 30 titles (0.7377, 0.7380), a quorum of 2 or 4 pairs (0.7337; 4 found
// none the window did not hold), the pairs' rank weighing 1 or 1.5
// (0.7383, 0.7327), only when the words fill a page (0.7368), only when
// they find fewer than 10 or than 20, 50 or 200 articles (0.7369; the
// others 0.7383); the same titles as the ladder's first step, ranked
// below the words' hits instead of with them (0.7351); a question's pairs
// as a clause of its strict query, every title sharing a quarter of them
// a hit (0.7326-0.7335). Filling 100k articles' windows whatever the
// words found cost a third more time a search (bench/evalwork). With the
// domain glossary that came after (data/dict/domain.txt: 大数据, 秒拒 …
// are words), the 614 questions score tune 0.7405 / held-out 0.7153 with
// pair matches, 0.7400 / 0.7111 without.

// pairMatches fills the window of res, all of a long question's strict
// hits (q, fewer than fuseDepth), with the titles that match it by their
// pairs alone, each scored below res's last hit (scoreBelow), and counts
// them in res.Total. It returns the query that finds them (nil when the
// question has no pairs), whose other matches no relaxation step lists
// (relax).
func (ix *Index) pairMatches(ctx context.Context, aq *analyzedQuery, q query.Query, res *pageResult) (query.Query, error) {
	if len(aq.bigrams) == 0 {
		return nil, nil
	}
	pairs := query.NewBooleanQuery(
		[]query.Query{anyOf(fTitleBi, aq.bigrams, pairQuorum(aq), 1)}, nil, []query.Query{q})
	found, err := ix.page(ctx, pairs, 0, fuseDepth-int(res.Total))
	if err != nil {
		return nil, err
	}
	scoreBelow(found.Hits, res.Hits)
	res.Hits = append(res.Hits, found.Hits...)
	res.Total += uint64(len(found.Hits))
	res.pairs = len(found.Hits)
	return pairs, nil
}

// pairQuorum is how many of a long question's pairs a title must share to
// be one of its pair matches: a quarter of the pairs inside its words (at
// least two), not of all its pairs. A question's pairs are those of its
// words and then, up to maxQueryPairs, those of its text in order, across
// its fillers (时从, 是网, 贷点 of 平时从没逾期过,就是网贷点多了…), which no title
// on its subject needs to hold: counted in the quorum, they asked a
// fourth pair of 大数据花了还能借到钱吗, which shares 大数, 数据 and 据花.
// Chosen on the tuning half of the readers' questions (614): all 0.7405
// -> 0.7447, full questions 0.676 -> 0.687; held-out 0.7153 -> 0.7213
// (full questions 0.618 -> 0.623, spoken 0.694 -> 0.704, typos 0.814 ->
// 0.824). The same quorum for the ladder's bigram step scored 0.7435 and
// is not used there.
func pairQuorum(aq *analyzedQuery) int {
	inside := 0
	for _, p := range aq.bigrams {
		if aq.pairInside(p) {
			inside++
		}
	}
	return max(2, bigramRecallQuorum(inside))
}
