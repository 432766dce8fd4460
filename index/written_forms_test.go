package index

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// amountCorpus writes amounts the three ways titles do: digits with the
// unit (2万), digits alone (10000, 3000) and Chinese numerals (两万); two
// titles hold a bare digit that is no amount (a count, a step count).
var amountCorpus = []zhsearch.Article{
	{ID: "d2", Title: "借2万元一年利息多少", TitleOnly: true},
	{ID: "h2", Title: "花呗欠了两万还不起怎么办", TitleOnly: true},
	{ID: "n1", Title: "借钱应急10000元的方法与注意事项", TitleOnly: true},
	{ID: "n3", Title: "急用钱3000马上用怎么办", TitleOnly: true},
	{ID: "c2", Title: "中国人民银行征信中心:一年免费查询2次", TitleOnly: true},
	{ID: "w1", Title: "网贷逾期了1次会上征信吗", TitleOnly: true},
	{ID: "x1", Title: "每天走路多少步有用", TitleOnly: true},
}

// TestAmountsInEveryWriting: a reader types an amount in digits and a unit
// (2万, 3千) or in Chinese numerals (两万), and finds the titles that write
// it any of the three ways; a bare digit (the 2 of 查询2次) is no amount.
// Before, 2万 was the digit 2 and a lone 万: it ranked 一年免费查询2次
// first and missed 借2万元 and 两万; 两万 found nothing.
func TestAmountsInEveryWriting(t *testing.T) {
	ix := builtIndex(t, amountCorpus)
	ix.SetSearchCacheSize(0)
	tests := []struct {
		query string
		want  []string // the hits' ids, in any order among equals
	}{
		{"2万", []string{"d2", "h2"}},
		{"两万", []string{"d2", "h2"}},
		{"借2万元", []string{"d2", "h2"}},
		{"1万", []string{"n1"}},
		{"3千块", []string{"n3"}},
		{"三千", []string{"n3"}},
		{"20000", []string{"d2", "h2"}},
		// Chat shorthand: w for 万, k for 千.
		{"2w", []string{"d2", "h2"}},
		{"借2w", []string{"d2", "h2"}},
		{"3k", []string{"n3"}},
		{"借20000", []string{"d2", "h2"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: tt.query, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range res.Hits {
				got[h.ID] = true
			}
			want := map[string]bool{}
			for _, id := range tt.want {
				want[id] = true
			}
			if !reflect.DeepEqual(got, want) {
				var titles []string
				for _, h := range res.Hits {
					titles = append(titles, h.Title)
				}
				t.Errorf("%s found %q, want the ids %v", tt.query, titles, tt.want)
			}
		})
	}
}

// TestModelNamesTypedEitherWay: a model name finds its titles whether the
// reader types its letters and digits together or apart, and whichever
// way the title writes them (iPhone 13, iPhone14, X100), with the name
// marked; its letters alone find every model of the name. A number the
// reader types is no model's: 逾期100天 does not find X100. Before,
// iphone13 found nothing and iphone 14 ranked iPhone 13 above iPhone14.
func TestModelNamesTypedEitherWay(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "i13", Title: "iPhone 13租机攻略", TitleOnly: true},
		{ID: "i14", Title: "iPhone14租机多少钱", TitleOnly: true},
		{ID: "v100", Title: "vivo X100分期付款攻略", TitleOnly: true},
		{ID: "m60", Title: "华为Mate60租机靠谱吗", TitleOnly: true},
		{ID: "r1", Title: "租机买断划算吗", TitleOnly: true},
		{ID: "d100", Title: "网贷逾期100天会怎么样", TitleOnly: true},
		{ID: "d60", Title: "花呗逾期六十天的后果", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	tests := []struct {
		query, first, marked string
		not                  []string
	}{
		{"iphone13", "i13", "iphone", nil},
		{"iPhone 13", "i13", "13", nil},
		{"iphone14", "i14", "iphone14", nil},
		{"iphone 14", "i14", "iphone14", nil},
		{"ｉｐｈｏｎｅ１４", "i14", "iphone14", nil},
		{"x100", "v100", "x100", nil},
		{"vivo x 100", "v100", "x100", nil},
		{"mate 60", "m60", "mate60", []string{"d60"}},
		{"mate60租机", "m60", "mate60租机", nil},
		{"逾期100天", "d100", "逾期100天", []string{"v100"}},
		{"逾期六十天", "d60", "逾期六十天", []string{"m60"}},
	}
	for _, tt := range tests {
		res := firstHitMarked(t, ix, tt.query, tt.first, tt.marked)
		for _, h := range res.Hits {
			if slices.Contains(tt.not, h.ID) {
				t.Errorf("%s lists %s", tt.query, h.Title)
			}
		}
	}
	res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: "iphone", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ids := hitIDs(res); !slices.Contains(ids, "i13") || !slices.Contains(ids, "i14") {
		t.Errorf("iphone found %v, want both iPhone titles", ids)
	}
	for _, h := range res.Hits {
		if h.ID == "i14" && !markedIn(strings.ToLower(h.Highlights.Title), "iphone") {
			t.Errorf("iphone: %s highlighted %q, want iPhone marked", h.Title, h.Highlights.Title)
		}
	}
}

