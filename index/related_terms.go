package index

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// Where a word occurs in the source article weighs how much it says about
// the article: title above tags above body.
const (
	weightTitle   = 3.0
	weightTags    = 2.0
	weightBody    = 1.0
	weightSubword = 0.5 // a word found inside a longer one (协商 in 协商还款)
	// weightSynonym is what a synonym of a source word (data/dict/
	// synonyms.txt: 征信 for 信用记录) weighs against the word itself.
	// Its idf is its own: weighing it as rare as the source word (the
	// higher of the two idfs) was tried in session 52, pooled tuning
	// halves' drafts 0.708 -> 0.705 (held-out 0.648 -> 0.650), not kept.
	weightSynonym = 0.8
	// weightChar is what a one-character word of the title (租 of
	// 租来的手机能直接卖掉吗, 查 of 怎么查自己借了多少网贷) weighs against a
	// word: readers say 租, 查, 卖 where titles say 租机, 查询, 回收, and the
	// titles' characters (title_uni) hold it inside those words.
	weightChar = 0.5
)

// Template words are the words a site's titles are built around rather than
// about (详解, 指南, 解析, 注意事项, 怎么办): they end a large share of the
// titles that hold them. Head words are the opposite: the products and
// subjects titles lead with (花呗…, 车贷…), while problem words shared
// across products (逾期, 提前还款) sit in the middle. Both are found from
// the index, not listed.
const (
	// positionMinTitles is the fewest titles a word must end (or start)
	// before its position says anything about it.
	positionMinTitles = 3
	// positionFloor is the share of its titles a word must end (start)
	// before it is weighted down (up): subject words end some titles too
	// (…会上征信吗).
	positionFloor = 0.3
	// templateDamp is how much of its weight a word that ends every title
	// holding it loses; headBoost is how much a word that starts every title
	// holding it gains.
	templateDamp = 0.85
	headBoost    = 0.5
	// positionMaxRunes is the longest template or head word looked for.
	positionMaxRunes = 6
	// templateWord is the weight multiplier below which a word is a
	// template word: it never counts towards the minimum match.
	templateWord = 0.5
)

// srcTerm is one word of a source article chosen for the related query.
type srcTerm struct {
	text     string
	weight   float64 // tf × idf × position factor
	inTitle  bool    // the word is in the source's title
	template bool    // a template word: it does not count towards MinMatch
	// boiler: a word of the source's body alone that most articles with a
	// body hold (a footer: 本文仅供参考): a template word, and no reason.
	boiler bool
	// absent words are title words no other article holds: they are not
	// queried, but count in what a result's title must cover.
	absent bool
	df     uint64 // articles other than the source holding it
	// synOf is the source word this term is a synonym of ("" for the
	// source's own words): a match of either is one shared word.
	synOf    string
	expanded bool // see sourceWord.expanded
	bigram   bool // see sourceWord.bigram
	char     bool // see sourceWord.char
	subject  bool // see sourceWord.subject
	// titleSubject: see sourceWord.titleSubject.
	titleSubject bool
	specific     bool // see sourceWord.specific
	// counts are the numbers of articles (the source's included) holding
	// it in each field it is read from (see termCounts): a field no
	// article holds it in is not read.
	counts termCounts
}

// What a source contributes to its related query is bounded, so that no
// draft (POST /api/v1/related needs no token) makes the engine's work grow
// with its size: the first maxSourceTags tags of up to maxTagRunes
// characters each, the first maxBodyRunes characters of the body (a long
// article says what it is about well before that), and at most
// maxSourceWords distinct words, those met first.
const (
	maxSourceTags  = zhsearch.MaxTags
	maxTagRunes    = zhsearch.MaxTagLen
	maxBodyRunes   = 20000
	maxSourceWords = 2000
	// maxSourceRelated bounds the source's own 相关内容 titles read.
	maxSourceRelated = 200
)

