package index_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// TestSearchTies: articles that match a query equally well never repeat or
// go missing across pages, and each page lists them newest first, undated
// ones last, then by id.
func TestSearchTies(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 5, d, 8, 0, 0, 0, time.UTC) }
	dates := map[string]time.Time{"u1": {}, "u2": {}}
	for d := 1; d <= 10; d++ {
		dates[fmt.Sprintf("d%02d", d)] = day(d * 2)
	}
	var articles []zhsearch.Article
	for id, at := range dates {
		articles = append(articles, zhsearch.Article{ID: id, Title: "花呗逾期一天有影响吗", Body: "花呗逾期一天会不会上征信。", PublishedAt: at})
	}
	articles = append(articles, zhsearch.Article{ID: "z-other", Title: "借呗提前还款", Body: "借呗怎么提前还款。"})
	ix := buildIndex(t, articles)

	var all []string
	for page := 1; page <= 3; page++ {
		res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: "花呗逾期", Page: page, Size: 4})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		newestFirst := slices.SortedFunc(slices.Values(ids), func(a, b string) int {
			ta, tb := dates[a], dates[b]
			switch {
			case ta.IsZero() != tb.IsZero():
				if ta.IsZero() {
					return 1
				}
				return -1
			case !ta.Equal(tb):
				return tb.Compare(ta)
			}
			return slices.Compare([]string{a}, []string{b})
		})
		if !reflect.DeepEqual(ids, newestFirst) {
			t.Errorf("page %d = %v, want newest first %v", page, ids, newestFirst)
		}
		all = append(all, ids...)
	}
	slices.Sort(all)
	want := slices.Sorted(maps.Keys(dates))
	if !reflect.DeepEqual(all, want) {
		t.Errorf("three pages hold %v, want each tied article once: %v", all, want)
	}
}
