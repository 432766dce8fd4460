package index

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

func searchIDs(t *testing.T, s zhsearch.SearchService, q string) (ids []string, total uint64) {
	t.Helper()
	res, err := s.Search(context.Background(), zhsearch.SearchRequest{Query: q, Page: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Query != q {
		t.Errorf("result for %q says query %q", q, res.Query)
	}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids, res.Total
}

// TestSearchCacheFollowsEdits: a repeated search is answered from the
// cache (traditional and simplified forms share the entry), and a live
// edit is visible to the very next search of the same query.
func TestSearchCacheFollowsEdits(t *testing.T) {
	l, _, _ := builtLive(t, -1, jsonlLines("a", 5)...)
	defer l.Close()
	g, err := l.acquire()
	if err != nil {
		t.Fatal(err)
	}
	ix := g.ix
	g.release()

	first, total := searchIDs(t, l, "花呗还款")
	if total != 5 {
		t.Fatalf("花呗还款: %d hits, want 5", total)
	}
	again, _ := searchIDs(t, l, "花唄還款")
	if !reflect.DeepEqual(again, first) {
		t.Errorf("traditional form: %v, want %v", again, first)
	}
	if st := ix.SearchCacheStats(); st.Hits != 1 || st.Misses != 1 || st.Entries != 1 {
		t.Errorf("cache stats %+v, want one miss, then one hit on one entry", st)
	}

	if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "new1", Title: "花呗还款日可以改吗"}); err != nil {
		t.Fatal(err)
	}
	after, total := searchIDs(t, l, "花呗还款")
	if total != 6 || after[0] != "new1" {
		t.Errorf("after an upsert: %d hits %v, want 6 with new1 first", total, after)
	}
	if _, err := l.DeleteArticle(context.Background(), "new1"); err != nil {
		t.Fatal(err)
	}
	if _, total := searchIDs(t, l, "花呗还款"); total != 5 {
		t.Errorf("after the delete: %d hits, want 5", total)
	}

	ix.SetSearchCacheSize(0)
	searchIDs(t, l, "花呗还款")
	searchIDs(t, l, "花呗还款")
	if st := ix.SearchCacheStats(); st.Entries != 0 {
		t.Errorf("cache off: %+v", st)
	}
}

// TestSearchCacheKeepsClauses: a question typed with a comma and the same
// words parted by a space normalize alike, but only the first has a
// clause that asks, which the rerank weighs: each gets its own page, not
// whichever of the two the cache met first, from Search and CachedSearch
// alike.
func TestSearchCacheKeepsClauses(t *testing.T) {
	ix := questionsIndex(t)
	ctx := context.Background()
	comma := "花呗账单分了12期,现在想提前一次还完可以吗"
	space := strings.ReplaceAll(comma, ",", " ")
	ix.SetSearchCacheSize(0)
	want := map[string][]string{comma: hitIDs(searchPage(t, ix, comma, 1, 10)), space: hitIDs(searchPage(t, ix, space, 1, 10))}
	if reflect.DeepEqual(want[comma], want[space]) {
		t.Fatalf("%s: the same page with a comma or a space, %v: the corpus no longer tells", comma, want[comma])
	}
	ix.SetSearchCacheSize(100)
	for _, q := range []string{space, comma} {
		if got := hitIDs(searchPage(t, ix, q, 1, 10)); !reflect.DeepEqual(got, want[q]) {
			t.Errorf("%s, searched after the other: %v, want %v", q, got, want[q])
		}
		res, ok := ix.CachedSearch(ctx, zhsearch.SearchRequest{Query: q, Page: 1, Size: 10})
		if !ok {
			t.Errorf("%s: not in the cache after its search", q)
			continue
		}
		if got := hitIDs(res); !reflect.DeepEqual(got, want[q]) {
			t.Errorf("%s from the cache: %v, want %v", q, got, want[q])
		}
	}
}

