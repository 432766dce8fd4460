package index

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// Boosts of the search clauses. An exact phrase in the title outranks
// everything; word matches outrank bigram-only matches; the title outranks
// the body; pinyin homophones rank below exact matches.
const (
	boostTitlePhrase = 12.0
	boostTitleWords  = 4.0
	boostBodyWords   = 0.6
	// boostCover weighs an article holding every content word of the query
	// in its title or body (coverClause). On the tuning halves 0.2 to 1
	// score alike: the keyword suite, whose articles have bodies, 0.9287 →
	// 0.9301, readers' questions, mostly titles alone, 0.8329 → 0.8327.
	boostCover       = 0.5
	boostTitleBigram = 1.5
	boostBodyBigram  = 0.4
	boostTitleChar   = 2.0
	boostPinyin      = 3.0 // Latin query typed as pinyin
	boostInitials    = 2.0
	// boostInitialWords weighs a title word initials stand for (hb: 花呗)
	// as the initials: a title holding it matches both and ranks above
	// titles whose neighbouring characters merely have them.
	boostInitialWords = boostInitials
	boostPinyinPart   = 0.5 // some syllable pairs of a Latin query
	boostHomophone    = 0.6 // Chinese query matched by sound only
)

// maxCoverTerms bounds the queries coverClause serves: an article rarely
// holds every word of a longer one (a whole title pasted in), and the
// clause is then work for nothing (for every query it cost about 6% of
// search time at 100k, paired in-process; up to four words, within noise).
const maxCoverTerms = 4

// analyzedQuery is a reader's query after normalization, with the terms
// each field is searched for. It also drives highlighting.
type analyzedQuery struct {
	norm     string
	std      string      // norm with spoken forms respelled (咋办 → 怎么办)
	words    []string    // gse words (search mode), stop and filler words removed, unique
	terms    []queryTerm // the content words that carry the query, with synonyms
	intents  []string    // intent words (多久, 怎么办): rank, never required
	unknown  bool        // the dictionary cut a one-character piece: maybe a typo
	bigrams  []string    // unique bigram-field terms of the content words
	chars    int         // number of characters (runes, spaces excluded)
	latin    bool        // only Latin letters, digits and spaces: maybe pinyin
	syllable []string    // pinyin syllables: of a Latin query, or of a Chinese one
	// runOn is a Latin query's syllables read as if typed without its
	// spaces, where they differ (xian of xi an), as completion reads them.
	runOn    []string
	initials string // a Latin query read as initials
	// initialsApart are a Latin query's words when each is initials and
	// there are two or more (jc hb); apartWords the title words each
	// stands for (initialsWords), when every one stands for some: a title
	// holding one word of each matches, in any order and place, as
	// completion reads them, where initials match as one run (hbfk).
	initialsApart []string
	apartWords    [][]wordCount
	soundUsed     bool // the search also matched by sound (homophones)
	// initialWords are the title words the initials stand for (initials.go).
	initialWords []wordCount
	// joined are one-character pieces with the piece beside them, as the
	// query writes them (急用钱 of 急用钱去哪借, cut 急 / 用钱): highlighting
	// marks them where a title holds them, not only the word inside.
	joined []string
	// slips are the query's candidate typos (queryTerm.slip), weighed
	// with its terms; checkSlips makes terms of those that are typos.
	slips   []queryTerm
	body    bodyBigrams // what the index's body bigrams are (Index.body)
	typedPY string      // the field typed pinyin is matched in (Index.typedPY); "": title_py
	lex     *analysis.Lexicon
	// ask is the clause of a question of several that asks (askingClause),
	// "" for a query of one clause or of none that asks.
	ask string
	// stats are the index's statistics as weigh read them (nil: not
	// weighed), whose head words tell what a title is about
	// (leadsElsewhere).
	stats *corpusStats
	// unfinished is a Latin query's syllables when its last is still being
	// typed (zhengx: zheng, x), nil otherwise (see soundQuery); completions
	// are the syllables that last one may become (completeSyllable).
	unfinished, completions []string
}

// queryTerm is one content word of a query. A field matches it when it
// holds the word or one of its synonyms.
type queryTerm struct {
	text   string
	alts   []string // synonyms, from the query lexicon
	weight float64  // how informative: its idf in the index (see weigh)
	// position is the factor of its weight from its place in the site's
	// titles (corpusStats.titleFactor; 0: not weighed): below 1 for a
	// template word, above for a head word.
	position float64
	absent   bool // no article holds it (see weigh)
	weighed  bool // weigh has set weight, position and typical
	// typical is how much more often the site's articles use the word
	// than general text does: its general idf (dict/common.txt; commonIDF
	// for a word general text rarely uses) less its idf in the index, a
	// log ratio. A question's subject (花呗 5.8, 还款 5.5) is typical of
	// the site; the situation around it (工资 0.9, 银行卡 2.5, 以后 -0.6)
	// is not, however rare the site's idf makes it.
	typical float64
	// run: the text is a run of one-character pieces, a word the
	// dictionary does not know (面签, 贷超), matched as its character pairs
	// in order; or a word no article holds that titles hold as characters
	// (asRun: 首套 of 首套房), or a typo of a word (markWordTypos).
	run bool
	// soundsLike: an absent run whose sound some title holds (花贝 for
	// 花呗): a typo, which the sound path matches, not a word the site
	// lacks (see markTypos and heldTerms).
	soundsLike bool
	// soundsWord: its sound is a whole title word's (多投: 多头), not only
	// characters some title holds in a row (号还: 好还 of 花呗号还): the
	// misspelt word may be what the question asks about (typoSubject).
	soundsWord bool
	// slip: a one-character filler and the piece after it (过气 of
	// 京东E卡过气了), or a word of two characters and the one-character
	// piece after it (网上贷 of 网上贷和借呗区别), kept as a term only if it
	// is a typo (checkSlips): the input method offered a filler for the
	// first character of a word (过期), or a word for the first two of
	// three (网上 for 网商 of 网商贷, 使用 + 律 for 使用率), which the
	// dictionary then cut apart.
	slip bool
	// sound is the pinyin a title holds for a run that soundsLike: the
	// run's syllables, or of a run that holds a one-character word beside
	// the typo (提 of 提异意), two of them in a row (yi yi: 异议).
	sound []string
	body  bodyBigrams // as analyzedQuery.body
	// pair is the title bigram that also writes an amount or a count (2万
	// of 两万 or of 2万元: titles cut 借2万元 as 借 / 2 / 万元; 3天 of 三天),
	// "" for other words.
	pair string
	// forms is how many of alts, the last ones, are the other ways of
	// writing its number (20000 and 二万 of 两万, 三天 of 3天): with pair,
	// one spelling of the word in its group (synonymsQuery.Size).
	forms int
	// typed: text is a number as typed over several pieces (2万 of 2万元,
	// 九十天 of 九十 / 天; numbersIn), no word of the index; its alts and
	// pair spell it.
	typed bool
}

func (ix *Index) analyze(q string) analyzedQuery {
	lex := ix.seg.Lexicon()
	aq := analyzedQuery{norm: analysis.Normalize(q), body: ix.body, typedPY: ix.typedPY, lex: lex}
	aq.std = ix.seg.Respell(aq.norm)
	aq.ask = askingClause(lex, q)
	aq.chars = utf8.RuneCountInString(strings.ReplaceAll(aq.norm, " ", ""))
	content := []byte(aq.std) // fillers and intent words blanked out, for bigrams
	seen := map[string]bool{}
	var sub []string
	run := oovRun{body: aq.body}
	var prev analysis.Word // the top-level piece before w
	prevDenied, prevFunction := false, false
	cut := ix.seg.Cut(aq.std, true)
	denied := ix.seg.Denied(cut) // 逾期 of 从来没逾期过为什么被拒: no content word
	numbers, rest := numbersIn(cut)
	for i, w := range cut {
		before := prev // the top-level piece before w (prev becomes w below)
		if t, ok := numbers[i]; ok || rest[i] {
			// An amount or a count over this piece and the next ones (2万,
			// 九十天): one term, whatever the pieces are alone; their
			// pairs (2万, 十天) stay bigrams.
			prev, prevDenied, prevFunction = w, false, rest[i]
			if r, ok := run.add(w, true); ok && !seen[r.text] {
				seen[r.text] = true
				aq.terms = append(aq.terms, r)
			}
			if ok && !seen[t.text] {
				seen[t.text] = true
				aq.words = append(aq.words, t.text)
				aq.terms = append(aq.terms, *t)
			}
			continue
		}
		weight, listed := lex.QuestionWeight(w.Text)
		function := ix.seg.IsStop(w.Text) || listed
		if !w.Sub {
			if !denied[i] && !prevDenied { // 没逾期过 must not mark 逾期过
				if !function && !prevFunction {
					// A filler or a question word is no part of what a
					// title says (a probe saw 没有[工作能]申请贷款吗 and
					// [信用卡被]停[卡了] marked).
					aq.joinPieces(prev, w)
				}
				if t, ok := slipTerm(prev, prevFunction, w, function, aq.body); ok && !seen["slip:"+t.text] {
					seen["slip:"+t.text] = true
					aq.slips = append(aq.slips, t)
				}
			}
			prev, prevDenied, prevFunction = w, denied[i], function
			if t, ok := run.add(w, function || denied[i]); ok && !seen[t.text] {
				seen[t.text] = true
				aq.terms = append(aq.terms, t)
			}
		}
		if denied[i] {
			if !w.Sub {
				blank(content, w.Start, w.End)
			}
			continue
		}
		if !w.Sub && function {
			blank(content, w.Start, w.End)
		}
		if w.Sub {
			// Kept apart from the top-level words seen: a word met first
			// inside a longer one (担保 of 担保人) is still a term where the
			// query writes it alone (这笔担保).
			if !function && !seen[w.Text] && !seen["sub:"+w.Text] {
				seen["sub:"+w.Text] = true
				sub = append(sub, w.Text)
			}
			continue
		}
		if seen[w.Text] || function && (!listed || weight == 0) {
			continue
		}
		seen[w.Text] = true
		switch {
		case listed:
			aq.addIntent(lex, w.Text, seen)
			aq.words = append(aq.words, w.Text)
		case negation(w.Text):
			// 没, 不 alone: what they negate is the word, and their
			// character pairs (没还 of 花呗没还钱) stay among the query's
			// bigrams, which match and rank. As
			// words they weighed more than a question's subject (没 2.8,
			// 网贷 2.5 in the judged corpus), matched any title saying
			// them, and, one character, made the query look mistyped.
			// Tuning halves of readers' questions: all 0.7943 → 0.7985,
			// full questions 0.7373 → 0.7443, spoken 0.7721 → 0.7792.
			// Longer negations (没有, 未曾) stay words: 没有工作 asks about
			// having no work, and no tuning half has weighed them.
			aq.words = append(aq.words, w.Text)
		default:
			aq.words = append(aq.words, w.Text)
			t := wordTerm(lex, w.Text)
			if code := modelName(before, w); code != "" {
				t.alts = append(slices.Clip(t.alts), code)
			}
			aq.terms = append(aq.terms, t)
			if oneHan(w.Text) {
				aq.unknown = true
			}
		}
	}
	if t, ok := run.close(); ok && !seen[t.text] {
		aq.terms = append(aq.terms, t)
	}
	if asksWhy(aq.std) && !seen[whyIntent] {
		seen[whyIntent] = true
		aq.addIntent(lex, whyIntent, seen)
	}
	for _, w := range sub {
		if !seen[w] {
			aq.words = append(aq.words, w)
		}
	}
	bigramText := strings.Join(strings.Fields(string(content)), " ")
	if len(aq.terms) == 0 {
		// Only question words (怎么办, 多少钱) or negations (不行): the
		// question words are its terms, and the pairs of its whole text
		// its bigrams.
		for _, w := range aq.intents {
			aq.terms = append(aq.terms, queryTerm{text: w})
		}
		aq.intents = nil
		bigramText = aq.std
	}
	for _, t := range (&analysis.GramTokenizer{N: 2}).Tokenize([]byte(bigramText)) {
		if s := string(t.Term); !seen["bi:"+s] && !numberDigits(numbers, s) {
			seen["bi:"+s] = true
			aq.bigrams = append(aq.bigrams, s)
		}
	}
	aq.latin = analysis.IsLatinQuery(aq.norm)
	if aq.latin {
		compact := strings.ReplaceAll(aq.norm, " ", "")
		runOn, runOnOK := analysis.SplitPinyin(compact, false)
		parts, ok := analysis.SplitPinyinWords(aq.norm)
		if !ok {
			parts, ok = runOn, runOnOK
		} else if runOnOK && !slices.Equal(parts, runOn) {
			aq.runOn = runOn[:min(len(runOn), maxQueryPairs+1)]
		}
		if ok && (len(parts) >= 2 || len(parts[0]) >= minSyllableLetters) {
			// Bounded as a query's words are (see bound): a title's pinyin
			// is rarely longer, and de×100 cost 10–20 searches.
			aq.syllable = parts[:min(len(parts), maxQueryPairs+1)]
		}
		if !ok {
			// Pinyin whose last syllable is still being typed (zhengx,
			// huabeiy): completion offers its titles, and the reader who
			// presses Enter expects to find them (found by a probe: every
			// such query found nothing).
			if parts, ok := analysis.SplitPinyin(compact, true); ok && len(parts) >= 2 && len(parts) <= maxQueryPairs {
				aq.unfinished = parts
			}
		}
		if analysis.IsInitials(compact) {
			aq.initials = compact
			if words := strings.Fields(aq.norm); len(words) >= 2 && len(words) <= maxQueryPairs {
				aq.initialsApart = words
			}
		}
	} else {
		// Pinyin typed beside characters is read as sound too: hua呗 is
		// what an IME shows while 花呗 is being typed.
		aq.syllable = analysis.SoundOf(aq.norm)
	}
	return aq
}

