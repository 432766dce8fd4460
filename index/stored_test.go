package index

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/zhsearch/zhsearch"
)

// TestStoredLoaderMatchesBleve: reading a hit's stored fields by document
// number gives the hit bleve's own path (ExternalID, then
// LoadAndHighlightFields) gives, for every live document of a snapshot of
// several segments with deletions, and every set of fields the service
// asks for: titles, bodies, tags listed more than once, dates, flags.
func TestStoredLoaderMatchesBleve(t *testing.T) {
	l, _, _ := builtLive(t, time.Hour,
		`{"id":"a1","title":"花呗逾期三天会上征信吗","body":"逾期三天一般不会上报。","tags":["花呗","征信"],"published_at":"2024-03-01T08:00:00Z"}`,
		`{"id":"a2","title":"花呗逾期一个月的后果","published_at":"2023-11-20T10:30:00+08:00","tags":["花呗"]}`,
		`{"id":"a3","title":"征信不好还能办房贷吗","category":"征信","tags":["房贷"]}`)
	defer l.Close()
	ctx := context.Background()
	// Each edit lands in a segment of its own; a1's and a3's first
	// versions stay behind as deleted documents.
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a1", Title: "借呗提前还款要收手续费吗", Tags: []string{"借呗", "还款", "借呗"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeleteArticle(ctx, "a3"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a4", Title: "網貸還不上怎麼辦", Body: "先和平台協商。"}); err != nil {
		t.Fatal(err)
	}
	g, err := l.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.release()
	r, err := g.ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	loader := newStoredLoader(r)
	if !loader.direct || len(loader.segs) < 2 {
		t.Fatalf("want a scorch snapshot of several segments, got direct=%v, %d segments", loader.direct, len(loader.segs))
	}
	seen := map[string]bool{}
	for _, s := range loader.segs {
		for local := uint64(0); local < s.seg.Count(); local++ {
			if s.deleted != nil && s.deleted.Contains(uint32(local)) {
				continue
			}
			num := s.offset + local
			for _, fields := range [][]string{hitFields, relatedFields, {"*"}} {
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
			seen[loader.doc0ID(t, num)] = true
		}
	}
	if want := map[string]bool{"a1": true, "a2": true, "a4": true}; !reflect.DeepEqual(seen, want) {
		t.Errorf("live documents read = %v, want %v", seen, want)
	}
}

// doc0ID reads document num's id through the loader.
func (l *storedLoader) doc0ID(t *testing.T, num uint64) string {
	t.Helper()
	d, err := l.read(num, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID()
}
