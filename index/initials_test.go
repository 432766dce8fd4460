package index_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// TestInitialsFindWords: two pinyin initials find the title word the site
// means by them first, the commoner of two words first, and titles whose
// neighbouring characters merely have the initials (应急贷款: 急贷) last.
func TestInitialsFindWords(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "junk", Title: "应急贷款全攻略"},
		{ID: "season", Title: "第三季度报告"},
		{ID: "card", Title: "京东e卡回收平台"},
		{ID: "baitiao", Title: "京东白条怎么关闭"},
		{ID: "mall", Title: "在京东买手机"},
		{ID: "mall2", Title: "京东618购物攻略"},
		{ID: "huabei", Title: "花呗风控解除指南"},
	})
	tests := []struct {
		q            string
		first, after []string // the hits, the first ones in any order, then the others
	}{
		{"jd", []string{"baitiao", "card", "mall", "mall2"}, []string{"junk", "season"}},
		{"hb", []string{"huabei"}, nil},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: tt.q, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		n := min(len(got), len(tt.first))
		first, after := slices.Sorted(slices.Values(got[:n])), slices.Sorted(slices.Values(got[n:]))
		if !reflect.DeepEqual(first, tt.first) || len(after) > 0 && !reflect.DeepEqual(after, tt.after) || len(after) != len(tt.after) {
			t.Errorf("search %q = %v, want %v first, then %v", tt.q, got, tt.first, tt.after)
		}
	}
}