// joinPieces adds prev and w, written one after the other, to joined when
// either is one Han character.
func (aq *analyzedQuery) joinPieces(prev, w analysis.Word) {
	if prev.Text == "" || prev.End != w.Start || !oneHan(prev.Text) && !oneHan(w.Text) {
		return
	}
	if j := prev.Text + w.Text; !slices.Contains(aq.joined, j) {
		aq.joined = append(aq.joined, j)
	}
}

// oneHan reports whether s is a single Han character.
func oneHan(s string) bool {
	c, size := utf8.DecodeRuneInString(s)
	return size == len(s) && analysis.IsHan(c)
}

// oovRun gathers consecutive one-character Han pieces of a query, which
// the dictionary leaves where it knows no word (面签 in 网贷总是被面签卡住): two
// or more of them are read as one unknown word. Indexing cuts titles with
// the same dictionary, so the site's titles hold the same run, as
// consecutive character pairs; matched as a word, the run counts in the
// words' quorum and weight as a known word does, where before only its
// character pairs counted, among the pairs that straddle words.
type oovRun struct {
	text strings.Builder
	n    int         // pieces in the run
	end  int         // byte offset after the run's last piece
	body bodyBigrams // analyzedQuery.body
}

// add takes the next top-level piece and returns the run it closes, if
// that is a word.
func (r *oovRun) add(w analysis.Word, function bool) (queryTerm, bool) {
	single := !function && oneHan(w.Text) && !negation(w.Text)
	if single && r.n > 0 && w.Start == r.end {
		r.text.WriteString(w.Text)
		r.n++
		r.end = w.End
		return queryTerm{}, false
	}
	t, ok := r.close()
	if single {
		r.text.WriteString(w.Text)
		r.n, r.end = 1, w.End
	}
	return t, ok
}

// slipTerm returns the candidate typo (queryTerm.slip) of two pieces
// written one right after the other (prev, then w): a one-character filler
// and a one-character content piece (过 + 气), or a word of two
// characters and a one-character content piece (网上 + 贷, 使用 + 律).
func slipTerm(prev analysis.Word, prevFunction bool, w analysis.Word, function bool, body bodyBigrams) (queryTerm, bool) {
	if function || prev.End != w.Start || !oneHan(w.Text) || negation(w.Text) {
		return queryTerm{}, false
	}
	filler := prevFunction && oneHan(prev.Text) && !negation(prev.Text)
	word := !prevFunction && utf8.RuneCountInString(prev.Text) == 2 && allHan(prev.Text)
	if !filler && !word {
		return queryTerm{}, false
	}
	return queryTerm{text: prev.Text + w.Text, run: true, slip: true, body: body}, true
}

// modelName is the model name a number typed apart from the Latin word
// before it names (14 of iphone 14, 60 of mate 60: iphone14, mate60), as
// titles write it whole; "" for any other word. The number is also looked
// up as the name: the index holds a model's letters as a piece of it, not
// its digits (see analysis.CodeParts).
func modelName(before, w analysis.Word) string {
	if before.End < 0 || before.End+1 != w.Start || !analysis.Digits(w.Text) ||
		strings.Trim(before.Text, "abcdefghijklmnopqrstuvwxyz") != "" || before.Text == "" {
		return ""
	}
	return before.Text + w.Text
}

// wordTerm is the query term of a content word: the word, its synonyms
// (data/dict/synonyms.txt), and for an amount in Chinese numerals its digits (五千块: 5000), as
// titles write amounts (临时急需5000块钱怎么借), and its digits with the
// unit (2万 of 借2万元一年利息多少). Its other numerals are left out: a
// word with its measure (一万块) then matched one without (每天走一万步),
// above the answer, on the tuning half of the readers' questions
// (俺在宁波打工,明儿就得用一万块…: 0.462 → 0.443).
func wordTerm(lex *analysis.Lexicon, word string) queryTerm {
	t := queryTerm{text: word, alts: lex.Synonyms(word)}
	if analysis.Digits(word) {
		if han, mixed := analysis.AmountForms(word); mixed != "" {
			t.addForms(han, mixed) // 20000: 两万, 2万
		}
		return t
	}
	if v, ok := analysis.LatinAmount(word); ok { // 2w: 20000, 两万, 2万
		han, mixed := analysis.AmountForms(v)
		t.addForms(append([]string{v}, han...), mixed)
		return t
	}
	pair, _ := analysis.HanCount(word) // 三天: 3天 of 花呗逾期3天
	if d, ok := analysis.HanDigits(word); ok {
		if _, mixed := analysis.AmountForms(d); mixed != "" {
			pair = mixed
		}
		t.addForms([]string{d}, pair)
	} else if pair != "" {
		t.addForms(nil, pair)
	}
	return t
}

// addForms adds the other ways of writing t's number (an amount's or a
// count's) to t: words, and pair, their title bigram.
func (t *queryTerm) addForms(forms []string, pair string) {
	t.alts = slices.Clip(t.alts)
	for _, f := range forms {
		if (f != t.text || t.typed) && !slices.Contains(t.alts, f) {
			t.alts = append(t.alts, f)
			t.forms++
		}
	}
	t.pair = pair
}

// numberDigits reports whether bigram is the digits of one of numbers
// (2 of 2万, 3 of 3天): a count or a list number alone, which the number's
// pair (2万) and words stand for.
func numberDigits(numbers map[int]*queryTerm, bigram string) bool {
	for _, t := range numbers {
		if strings.HasPrefix(t.text, bigram) && t.pair != bigram && analysis.Digits(bigram) {
			return true
		}
	}
	return false
}

// countOf reads a count's number typed in digits (1 to 99) or written in
// Chinese numerals as one word (九十, 二十四).
func countOf(word string) (uint64, bool) {
	if analysis.Digits(word) {
		if len(word) > 2 || word[0] == '0' {
			return 0, false
		}
		k, err := strconv.ParseUint(word, 10, 64)
		return k, err == nil
	}
	return analysis.HanSmall(word)
}

// wholeNumber reports whether the digits w, after the word before, are a
// number of their own: not the decimals of one (2.5万 and 1.5年 are
// normalized 2 5万 and 1 5年: the 5万 is no amount) nor an ordinal (第2期
// is the second instalment, not two).
func wholeNumber(before, w analysis.Word) bool {
	if before.End < 0 {
		return true
	}
	if before.Text == "第" && before.End == w.Start {
		return false
	}
	return !(before.End+1 == w.Start && analysis.Digits(before.Text))
}

// numbersIn finds the amounts and counts a query writes over several
// pieces (借2万, 3千块, 逾期3天, 九十 / 天; numberAt): by the index of its
// first piece, the term that looks the number up in every form titles
// write it (20000, 两万, 2万; 三天, 3天), and the indexes of its other
// pieces, which are no words of their own. A lone digit matched any title
// or body with the same count, date or list number (2 of 一年免费查询2次
// for 2万) above every title with the amount, and 万 alone matched nothing.
func numbersIn(cut []analysis.Word) (map[int]*queryTerm, map[int]bool) {
	var numbers map[int]*queryTerm
	var rest map[int]bool
	var top []int // the indexes of the top-level pieces
	for i, w := range cut {
		if !w.Sub {
			top = append(top, i)
		}
	}
	for p := 0; p+1 < len(top); p++ {
		before := analysis.Word{Start: -1, End: -1}
		if p > 0 {
			before = cut[top[p-1]]
		}
		w := cut[top[p]]
		if !wholeNumber(before, w) {
			continue
		}
		t, n := numberAt(cut, top[p:])
		if t == nil {
			continue
		}
		if numbers == nil {
			numbers, rest = map[int]*queryTerm{}, map[int]bool{}
		}
		numbers[top[p]] = t
		for _, j := range top[p+1 : p+n] {
			rest[j] = true
		}
		p += n - 1
	}
	return numbers, rest
}

