package index

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// Boosts of the search clauses. An exact phrase in the title outranks
// everything; word matches outrank bigram-only matches; the title outranks
// the body; pinyin homophones rank below exact matches.
const (
	boostTitlePhrase = 12.0
	boostTitleWords  = 4.0
	boostBodyWords   = 0.6
	boostTitleBigram = 1.5
	boostBodyBigram  = 0.4
	boostTitleChar   = 2.0
	boostPinyin      = 3.0 // Latin query typed as pinyin
	boostInitials    = 2.0
	boostPinyinPart  = 0.5 // some syllable pairs of a Latin query
	boostHomophone   = 0.6 // Chinese query matched by sound only
)

// analyzedQuery is a reader's query after normalization, with the terms
// each field is searched for. It also drives highlighting.
type analyzedQuery struct {
	norm      string
	words     []string // gse words (search mode), stop words removed, unique
	topWords  int      // how many of words are top-level (not inside another)
	unknown   bool     // the dictionary cut a one-character piece: maybe a typo
	bigrams   []string // unique bigram-field terms
	chars     int      // number of characters (runes, spaces excluded)
	latin     bool     // only Latin letters, digits and spaces: maybe pinyin
	syllable  []string // pinyin syllables: of a Latin query, or of a Chinese one
	initials  string   // a Latin query read as initials
	soundUsed bool     // the search also matched by sound (homophones)
}

func (ix *Index) analyze(q string) analyzedQuery {
	aq := analyzedQuery{norm: analysis.Normalize(q)}
	aq.chars = utf8.RuneCountInString(strings.ReplaceAll(aq.norm, " ", ""))
	seen := map[string]bool{}
	var sub []string
	for _, w := range ix.seg.Cut(aq.norm, true) {
		if ix.seg.IsStop(w.Text) || seen[w.Text] {
			continue
		}
		seen[w.Text] = true
		if w.Sub {
			sub = append(sub, w.Text)
			continue
		}
		aq.words = append(aq.words, w.Text)
		if r, _ := utf8.DecodeRuneInString(w.Text); utf8.RuneCountInString(w.Text) == 1 && analysis.IsHan(r) {
			aq.unknown = true
		}
	}
	aq.topWords = len(aq.words)
	aq.words = append(aq.words, sub...)
	for _, t := range (&analysis.GramTokenizer{N: 2}).Tokenize([]byte(aq.norm)) {
		if s := string(t.Term); !seen["bi:"+s] {
			seen["bi:"+s] = true
			aq.bigrams = append(aq.bigrams, s)
		}
	}
	aq.latin = analysis.IsLatinQuery(aq.norm)
	if aq.latin {
		compact := strings.ReplaceAll(aq.norm, " ", "")
		if parts, ok := analysis.SplitPinyin(compact, false); ok && len(parts) >= 2 {
			aq.syllable = parts
		}
		if analysis.IsInitials(compact) {
			aq.initials = compact
		}
	} else {
		aq.syllable = analysis.PinyinOf(aq.norm)
	}
	return aq
}

func phrase(field string, terms []string, boost float64) query.Query {
	var q query.Query
	if len(terms) == 1 {
		t := query.NewTermQuery(terms[0])
		t.SetField(field)
		t.SetBoost(boost)
		return t
	}
	p := query.NewPhraseQuery(terms, field)
	p.SetBoost(boost)
	q = p
	return q
}

// anyOf matches documents holding at least min of terms in field.
func anyOf(field string, terms []string, min int, boost float64) query.Query {
	qs := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		qs = append(qs, tq)
	}
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(float64(min))
	d.SetBoost(boost)
	return d
}

// quorum is how many of n query terms a document must hold: one or two
// terms need one, more need over half, so a single common term shared by
// chance does not make a hit for a long query.
func quorum(n int) int {
	if n <= 2 {
		return 1
	}
	return n/2 + 1
}

// titleQuorum is how many of n query bigrams a title must hold: a third.
// Titles are short, so two shared bigrams (征信花了 in 征信花了怎么办) say
// more there than in a body.
func titleQuorum(n int) int { return max(1, (n+2)/3) }

