package index_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// TestSearchTiesNewestFirst: articles that match a query equally well list
// newest first, undated ones last, then by id — on every page.
func TestSearchTiesNewestFirst(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 5, d, 8, 0, 0, 0, time.UTC) }
	var articles []zhsearch.Article
	for _, a := range []struct {
		id string
		at time.Time
	}{{"a-old", day(1)}, {"b-undated", time.Time{}}, {"c-new", day(20)}, {"d-mid", day(10)}, {"e-undated", time.Time{}}} {
		articles = append(articles, zhsearch.Article{ID: a.id, Title: "花呗逾期一天有影响吗", Body: "花呗逾期一天会不会上征信。", PublishedAt: a.at})
	}
	articles = append(articles, zhsearch.Article{ID: "z-other", Title: "借呗提前还款", Body: "借呗怎么提前还款。"})
	ix := buildIndex(t, articles)
	want := []string{"c-new", "d-mid", "a-old", "b-undated", "e-undated"}
	var got []string
	for page := 1; page <= 3; page++ {
		res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: "花呗逾期", Page: page, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ids over three pages = %v, want %v", got, want)
	}
}
