package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // WordsAnalyzer's type
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the analyzers registered with bleve. Each normalizes its input
// itself and reports term offsets in the original text, so bleve's
// highlighter and ours mark the reader's own characters.
const (
	Words    = "zh_words"    // gse search-mode words, stop words removed
	Bigram   = "zh_bigram"   // CJK bigrams, Latin/digit runs whole
	Unigram  = "zh_unigram"  // single characters, Latin/digit runs whole
	Pinyin   = "zh_pinyin"   // one full pinyin syllable per character, its most common reading
	Initials = "zh_initials" // the pinyin initials of every reading of each character
	// PinyinReadings is Pinyin with every reading of a character at its
	// position (还: hai and huan): for pinyin a reader types, where Pinyin
	// matches a Chinese query by sound (花贝 for 花呗), which every rare
	// reading would only blur.
	PinyinReadings = "zh_pinyin_readings"
	// BigramGaps is Bigram without the bigrams that the word analyzer holds
	// as words at the same place (see GapTokenizer): for a body, where its
	// word field is beside it.
	BigramGaps = "zh_bigram_gaps"
	// BigramRuns holds only the bigrams of runs of one-character pieces,
	// where the dictionary knew no word (see RunTokenizer): for a body,
	// whose word field answers for its words.
	BigramRuns = "zh_bigram_runs"
)

func init() {
	// The segmenter is looked up on first use, not here: opening an index
	// builds its analyzers, and the dictionaries can load meanwhile.
	register(Words, func() analysis.Tokenizer { return &WordTokenizer{} })
	register(Bigram, func() analysis.Tokenizer { return gramTokenizer(2) })
	register(Unigram, func() analysis.Tokenizer { return gramTokenizer(1) })
	register(Pinyin, func() analysis.Tokenizer { return &PinyinTokenizer{} })
	register(PinyinReadings, func() analysis.Tokenizer { return &PinyinTokenizer{Readings: true} })
	register(Initials, func() analysis.Tokenizer { return &PinyinTokenizer{Initials: true, Readings: true} })
	register(BigramGaps, func() analysis.Tokenizer { return &GapTokenizer{} })
	register(BigramRuns, func() analysis.Tokenizer { return &RunTokenizer{} })
}

// Tokenizer types of the analyzers bound to a dictionary: each cuts with
// the dictionary its "dict" setting names (a DictSet ID).
const (
	wordsDict = "zh_words_dict"       // WordsAnalyzer: gse words
	gapsDict  = "zh_bigram_gaps_dict" // GapsAnalyzer: BigramGaps
	runsDict  = "zh_bigram_runs_dict" // RunsAnalyzer: BigramRuns
)

func init() {
	registerDict(wordsDict, func(seg *Segmenter) analysis.Tokenizer { return &WordTokenizer{Seg: seg} })
	registerDict(gapsDict, func(seg *Segmenter) analysis.Tokenizer { return &GapTokenizer{Seg: seg} })
	registerDict(runsDict, func(seg *Segmenter) analysis.Tokenizer { return &RunTokenizer{Seg: seg} })
}

// registerDict registers the tokenizer type typ, made by newTokenizer with
// the segmenter of its "dict" setting.
func registerDict(typ string, newTokenizer func(*Segmenter) analysis.Tokenizer) {
	registry.RegisterTokenizer(typ, func(config map[string]interface{}, _ *registry.Cache) (analysis.Tokenizer, error) {
		id, _ := config["dict"].(string)
		seg, ok := segmenterByID(id)
		if !ok {
			return nil, fmt.Errorf("dictionary %q is not loaded (analysis.AcquireSegmenter)", id)
		}
		return newTokenizer(seg), nil
	})
}

// dictAnalyzer returns the name base@id of an analyzer whose tokenizer, of
// type typ, cuts with the dictionary id, and its definition for an index
// mapping's custom analysis: the tokenizer, then the analyzer.
func dictAnalyzer(base, typ, id string) (name string, tokenizer, analyzer map[string]interface{}) {
	name = base + "@" + id
	tokenizer = map[string]interface{}{"type": typ, "dict": id}
	analyzer = map[string]interface{}{"type": "custom", "tokenizer": name}
	return name, tokenizer, analyzer
}

// GapsAnalyzer is WordsAnalyzer for BigramGaps: the name of the analyzer
// whose gaps are those of the words cut with the dictionary id, and its
// definition.
func GapsAnalyzer(id string) (name string, tokenizer, analyzer map[string]interface{}) {
	return dictAnalyzer(BigramGaps, gapsDict, id)
}

// RunsAnalyzer is WordsAnalyzer for BigramRuns: the name of the analyzer
// whose runs are those of the words cut with the dictionary id, and its
// definition.
func RunsAnalyzer(id string) (name string, tokenizer, analyzer map[string]interface{}) {
	return dictAnalyzer(BigramRuns, runsDict, id)
}