// numberAt reads an amount or a count written over the first pieces of
// pieces (indexes into cut, one after the other): digits and a unit of
// money (2万, 3千块), or a number and a unit of countUnits, however the
// dictionary cut them (3 / 天, 九十 / 天, 九 / 十天, 二十四 / 期). It returns
// the term and how many pieces it takes (two or three), or nil. A number
// that is one piece with its unit (三天, 三十天, 两万) is a word, which
// wordTerm reads.
func numberAt(cut []analysis.Word, pieces []int) (*queryTerm, int) {
	first := cut[pieces[0]]
	second := cut[pieces[1]]
	if second.Start != first.End {
		return nil, 0
	}
	if value, ok := analysis.DigitAmount(first.Text, second.Text); ok {
		t := &queryTerm{text: first.Text + string([]rune(second.Text)[0]), typed: true} // 2万 of 2万元
		han, mixed := analysis.AmountForms(value)
		t.addForms(append([]string{value}, han...), mixed)
		return t, 2
	}
	text := first.Text
	for n := 2; n <= 3 && n <= len(pieces); n++ {
		w := cut[pieces[n-1]]
		if n == 3 && w.Start != cut[pieces[1]].End {
			break
		}
		text += w.Text
		unit, size := utf8.DecodeLastRuneInString(text)
		k, ok := countOf(text[:len(text)-size])
		if !ok {
			continue
		}
		words, pair := analysis.CountForms(k, string(unit))
		if pair == "" {
			continue
		}
		// 3天: 三天, or 3天 as titles write it; 九十天, cut 九十 / 天 as
		// titles cut it too: 90天, 九十.
		t := &queryTerm{text: text, typed: true}
		t.addForms(words, pair)
		return t, n
	}
	return nil, 0
}

// negation reports a negating character (不, 没): a word of its own, never
// a piece of a word the dictionary does not know. Joined to the piece
// before it, it made junk pairs (款不 of 贷到款不, which matched
// ID贷款不还会怎样). Nor is it a word of the query on its own (analyze).
// (Which words a negation denies is another matter: Segmenter.Denied.)
func negation(s string) bool { return s == "不" || s == "没" }

// close ends the current run.
func (r *oovRun) close() (queryTerm, bool) {
	t, ok := queryTerm{text: r.text.String(), run: true, body: r.body}, r.n >= 2
	r.text.Reset()
	r.n = 0
	return t, ok
}

// blank overwrites b[start:end] with spaces, keeping every byte offset.
func blank(b []byte, start, end int) {
	for i := start; i < end; i++ {
		b[i] = ' '
	}
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
	return scaleBoost(d, boost)
}

// scaleBoost multiplies the boost of every term and phrase query under q by
// b and returns q. bleve applies a boost only where it scores terms: the
// boost of a disjunction, conjunction or boolean query is kept in the query
// and never read (blevesearch/bleve#333), so a clause's weight has to be
// written on its leaves.
func scaleBoost(q query.Query, b float64) query.Query {
	switch q := q.(type) {
	case *synonymsQuery:
		for _, c := range q.Synonyms {
			scaleBoost(c, b)
		}
	case *query.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			scaleBoost(c, b)
		}
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			scaleBoost(c, b)
		}
	case *query.BooleanQuery:
		for _, c := range []query.Query{q.Must, q.Should, q.MustNot, q.Filter} {
			if c != nil {
				scaleBoost(c, b)
			}
		}
	case query.BoostableQuery:
		q.SetBoost(q.Boost() * b)
	}
	return q
}

// bodyBigram matches documents whose body holds the bigram t: in body_bi,
// and where body_bi does not hold every bigram (Index.body), in the body's
// words too. With gaps these hold the rest; with runs, a bigram inside a
// word of three or more characters, or across two words, is held by
// neither: a body is then matched by its words and its runs of
// one-character pieces, what queries and related sources look up there.
func (aq *analyzedQuery) bodyBigram(t string) query.Query {
	tq := query.NewTermQuery(t)
	tq.SetField(fBodyBi)
	if !aq.body.wordsToo() {
		return tq
	}
	wq := query.NewTermQuery(t)
	wq.SetField(fBody)
	return query.NewDisjunctionQuery([]query.Query{tq, wq})
}

// bodyBigrams matches documents whose body holds at least min of the
// query's bigrams (see bodyBigram).
func (aq *analyzedQuery) bodyBigrams(min int, boost float64) query.Query {
	if !aq.body.wordsToo() {
		return anyOf(fBodyBi, aq.bigrams, min, boost)
	}
	qs := make([]query.Query, 0, len(aq.bigrams))
	for _, t := range aq.bigrams {
		qs = append(qs, aq.bodyBigram(t))
	}
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(float64(min))
	d.SetBoost(boost)
	return d
}

// titleQuorum is how many of n query bigrams a title must hold: a quarter,
// but never fewer than two from four bigrams on (nor more than a third).
// Titles are short, so two shared bigrams (征信花了 in 征信花了怎么办) say
// more there than in a body; and a long question says in its own words
// what the answer's title says in others (信用卡欠了一万二…这个金额…起诉我吗
// for 信用卡欠款多少会被起诉: 3 of 12 pairs). One common pair is no match
// (计算 of 量子计算机; see bigramRecallQuorum). Chosen on the tuning halves
// of readers' questions (all 0.8030 → 0.8075 with a quarter, 0.7967 with a
// fifth, 0.8028 with a third capped at 3; full questions 0.7383 →
// 0.7542; at 334 queries the floor of two 0.7985 → 0.7997); the keyword
// suite unchanged. Search time within the noise (BENCHMARKS.md).
func titleQuorum(n int) int { return max(1, min((n+2)/3, max(2, (n+3)/4))) }

// multiChar drops one-character terms when longer ones exist: 急用钱 must
// not match every article that says 钱.
func multiChar(terms []queryTerm) []queryTerm {
	var out []queryTerm
	for _, t := range terms {
		if utf8.RuneCountInString(t.text) > 1 {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return terms
	}
	return out
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
		// Body bigrams are left to the relaxation ladder: bodies are long
		// and their bigram postings the costliest to read (14% of search
		// CPU at 100k), and with title bigrams and body words the strict
		// query found as much without them (tuning halves of both suites).
		should = append(should, anyOf(fTitleBi, aq.bigrams, titleQuorum(len(aq.bigrams)), boostTitleBigram))
	}
	// Words are the top-level ones: search-mode subwords (还款 in 提前还款)
	// would widen the match to most articles, and the title bigrams already
	// find titles that hold part of a word.
	ts := heldTerms(multiChar(aq.terms))
	if len(ts) > 0 {
		should = append(should,
			aq.titleWordsClause(ts),
			weighted(fBody, ts, strictShare, boostBodyWords))
		if len(ts) >= 2 && len(ts) <= maxCoverTerms {
			should = append(should, coverClause(ts))
		}
		// A page's 相关内容 list names other articles' subjects, not its
		// own: search leaves it out (the related engine reads it).
	}
	if singles := aq.singles(); len(singles) >= 2 && aq.wordsCovered(ts) {
		// One-character words make no match alone (急用钱 must not match
		// every title with 钱), but a title holding all of a question's
		// (租 and 抓 of 租的手机不想还了会被抓吗: 租机不还会被抓吗) does,
		// unless the site lacks what its longer words name (wordsCovered).
		should = append(should, anyOf(fTitleUni, singles, len(singles), boostSinglesAll))
	}
	if aq.chars == 1 && len(aq.terms) > 0 {
		// A character that is only a stop word (的, 了) finds nothing, as
		// a query of several does (的了): it says nothing to look for.
		tq := query.NewTermQuery(aq.norm)
		tq.SetField(fTitleUni)
		tq.SetBoost(boostTitleChar)
		should = append(should, tq)
	}
	if len(should) == 0 {
		return query.NewMatchNoneQuery()
	}
	return aq.withIntents(query.NewDisjunctionQuery(should))
}

// coverClause matches articles holding every one of terms in the title or
// the body: the coordination that the per-field clauses lack. Without it a
// title-only article repeating one query word (花呗风控解除指南) outranked a
// full article holding 花呗 in its title and 逾期 in its body for 花呗逾期:
// a short title's norm weighs more than a word in a long body.
func coverClause(terms []queryTerm) query.Query {
	all := make([]query.Query, len(terms))
	for i := range terms {
		all[i] = query.NewDisjunctionQuery([]query.Query{terms[i].in(fTitle), terms[i].in(fBody)})
	}
	return scaleBoost(query.NewConjunctionQuery(all), boostCover)
}

