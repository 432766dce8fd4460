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
