package index

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// fullBigramMapping is the mapping of generations built before body
// bigrams became gaps: every bigram in body_bi.
func fullBigramMapping(dict string) (mapping.IndexMapping, error) {
	im, err := newMapping(dict)
	if err != nil {
		return nil, err
	}
	for _, f := range im.(*mapping.IndexMappingImpl).DefaultMapping.Properties[fBody].Fields {
		if f.Name == fBodyBi {
			f.Analyzer = analysis.Bigram
		}
	}
	return im, nil
}

// TestBodyGapsFindWhatBigramsFound builds the same articles into a
// generation of the old kind (every body bigram indexed) and of the new
// (gaps between words): both open, know which they are, and find the same
// articles for every body bigram, and the same search results for
// queries that reach the bigram step of the relaxation ladder.
func TestBodyGapsFindWhatBigramsFound(t *testing.T) {
	articles := genArticles(t, 300)
	articles = append(articles,
		zhsearch.Article{ID: "g1", Title: "征信的影响", Body: "我们可以查征信花了的影响，花呗协商还款。ID贷手机被锁了"},
		zhsearch.Article{ID: "g2", Title: "断供", Body: "房贷断供了怎么办，话术有哪些"})
	build := func(m func(string) (mapping.IndexMapping, error)) *Index {
		t.Helper()
		return builtIndexWith(t, articles, BuildOptions{BatchSize: 50, mapping: m})
	}
	old, gaps := build(fullBigramMapping), build(newMapping)
	if old.gaps || !gaps.gaps {
		t.Fatalf("gaps: old generation %v, new %v; want false, true", old.gaps, gaps.gaps)
	}
	// Every bigram of the old generation's body_bi.
	bigrams := fieldTerms(t, old.bleve, fBodyBi)[fBodyBi]
	if len(bigrams) < 1000 {
		t.Fatalf("only %d body bigrams", len(bigrams))
	}
	ids := func(ix *Index, term string) []string {
		aq := analyzedQuery{gaps: ix.gaps}
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
		if a, g := ids(old, b), ids(gaps, b); !reflect.DeepEqual(a, g) {
			t.Errorf("body bigram %q: old generation finds %v, gaps %v", b, a, g)
		}
	}
	// The new body_bi is smaller (by a quarter here, a third on the
	// benchmark corpus).
	// Postings are counted from each term's postings list: zapx's
	// dictionary iterator reports a count of 1 for every term after the
	// first single-posting term of a merged segment.
	n := func(ix *Index) int {
		r, err := ix.reader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var terms []string
		err = eachTerm(r, fBodyBi, func(term string, _ uint64) { terms = append(terms, term) })
		if err != nil {
			t.Fatal(err)
		}
		c := 0
		for _, term := range terms {
			tfr, err := r.TermFieldReader(context.Background(), []byte(term), fBodyBi, false, false, false)
			if err != nil {
				t.Fatal(err)
			}
			c += int(tfr.Count())
			tfr.Close()
		}
		return c
	}
	if o, g := n(old), n(gaps); g >= o*17/20 {
		t.Errorf("body bigram postings: %d with gaps, %d before; want at least 15%% fewer", g, o)
	}
	// Both serve: the old one as before this change.
	for _, q := range []string{"征信花了的影响", "话术有哪些", "房贷断供"} {
		for _, ix := range []*Index{old, gaps} {
			res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: q, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total == 0 {
				t.Errorf("%q: no hits (gaps %v)", q, ix.gaps)
			}
		}
	}
}
