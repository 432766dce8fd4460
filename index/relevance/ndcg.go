package relevance

import (
	"math"
	"slices"
	"strings"
)

// Grade returns the judged grade of d: the higher of the grades under its id
// and under TitlePrefix plus its exact title (surrounding spaces trimmed), or
// 0 when neither is judged.
func Grade(d Doc, judgments map[string]int) int {
	g, _ := grade(d, judgments)
	return g
}

// grade returns d's grade and the judgment keys it matched.
func grade(d Doc, judgments map[string]int) (int, []string) {
	best := 0
	var keys []string
	for _, key := range []string{d.ID, TitlePrefix + strings.TrimSpace(d.Title)} {
		if key == "" || key == TitlePrefix {
			continue
		}
		if g, ok := judgments[key]; ok && g > 0 {
			keys = append(keys, key)
			best = max(best, g)
		}
	}
	return best, keys
}

// gain is the exponential gain of a grade: 2 counts three times as much as 1.
func gain(g int) float64 { return math.Exp2(float64(g)) - 1 }

// discount is the position discount of the 0-based rank i.
func discount(i int) float64 { return math.Log2(float64(i) + 2) }

// NDCG scores the first k documents of ranked against judgments, from 0
// (nothing useful) to 1 (the best possible ranking).
//
// With judgments, it is the normalized discounted cumulative gain:
//
//	DCG@k  = Σ_{i=1..k} (2^grade_i − 1) / log2(i + 1)
//	NDCG@k = DCG@k / ideal DCG@k
//
// where the ideal DCG ranks all judged grades (every judgment in the map,
// whether or not the engine returned it) from highest to lowest. A judgment
// is credited once: a repeated document, or a second document with the same
// judged title, gains nothing, so no ranking scores above the ideal.
//
// Without any positive judgment (a KindNone query) the right answer is an
// empty list, and the score is the share of the first k places left empty:
//
//	1 − min(len(ranked), k) / k
//
// Zero results score 1, one stray result at k=10 scores 0.9 ("nothing, or
// little"), and a full page of noise scores 0, the same as a judged query
// whose first page holds nothing relevant. The penalty is linear in what the
// reader has to look through; a steeper rule such as 1/(1+n) would make a
// single stray hit cost half the query and let the few should-find-nothing
// queries outweigh the ranking of everything else.
//
// A k below 1 scores 0.
func NDCG(ranked []Doc, judgments map[string]int, k int) float64 {
	if k < 1 {
		return 0
	}
	ideal := idealDCG(judgments, k)
	if ideal == 0 {
		n := min(len(ranked), k)
		return 1 - float64(n)/float64(k)
	}
	credited := map[string]bool{}
	dcg := 0.0
	for i, d := range ranked[:min(len(ranked), k)] {
		_, keys := grade(d, judgments)
		g := 0
		for _, key := range keys {
			if !credited[key] {
				credited[key] = true
				g = max(g, judgments[key])
			}
		}
		if g > 0 {
			dcg += gain(g) / discount(i)
		}
	}
	return dcg / ideal
}

// idealDCG is the DCG@k of the judged grades sorted from highest to lowest.
func idealDCG(judgments map[string]int, k int) float64 {
	grades := make([]int, 0, len(judgments))
	for _, g := range judgments {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	slices.SortFunc(grades, func(a, b int) int { return b - a })
	sum := 0.0
	for i, g := range grades[:min(len(grades), k)] {
		sum += gain(g) / discount(i)
	}
	return sum
}
