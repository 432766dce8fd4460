package index

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// A query's first hits are reranked by how their titles compare with it
// (rerankTitles), a learning-to-rank step over the engine's window: the
// engine decides what matches and which first hits (depthOf) are candidates;
// a linear model of six signals orders them:
//
//   - the engine's order, -log2(1 + rank);
//   - precision: the share of the title's character pairs (its distinct
//     title_bi terms, bigrams) that the query's text holds (a title made
//     of what the reader typed answers it);
//   - recall: the share of the query's content weight (its words' idf,
//     rerankAsk times that in the clause that asks) whose word, or a
//     synonym of it, the title holds as written, or for
//     a typo that search matched by its sound, whose sound it says
//     (抖音 for 抖因: heardIn), and for a word it does not hold,
//     rerankPartial of the share of the word's characters it holds (修改
//     beside 改, 转赠 beside 转送);
//   - intent: whether the title holds one of the query's intent words
//     (多久, 怎么办) or their synonyms;
//   - character precision: the share of the title's Chinese characters
//     that the query's text holds: a title that says the reader's word
//     in another sharing a character (改 for 修改) holds more of them than
//     of its pairs (花呗还款日改哪天: 6 of its 8 characters in
//     花呗还款日能修改吗, 4 of its 7 pairs);
//   - another subject: whether the title leads with a head word of the
//     site that the query does not say (leadsElsewhere), taken off.
//
// The engine's score sums clause scores over many fields and ranks a title
// that holds a few of a question's words well above one that holds all of
// them but says them around other words, or that repeats one word; the
// title's own share of the query, and the query's share of the title, tell
// them apart. On the judged readers' questions, reranking the engine's
// first 20 hits by their judgments (an oracle) lifts full questions from
// 0.690 to 0.834 and spoken ones from 0.725 to 0.894 (tuning half of the
// first 654): the answer is usually among the hits, below others.
//
// The weights were chosen on the tuning half of the readers' questions, by
// coordinate ascent over a grid, then at the middle of the plateau it
// found; TestRerankTuning shows it (ZHSEARCH_RERANK_TUNE=1). Over the 455
// judged queries of 10 characters or more among the 694, NDCG@10 tuning /
// held-out: the engine's order 0.690 / 0.649, these weights 0.721 / 0.688,
// each weight halved or doubled 0.714-0.721 / 0.680-0.689; precision alone
// 0.692, recall alone 0.702, intent alone 0.680 (tuning). The earlier
// rerank, a reciprocal rank fusion of the engine's order and the titles'
// pair BM25 from 15 characters, scored 0.705 / 0.691 on the queries of 6
// characters or more where this model scores 0.741 / 0.734; its BM25 got
// a weight of 0 to 0.5 beside these signals and is left out, as are the
// share of the query's words held, unweighted, the share of its
// one-character words held (0.7540 -> 0.7507 over all 694 at a weight of
// 2, lower at 4 and 8) and the title's length (weights about 0, or
// opposite in sign between runs). From 10 characters: from 6 or 8 the
// keyword suite's variants lost on their tuning half (0.956 -> 0.950),
// and the readers' questions scored alike (the first 654, tuning half:
// 0.7644 from 6 characters, 0.7654 from 8 or 10). Strict hits stay above
// relaxed ones: each group is reordered within itself, and each place
// keeps its score, so scores still fall down the list.
const (
	rerankMinChars = 10 // a shorter query keeps the engine's order
	rerankDepth    = 20 // how many first hits are reranked (see depthOf)
	// rerankPrecision is the weight of precision, against the engine's
	// order (1). 16 until session 47 (see chosenRerank).
	rerankPrecision = 4
	// rerankRecall is the weight of recall. It was 16 with the others
	// until session 45: over the 1014 readers' questions the tuning half
	// scored 0.7412 at 16, 0.7431 at 24, 0.7440 at 32 and 0.7444 at 48
	// (full questions 0.6808, 0.6821, 0.6801, 0.6778; its 706 reranked
	// windows 0.7068, 0.7095, 0.7107, 0.7113), but from 32 a question's
	// situation outweighs its subject again where the site's titles
	// rarely say the situation (TestSituationWordsAloneMatchNothing: 工资
	// … 到账 before 花呗还款日): 24, the best for full questions, keeps it
	// below. Held-out 0.7239 -> 0.7261 (full questions 0.642 -> 0.646,
	// typos 0.826 -> 0.832, spoken 0.726 -> 0.725). The keyword suite is
	// unchanged.
	rerankRecall = 24
	rerankIntent = 4 // the weight of an intent word held
	// rerankPartial is how much of a word's weight recall counts for a
	// title holding all its characters but not the word. Chosen after the
	// weights above, on the tuning half of the 734 readers' questions:
	// 0.7598 without (held-out 0.7410); 0.25, 0.5, 0.75 and 1 scored
	// 0.7614, 0.7618, 0.7629 and 0.7612 (held-out 0.7419, 0.7428, 0.7454,
	// 0.7435); 0.5 is the middle of that plateau. Only for the words the
	// site lacks (absentChars), 0.7611 and 0.7608 at 0.5 and 1. 0.25
	// since session 47 (see chosenRerank).
	rerankPartial = 0.25
	// rerankChars is the weight of character precision. Chosen after the
	// weights above, on the tuning half of the 734 readers' questions:
	// 0.7618 without (held-out 0.7428); 1, 2, 4, 6, 8, 10, 12 and 16
	// scored 0.7633, 0.7642, 0.7630, 0.7651, 0.7662, 0.7657, 0.7635 and
	// 0.7606 (held-out 0.7455, 0.7470, 0.7475, 0.7486, 0.7488, 0.7488,
	// 0.7482, 0.7481). At 8: full questions 0.706 -> 0.709 / 0.637 ->
	// 0.651, spoken 0.749 -> 0.761 / 0.756 -> 0.762; typos 0.836 -> 0.836 /
	// 0.854 -> 0.843. 12 since session 47 (see chosenRerank).
	rerankChars = 12
	// rerankForeign is the weight of a title that leads with another
	// subject than the question's (leadsElsewhere), taken off its score:
	// 借呗日利率万分之五算高吗 for a question about a 宁波 lender's interest,
	// 租机回收价格计算方式解析 for gold bought on instalments. A question's
	// background words (利息, 算高, 回收) match titles about other products
	// as well as the one on its own; the title's first word tells them
	// apart. Chosen with the weights before session 47's (precision 16,
	// partial 0.5, characters 8), on the tuning half of the 1134 readers'
	// questions: 0.7443 without (held-out 0.7241); 2, 3, 4
	// and 6 scored 0.7478, 0.7490, 0.7488 and 0.7471 (held-out 0.7244,
	// 0.7251, 0.7255, 0.7241); at 4 full questions 0.6912 -> 0.6969 /
	// 0.6452 -> 0.6489, spoken 0.7339 -> 0.7396 / 0.7220 -> 0.7203, typos
	// 0.8286 -> 0.8344 / 0.8404 -> 0.8439. The title's first word by the
	// segmenter (0.7493), or any head word it holds (0.7490), scored
	// alike; its longest head-word prefix asks no segmentation of 40
	// titles a query. The keyword suite is unchanged. With the weights
	// chosen after it (chosenRerank), intent and another subject both at
	// 3 scored 0.7505 over the 1174, at 4 0.7513.
	rerankForeign = 4
	// rerankAsk is how much more recall weighs a word of the clause that
	// asks (analyzedQuery.ask: 花呗还款日能不能往后改 of
	// 工资每个月15号才到账,花呗还款日能不能往后改) than one of the clauses
	// that tell the situation. Chosen with the weights of session 47 (see
	// chosenRerank), on the tuning half of the 1174 readers' questions:
	// 1, 1.1, 1.25, 1.5 and 2 scored 0.7505, 0.7509, 0.7513, 0.7496 and
	// 0.7478 (held-out 0.7308, 0.7303, 0.7281, 0.7282, 0.7277); below
	// 1.25 the situation's words outweigh the question's subject in
	// TestSituationWordsAloneMatchNothing.
	rerankAsk = 1.25
)

