package index

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	bindex "github.com/blevesearch/bleve_index_api"
	"github.com/zhsearch/zhsearch"
)

// TestStoredLoaderMatchesBleve: reading a hit's stored fields by document
// number gives the hit bleve's own path (ExternalID, then
// LoadAndHighlightFields) gives, for every live document of snapshots of
// several segments with deletions, and every set of fields the service
// asks for: titles, bodies, tags listed more than once, dates, flags.
func TestStoredLoaderMatchesBleve(t *testing.T) {
	l, _, _ := builtLive(t, time.Hour,
		`{"id":"a1","title":"花呗逾期三天会上征信吗","body":"逾期三天一般不会上报。","tags":["花呗","征信"]}`,
		`{"id":"a2","title":"花呗逾期一个月的后果","published_at":"2023-11-20T10:30:00+08:00","tags":["花呗"]}`,
		`{"id":"a3","title":"征信不好还能办房贷吗","category":"征信","tags":["房贷"]}`)
	defer l.Close()
	ctx := context.Background()
	edits := []func() error{
		func() error {
			_, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a1", Title: "借呗提前还款要收手续费吗", Tags: []string{"借呗", "还款", "借呗"}})
			return err
		},
		func() error { _, err := l.DeleteArticle(ctx, "a3"); return err },
		func() error {
			_, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a4", Title: "網貸還不上怎麼辦", Body: "先和平台協商。"})
			return err
		},
	}
	// Each edit adds a segment, and scorch merges segments in the
	// background: every snapshot taken right after an edit is checked,
	// and the edits go on until snapshots with several segments and with
	// deleted documents (a1's and a3's first versions) were both checked.
	several, deletions := false, false
	for i := 0; i < 50 && !(several && deletions); i++ {
		edit := func() error {
			_, err := l.PutArticle(ctx, &zhsearch.Article{ID: fmt.Sprintf("x%d", i), Title: "京东E卡回收一般几折"})
			return err
		}
		if i < len(edits) {
			edit = edits[i]
		}
		if err := edit(); err != nil {
			t.Fatal(err)
		}
		segs, dels := checkStoredLoader(t, l)
		several, deletions = several || segs > 1, deletions || dels
	}
	if !several || !deletions {
		t.Fatalf("no snapshot with several segments (%v) and deleted documents (%v) was checked", several, deletions)
	}
}

// checkStoredLoader compares the loader with bleve's path on every live
// document of l's current snapshot, and returns how many segments it has
// and whether it holds deleted documents.
func checkStoredLoader(t *testing.T, l *Live) (segments int, deletions bool) {
	t.Helper()
	_, r, done := currentReader(t, l)
	defer done()
	loader := newStoredLoader(r)
	if !loader.direct {
		t.Fatal("the index's reader is not a scorch snapshot")
	}
	for _, s := range loader.segs {
		for local := uint64(0); local < s.seg.Count(); local++ {
			if s.deleted != nil && s.deleted.Contains(uint32(local)) {
				deletions = true
				continue
			}
			for _, fields := range [][]string{hitFields, relatedFields, {"*"}} {
				compareStoredLoad(t, loader, r, s.offset+local, fields)
			}
		}
	}
	return len(loader.segs), deletions
}

func compareStoredLoad(t *testing.T, loader *storedLoader, r bindex.IndexReader, num uint64, fields []string) {
	t.Helper()
	req := &bleve.SearchRequest{Fields: fields}
	got, err := loader.load(num, 1.5, req)
	if err != nil {
		t.Fatal(err)
	}
	want, err := loadByID(r, got.IndexInternalID, 1.5, req)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("document %d, fields %v:\n got %+v\nwant %+v", num, fields, got, want)
	}
}

// currentReader takes l's current generation and opens a reader of it;
// done closes the reader and releases the generation.
func currentReader(t *testing.T, l *Live) (g *generation, r bindex.IndexReader, done func()) {
	t.Helper()
	g, err := l.acquire()
	if err != nil {
		t.Fatal(err)
	}
	if r, err = g.ix.reader(); err != nil {
		g.release()
		t.Fatal(err)
	}
	return g, r, func() { r.Close(); g.release() }
}