// TestCountsInDigitsOrNumerals: a count of days, years or instalments
// finds the titles that write it the other way (花呗逾期3天: 花呗逾期三天会上征信吗;
// 信用卡逾期三天: 信用卡逾期3天算逾期吗). Before, 3 and 天 were two words, and
// the title with 三天 ranked fourth for 花呗逾期3天 behind titles about
// other days.
func TestCountsInDigitsOrNumerals(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "h3", Title: "花呗逾期三天会上征信吗", TitleOnly: true},
		{ID: "h2", Title: "花呗逾期两天算严重吗", TitleOnly: true},
		{ID: "h30", Title: "花呗晚还30天有什么后果", TitleOnly: true},
		{ID: "hm", Title: "花呗逾期一个月的后果汇总", TitleOnly: true},
		{ID: "c3", Title: "信用卡逾期3天算逾期吗", TitleOnly: true},
		{ID: "c1", Title: "信用卡逾期了会有什么后果", TitleOnly: true},
		{ID: "w1", Title: "网贷逾期一年会怎么样", TitleOnly: true},
		{ID: "w0", Title: "网贷逾期会被起诉吗", TitleOnly: true},
		{ID: "q2", Title: "中国人民银行征信中心:一年免费查询2次", TitleOnly: true},
		{ID: "d90", Title: "逾期90天以上算严重逾期吗", TitleOnly: true},
		{ID: "h24", Title: "花呗分二十四期划算吗", TitleOnly: true},
		{ID: "h12", Title: "花呗分12期手续费多少", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	tests := []struct{ query, first, marked string }{
		{"花呗逾期3天", "h3", "三天"},
		{"花呗逾期三天", "h3", "三天"},
		{"信用卡逾期三天", "c3", "3天"},
		{"花呗逾期三十天", "h30", "30天"},
		{"网贷逾期1年", "w1", "一年"},
		// Numerals the dictionary holds as words, cut from their unit.
		{"逾期九十天", "d90", "90天"},
		{"花呗分24期", "h24", "二十四期"},
		{"花呗分二十四期", "h24", "二十四期"},
	}
	for _, tt := range tests {
		firstHitMarked(t, ix, tt.query, tt.first, tt.marked)
	}
}

// firstHitMarked searches query and checks that the article first is
// first, with marked (lower case) inside one mark of its title's
// highlight; it returns the result.
func firstHitMarked(t *testing.T, ix *Index, query, first, marked string) *zhsearch.SearchResult {
	t.Helper()
	res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: query, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != first {
		var titles []string
		for _, h := range res.Hits {
			titles = append(titles, h.Title)
		}
		t.Errorf("%s found %q, want %s first", query, titles, first)
		return res
	}
	if got := res.Hits[0].Highlights.Title; !markedIn(strings.ToLower(got), marked) {
		t.Errorf("%s: first hit highlighted %q, want %s marked", query, got, marked)
	}
	return res
}

// markedIn reports whether text lies inside one mark of highlight.
func markedIn(highlight, text string) bool {
	for _, part := range strings.Split(highlight, "<mark>")[1:] {
		if in, _, ok := strings.Cut(part, "</mark>"); ok && strings.Contains(in, text) {
			return true
		}
	}
	return false
}

// TestNoAmountInDecimalsOrOrdinals: the digits after a decimal point (the
// 5 of 2.5万, which normalizing writes 2 5万) or after 第 are no whole
// amount or count: 2.5万 is not 5万 (50000), 第2期 not 两期.
func TestNoAmountInDecimalsOrOrdinals(t *testing.T) {
	ix := builtIndex(t, amountCorpus)
	for _, tt := range []struct{ query, not string }{
		{"借2.5万", "5万"},
		{"逾期1.5年", "5年"},
		{"花呗第2期没还", "2期"},
		{"0.5万", "5万"},
	} {
		aq := ix.analyze(tt.query)
		for _, term := range aq.terms {
			if term.text == tt.not || term.typed {
				t.Errorf("%s: term %q (alts %q), want no whole number read", tt.query, term.text, term.alts)
			}
		}
	}
	// A whole one still is.
	if aq := ix.analyze("借5万"); !slices.ContainsFunc(aq.terms, func(t queryTerm) bool { return t.text == "5万" && t.typed }) {
		t.Errorf("借5万: terms %+v, want the amount 5万", aq.terms)
	}
}
