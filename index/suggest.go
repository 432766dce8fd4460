package index

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// Boosts of the autocomplete clauses: a title that starts with what was
// typed comes before one that only contains it.
const (
	boostSuggestPrefix   = 10.0
	boostSuggestPinyin   = 6.0
	boostSuggestInitials = 5.0
	boostSuggestContains = 3.0
	// boostOtherReadings scales the clauses of the keys in the characters'
	// rarer readings: few titles hold such a key, so its idf, squared in
	// the score, put them first among the candidates (suggestTier orders
	// the list itself).
	boostOtherReadings = 0.2
)

// Suggest completes what the reader has typed so far: titles that start
// with it, by characters, full pinyin or initials (花呗f, huab, hbfk), then
// titles that contain it; best first, shorter titles first among equals.
func (ix *Index) Suggest(ctx context.Context, req zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	out := &zhsearch.SuggestResult{Query: req.Query, Suggestions: []zhsearch.Suggestion{}}
	norm := analysis.Normalize(req.Query)
	syl := typedSyllables(strings.ReplaceAll(norm, " ", "")) // pinyin typed in full (yuqi: yu qi)
	starts, contains := suggestQueries(norm)
	if starts == nil {
		return out, nil
	}
	// Fetch a few more candidates than asked and order them by how they
	// match (tier), then length (see suggestCandidates).
	n := min(4*req.Size, 100)
	// Titles that start with the text come before those that only contain
	// it, so the costlier "contains" phrase runs only when there are too few
	// of the former to fill the list.
	hits, err := ix.suggestCandidates(ctx, starts, n)
	if err != nil {
		return nil, err
	}
	if len(hits) < req.Size && len(syl) >= 2 {
		// Pinyin of two syllables or more is also found inside titles, as
		// text typed in characters is: the title words it spells (逾期 of
		// 花呗逾期怎么办), asked for only when the titles that start with it
		// do not fill the list.
		if spelled, err := ix.spelledContains(syl, strings.Contains(norm, " ")); err != nil {
			return nil, err
		} else if spelled != nil {
			contains = spelled
		}
	} else if compact := strings.ReplaceAll(norm, " ", ""); len(hits) < req.Size && len(compact) >= 2 && analysis.IsInitials(compact) {
		// So are initials, of the words they stand for.
		if inside, err := ix.initialsContains(compact, strings.Contains(norm, " ")); err != nil {
			return nil, err
		} else if inside != nil && contains != nil {
			contains = query.NewDisjunctionQuery([]query.Query{contains, inside})
		} else if inside != nil {
			contains = inside
		}
	}
	if contains != nil && len(hits) < req.Size {
		if hits, err = ix.suggestCandidates(ctx, query.NewDisjunctionQuery([]query.Query{starts, contains}), n); err != nil {
			return nil, err
		}
	}
	// Words typed together that no title says in a row (花呗征信, or a
	// question typed so far: 花呗逾期了会不) are looked for apart, as if
	// typed with spaces: readers of Chinese type none.
	var apart string
	if len(hits) < req.Size {
		apart = ix.apartWords(norm)
	}
	if apart != "" {
		any := []query.Query{starts, allPhrases(fTitleBi, phraseChains(apart), boostSuggestContains)}
		if contains != nil {
			any = append(any, contains)
		}
		if hits, err = ix.suggestCandidates(ctx, query.NewDisjunctionQuery(any), n); err != nil {
			return nil, err
		}
	}
	type cand struct {
		zhsearch.Suggestion
		tier, length int
	}
	cands := make([]cand, 0, len(hits))
	for _, h := range hits {
		if tier, length, ok := suggestTier(norm, h.title); ok {
			cands = append(cands, cand{zhsearch.Suggestion{ID: h.id, Title: h.title}, tier, length})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].tier != cands[j].tier {
			return cands[i].tier > cands[j].tier
		}
		if cands[i].length != cands[j].length {
			return cands[i].length < cands[j].length
		}
		return cands[i].ID < cands[j].ID
	})
	// A title suggested once is enough: picking it runs one search,
	// whichever of the articles that share it was listed.
	shown := make(map[string]bool, req.Size)
	// Initials typed apart (jc hb) mark the title words they stand for.
	initialWords, err := ix.apartInitials(strings.Fields(norm))
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(cands) && len(out.Suggestions) < req.Size; i++ {
		sg := cands[i].Suggestion
		// Titles that differ only by spaces (花呗逾期 怎么办) are one.
		key := strings.ReplaceAll(analysis.Normalize(sg.Title), " ", "")
		if shown[key] {
			continue
		}
		shown[key] = true
		typed := norm
		if cands[i].tier == tierApart && apart != "" {
			typed = apart // each word where the title holds it
		}
		sg.Highlight = mark(sg.Title, suggestMarks(typed, syl, sg.Title, initialWords), 0, len(sg.Title))
		out.Suggestions = append(out.Suggestions, sg)
	}
	return out, nil
}