// sourceWord is a word of the source with its field-weighted frequency.
type sourceWord struct {
	tf      float64
	inTitle bool
	parent  string // the longer word a search-mode subword came from
	// intent is the weight (0–1) of a question word (多久, 怎么样: the
	// lexicon's data/dict/question.txt), 1 for any other word: it names an
	// aspect asked about, not a subject, so like a template word it never
	// counts towards MinMatch or makes a weaker match.
	intent float64
	synOf  string // the source word this one is a synonym of, see addSynonyms
	// expanded marks a word the source lacks, added from the titles of its
	// best matches (see expansion): it weighs, but never counts as shared.
	expanded bool
	// place is the word's place among the title's words (1 the first; 0
	// for a word of no title, or inside another): a title names its
	// subject first (征信花了… , 房贷逾期…), after the everyday words a
	// reader starts with (帮朋友刷花呗…, 手机被ID贷锁了); see leadWord.
	place int
	// everyday is the word's share of its weight in general text
	// (Index.everyday), set by markSubjects.
	everyday float64
	// subject: the word makes a weaker match alone (see markSubjects);
	// titleSubject: only where an article's title holds it.
	subject, titleSubject bool
	// specific: the word is not an everyday one (Index.everyday 1): a
	// word of the body that stands for the title's subject when no
	// article holds that (see newTermSet).
	specific bool
	// bigram marks two single characters gse cut apart (断供 → 断 供, 话术 →
	// 话 术: words its dictionary lacks), matched as a bigram of the title
	// and body bigram fields.
	bigram bool
	// char marks a one-character word of the title that is not a stop,
	// question or negating word, matched in the titles' characters: it
	// weighs (weightChar) but never counts as a shared word. Short sources
	// only (dropChars).
	char bool
}

// sourceWords cuts the source's title, tags and body into words and
// weighs each by where and how often it occurs: per field, the field's
// weight × (1 + ln count), so a word the body repeats does not drown one
// the title names once; a word that only occurs inside longer ones (协商 in
// 协商还款) weighs weightSubword as much. Stop words, question words and
// their pieces (回事 of 怎么回事) are left out, and so are single
// characters but for the title's (sourceWord.char; dropped again for a
// long source, see dropChars).
//
// body is the body's cut as the index stored it (storedCut), "" to cut it.
func sourceWords(ctx context.Context, seg *analysis.Segmenter, src *zhsearch.Article, body string) (map[string]*sourceWord, error) {
	words := map[string]*sourceWord{}
	field := func(text string, weight float64, title bool, stored string) {
		if ctx.Err() != nil {
			return
		}
		whole, sub, bi, chars := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
		parents := map[string]string{}
		var parent, prev string // prev: the last whole piece, if one character
		var order []string      // the title's words in order, candidates for its subject
		question := false       // parent is a question word (怎么回事): its pieces (回事) are too
		norm := analysis.Normalize(text)
		cut, ok := seg.Recut(norm, stored)
		if !ok {
			cut = seg.Cut(norm, true)
		}
		denied := seg.Denied(cut) // 逾期 of 从来没有逾期过，可最近…被拒
		for i, w := range cut {
			if denied[i] {
				prev = ""
				continue
			}
			if !w.Sub {
				parent = w.Text
				_, question = seg.Lexicon().QuestionStemWeight(w.Text)
				if analysis.RunPiece(seg, w.Text) && !negation(w.Text) { // a pair of them is a run of body_bi
					if title && !question {
						chars[w.Text]++
					}
					if prev != "" {
						bi[prev+w.Text]++
					}
					prev = w.Text
				} else {
					prev = ""
				}
			}
			if utf8.RuneCountInString(w.Text) < 2 || stopWord(seg, w.Text) || w.Sub && question {
				continue
			}
			if qw, ok := seg.Lexicon().QuestionStemWeight(w.Text); ok && qw == 0 {
				continue // a filler (会不会, 能不能)
			}
			if title && !w.Sub {
				if _, question := seg.Lexicon().QuestionStemWeight(w.Text); !question && !slices.Contains(order, w.Text) {
					order = append(order, w.Text)
				}
			}
			if w.Sub {
				sub[w.Text]++
				if _, ok := parents[w.Text]; !ok {
					parents[w.Text] = parent
				}
			} else {
				whole[w.Text]++
			}
		}
		// add counts t and returns its word, nil once a long source has
		// maxSourceWords others.
		add := func(t string, c, weight float64, parent string) *sourceWord {
			sw := words[t]
			if sw == nil {
				if len(words) >= maxSourceWords {
					return nil
				}
				sw = &sourceWord{parent: parent, intent: 1}
				if qw, ok := seg.Lexicon().QuestionStemWeight(t); ok {
					sw.intent = qw
				}
				words[t] = sw
			} else if parent == "" {
				sw.parent = ""
			}
			sw.tf += weight * (1 + math.Log(c))
			sw.inTitle = sw.inTitle || title
			return sw
		}
		for t, c := range whole {
			add(t, c, weight, "")
		}
		for t, c := range sub {
			if _, ok := whole[t]; !ok {
				add(t, c, weight*weightSubword, parents[t])
			}
		}
		for t, c := range bi {
			if _, ok := whole[t]; !ok {
				if sw := add(t, c, weight, ""); sw != nil {
					sw.bigram = true
				}
			}
		}
		for t, c := range chars {
			if sw := add(t, c, weight*weightChar, ""); sw != nil {
				sw.char = true
			}
		}
		for i, t := range order {
			if sw := words[t]; sw != nil && sw.place == 0 {
				sw.place = i + 1
			}
		}
	}
	field(src.Title, weightTitle, true, "")
	field(strings.Join(src.Tags, " "), weightTags, false, "")
	field(src.Body, weightBody, false, body)
	if err := ctx.Err(); err != nil {
		return nil, searchErr(ctx, err)
	}
	addSynonyms(seg.Lexicon(), words)
	return words, nil
}

