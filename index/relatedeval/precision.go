package relatedeval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// Doc is one entry of a related list as the judge sees it.
type Doc struct {
	ID    string
	Title string
	// Fallback marks an item the engine added to fill the list rather than
	// found similar: a weaker match (sharing a word but not similar) or a
	// fallback (same tags or category, or the article's own 相关内容).
	Fallback bool
}

// DocsFromItems turns an engine's related items into Docs; an item whose
// Reason is zhsearch.ReasonWeak or zhsearch.ReasonFallback is a fallback
// item.
func DocsFromItems(items []zhsearch.RelatedItem) []Doc {
	out := make([]Doc, len(items))
	for i, it := range items {
		fill := it.Reason == zhsearch.ReasonFallback || it.Reason == zhsearch.ReasonWeak
		out[i] = Doc{ID: it.ID, Title: it.Title, Fallback: fill}
	}
	return out
}

// Score is the judged outcome of one related list.
type Score struct {
	// Name is the source key, or "draft N: title" for a draft.
	Name string
	// Half is the judged list's half (HalfTune or HalfHeldOut).
	Half string
	// Returned is the number of results the engine gave, at most k: a list
	// shorter than k where Units ≥ k left slots empty.
	Returned int
	// Units is the number of relevant articles, each duplicate group counted
	// once.
	Units int
	// Hits is the number of relevant results in the top k (first member of a
	// duplicate group only).
	Hits int
	// Want is min(k, Units): the most hits the top k can hold.
	Want int
	// Precision is Hits/Want, or for a list with no relevant articles 1 when
	// the top k holds no non-fallback item and 0 otherwise.
	Precision float64
	// Misses are the top-k results that did not count: not relevant, a
	// repeat, or a later member of a duplicate group. For a source with no
	// relevant articles only non-fallback results are misses.
	Misses []Doc
}

// PrecisionAtK judges the top k of results against a judged list.
//
// It returns the number of relevant results in the top k divided by
// min(k, n), where n is the number of relevant articles counting each
// duplicate group once. A result matches a relevant key when the key is its
// ID or TitlePrefix+its Title. Each relevant article counts once: a result
// that repeats an article already counted, or any member of a duplicate group
// after the first one shown, counts as not relevant (it wastes a slot).
// Fallback results are judged like any other.
//
// When relevant is empty (the source has no related content at all) the
// answer is 1 if the top k holds no non-fallback result, else 0: an empty
// list or a list of fallback items only is right, anything the engine
// presented as similar is junk.
//
// k < 1 gives 0.
func PrecisionAtK(results []Doc, relevant []string, dupGroups [][]string, k int) float64 {
	return Judge(results, relevant, dupGroups, k).Precision
}

// Judge is PrecisionAtK with the details: hits, the denominator and misses.
func Judge(results []Doc, relevant []string, dupGroups [][]string, k int) Score {
	if k < 1 {
		return Score{}
	}
	if len(results) > k {
		results = results[:k]
	}
	returned := len(results)
	// unit maps each relevant key to its unit: its duplicate group's index,
	// or a number of its own. Keys outside relevant never match, even when
	// a duplicate group names them.
	isRel := map[string]bool{}
	for _, key := range relevant {
		isRel[key] = true
	}
	unit := map[string]int{}
	units := 0
	for _, g := range dupGroups {
		grouped := false
		for _, key := range g {
			if _, done := unit[key]; isRel[key] && !done {
				unit[key] = units
				grouped = true
			}
		}
		if grouped {
			units++
		}
	}
	for _, key := range relevant {
		if _, ok := unit[key]; !ok {
			unit[key] = units
			units++
		}
	}
	s := Score{Units: units, Want: min(k, units), Returned: returned}
	if s.Units == 0 {
		for _, d := range results {
			if !d.Fallback {
				s.Misses = append(s.Misses, d)
			}
		}
		if len(s.Misses) == 0 {
			s.Precision = 1
		}
		return s
	}
	used := map[int]bool{}
	for _, d := range results {
		u, ok := matchUnit(d, unit)
		if !ok || used[u] {
			s.Misses = append(s.Misses, d)
			continue
		}
		used[u] = true
		s.Hits++
	}
	s.Precision = float64(s.Hits) / float64(s.Want)
	return s
}

