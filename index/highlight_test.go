package index

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

func TestHighlightTitle(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct {
		name, query, title string
		sound              bool
		want               string
	}{
		{"exact", "花呗风控", "花呗风控解除指南", false, "<mark>花呗风控</mark>解除指南"},
		{"words apart", "花呗风控", "风控花呗使用情况", false, "<mark>风控花呗</mark>使用情况"},
		{"overlapping search-mode words", "花呗协商还款", "花呗协商还款被拒绝", false, "<mark>花呗协商还款</mark>被拒绝"},
		{"traditional query", "花唄風控", "花呗风控解除", false, "<mark>花呗风控</mark>解除"},
		{"traditional title", "花呗风控", "花唄風控多久能恢復", false, "<mark>花唄風控</mark>多久能恢復"},
		{"full-width title", "京东e卡", "京东Ｅ卡回收", false, "<mark>京东Ｅ卡</mark>回收"},
		{"case", "id贷", "苹果ID贷私人贷", false, "苹果<mark>ID贷</mark>私人贷"},
		{"pinyin", "huabei", "借呗和花呗的区别", false, "借呗和<mark>花呗</mark>的区别"},
		{"pinyin, words apart", "wangdaiyuqi", "网贷未逾期的风险", false, "<mark>网贷</mark>未<mark>逾期</mark>的风险"},
		{"pinyin, part of it", "zhengxinxiufu", "征信花了如何快速修复", false, "<mark>征信</mark>花了如何快速<mark>修复</mark>"},
		{"initials", "hbfk", "支付宝花呗风控是什么", false, "支付宝<mark>花呗风控</mark>是什么"},
		// Pinyin whose last syllable is still being typed marks as far as
		// it goes, as completion does (huab: 花呗).
		{"pinyin, the last syllable unfinished", "zhengx", "网贷上征信和不上征信的区别", false, "网贷上<mark>征信</mark>和不上<mark>征信</mark>的区别"},
		{"pinyin, the last syllable begun", "huabeiyu", "花呗逾期三天会上征信吗", false, "<mark>花呗逾</mark>期三天会上征信吗"},
		// A character read otherwise than its most common reading (还:
		// hai, huan; 行: xing, hang).
		{"pinyin of a heteronym", "huankuanri", "信用卡还款日是哪天", false, "信用卡<mark>还款日</mark>是哪天"},
		{"initials of a heteronym", "yhk", "银行卡丢了怎么办", false, "<mark>银行卡</mark>丢了怎么办"},
		// A Latin letter of a title stands for itself.
		{"initials with a letter", "jdek", "回收京东e卡哪个平台好用", false, "回收<mark>京东e卡</mark>哪个平台好用"},
		{"pinyin with a letter", "jingdongeka", "京东E卡的回收途径", false, "<mark>京东E卡</mark>的回收途径"},
		{"homophone", "花贝风控", "花呗风控解除指南", true, "<mark>花呗风控</mark>解除指南"},
		{"escaped", "花呗", `<script>alert("花呗")</script>`, false, `&lt;script&gt;alert(&#34;<mark>花呗</mark>&#34;)&lt;/script&gt;`},
		{"no match", "征信", "<b>花呗</b>", false, "&lt;b&gt;花呗&lt;/b&gt;"},
		{"synonym", "网贷逾期", "网络贷款逾期的法律后果", false, "<mark>网络贷款逾期</mark>的法律后果"},
		{"synonym alone", "网贷", "网络贷款诈骗套路揭秘", false, "<mark>网络贷款</mark>诈骗套路揭秘"},
		{"question mark after", "会怎样", "手机ID贷款不还会怎样?", false, "手机ID贷款不还<mark>会怎样</mark>?"},
		{"full-width question mark after", "吗", "ID贷手机被锁了需要还钱吗？", false, "ID贷手机被锁了需要还钱<mark>吗</mark>？"},
		{"punctuation between words", "花呗风控", "花呗·风控", false, "<mark>花呗</mark>·<mark>风控</mark>"},
		// gse cuts the query 急 / 用钱 / 去 / 哪 / 借; the title holds 急用钱.
		{"one-character piece with its neighbour", "急用钱去哪借", "缺钱急用钱怎么办", false, "缺钱<mark>急用钱</mark>怎么办"},
		{"one-character piece not beside it", "急用钱去哪借", "用钱很急怎么办", false, "<mark>用钱</mark>很急怎么办"},
		{"a word's own characters are not pieces", "京东e卡回首", "京东e卡回收", false, "<mark>京东e卡</mark>回收"},
		// A filler or a question word is no piece to join (能, 被, 了).
		{"a filler beside a word", "没有工作能贷款不", "没有工作能申请贷款吗", false, "<mark>没有工作</mark>能申请<mark>贷款</mark>吗"},
		{"fillers around a piece", "信用卡被停了", "信用卡被停卡了怎么办", false, "<mark>信用卡</mark>被停卡了怎么办"},
		// A Latin word is marked where the engine matches it: whole.
		{"Latin word inside a longer one", "id贷", "Android手机id贷被锁怎么办", false, "Android手机<mark>id贷</mark>被锁怎么办"},
		{"Latin word inside a longer one, written as is", "app 花呗", "happy花呗指南 app", false, "happy<mark>花呗</mark>指南 <mark>app</mark>"},
		{"one Latin letter", "a 花呗", "a花呗 attack", false, "<mark>a花呗</mark> attack"},
		{"digits inside a number", "20", "2024年新规", false, "2024年新规"},
		{"a letter and its combining accent", "e 花呗", "cafe\u0301 e 花呗", false, "cafe\u0301 <mark>e</mark> <mark>花呗</mark>"},
		{"a word's combining accent", "cafe", "Cafe\u0301 花呗", false, "<mark>Cafe\u0301</mark> 花呗"},
		// Normalizing makes several characters of one (℃: °c, ㎏: kg):
		// the mark holds it whole.
		{"a character normalized into several", "℃", "冬天室温低于10℃怎么办", false, "冬天室温低于10<mark>℃</mark>怎么办"},
		{"a unit sign", "kg", "借呗额度㎏提额", false, "借呗额度<mark>㎏</mark>提额"},
		// A title that holds none of the query's words but shares its
		// pairs (the bigrams that found it) shows them.
		{"pairs of a word the title lacks", "账单日", "信用卡账单分期和现金分期的区别", false, "信用卡<mark>账单</mark>分期和现金分期的区别"},
		{"pairs, traditional title", "美团月付", "美團借錢會上徵信嗎", false, "<mark>美團</mark>借錢會上徵信嗎"},
		{"emoji around", "花呗逾期怎么办", "😀花呗逾期怎么办😀", false, "😀<mark>花呗逾期怎么办</mark>😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aq := ix.analyze(tt.query)
			aq.soundUsed = tt.sound
			if got := newHighlighter(&aq).title(tt.title); got != tt.want {
				t.Errorf("title(%q, %q) = %q, want %q", tt.query, tt.title, got, tt.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	aq := ix.analyze("征信")
	body := "开头的话。" + "这是一段很长的铺垫文字，用来把匹配推到后面去，这是一段很长的铺垫文字，用来把匹配推到后面去，" +
		"这里讲<征信>记录怎么修复，以及征信报告怎么看。后面还有很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多很多字。"
	plain, marked := newHighlighter(&aq).snippet(body, 40)
	wantPlain := "…后面去，这里讲<征信>记录怎么修复，以及征信报告怎么看。后面还有很多很多很多很多…"
	if plain != wantPlain {
		t.Errorf("plain = %q, want %q", plain, wantPlain)
	}
	wantMarked := "…后面去，这里讲&lt;<mark>征信</mark>&gt;记录怎么修复，以及<mark>征信</mark>报告怎么看。后面还有很多很多很多很多…"
	if marked != wantMarked {
		t.Errorf("marked = %q, want %q", marked, wantMarked)
	}
	if p, m := newHighlighter(&aq).snippet("", 40); p != "" || m != "" {
		t.Errorf("empty body gives %q, %q", p, m)
	}
}

// TestSnippetKeepsCharactersWhole: a snippet is cut between characters as
// a reader sees them, never inside one: two flags cut after a letter read
// as other flags (🇨🇳🇨🇳 as …🇳🇨…, New Caledonia), a skin tone showed alone,
// a family lost a member after its joiner.
func TestSnippetKeepsCharactersWhole(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	aq := ix.analyze("借钱")
	for _, emoji := range []string{"🇨🇳", "👍🏽", "👨\u200d👩\u200d👧", "e\u0301"} {
		for _, shift := range []string{"", "a", "ab", "abc"} {
			body := strings.Repeat(emoji, 80) + shift + "借钱" + strings.Repeat(emoji, 80)
			plain, marked := newHighlighter(&aq).snippet(body, 100)
			before, after, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(plain, "…"), "…"), shift+"借钱")
			if !ok || strings.ReplaceAll(before, emoji, "") != "" || strings.ReplaceAll(after, emoji, "") != "" {
				t.Errorf("%q then %q: snippet %q cuts a character", emoji, shift, plain)
			}
			if !strings.Contains(marked, "<mark>借钱</mark>") {
				t.Errorf("%q then %q: %q not marked", emoji, shift, marked)
			}
		}
	}
	// A letter under ten thousand marks is one cluster: the snippet stays
	// about its size, cut inside it, not the body's whole rest.
	body := "借钱" + "a" + strings.Repeat("\u0301", 10000) + strings.Repeat("正文", 100)
	if plain, _ := newHighlighter(&aq).snippet(body, 100); utf8.RuneCountInString(plain) > 110 {
		t.Errorf("snippet of %d characters for a body with one long cluster", utf8.RuneCountInString(plain))
	}
}

// TestSnippetLongBody checks the bounded snippet: a match deep in a long
// body is not looked for (the snippet shows the beginning), and a match near
// the end of the scanned part is still marked in full.
func TestSnippetLongBody(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	aq := ix.analyze("征信")
	filler := strings.Repeat("这是一段与查询无关的文字。", 2000) // far past snippetScanBytes
	plain, marked := newHighlighter(&aq).snippet(filler+"征信记录", 40)
	if strings.Contains(marked, "<mark>") || !strings.HasPrefix(plain, "这是一段") {
		t.Errorf("match past the scanned part: plain %q marked %q; want the beginning, unmarked", plain, marked)
	}
	// The match straddles the end of the scanned part.
	edge := filler[:runeBoundary(filler, snippetScanBytes-3)]
	_, marked = newHighlighter(&aq).snippet(edge+"征信记录"+filler, 40)
	if !strings.Contains(marked, "<mark>征信</mark>") {
		t.Errorf("match at the end of the scanned part not marked: %q", marked)
	}
	// A body that spells the query otherwise (traditional 徵信) is
	// normalized to find it, in its first snippetNormScanBytes.
	early := filler[:runeBoundary(filler, snippetNormScanBytes/2)]
	plain, marked = newHighlighter(&aq).snippet(early+"徵信記錄"+filler, 40)
	if !strings.Contains(marked, "<mark>徵信</mark>") || !strings.Contains(plain, "徵信記錄") {
		t.Errorf("traditional spelling in the first part not found: %q", marked)
	}
}

// TestWrittenSpansMatchNormalized: on text that normalizing changes only in
// its separators, the words found as written are those found in the
// normalized text, at the same places (the seed page's lines, real text).
func TestWrittenSpansMatchNormalized(t *testing.T) {
	page, err := os.ReadFile("../data/000_6fe797c5a744a779.txt")
	if err != nil {
		t.Fatal(err)
	}
	ix := &Index{seg: analysis.DefaultSegmenter()}
	checked := 0
	for _, q := range []string{"花呗", "征信", "花呗协商还款", "网贷逾期", "信用卡还不上怎么办", "急用钱去哪借", "影响"} {
		aq := ix.analyze(q)
		h := newHighlighter(&aq)
		for _, line := range strings.Split(string(page), "\n") {
			if analysis.Foldable(line) {
				continue
			}
			checked++
			if got, want := h.writtenSpans(line), h.normalizedSpans(line); !reflect.DeepEqual(got, want) {
				t.Errorf("%q in %.60q: as written %v, normalized %v", q, line, got, want)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d lines checked", checked)
	}
}

// TestHighlightMarksTyposBySound: a misspelt word that search matched by
// its sound (节呗 for 借呗) is marked where the title says it, beside the
// words matched as written (a probe saw only 呗利息 of 借呗利息 marked).
func TestHighlightMarksTyposBySound(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "借呗利息怎么算", TitleOnly: true},
		{ID: "b", Title: "花呗额度怎么提升", TitleOnly: true},
	})
	res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: "节呗利息高不高", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "a" {
		t.Fatalf("节呗利息高不高: %v, want a first", res.Hits)
	}
	if got, want := res.Hits[0].Highlights.Title, "<mark>借呗利息</mark>怎么算"; got != want {
		t.Errorf("节呗利息高不高 marks %q, want %q", got, want)
	}
}