// rerankWeights are the rerank model's weights of its signals, against
// the engine's order (1).
type rerankWeights struct{ precision, recall, intent, partial, chars, foreign, ask float64 }

// chosenRerank are the weights search uses (TestRerankTuning shows their
// neighbourhood). They were chosen again in session 47, after
// rerankForeign: TestRerankTuning's coordinate ascent over its 801
// reranked windows went from the weights then (precision 16, recall 24,
// intent 4, partial 0.5, characters 8, another subject 4: windows 0.7224
// tune / 0.6901 held-out) to precision 4, intent 3, partial 0.25,
// characters 12 and another subject 3 (0.7299 / 0.6953). Over all 1174
// readers' questions, with 借着 read as 借 (spoken.txt, as then), precision 4,
// partial 0.25 and characters 12 scored 0.7505 on the tuning half
// against 0.7458 (held-out 0.7308 against 0.7270); precision 2, 6 or 8
// 0.7509, 0.7510, 0.7497, characters 8 or 16 0.7474, 0.7487, recall 16
// or 32 0.7482, 0.7506, partial 0.5 0.7485, intent and another subject
// at 3 0.7505 (each beside rerankAsk at 1.25). Precision, the share of a
// title's pairs the query holds, had been weighed before character
// precision and recall's partial credit existed, which now tell most of
// what it did; but under 16 it let a question's situation outweigh its
// subject (TestSituationWordsAloneMatchNothing: 工资每个月几号到账 above
// 花呗还款日能不能修改) until the clause that asks weighed more
// (rerankAsk). With both: 0.7458 -> 0.7513 / 0.7270 -> 0.7281; full
// questions 0.6937 -> 0.6979 / 0.6512 -> 0.6565, spoken 0.7342 -> 0.7457
// / 0.7174 -> 0.7129, typos 0.8393 -> 0.8452 / 0.8486 -> 0.8513. The
// keyword suite is unchanged. Tried in session 52 over the 1334, not
// kept: weights chosen apart for queries of 20 characters or more and for
// shorter ones (coordinate ascent on each tuning half, 0.7167 -> 0.7201
// and 0.8177 -> 0.8221, held-out 0.6744 -> 0.6685 and 0.7922 -> 0.7846:
// fitted to the half); the share of the asking clause's character pairs
// a title holds, and of all the query's pairs, as signals (weights 1 to
// 8: windows' tuning half 0.7398-0.7450 against 0.7444).
func chosenRerank() rerankWeights {
	return rerankWeights{rerankPrecision, rerankRecall, rerankIntent, rerankPartial, rerankChars, rerankForeign, rerankAsk}
}