// multiChar drops one-character words when longer ones exist: 急用钱 must
// not match every article that says 钱.
func multiChar(words []string) []string {
	var out []string
	for _, w := range words {
		if utf8.RuneCountInString(w) > 1 {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return words
	}
	return out
}

// hasWords reports whether the query holds a word of two or more characters.
func (aq *analyzedQuery) hasWords() bool {
	for _, w := range aq.words {
		if utf8.RuneCountInString(w) > 1 {
			return true
		}
	}
	return false
}

// exactQuery matches the query as written: phrases, words and bigrams.
func (aq *analyzedQuery) exactQuery() query.Query {
	var should []query.Query
	if len(aq.bigrams) > 0 {
		// Bigram positions follow the text, so a phrase over them is an
		// exact substring match, whatever the dictionary thinks.
		if chains := phraseChains(aq.norm); len(chains) > 0 {
			should = append(should, allPhrases(fTitleBi, chains, boostTitlePhrase))
		}
		should = append(should, anyOf(fTitleBi, aq.bigrams, titleQuorum(len(aq.bigrams)), boostTitleBigram))
		if aq.unknown || !aq.hasWords() {
			// Bodies are long and their bigram postings the costliest to
			// read: search them only when the dictionary may have cut the
			// query wrong (a one-character piece); known words are found by
			// the body word clause below.
			should = append(should, anyOf(fBodyBi, aq.bigrams, quorum(len(aq.bigrams)), boostBodyBigram))
		}
	}
	// Words are the top-level ones: search-mode subwords (还款 in 提前还款)
	// would widen the match to most articles, and the title bigrams already
	// find titles that hold part of a word.
	if ws := multiChar(aq.words[:aq.topWords]); len(ws) > 0 {
		need := quorum(len(ws))
		should = append(should,
			anyOf(fTitle, ws, need, boostTitleWords),
			anyOf(fBody, ws, need, boostBodyWords))
		// A page's 相关内容 list names other articles' subjects, not its
		// own: search leaves it out (the related engine reads it).
	}
	if aq.chars == 1 {
		tq := query.NewTermQuery(aq.norm)
		tq.SetField(fTitleUni)
		tq.SetBoost(boostTitleChar)
		should = append(should, tq)
	}
	if len(should) == 0 {
		return query.NewMatchNoneQuery()
	}
	return query.NewDisjunctionQuery(should)
}

// phraseChains returns, for each space-separated part of the query, its
// bigram-field terms in order, for phrase queries.
func phraseChains(norm string) [][]string {
	var chains [][]string
	for _, part := range strings.Split(norm, " ") {
		var terms []string
		for _, t := range (&analysis.GramTokenizer{N: 2}).Tokenize([]byte(part)) {
			if analysis.IsLatinQuery(string(t.Term)) && utf8.RuneCountInString(part) > len(t.Term) {
				continue // a Latin run alone sits at the same position as its bigram
			}
			terms = append(terms, string(t.Term))
		}
		if len(terms) > 0 {
			chains = append(chains, terms)
		}
	}
	return chains
}

// allPhrases matches documents whose field holds every chain as a phrase.
func allPhrases(field string, chains [][]string, boost float64) query.Query {
	if len(chains) == 1 {
		return phrase(field, chains[0], boost)
	}
	qs := make([]query.Query, len(chains))
	for i, c := range chains {
		qs[i] = phrase(field, c, 1)
	}
	q := query.NewConjunctionQuery(qs)
	q.SetBoost(boost)
	return q
}

// soundQuery matches by pinyin: a Latin query as syllables or initials, a
// Chinese query by its homophones.
func (aq *analyzedQuery) soundQuery() query.Query {
	var should []query.Query
	if aq.latin {
		if len(aq.syllable) >= 2 {
			should = append(should, phrase(fTitlePY, aq.syllable, boostPinyin))
		}
		if n := len(aq.syllable); n >= 3 {
			// Like bigrams for characters: pairs of syllables find titles
			// holding part of a long pinyin query (zhengxinxiufu → 征信).
			pairs := make([]query.Query, 0, n-1)
			for i := 0; i+1 < n; i++ {
				pairs = append(pairs, phrase(fTitlePY, aq.syllable[i:i+2], 1))
			}
			d := query.NewDisjunctionQuery(pairs)
			d.SetMin(float64(titleQuorum(n - 1)))
			d.SetBoost(boostPinyinPart)
			should = append(should, d)
		}
		if aq.initials != "" {
			ini := strings.Split(aq.initials, "")
			should = append(should, phrase(fTitleIni, ini, boostInitials))
		}
	} else if len(aq.syllable) >= 2 {
		should = append(should, phrase(fTitlePY, aq.syllable, boostHomophone))
	}
	if len(should) == 0 {
		return nil
	}
	return query.NewDisjunctionQuery(should)
}