// matchUnit finds the relevant unit a result belongs to, by id, then title.
// An id key never has TitlePrefix, so an id spelled like a title key does not
// match one.
func matchUnit(d Doc, unit map[string]int) (int, bool) {
	if d.ID != "" && !strings.HasPrefix(d.ID, TitlePrefix) {
		if u, ok := unit[d.ID]; ok {
			return u, true
		}
	}
	if d.Title != "" {
		if u, ok := unit[TitleKey(d.Title)]; ok {
			return u, true
		}
	}
	return 0, false
}

// Query asks an engine for a related list: either for a judged stored source
// (Source is its id or title key; an engine resolves a title key to the id
// of the article with that exact title) or for a draft (Draft is set).
type Query struct {
	Source string
	Draft  *Draft
}

// RelatedFunc answers a Query with the engine's top k related articles.
type RelatedFunc func(q Query, k int) ([]Doc, error)

// Report holds the judged related lists of one engine over a suite.
type Report struct {
	Engine  string
	K       int
	Sources []Score
	Drafts  []Score
}

// Evaluate asks related for the top k of every judged source and draft of s
// and judges each list with Judge. An error from related stops the run and
// names the query it failed on.
func Evaluate(engine string, s *Suite, related RelatedFunc, k int) (*Report, error) {
	if k < 1 {
		return nil, fmt.Errorf("relatedeval: k must be at least 1, got %d", k)
	}
	r := &Report{Engine: engine, K: k}
	for _, j := range s.Judgments {
		docs, err := related(Query{Source: j.Source}, k)
		if err != nil {
			return nil, fmt.Errorf("%s: related for source %q: %w", engine, j.Source, err)
		}
		sc := Judge(docs, j.Relevant, j.Duplicates, k)
		sc.Name, sc.Half = j.Source, j.Half
		r.Sources = append(r.Sources, sc)
	}
	for i, d := range s.Drafts {
		draft := d.Draft
		docs, err := related(Query{Draft: &draft}, k)
		if err != nil {
			return nil, fmt.Errorf("%s: related for draft %d %q: %w", engine, i+1, d.Draft.Title, err)
		}
		sc := Judge(docs, d.Relevant, d.Duplicates, k)
		title := d.Draft.Title
		if title == "" {
			title = "(body only) " + shorten(d.Draft.Body, 12)
		}
		sc.Name, sc.Half = fmt.Sprintf("draft %d: %s", i+1, title), d.Half
		r.Drafts = append(r.Drafts, sc)
	}
	return r, nil
}

func mean(scores []Score) float64 {
	if len(scores) == 0 {
		return 0
	}
	sum := 0.0
	for _, s := range scores {
		sum += s.Precision
	}
	return sum / float64(len(scores))
}

// ofHalf returns the scores of one half ("" for all).
func ofHalf(scores []Score, half string) []Score {
	if half == "" {
		return scores
	}
	var out []Score
	for _, s := range scores {
		if s.Half == half {
			out = append(out, s)
		}
	}
	return out
}

// Half returns the report restricted to one half of the suite.
func (r *Report) Half(half string) *Report {
	return &Report{Engine: r.Engine, K: r.K, Sources: ofHalf(r.Sources, half), Drafts: ofHalf(r.Drafts, half)}
}

// TitleOnly returns the report restricted to sources named by title (the
// title-only articles of 相关内容 lists), without drafts.
func (r *Report) TitleOnly() *Report {
	out := &Report{Engine: r.Engine, K: r.K}
	for _, s := range r.Sources {
		if strings.HasPrefix(s.Name, TitlePrefix) {
			out.Sources = append(out.Sources, s)
		}
	}
	return out
}

// ShortLists counts the lists shorter than k although the judged set holds
// at least k relevant units: slots the engine left empty.
func (r *Report) ShortLists() int {
	n := 0
	for _, s := range append(append([]Score(nil), r.Sources...), r.Drafts...) {
		if s.Returned < r.K && s.Units >= r.K {
			n++
		}
	}
	return n
}

// SourceMean is the mean precision over the judged sources (0 if none).
func (r *Report) SourceMean() float64 { return mean(r.Sources) }

// DraftMean is the mean precision over the judged drafts (0 if none).
func (r *Report) DraftMean() float64 { return mean(r.Drafts) }

// Mean is the mean precision over sources and drafts pooled (0 if none).
func (r *Report) Mean() float64 {
	return mean(append(append([]Score(nil), r.Sources...), r.Drafts...))
}

