package index

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// A reader who types pinyin initials (hb, jd, zx) means a word, and the
// site's titles say which: the commonest title words whose initials they
// are (花呗 for hb, 京东 for jd). Matched character by character instead,
// two initials find any two neighbouring characters that have them, across
// words (应急贷款 for jd); the words rank the titles that hold them first.
// A word far less common than the commonest is not one of them (季度 too is
// jd, in a title or two where 京东 is in hundreds).
const (
	// initialsMinRunes and initialsMaxRunes bound the words looked up by
	// their initials: two or three characters, the length of most product
	// and subject words.
	initialsMinRunes, initialsMaxRunes = 2, 3
	// initialsWordsKept is how many words an initials string stands for at
	// most, the commonest first; a word held by at most
	// 1/initialsWordsShare as many titles as the commonest is left to the
	// character-by-character match.
	initialsWordsKept  = 3
	initialsWordsShare = 4
)

// initialsVocab maps initials, and full pinyin, to the generation's title
// words that have them. It is built on the first query that needs it (a
// pass over the title dictionary, not paid at start-up) and not updated by
// live edits: a word new to the site is still found character by
// character.
type initialsVocab struct {
	mu    sync.Mutex
	words map[string][]wordCount // by initials; nil until built
	// full maps the words' full pinyin, in any choice of their characters'
	// readings (还款: haikuan, huankuan), to them.
	full map[string][]wordCount
}

type wordCount struct {
	word  string
	count uint64
}

// initialsWords returns the title words whose pinyin initials are ini,
// commonest first, with the number of titles that hold each.
func (ix *Index) initialsWords(ini string) ([]wordCount, error) {
	if n := len(ini); n < initialsMinRunes || n > initialsMaxRunes {
		return nil, nil
	}
	return ix.vocabWords(func(v *initialsVocab) []wordCount { return v.words[ini] })
}

// pinyinWords returns the title words whose full pinyin is key (yuqi:
// 逾期), in any reading of their characters, commonest first, as
// initialsWords does for initials.
func (ix *Index) pinyinWords(key string) ([]wordCount, error) {
	return ix.vocabWords(func(v *initialsVocab) []wordCount { return v.full[key] })
}

// vocabWords builds the vocabulary if it is not yet, and returns what get
// reads of it.
func (ix *Index) vocabWords(get func(v *initialsVocab) []wordCount) ([]wordCount, error) {
	v := &ix.initials
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.words == nil {
		words, full, err := ix.buildInitials()
		if err != nil {
			return nil, err // not kept: the next query tries again
		}
		v.words, v.full = words, full
	}
	return get(v), nil
}

func (ix *Index) buildInitials() (byInitials, byPinyin map[string][]wordCount, err error) {
	r, err := ix.reader()
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	counts := map[string]uint64{} // a term comes once per segment
	err = eachTerm(r, fTitle, func(term string, count uint64) {
		if _, ok := wordInitials(term); ok {
			counts[term] += count
		}
	})
	if err != nil {
		return nil, nil, err
	}
	byInitials, byPinyin = map[string][]wordCount{}, map[string][]wordCount{}
	for term, count := range counts {
		ini, _ := wordInitials(term)
		byInitials[ini] = append(byInitials[ini], wordCount{term, count})
		full, _ := titlePinyinVariants(term)
		for _, key := range full {
			byPinyin[key] = append(byPinyin[key], wordCount{term, count})
		}
	}
	commonest(byInitials)
	commonest(byPinyin)
	return byInitials, byPinyin, nil
}

// commonest keeps, of each key's words, the commonest (initialsWordsKept
// at most, and none far less common than the first: initialsWordsShare).
func commonest(byKey map[string][]wordCount) {
	for key, wcs := range byKey {
		slices.SortFunc(wcs, func(a, b wordCount) int {
			return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.word, b.word))
		})
		n := 1
		for n < min(len(wcs), initialsWordsKept) && wcs[n].count*initialsWordsShare > wcs[0].count {
			n++
		}
		byKey[key] = slices.Clip(wcs[:n])
	}
}

// wordInitials returns the pinyin initials of a word of two or three Han
// characters.
func wordInitials(word string) (string, bool) {
	n := utf8.RuneCountInString(word)
	if n < initialsMinRunes || n > initialsMaxRunes || strings.IndexFunc(word, notHan) >= 0 {
		return "", false
	}
	_, ini := titlePinyinKeys(word)
	return ini, len(ini) == n // a character without pinyin is kept as written
}

func notHan(r rune) bool { return !analysis.IsHan(r) }
