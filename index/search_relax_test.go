package index

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

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

// TestRelaxationDropsTemplateWords: a word that ends many of the site's
// titles (详解) is the first a relaxed search lets go, so the titles on the
// query's subject (花呗) come before titles that share only the template
// word. By idf alone 详解, a little rarer than 花呗 here, was kept and 花呗
// dropped.
func TestRelaxationDropsTemplateWords(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "h1", Title: "花呗风控解除指南", TitleOnly: true},
		{ID: "h2", Title: "花呗额度怎么提升", TitleOnly: true},
		{ID: "h3", Title: "花呗分期可以取消吗", TitleOnly: true},
		{ID: "h4", Title: "花呗逾期三天会上征信吗", TitleOnly: true},
		{ID: "h5", Title: "花呗还款日能不能修改", TitleOnly: true},
		{ID: "h6", Title: "花呗临时额度必须一次还清吗", TitleOnly: true},
		{ID: "d1", Title: "支付宝租机买断详解", TitleOnly: true},
		{ID: "d2", Title: "短期贷款会计分录详解", TitleOnly: true},
		{ID: "d3", Title: "房屋租赁分期付款详解", TitleOnly: true},
		{ID: "d4", Title: "售后回租会计处理详解", TitleOnly: true},
		{ID: "d5", Title: "不看征信的借钱平台详解", TitleOnly: true},
		{ID: "o1", Title: "信用卡使用规则", TitleOnly: true},
		{ID: "o2", Title: "个人征信情况怎么查", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	res := searchPage(t, ix, "花呗使用情况详解", 1, 20)
	if !res.Relaxed {
		t.Fatalf("hits %v not relaxed", hitIDs(res))
	}
	lastSubject, firstTemplate := -1, len(res.Hits)
	for i, h := range res.Hits {
		switch h.ID[0] {
		case 'h':
			lastSubject = i
		case 'd':
			firstTemplate = min(firstTemplate, i)
		}
	}
	if lastSubject < 0 || lastSubject > firstTemplate {
		t.Errorf("hits %v: want every 花呗 title (h) before the titles sharing only 详解 (d)", hitIDs(res))
	}
}

// TestRelaxedTotalCapped: relaxed hits that take the total past what a
// reader can page mark it capped (a lower bound), as a strict query's is.
func TestRelaxedTotalCapped(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "s1", Title: "信用卡注销后还能恢复吗", TitleOnly: true},
		{ID: "s2", Title: "信用卡注销流程", TitleOnly: true},
	}
	for i := range zhsearch.MaxResultWindow + 50 {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("r%04d", i), Title: fmt.Sprintf("第%d期理财入门课", i), TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	res := searchPage(t, ix, "信用卡注销理财", 1, 10)
	if !res.Relaxed || res.Total != zhsearch.MaxResultWindow || !res.TotalCapped {
		t.Errorf("relaxed %v, total %d, capped %v; want a relaxed total capped at %d", res.Relaxed, res.Total, res.TotalCapped, zhsearch.MaxResultWindow)
	}
}