// Table prints one row per judged list (precision, hits/want, name and the
// titles of the misses) and the means over sources, drafts and both. Names
// come last so that Chinese text does not break the alignment.
func (r *Report) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "related precision@%d: %s\n", r.K, r.Engine)
	fmt.Fprintf(tw, "P@%d\thits/want\thalf\tlist\n", r.K)
	for _, part := range [][]Score{r.Sources, r.Drafts} {
		for _, s := range part {
			fmt.Fprintf(tw, "%.2f\t%d/%d\t%s\t%s%s\n", s.Precision, s.Hits, s.Want, s.Half, s.Name, missText(s))
		}
	}
	fmt.Fprintf(tw, "%.3f\t\t\tmean over %d sources\n", r.SourceMean(), len(r.Sources))
	fmt.Fprintf(tw, "%.3f\t\t\tmean over %d drafts\n", r.DraftMean(), len(r.Drafts))
	fmt.Fprintf(tw, "%.3f\t\t\tmean over all %d lists\n", r.Mean(), len(r.Sources)+len(r.Drafts))
	return tw.Flush()
}

// missText renders a score's misses for a table row.
func missText(s Score) string {
	if len(s.Misses) == 0 {
		return ""
	}
	titles := make([]string, len(s.Misses))
	for i, d := range s.Misses {
		t := d.Title
		if t == "" {
			t = d.ID
		}
		titles[i] = shorten(t, 18)
	}
	return "  ✗ " + strings.Join(titles, " / ")
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// SideBySide prints the precision of two engines over the same suite, one
// row per judged list of a (matched by name in b), then both sets of means.
// Rows where the engines differ are marked with the one ahead.
func SideBySide(w io.Writer, a, b *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "related precision@%d: %s vs %s\n", a.K, a.Engine, b.Engine)
	fmt.Fprintf(tw, "%s\t%s\tahead\tlist\n", a.Engine, b.Engine)
	bScore := map[string]Score{}
	for _, s := range append(append([]Score(nil), b.Sources...), b.Drafts...) {
		bScore[s.Name] = s
	}
	for _, part := range [][]Score{a.Sources, a.Drafts} {
		for _, sa := range part {
			sb, ok := bScore[sa.Name]
			if !ok {
				fmt.Fprintf(tw, "%.2f\t-\t\t%s\n", sa.Precision, sa.Name)
				continue
			}
			ahead := ""
			switch {
			case sa.Precision > sb.Precision:
				ahead = a.Engine
			case sb.Precision > sa.Precision:
				ahead = b.Engine
			}
			fmt.Fprintf(tw, "%.2f\t%.2f\t%s\t%s\n", sa.Precision, sb.Precision, ahead, sa.Name)
		}
	}
	fmt.Fprintf(tw, "%.3f\t%.3f\t\tmean over sources (%d, %d)\n", a.SourceMean(), b.SourceMean(), len(a.Sources), len(b.Sources))
	fmt.Fprintf(tw, "%.3f\t%.3f\t\tmean over drafts (%d, %d)\n", a.DraftMean(), b.DraftMean(), len(a.Drafts), len(b.Drafts))
	fmt.Fprintf(tw, "%.3f\t%.3f\t\tmean over all lists\n", a.Mean(), b.Mean())
	fmt.Fprintf(tw, "%d\t%d\t\tlists shorter than %d where %d or more are relevant\n", a.ShortLists(), b.ShortLists(), a.K, a.K)
	for _, half := range []string{HalfTune, HalfHeldOut} {
		ha, hb := a.Half(half), b.Half(half)
		if len(ha.Sources)+len(ha.Drafts) == 0 {
			continue
		}
		to, tb := ha.TitleOnly(), hb.TitleOnly()
		fmt.Fprintf(tw, "%.3f\t%.3f\t\t%s: mean over sources (%d)\n", ha.SourceMean(), hb.SourceMean(), half, len(ha.Sources))
		fmt.Fprintf(tw, "%.3f\t%.3f\t\t%s: mean over title-only sources (%d)\n", to.SourceMean(), tb.SourceMean(), half, len(to.Sources))
		fmt.Fprintf(tw, "%.3f\t%.3f\t\t%s: mean over drafts (%d)\n", ha.DraftMean(), hb.DraftMean(), half, len(ha.Drafts))
	}
	return tw.Flush()
}