// WordsAnalyzer returns the name of the word analyzer that cuts with the
// dictionary id, and its definition for an index mapping's custom
// analysis: the tokenizer, then the analyzer. The dictionary must have
// be held (AcquireSegmenter) while an index using it is built or open.
func WordsAnalyzer(id string) (name string, tokenizer, analyzer map[string]interface{}) {
	return dictAnalyzer(Words, wordsDict, id)
}

// register makes name both a tokenizer and an analyzer using it: the
// tokenizers already normalize, so no char or token filters are needed.
func register(name string, newTokenizer func() analysis.Tokenizer) {
	registry.RegisterTokenizer(name, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return newTokenizer(), nil
	})
	registry.RegisterAnalyzer(name, func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		tok, err := cache.TokenizerNamed(name)
		if err != nil {
			return nil, err
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tok}, nil
	})
}

// WordTokenizer emits gse search-mode words of the normalized text. Shorter
// words found inside a longer one share its position.
type WordTokenizer struct {
	Seg *Segmenter // nil means DefaultSegmenter()
}

// Tokenize implements analysis.Tokenizer.
func (t *WordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	return cutTokens(t.Seg, input, wordTokens)
}

// fromCut emits the tokens of normalized text (offs maps its bytes to the
// input's) given its cut in search mode.
type fromCut func(seg *Segmenter, norm string, offs []int, cut []Word) analysis.TokenStream

// cutTokens normalizes input, cuts it with seg (nil: DefaultSegmenter())
// and emits its tokens with emit.
func cutTokens(seg *Segmenter, input []byte, emit fromCut) analysis.TokenStream {
	seg, norm, offs, cut := cutInput(seg, input)
	return emit(seg, norm, offs, cut)
}

// CutText is a text normalized and cut once in search mode, for the tokens
// of several fields and for the cut the index stores (Stored): one
// segmentation where each would cut again.
type CutText struct {
	// Words is Segmenter.Cut(Normalize(text), true).
	Words []Word
	seg   *Segmenter
	norm  string
	offs  []int
}

// CutOnce normalizes input and cuts it with seg (nil: DefaultSegmenter()).
func CutOnce(seg *Segmenter, input []byte) *CutText {
	seg, norm, offs, cut := cutInput(seg, input)
	return &CutText{Words: cut, seg: seg, norm: norm, offs: offs}
}

// Stored returns the stored form of the cut (StoreCut).
func (c *CutText) Stored() string { return StoreCut(c.norm, c.Words) }

// WordsAndRuns returns what WordTokenizer and RunTokenizer give for the text.
func (c *CutText) WordsAndRuns() (words, runs analysis.TokenStream) {
	return wordTokens(c.seg, c.norm, c.offs, c.Words), runTokens(c.seg, c.norm, c.offs, c.Words)
}

// WordsAndGaps returns what WordTokenizer and GapTokenizer give for the text.
func (c *CutText) WordsAndGaps() (words, gaps analysis.TokenStream) {
	return wordTokens(c.seg, c.norm, c.offs, c.Words), gapTokens(c.seg, c.norm, c.offs, c.Words)
}

// cutInput normalizes input and cuts it in search mode with seg (nil:
// DefaultSegmenter()), which it returns.
func cutInput(seg *Segmenter, input []byte) (*Segmenter, string, []int, []Word) {
	if seg == nil {
		seg = DefaultSegmenter()
	}
	norm, offs := NormalizeMap(string(input), true)
	return seg, norm, offs, seg.Cut(norm, true)
}

func wordTokens(seg *Segmenter, norm string, offs []int, words []Word) analysis.TokenStream {
	ts := newTokens(len(words), norm)
	pos := 0
	for _, w := range words {
		if !w.Sub {
			pos++
		}
		if seg.IsStop(w.Text) {
			continue
		}
		ts.add(w.Start, w.End, offs[w.Start], offs[w.End], pos, tokenType(w.Text))
	}
	return ts.stream
}

// GapTokenizer emits the tokens of GramTokenizer{N: 2} except those the
// WordTokenizer with the same segmenter emits at the same place: a
// two-character word (征信), a two-character word inside a longer one (征信
// in 征信花了), a Latin word. Stop words are not word tokens, so their
// bigrams stay. A text holds a bigram exactly where its gap tokens or its
// word tokens hold it: the word field and this one together answer every
// bigram, with about 40% fewer postings than all bigrams beside the words.
type GapTokenizer struct {
	Seg *Segmenter // nil means DefaultSegmenter()
}

// Tokenize implements analysis.Tokenizer.
func (t *GapTokenizer) Tokenize(input []byte) analysis.TokenStream {
	return cutTokens(t.Seg, input, gapTokens)
}