// TestCappedTotalSameOnEveryPage: a total past what a reader can page is
// the same lower bound on every page of every size, strict or relaxed; it
// grew as the reader paged (1092 on page 1, 2030 on page 50) and so told
// nothing.
func TestCappedTotalSameOnEveryPage(t *testing.T) {
	var articles []zhsearch.Article
	for i := range 3 * zhsearch.MaxResultWindow {
		title := fmt.Sprintf("第%d期理财入门课", i)
		if i%3 == 0 {
			title = fmt.Sprintf("理财入门:第%d课的理财笔记", i)
		}
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("r%04d", i), Title: title, TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	for _, q := range []string{"理财入门", "理财入门课程推荐"} {
		for _, p := range []struct{ page, size int }{{1, 10}, {2, 10}, {50, 10}, {100, 10}, {1, 1}, {20, 50}} {
			res := searchPage(t, ix, q, p.page, p.size)
			if !res.TotalCapped || res.Total != zhsearch.MaxResultWindow {
				t.Errorf("%s page %d size %d: total %d, capped %v; want %d, capped", q, p.page, p.size, res.Total, res.TotalCapped, zhsearch.MaxResultWindow)
			}
		}
	}
}

// siteCorpus is a site about 网贷 and 花呗, and one article on cooking.
var siteCorpus = []zhsearch.Article{
	{ID: "w1", Title: "网贷逾期会上征信吗", TitleOnly: true},
	{ID: "w2", Title: "网贷套路剖析", TitleOnly: true},
	{ID: "w3", Title: "网贷还不上怎么办", TitleOnly: true},
	{ID: "w4", Title: "怎样辨别正规的网贷平台", TitleOnly: true},
	{ID: "h1", Title: "花呗逾期三天会上征信吗", TitleOnly: true},
	{ID: "h2", Title: "花呗额度突然降低的原因", TitleOnly: true},
	{ID: "x1", Title: "红烧肉的家常做法", TitleOnly: true},
}

// TestRelaxedBySiteWords: a question whose other words the site never
// uses, and which so weigh most of it, still finds the articles on its
// subject when it names one of the site's (网贷, which its titles lead
// with), as relaxed hits, where every step of the ladder found nothing; a
// question naming none of the site's subjects still finds nothing, nor
// does one whose only word of the site's no title leads with (征信 here).
func TestRelaxedBySiteWords(t *testing.T) {
	ix := builtIndex(t, siteCorpus)
	ix.SetSearchCacheSize(0)
	res := searchPage(t, ix, "网贷推销员上门时嘴里那套说辞到底能信几分", 1, 10)
	if len(res.Hits) == 0 || !res.Relaxed {
		t.Fatalf("hits %v (relaxed %v): want the 网贷 articles, relaxed", hitIDs(res), res.Relaxed)
	}
	for _, h := range res.Hits {
		if h.ID[0] != 'w' || !h.Relaxed {
			t.Errorf("%s %q (relaxed %v): want only 网贷 articles, relaxed", h.ID, h.Title, h.Relaxed)
		}
	}
	for _, q := range []string{
		"小区楼下新开的健身房年卡办得值不值",  // no word of the site's
		"征信上那些乱七八糟的传言到底哪个靠谱", // 征信: the site's, but no title leads with it
	} {
		if res := searchPage(t, ix, q, 1, 10); len(res.Hits) != 0 {
			t.Errorf("%s found %v: it names no subject the site's titles lead with", q, hitIDs(res))
		}
	}
}

// TestRelaxedByKeywordsApart: keywords written apart are each something
// to look for, so when no title holds a share of them, the titles holding
// one the site uses (征信, which no title here leads with) are listed,
// relaxed; the same words run together as a phrase, and keywords none of
// which is the site's, still find nothing.
func TestRelaxedByKeywordsApart(t *testing.T) {
	ix := builtIndex(t, siteCorpus)
	ix.SetSearchCacheSize(0)
	res := searchPage(t, ix, "无业人员 征信", 1, 10)
	if got := hitIDs(res); !slices.Equal(got, []string{"h1", "w1"}) && !slices.Equal(got, []string{"w1", "h1"}) || !res.Relaxed {
		t.Errorf("hits %v (relaxed %v): want the two 征信 titles, relaxed", got, res.Relaxed)
	}
	for _, q := range []string{"无业人员查征信", "健身房 年卡"} {
		if res := searchPage(t, ix, q, 1, 10); len(res.Hits) != 0 {
			t.Errorf("%s found %v: want nothing", q, hitIDs(res))
		}
	}
}

// TestRelaxedByTwoPairs: a long question that says its subject around
// words no title holds, so that every step of the ladder and its last
// resort find nothing, lists the titles sharing two of its character
// pairs, relaxed (催收员说的话哪些是吓唬人的: 催收 and 吓唬); a title sharing one
// is not listed, and a long question sharing no two pairs with any title
// still finds nothing.
func TestRelaxedByTwoPairs(t *testing.T) {
	corpus := append(slices.Clone(siteCorpus),
		zhsearch.Article{ID: "c1", Title: "催收员说的话哪些是吓唬人的", TitleOnly: true},
		zhsearch.Article{ID: "c2", Title: "催收员一天要打多少电话", TitleOnly: true},
	)
	ix := builtIndex(t, corpus)
	ix.SetSearchCacheSize(0)
	res := searchPage(t, ix, "催收说要给我单位发函,还要去老家村委会贴告示,这些到底是真的还是吓唬我啊", 1, 10)
	if got := hitIDs(res); !slices.Equal(got, []string{"c1"}) || !res.Hits[0].Relaxed {
		t.Errorf("hits %v (relaxed %v): want c1 alone, relaxed", got, res.Relaxed)
	}
	if res := searchPage(t, ix, "小区楼下新开的健身房年卡到底办得值不值,教练说的话能信吗", 1, 10); len(res.Hits) != 0 {
		t.Errorf("found %v: it shares no two pairs with a title", hitIDs(res))
	}
}

// TestRelaxedPagesHoldEachHitOnce: thirty relaxed hits tie on one title,
// published on different days; paged in threes, sevens and tens, a short
// query and a long one (whose first 20 hits are reranked as one window)
// show each of them once, the hits one page of 35 shows, with its total.
func TestRelaxedPagesHoldEachHitOnce(t *testing.T) {
	var articles []zhsearch.Article
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("a%02d", i), Title: "房贷利率下调后要不要提前还款",
			PublishedAt: base.AddDate(0, 0, (i*7)%30), TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	for _, q := range []string{"花呗逾期会影响房贷吗", "花呗逾期了到底会不会影响我的房贷审批呢"} {
		all := searchPage(t, ix, q, 1, 35)
		if len(all.Hits) != 30 || !all.Relaxed {
			t.Fatalf("%s: %d hits (relaxed %v), want the 30, relaxed", q, len(all.Hits), all.Relaxed)
		}
		want := hitIDs(all)
		slices.Sort(want)
		for _, size := range []int{3, 7, 10} {
			var got []string
			for page := 1; (page-1)*size < 30; page++ {
				res := searchPage(t, ix, q, page, size)
				if res.Total != all.Total {
					t.Errorf("%s, pages of %d, page %d: total %d, one page: %d", q, size, page, res.Total, all.Total)
				}
				got = append(got, hitIDs(res)...)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: pages of %d joined hold %v\none page holds %v", q, size, got, want)
			}
		}
	}
}