// suggestMarks returns the spans of title to mark for the typed text
// norm (syl: its whole pinyin syllables, typedSyllables): what completes
// it (suggestMark), else, for words typed apart (逾期 征信, yuqi zhengxin),
// each word where the title holds it or its sound, in whatever order
// (征信逾期多久能消除): such titles are suggested too.
func suggestMarks(norm string, syl []string, title string, initialWords map[string][]wordCount) []span {
	if sp := suggestMark(norm, syl, title); sp.end > sp.start {
		return []span{sp}
	}
	words := strings.Fields(norm)
	if len(words) < 2 {
		return nil
	}
	t, offs := analysis.NormalizeMap(title, true)
	var spans []span
	for _, w := range words {
		if i := strings.Index(t, w); i >= 0 {
			spans = append(spans, origSpan(title, offs, i, i+len(w)))
		} else if syl := typedSyllables(w); len(syl) >= 2 {
			// A word typed in pinyin (huabei jiechu): the characters it reads.
			if runs := soundRuns(t, syl); len(runs) > 0 {
				spans = append(spans, origSpan(title, offs, runs[0].start, runs[0].end))
			}
		} else if len(w) >= 2 && analysis.IsInitials(w) {
			// A word typed as initials (zx hb): a title word they stand for
			// (解除 for jc), else the first characters they start (久才 of
			// 多久才能解除 came before 解除).
			if sp, ok := firstWordIn(title, t, offs, initialWords[w]); ok {
				spans = append(spans, sp)
			} else if runs := soundRuns(t, strings.Split(w, "")); len(runs) > 0 {
				spans = append(spans, origSpan(title, offs, runs[0].start, runs[0].end))
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := spans[:0]
	for _, sp := range spans { // words side by side or overlapping mark as one
		if n := len(out); n > 0 && sp.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// firstWordIn returns the span in title of the first of words that its
// normalized form t holds.
func firstWordIn(title, t string, offs []int, words []wordCount) (span, bool) {
	for _, w := range words {
		if i := strings.Index(t, w.word); i >= 0 {
			return origSpan(title, offs, i, i+len(w.word)), true
		}
	}
	return span{}, false
}

// apartInitials returns, for each of two or more words typed apart that
// is initials (zx hb), the title words it stands for (initialsWords);
// nil when there are none. Search matches by them (apartWords), and
// completion marks them.
func (ix *Index) apartInitials(words []string) (map[string][]wordCount, error) {
	if len(words) < 2 {
		return nil, nil
	}
	var out map[string][]wordCount
	for _, w := range words {
		if !analysis.IsInitials(w) {
			continue
		}
		ws, err := ix.initialsWords(w)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string][]wordCount{}
		}
		out[w] = ws
	}
	return out, nil
}

// suggestMark returns the span of title (byte offsets; empty when none)
// that completes the typed text norm: norm as the title writes it,
// traditional, full-width or in another case (花唄風 marks 花呗风 of
// 花呗风控…), or without the spaces typed between words; else, from the
// title's start, the characters whose pinyin or initials norm types (huab,
// hb: 花呗), or inside it, the characters its whole syllables syl read as.
func suggestMark(norm string, syl []string, title string) span {
	t, offs := analysis.NormalizeMap(title, true)
	for _, typed := range []string{norm, strings.ReplaceAll(norm, " ", "")} {
		if i := strings.Index(t, typed); typed != "" && i >= 0 {
			return origSpan(title, offs, i, i+len(typed))
		}
	}
	if !hasLatin(norm) {
		return span{}
	}
	typed, _ := titlePinyinKeys(norm)
	compact := strings.ReplaceAll(norm, " ", "")
	var chars []readingsAt
	for i, r := range t {
		if r == ' ' {
			continue
		}
		rs := analysis.CharReadings(r)
		if rs == nil {
			rs = []string{string(r)} // a Latin letter or digit stands for itself
		}
		chars = append(chars, readingsAt{rs, origSpan(title, offs, i, i+utf8.RuneLen(r)).end})
	}
	end, ok := typedAlong(chars, typed, false)
	initials := compact
	if head, _ := hanLatinTail(compact); head != "" {
		_, initials = titlePinyinKeys(compact) // 花呗fk: hbfk
	}
	if e, iok := typedAlong(chars, initials, true); iok && (!ok || e < end) {
		end, ok = e, true
	}
	if !ok {
		// Inside the title: the first run read as the whole syllables
		// typed (yuqi: 逾期 of 花呗逾期怎么办), or as the initials (txgz:
		// 停息挂账).
		inside := syl
		if len(syl) < 2 && len(compact) >= 2 && analysis.IsInitials(compact) {
			inside = strings.Split(compact, "")
		}
		if len(inside) >= 2 {
			if runs := soundRuns(t, inside); len(runs) > 0 {
				return origSpan(title, offs, runs[0].start, runs[0].end)
			}
		}
		return span{}
	}
	return span{offs[0], end}
}

// readingsAt is a title character as completion reads it: its readings
// (a Latin letter or digit: itself) and the offset in the title just
// after it.
type readingsAt struct {
	readings []string
	end      int
}

// typedAlong reports where typed, pinyin (or initials), ends along chars
// from their start, reading each character in any of its readings: the
// offset after the character where it ends (inside a syllable: huab ends
// at 呗 of 花呗), or false when no choice of readings spells it.
func typedAlong(chars []readingsAt, typed string, initials bool) (int, bool) {
	var at func(i, k int) (int, bool)
	at = func(i, k int) (int, bool) {
		if i == len(chars) {
			return 0, false
		}
		rest := typed[k:]
		for _, key := range chars[i].readings {
			if initials {
				key = key[:1]
			}
			switch {
			case !initials && strings.HasPrefix(key, rest), initials && key == rest:
				return chars[i].end, true
			case strings.HasPrefix(rest, key):
				if end, ok := at(i+1, k+len(key)); ok {
					return end, true
				}
			}
		}
		return 0, false
	}
	if typed == "" {
		return 0, false
	}
	return at(0, 0)
}

// suggestCandidates returns the ids and titles of the n best matches of q,
// by score alone: bleve's tf-idf scores differ by field norms, which mean
// nothing for a one-line completion, but shorter titles still come first
// among equal matches (the prefix fields' norms fall with the title's
// length, see analysis.EdgePad). The top-k evaluator answers what it can
// compile, titles come from the title cache; bleve the rest. Of candidates
// tied at the last place the first in the index are taken, not the
// smallest ids (topResult.byID): on a common prefix thousands tie, and
// reading their ids made a completion a fifth slower.
func (ix *Index) suggestCandidates(ctx context.Context, q query.Query, n int) ([]docTitle, error) {
	if !ix.bleveSearch {
		r, err := ix.reader()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		segs, _ := snapshotSegments(r)
		top, err := topK(ctx, r, q, n, 0, &ix.postings, decodeLists) // 0: no count wanted; prefix lists are few and read again and again: decoded at once
		if err == nil {
			out := make([]docTitle, 0, len(top.hits))
			for _, h := range top.hits {
				t, err := ix.titleOf(segs, h.doc)
				if err != nil {
					return nil, err
				}
				out = append(out, t)
			}
			return out, nil
		}
		if !errors.As(err, new(errUnsupported)) {
			return nil, err
		}
	}
	sr := bleve.NewSearchRequestOptions(q, n, 0, false)
	sr.Fields = []string{fTitle}
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	out := make([]docTitle, 0, len(res.Hits))
	for _, h := range res.Hits {
		title, _ := h.Fields[fTitle].(string)
		out = append(out, docTitle{id: h.ID, title: title})
	}
	return out, nil
}

// How a title completes the typed text (suggestTier), worst first. A title
// spelled by its characters' usual readings comes before one spelled only
// by a rarer reading of one of them: zx completes 征信… before 从…, whose
// 从 reads zong only in old texts (found by a probe: 从 titles filled the
// list and no 征信 title was offered, though 91 start with it). Titles
// that hold the words typed, but not as typed (花呗 征信 or 花呗征信 of
// 花呗逾期三天会上征信吗), come last.
const (
	tierApart = iota
	tierContains
	tierInitialsOther
	tierInitials
	tierPinyinOther
	tierPinyin
	tierText
)

// suggestTier ranks how a title completes the typed text (tierText …
// tierContains).
//
// Chinese followed by Latin (花呗f, 花呗fk, 借钱ap: hanLatinTail) is
// completed only by titles that say the Chinese as typed: starting with it
// (by the pinyin or the initials of what follows), or holding the whole
// text; ok is false for the others (花被风控 sounds like 花呗f, but the
// reader wrote 花呗).
func suggestTier(norm, title string) (tier, length int, ok bool) {
	t := analysis.Normalize(title)
	length = utf8.RuneCountInString(t)
	compactT, compactN := strings.ReplaceAll(t, " ", ""), strings.ReplaceAll(norm, " ", "")
	if strings.HasPrefix(t, norm) || strings.HasPrefix(compactT, compactN) {
		return tierText, length, true // a space typed between words (花呗 风控) or not
	}
	typed, typedInitials := titlePinyinKeys(norm)
	full, initials := titlePinyinVariants(t)
	head, _ := hanLatinTail(compactN)
	startsAsTyped := head == "" || strings.HasPrefix(compactT, head)
	starts := func(keys []string, prefix string) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, prefix) })
	}
	// usual picks tier where keys[0], the usual readings' key, starts
	// with prefix, else other.
	usual := func(keys []string, prefix string, tier, other int) int {
		if strings.HasPrefix(keys[0], prefix) {
			return tier
		}
		return other
	}
	switch {
	case hasLatin(norm) && startsAsTyped && starts(full, typed):
		return usual(full, typed, tierPinyin, tierPinyinOther), length, true
	case hasLatin(norm) && head == "" && starts(initials, compactN):
		return usual(initials, compactN, tierInitials, tierInitialsOther), length, true
	case head != "" && startsAsTyped && starts(initials, typedInitials):
		return usual(initials, typedInitials, tierInitials, tierInitialsOther), length, true
	}
	if strings.Contains(compactT, compactN) {
		return tierContains, length, true
	}
	if !hasLatin(norm) {
		return tierApart, length, true // its words typed apart or together
	}
	return tierContains, length, head == "" // the words that pinyin or initials spell
}