// WordsAndGaps returns what WordTokenizer and GapTokenizer with seg give
// for input, cutting it once.
func WordsAndGaps(seg *Segmenter, input []byte) (words, gaps analysis.TokenStream) {
	return CutOnce(seg, input).WordsAndGaps()
}

// gapTokens emits the gap bigrams of norm, given its words.
func gapTokens(seg *Segmenter, norm string, offs []int, words []Word) analysis.TokenStream {
	// The spans of the word tokens, as (start, end) byte offsets, sorted:
	// a bigram or a Latin run is looked up there.
	spans := make([][2]int, 0, len(words))
	for _, w := range words {
		if !seg.IsStop(w.Text) {
			spans = append(spans, [2]int{w.Start, w.End})
		}
	}
	slices.SortFunc(spans, cmpSpan)
	us := units(norm)
	ts := newTokens(len(us)+2, norm)
	emit := func(start, end, pos int) {
		if _, word := slices.BinarySearchFunc(spans, [2]int{start, end}, cmpSpan); !word {
			ts.add(start, end, offs[start], offs[end], pos, tokenType(norm[start:end]))
		}
	}
	for i, u := range us {
		pos := i + 1
		hasNext := i+1 < len(us) && !us[i+1].chainStart
		if u.latin || (!hasNext && u.chainStart) {
			emit(u.start, u.end, pos)
		}
		if hasNext {
			emit(u.start, us[i+1].end, pos)
		}
	}
	return ts.stream
}

// RunTokenizer emits the pairs of consecutive one-character pieces that
// WordTokenizer with the same segmenter cuts, neither a stop word, both
// Han: where the dictionary knows no word (断供 cut 断 供, 面签 cut 面 签),
// its pieces in order. A body indexed with it beside its words holds
// about 6% of the postings GapTokenizer gives (most of those straddle two
// words or a stop word and are read by no query), and still answers every
// bigram a query or a related source looks up in a body: its words (the
// word field) and its runs of one-character pieces (this one).
type RunTokenizer struct {
	Seg *Segmenter // nil means DefaultSegmenter()
}

// Tokenize implements analysis.Tokenizer.
func (t *RunTokenizer) Tokenize(input []byte) analysis.TokenStream {
	return cutTokens(t.Seg, input, runTokens)
}

// WordsAndRuns returns what WordTokenizer and RunTokenizer with seg give
// for input, cutting it once.
func WordsAndRuns(seg *Segmenter, input []byte) (words, runs analysis.TokenStream) {
	return CutOnce(seg, input).WordsAndRuns()
}

// runTokens emits the run pairs of norm, given its words, at the position
// of the pair's second piece (a fromCut).
func runTokens(seg *Segmenter, norm string, offs []int, words []Word) analysis.TokenStream {
	var ts *tokens // made at the first pair: most texts have few, many none
	pos := 0
	prev := Word{Start: -1, End: -1} // the last top-level piece, if a run piece
	for _, w := range words {
		if w.Sub {
			continue
		}
		pos++
		if !RunPiece(seg, w.Text) {
			prev = Word{Start: -1, End: -1}
			continue
		}
		if prev.End == w.Start {
			if ts == nil {
				ts = newTokens(4, norm)
			}
			ts.add(prev.Start, w.End, offs[prev.Start], offs[w.End], pos, analysis.Ideographic)
		}
		prev = w
	}
	if ts == nil {
		return nil
	}
	return ts.stream
}

// RunPiece reports whether a piece of a cut is one Han character that is
// not a stop word, a piece of a word the dictionary lacks: two of them side
// by side make a pair of RunTokenizer, and a related source's bigram term.
func RunPiece(seg *Segmenter, piece string) bool {
	r, size := utf8.DecodeRuneInString(piece)
	return size == len(piece) && IsHan(r) && !seg.IsStop(piece)
}

func cmpSpan(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) }

// tokens builds a token stream with few allocations: the tokens come from
// one slab and their terms are slices of one copy of the normalized text
// (or of a buffer of generated terms), capped so nothing can grow into a
// neighbour. Nothing downstream modifies terms in place: the analyzers have
// no token filters.
type tokens struct {
	stream analysis.TokenStream
	slab   []analysis.Token
	text   []byte
}

func newTokens(n int, norm string) *tokens {
	return &tokens{stream: make(analysis.TokenStream, 0, n), slab: make([]analysis.Token, 0, n), text: []byte(norm)}
}

// add appends a token whose term is text[from:to].
func (ts *tokens) add(from, to, start, end, pos int, typ analysis.TokenType) {
	ts.addTerm(ts.text[from:to:to], start, end, pos, typ)
}

