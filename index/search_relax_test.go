package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// relaxCorpus has one title answering the question below strictly and
// several sharing only some of its words.
var relaxCorpus = []zhsearch.Article{
	{ID: "s1", Title: "花呗逾期会影响房贷审批吗", TitleOnly: true},
	{ID: "p1", Title: "房贷审批需要看哪些材料", TitleOnly: true},
	{ID: "p2", Title: "花呗逾期三天会上征信吗", TitleOnly: true},
	{ID: "p3", Title: "房贷利率下调后要不要提前还款", TitleOnly: true},
	{ID: "p4", Title: "花呗额度突然降低的原因", TitleOnly: true},
	{ID: "p5", Title: "征信不好还能办房贷吗", TitleOnly: true},
	{ID: "x1", Title: "杭州西湖周边必去的景点", TitleOnly: true},
	{ID: "x2", Title: "红烧肉的家常做法", TitleOnly: true},
}

func relaxIndex(t *testing.T) *Index {
	t.Helper()
	ix := builtIndex(t, relaxCorpus)
	ix.SetSearchCacheSize(0)
	return ix
}

// builtIndex builds an index of articles in a temp folder and opens it.
func builtIndex(t *testing.T, articles []zhsearch.Article) *Index {
	t.Helper()
	return builtIndexWith(t, articles, BuildOptions{})
}

// builtIndexWith is builtIndex with build options.
func builtIndexWith(t *testing.T, articles []zhsearch.Article, opts BuildOptions) *Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := BuildArticles(context.Background(), dir, articles, opts); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func searchPage(t *testing.T, ix *Index, q string, page, size int) *zhsearch.SearchResult {
	t.Helper()
	res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: q, Page: page, Size: size})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRelaxedSearch checks the relaxation ladder as a reader meets it: the
// strict hit first, the closest ones after it and flagged, the same list
// and total on every page, nothing for a query the site shares nothing
// with, and no relaxed step for a query that fills its page.
func TestRelaxedSearch(t *testing.T) {
	ix := relaxIndex(t)
	const q = "花呗逾期了会不会影响房贷审批"
	first := searchPage(t, ix, q, 1, 10)
	if len(first.Hits) < 3 || first.Hits[0].ID != "s1" || first.Hits[0].Relaxed {
		t.Fatalf("hits %+v: want the strict s1 first, then relaxed ones", first.Hits)
	}
	if !first.Relaxed {
		t.Error("answer not marked relaxed")
	}
	seenRelaxed := false
	for i, h := range first.Hits {
		if i > 0 && h.Score > first.Hits[i-1].Score {
			t.Errorf("hit %d (%s, relaxed %v) scores %.4g, above hit %d's %.4g: scores must fall along the list",
				i, h.ID, h.Relaxed, h.Score, i-1, first.Hits[i-1].Score)
		}
		if h.ID == "x1" || h.ID == "x2" {
			t.Errorf("off-topic %s (%s) among the closest hits", h.ID, h.Title)
		}
		if seenRelaxed && !h.Relaxed {
			t.Errorf("strict hit %s after a relaxed one", h.ID)
		}
		seenRelaxed = seenRelaxed || h.Relaxed
	}

	// Pages of any size list every hit once, in one order, with one
	// total: whether a step runs depends on the query only.
	whole := searchPage(t, ix, q, 1, zhsearch.MaxSearchSize)
	var want []string
	for _, h := range whole.Hits {
		want = append(want, h.ID)
	}
	if uint64(len(want)) != whole.Total || want[0] != "s1" {
		t.Fatalf("a page of %d lists %v, want the %d hits of the total, s1 first", zhsearch.MaxSearchSize, want, whole.Total)
	}
	for _, size := range []int{2, 3, 7, 10} {
		var paged []string
		for page := 1; page <= (int(whole.Total)+size-1)/size; page++ {
			res := searchPage(t, ix, q, page, size)
			if res.Total != whole.Total {
				t.Errorf("size %d, page %d says total %d, a page of %d says %d", size, page, res.Total, zhsearch.MaxSearchSize, whole.Total)
			}
			for _, h := range res.Hits {
				paged = append(paged, h.ID)
			}
		}
		if !slices.Equal(paged, want) {
			t.Errorf("pages of %d list %v, a page of %d %v", size, paged, zhsearch.MaxSearchSize, want)
		}
	}

	if res := searchPage(t, ix, "量子纠缠的实验原理", 1, 10); len(res.Hits) != 0 || res.Relaxed {
		t.Errorf("a query the site shares nothing with found %d hits (relaxed %v)", len(res.Hits), res.Relaxed)
	}
	if res := searchPage(t, ix, "房贷", 1, 2); res.Relaxed {
		t.Errorf("a query that fills its page ran a relaxed step: %+v", res.Hits)
	}
}