// TestSearchCacheBoundedByBytes: the result cache holds at most
// pageBudget bytes a page it is sized for, whatever the pages' size: a
// client asking fifty hits for distinct queries cannot make it hold five
// times what pages of ten take. Pages of ten still fill every place, the
// newest page of fifty is still answered from it, and a cache emptied
// (resized) counts nothing.
func TestSearchCacheBoundedByBytes(t *testing.T) {
	body := strings.Repeat("花呗分期还款以后,每个月的账单日和还款日都要记清楚,逾期会影响征信。", 6)
	var articles []zhsearch.Article
	for i := range 60 {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("a%02d", i), Title: fmt.Sprintf("花呗还款指南第%d篇", i), Body: body})
	}
	ix := builtIndex(t, articles)
	ctx := context.Background()
	const places = 4
	ix.SetSearchCacheSize(places)

	for size := 41; size <= 50; size++ { // ten distinct pages of over 40 hits
		searchPage(t, ix, "花呗还款", 1, size)
	}
	st := ix.SearchCacheStats()
	wantFewerWithinBudget(t, "after ten pages of 41 to 50 hits", st.Entries, st.Bytes, st.Budget, places, pageBudget)
	if _, ok := ix.CachedSearch(ctx, zhsearch.SearchRequest{Query: "花呗还款", Page: 1, Size: 50}); !ok {
		t.Error("the newest page is not in the cache")
	}

	for _, q := range []string{"花呗", "还款", "花呗还款", "账单日", "还款日"} {
		searchPage(t, ix, q, 1, 10)
	}
	if st := ix.SearchCacheStats(); st.Entries != places || st.Bytes > st.Budget {
		t.Errorf("after five pages of ten: %d pages, %d bytes; want %d pages within %d bytes", st.Entries, st.Bytes, places, st.Budget)
	}

	ix.SetSearchCacheSize(2 * places)
	if st := ix.SearchCacheStats(); st.Entries != 0 || st.Bytes != 0 || st.Budget != 2*places*pageBudget {
		t.Errorf("resized: %d pages, %d bytes, budget %d; want an empty cache of budget %d", st.Entries, st.Bytes, st.Budget, 2*places*pageBudget)
	}
}

// wantFewerWithinBudget fails t unless a cache sized for places entries,
// each allowed per bytes, has that budget, and holds some entries but
// fewer than places, within it: its entries were too large to fill every
// place.
func wantFewerWithinBudget(t *testing.T, after string, entries int, bytes, budget int64, places int, per int64) {
	t.Helper()
	if budget != int64(places)*per {
		t.Fatalf("budget %d, want %d", budget, int64(places)*per)
	}
	if bytes > budget || entries >= places || entries == 0 {
		t.Errorf("%s: %d entries, %d bytes; want fewer than %d entries within %d bytes", after, entries, bytes, places, budget)
	}
}

// TestRelatedCacheBoundedByBytes: the related cache holds at most
// listBudget bytes a list it is sized for, whatever the lists' size:
// lists of twenty items for distinct articles cannot make it hold four
// times what lists of five take. Lists of five still fill every place,
// the newest list of twenty is still answered from it, and a live edit
// (Invalidate) leaves nothing counted.
func TestRelatedCacheBoundedByBytes(t *testing.T) {
	// Forty titles on one subject, each in words of its own beside it,
	// so that no two are duplicates and every list fills.
	words := []string{"账单日", "还款日", "最低还款", "分期", "逾期", "征信", "额度", "利息"}
	var articles []zhsearch.Article
	for i := range 40 {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("a%02d", i),
			Title: fmt.Sprintf("花呗%s和%s的区别是什么,第%d个问题", words[i%8], words[(i/8+i+1)%8], i),
			URL:   fmt.Sprintf("https://example.com/articles/huabei-repayment-notes/%02d", i)})
	}
	ix := builtIndex(t, articles)
	ctx := context.Background()
	const places = 4
	ix.SetRelatedCacheSize(places)
	related := func(id string, size int) {
		t.Helper()
		if _, err := ix.Related(ctx, zhsearch.RelatedRequest{ID: id, Size: size}); err != nil {
			t.Fatal(err)
		}
	}

	for i := range 10 { // ten lists of twenty
		related(fmt.Sprintf("a%02d", i), zhsearch.MaxRelatedSize)
	}
	st := ix.RelatedCacheStats()
	wantFewerWithinBudget(t, "after ten lists of twenty", st.Entries, st.Bytes, st.Budget, places, listBudget)
	if _, ok := ix.CachedRelated(ctx, zhsearch.RelatedRequest{ID: "a09", Size: zhsearch.MaxRelatedSize}); !ok {
		t.Error("the newest list is not in the cache")
	}

	for i := range 5 {
		related(fmt.Sprintf("a%02d", 20+i), 5)
	}
	if st := ix.RelatedCacheStats(); st.Entries != places || st.Bytes > st.Budget {
		t.Errorf("after five lists of five: %d lists, %d bytes; want %d lists within %d bytes", st.Entries, st.Bytes, places, st.Budget)
	}

	ix.Invalidate()
	if st := ix.RelatedCacheStats(); st.Entries != 0 || st.Bytes != 0 || st.Budget != places*listBudget {
		t.Errorf("after an edit: %d lists, %d bytes, budget %d; want an empty cache of budget %d", st.Entries, st.Bytes, st.Budget, places*listBudget)
	}
}