// addTerm appends a token with the given term.
func (ts *tokens) addTerm(term []byte, start, end, pos int, typ analysis.TokenType) {
	if len(ts.slab) == cap(ts.slab) {
		ts.slab = make([]analysis.Token, 0, max(8, cap(ts.slab)))
	}
	ts.slab = append(ts.slab, analysis.Token{Term: term, Start: start, End: end, Position: pos, Type: typ})
	ts.stream = append(ts.stream, &ts.slab[len(ts.slab)-1])
}

// unit is one character, or one run of Latin letters and digits, of
// normalized text; runs of units with no separator between form chains.
type unit struct {
	text       string
	start, end int // byte offsets in the normalized text
	latin      bool
	chainStart bool
}

// Units splits normalized text into units.
func units(norm string) []unit {
	us := make([]unit, 0, len(norm)/3+1)
	chainStart := true
	for i := 0; i < len(norm); {
		r, size := utf8.DecodeRuneInString(norm[i:])
		switch {
		case r == ' ':
			chainStart = true
			i += size
			continue
		case isWordRune(r) && !isHan(r):
			j := i + size
			for j < len(norm) {
				r2, s2 := utf8.DecodeRuneInString(norm[j:])
				if !isWordRune(r2) || isHan(r2) {
					break
				}
				j += s2
			}
			us = append(us, unit{text: norm[i:j], start: i, end: j, latin: true, chainStart: chainStart})
			i = j
		default:
			us = append(us, unit{text: norm[i : i+size], start: i, end: i + size, chainStart: chainStart})
			i += size
		}
		chainStart = false
	}
	return us
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// GramTokenizer emits n-grams of units (n = 1 or 2). Bigrams overlap like
// bleve's cjk analyzer, but cross from Latin to Chinese (id贷, e卡); a chain
// of one unit is emitted alone, and with bigrams every Latin run is also
// emitted alone at its own position, so a query for "id" still matches.
type GramTokenizer struct{ N int }

func gramTokenizer(n int) *GramTokenizer { return &GramTokenizer{N: n} }

// Tokenize implements analysis.Tokenizer.
func (t *GramTokenizer) Tokenize(input []byte) analysis.TokenStream {
	norm, offs := NormalizeMap(string(input), true)
	us := units(norm)
	ts := newTokens(len(us)+2, norm)
	emit := func(start, end, pos int) {
		ts.add(start, end, offs[start], offs[end], pos, tokenType(norm[start:end]))
	}
	for i, u := range us {
		pos := i + 1
		hasNext := i+1 < len(us) && !us[i+1].chainStart
		if t.N == 1 {
			emit(u.start, u.end, pos)
			continue
		}
		if u.latin || (!hasNext && u.chainStart) {
			emit(u.start, u.end, pos)
		}
		if hasNext {
			emit(u.start, us[i+1].end, pos)
		}
	}
	return ts.stream
}

// PinyinTokenizer emits, for each Chinese character of the normalized
// text, its full pinyin syllable, or with Initials set its first letter;
// with Readings set, every reading's, at the character's position (an
// initial once). Latin runs pass through whole. Offsets point at the
// character, so a pinyin match highlights the Chinese it came from.
type PinyinTokenizer struct{ Initials, Readings bool }

// Tokenize implements analysis.Tokenizer.
func (t *PinyinTokenizer) Tokenize(input []byte) analysis.TokenStream {
	norm, offs := NormalizeMap(string(input), true)
	us := units(norm)
	ts := newTokens(len(us), "")
	// Terms are appended to one buffer; it is sized for the longest
	// syllables of every reading so it never moves while earlier terms
	// point into it.
	buf := make([]byte, 0, len(norm)+(1+maxAlternates)*maxSyllable*len(us))
	pos := 0
	for _, u := range us {
		if u.latin {
			pos++
			from := len(buf)
			buf = append(buf, u.text...)
			ts.addTerm(buf[from:len(buf):len(buf)], offs[u.start], offs[u.end], pos, analysis.AlphaNumeric)
			continue
		}
		r, _ := utf8.DecodeRuneInString(u.text)
		readings := CharReadings(r)
		if len(readings) == 0 {
			continue
		}
		if !t.Readings {
			readings = readings[:1]
		}
		pos++
		// Every reading of the character stands at its position (还: hai
		// and huan), so that a phrase of what the reader typed matches
		// whichever reading the title's word has.
		var seen [1 + maxAlternates]string
		n := 0
		for _, term := range readings {
			if t.Initials {
				term = term[:1]
			}
			if slices.Contains(seen[:n], term) {
				continue // one initial once (hai, huan: h)
			}
			seen[n] = term
			n++
			from := len(buf)
			buf = append(buf, term...)
			ts.addTerm(buf[from:len(buf):len(buf)], offs[u.start], offs[u.end], pos, analysis.AlphaNumeric)
		}
	}
	return ts.stream
}

func tokenType(s string) analysis.TokenType {
	for _, r := range s {
		if isHan(r) {
			return analysis.Ideographic
		}
	}
	return analysis.AlphaNumeric
}
