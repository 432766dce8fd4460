package relevance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SearchFunc runs one query on a search engine and returns its ranked
// results, best first. It should return at least as many results as the k
// being evaluated when it has them.
type SearchFunc func(query string) ([]Doc, error)

// QueryScore is the score of one query.
type QueryScore struct {
	Kind     string
	Query    string
	Half     string // the query's half, HalfTune or HalfHeldout ("" if unset)
	NDCG     float64
	Returned int  // results the engine returned, before the cut at k
	Wanted   bool // the query has judged documents: something should be found
}

// ZeroHit reports a query that should find something and found nothing.
func (q QueryScore) ZeroHit() bool { return q.Wanted && q.Returned == 0 }

// KindScore is the mean score of the queries of one kind.
type KindScore struct {
	Kind    string
	Queries int
	Mean    float64
}

// Report is the outcome of evaluating one engine on a query suite.
type Report struct {
	K int
	// Kinds holds one entry per kind present, in Kinds() order; kinds
	// outside that list follow in alphabetical order.
	Kinds []KindScore
	// Overall is the mean NDCG@K over all queries: the figure to gate on.
	Overall float64
	// MeanOfKinds is the mean of the per-kind means, weighting every kind
	// alike however many queries it has.
	MeanOfKinds float64
	// Queries holds every query's score, in the order evaluated.
	Queries []QueryScore
}

// Evaluate runs every query through search and scores the first k results
// with NDCG. It stops at the first search error, naming the query.
func Evaluate(queries []Query, search SearchFunc, k int) (Report, error) {
	if k < 1 {
		return Report{}, fmt.Errorf("k must be at least 1, got %d", k)
	}
	if len(queries) == 0 {
		return Report{}, errors.New("no queries to evaluate")
	}
	r := Report{K: k}
	sums := map[string]float64{}
	counts := map[string]int{}
	total := 0.0
	for _, q := range queries {
		docs, err := search(q.Query)
		if err != nil {
			return Report{}, fmt.Errorf("%s query %q: %w", q.Kind, q.Query, err)
		}
		s := NDCG(docs, q.Judgments, k)
		r.Queries = append(r.Queries, QueryScore{Kind: q.Kind, Query: q.Query, Half: q.Half, NDCG: s, Returned: len(docs), Wanted: idealDCG(q.Judgments, k) > 0})
		sums[q.Kind] += s
		counts[q.Kind]++
		total += s
	}
	kindSum := 0.0
	for _, kind := range orderKinds(counts) {
		ks := KindScore{Kind: kind, Queries: counts[kind], Mean: sums[kind] / float64(counts[kind])}
		r.Kinds = append(r.Kinds, ks)
		kindSum += ks.Mean
	}
	r.Overall = total / float64(len(queries))
	r.MeanOfKinds = kindSum / float64(len(r.Kinds))
	return r, nil
}

