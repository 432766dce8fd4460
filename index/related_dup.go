package index

import (
	"slices"
	"strings"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// TitleSimilarity scores how alike two titles are, from 0 (nothing shared)
// to 1 (the same), given their near-duplicate keys (see DupKey). A related
// list shows only the first of two results whose similarity reaches the
// configured threshold, and never a result that alike to its source.
type TitleSimilarity func(a, b string) float64

// BigramJaccard is the Jaccard index of the character bigram sets of two
// keys: shared bigrams over all distinct bigrams. A key of one character is
// its own single gram.
func BigramJaccard(a, b string) float64 {
	var bufA, bufB [gramBuf]uint64
	ga, gb := charBigrams(a, bufA[:0]), charBigrams(b, bufB[:0])
	n := shared(ga, gb)
	if u := ga.len() + gb.len() - n; u > 0 {
		return float64(n) / float64(u)
	}
	return 0
}

// SpliceJaccard is BigramJaccard, except that when one key is the other
// with one run of characters inserted anywhere (征信花了修复 → 征信花了快速修复),
// the pair scores as though the run had been appended: (n−1)/(n−1+m) for a
// key of n characters and a run of m. An inserted word refines a title
// wherever it stands, but a bigram set counts one inserted in the middle
// twice over: it breaks a pair of the shorter key and adds pairs of its own,
// so 识别套路贷陷阱 was a near-duplicate of 识别套路贷 while 征信花了快速修复 was
// not one of 征信花了修复.
func SpliceJaccard(a, b string) float64 {
	j := BigramJaccard(a, b)
	if n, m, ok := splice(a, b); ok && n >= 2 {
		j = max(j, float64(n-1)/float64(n-1+m))
	}
	return j
}

// splice reports whether the longer of a and b is the shorter with one
// run of characters inserted, and the lengths in runes of the shorter key
// (n) and of the run (m).
func splice(a, b string) (n, m int, ok bool) {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(x) == len(y) {
		return 0, 0, false
	}
	p := 0 // common prefix
	for p < len(x) && x[p] == y[p] {
		p++
	}
	s := 0 // common suffix of what the prefix leaves
	for s < len(x)-p && x[len(x)-1-s] == y[len(y)-1-s] {
		s++
	}
	return len(x), len(y) - len(x), p+s == len(x)
}

// BigramDice is the Sørensen–Dice coefficient of the character bigram sets
// of two keys: twice the shared bigrams over the sum of both set sizes. It
// ranks pairs as BigramJaccard does (D = 2J/(1+J)) on a more lenient scale.
func BigramDice(a, b string) float64 {
	var bufA, bufB [gramBuf]uint64
	ga, gb := charBigrams(a, bufA[:0]), charBigrams(b, bufB[:0])
	if ga.len()+gb.len() == 0 {
		return 0
	}
	return 2 * float64(shared(ga, gb)) / float64(ga.len()+gb.len())
}

// BigramOverlap is the overlap coefficient of the character bigram sets of
// two keys: shared bigrams over the smaller set, so a title that holds
// another whole (如何识别套路贷 in 如何识别套路贷陷阱) scores 1.
func BigramOverlap(a, b string) float64 {
	var bufA, bufB [gramBuf]uint64
	ga, gb := charBigrams(a, bufA[:0]), charBigrams(b, bufB[:0])
	if m := min(ga.len(), gb.len()); m > 0 {
		return float64(shared(ga, gb)) / float64(m)
	}
	return 0
}

// gramSet is the set of a key's character bigrams: each pair of runes
// packed in a number, sorted and distinct; or, for a key without a pair
// (one character, or single characters between spaces), the key itself,
// which equals only the same key (a pair is two runes, such a key one or
// more than two).
type gramSet struct {
	pairs []uint64
	whole string
}

func (g gramSet) len() int {
	if g.whole != "" {
		return 1
	}
	return len(g.pairs)
}

// gramBuf is room on the stack for the bigrams of a title's key: titles
// longer than that take an allocation (the comparisons ran for every
// candidate of every related list, 7% of its allocations as maps).
const gramBuf = 48

// charBigrams returns the distinct overlapping character pairs of s (its
// single character when it has one), in buf's room where it suffices.
func charBigrams(s string, buf []uint64) gramSet {
	pairs := buf
	prev := rune(-1)
	for _, r := range s {
		if r == ' ' {
			prev = -1
			continue
		}
		if prev >= 0 {
			pairs = append(pairs, uint64(prev)<<32|uint64(r))
		}
		prev = r
	}
	if len(pairs) == 0 {
		return gramSet{whole: strings.TrimSpace(s)}
	}
	slices.Sort(pairs)
	return gramSet{pairs: slices.Compact(pairs)}
}

// shared counts the bigrams two sets hold in common.
func shared(a, b gramSet) int {
	if a.whole != "" || b.whole != "" {
		if a.whole == b.whole {
			return 1
		}
		return 0
	}
	n := 0
	for i, j := 0, 0; i < len(a.pairs) && j < len(b.pairs); {
		switch {
		case a.pairs[i] < b.pairs[j]:
			i++
		case a.pairs[i] > b.pairs[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// dupKey is DupKey with ix's segmenter, remembered for the index version:
// the articles most often related come back list after list.
func (ix *Index) dupKey(title string) string {
	c := &ix.rel.state.Load().dupKeys
	if k, ok := c.get(title); ok {
		return k
	}
	k := DupKey(ix.seg, title)
	c.put(title, k)
	return k
}

// DupKey returns the form in which titles are compared for near-duplicates:
// normalized (width, case, traditional → simplified, punctuation) and with
// stop words removed, so that 花呗被风控了怎么解除 and 花呗被风控了如何解除 have
// the same key. Words are joined without separators.
func DupKey(seg *analysis.Segmenter, title string) string {
	var b, all strings.Builder
	n := 0
	for _, w := range seg.Cut(analysis.Normalize(title), false) {
		all.WriteString(w.Text)
		if !seg.IsStop(w.Text) {
			b.WriteString(w.Text)
			n++
		}
	}
	if n <= 1 {
		// One word besides the stop words (什么是失信被执行人): the question
		// around it is what the title asks, and without it every title that
		// adds a word to the subject (失信被执行人能贷款吗) looked the same.
		return all.String()
	}
	return b.String()
}
