package index_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
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

// TestEveryWordAcrossFieldsRanksFirst: on the site's own page and its
// 相关内容 titles, 花呗逾期 ranks the page (花呗 in its title, 逾期 in its
// long body) above the title-only articles that say 花呗 alone: their short
// titles weighed more than a word in a long body, and it came sixth.
func TestEveryWordAcrossFieldsRanksFirst(t *testing.T) {
	articles := bundledCorpus(t)
	ix := buildIndex(t, articles)
	ix.SetSearchCacheSize(0)
	res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: "花呗逾期", Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	const page = "000_6fe797c5a744a779"
	var order []string
	for _, h := range res.Hits {
		order = append(order, h.Title)
		if h.ID == page {
			return
		}
		if strings.Contains(h.Title, "花呗") && !strings.Contains(h.Title, "逾期") {
			t.Errorf("花呗逾期: %q ranks above the page about 花呗 that speaks of 逾期 (%v)", h.Title, order)
			return
		}
	}
	t.Errorf("花呗逾期: the page is not in the first 20 (%v)", order)
}

// TestAccentedLettersMatch: a Latin letter with accents matches its
// letter, however it was typed: café precomposed, cafe with a combining
// accent (as macOS and iOS input may give it) and cafe find each other,
// and pinyin with tone marks finds what the pinyin does. Before, café and
// cafe + U+0301 found nothing of each other.
func TestAccentedLettersMatch(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "pre", Title: "Café 里能用花呗吗"},
		{ID: "dec", Title: "Cafe\u0301 会员卡能退吗"},
		{ID: "zx", Title: "征信花了怎么办"},
	})
	tests := []struct {
		q    string
		want []string // the hits, in any order
	}{
		{"café", []string{"dec", "pre"}},
		{"cafe\u0301", []string{"dec", "pre"}},
		{"cafe", []string{"dec", "pre"}},
		{"CAFÉ", []string{"dec", "pre"}},
		{"zhēngxìn", []string{"zx"}},
	}
	for _, tt := range tests {
		if got := sortedHits(t, ix, tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
		}
	}
}
