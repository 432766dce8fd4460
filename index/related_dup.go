package index

import (
	"strings"
	"unicode/utf8"

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
	ga, gb := charBigrams(a), charBigrams(b)
	n := shared(ga, gb)
	if u := len(ga) + len(gb) - n; u > 0 {
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
	ga, gb := charBigrams(a), charBigrams(b)
	if len(ga)+len(gb) == 0 {
		return 0
	}
	return 2 * float64(shared(ga, gb)) / float64(len(ga)+len(gb))
}

// BigramOverlap is the overlap coefficient of the character bigram sets of
// two keys: shared bigrams over the smaller set, so a title that holds
// another whole (如何识别套路贷 in 如何识别套路贷陷阱) scores 1.
func BigramOverlap(a, b string) float64 {
	ga, gb := charBigrams(a), charBigrams(b)
	if m := min(len(ga), len(gb)); m > 0 {
		return float64(shared(ga, gb)) / float64(m)
	}
	return 0
}

// charBigrams returns the distinct overlapping character pairs of s (its
// single character when it has one).
func charBigrams(s string) map[string]struct{} {
	out := make(map[string]struct{}, len(s)/3)
	prev := -1
	for i, r := range s {
		if r == ' ' {
			prev = -1
			continue
		}
		if prev >= 0 {
			out[s[prev:i+utf8.RuneLen(r)]] = struct{}{}
		}
		prev = i
	}
	if len(out) == 0 && strings.TrimSpace(s) != "" {
		out[strings.TrimSpace(s)] = struct{}{}
	}
	return out
}

func shared(a, b map[string]struct{}) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for k := range a {
		if _, ok := b[k]; ok {
			n++
		}
	}
	return n
}

// DupKey returns the form in which titles are compared for near-duplicates:
// normalized (width, case, traditional → simplified, punctuation) and with
// stop words removed, so that 花呗被风控了怎么解除 and 花呗被风控了如何解除 have
// the same key. Words are joined without separators.
func DupKey(seg *analysis.Segmenter, title string) string {
	var b strings.Builder
	for _, w := range seg.Cut(analysis.Normalize(title), false) {
		if !seg.IsStop(w.Text) {
			b.WriteString(w.Text)
		}
	}
	return b.String()
}
