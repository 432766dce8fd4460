package index

import (
	"context"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/zhsearch/zhsearch"
)

// TestSynonymsScoreAsOneWord checks that a group of synonyms scores a
// title by the best spelling it holds, over the group's size: a title
// holding two spellings of 网贷 scores as one holding the better of them,
// not four times more, and one holding a single spelling scores as it
// would under a plain disjunction. (That bleve's searcher of the group
// scores alike is TestTopKJudged's "matches bleve".)
func TestSynonymsScoreAsOneWord(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "one", Title: "网贷逾期怎么办"},
		{ID: "both", Title: "网贷和网络贷款有什么区别"},
		{ID: "other", Title: "网络贷款逾期怎么办"},
		{ID: "none", Title: "信用卡分期手续费怎么算"},
	})
	spellings := []string{"网贷", "网络贷款", "网上贷款"}
	scores := func(q query.Query) map[string]float64 {
		t.Helper()
		page, err := ix.topPage(context.Background(), q, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range page.Hits {
			out[h.ID] = h.Score
		}
		return out
	}
	alone := map[string]map[string]float64{} // spelling → id → score
	for _, s := range spellings {
		alone[s] = scores(termIn(s, fTitle))
	}
	got := scores(newSynonymsQuery(fTitle, spellings))
	want := map[string]float64{}
	for _, byID := range alone {
		for id, s := range byID {
			want[id] = max(want[id], s/float64(len(spellings)))
		}
	}
	if len(want) != 3 || len(alone["网贷"]) != 2 || len(alone["网络贷款"]) != 2 {
		t.Fatalf("spellings' matches %v: want 网贷 and 网络贷款 in two titles each", alone)
	}
	if len(got) != len(want) {
		t.Fatalf("group matches %v, want %v", got, want)
	}
	for id, w := range want {
		if math.Abs(got[id]-w) > 1e-9*w {
			t.Errorf("%s: group score %.6g, want %.6g (the best spelling's, over %d)", id, got[id], w, len(spellings))
		}
	}
	// Under a disjunction, a title holding both spellings scored the sum of
	// both, doubled by the share of the group it matched.
	sum := alone["网贷"]["both"] + alone["网络贷款"]["both"]
	if disjunction := sum * 2 / 3; got["both"] > disjunction/2 {
		t.Errorf("both spellings: %.6g, want well under a disjunction's %.6g", got["both"], disjunction)
	}
}