// phraseChains returns, for each space-separated part of the query, its
// bigram-field terms in order, one per position, for phrase queries.
func phraseChains(norm string) [][]string {
	var chains [][]string
	for _, part := range strings.Split(norm, " ") {
		var terms []string
		ts := (&analysis.GramTokenizer{N: 2}).Tokenize([]byte(part))
		for i, t := range ts {
			if i+1 < len(ts) && ts[i+1].Position == t.Position {
				// A Latin or digit run sits at the same position as its
				// bigram with the next character (东618, 618, 618购): a
				// phrase holds one term per position, and the bigram is
				// enough.
				continue
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
		qs[i] = phrase(field, c, boost)
	}
	return query.NewConjunctionQuery(qs)
}

// minSyllableLetters is the fewest letters a Latin query of one syllable
// has to be looked up by sound: a, e and o alone are a reader's letters
// more often than 啊, 饿 and 哦.
const minSyllableLetters = 2

// soundQuery matches by pinyin: a Latin query as syllables or initials, a
// Chinese query by its homophones.
func (aq *analyzedQuery) soundQuery() query.Query {
	var should []query.Query
	if aq.latin {
		// Typed pinyin reads a character in any of its readings (huankuan
		// and haikuan find 还款); its pairs of syllables, and a Chinese
		// query's sound, below, in the most common only: pairs of rare
		// readings matched titles the reader did not spell (zhengxinxiufu:
		// NDCG 0.773 → 0.762 on testdata/relevance's tuning half).
		typed := aq.typedPY
		if typed == "" {
			typed = fTitlePY
		}
		if len(aq.syllable) > 0 {
			// One syllable too (hua: 花, 话, 华…): completion offers the
			// titles it starts, and the reader who presses Enter on it
			// expects to find them.
			should = append(should, phrase(typed, aq.syllable, boostPinyin))
		}
		if len(aq.runOn) > 0 {
			should = append(should, phrase(typed, aq.runOn, boostPinyin))
		}
		if n := len(aq.syllable); n >= 3 {
			// Like bigrams for characters: pairs of syllables find titles
			// holding part of a long pinyin query (zhengxinxiufu → 征信).
			pairs := make([]query.Query, 0, n-1)
			seen := map[string]bool{}
			for i := 0; i+1 < n; i++ {
				if k := aq.syllable[i] + " " + aq.syllable[i+1]; !seen[k] {
					seen[k] = true
					pairs = append(pairs, phrase(fTitlePY, aq.syllable[i:i+2], boostPinyinPart))
				}
			}
			d := query.NewDisjunctionQuery(pairs)
			d.SetMin(float64(max(1, (len(pairs)+2)/3))) // a third of the syllable pairs
			should = append(should, d)
		}
		if aq.initials != "" {
			ini := strings.Split(aq.initials, "")
			should = append(should, phrase(fTitleIni, ini, boostInitials))
		}
		if len(aq.apartWords) > 0 {
			// jc hb: a title holding a word of each, in any order
			// (花呗风控解除指南).
			all := make([]query.Query, len(aq.apartWords))
			for i, words := range aq.apartWords {
				all[i] = initialWordsQuery(words)
			}
			should = append(should, query.NewConjunctionQuery(all))
		}
		if n := len(aq.unfinished); n > 0 {
			// The syllables typed, then a syllable the last one starts,
			// as match_phrase_prefix reads its last word (completeSyllable).
			whole := aq.unfinished[:n-1]
			for _, last := range aq.completions {
				should = append(should, phrase(typed, append(slices.Clip(whole), last), boostPinyin))
			}
		}
		if len(aq.initialWords) > 0 {
			should = append(should, initialWordsQuery(aq.initialWords))
		}
	} else if len(aq.syllable) >= 2 {
		should = append(should, phrase(fTitlePY, aq.syllable, boostHomophone))
	}
	if len(should) == 0 {
		return nil
	}
	return query.NewDisjunctionQuery(should)
}

// initialWordsQuery matches titles holding a word the initials stand for,
// each weighed by how common it is among them (the commonest boostInitialWords).
func initialWordsQuery(words []wordCount) query.Query {
	qs := make([]query.Query, len(words))
	for i, w := range words {
		tq := query.NewTermQuery(w.word)
		tq.SetField(fTitle)
		tq.SetBoost(boostInitialWords * float64(w.count) / float64(words[0].count))
		qs[i] = tq
	}
	return query.NewDisjunctionQuery(qs)
}

// strictShare is the share of a query's weight (the summed idf of its
// content words) that a hit must be able to hold to match without
// relaxation. Chosen on the tuning half of testdata/questions.
const strictShare = 0.45

// boostIntent weighs intent words (多久, 怎么办) in titles: enough to rank
// the title that answers the asked aspect first, never enough to make a
// hit alone (they are optional clauses).
const boostIntent = 1.0

// termsIn matches documents whose field holds at least min of terms, a
// term matching by its word or any synonym.
func termsIn(field string, terms []queryTerm, min int, boost float64) query.Query {
	qs := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		qs = append(qs, t.in(field))
	}
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(float64(min))
	return scaleBoost(d, boost)
}

// in matches the term or one of its synonyms in field.
func (t *queryTerm) in(field string) query.Query {
	if t.run {
		return t.runIn(field)
	}
	if len(t.alts) == 0 && t.pair == "" {
		tq := query.NewTermQuery(t.text)
		tq.SetField(field)
		return tq
	}
	spellings := append([]string{t.text}, t.alts...)
	if t.typed {
		spellings = spellings[1:]
	}
	q := newSynonymsQuery(field, spellings)
	if t.pair != "" && field == fTitle {
		pq := query.NewTermQuery(t.pair)
		pq.SetField(fTitleBi)
		q.Synonyms = append(q.Synonyms, pq)
	}
	if t.forms > 0 || t.pair != "" {
		// The forms of a number are one spelling of the word: its group
		// weighs as it did before they were looked up (the word, its
		// synonyms and, for an amount, its digits).
		q.Size = 1 + len(t.alts) - t.forms
		if t.forms > 0 {
			q.Size++
		}
	}
	return q
}

// runIn matches a run of one-character pieces (queryTerm.run) by its
// character pairs: in a title as a phrase of them, in a body (which keeps
// no positions) as all of them. A run that no title holds but some title
// sounds like (a typo: 车代, 锁几) matches those titles by its sound, its
// pinyin syllables in a row.
func (t *queryTerm) runIn(field string) query.Query {
	pairs := runPairs(t.text)
	if field != fBody {
		q := phrase(fTitleBi, pairs, 1)
		if t.absent && t.soundsLike {
			q = query.NewDisjunctionQuery([]query.Query{q, phrase(fTitlePY, t.sound, 1)})
		}
		return q
	}
	aq := analyzedQuery{body: t.body}
	if len(pairs) == 1 {
		return aq.bodyBigram(pairs[0])
	}
	all := make([]query.Query, len(pairs))
	for i, p := range pairs {
		all[i] = aq.bodyBigram(p)
	}
	return query.NewConjunctionQuery(all)
}

// runPairs returns the character pairs of a run (two characters at least)
// in order, repeats kept: what a title holds as a phrase when it holds the
// run (runIn, titleHolds).
func runPairs(run string) []string { return phraseChains(run)[0] }

// weightQuorum is how many of terms a document must hold so that it can
// hold share of their summed weight: the fewest heaviest terms that reach
// it. An article holding every rare word of a question matches without
// its common ones, the idea of Lucene's coordination and Elasticsearch's
// minimum_should_match over common terms. Terms without weights (weigh
// not run) count alike.
func weightQuorum(terms []queryTerm, share float64) int {
	ws := termWeights(terms)
	total := 0.0
	for _, w := range ws {
		total += w
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(ws)))
	sum := 0.0
	for i, w := range ws {
		sum += w
		if sum >= share*total-1e-9 {
			return i + 1
		}
	}
	return len(ws)
}

// minCoverage is the share of a query's weight that the words the index
// holds must carry for the words to find anything. 景点推荐 on a site that
// never says 推荐 still finds 景点 (0.46 of the weight); 手机屏幕碎了能修吗 on
// a site that never says 屏幕 does not list every article on 手机 (0.28).
// Chosen on the tuning half of testdata/questions. A query that so finds
// nothing may still find the articles on a subject of the site it names
// (the relaxation ladder's last resort, siteWordsLevel).
const minCoverage = 1.0 / 3

// heldTerms returns the terms the index holds, the ones a match can be
// made of, or none when they carry less than minCoverage of the weight.
// A typo (a run no title holds but some title sounds like) is held by its
// sound. Before weigh has run every term counts as held.
func heldTerms(ts []queryTerm) []queryTerm {
	var held []queryTerm
	heldW, total := 0.0, 0.0
	for _, t := range ts {
		if t.run && t.absent && t.soundsLike {
			// Pieces no title holds together but some sounds like: a typo
			// (车代 for 车贷), held by the titles that say it (runIn). Its
			// weight counts for neither side: the query's other words say
			// whether the site covers it (井点 of 井点降水施工 sounds like
			// 景点, on a site that has nothing else of it).
			held = append(held, t)
			continue
		}
		if unwrittenAmount(t) {
			continue
		}
		total += t.weight
		if !t.absent {
			held = append(held, t)
			heldW += t.weight
		}
	}
	if heldW < minCoverage*total {
		return nil
	}
	return held
}

// maxExactTerms bounds the terms whose weighted quorum is matched exactly:
// the minimal sets of terms that reach the share are enumerated, 2^n
// subsets. Longer queries use weightQuorum's count.
const maxExactTerms = 6

// longTitleQuorum is how many words of a query of more than maxExactTerms
// words (its one-character ones counted where the query is a question of
// longMatchChars characters or more: titleWordsClause) a title must hold
// to match: one. A title says a handful of words and a reader's long
// question a dozen, most of them its situation (这笔, 按时, 表哥); the
// count quorum kept out the titles that answer it with two of its words
// (给别人做担保也会上征信吗 for a twelve-word question on standing
// guarantor). The words' scores and the rerank by title
// (rerankTitles) rank what matches. The body keeps the weighted quorum: a
// body holds many words and its lists are long.
// Tuning half of testdata/questions (494 queries): all 0.7480 → 0.7538,
// full questions 0.6724 → 0.6879 (a quorum of 2: 0.7515, 0.6818; of 1 on
// bodies too: 0.7521); held-out 0.7377 → 0.7399, full questions 0.6541 →
// 0.6599. With the ninth blind set (534 queries) a threshold of 3 to 5
// words instead of 6 scored lower on the tuning half (0.7312–0.7374
// against 0.7393), none at all 0.7343.
const longTitleQuorum = 1

// weighted matches documents whose field holds terms weighing at least
// share of all the terms' weight: an article holding the rare words of a
// question matches, one holding only its common words (手机 of
// 手机屏幕碎了能修吗) does not. bleve's disjunctions count matches, not
// weights, so the condition is written as a disjunction of the minimal
// sets of terms that reach the share, each a conjunction.
//
// A document that matches one of also (each a query of field) matches too;
// what it scores is still the terms it holds.
func weighted(field string, terms []queryTerm, share, boost float64, also ...query.Query) query.Query {
	if n := len(terms); n > maxExactTerms || n <= 2 {
		// Two words: either may match (the heavier reaches any share
		// below a half), and holding both ranks first.
		quorum := weightQuorum(terms, share)
		if field == fTitle && n > maxExactTerms {
			quorum = longTitleQuorum
		}
		return quorumScoreAll(field, terms, quorum, boost, also)
	}
	// Every set holds the subject: the site's idf weighs the situation
	// around a question (工资, 银行卡, 余额) above the subject its articles
	// name everywhere (花呗, 借呗), and sets of situation words alone
	// matched articles on anything.
	sets := typoSubject(terms, share, minimalSets(termWeights(terms), share, subjectOf(terms)))
	alts := make([]query.Query, 0, len(sets))
	for _, set := range sets {
		var all []query.Query
		for i := range terms {
			if set&(1<<i) != 0 {
				all = append(all, terms[i].in(field))
			}
		}
		if len(all) == 1 {
			alts = append(alts, all[0])
		} else {
			alts = append(alts, query.NewConjunctionQuery(all))
		}
	}
	// The minimal sets decide what matches; every term the document holds
	// scores, as in a plain disjunction, so 黑户还能贷款吗 outranks a title
	// that only repeats 黑户.
	return matchAnyScoreAll(field, terms, boost, append(alts, also...))
}

// quorumScoreAll matches documents holding quorum of terms in field, or
// matching one of also; every term held scores.
func quorumScoreAll(field string, terms []queryTerm, quorum int, boost float64, also []query.Query) query.Query {
	if len(also) == 0 {
		return termsIn(field, terms, quorum, boost)
	}
	return matchAnyScoreAll(field, terms, boost, append([]query.Query{termsIn(field, terms, quorum, 1)}, also...))
}