// addSynonyms adds, for every word of the source, the other words of its
// synonym group that the source lacks, weighing weightSynonym as much: a
// short draft about 借钱 finds articles about 借款. A synonym of several
// source words stands for the heaviest.
func addSynonyms(lx *analysis.Lexicon, words map[string]*sourceWord) {
	syn := map[string]*sourceWord{}
	for w, sw := range words {
		if sw.synOf != "" || sw.intent < 1 {
			continue
		}
		for _, s := range lx.Synonyms(w) {
			if _, own := words[s]; own {
				continue
			}
			if prev := syn[s]; prev == nil || prev.tf < sw.tf*weightSynonym || prev.tf == sw.tf*weightSynonym && prev.synOf > w {
				syn[s] = &sourceWord{tf: sw.tf * weightSynonym, inTitle: sw.inTitle, parent: sw.parent, intent: 1, synOf: w}
			}
		}
	}
	for s, sw := range syn {
		if len(words) >= maxSourceWords {
			return
		}
		words[s] = sw
	}
}

// boundedSource returns src with what it contributes bounded: its tags,
// its body and its 相关内容 list (maxSourceRelated titles).
func boundedSource(src *zhsearch.Article) *zhsearch.Article {
	b := *src
	b.Tags = boundedTags(src.Tags)
	b.Body = zhsearch.CutRunes(src.Body, maxBodyRunes)
	b.Related = src.Related[:min(len(src.Related), maxSourceRelated)]
	return &b
}

// boundedTags returns the first maxSourceTags tags, each cut to
// maxTagRunes characters.
func boundedTags(tags []string) []string {
	out := make([]string, 0, min(len(tags), maxSourceTags))
	for _, t := range tags[:min(len(tags), maxSourceTags)] {
		out = append(out, zhsearch.CutRunes(t, maxTagRunes))
	}
	return out
}

// stopWord reports whether word is a stop word or made of one-character
// stop words only: gse glues 会 and 上 of 会上征信 into the noun 会上, which
// says nothing about an article.
func stopWord(seg *analysis.Segmenter, word string) bool {
	if seg.IsStop(word) {
		return true
	}
	for _, r := range word {
		if !seg.IsStop(string(r)) {
			return false
		}
	}
	return true
}

// corpusStats are the statistics of the index the related engine needs: the
// document count, read for every list, and the weight multipliers of
// template and head words, computed once per generation (live edits change
// them too little to matter).
type corpusStats struct {
	docs uint64
	// bodies counts the articles with a body (not title-only): a word of
	// a source's body alone that most of them hold is boilerplate.
	bodies uint64
	factor map[string]float64 // word → weight multiplier, < 1 template, > 1 head
}