// pairMinChars is the length from which a question whose words find fewer
// than its rerank window holds (depthOf) is given its pair matches
// (pairMatches), a deeper rerank window, and a title match by any one of
// its words (longMatchChars).
const pairMinChars = 15

// rerankDepthLong is how many first hits of a query of pairMinChars
// characters or more are reranked. A full question's answer is more often
// below the engine's 20th hit than a short query's: the engine ranks by
// the sum of many clauses, and a long question's background words bring
// titles on them above the one on its asked aspect. Chosen on the tuning
// half of the 854 readers' questions: 20, 30, 40 and 50 for every
// reranked query scored 0.7467, 0.7483, 0.7496 and 0.7499 (held-out
// 0.7316, 0.7325, 0.7324, 0.7327); the questions' latest sets, the
// engine's least seen, gained only from 40 (0.6556 -> 0.6599 on their
// tuning half). 40 for the long queries alone scores the same (0.7498 /
// 0.7324) at half the cost: over the 100k mix the evaluator visits 1.7%
// more documents, 4% where every reranked query read 40 (BENCHMARKS.md).
// The rerank's weights, chosen at 20, stay on the plateau at 40
// (TestRerankTuning).
const rerankDepthLong = 40

// depthOf is how many of aq's first hits are reranked, and how many its
// pair matches may fill (pairMatches).
func depthOf(aq *analyzedQuery) int {
	if aq.chars >= pairMinChars {
		return rerankDepthLong
	}
	return rerankDepth
}

