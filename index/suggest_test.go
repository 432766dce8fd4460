package index_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/zhsearch/zhsearch"
)

func TestSuggest(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "a", Title: "花呗风控多久才能解除"},
		{ID: "b", Title: "花呗风控解除指南"},
		{ID: "c", Title: "花呗协商还款对征信的影响"},
		{ID: "d", Title: "支付宝花呗风控是什么意思"},
		{ID: "e", Title: "華北天氣預報"},
		{ID: "f", Title: "租机变现:了解其模式与风险"},
		{ID: "g", Title: "京东Ｅ卡回收平台"},
		{ID: "h", Title: "<script>花呗</script>"},
		{ID: "i", Title: "京东618购物攻略"},
		{ID: "j", Title: "借呗额度为什么变成0了"},
		{ID: "k", Title: "急用金借钱APP下载"},
		{ID: "l", Title: "苹果ID贷私人贷"},
		{ID: "m", Title: "风控花呗使用"},
		{ID: "n", Title: "一年免费查询2次"},
		{ID: "o", Title: "借钱应急10000元的方法"},
		{ID: "p", Title: "金果回租ID贷是什么"},
		{ID: "q", Title: "京东白条怎么还款"},
		{ID: "r", Title: "花被风控的处理"},
		// Characters with several readings (还: hai, huan; 行: xing, hang;
		// 重: zhong, chong), typed in the word's.
		{ID: "u", Title: "还款日忘了怎么办"},
		{ID: "v", Title: "银行卡被冻结了"},
		{ID: "w", Title: "重新申请信用卡"},
		// Titles spelled by a rare reading (从 zong, 不 fou) beside longer
		// ones spelled by the usual readings.
		{ID: "x", Title: "从协议看借款"},
		{ID: "y", Title: "征信修复需要多久才能完成"},
		{ID: "z", Title: "不看征信的平台"},
		// The same title twice (as traditional text too, or with a space)
		// is suggested once.
		{ID: "s", Title: "京东白条怎么还款"},
		{ID: "t", Title: "京東白條怎麼還款"},
		{ID: "t2", Title: "京东白条 怎么还款"},
	})
	tests := []struct {
		q    string
		want []string
	}{
		// Titles that start with the text come first, shorter first; then
		// titles that contain it.
		{"花呗", []string{"b", "a", "c", "m", "d", "h"}},
		// Then titles that hold the words typed, but apart, with a space
		// or none (readers of Chinese type none), shorter first.
		{"花呗风控", []string{"b", "a", "d", "m"}},
		{"花呗 风控", []string{"b", "a", "d", "m"}},
		{"花呗征信", []string{"c"}},
		{"风控花呗", []string{"m", "b", "a", "d"}},
		// A question typed so far: its words, not its question words.
		{"花呗协商了会不", []string{"c"}},
		// The keystroke before: a word of one character after a space.
		{"花呗 风", []string{"b", "a", "d"}},
		{"花呗 协", []string{"c"}},
		{"花唄風", []string{"b", "a", "d"}},
		// Chinese typed, then pinyin: titles that say the Chinese as typed
		// (not 花被风控, which sounds alike).
		{"花呗f", []string{"b", "a"}},
		{"huab", []string{"e", "r", "b", "a", "c"}},
		{"hbfk", []string{"r", "b", "a", "d"}},
		{"zjbx", []string{"f"}},
		{"京东e", []string{"g"}},
		{"ＪＩＮＧＤＯＮＧ", []string{"g", "q", "i"}},
		{"量子", nil},
		// Digits inside the text: the title holds it as typed.
		{"618购物", []string{"i"}},
		{"东618", []string{"i"}},
		{"变成0了", []string{"j"}},
		// Latin words inside titles, from two letters on.
		{"app", []string{"k"}},
		{"ap", []string{"k"}},
		{"id", []string{"l", "p"}},
		{"a", nil},
		// A Latin word or a number being typed after Chinese: the part
		// typed so far (借钱A of 借钱APP, 应急1000 of 应急10000元).
		{"借钱a", []string{"k"}},
		{"借钱ap", []string{"k"}},
		{"应急1000", []string{"o"}},
		{"回租i", []string{"p"}},
		// Chinese, then the initials of the words after it (花呗 fēng kòng).
		{"花呗fk", []string{"b", "a"}},
		{"京东bt", []string{"q"}}, // not s or t, which say q's title again
		{"京东白条", []string{"q"}},
		// Pinyin starts titles first, then is found inside them, from two
		// syllables typed in full, as characters are (风控 in 花呗风控…).
		{"huankuan", []string{"u", "q", "c"}},
		{"haikuan", []string{"u", "q", "c"}}, // go-pinyin's most common reading of 还 still completes it
		{"fengkong", []string{"m", "r", "b", "a", "d"}},
		{"fengkongj", []string{"m", "r", "b", "a", "d"}}, // the last syllable still being typed
		// Pinyin of several title words: typed together, the words in a
		// row, as 风控解除 typed in characters finds them; typed apart, each
		// anywhere, as 花呗 解除 does.
		{"fengkongjiechu", []string{"b"}},
		{"huabei jiechu", []string{"b", "a"}},
		{"yinhang", []string{"v"}},
		{"yhk", []string{"v"}},
		{"chongxin", []string{"w"}},
		// The usual readings first, however long the title (zx: 重新 and
		// 征信 before 从 read zong; fk: 风控 before 不 read fou and 还 fu;
		// cx: 从协 before 重 read chong); then the titles holding a word
		// the initials stand for (风控 of 花呗风控…, 查询 of 一年免费查询2次).
		{"zx", []string{"w", "y", "x", "z", "c"}},
		{"fk", []string{"m", "z", "u", "r", "b", "a", "d"}},
		{"cx", []string{"x", "w", "n"}},
		{"fkjc", []string{"b"}},
		// One character completes only titles that start with it.
		{"2", nil},
		{"e", nil},
		{"一", []string{"n"}},
	}
	for _, tt := range tests {
		res, err := ix.Suggest(context.Background(), zhsearch.SuggestRequest{Query: tt.q, Size: 8})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range res.Suggestions {
			got = append(got, s.ID)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("suggest %q = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestSuggestHighlight: a suggestion marks what completes the typed text,
// however it was typed, escaped as search highlights are.
func TestSuggestHighlight(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "b", Title: "花呗风控解除指南"},
		{ID: "g", Title: "京东Ｅ卡回收平台"},
		{ID: "h", Title: "<b>花呗</b>怎么关"},
		{ID: "l", Title: "苹果ID贷私人贷"},
		{ID: "u", Title: "还款日忘了怎么办"},
		{ID: "e", Title: "😀花呗逾期怎么办😀"},
		{ID: "t", Title: "冬天室温低于10℃怎么办"},
		{ID: "z", Title: "青\u200b铜葫芦分期"},
		{ID: "s", Title: "花呗风控多久才能解除"},
	})
	tests := []struct{ q, id, want string }{
		{"huankuanr", "u", "<mark>还款日</mark>忘了怎么办"}, // 还 read huan, not hai
		{"hkr", "u", "<mark>还款日</mark>忘了怎么办"},
		{"花呗风", "b", "<mark>花呗风</mark>控解除指南"},
		{"花唄風", "b", "<mark>花呗风</mark>控解除指南"},                        // traditional
		{"花呗 风控", "b", "<mark>花呗风控</mark>解除指南"},                      // a space typed between words
		{"huab", "b", "<mark>花呗</mark>风控解除指南"},                       // pinyin, the last syllable unfinished
		{"hbfk", "b", "<mark>花呗风控</mark>解除指南"},                       // initials
		{"青铜", "z", "<mark>青\u200b铜</mark>葫芦分期"},                     // a zero-width space pasted inside a word
		{"花呗fk", "b", "<mark>花呗风控</mark>解除指南"},                       // Chinese, then initials
		{"huabei jiechu", "b", "<mark>花呗</mark>风控<mark>解除</mark>指南"}, // pinyin words apart
		{"fkjc", "b", "花呗<mark>风控解除</mark>指南"},                       // initials inside the title
		{"jc hb", "b", "<mark>花呗</mark>风控<mark>解除</mark>指南"},         // initials typed apart
		{"jc hb", "s", "<mark>花呗</mark>风控多久才能<mark>解除</mark>"},       // the word jc stands for, not 久才
		{"京东e", "g", "<mark>京东Ｅ</mark>卡回收平台"},                        // full-width in the title
		{"ＩＤ貸", "l", "苹果<mark>ID贷</mark>私人贷"},                        // full-width and traditional typed
		{"花呗", "h", "&lt;b&gt;<mark>花呗</mark>&lt;/b&gt;怎么关"},
		{"风控 花呗", "b", "<mark>花呗风控</mark>解除指南"},             // words typed apart, in another order
		{"花呗指南", "b", "<mark>花呗</mark>风控解除<mark>指南</mark>"}, // words typed together, held apart
		{"指南 花呗", "b", "<mark>花呗</mark>风控解除<mark>指南</mark>"},
		{"花呗风\u00ad", "b", "<mark>花呗风</mark>控解除指南"}, // an invisible soft hyphen typed after
		{"花呗逾期怎么办", "e", "😀<mark>花呗逾期怎么办</mark>😀"},
		{"yuqi", "e", "😀花呗<mark>逾期</mark>怎么办😀"},         // pinyin inside the title      // what normalizing drops stays out
		{"冬天室温低于10℃", "t", "<mark>冬天室温低于10℃</mark>怎么办"}, // ℃ normalizes to °c
	}
	for _, tt := range tests {
		res, err := ix.Suggest(context.Background(), zhsearch.SuggestRequest{Query: tt.q, Size: 8})
		if err != nil {
			t.Fatal(err)
		}
		got := "(not suggested)"
		for _, s := range res.Suggestions {
			if s.ID == tt.id {
				got = s.Highlight
			}
		}
		if got != tt.want {
			t.Errorf("suggest %q: %s highlighted %q, want %q", tt.q, tt.id, got, tt.want)
		}
	}
}
