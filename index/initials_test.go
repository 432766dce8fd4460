package index_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
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

// TestInitialsAmongWords: initials typed beside Chinese words (zfb冻结了,
// ppd 靠谱吗), which no article holds, stand for the title word the site
// means by them, as initials typed alone do: the titles holding it and
// the other words rank first. Latin letters an article holds (app) stay
// themselves.
func TestInitialsAmongWords(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "zfb", Title: "支付宝账户被冻结怎么解冻"},
		{ID: "card", Title: "银行卡被冻结了怎么办"},
		{ID: "ecard", Title: "京东E卡被冻结的原因"},
		{ID: "zfb2", Title: "支付宝备用金是什么"},
		{ID: "ppd", Title: "拍拍贷是正规平台吗"},
		{ID: "car", Title: "汽车抵押贷款靠谱吗"},
		{ID: "fix", Title: "征信修复公司靠谱吗"},
		{ID: "app", Title: "借钱app靠谱吗"},
		{ID: "apps", Title: "哪些借钱app不查征信"},
	})
	for _, tt := range []struct{ q, first string }{
		{"zfb冻结了怎么办", "zfb"},
		{"ppd 正规吗", "ppd"},
		{"app靠谱吗", "app"},
	} {
		res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: tt.q, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != tt.first {
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			t.Errorf("search %q = %v, want %s first", tt.q, got, tt.first)
		}
	}
}

// TestPinyinBeingTyped: pinyin whose last syllable is still being typed
// (zhengx, huabeiy), which completion completes, finds what it completes
// when the reader presses Enter: the syllables typed, then any syllable
// the last letters start.
func TestPinyinBeingTyped(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "zx", Title: "征信花了怎么办"},
		{ID: "zg", Title: "正规网贷平台有哪些"},
		{ID: "zj", Title: "证件丢了怎么补办"},
		{ID: "yq", Title: "花呗逾期怎么办"},
		{ID: "fk", Title: "花呗风控解除指南"},
		{ID: "hb", Title: "华北天气预报"},
	})
	tests := []struct {
		q    string
		want []string // the hits, in any order
	}{
		{"zhengx", []string{"zx"}},
		{"zhengg", []string{"zg"}},
		{"huabeiy", []string{"yq"}},
		{"huabeif", []string{"fk"}},
		{"huabeiyuq", []string{"yq"}},
		{"huabeit", []string{"hb"}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		got := sortedHits(t, ix, tt.q)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
		}
		// The first completion, a title the text starts, is found too.
		sug, err := ix.Suggest(ctx, zhsearch.SuggestRequest{Query: tt.q, Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(sug.Suggestions) == 0 || !slices.Contains(got, sug.Suggestions[0].ID) {
			t.Errorf("completion offers %+v first for %q; search finds %v", sug.Suggestions, tt.q, got)
		}
	}
}

// TestInitialsTypedApart: initials typed as words (jc hb) find the titles
// holding a word of each, in any order, as completion offers them, and
// mark those words. Before, search read them as one run (jchb) and found
// nothing where completion offered 花呗风控解除指南.
func TestInitialsTypedApart(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "fk", Title: "花呗风控解除指南"},
		{ID: "how", Title: "怎样解除花呗风控"},
		{ID: "zx", Title: "花呗协商还款对征信的影响"},
		{ID: "jc", Title: "征信花了被风控了可以解除吗"},
		{ID: "other", Title: "借呗额度怎么提升"},
	})
	tests := []struct {
		q    string
		want []string // the hits, in any order
		mark string   // how the first wanted hit's title is marked
	}{
		{"jc hb", []string{"fk", "how"}, "<mark>花呗</mark>风控<mark>解除</mark>指南"},
		{"hb jc", []string{"fk", "how"}, "<mark>花呗</mark>风控<mark>解除</mark>指南"},
		{"zx jc", []string{"jc"}, "<mark>征信</mark>花了被风控了可以<mark>解除</mark>吗"},
		{"hb qq", nil, ""}, // qq stands for no title word
	}
	ctx := context.Background()
	for _, tt := range tests {
		res, err := ix.Search(ctx, zhsearch.SearchRequest{Query: tt.q, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		if slices.Sort(got); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
			continue
		}
		for _, h := range res.Hits {
			if h.ID == tt.want[0] && h.Highlights.Title != tt.mark {
				t.Errorf("search %q marks %q, want %q", tt.q, h.Highlights.Title, tt.mark)
			}
		}
		sug, err := ix.Suggest(ctx, zhsearch.SuggestRequest{Query: tt.q, Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sug.Suggestions {
			if !slices.Contains(got, s.ID) {
				t.Errorf("completion offers %q for %q; search finds %v", s.Title, tt.q, got)
			}
		}
	}
}

// sortedHits searches q (ten hits at most) and returns the hits' ids in
// sorted order, for tests that want a set of hits in any order.
func sortedHits(t *testing.T, ix *index.Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: q, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	slices.Sort(got)
	return got
}