// reranks reports whether aq's first hits are reranked by their titles.
func reranks(aq *analyzedQuery) bool {
	return aq.chars >= rerankMinChars && len(aq.bigrams) > 0
}

// rerankTitles reorders hits[:strict] and hits[strict:] each by the
// rerank model (see depthOf), and gives them their new places'
// scores, so that scores still fall down the list.
func rerankTitles(aq *analyzedQuery, hits search.DocumentMatchCollection, strict int) {
	m := newTitleModel(aq, chosenRerank())
	m.rerank(hits[:strict])
	m.rerank(hits[strict:])
}

// titleModel scores a hit's title against one query.
type titleModel struct {
	aq     *analyzedQuery
	pairs  map[string]bool // the character pairs of the query's text
	weight float64         // the terms' summed weight in recall (weights)
	w      rerankWeights
	// weights are the terms' weights in recall: their own, times w.ask
	// for those of the clause that asks (analyzedQuery.ask).
	weights []float64
}

func newTitleModel(aq *analyzedQuery, w rerankWeights) *titleModel {
	m := &titleModel{aq: aq, pairs: map[string]bool{}, w: w}
	for _, p := range bigrams(aq.norm) {
		m.pairs[p] = true
	}
	m.weights = make([]float64, len(aq.terms))
	for i, t := range aq.terms {
		m.weights[i] = t.weight
		if w.ask > 1 && aq.ask != "" && strings.Contains(aq.ask, t.text) {
			m.weights[i] *= w.ask
		}
		m.weight += m.weights[i]
	}
	return m
}

// score is the model's score of the title of the hit at rank (0-based).
func (m *titleModel) score(title string, rank int) float64 {
	title = analysis.Normalize(title)
	s := -math.Log2(float64(rank) + 2)
	if pairs := bigrams(title); len(pairs) > 0 {
		in := 0
		for _, p := range pairs {
			if m.pairs[p] {
				in++
			}
		}
		s += m.w.precision * float64(in) / float64(len(pairs))
	}
	s += m.w.chars * charPrecision(title, m.aq.norm)
	if m.weight > 0 {
		var held float64
		for i, t := range m.aq.terms {
			if t.heldIn(title) || t.heardIn(title) {
				held += m.weights[i]
			} else if m.w.partial > 0 {
				held += m.w.partial * m.weights[i] * charsHeld(t.text, title)
			}
		}
		s += m.w.recall * held / m.weight
	}
	for _, w := range m.aq.intents {
		if strings.Contains(title, w) {
			s += m.w.intent
			break
		}
	}
	if m.w.foreign > 0 && m.aq.leadsElsewhere(title) {
		s -= m.w.foreign
	}
	return s
}

// leadsElsewhere reports whether title (normalized) leads with a head
// word of the site (corpusStats.titleFactor above 1: a word that starts
// more than positionFloor of the three or more titles holding it, such as
// 花呗, 借呗, 租机) that the query does not say, nor a synonym of it, nor
// inside one of its words (京东 of 京东白条): the title is about another
// subject. The head word is the longest of two to positionMaxRunes
// characters the title starts with (京东白条, not 京东); one character (借,
// 租) names no subject. Unknown for a query that was not weighed (one
// term: nothing to rerank against) and for a Latin one, whose text says
// its words in pinyin. A subject the query misspells (房代 for 房贷) or
// says in other words is not said: its own titles lose too, as they did
// in the judged windows for 62 of 952 grade-2 titles; taking a typo's
// sound, or a synonym of one of its words, as said scored the same
// (TestRerankTuning's windows: tune 0.7297 both, held-out 0.6949 ->
// 0.6944).
func (aq *analyzedQuery) leadsElsewhere(title string) bool {
	if aq.stats == nil || aq.latin {
		return false
	}
	lead := aq.stats.headWord(title)
	return lead != "" && !aq.says(lead)
}

// headWord returns the longest head word (titleFactor above 1) of two to
// positionMaxRunes characters that title starts with, "" for none: a
// title's subject, as computeCorpusStats found the words titles start
// with.
func (st *corpusStats) headWord(title string) string {
	lead, end := "", 0 // end: the byte offset after the prefix
	for n := 1; n <= positionMaxRunes && end < len(title); n++ {
		_, size := utf8.DecodeRuneInString(title[end:])
		end += size
		if n >= 2 && st.titleFactor(title[:end]) > 1 {
			lead = title[:end]
		}
	}
	return lead
}