// apartWords returns the words of norm, text in characters typed with no
// space, that a title may hold apart, joined by spaces: its words of two
// characters or more but for stop and question words (会不会 of a question
// being typed); "" when there are fewer than two such words, or norm holds
// Latin letters or spaces (those have their own ways: spelledContains,
// initialsContains, the words typed apart).
func (ix *Index) apartWords(norm string) string {
	if hasLatin(norm) || strings.Contains(norm, " ") {
		return ""
	}
	var words []string
	for _, w := range ix.seg.Cut(norm, false) {
		if utf8.RuneCountInString(w.Text) < 2 || ix.seg.IsStop(w.Text) || slices.Contains(words, w.Text) {
			continue
		}
		if _, question := ix.seg.Lexicon().QuestionStemWeight(w.Text); question {
			continue
		}
		words = append(words, w.Text)
	}
	if len(words) < 2 {
		return ""
	}
	return strings.Join(words, " ")
}

// hanLatinTail splits text that ends with Latin letters or digits typed
// after Chinese (借钱ap, 应急1000, 花呗fk) into the text before them and
// them; head is "" for any other text.
func hanLatinTail(compact string) (head, tail string) {
	i := len(compact)
	for i > 0 && isLatinOrDigit(compact[i-1]) {
		i--
	}
	if i == len(compact) || i == 0 {
		return "", ""
	}
	if r, _ := utf8.DecodeLastRuneInString(compact[:i]); !analysis.IsHan(r) {
		return "", ""
	}
	return compact[:i], compact[i:]
}