// titleWordsClause matches titles by ts, the query's words that the site
// holds (heldTerms of multiChar: its words of two characters or more, or
// its one-character ones where it has no other): by their weighted quorum,
// or in a long question (longMatchChars characters or more, and more than
// maxExactTerms words with its one-character ones counted) by any one of
// them (longTitleQuorum), as weighted does when ts alone are that many. A
// question's one-character words are its situation as often as its longer
// ones (租, 先, 买 of …先租后买给的到底是不是新机, whose five longer words put
// 苹果 and 租机 in every minimal set and kept out 先租后买的手机是新机吗); the
// rerank by title ranks what matches. Readers' questions (tuning half,
// 1254): all 0.7577 → 0.7623, full questions 0.714 → 0.722, a hundred
// queries moved (sum +2.8); held-out 0.7340 → 0.7374. Without the bound on
// characters, from more than 6, 8 or 10 words scored alike (0.7621,
// 0.7624, 0.7616).
func (aq *analyzedQuery) titleWordsClause(ts []queryTerm) query.Query {
	also := aq.aspectMatch(ts)
	if len(aq.terms) > maxExactTerms && aq.chars >= longMatchChars {
		return quorumScoreAll(fTitle, ts, longTitleQuorum, boostTitleWords, also)
	}
	return weighted(fTitle, ts, strictShare, boostTitleWords, also...)
}

// longMatchChars is how long, in characters, a query of many words must
// be for titleWordsClause to match by any one of them: a question, not a
// pasted title (eight to thirty characters, often seven words). Without
// it the 100k search mix visited 2.6% more documents and took 12% longer,
// with it 2.2% and 3.4% (BENCHMARKS.md). pairMinChars's 15, where a query
// is long enough for pair matches and the deeper rerank; 20 and 25 scored
// alike on the tuning half (0.7623, 0.7619).
const longMatchChars = pairMinChars

// typoSubject adds to sets, the minimal sets that hold the subject, those
// that hold instead a misspelt word that sounds like a title word
// (queryTerm.soundsWord): the reader's subject may be the word they
// misspelt, which counts as no word of the site (subjectOf passes it by).
// 网贷只借了三家,每家都按时还,这也算多投借贷吗 asks about 多头借贷 (多投 for 多头),
// whose title does not say 网贷, the subject by the site's words. Chosen
// on the tuning half of the readers' questions (854): 0.7450 -> 0.7467,
// held-out 0.7314 -> 0.7316, no query of either half lower; a typo whose
// sound only some title's characters hold in a row (号还: 好还) added too
// scored 0.7460 / 0.7310, a spoken question losing 0.30.
func typoSubject(terms []queryTerm, share float64, sets []uint) []uint {
	var weights []float64
	for i, t := range terms {
		if !t.soundsWord { // set only on an absent run (markTypos)
			continue
		}
		if weights == nil {
			weights = termWeights(terms)
		}
		for _, set := range minimalSets(weights, share, i) {
			if !slices.Contains(sets, set) {
				sets = append(sets, set)
			}
		}
	}
	return sets
}

// matchAnyScoreAll matches documents that one of alts matches, scoring
// them by the terms of field they hold (alts count for a trace only).
func matchAnyScoreAll(field string, terms []queryTerm, boost float64, alts []query.Query) query.Query {
	filter := scaleBoost(query.NewDisjunctionQuery(alts), filterBoost*boost)
	return query.NewBooleanQuery([]query.Query{filter}, []query.Query{termsIn(field, terms, 1, boost)}, nil)
}

// aspectMatch returns, for a question that names the aspect it asks about
// (an intent word: 多久, 为什么, 区别), a title query for the titles that
// hold its subject (subjectOf) and name that aspect, in any of its words
// (多长时间 for 多久): they answer the question whatever else the reader
// wrote around it (房贷审批需要多长时间 for 房贷申请交上去以后,一般要等多久才能批下来,
// whose 申请, 一般, 下来 outweigh 房贷 in the weighted quorum). None when
// the query names no aspect, or its subject is not a word of the site
// (typical below 0: general text uses it more than the site does), so that
// an everyday question (吉他弦多久换一次) does not match every title that
// says 多久.
func (aq *analyzedQuery) aspectMatch(ts []queryTerm) []query.Query {
	if len(aq.intents) == 0 || len(ts) < 2 {
		return nil
	}
	i := subjectOf(ts)
	if i < 0 || ts[i].typical < 0 {
		return nil
	}
	return []query.Query{query.NewConjunctionQuery([]query.Query{ts[i].in(fTitle), anyOf(fTitle, aq.intents, 1, 1)})}
}

// subjectOf returns the index of the term most typical of the site (see
// queryTerm.subjectness), the question's subject, or -1 before weigh has
// run. It rules the minimal sets of a query of three to six words
// (weighted): with two, either word still matches alone, and holding the
// subject raised no tuning half (0.8249 → 0.8109); past six, the count
// quorum takes over.
// On the tuning halves of testdata/questions, both its sets, requiring it
// in every minimal set raised NDCG@10 by 0.0069 (the held-out halves by
// 0.0021), where a threshold on typical or a share of the weight from it
// moved by as much either way as the threshold did.
func subjectOf(terms []queryTerm) int {
	subject := -1
	for i, t := range terms {
		if !t.weighed {
			return -1
		}
		if subject < 0 || t.subjectness() > terms[subject].subjectness() {
			subject = i
		}
	}
	return subject
}

// subjectness orders terms as candidates for a query's subject: how
// typical of the site the word is, times its place in the site's titles
// where that is a template word's (queryTerm.position below 1), so that a
// word the site's titles end with everywhere (详解, 指南: typical, but of
// the site's form, not of its subjects) is neither the subject nor kept
// longest by the relaxation ladder.
func (t *queryTerm) subjectness() float64 {
	if t.position <= 0 || t.typical < 0 {
		return t.typical
	}
	return t.typical * min(1, t.position)
}

// filterBoost scales a clause that filters rather than ranks down to a
// trace of the score.
const filterBoost = 1e-3

// termWeights returns the terms' weights, 1 for a term without one.
func termWeights(terms []queryTerm) []float64 {
	ws := make([]float64, len(terms))
	for i, t := range terms {
		ws[i] = t.weight
		if ws[i] <= 0 {
			ws[i] = 1
		}
	}
	return ws
}

// minimalSets returns, as bit sets, the sets of indexes whose weights reach
// share of the total and that lose that if any member leaves. With a
// subject (an index; -1: none) every set holds it, and is minimal in its
// other members: the subject is often the lightest word of a question,
// part of no minimal set of its own.
func minimalSets(ws []float64, share float64, subject int) []uint {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	need := share*total - 1e-9
	sum := func(set uint) float64 {
		s := 0.0
		for i, w := range ws {
			if set&(1<<i) != 0 {
				s += w
			}
		}
		return s
	}
	var must uint
	if subject >= 0 {
		must = 1 << subject
	}
	var out []uint
	for set := uint(1); set < 1<<len(ws); set++ {
		if set&must != must || sum(set) < need {
			continue
		}
		minimal := true
		for i := range ws {
			if set&(1<<i) != 0 && must&(1<<i) == 0 && sum(set&^(1<<i)) >= need {
				minimal = false
				break
			}
		}
		if minimal {
			out = append(out, set)
		}
	}
	return out
}

// withIntents adds the ranking-only clauses to q: the intent words; its
// one-character words as title characters; and the sound of its misspelt
// words (misspelt) in titles' pinyin. None makes a hit. A spoken
// question's one-character verbs (锁, 消, 借) are often what it asks about,
// and titles say them inside words (锁机, 解锁, 消除), which the title
// characters find.
//
// The query's own character pairs in titles (stop words kept, question
// words out) ranked too until they stopped paying: on the tuning half of
// the 374 judged questions, all 0.7860 without them 0.7871 (full
// questions 0.7140 → 0.7215, spoken 0.7514 → 0.7415; held-out 0.7463 →
// 0.7461; the keyword suite unchanged), and their title bigram postings
// were 3.5% of search CPU at 100k (BENCHMARKS.md). On the 454 judged
// since, the same change: tune all 0.7544 → 0.7556, held-out 0.7343 →
// 0.7321; full questions 0.6824 → 0.6883 and 0.6262 → 0.6253; spoken
// lower on both halves (0.7350 → 0.7291, 0.7410 → 0.7329): the tuning half
// still prefers it, by little. The content words' bigrams, the phrases and
// the title characters rank the title that says what the reader wrote.
func (aq *analyzedQuery) withIntents(q query.Query) query.Query {
	var rank []query.Query
	if len(aq.intents) > 0 {
		rank = append(rank, anyOf(fTitle, aq.intents, 1, boostIntent))
	}
	singles := aq.singles()
	sentence := aq.sentence()
	if len(singles) > 0 && !sentence {
		rank = append(rank, anyOf(fTitleUni, singles, 1, boostSingle))
	}
	for _, syl := range aq.misspelt() {
		rank = append(rank, phrase(fTitlePY, syl, boostMisspelt))
	}
	if len(rank) > 0 {
		q = query.NewBooleanQuery([]query.Query{q}, rank, nil)
	}
	if len(singles) > 0 && sentence {
		q = query.NewBooleanQuery([]query.Query{q}, []query.Query{anyOf(fTitleUni, singles, 1, boostSentenceSingle)}, nil)
	}
	if chars := aq.absentChars(); len(chars) > 0 {
		q = query.NewBooleanQuery([]query.Query{q}, []query.Query{anyOf(fTitleUni, chars, 1, boostAbsentChar)}, nil)
	}
	return q
}