// says reports whether the query's text holds word or a synonym of it,
// or one of its words of two characters or more lies inside word.
func (aq *analyzedQuery) says(word string) bool {
	if strings.Contains(aq.std, word) || strings.Contains(aq.norm, word) {
		return true
	}
	for _, a := range aq.lex.Synonyms(word) {
		if strings.Contains(aq.std, a) {
			return true
		}
	}
	for _, t := range aq.terms {
		if utf8.RuneCountInString(t.text) > 1 && strings.Contains(word, t.text) {
			return true
		}
	}
	return false
}

// heldIn reports whether title (normalized) holds the term or a synonym
// of it as written.
func (t *queryTerm) heldIn(title string) bool {
	if strings.Contains(title, t.text) {
		return true
	}
	for _, a := range t.alts {
		if strings.Contains(title, a) {
			return true
		}
	}
	return false
}

// heardIn reports whether title (normalized) says what a typo sounds like
// (抖音 for 抖因): the characters of a run that soundsLike, which search
// matched by its sound, read as its syllables in a row (soundRuns, as the
// highlighter marks them). Before, recall gave such a title only the
// partial credit of the characters it shares with the typo (抖 of 抖因),
// and titles holding the question's other words stayed above it. Tuning
// half of the 934 readers' questions: 0.7529 -> 0.7535 (typos 0.819 ->
// 0.824: 抖因月付晚还了几天会上征信吗 0.356 -> 0.631, 信用卡销护以后… 0.933
// -> 0.965; no query lower); held-out 0.7324 -> 0.7324 (one typo up
// 0.007, one down 0.017); the keyword suite unchanged.
func (t *queryTerm) heardIn(title string) bool {
	return t.soundsLike && len(t.sound) > 0 && len(soundRuns(title, t.sound)) > 0
}

// charPrecision is the share of title's Chinese characters that text
// holds, 0 for a title without any.
func charPrecision(title, text string) float64 {
	return runeShare(title, text, analysis.IsHan)
}

// charsHeld is the share of word's characters that title holds (0 for a
// word of one character: the title does not hold it).
func charsHeld(word, title string) float64 {
	if utf8.RuneCountInString(word) < 2 {
		return 0
	}
	return runeShare(word, title, func(rune) bool { return true })
}

// runeShare is the share of s's runes that count that in holds, 0 when
// none counts.
func runeShare(s, in string, count func(rune) bool) float64 {
	n, held := 0, 0
	for _, r := range s {
		if !count(r) {
			continue
		}
		n++
		if strings.ContainsRune(in, r) {
			held++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(held) / float64(n)
}

// rerank orders one group of hits by the model, the engine's order among
// equals, and gives the places their old scores.
func (m *titleModel) rerank(hits search.DocumentMatchCollection) {
	if len(hits) < 2 {
		return
	}
	type ranked struct {
		h     *search.DocumentMatch
		score float64
	}
	rs := make([]ranked, len(hits))
	scores := make([]float64, len(hits))
	for i, h := range hits {
		title, _ := h.Fields[fTitle].(string)
		rs[i] = ranked{h, m.score(title, i)}
		scores[i] = h.Score
	}
	sort.SliceStable(rs, func(a, b int) bool { return rs[a].score > rs[b].score })
	for i, r := range rs {
		hits[i] = r.h
		hits[i].Score = scores[i]
	}
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
// fewer articles than the reranked window holds (depthOf), but some,
// the window is filled with the titles that share most of its pairs (a
// quarter of those inside its words: pairQuorum) without
// matching its words, which bleve's character pairs find. They join the
// strict hits after the words' hits, to be reranked with them
// (rerankTitles), and every page of the question reads them in the same
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
// hits (q, fewer than depthOf), with the titles that match it by their
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
	found, err := ix.page(ctx, pairs, 0, depthOf(aq)-int(res.Total))
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