func isLatinOrDigit(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// suggestQueries returns the query for titles that start with the
// normalized text (by characters, pinyin or initials) and the one for titles
// that contain it, by characters or a Latin word (nil when there is none);
// pinyin's is spelledContains.
func suggestQueries(norm string) (starts, contains query.Query) {
	if norm == "" {
		return nil, nil
	}
	var should []query.Query
	// "Starts with" is one term of a prefix field (analysis.Edge); only
	// text longer than its prefixes needs a prefix query on the whole key,
	// which such long text keeps selective.
	// Pinyin and initials are also the prefixes of the title's keys in
	// its characters' other readings (otherReadingPrefixes).
	others := map[string]string{fTitlePreP: fTitlePrePX, fTitlePreI: fTitlePreIX}
	prefix := func(field, edgeField, p string, boost float64) {
		if utf8.RuneCountInString(p) <= analysis.MaxEdge {
			q := query.NewTermQuery(p)
			q.SetField(edgeField)
			q.SetBoost(boost)
			should = append(should, q)
			if other := others[edgeField]; other != "" {
				o := query.NewTermQuery(p)
				o.SetField(other)
				o.SetBoost(boost * boostOtherReadings)
				should = append(should, o)
			}
			return
		}
		q := query.NewPrefixQuery(p)
		q.SetField(field)
		q.SetBoost(boost)
		should = append(should, q)
	}
	prefix(fTitleKey, fTitlePre, norm, boostSuggestPrefix)
	compact := strings.ReplaceAll(norm, " ", "")
	spaced := compact != norm && !hasLatin(norm)
	if spaced {
		// A space typed between words (花呗 风, the keystroke before
		// 花呗 风控) that the title does not have: its key has none there.
		prefix(fTitleKey, fTitlePre, compact, boostSuggestPrefix)
	}
	// One character, a letter or a digit too (2 of 查询2次), says little of
	// what the reader is typing: only titles that start with it.
	one := utf8.RuneCountInString(compact) < 2
	if head, tail := hanLatinTail(compact); head != "" && !spaced && utf8.RuneCountInString(head) >= 2 {
		// A Latin word or a number being typed after Chinese (借钱A of
		// 借钱APP, 应急1000 of 应急10000元): the title's pairs hold each
		// Latin or digit run as a term, which the part typed so far
		// starts; suggestTier keeps the titles that hold the whole text.
		last := query.NewPrefixQuery(tail)
		last.SetField(fTitleBi)
		contains = query.NewConjunctionQuery([]query.Query{allPhrases(fTitleBi, phraseChains(head), 1), last})
		scaleBoost(contains, boostSuggestContains)
	} else if chains := phraseChains(norm); !one && len(chains) > 0 && !analysis.IsLatinQuery(norm) {
		contains = allPhrases(fTitleBi, chains, boostSuggestContains)
		if spaced && hasSingle(chains) {
			// A word of one character typed so far (风 of 花呗 风) is no
			// pair for the titles' pairs to hold: the text as one run
			// finds the titles that say it (支付宝花呗风控).
			contains = query.NewDisjunctionQuery([]query.Query{contains, allPhrases(fTitleBi, phraseChains(compact), boostSuggestContains)})
		}
	} else if latinWordPrefix(norm) {
		// A Latin word inside titles (APP in 借钱APP下载): the title bigram
		// field holds each Latin run as a term.
		q := query.NewPrefixQuery(norm)
		q.SetField(fTitleBi)
		q.SetBoost(boostSuggestContains)
		contains = q
	}
	if hasLatin(norm) {
		key, _ := titlePinyinKeys(norm)
		if len(key) >= 2 {
			prefix(fTitleKeyP, fTitlePreP, key, boostSuggestPinyin)
		}
		if analysis.IsInitials(compact) {
			prefix(fTitleKeyI, fTitlePreI, compact, boostSuggestInitials)
		} else if head, tail := hanLatinTail(compact); head != "" && analysis.IsInitials(tail) {
			// Chinese, then the initials of what follows it (花呗fk):
			// the title's initials key, the Chinese as its initials.
			_, initials := titlePinyinKeys(compact)
			prefix(fTitleKeyI, fTitlePreI, initials, boostSuggestInitials)
		}
	}
	return query.NewDisjunctionQuery(should), contains
}

// spelledContains is the "contains" query of pinyin syllables syl: the
// title words they spell, in any reading (pinyinWords), as their
// character pairs in a row, the phrase text typed in characters gets; nil
// when they spell no title word. It takes the place of the Latin word's
// prefix (app of 借钱APP), which pinyin rarely is and which the top-k
// evaluator cannot answer: with it bleve read every title holding the
// words. A phrase of the syllables over the titles' readings found them
// at 40 times the cost at 100k articles: a syllable's list holds every
// character read so.
//
// Syllables that spell no one word but several, one after another, find
// the titles that hold the words in a row (fengkongjiechu: 风控解除), or,
// typed apart (huabei jiechu), each anywhere, as the words typed in
// characters do (found by a probe: 风控解除 completed 花呗风控解除指南,
// fengkongjiechu nothing).
func (ix *Index) spelledContains(syl []string, apart bool) (query.Query, error) {
	runs, err := wordRuns(syl, len(syl), ix.pinyinWords)
	return wordsContains(runs, 0, apart), err
}

// initialsContains is the "contains" query of initials typed for words
// inside titles (txgz: 停息挂账 of 花呗停息挂账指南): split into runs of two
// or three initials that stand for title words (initialsWords), the titles
// that hold one of the commonest initialsInsideWords of each run; nil when
// the initials cannot be split so (found by a probe: txgz completed
// nothing, search found 691 titles).
func (ix *Index) initialsContains(initials string, apart bool) (query.Query, error) {
	runs, err := wordRuns(strings.Split(initials, ""), initialsMaxRunes, ix.initialsWords)
	return wordsContains(runs, initialsInsideWords, apart), err
}

// initialsInsideWords is how many of the words a run of initials stands
// for are looked for inside titles, the commonest: hb stands for 花呗 and
// for dozens of rarer words.
const initialsInsideWords = 3

// wordsContains matches the titles holding a word of every run (of each
// run's first most words, 0: all), each word as its character pairs in a row; the
// runs' words one after another, as typed together (hbfk: 花呗风控, not
// 花呗…风控), unless they were typed apart (huabei jiechu); nil for no runs.
func wordsContains(runs [][]wordCount, most int, apart bool) query.Query {
	if len(runs) > 1 && !apart {
		var any []query.Query
		for _, words := range inARow(runs, most) {
			any = append(any, allPhrases(fTitleBi, phraseChains(words), boostSuggestContains))
		}
		return query.NewDisjunctionQuery(any)
	}
	all := make([]query.Query, 0, len(runs))
	for _, words := range runs {
		any := make([]query.Query, 0, len(words))
		for _, w := range firstWords(words, most) {
			any = append(any, allPhrases(fTitleBi, phraseChains(w.word), boostSuggestContains))
		}
		all = append(all, query.NewDisjunctionQuery(any))
	}
	switch len(all) {
	case 0:
		return nil
	case 1:
		return all[0]
	}
	return query.NewConjunctionQuery(all)
}

// inARow returns the texts of one word of each run after another, of
// each run's first most words, at most maxInARow of them.
func inARow(runs [][]wordCount, most int) []string {
	out := []string{""}
	for _, words := range runs {
		var next []string
		for _, prefix := range out {
			for _, w := range firstWords(words, most) {
				if len(next) < maxInARow {
					next = append(next, prefix+w.word)
				}
			}
		}
		out = next
	}
	return out
}

// firstWords returns words' first most (0: all).
func firstWords(words []wordCount, most int) []wordCount {
	if most > 0 && most < len(words) {
		return words[:most]
	}
	return words
}

// maxInARow bounds the phrases of words typed together (inARow).
const maxInARow = 16

// wordRuns splits parts (syllables or initials) into runs of two to
// longest parts that each stand for title words (words of the joined run),
// the longest runs first, and returns each run's words; nil when parts
// cannot be split so.
func wordRuns(parts []string, longest int, words func(string) ([]wordCount, error)) ([][]wordCount, error) {
	for end := min(len(parts), longest); end >= 2; end-- {
		ws, err := words(strings.Join(parts[:end], ""))
		if err != nil {
			return nil, err
		}
		if len(ws) == 0 {
			continue
		}
		if end == len(parts) {
			return [][]wordCount{ws}, nil
		}
		rest, err := wordRuns(parts[end:], longest, words)
		if err != nil || rest != nil {
			return append([][]wordCount{ws}, rest...), err
		}
	}
	return nil, nil
}

// typedSyllables returns the whole pinyin syllables of compact, text of
// Latin letters only, leaving out a last one still being typed (yuqig:
// yu, qi); nil for text that is not pinyin.
func typedSyllables(compact string) []string {
	if compact == "" || !latinWordPrefix(compact) || strings.IndexFunc(compact, unicode.IsDigit) >= 0 {
		return nil
	}
	if parts, ok := analysis.SplitPinyin(compact, false); ok {
		return parts
	}
	if parts, ok := analysis.SplitPinyin(compact, true); ok && len(parts) > 1 {
		return parts[:len(parts)-1]
	}
	return nil
}

// hasSingle reports whether a chain is one character alone.
func hasSingle(chains [][]string) bool {
	for _, c := range chains {
		if len(c) == 1 && utf8.RuneCountInString(c[0]) == 1 {
			return true
		}
	}
	return false
}

// latinWordPrefix reports whether norm is the start of one Latin word, two
// characters or more: one letter would match every Latin word of the site.
func latinWordPrefix(norm string) bool {
	if len(norm) < 2 {
		return false
	}
	for i := 0; i < len(norm); i++ {
		if !isLatinOrDigit(norm[i]) {
			return false
		}
	}
	return true
}

func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return true
		}
	}
	return false
}
