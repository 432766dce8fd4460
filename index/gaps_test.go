package index

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// olderBodyMapping returns the mapping of generations built before body
// bigrams became runs: kind bodyAll (every bigram in body_bi) or bodyGaps
// (the gaps between the words cut with the mapping's dictionary).
func olderBodyMapping(kind bodyBigrams) func(string) (mapping.IndexMapping, error) {
	return func(dict string) (mapping.IndexMapping, error) {
		im, err := newMapping(dict)
		if err != nil {
			return nil, err
		}
		impl := im.(*mapping.IndexMappingImpl)
		analyzer := analysis.Bigram
		if kind == bodyGaps {
			analyzer = analysis.BigramGaps
			if dict != "" {
				name, tok, an := analysis.GapsAnalyzer(dict)
				if err := impl.AddCustomTokenizer(name, tok); err != nil {
					return nil, err
				}
				if err := impl.AddCustomAnalyzer(name, an); err != nil {
					return nil, err
				}
				analyzer = name
			}
		}
		for _, f := range impl.DefaultMapping.Properties[fBody].Fields {
			if f.Name == fBodyBi {
				f.Analyzer = analyzer
			}
		}
		return im, nil
	}
}

// TestBodyBigramGenerations builds the same articles into a generation of
// each kind of body bigrams: every bigram (the oldest), the gaps between
// words, and runs of one-character pieces (today's). All three open and
// know which they are. The gaps generation finds exactly what every bigram
// found; the runs generation finds a subset, the same for a body's words
// and its runs of one-character pieces (what a query or a related source
// looks up), with a fifth of the gaps' postings at most; and every kind
// serves the same searches that reach the body.
func TestBodyBigramGenerations(t *testing.T) {
	articles := genArticles(t, 300)
	articles = append(articles,
		zhsearch.Article{ID: "g1", Title: "征信的影响", Body: "我们可以查征信花了的影响，花呗协商还款。ID贷手机被锁了"},
		zhsearch.Article{ID: "g2", Title: "断供", Body: "房贷断供了怎么办，话术有哪些"},
		zhsearch.Article{ID: "g3", Title: "借款的几点经验", Body: "申请网贷总是被秒拒，先养好信用再试"})
	build := func(m func(string) (mapping.IndexMapping, error)) *Index {
		t.Helper()
		return builtIndexWith(t, articles, BuildOptions{BatchSize: 50, mapping: m})
	}
	all, gaps, runs := build(olderBodyMapping(bodyAll)), build(olderBodyMapping(bodyGaps)), build(newMapping)
	if all.body != bodyAll || gaps.body != bodyGaps || runs.body != bodyRuns {
		t.Fatalf("kinds of body bigrams: %v %v %v, want %v %v %v", all.body, gaps.body, runs.body, bodyAll, bodyGaps, bodyRuns)
	}
	bigrams := fieldTerms(t, all.bleve, fBodyBi)[fBodyBi]
	if len(bigrams) < 1000 {
		t.Fatalf("only %d body bigrams", len(bigrams))
	}
	ids := func(ix *Index, term string) []string {
		aq := analyzedQuery{body: ix.body}
		res, err := ix.bleve.Search(bleve.NewSearchRequestOptions(aq.bodyBigram(term), len(articles), 0, false))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		sort.Strings(out)
		return out
	}
	for i, b := range bigrams {
		if i%7 != 0 && b != "征信" && b != "断供" && b != "id贷" && b != "我们" {
			continue // a sample is enough, and quicker
		}
		if utf8.RuneCountInString(b) < 2 {
			continue // a character alone between separators: no query's bigram
		}
		want := ids(all, b)
		if g := ids(gaps, b); !reflect.DeepEqual(want, g) {
			t.Errorf("body bigram %q: every bigram finds %v, gaps %v", b, want, g)
		}
		for _, id := range ids(runs, b) {
			if !slices.Contains(want, id) {
				t.Errorf("body bigram %q: runs find %s, which does not hold it", b, id)
			}
		}
	}
	// A word (征信, 影响), a run (断供, 话术, 秒拒: the dictionary knows none
	// of them), found in the same articles by every kind.
	for _, b := range []string{"征信", "影响", "断供", "话术", "秒拒"} {
		want := ids(all, b)
		if !slices.Contains(want, "g1") && !slices.Contains(want, "g2") && !slices.Contains(want, "g3") {
			t.Fatalf("body bigram %q: not in the articles written for it (%v)", b, want)
		}
		if r := ids(runs, b); !reflect.DeepEqual(want, r) {
			t.Errorf("body bigram %q: every bigram finds %v, runs %v", b, want, r)
		}
	}
	// eachTerm counts a term's postings segment by segment.
	n := func(ix *Index) int {
		r, err := ix.reader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		c := 0
		if err := eachTerm(r, fBodyBi, func(_ string, count uint64) { c += int(count) }); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if a, g, r := n(all), n(gaps), n(runs); g >= a*17/20 || r > g/5 {
		t.Errorf("body bigram postings: %d every bigram, %d gaps, %d runs; want gaps 15%% fewer than all, runs a fifth of gaps at most", a, g, r)
	}
	// Every kind serves the searches that reach bodies: an unknown word of
	// the body (秒拒 in g3, 话术 in g2), and the typo check's "is the query
	// held as written" for a query only a body holds.
	for _, ix := range []*Index{all, gaps, runs} {
		for q, id := range map[string]string{"话术有哪些": "g2", "房贷断供": "g2", "秒拒": "g3", "总是被秒拒": "g3"} {
			res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: q, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(res.Hits, func(h zhsearch.Hit) bool { return h.ID == id }) {
				t.Errorf("%q: %s not found (body bigrams %v)", q, id, ix.body)
			}
		}
		// With runs a body holds no bigram across its words: only a title
		// holds a query of several words as written.
		for q, want := range map[string]bool{"秒拒": true, "征信的影响": true, "查征信花了": ix.body != bodyRuns, "秒拒总是网贷": false} {
			aq := ix.analyze(q)
			found, err := ix.matchesAny(context.Background(), exactPhrase(&aq))
			if err != nil {
				t.Fatal(err)
			}
			if found != want {
				t.Errorf("%q held as written: %v, want %v (body bigrams %v)", q, found, want, ix.body)
			}
		}
	}
}