// orderKinds lists the kinds in counts: known kinds in Kinds() order, then
// the others alphabetically.
func orderKinds(counts map[string]int) []string {
	var out, other []string
	for _, kind := range Kinds() {
		if counts[kind] > 0 {
			out = append(out, kind)
		}
	}
	for kind := range counts {
		if !slices.Contains(Kinds(), kind) {
			other = append(other, kind)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// Kind returns the score of one kind, and false if the report has none.
func (r Report) Kind(kind string) (KindScore, bool) {
	for _, ks := range r.Kinds {
		if ks.Kind == kind {
			return ks, true
		}
	}
	return KindScore{}, false
}

// KindsBelow lists the kinds whose mean is lower in r than in base, in r's
// order; kinds missing from base are not compared.
func (r Report) KindsBelow(base Report) []string {
	var out []string
	for _, ks := range r.Kinds {
		if b, ok := base.Kind(ks.Kind); ok && ks.Mean < b.Mean {
			out = append(out, ks.Kind)
		}
	}
	return out
}

// Table formats the report as a plain-text table headed by the engine's name.
func (r Report) Table(name string) string {
	rows := [][]string{{"kind", "queries", fmt.Sprintf("%s NDCG@%d", name, r.K)}}
	n := 0
	for _, ks := range r.Kinds {
		rows = append(rows, []string{ks.Kind, fmt.Sprint(ks.Queries), fmt.Sprintf("%.4f", ks.Mean)})
		n += ks.Queries
	}
	rows = append(rows,
		[]string{"overall", fmt.Sprint(n), fmt.Sprintf("%.4f", r.Overall)},
		[]string{"mean of kinds", "", fmt.Sprintf("%.4f", r.MeanOfKinds)})
	return renderTable(rows, 1)
}

// SideBySide formats two reports on the same queries as one table: per
// kind, the query count, each engine's mean NDCG and the difference a − b.
func SideBySide(nameA string, a Report, nameB string, b Report) string {
	rows := [][]string{{"kind", "queries", fmt.Sprintf("%s NDCG@%d", nameA, a.K), fmt.Sprintf("%s NDCG@%d", nameB, b.K), "diff"}}
	counts := map[string]int{}
	for _, ks := range a.Kinds {
		counts[ks.Kind] = max(counts[ks.Kind], ks.Queries)
	}
	for _, ks := range b.Kinds {
		counts[ks.Kind] = max(counts[ks.Kind], ks.Queries)
	}
	for _, kind := range orderKinds(counts) {
		ka, okA := a.Kind(kind)
		kb, okB := b.Kind(kind)
		rows = append(rows, []string{kind, fmt.Sprint(counts[kind]), score(ka.Mean, okA), score(kb.Mean, okB), diff(ka.Mean, kb.Mean, okA && okB)})
	}
	rows = append(rows,
		[]string{"overall", fmt.Sprint(max(len(a.Queries), len(b.Queries))), score(a.Overall, true), score(b.Overall, true), diff(a.Overall, b.Overall, true)},
		[]string{"mean of kinds", "", score(a.MeanOfKinds, true), score(b.MeanOfKinds, true), diff(a.MeanOfKinds, b.MeanOfKinds, true)})
	return renderTable(rows, 1)
}

// Cell is the score of the queries of one kind in one half.
type Cell struct {
	Queries  int
	Mean     float64 // mean NDCG@K; 0 when Queries is 0
	ZeroHits int     // queries that should find something and found nothing
}

// Cell scores the queries of kind in half; an empty kind or half means all.
func (r Report) Cell(kind, half string) Cell {
	var c Cell
	sum := 0.0
	for _, q := range r.Queries {
		if (kind != "" && q.Kind != kind) || (half != "" && q.Half != half) {
			continue
		}
		c.Queries++
		sum += q.NDCG
		if q.ZeroHit() {
			c.ZeroHits++
		}
	}
	if c.Queries > 0 {
		c.Mean = sum / float64(c.Queries)
	}
	return c
}

// HalvesTable formats two reports on the same queries as one table with a
// row per kind and half and one for the kind's both halves (then per half
// over all kinds, then everything):
// the query count, and for each engine its mean NDCG and its zero-hit
// answers ("0hits": queries with judged documents that returned nothing,
// which score 0).
func HalvesTable(nameA string, a Report, nameB string, b Report) string {
	rows := [][]string{{"kind", "half", "queries", fmt.Sprintf("%s NDCG@%d", nameA, a.K), "0hits", fmt.Sprintf("%s NDCG@%d", nameB, b.K), "0hits", "diff"}}
	counts := map[string]int{}
	halves := map[string]bool{}
	for _, q := range a.Queries {
		counts[q.Kind]++
		halves[q.Half] = true
	}
	var hs []string
	for _, h := range Halves() {
		if halves[h] {
			hs = append(hs, h)
		}
	}
	if halves[""] {
		hs = append(hs, "")
	}
	row := func(kind, half, kindLabel, halfLabel string) []string {
		ca, cb := a.Cell(kind, half), b.Cell(kind, half)
		return []string{kindLabel, halfLabel, fmt.Sprint(ca.Queries),
			fmt.Sprintf("%.4f", ca.Mean), fmt.Sprint(ca.ZeroHits),
			fmt.Sprintf("%.4f", cb.Mean), fmt.Sprint(cb.ZeroHits),
			fmt.Sprintf("%+.4f", ca.Mean-cb.Mean)}
	}
	halfName := func(h string) string {
		if h == "" {
			return "(none)"
		}
		return h
	}
	for _, kind := range orderKinds(counts) {
		for _, h := range hs {
			if a.Cell(kind, h).Queries > 0 {
				rows = append(rows, row(kind, h, kind, halfName(h)))
			}
		}
		if len(hs) > 1 {
			rows = append(rows, row(kind, "", kind, "both"))
		}
	}
	for _, h := range hs {
		rows = append(rows, row("", h, "all", halfName(h)))
	}
	rows = append(rows, row("", "", "all", "both"))
	return renderTable(rows, 2)
}

// PerQuery formats every query's score under both engines, one line each in
// a's order, with the number of results each returned, marking with "<" the
// queries where a scores below b. It is meant for test logs when a
// comparison fails.
func PerQuery(nameA string, a Report, nameB string, b Report) string {
	type key struct{ kind, query string }
	bs := map[key]QueryScore{}
	for _, q := range b.Queries {
		bs[key{q.Kind, q.Query}] = q
	}
	rows := [][]string{{"kind", "query", nameA, "hits", nameB, "hits", ""}}
	for _, qa := range a.Queries {
		qb, ok := bs[key{qa.Kind, qa.Query}]
		mark := ""
		if ok && qa.NDCG < qb.NDCG {
			mark = "<"
		}
		rows = append(rows, []string{qa.Kind, qa.Query, score(qa.NDCG, true), fmt.Sprint(qa.Returned), score(qb.NDCG, ok), hits(qb.Returned, ok), mark})
	}
	return renderTable(rows, 2)
}

func score(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.4f", v)
}

func diff(a, b float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%+.4f", a-b)
}

func hits(n int, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprint(n)
}

// renderTable lays rows out in columns two spaces apart, the first left
// columns left-aligned and the rest right-aligned, measuring wide (CJK,
// full-width) characters as two columns so Chinese queries line up in a
// terminal.
func renderTable(rows [][]string, left int) string {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-displayWidth(cell))
			if i < left {
				line.WriteString(cell + pad)
			} else {
				line.WriteString(pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// displayWidth is the number of terminal columns s takes: two for East Asian
// wide and full-width characters, one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if isWide(r) {
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0x303E, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33FF, // kana, CJK symbols
		r >= 0x3400 && r <= 0x4DBF, // CJK extension A
		r >= 0x4E00 && r <= 0x9FFF, // CJK unified ideographs
		r >= 0xA000 && r <= 0xA4CF, // Yi
		r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF, // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, // full-width forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x20000 && r <= 0x3FFFD: // CJK extensions B and beyond
		return true
	}
	return false
}
