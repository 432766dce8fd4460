package analysis

import (
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// The query lexicon's files in a dictionary folder. They are not gse word
// lists: NewSegmenter reads them here and adds their words to the
// dictionary itself.
const (
	questionFile = "dict/question.txt"
	spokenFile   = "dict/spoken.txt"
	synonymsFile = "dict/synonyms.txt"
	commonFile   = "dict/common.txt"
	troubleFile  = "dict/trouble.txt"
	askFile      = "dict/ask.txt"
)

// lexiconFiles are the dict/*.txt files that are not gse word lists.
var lexiconFiles = map[string]bool{"dict/stop.txt": true, questionFile: true, spokenFile: true, synonymsFile: true,
	commonFile: true, troubleFile: true, askFile: true}

// queryOnlyFiles are the lexicon files none of whose words enters gse's
// dictionary (Lexicon.words): the prepared dictionary does not depend on
// them (dictInputsHash).
var queryOnlyFiles = map[string]bool{commonFile: true, troubleFile: true, askFile: true}

// Lexicon is what the query side knows about readers' words beyond the
// dictionary: how much question and function words count, the spoken
// forms to respell, and the groups of synonyms. It is read-only once
// loaded, so safe for concurrent use.
type Lexicon struct {
	weight map[string]float64  // question words: 0 filler, (0,1) intent
	spoken map[string]string   // spoken form → standard form
	maxLen int                 // longest spoken form, in runes
	syn    map[string][]string // word → the other words of its group
	common map[string]float64  // everyday word → its idf in general text
	// trouble holds the bad marks a reader may deny having (逾期, 欠款):
	// see Segmenter.Denied.
	trouble map[string]bool
	// ask holds how a clause says it asks (dict/ask.txt): a word it
	// holds, true for one that must end it.
	ask map[string]bool
}

// loadLexicon reads the lexicon files of dicts; a missing file is an empty
// part. Errors name the file and line.
func loadLexicon(dicts fs.FS) (*Lexicon, error) {
	lx := &Lexicon{weight: map[string]float64{}, spoken: map[string]string{}, syn: map[string][]string{},
		common: map[string]float64{}, trouble: map[string]bool{}, ask: map[string]bool{}}
	ld := &lexiconLoad{Lexicon: lx, lines: map[string]int{}, synOf: map[[2]string]bool{}, formOf: map[string]string{}}
	for _, part := range []struct {
		name  string
		words int // how many leading fields are words (-1: all)
		load  func(n int, fields []string) error
	}{
		{questionFile, 1, ld.addQuestion},
		{spokenFile, -1, ld.addSpoken},
		{synonymsFile, -1, ld.addSynonyms},
		{commonFile, 1, lx.addCommon},
		{troubleFile, -1, lx.addTrouble},
		{askFile, 1, lx.addAsk},
	} {
		if _, err := fs.Stat(dicts, part.name); err != nil {
			continue
		}
		err := eachLine(dicts, part.name, func(n int, line string) error {
			f := strings.Fields(line)
			if len(f) == 0 || strings.HasPrefix(f[0], "#") {
				return nil
			}
			for i := range f {
				if part.words >= 0 && i >= part.words {
					break
				}
				if i > 0 && strings.HasPrefix(f[i], "#") {
					// 晚交 迟缴 #note made note a synonym of both.
					return fmt.Errorf("%q: a comment takes a line of its own, starting with #", f[i])
				}
				if f[i] = Normalize(f[i]); f[i] == "" || strings.Contains(f[i], " ") {
					return fmt.Errorf("%q is not one word: separate words with spaces, not commas or other punctuation", strings.Fields(line)[i])
				}
			}
			return part.load(n, f)
		})
		if err != nil {
			return nil, err
		}
	}
	return lx, nil
}

// lexiconLoad is a Lexicon being read, with what its checks need: the
// line each question word and spoken form was given on (keyed by file
// and word), and each synonym pair already in (addSynonyms).
type lexiconLoad struct {
	*Lexicon
	lines map[string]int
	synOf map[[2]string]bool
	// formOf maps a standard form to a spoken form respelled as it.
	formOf map[string]string
}

// again reports the line where word was given before in file, or 0.
func (ld *lexiconLoad) again(file, word string, n int) int {
	key := file + "\x00" + word
	before := ld.lines[key]
	if before == 0 {
		ld.lines[key] = n
	}
	return before
}

func (ld *lexiconLoad) addQuestion(n int, f []string) error {
	if len(f) != 2 {
		return fmt.Errorf("want \"word weight\", got %d fields", len(f))
	}
	w, err := strconv.ParseFloat(width.Narrow.String(f[1]), 64)
	if err != nil || !(w >= 0 && w < 1) { // NaN fails both comparisons
		return fmt.Errorf("weight %q must be a number from 0 up to (not including) 1", f[1])
	}
	// The last of two weights won, and the editor who changed the first
	// saw nothing happen.
	if before := ld.again(questionFile, f[0], n); before != 0 && ld.weight[f[0]] != w {
		return fmt.Errorf("%s is given the weight %g on line %d: one weight per word", f[0], ld.weight[f[0]], before)
	}
	ld.weight[f[0]] = w
	return nil
}

func (lx *Lexicon) addTrouble(_ int, f []string) error {
	if len(f) != 1 {
		return fmt.Errorf("want one word, got %d fields", len(f))
	}
	lx.trouble[f[0]] = true
	return nil
}

// Trouble reports a bad mark of a credit record that a reader may deny
// having (dict/trouble.txt).
func (lx *Lexicon) Trouble(word string) bool {
	return lx != nil && lx.trouble[word]
}

func (lx *Lexicon) addAsk(_ int, f []string) error {
	if len(f) > 2 || len(f) == 2 && f[1] != "end" {
		return fmt.Errorf(`want "word" or "word end", got %q`, strings.Join(f, " "))
	}
	lx.ask[f[0]] = len(f) == 2
	return nil
}

// Asking tells how plainly a clause of a question (normalized, spoken
// forms respelled) asks (dict/ask.txt): 2 when it ends in a closing
// particle (吗, 呢, a closing 不), 1 when it holds a question word (怎么,
// 能不能), 0 when it does not ask.
func (lx *Lexicon) Asking(clause string) int {
	if lx == nil {
		return 0
	}
	level := 0
	for w, end := range lx.ask {
		switch {
		case end && strings.HasSuffix(clause, w):
			return 2
		case !end && strings.Contains(clause, w):
			level = 1
		}
	}
	return level
}

func (lx *Lexicon) addCommon(_ int, f []string) error {
	if len(f) != 2 {
		return fmt.Errorf("want \"word idf\", got %d fields", len(f))
	}
	idf, err := strconv.ParseFloat(f[1], 64)
	if err != nil || !(idf >= 0) || math.IsInf(idf, 1) {
		return fmt.Errorf("idf %q must be a finite number of 0 or more", f[1])
	}
	lx.common[f[0]] = idf
	return nil
}

// GeneralIDF returns how rare word is in general Chinese text, its idf
// over a general corpus (dict/common.txt), and whether the lexicon knows
// it: only everyday words are listed, a word it does not know is rare.
func (lx *Lexicon) GeneralIDF(word string) (float64, bool) {
	if lx == nil {
		return 0, false
	}
	idf, ok := lx.common[word]
	return idf, ok
}

func (ld *lexiconLoad) addSpoken(n int, f []string) error {
	if len(f) != 2 {
		return fmt.Errorf("want \"spoken standard\", got %d fields", len(f))
	}
	form, std := f[0], f[1]
	if form == std {
		return fmt.Errorf("%s is respelled as itself", form)
	}
	if before := ld.again(spokenFile, form, n); before != 0 && ld.spoken[form] != std {
		return fmt.Errorf("%s is respelled as %s on line %d: one standard form per spoken one", form, ld.spoken[form], before)
	}
	// A standard form respelled in turn (怎么办 咋办 beside 咋办 怎么办) made
	// the questions that write it the standard way lose it.
	if other, ok := ld.formOf[form]; ok {
		return fmt.Errorf("%s is the standard form of %s (line %d): it cannot be respelled", form, other, ld.lines[spokenFile+"\x00"+other])
	}
	if to, ok := ld.spoken[std]; ok {
		return fmt.Errorf("%s is itself respelled as %s (line %d): a spoken form respells to a standard one", std, to, ld.lines[spokenFile+"\x00"+std])
	}
	ld.spoken[form] = std
	ld.formOf[std] = form
	ld.maxLen = max(ld.maxLen, utf8.RuneCountInString(form))
	return nil
}

func (ld *lexiconLoad) addSynonyms(_ int, f []string) error {
	if len(f) < 2 {
		return fmt.Errorf("a synonym group needs two or more words")
	}
	for i, w := range f {
		if slices.Contains(f[:i], w) {
			return fmt.Errorf("%s is twice in the group", w)
		}
	}
	// A set of the pairs already in: a group of n words is n² pairs, and
	// looking each up in the slices took a 2,000-word line 12 s.
	for _, w := range f {
		for _, o := range f {
			if o != w && !ld.synOf[[2]string{w, o}] {
				ld.synOf[[2]string{w, o}] = true
				ld.syn[w] = append(ld.syn[w], o)
			}
		}
	}
	return nil
}

// words lists every word the lexicon names that the segmenter should cut
// as one word: synonyms and the standard forms of spoken ones, two or more
// characters long, sorted for a deterministic dictionary.
func (lx *Lexicon) words() []string {
	var out []string
	for w := range lx.syn {
		out = append(out, w)
	}
	for _, std := range lx.spoken {
		out = append(out, std)
	}
	for w := range lx.weight {
		out = append(out, w)
	}
	sort.Strings(out)
	uniq := out[:0]
	for i, w := range out {
		if (i == 0 || w != out[i-1]) && utf8.RuneCountInString(w) >= 2 {
			uniq = append(uniq, w)
		}
	}
	return uniq
}

// Respell replaces the spoken forms in normalized text by their standard
// forms, longest form first at each position: 花呗逾期咋办 → 花呗逾期怎么办.
func (lx *Lexicon) Respell(text string) string {
	return lx.respell(text, nil)
}

// respell is Respell; a form whose span [start, end) of text fits reports
// false is left alone, and a shorter form at the same place is tried.
func (lx *Lexicon) respell(text string, fits func(start, end int) bool) string {
	if lx == nil || len(lx.spoken) == 0 {
		return text
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(text); {
		std, n := lx.spokenAt(text[i:], func(n int) bool { return fits == nil || fits(i, i+n) })
		if n == 0 {
			_, size := utf8.DecodeRuneInString(text[i:])
			b.WriteString(text[i : i+size])
			i += size
			continue
		}
		b.WriteString(std)
		i += n
		changed = true
	}
	if !changed {
		return text
	}
	return b.String()
}

// spokenAt finds the longest spoken form at the start of s that ok
// accepts (given its length in bytes): its standard form and its length
// in bytes, or 0.
func (lx *Lexicon) spokenAt(s string, ok func(n int) bool) (string, int) {
	end := 0
	bestStd, bestLen := "", 0
	for k := 1; k <= lx.maxLen && end < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
		if std, found := lx.spoken[s[:end]]; found && ok(end) {
			bestStd, bestLen = std, end
		}
	}
	return bestStd, bestLen
}

// QuestionWeight reports how much a question or function word counts in
// matching: 0 for a filler, below 1 for an intent word; ok is false for a
// word the lexicon does not list.
func (lx *Lexicon) QuestionWeight(word string) (weight float64, ok bool) {
	if lx == nil {
		return 0, false
	}
	weight, ok = lx.weight[word]
	return weight, ok
}

// QuestionStemWeight is QuestionWeight, but a listed word with a final
// particle after it, cut as one word (靠谱吗: spoken.txt's standard form of
// 靠谱不, which the segmenter holds whole), weighs as the word (靠谱). The
// related engine took it for a content word of full weight and matched
// 黄金分期平台靠谱吗 to 支付宝租手机靠谱吗 by it alone. Search keeps 靠谱吗 a
// word of the query: weighed as 靠谱 there, questions that say little
// else (…这事儿靠谱不) found nothing, and the tuning half of the readers'
// spoken questions fell from 0.7474 to 0.7442.
func (lx *Lexicon) QuestionStemWeight(word string) (weight float64, ok bool) {
	if weight, ok = lx.QuestionWeight(word); ok || lx == nil {
		return weight, ok
	}
	last, size := utf8.DecodeLastRuneInString(word)
	stem := word[:len(word)-size]
	if !strings.ContainsRune(finalParticles, last) || utf8.RuneCountInString(stem) < 2 {
		return 0, false
	}
	if w, filler := lx.weight[string(last)]; !filler || w != 0 {
		return 0, false
	}
	weight, ok = lx.weight[stem]
	return weight, ok
}

// finalParticles are the particles that end a question or a sentence (靠谱吗,
// 怎么办呢): one after a listed word does not make another word of it. Not
// every filler: 用 after 有 (有用) or 能 makes a word of its own.
const finalParticles = "吗呢啊呀吧嘛哦啦么"

// Synonyms returns the other words of word's synonym group, or nil. The
// slice is shared: do not modify it.
func (lx *Lexicon) Synonyms(word string) []string {
	if lx == nil {
		return nil
	}
	return lx.syn[word]
}
