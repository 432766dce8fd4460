package index

import (
	"context"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// TestCachedAnswers: the cache-only lookups the API asks before admission
// answer nothing until the engine computed an answer, then exactly that
// answer, and nothing again once an edit makes it stale. Drafts are never
// answered from the cache.
func TestCachedAnswers(t *testing.T) {
	l, _, _ := builtLive(t, -1, jsonlLines("a", 5)...)
	defer l.Close()
	ctx := context.Background()
	sreq := zhsearch.SearchRequest{Query: "花呗还款"}
	if _, ok := l.CachedSearch(ctx, sreq); ok {
		t.Fatal("a search never run is cached")
	}
	want, err := l.Search(ctx, sreq)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := l.CachedSearch(ctx, zhsearch.SearchRequest{Query: "花唄還款"})
	if !ok || got.Total != want.Total || len(got.Hits) != len(want.Hits) || got.Query != "花唄還款" {
		t.Errorf("cached search: %v %+v, want the computed page under the reader's query", ok, got)
	}
	if _, ok := l.CachedSearch(ctx, zhsearch.SearchRequest{Query: "花呗还款", Page: 2}); ok {
		t.Error("page 2 answered from page 1's entry")
	}

	rreq := zhsearch.RelatedRequest{ID: "a1"}
	if _, ok := l.CachedRelated(ctx, rreq); ok {
		t.Fatal("a related list never computed is cached")
	}
	wantRel, err := l.Related(ctx, rreq)
	if err != nil {
		t.Fatal(err)
	}
	gotRel, ok := l.CachedRelated(ctx, rreq)
	if !ok || len(gotRel.Related) != len(wantRel.Related) {
		t.Errorf("cached related: %v %+v, want %+v", ok, gotRel, wantRel)
	}
	draft := zhsearch.RelatedRequest{Draft: &zhsearch.Article{Title: "测试文章a1 花呗还款"}}
	if _, err := l.Related(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.CachedRelated(ctx, draft); ok {
		t.Error("a draft answered from the cache")
	}

	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "new1", Title: "花呗还款日可以改吗"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.CachedSearch(ctx, sreq); ok {
		t.Error("search answered from the cache after an edit")
	}
	if _, ok := l.CachedRelated(ctx, rreq); ok {
		t.Error("related list answered from the cache after an edit")
	}
}