// absentChars returns the characters of the query's words that no
// article holds as written and that are neither typos of sound
// (soundsLike: the sound path ranks those) nor runs of one-character
// pieces (matched as their pairs already) nor numbers: a word the reader
// chose where titles say another sharing a character (转赠 where titles
// say 转送). A title holding one of them ranks higher (withIntents,
// boostAbsentChar); none makes a hit.
func (aq *analyzedQuery) absentChars() []string {
	var out []string
	for _, t := range aq.terms {
		if !t.absent || t.soundsLike || t.run || utf8.RuneCountInString(t.text) < 2 || analysis.IsNumber(t.text) {
			continue
		}
		for _, r := range t.text {
			if c := string(r); !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// boostAbsentChar weighs a title that holds a character of a word the
// site lacks (absentChars), as a clause of its own beside the query. A
// reader's word that no title holds used to add nothing to the ranking:
// E卡 转赠 ranked every E卡 title alike, 京东E卡可以转送给别人吗 among them.
// Chosen on the tuning half of the readers' questions (734), against
// 0.7550 without: boosts 0.5, 1, 2 and 4 scored 0.7591, 0.7598, 0.7580
// and 0.7560 (held-out 0.7386 -> 0.7407, 0.7410, 0.7415, 0.7408); at 1
// keywords 0.848 -> 0.863, spoken 0.736 -> 0.747, full questions 0.702
// either way. The same characters added to a query's one-character words
// (singles, weighed as they are) scored 0.7583, lower on full questions
// (0.699); only in queries shorter than a sentence, 0.7569. The keyword
// suite is unchanged on both halves.
const boostAbsentChar = 1.0

// boostMisspelt weighs a title that holds a misspelt word's sound
// (misspelt) as a title holding a query word is weighed. On the tuning
// halves boosts from 3 to 12 score alike (readers' questions, all 0.829
// to 0.830 from 0.818; their typos 0.80 from 0.74; the keyword suite's
// typos 0.943 from 0.931); 4 is boostTitleWords.
const boostMisspelt = boostTitleWords

// boostSingle weighs a query's one-character words in title characters
// (withIntents) where the query is shorter than singlesMinChars (a
// sentence's weigh boostSentenceSingle). Chosen on the tuning halves:
// readers' questions gain up to a boost of 3 (0.816 → 0.826), but from
// 0.75 the one-character pieces of a typo (换 of 花呗协商换款) lift titles
// that merely share them and the keyword suite's typo tuning half drops
// (0.931 → 0.929 at 0.75, 0.900 at 2); 0.5 is the largest boost that
// keeps it.
const boostSingle = 0.5

// boostSentenceSingle weighs, in a sentence (a query of singlesMinChars
// characters or more), a title that holds one of its one-character words
// (withIntents), as a clause of its own beside the ranking clauses: in a
// reader's sentence a one-character word is often the verb that names
// what is asked (消 of 征信上的逾期啥时候能消, 提 of 咋弄才能往上提, 冻 of
// 把微信零钱冻了, 买 of 京东E卡都能买啥), which titles say inside a word of
// two (消除, 提升, 冻结, 买哪些). In keywords a one-character piece is as
// often part of a typo (代 of 套路代, 换 of 花呗协商换款) or of a word
// written another way (ｉｄ贷不还会怎样), and boostSingle stays theirs.
//
// Chosen on the tuning halves of the readers' questions (654) and of the
// keyword suite: questions, all 0.7415 -> 0.7493, held-out 0.7265 ->
// 0.7327; boosts 1.5, 2.5 and 3 scored 0.7471, 0.7490 and 0.7477; the
// keyword suite is unchanged. Inside the ranking clauses' disjunction,
// whose coordination halves a clause when the title holds no intent word,
// boosts of 2.5 to 6 scored 0.7452 to 0.7470. Tried on the way: a sentence
// of 8 characters (the keyword suite's variants and typos lost on their
// tuning half), of 12 or 15 (lower), of 10 to 14 only (lower); only where
// no term is a typo of sound, or only words as typical of the site as of
// general text (lower); a long question's pair matches (pairMatches)
// ranked so too (lower). The evaluator's work over the 100k mix is the
// same (bench/evalwork: visited +0.7%, scored -0.9%, time within its
// spread).
const (
	boostSentenceSingle = 2
	singlesMinChars     = 10
)

// sentence reports whether aq is a sentence (singlesMinChars characters or
// more), not keywords: its one-character words rank as one clause
// (boostSentenceSingle), and its real words may be typos (markWordTypos).
func (aq *analyzedQuery) sentence() bool { return aq.chars >= singlesMinChars }

// askingClause returns the clause of q, a query as the reader typed it,
// that asks, normalized and its spoken forms respelled as analyzedQuery.std
// is: of the clauses its punctuation ends (，。？！；: not 、, which lists
// things inside one, nor a space, which parts keywords), the last that
// ends in a closing particle (吗, 呢, a closing 不), else the last that
// holds a question word (怎么, 能不能: Lexicon.Asking); "" when q is one
// clause or none of them asks. 借呗可以提前还款吗,已经逾期好几天了 asks in
// its first clause, though 好几天 holds 几.
func askingClause(lex *analysis.Lexicon, q string) string {
	if !strings.ContainsAny(q, clauseEnds) {
		return "" // one clause, as most queries are: nothing to split
	}
	parts := strings.FieldsFunc(q, func(r rune) bool { return strings.ContainsRune(clauseEnds, r) })
	if len(parts) < 2 {
		return ""
	}
	ask, plainness := "", 0
	for _, p := range parts {
		clause := lex.Respell(analysis.Normalize(p))
		if level := lex.Asking(clause); level > 0 && level >= plainness {
			ask, plainness = clause, level
		}
	}
	return ask
}

// Every clause of the highest level asking, joined, was tried in its place
// (session 53: 这算使用率高不,耽误俺下个月办车贷不 asks in both): on the
// 1414 readers' questions the tuning half moved 0.7624 → 0.7625 (full
// questions 0.7242 → 0.7238, spoken 0.7442 → 0.7451), held-out 0.7379 →
// 0.7381: flat, not kept.

// clauseEnds are the marks that end a clause of a query as typed.
const clauseEnds = ",?!;，。？！；"

// boostSinglesAll weighs a title holding every one-character content word
// of a query that has two or more (exactQuery). On the tuning halves 0.25
// to 4 score alike (readers' questions 0.8329 → 0.8369–0.8371, their full
// questions 0.8012 → 0.8138; the keyword suite 0.9301 either way); 1 is
// the middle. Held-out: 0.7688 → 0.7737, full questions 0.6960 → 0.7075.
const boostSinglesAll = 1.0

// A query's work grows with its words times the articles holding them,
// and a pasted paragraph (MaxQueryLen characters: a hundred everyday words)
// cost a second of CPU, most of it in relaxation steps that could never
// succeed: a cheap request amplified a hundredfold. What a query matches
// with is bounded: maxSearchTerms of its content words (see bound),
// maxQueryPairs character pairs for bigram recall; the rest of a paragraph
// still shows in its highlights. A third of the readers' questions (392
// of the 1,214, 390 of them judged) say more than 12 words, and a bound of
// 10, 14 or 16 scored lower on their tuning half (all 0.7472, 0.7511 and
// 0.7526 against 0.7550). Pairs were 24, a bound on work alone; on the
// tuning half of readers' questions (454) 16 scored best of 12 to 24 (all
// 0.7571 → 0.7585: three long questions moved, two up; 12 0.7552, 14
// 0.7582, 18 and 20 0.7571; held-out 0.7331 → 0.7338; the keyword suite
// the same), and the search mix at 100k, whose queries rarely hold more
// than 16 pairs, took as long.
const (
	maxSearchTerms = 12
	maxQueryPairs  = 16
)

// bound keeps maxSearchTerms of the query's terms (weigh first), in the
// query's order, chosen by priority: the terms some article holds (or a
// typo's sound), then the site's own words (typicalWord), then the
// heaviest; and at most maxQueryPairs bigrams, those inside the kept terms
// first, then in the query's order.
func (aq *analyzedQuery) bound() {
	if len(aq.terms) > maxSearchTerms {
		order := make([]int, len(aq.terms))
		for i := range order {
			order[i] = i
		}
		// Words no article holds last: they weigh the most and match
		// nothing; but a word's typo matches by its sound (markWordTypos).
		// A filler's typo (checkSlips: 想借 sounds like 详解) is no word
		// of the question, and stays last.
		lacks := func(t queryTerm) bool { return t.absent && !(t.soundsLike && !t.slip) }
		sort.SliceStable(order, func(a, b int) bool {
			ta, tb := aq.terms[order[a]], aq.terms[order[b]]
			if ma, mb := lacks(ta), lacks(tb); ma != mb {
				return !ma
			}
			// The site's own words next, however common on the site:
			// a long question's rarest words are its situation (自称,
			// 服务费, 慢慢), while 网贷 and 逾期, in a tenth of the
			// titles, say what it is about. Readers' questions (tuning
			// half): all 0.7530 → 0.7550, five long questions moved,
			// four up; held-out the same. Putting also last the words
			// general text uses more (typical below 0: 0.7539), or
			// ordering every word by its typicalness (0.7546), scored
			// lower.
			if sa, sb := typicalWord(ta), typicalWord(tb); sa != sb {
				return sa
			}
			return ta.weight > tb.weight
		})
		keep := order[:maxSearchTerms]
		sort.Ints(keep)
		kept := make([]queryTerm, 0, maxSearchTerms)
		for _, i := range keep {
			kept = append(kept, aq.terms[i])
		}
		aq.terms = kept
	}
	if len(aq.bigrams) > maxQueryPairs {
		sort.SliceStable(aq.bigrams, func(a, b int) bool { return aq.pairInside(aq.bigrams[a]) && !aq.pairInside(aq.bigrams[b]) })
		aq.bigrams = aq.bigrams[:maxQueryPairs]
	}
}

// pairInside reports whether pair lies inside one of the query's words
// (terms), rather than across a filler or a word's edge.
func (aq *analyzedQuery) pairInside(pair string) bool {
	return slices.ContainsFunc(aq.terms, func(t queryTerm) bool { return strings.Contains(t.text, pair) })
}

// weigh sets each term's weight to its idf in the index: the larger of the
// word's and its synonyms' document frequencies, so a term is as common as
// its commonest spelling. A word no article holds may become a run of its
// characters first (asRun).
func (ix *Index) weigh(ctx context.Context, aq *analyzedQuery) error {
	codes := slices.ContainsFunc(aq.terms, isCode)
	if len(aq.terms)+len(aq.slips) < 2 && !codes {
		return nil // one term: nothing to weigh against
	}
	ix.rel.init() // the document frequency cache lives with the related engine's
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	if codes {
		if err := ix.splitCodes(ctx, r, aq); err != nil {
			return err
		}
		if len(aq.terms)+len(aq.slips) < 2 {
			return nil
		}
	}
	n, err := r.DocCount()
	if err != nil {
		return err
	}
	st, err := ix.corpusStats(r)
	if err != nil {
		return err
	}
	aq.stats = st
	runChecks := maxSearchTerms // asRun's lookups: a pasted paragraph's unknown words are many
	for _, ts := range [][]queryTerm{aq.terms, aq.slips} {
		for i := range ts {
			t := &ts[i]
			df, err := ix.termDocFreq(ctx, r, t)
			if err != nil {
				return err
			}
			if df == 0 && runChecks > 0 && asRunCandidate(t) {
				runChecks--
				if df, err = ix.asRun(ctx, r, t, aq.body); err != nil {
					return err
				}
			}
			if df == 0 && !aq.latin {
				if df, err = ix.asInitials(ctx, r, t); err != nil {
					return err
				}
			}
			t.position = st.titleFactor(t.text)
			g, site := ix.generalIDF(t.text), idf(df, n)
			t.weight, t.absent = site*everydayShare(g)*t.position, df == 0
			t.typical = g - site
			t.weighed = true
		}
	}
	return nil
}

// splitCodes replaces each model name or code of the query that no
// article holds as one word (iphone13, vivox100) by its letters and its
// digits (iphone, 13), which titles writing them apart hold (iPhone 13租机
// 攻略); one some article holds stays whole. A generation indexes a code's
// pieces beside it (analysis.CodeParts), so the pieces find both writings.
func (ix *Index) splitCodes(ctx context.Context, r bindex.IndexReader, aq *analyzedQuery) error {
	terms := make([]queryTerm, 0, len(aq.terms)+2)
	for _, t := range aq.terms {
		if !isCode(t) {
			terms = append(terms, t)
			continue
		}
		df, err := ix.termDocFreq(ctx, r, &t)
		if err != nil {
			return err
		}
		if df > 0 {
			terms = append(terms, t)
			continue
		}
		for _, p := range analysis.CodeParts(t.text) {
			if !slices.ContainsFunc(terms, func(u queryTerm) bool { return u.text == p }) {
				terms = append(terms, queryTerm{text: p})
			}
		}
	}
	aq.terms = terms
	return nil
}

// isCode reports whether t is a model name or code written as one word
// (iphone13), which splitCodes may split.
func isCode(t queryTerm) bool { return !t.run && analysis.CodeParts(t.text) != nil }

// checkSlips decides the candidate typos of a weighed query
// (queryTerm.slip): one that no article writes as it stands (its title or
// body bigrams) and that sounds exactly like one of the commonest title
// words with its initials (initialsWords; 过气: 过期) is a typo, matched by
// its sound; the others are what they seem, a filler and the piece after
// it, and are dropped (被封 of 账号被封了 sounds like the 被风 of 被风控, no
// title word; 会收 of 还会收钱, which titles write). Run before bound, so
// that a dropped one takes no place of the query's words. The typos join
// the query's terms after its words. The title words by initials are
// those of the generation as opened (a live edit's new word is no target
// until the next reindex); when they cannot be read, no slip is a typo.
func (ix *Index) checkSlips(aq *analyzedQuery) {
	for _, t := range aq.slips {
		if !t.weighed || !t.absent {
			continue
		}
		word, err := ix.soundsLikeTitleWord(t.text)
		if err != nil {
			break // a typo's sound only ranks: the query stands without it
		}
		if word {
			t.soundsLike, t.sound = true, analysis.PinyinOf(t.text)
			aq.terms = append(aq.terms, t)
		}
	}
	aq.slips = nil
}

// markTypos sets soundsLike and sound on the absent runs of a query:
// whether some title holds the run's sound, its pinyin syllables in a row,
// or, for a run of three characters or more, the sound of two of them in
// a row that no title writes so (提异意: 提 is a word, 异意 a typo of 异议;
// but 月供该谁 is not a typo of the 月供 titles write). Run after bound, on
// the terms kept only (a pasted paragraph of rare characters brought 50
// runs), and remembered per index version as document frequencies are:
// each is a phrase search of the titles' pinyin.
func (ix *Index) markTypos(ctx context.Context, aq *analyzedQuery) error {
	ix.rel.init() // the cache is the related engine's (weigh, for one term, does not start it)
	for i := range aq.terms {
		t := &aq.terms[i]
		if !t.run || !t.absent || t.slip || t.soundsLike {
			continue
		}
		syl := analysis.PinyinOf(t.text)
		if len(syl) < 2 {
			continue
		}
		found, err := ix.titleSounds(ctx, syl)
		if err != nil {
			return err
		}
		if found {
			t.soundsLike, t.sound, t.soundsWord = true, syl, ix.soundsLikeTitleWordIn(t.text, syl)
			continue
		}
		pairs, err := ix.typoPairs(ctx, t.text, syl)
		if err != nil {
			return err
		}
		for _, pair := range pairs {
			if found, err = ix.titleSounds(ctx, pair); err != nil {
				return err
			}
			if found {
				t.soundsLike, t.sound, t.soundsWord = true, pair, ix.soundsLikeTitleWordIn(t.text, pair)
				break
			}
		}
	}
	return nil
}

// markWordTypos takes, in a sentence about one of the site's subjects
// (one of its words typicalWord), the dictionary words no article holds
// that sound exactly like a title word for typos of it
// (wordTypoCandidate), matched by their sound as a typo run is; neither
// word may be one general text uses most (wordTypoMinIDF): 一半 and 一般,
// both common, are each what the reader meant. Run before bound, which
// keeps them among the query's words as words some article holds: a long
// question's one-character words (写, 起, 月) crowded out 年华 (年化) of
// 贷款App上写着年华利率7.2%起…. Each is a lookup in the title words by
// initials, kept per index version.
func (ix *Index) markWordTypos(aq *analyzedQuery) error {
	if !aq.sentence() || !slices.ContainsFunc(aq.terms, typicalWord) {
		return nil
	}
	for i := range aq.terms {
		t := &aq.terms[i]
		if !ix.wordTypoCandidate(t) {
			continue
		}
		typo, err := ix.soundsLikeTitleWordWhere(t.text, func(w string) bool {
			return ix.generalIDF(w) >= wordTypoMinIDF // 一般 is no typo's target (一半)
		})
		if err != nil {
			return err
		}
		if typo {
			t.run, t.body = true, aq.body // matched as a run is: by its pairs, and by its sound
			t.soundsLike, t.sound, t.soundsWord = true, analysis.PinyinOf(t.text), true
		}
	}
	return nil
}

// typicalWord reports whether t, a word of two characters or more that
// some article holds, is typical of the site (siteTypical): what makes a
// sentence one about the site's subjects for markWordTypos, and a word a
// long question keeps first (bound). Unlike namesSite it need not lead
// titles (贷款App上写着年华利率7.2%起…: app).
func typicalWord(t queryTerm) bool { return typicalFrom(t, siteTypical) }

// typicalFrom reports whether t is a word of two characters or more that
// the index holds and that is at least least typical of the site.
func typicalFrom(t queryTerm, least float64) bool {
	return t.weighed && !t.absent && t.typical >= least && utf8.RuneCountInString(t.text) > 1
}

// wordTypoCandidate reports whether t is a dictionary word no article
// holds that markWordTypos may take for a typo of a title word: in a
// sentence about one of the site's subjects (typicalWord), the input
// method's first offer of the same sound, a real word itself (查寻 for 查询,
// 月宫 for 月供, 足迹 for 租机, 接触 for 解除), is what the reader typed.
// markWordTypos makes it a typo when it sounds exactly like a title word,
// and it is matched as a typo run is, by its sound, a word of the question
// the titles that say it hold. Before, it only ranked by its sound
// (misspelt) and weighed as a word the site lacks, which kept the titles
// from matching the question's other words. A shorter query is matched by
// sound whole when nothing holds it as written (searchQuery), and a
// sentence that names none of the site's subjects is not about them (鱼鳍,
// yuqi as 逾期, of 金鱼尾巴和鱼鳍烂了是咋回事).
func (ix *Index) wordTypoCandidate(t *queryTerm) bool {
	if t.run || !t.absent || t.slip || len(t.alts) > 0 || !allHan(t.text) || !ix.seg.Known(t.text) {
		return false // not a word of the dictionary: pieces joined (想借 of 想借十万)
	}
	n := utf8.RuneCountInString(t.text)
	return n >= 2 && len(analysis.PinyinOf(t.text)) == n && ix.generalIDF(t.text) >= wordTypoMinIDF
}

// wordTypoMinIDF is the least general-text idf (dict/common.txt) of a word
// markWordTypos may take for a typo, and of the title word it takes it
// for: the words general text uses most are what the reader meant,
// whatever a title sounds like (以为, 5.55, of …以为就算注销了… sounds like
// the title word 异味; 一半, 6.09, like 一般, 4.31). On the tuning half of
// the 1094 readers' questions, 5 scored 0.7377, as 以为 happened to find a
// better page; 6, which keeps 体现 (6.06, for 提现) and 接触 (6.40, for
// 解除), 0.7376; 7 lost them (0.7372). Held-out 0.7235 for all three.
const wordTypoMinIDF = 6.0

// soundsLikeTitleWord reports whether text sounds exactly like a word of
// the titles (titlePinyinKeys: every character's pinyin), one of those
// its initials stand for (initialsWords).
func (ix *Index) soundsLikeTitleWord(text string) (bool, error) {
	return ix.soundsLikeTitleWordWhere(text, func(string) bool { return true })
}

// soundsLikeTitleWordWhere is soundsLikeTitleWord among the title words
// for which keep holds.
func (ix *Index) soundsLikeTitleWordWhere(text string, keep func(word string) bool) (bool, error) {
	full, ini := titlePinyinKeys(text)
	words, err := ix.initialsWords(ini)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(words, func(w wordCount) bool {
		f, _ := titlePinyinKeys(w.word)
		return f == full && keep(w.word)
	}), nil
}

// soundsLikeTitleWordIn reports whether the characters of run that sound
// as syl (the run, or two of its characters: markTypos) sound like a word
// of the titles. When the title words cannot be read it reports false, as
// checkSlips does: the typo then only ranks, as it did before it could be
// a subject (typoSubject).
func (ix *Index) soundsLikeTitleWordIn(run string, syl []string) bool {
	r := []rune(run)
	for i := 0; i+len(syl) <= len(r); i++ {
		part := string(r[i : i+len(syl)])
		if !slices.Equal(analysis.PinyinOf(part), syl) {
			continue
		}
		word, err := ix.soundsLikeTitleWord(part)
		if err != nil {
			return false
		}
		if word {
			return true
		}
	}
	return false
}

// typoPairs returns the sounds of two characters of a run of three or
// more (syl: its syllables) that no title holds as written, in the order
// they are tried: from the end, as a one-character verb or particle comes
// before the word it goes with.
func (ix *Index) typoPairs(ctx context.Context, run string, syl []string) ([][]string, error) {
	rs := []rune(run)
	if len(rs) < 3 || len(rs) != len(syl) {
		return nil, nil
	}
	r, err := ix.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var pairs [][]string
	for j := len(rs) - 2; j >= 0; j-- {
		df, err := ix.rel.chainFreq(ctx, r, string(rs[j:j+2]))
		if err != nil {
			return nil, err
		}
		if df == 0 {
			pairs = append(pairs, syl[j:j+2])
		}
	}
	return pairs, nil
}

// titleSounds reports whether some title holds the syllables syl in a row,
// remembered per index version as document frequencies are: each is a
// phrase search of the titles' pinyin.
func (ix *Index) titleSounds(ctx context.Context, syl []string) (bool, error) {
	return ix.cachedMatch(ctx, keySounds+strings.Join(syl, " "), func() query.Query { return phrase(fTitlePY, syl, 1) })
}

// asRun reads a word that no article holds (df 0) as a run of
// one-character pieces (queryTerm.run, matched by its pairs in the body
// kind body) where some title holds its characters in a row, and returns
// the run's document count as termDocFreq gives it for runs (its rarest
// pair's: a bound). The titles were cut otherwise: 首套 and 二套 of a
// question are 首/套房 in 首套房贷款需要什么条件 and 二套房贷款政策解读. A word
// whose pairs the titles hold only apart (黄金周: 黄金分期, 资金周转) stays
// absent. Its synonyms, if any, are absent too (df is the largest of
// theirs) and are left out of the run. Readers' questions (tuning half):
// all 0.7550 → 0.7565, four up, four down by less; held-out 0.7300 →
// 0.7315. Counting the pairs alone (chainFreq), a question about 黄金周
// found titles on 资金周转. weigh runs at most maxSearchTerms of these
// lookups a query, before bound, which needs the words' absence.
func (ix *Index) asRun(ctx context.Context, r bindex.IndexReader, t *queryTerm, body bodyBigrams) (uint64, error) {
	held, err := ix.titleHolds(ctx, t.text)
	if err != nil || !held {
		return 0, err
	}
	df, err := ix.rel.chainFreq(ctx, r, t.text)
	if err == nil && df > 0 {
		t.run, t.body, t.alts = true, body, nil
	}
	return df, err
}

// asInitials reads t, Latin letters among Chinese words that no article
// holds (ppd of ppd靠谱吗, zfb of zfb冻结了), as the pinyin initials of the
// title words they stand for (拍拍贷, 支付宝: initialsWords), as a query of
// initials alone is read: they become its spellings. It returns how many
// articles hold the commonest of them, 0 when t is no such initials.
func (ix *Index) asInitials(ctx context.Context, r bindex.IndexReader, t *queryTerm) (uint64, error) {
	if t.run || len(t.alts) > 0 || !analysis.IsInitials(t.text) {
		return 0, nil
	}
	words, err := ix.initialsWords(t.text)
	if err != nil || len(words) == 0 {
		return 0, err
	}
	for _, w := range words {
		t.alts = append(t.alts, w.word)
	}
	return ix.termDocFreq(ctx, r, t)
}

// asRunCandidate reports whether asRun may read t as a run: a word of two
// Han characters or more, not a run already (a slip is one).
func asRunCandidate(t *queryTerm) bool {
	return !t.run && utf8.RuneCountInString(t.text) > 1 && allHan(t.text)
}

// titleHolds reports whether some title holds word's characters in a row
// (its character pairs as a phrase), cached with the document counts.
func (ix *Index) titleHolds(ctx context.Context, word string) (bool, error) {
	return ix.cachedMatch(ctx, keyHolds+word, func() query.Query { return phrase(fTitleBi, runPairs(word), 1) })
}

// cachedMatch reports whether any document matches the query q builds
// (matchesAny), cached under key with the document counts: once a
// generation for each key.
func (ix *Index) cachedMatch(ctx context.Context, key string, q func() query.Query) (bool, error) {
	c := ix.rel.df()
	if n, ok := c.get(key); ok {
		return n[0] > 0, nil
	}
	found, err := ix.matchesAny(ctx, q())
	if err != nil {
		return false, err
	}
	var n termCounts
	if found {
		n[0] = 1
	}
	c.put(key, n)
	return found, nil
}

// termDocFreq is how many articles hold t: as common as its commonest
// synonym; for a run of one-character pieces, as many titles as hold its
// rarest character pair (a bound: the pairs may stand apart).
func (ix *Index) termDocFreq(ctx context.Context, r bindex.IndexReader, t *queryTerm) (uint64, error) {
	if t.run {
		return ix.rel.chainFreq(ctx, r, t.text)
	}
	var df uint64
	for _, w := range append([]string{t.text}, t.alts...) {
		d, err := ix.rel.docFreq(ctx, r, w)
		if err != nil {
			return 0, err
		}
		df = max(df, d)
	}
	if t.pair != "" {
		d, err := ix.rel.termFreq(ctx, r, t.pair, true)
		if err != nil {
			return 0, err
		}
		df = max(df, d)
	}
	return df, nil
}

// commonIDF is the general-text idf (dict/common.txt) from which down a
// word counts as everyday: 以后 (4.3) or 处理 (5.4) weigh half or more less
// than the site's subjects (征信 10.2, or 花呗, not in general text at
// all), however rarely the site's titles use them. Set at 8 beforehand,
// the idf below which jieba's words are everyday ones; on the tuning
// halves 6, 10 and 12 score within 0.003 of it.
//
// The share applies to what matches (the weighted quorum), not to the
// ranking: scaling the words' clause boosts too moved the tuning halves by
// +0.001 (questions) and -0.002 (keywords). The relaxation ladder's order
// is the words' subjectness.
const commonIDF = 8.0

// everyday is the share of its weight in the index that a query word
// keeps: 1 for a word rare in general text, less the more common it is.
// A site's idf alone overweighs the everyday words its titles happen not
// to use (几次 in 花呗晚还了好几次以后还能不能办房贷呢).
func (ix *Index) everyday(word string) float64 { return everydayOf(ix.seg.Lexicon(), word) }

// everydayOf is everyday with the lexicon given.
func everydayOf(lex *analysis.Lexicon, word string) float64 {
	return everydayShare(generalIDFOf(lex, word))
}

// everydayShare is everyday's share for a word of general idf g.
func everydayShare(g float64) float64 { return min(1, g/commonIDF) }

// generalIDF is word's idf in general text (dict/common.txt), commonIDF
// for a word the list leaves out (general text uses it rarely, or never:
// 花呗).
func (ix *Index) generalIDF(word string) float64 { return generalIDFOf(ix.seg.Lexicon(), word) }

// generalIDFOf is generalIDF with the lexicon given.
func generalIDFOf(lex *analysis.Lexicon, word string) float64 {
	if g, ok := lex.GeneralIDF(word); ok {
		return g
	}
	return commonIDF
}

// singles returns the one-character content words of a query that also
// has longer ones, which multiChar leaves out of matching (锁 in 苹果手机被ID
// 贷锁了要怎样才能解锁, 消 in 征信上的逾期啥时候能消).
func (aq *analyzedQuery) singles() []string {
	var out []string
	long := false
	for _, t := range aq.terms {
		if utf8.RuneCountInString(t.text) == 1 {
			out = append(out, t.text)
		} else {
			long = true
		}
	}
	if !long {
		return nil
	}
	return out
}

// misspelt returns the pinyin syllables of the query's words that no
// article holds, unknown ones (runs of one-character pieces) and
// dictionary words alike: readers mistype by sound (网贷崔收 for 催收,
// 苹果ID贷锁几 for 锁机, 租机买段 for 买断), often as another word of the
// same sound (查寻 for 查询, 分歧 for 分期, which the input method offers
// first), and a title holding the same syllables in a row is likely what
// they meant. It only ranks: a query no article matches still finds
// nothing (景点推荐 on a site about credit).
// The whole query is matched by sound only when nothing holds it as
// written (searchQuery): a question around one mistyped word never was.
// Runs are weighed first (weigh).
func (aq *analyzedQuery) misspelt() [][]string {
	var out [][]string
	for _, t := range aq.terms {
		if !t.absent {
			continue
		}
		if t.sound != nil {
			out = append(out, t.sound)
		} else if syl := analysis.PinyinOf(t.text); len(syl) >= 2 {
			out = append(out, syl)
		}
	}
	return out
}

// addIntent adds the intent word w and the words of its group
// (synonyms.txt: 为什么 原因 怎么回事) not seen yet.
func (aq *analyzedQuery) addIntent(lex *analysis.Lexicon, w string, seen map[string]bool) {
	aq.intents = append(aq.intents, w)
	for _, a := range lex.Synonyms(w) {
		if !seen[a] {
			seen[a] = true
			aq.intents = append(aq.intents, a)
		}
	}
}

const whyIntent = "为什么"

// asksWhy reports whether a clause of std asks why with 怎么 and a change
// that has happened: 怎么 … 了 at the clause's end (花呗额度怎么变成0了,
// 怎么突然就借不出来了), where 怎么 + verb alone asks how (怎么还款). Such a
// query takes 为什么 and its group (原因, 怎么回事) as intent words. Chosen
// on the tuning half of the readers' questions (854): all 0.7507 ->
// 0.7517 (花呗额度咋变成0了 0.386 -> 0.489, …咋突然就借不出来了 0.415 ->
// 0.736), held-out 0.7330 -> 0.7333 (网贷额度咋越借越少了 0.726 -> 0.830),
// no query lower; the keyword suite and related lists unchanged.
func asksWhy(std string) bool {
	for _, clause := range strings.Fields(std) {
		i := strings.LastIndex(clause, "怎么")
		if i < 0 {
			continue
		}
		rest := strings.TrimRight(clause[i+len("怎么"):], "呢啊呀吗嘛")
		if asksHow(rest) || strings.Contains(rest, "是不是") || strings.Contains(rest, "有没有") {
			continue
		}
		if utf8.RuneCountInString(rest) >= 2 && strings.HasSuffix(rest, "了") {
			return true
		}
	}
	return false
}

// asksHow reports whether what follows 怎么 makes 怎么 … 了 ask how, not
// why: 怎么样了, 怎么办了, 怎么回事, and the verbs of finding out
// (怎么看出来征信花了, 怎么知道被起诉了), whose 了 ends what is to be found out.
func asksHow(rest string) bool {
	for _, p := range [...]string{"样", "办", "回事", "看", "知道", "查", "判断", "确认", "确定", "辨别", "分辨", "识别", "发现"} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// wordsCovered reports, given held (heldTerms of the query's longer
// words, exactQuery's ts), whether the site holds enough of what the
// query's words of two characters or more say, or the query has none but
// amounts the site does not write (五千, 3000: no sign it lacks the
// subject, as heldTerms counts them). Where it does not, the
// one-character words are no subject: 借 and 还 of 刘备借荆州一直不还,这个
// 典故是啥意思 matched every title saying both (借呗…还清…). Readers'
// questions (tuning half, 1254): all 0.7560 → 0.7577, five queries up,
// none down (none 0.735 → 0.751; held-out 0.7337 → 0.7340).
func (aq *analyzedQuery) wordsCovered(held []queryTerm) bool {
	if len(held) > 0 {
		return true
	}
	return !slices.ContainsFunc(aq.terms, func(t queryTerm) bool {
		return utf8.RuneCountInString(t.text) > 1 && !unwrittenAmount(t)
	})
}

// unwrittenAmount reports whether t is an amount, a count or a date no
// article writes in any of its forms (五万, 15, 12期 of 花呗分12期): no sign
// that the site lacks the query's subject (heldTerms, wordsCovered).
func unwrittenAmount(t queryTerm) bool {
	return t.absent && (analysis.IsNumber(t.text) || t.typed || t.pair != "")
}
