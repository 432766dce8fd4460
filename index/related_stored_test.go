package index

import (
	"context"
	"reflect"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// TestStoredCut: the cut a build stores gives every article of the judged
// suite the source words, and so the related list, that cutting its body
// again gives; title-only articles store none (their body field is their
// title, and a source reads no body of theirs).
func TestStoredCut(t *testing.T) {
	ix, _, articles := suiteIndex(t)
	ix.SetSearchCacheSize(0)
	ctx := context.Background()
	stored := 0
	for i := range articles {
		a := &articles[i]
		src, bodyCut, err := ix.relatedSource(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.TitleOnly || a.Body == "" {
			if bodyCut != "" {
				t.Errorf("%s (no body): a cut stored", a.ID)
			}
			continue
		}
		if bodyCut == "" {
			t.Errorf("%s: no cut stored", a.ID)
			continue
		}
		stored++
		want, err := sourceWords(ctx, ix.seg, src, "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := sourceWords(ctx, ix.seg, src, bodyCut)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the stored cut gives other source words than its body", a.ID)
		}
		wantList, err := ix.relatedList(ctx, src, 5)
		if err != nil {
			t.Fatal(err)
		}
		gotList, err := ix.relatedListOf(ctx, src, bodyCut, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotList, wantList) {
			t.Errorf("%s: list from the stored cut %v, from the body %v", a.ID, gotList.Related, wantList.Related)
		}
	}
	if stored == 0 {
		t.Fatal("no article of the suite has a body: the test checks nothing")
	}
}

// TestLiveEditStoresCut: an article put by a live edit gets its body's cut
// stored as a build stores it, and an edit that empties its body drops it.
func TestLiveEditStoresCut(t *testing.T) {
	l, _, _ := builtLive(t, -1, jsonlLines("a", 3)...)
	defer l.Close()
	ctx := context.Background()
	a := &zhsearch.Article{ID: "live1", Title: "花呗逾期了怎么和平台协商还款", Body: "上个月花呗逾期了三天，想和平台协商还款，分期还清欠款。"}
	storedWords := func() (got, want map[string]*sourceWord) {
		t.Helper()
		g, err := l.acquire()
		if err != nil {
			t.Fatal(err)
		}
		defer g.release()
		src, bodyCut, err := g.ix.relatedSource(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if bodyCut == "" {
			return nil, nil
		}
		if got, err = sourceWords(ctx, g.ix.seg, src, bodyCut); err == nil {
			want, err = sourceWords(ctx, g.ix.seg, src, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		return got, want
	}
	if _, err := l.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, want := storedWords(); got == nil || got["协商"] == nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after a live put: words from the stored cut %v, want %v", got, want)
	}
	a.Body = ""
	if _, err := l.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := storedWords(); got != nil {
		t.Fatalf("after the body was emptied: a cut is still stored (%v)", got)
	}
}