// titleFactor is what a query word's place in the site's titles makes
// of its weight, as in the related engine: a template word (详解, 指南 end
// many titles) weighs less, so a relaxed search drops it before the
// subject (queryTerm.subjectness) and its last step (any one word) ranks
// titles sharing only it last (花呗使用情况详解 fell back to any title
// ending in 详解); a head word (花呗, 借呗, 车贷: the subjects titles lead
// with) weighs more, so that a question's subject, the site's commonest
// words, counts in its quorum against words the titles happen to use
// rarely (银行卡, 余额 of 还款那天银行卡余额不够,借呗没扣上钱算不算逾期).
// On the tuning halves, weighing head words up too moved readers'
// questions (194) from 0.8074 to 0.8155 and the keyword suite from 0.9337
// to 0.9339 (held-out: 0.7809 → 0.7815 and 0.9572 → 0.9552); half the
// head boost scored 0.8121, one and a half 0.8148.
func (st *corpusStats) titleFactor(w string) float64 {
	if f, ok := st.factor[w]; ok {
		return f
	}
	return 1
}

// computeCorpusStats finds template and head words: words of the title
// field held by at least positionMinTitles titles that end (start) more
// than positionFloor of the titles holding them. It reads two term
// dictionaries and no documents: the title words with their document
// counts, and the normalized titles (title_key), whose ends are matched
// against the frequent words. Counting the word before a template ending
// as ending the title too (注意 of 注意事项, which gse cuts 注意 / 事项;
// 全面 of 全面解析) was tried in session 52: the main suite's title-only
// sources 0.857 → 0.871 on the tuning half, but the pooled tuning drafts
// 0.707 → 0.703 and search's tuning half 0.7632 → 0.7630; not kept.
func computeCorpusStats(r bindex.IndexReader, seg *analysis.Segmenter) (*corpusStats, error) {
	st := &corpusStats{factor: map[string]float64{}}
	titleDF := map[string]uint64{}
	err := eachTerm(r, fTitle, func(term string, _ uint64) {
		if utf8.RuneCountInString(term) <= positionMaxRunes {
			titleDF[term] = 0
		}
	})
	if err != nil {
		return nil, err
	}
	// The counts are read from the postings: the dictionary's own can be
	// short on an index written by several writers at once (信用卡: 1 for 9
	// titles), which made every word look rare.
	for term := range titleDF {
		tfr, err := r.TermFieldReader(context.Background(), []byte(term), fTitle, false, false, false)
		if err != nil {
			return nil, err
		}
		n := tfr.Count()
		if err := tfr.Close(); err != nil {
			return nil, err
		}
		if n < positionMinTitles {
			delete(titleDF, term)
		} else {
			titleDF[term] = n
		}
	}
	ends, starts := map[string]uint64{}, map[string]uint64{}
	err = eachTerm(r, fTitleKey, func(title string, count uint64) {
		// Every prefix and suffix of up to positionMaxRunes characters
		// that is a frequent title word starts or ends this title.
		for i, runes := 0, 0; i < len(title) && runes < positionMaxRunes; runes++ {
			r, size := utf8.DecodeRuneInString(title[i:])
			if r == ' ' {
				break
			}
			i += size
			if _, ok := titleDF[title[:i]]; ok {
				starts[title[:i]] += count
			}
		}
		title = trimStopTail(seg, title)
		for i, runes := len(title), 0; i > 0 && runes < positionMaxRunes; runes++ {
			r, size := utf8.DecodeLastRuneInString(title[:i])
			if r == ' ' {
				break
			}
			i -= size
			if _, ok := titleDF[title[i:]]; ok {
				ends[title[i:]] += count
			}
		}
	})
	if err != nil {
		return nil, err
	}
	share := func(k, df uint64) float64 {
		if k < positionMinTitles {
			return 0
		}
		return max(0, min(1, float64(k)/float64(df))-positionFloor) / (1 - positionFloor)
	}
	for w, df := range titleDF {
		f := (1 - templateDamp*share(ends[w], df)) * (1 + headBoost*share(starts[w], df))
		if f != 1 {
			st.factor[w] = f
		}
	}
	return st, nil
}

// trimStopTail drops trailing one-character stop words (吗, 呢, 了) and
// spaces from a normalized title, so 会锁机吗 ends with 锁机.
func trimStopTail(seg *analysis.Segmenter, title string) string {
	for title != "" {
		r, size := utf8.DecodeLastRuneInString(title)
		if r != ' ' && !seg.IsStop(string(r)) {
			break
		}
		title = title[:len(title)-size]
	}
	return title
}

// dfCache remembers document frequencies for one version of an index; it is
// dropped when the index changes. It is bounded: when full it starts over.
type dfCache struct {
	mu sync.RWMutex
	m  map[string]termCounts
}

const dfCacheMax = 200_000

func (c *dfCache) get(t string) (termCounts, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[t]
	return v, ok
}

