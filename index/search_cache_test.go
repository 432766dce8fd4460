package index

import (
	"context"
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
