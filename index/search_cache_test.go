package index

import (
	"context"
	"reflect"
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