// put keeps a copy of t: a word cut from a draft is a slice of the
// draft's whole normalized text, which the cache would otherwise keep
// alive (10,000 characters for a word of two).
func (c *dfCache) put(t string, n termCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= dfCacheMax {
		c.m = make(map[string]termCounts, 1024)
	}
	c.m[strings.Clone(t)] = n
}

// termCounts are the numbers of articles holding a term in each of the
// fields fieldCounts reads: the title, the body and, for a bigram with
// gaps, the body's words (0 otherwise).
type termCounts [3]uint64

// df is the term's document frequency: the largest of its counts.
func (c termCounts) df() uint64 { return max(c[0], c[1], c[2]) }

// countFields are the fields whose counts make a term's termCounts (their
// largest is its document frequency: a title word is nearly always a body
// word too): the title and the body, in the word fields or, for a bigram,
// the bigram fields; with gaps (see Index.gaps) a body bigram may be a body
// word instead, counted apart.
func countFields(bigram, gaps bool) []string {
	if !bigram {
		return []string{fTitle, fBody}
	}
	if gaps {
		return []string{fTitleBi, fBodyBi, fBody}
	}
	return []string{fTitleBi, fBodyBi}
}

// fieldCounts returns the numbers of articles holding term in each of
// fields (at most three), in order.
func fieldCounts(ctx context.Context, r bindex.IndexReader, term string, fields []string) (termCounts, error) {
	var c termCounts
	for i, field := range fields {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return termCounts{}, err
		}
		c[i] = tfr.Count()
		if err := tfr.Close(); err != nil {
			return termCounts{}, err
		}
	}
	return c, nil
}

// docFreq is docFreq of a word through the version's cache.
func (e *relatedEngine) docFreq(ctx context.Context, r bindex.IndexReader, term string) (uint64, error) {
	return e.termFreq(ctx, r, term, false)
}

// chainFreq bounds the number of articles whose title holds all bigrams of
// word: the title document frequency of its rarest bigram (0 for a word
// with none).
func (e *relatedEngine) chainFreq(ctx context.Context, r bindex.IndexReader, word string) (uint64, error) {
	grams := bigrams(word)
	if len(grams) == 0 {
		return 0, nil
	}
	least := uint64(math.MaxUint64)
	for _, g := range grams {
		df, err := e.termFreq(ctx, r, g, true)
		if err != nil {
			return 0, err
		}
		least = min(least, df)
	}
	return least, nil
}

// termFreq is docFreq through the version's cache.
func (e *relatedEngine) termFreq(ctx context.Context, r bindex.IndexReader, term string, bigram bool) (uint64, error) {
	c, err := e.termCounts(ctx, r, term, bigram)
	return c.df(), err
}

// The keys of the document-count cache (relatedEngine.df) other than a
// word's own start with a control byte, which no normalized word holds.
const (
	keyPairs    = "\x00" // a pair's counts in the bigram fields, not the words'
	keyChar     = "\x01" // a character's count in the titles' characters
	keySounds   = "\x02" // 1 when a title sounds like the syllables (titleSounds)
	keyHolds    = "\x03" // 1 when a title holds the run (titleHolds)
	keySyllable = "\x04" // a syllable's count in a title pinyin field (completeSyllable)
)

// termCounts is fieldCounts of the word fields (countFields) through the
// version's cache.
func (e *relatedEngine) termCounts(ctx context.Context, r bindex.IndexReader, term string, bigram bool) (termCounts, error) {
	key := term
	if bigram {
		key = keyPairs + term
	}
	return e.cachedCounts(ctx, r, key, term, countFields(bigram, e.gaps))
}

// charCounts is termCounts of a one-character word (sourceWord.char):
// the number of titles holding the character, read from title_uni.
func (e *relatedEngine) charCounts(ctx context.Context, r bindex.IndexReader, char string) (termCounts, error) {
	return e.cachedCounts(ctx, r, keyChar+char, char, []string{fTitleUni})
}

// cachedCounts is fieldCounts through the version's cache, under key.
func (e *relatedEngine) cachedCounts(ctx context.Context, r bindex.IndexReader, key, term string, fields []string) (termCounts, error) {
	c := e.df()
	if n, ok := c.get(key); ok {
		return n, nil
	}
	n, err := fieldCounts(ctx, r, term, fields)
	if err != nil {
		return termCounts{}, err
	}
	c.put(key, n)
	return n, nil
}

// digitsOnly reports a number (2024, 3000): a year or an amount two titles
// share says nothing of their subject (2024年第三季度风控工作… and
// id贷被锁机是不是无解2024), so it weighs but does not count as a shared word.
func digitsOnly(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// amount reports a number (2024, 3000: digitsOnly), or an amount, a
// count, an ordinal or a length of time in Chinese numerals (五千, 一万多,
// 三千块, 七天, 三个月, 两年, 第一次; a title that leads with 第一次 took it
// for its subject): what a reader or a title gives as an example, not its
// subject: a draft titled 借三千七天后要还五千 listed the three articles
// that say 七天 or 五千, whatever they were about.
func amount(w string) bool {
	if n, ok := strings.CutPrefix(w, "第"); ok && n != "" {
		w = n // an ordinal: 第一次, 第二天
	}
	if analysis.IsNumber(w) {
		return true
	}
	for _, unit := range amountUnits {
		if n, ok := strings.CutSuffix(w, unit); ok && n != "" && analysis.IsNumber(n) {
			return true
		}
	}
	return false
}

// amountUnits are the units of time and count an amount may end with
// (analysis.IsNumber takes 块 and 元 itself).
var amountUnits = []string{"个月", "天", "年", "月", "周", "个", "次", "期", "笔", "万"}

// boilerMinBodies is how many other articles with a body it takes to call
// a word most of them hold boilerplate (srcTerm.boiler).
const boilerMinBodies = 5

// boilerTitleShare: a word is boilerplate only if the titles holding it
// are fewer than the bodies holding it over this. A footer's words are in
// few titles, if any (平台 of 具体以平台规则为准 in one of 27, against 7
// bodies); a site's subject is in many.
const boilerTitleShare = 2

// idf is BM25's inverse document frequency: positive however common a word.
func idf(df, n uint64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// selectTerms weighs the source's words by tf × idf × position factor and
// keeps the best maxTitleTerms title words plus the best maxTerms others.
// A word inside a longer word of the source (还款 in 提前还款) is a template
// word when the longer one is. self is 1 for a stored source (its own
// document counts in every frequency) and 0 for a draft.
func (e *relatedEngine) selectTerms(ctx context.Context, r bindex.IndexReader, st *corpusStats,
	words map[string]*sourceWord, self uint64, maxTerms int, leadBoost float64) ([]srcTerm, error) {
	// One slice for both: a body brings hundreds of words, and growing two
	// slices of them was a sixth of a related list's allocations.
	all := make([]srcTerm, 0, len(words))
	found := make([]heldWord, 0, len(words))
	for t, sw := range words {
		if err := ctx.Err(); err != nil {
			return nil, searchErr(ctx, err)
		}
		var counts termCounts
		var err error
		if sw.char {
			counts, err = e.charCounts(ctx, r, t)
		} else {
			counts, err = e.termCounts(ctx, r, t, sw.bigram)
		}
		if err != nil {
			return nil, err
		}
		df := counts.df()
		if df <= self && sw.inTitle && !sw.bigram && !sw.char {
			// No article holds the title word as a word, but titles whose
			// words gse cut otherwise may hold its characters (白条 in
			// 京东白条): the rarest of its bigrams bounds how many do, and the
			// word is looked for in the title bigrams (see scoreArticles).
			if df, err = e.chainFreq(ctx, r, t); err != nil {
				return nil, err
			}
		}
		if df <= self && (!sw.inTitle || sw.synOf != "" || sw.expanded || sw.char) {
			continue // no other article holds it: it cannot relate anything
		}
		found = append(found, heldWord{t, sw, counts, df - min(df, self)})
	}
	lead := leadWord(found)
	for _, h := range found {
		t, sw, counts, df := h.t, h.sw, h.counts, h.df
		f := positionFactor(st, t, sw.parent) * sw.intent
		if lead != "" && (t == lead || sw.parent == lead) {
			f *= 1 + leadBoost
		}
		w, boiler := idf(df, st.docs), false
		if bodies := st.bodies - min(st.bodies, self); !sw.inTitle && bodies >= boilerMinBodies {
			// Most of the site's articles are titles alone: against all of
			// them a footer every body repeats (本文仅供参考) looked rare.
			// Among the articles with a body it is as common as can be.
			// A footer is no title's subject: a word many titles hold too
			// (花呗风控 on a site whose bodies all speak of it) is the
			// site's subject, and a draft of a body alone that says it
			// found nothing when it was called boilerplate.
			bodyDF, titleDF := counts[1]-min(counts[1], self), counts[0]
			if 2*bodyDF > bodies && boilerTitleShare*titleDF < bodyDF {
				w, boiler = min(w, idf(bodyDF, bodies)), true
			}
		}
		term := srcTerm{
			text: t, weight: sw.tf * w * f, inTitle: sw.inTitle, boiler: boiler,
			template: f < templateWord || sw.intent < 1 || sw.expanded || boiler || amount(t) || sw.char, absent: df == 0, df: df,
			synOf: sw.synOf, expanded: sw.expanded, bigram: sw.bigram, char: sw.char, counts: counts,
			subject: sw.subject, titleSubject: sw.titleSubject, specific: sw.specific,
		}
		all = append(all, term)
	}
	// Title words first, then the others (each sorted by weight below).
	nTitle := 0
	for i := range all {
		if all[i].inTitle {
			all[i], all[nTitle] = all[nTitle], all[i]
			nTitle++
		}
	}
	title, rest := all[:nTitle], all[nTitle:]
	byWeight(title)
	byWeight(rest)
	if len(title) > maxTitleTerms {
		title = title[:maxTitleTerms]
	}
	if len(rest) > maxTerms {
		rest = rest[:maxTerms]
	}
	terms := slices.Concat(title, rest) // a new slice: title and rest share all's array
	byWeight(terms)
	return terms, nil
}

// leadEveryday is the least share of its weight in general text
// (Index.everyday) the word a title leads with keeps to be its subject
// (leadWord): 朋友 (0.73), 手机 (0.77) and 汽车 (0.65) are where a draft's
// title starts, not what it is about (帮朋友刷花呗冲业绩会被封吗 led with
// 朋友 and listed 朋友借钱不还怎么办). Chosen on the tuning halves of the
// eight judged related sets of testdata/related's corpus (related,
// related3 to related9), pooled P@5 of sources and drafts, with the
// subject a word another article holds: 0.863 and 0.768 at 0 (the first
// such word whatever it is) and at 0.6, 0.866 and 0.768 at 0.7, 0.866
// and 0.782 at 0.8, 0.863 and 0.782 at 0.9 and 1; held-out 0.799 and
// 0.706 at 0, 0.809 and 0.718 at 0.8.
const leadEveryday = 0.8

// heldWord is a word of the source with its counts in the index and the
// number of other articles holding it (df), as selectTerms looked it up.
type heldWord struct {
	t      string
	sw     *sourceWord
	counts termCounts
	df     uint64
}

// leadWord returns the source's subject word, which LeadBoost raises with
// the words inside it: the first word of its title (sourceWord.place)
// that another article holds and that is no everyday word
// (leadEveryday), failing one the first word another article holds, ""
// when none does. A first word no other article holds (转卖 of
// 租来的手机可以转卖吗) would take the boost from 手机 and relate nothing.
func leadWord(found []heldWord) string {
	first, firstPlace, specific, specificPlace := "", 0, "", 0
	for _, h := range found {
		t, sw := h.t, h.sw
		if sw.place == 0 || h.df == 0 {
			continue
		}
		if firstPlace == 0 || sw.place < firstPlace {
			first, firstPlace = t, sw.place
		}
		if sw.everyday >= leadEveryday && (specificPlace == 0 || sw.place < specificPlace) {
			specific, specificPlace = t, sw.place
		}
	}
	if specific != "" {
		return specific
	}
	return first
}

// maxDraftLookups bounds the words of a draft whose document frequencies
// are looked up (selectTerms keeps a few dozen of them): a draft of 10,000
// random characters brought 2,000 words, each a lookup in every segment's
// dictionaries (50–170 ms, against 5–13 ms for a real draft). Real drafts,
// a title and a few paragraphs, hold far fewer.
const maxDraftLookups = 300

// pruneDraftWords keeps the title's words and the n body words most
// likely to weigh: by frequency in the draft times their weight in
// general text (everyday: a word general text often uses weighs little
// whatever the site; a word it does not know ranks first).
func (ix *Index) pruneDraftWords(words map[string]*sourceWord, n int) {
	if len(words) <= n {
		return
	}
	type ranked struct {
		w    string
		rank float64
	}
	var body []ranked
	for w, sw := range words {
		if !sw.inTitle {
			body = append(body, ranked{w, sw.tf * ix.everyday(w)})
		}
	}
	keep := max(0, n-(len(words)-len(body)))
	if len(body) <= keep {
		return
	}
	sort.Slice(body, func(i, j int) bool {
		if body[i].rank != body[j].rank {
			return body[i].rank > body[j].rank
		}
		return body[i].w < body[j].w
	})
	for _, r := range body[keep:] {
		delete(words, r.w)
	}
}

// everydaySubject is the least share of its weight in general text
// (Index.everyday) a title word keeps and still makes a weaker match
// alone: the words general text uses most (问题 0.49, 知道 0.50, 公司 0.44,
// 工作 0.53, against 汽车 0.65, 朋友 0.73, 手机 0.77) relate nothing by
// themselves (想买房但是征信有问题 listed 朋友借钱不还怎么办,如何优雅处理欠款问题).
// On the tuning half, drafts 0.956 → 0.967 for any share from 0.5 to 0.6
// (held-out and sources unchanged). The share decides which words make a
// weaker match, not their weights: every source word's weight times its
// share to the power 0.5, 1 or 2 (session 52) lost on the pooled tuning
// halves, sources 0.866 → 0.849-0.856, drafts 0.708 → 0.667-0.678.
const everydaySubject = 0.55

// shortWords reports whether a source is short: shortSource words at
// most, its one-character title words (sourceWord.char) not counted.
func shortWords(words map[string]*sourceWord) bool {
	n := 0
	for _, sw := range words {
		if !sw.char {
			n++
		}
	}
	return n <= shortSource
}

// dropChars leaves out the one-character words of a source that is not
// short: its longer words say what it is about, and reading the titles'
// characters for them (月, 付 of a long title on 美团月付) cost a tenth of
// the related lists' throughput at 100k articles.
func dropChars(words map[string]*sourceWord) {
	for w, sw := range words {
		if sw.char {
			delete(words, w)
		}
	}
}

// markSubjects marks the words of a source that make a weaker match alone
// (sourceWord.subject): the words of its title but the most everyday ones
// (everydaySubject), and, when the source is short (shortSource words at
// most: a title and a sentence or two), the words of its body that are
// not everyday words. A word shared only with a body is mostly chance
// (保持, 知道), but a draft of a sentence may name its subject there only
// (车险 in 车子被刮了 / 停在小区的车被人刮了，想走车险理赔). The other everyday
// words of a short source make a weaker match only where an article's
// title holds them (titleSubject): a draft about lending to a 朋友 is
// closer to 朋友借钱不还怎么办 than to nothing, and a list is filled while
// articles share a word with it; the most everyday ones never do.
func (ix *Index) markSubjects(words map[string]*sourceWord, short bool) {
	for w, sw := range words {
		everyday := ix.everyday(w)
		sw.subject = sw.inTitle && everyday >= everydaySubject || short && everyday == 1
		sw.titleSubject = short && !sw.subject && everyday >= everydaySubject
		sw.specific = everyday == 1
		sw.everyday = everyday
	}
}

// termConcepts counts the source's distinct words among its terms that
// are not template words (question words, characters, feedback words,
// footers and numbers among them), synonyms, or held by another term
// (holds: 京东 of a title is counted apart from a lighter 京东E卡 of the
// body, as newTermSet matches it apart). Counting stops at enough, the
// most a caller needs to know.
func termConcepts(terms []srcTerm, enough int) int {
	n := 0
	for _, t := range terms {
		if n >= enough {
			break
		}
		if t.template || t.synOf != "" || t.expanded || insideAny(t, terms) {
			continue
		}
		n++
	}
	return n
}

// positionFactor is the weight multiplier of a word from its position in
// titles; a subword of a template word is no less a template word.
func positionFactor(st *corpusStats, word, parent string) float64 {
	f, ok := st.factor[word]
	if !ok {
		f = 1
	}
	if pf, ok := st.factor[parent]; ok && parent != "" && pf < f {
		f = pf
	}
	return f
}

func byWeight(ts []srcTerm) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].weight != ts[j].weight {
			return ts[i].weight > ts[j].weight
		}
		return ts[i].text < ts[j].text
	})
}
