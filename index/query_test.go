package index

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// TestAnalyzeQuestions checks what a reader's question becomes: fillers
// left out, intent words kept apart with the other ways of asking the same
// (为什么 finds titles that say 原因), spoken forms respelled, synonyms
// attached to their word.
func TestAnalyzeQuestions(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct {
		name, query string
		std         string   // after respelling
		terms       []string // content words, in order
		intents     []string
	}{
		{"keywords", "花呗风控", "花呗风控", []string{"花呗", "风控"}, nil},
		{"question fillers", "花呗逾期了会不会影响房贷审批", "花呗逾期了会不会影响房贷审批",
			[]string{"花呗", "逾期", "影响", "房贷", "审批"}, nil},
		{"filler and particle", "网贷还不上了会不会被起诉啊", "网贷还不上了会不会被起诉啊",
			[]string{"网贷", "还不上", "起诉"}, nil},
		{"intent kept apart", "征信花了要多久才能恢复", "征信花了要多久才能恢复",
			[]string{"征信花了", "恢复"}, []string{"多久", "多长时间", "多少天", "几天", "几年", "什么时候"}},
		{"intent found by its group", "网贷申请为什么被拒", "网贷申请为什么被拒",
			[]string{"网贷", "申请", "拒"}, []string{"为什么", "原因", "怎么回事"}},
		{"spoken 咋办", "花呗逾期咋办", "花呗逾期怎么办", []string{"花呗", "逾期"}, []string{"怎么办"}},
		{"spoken 咋整 and 啥", "网贷还不起咋整", "网贷还不起怎么办", []string{"网贷", "还不起"}, []string{"怎么办"}},
		{"spoken 啥 alone", "先享后付是啥", "先享后付是什么", []string{"先享后付"}, nil},
		{"还 of 还钱 is no filler", "还钱", "还钱", []string{"还钱"}, nil},
		// On a credit site 还 is as often "repay" (不还, 还完) as "still":
		// a filler, it took the question's verb with it.
		{"还 alone is no filler", "花呗一直不还会咋样", "花呗一直不还会怎么样", []string{"花呗", "还"}, nil},
		// A negation alone (没, 不) is no word of the query: what it
		// negates is, and its character pairs (没还) rank. As a word it
		// weighed more than the subject (没 2.8, 网贷 2.5 in the judged
		// corpus) and matched every title that says 没.
		{"a negation is no word", "网贷没还清会怎样", "网贷没还清会怎样", []string{"网贷", "还清"}, nil},
		{"only question words", "怎么办", "怎么办", []string{"怎么办"}, nil},
		// A demonstrative points at the word after it; alone it weighed
		// as much as the thing it points at.
		{"demonstratives are fillers", "这笔担保那次逾期会上征信吗", "这笔担保那次逾期会上征信吗", []string{"担保", "逾期", "会上", "征信"}, nil},
		{"traditional, then spoken", "花唄逾期咋辦", "花呗逾期怎么办", []string{"花呗", "逾期"}, []string{"怎么办"}},
		// Unrespelled, 自个儿 was cut 自 / 个儿 and took the word before it
		// (看出来 became 看出 / 来自).
		{"spoken 自个儿 is 自己, a filler", "咋看出来自个儿征信花了", "怎么看出来自己征信花了", []string{"看", "出来", "征信花了"}, nil},
		// 咋弄 is respelled 怎么弄, which was no question word: a content
		// word no title holds, it outweighed the rest of the query.
		{"spoken 咋弄 is a question word", "信用卡还不上咋弄", "信用卡还不上怎么弄", []string{"信用卡", "还不上"}, nil},
		// 咋还 was respelled 怎么还, which joined the dictionary as one
		// word and swallowed the 还 (repay) asked about.
		{"spoken 咋还 keeps its 还", "花呗咋还", "花呗怎么还", []string{"花呗", "还"}, nil},
		{"spoken 干啥 is a question word", "花呗是干啥的", "花呗是做什么的", []string{"花呗"}, nil},
		// 晚了 of a repayment is 晚还, which finds 逾期 (its synonym).
		{"spoken 晚了 is 晚还", "借呗就晚了一天", "借呗就晚还一天", []string{"借呗", "晚还", "一天"}, nil},
		// 该怎么 and 要怎么 were fillers of the dictionary, more frequent
		// than 怎么办: 该怎么办 was cut 该怎么 / 办 and lost its intent.
		{"该怎么办 keeps its intent", "借呗还不上该怎么办", "借呗还不上该怎么办", []string{"借呗", "还不上"}, []string{"怎么办"}},
		{"要怎么办 keeps its intent", "网贷被起诉了要怎么办", "网贷被起诉了要怎么办", []string{"网贷", "起诉"}, []string{"怎么办"}},
		{"该怎么 before a verb", "信用卡逾期该怎么协商", "信用卡逾期该怎么协商", []string{"信用卡", "逾期", "协商"}, nil},
		// 怎么 before a change that has happened (… 了) asks why: the
		// titles that answer say 原因 or 怎么回事.
		{"咋 … 了 asks why", "花呗额度咋变成0了", "花呗额度怎么变成0了",
			[]string{"花呗", "额度", "变成", "0"}, []string{"为什么", "原因", "怎么回事"}},
		{"怎么 … 了 asks why, in its clause", "网贷一直按时还,怎么突然就借不出来了呢", "网贷一直按时还 怎么突然就借不出来了呢",
			nil, []string{"为什么", "原因", "怎么回事"}},
		{"怎么样了 asks no why", "借呗额度现在怎么样了", "借呗额度现在怎么样了", []string{"借呗", "额度"}, nil},
		{"how to tell is no why", "咋看出来征信是不是已经花了", "怎么看出来征信是不是已经花了", nil, nil},
		// A measure word between a verb and its object is dropped, so the
		// object joins its verb as titles write them (租手机, a synonym of
		// 租机; 借钱), but not where 个 starts a word (个人).
		{"租个手机 is 租手机", "租个手机要押金吗", "租手机要押金吗", []string{"租手机", "押金"}, nil},
		{"借个钱 is 借钱", "借个钱咋这么难", "借钱怎么这么难", []string{"借钱", "难"}, nil},
		{"个人 keeps its 个", "办个人贷款要啥材料", "办个人贷款要什么材料", []string{"个人", "贷款", "材料"}, nil},
		// So is 的 between them: the thing rented or borrowed, as titles
		// name it; not where 的 starts a word (的士, 的话).
		{"租的手机 is 租手机", "租的手机要押金吗", "租手机要押金吗", []string{"租手机", "押金"}, nil},
		{"借的钱 is 借钱", "朋友借的钱不还", "朋友借钱不还", []string{"朋友", "借钱", "还"}, nil},
		{"的士 keeps its 的", "租的士要押金吗", "租的士要押金吗", nil, nil},
		{"的话 keeps its 的", "要是借的话会上征信吗", "要是借的话会上征信吗", nil, nil},
		// 借着钱, 贷着款: whether a loan can be had at all (借得着); the
		// verb and its object as titles write them. Not 借着 alone
		// ("taking advantage of").
		{"借着钱 is 借钱", "征信花了还能借着钱不", "征信花了还能借钱不", []string{"征信花了", "还", "借钱"}, nil},
		{"贷着款 is 贷款", "退休了还能贷着款不", "退休了还能贷款不", []string{"退休", "还", "贷款"}, nil},
		{"借着 alone keeps its 着", "借着这次提额多借点", "借着这次提额多借点", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aq := ix.analyze(tt.query)
			if aq.std != tt.std {
				t.Errorf("std = %q, want %q", aq.std, tt.std)
			}
			var terms []string
			for _, term := range aq.terms {
				terms = append(terms, term.text)
			}
			if tt.terms != nil && !reflect.DeepEqual(terms, tt.terms) {
				t.Errorf("terms = %q, want %q", terms, tt.terms)
			}
			if !reflect.DeepEqual(aq.intents, tt.intents) {
				t.Errorf("intents = %q, want %q", aq.intents, tt.intents)
			}
		})
	}
}

// TestAnalyzeSynonyms checks that a content word carries its synonym group,
// in both directions, and that words without a group carry none.
func TestAnalyzeSynonyms(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	lx := ix.seg.Lexicon()
	tests := []struct {
		query, word string
		want        []string // must all be among the word's synonyms
	}{
		{"花呗逾期", "逾期", []string{"晚还"}},
		{"花呗晚还", "晚还", []string{"逾期"}},
		{"网贷还不起", "还不起", []string{"还不上"}},
		{"信用记录查询", "信用记录", []string{"征信"}},
		{"网络贷款利息", "网络贷款", []string{"网贷"}},
		{"手机号销号", "销号", []string{"注销"}},
		// Readers close (注销) what titles turn off (关闭花呗), tell their
		// 家里人 what titles call 家人, and 付钱 where titles say 付款.
		{"想注销花呗", "注销", []string{"关闭"}},
		{"美团月付怎么关掉", "关掉", []string{"关闭"}},
		{"催收打给家里人", "家里人", []string{"家人"}},
		{"先享后付没付钱", "付钱", []string{"付款"}},
		{"车子抵押给公司", "车子", []string{"汽车", "车辆"}},
		// A reader asking a product's 利率 wants what it costs: the titles
		// that say 利息.
		{"借呗利率", "利率", []string{"利息"}},
		{"成了老赖", "老赖", []string{"失信被执行人"}},
		{"征信白板咋办", "征信白板", []string{"白户"}},
		// Paid off is 还清 or 结清, whoever says it.
		{"网贷结清后多久能再借", "结清", []string{"还清"}},
		// Readers ask what differs (有什么不一样, 不同) where titles say 区别.
		{"借条和欠条有什么不一样", "不一样", []string{"区别", "差别", "不同"}},
		// A reader asking whether someone is a 骗子 wants the articles on
		// scams, which say 骗局 or 诈骗.
		{"放款前要交钱是不是骗子", "骗子", []string{"骗局", "诈骗"}},
		// gse's dictionary knows 还款, 还债 and 还清 but not 还钱: without the
		// group the query is 还 (a filler) and 钱, and every title with 钱
		// matched.
		{"朋友不还钱", "还钱", []string{"还款"}},
		{"借呗还款", "还款", []string{"还钱"}},
		// The trade says 租机 for a rented phone, readers 租手机.
		{"第一次租手机要押金吗", "租手机", []string{"租机"}},
		// Readers take a debtor to court (法院) as often as before the
		// bench (法庭).
		{"平台会把我告上法院吗", "告上法院", []string{"起诉", "告上法庭"}},
		// Readers name banks by their short names (招行), titles in full.
		{"招行信用卡分期手续费", "招行", []string{"招商银行"}},
		{"建设银行房贷利率", "建设银行", []string{"建行"}},
		// Readers type the brand in Latin letters (iPhone), titles say
		// 苹果 (苹果手机被锁了是不是ID贷).
		{"二手iPhone被ID贷锁了", "iphone", []string{"苹果"}},
		// Readers call a card's negotiated repayment 停息挂账, banks
		// 个性化分期.
		{"信用卡停息挂账怎么申请", "停息挂账", []string{"个性化分期"}},
		{"花呗风控", "风控", nil},
		// An amount in Chinese numerals is also looked up in digits, as
		// titles write it (临时急需5000块钱怎么借).
		{"急用五千块去哪借", "五千块", []string{"5000"}},
		{"借三十天的短期借款", "三十天", []string{"30"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			aq := ix.analyze(tt.query)
			var found *queryTerm
			for i := range aq.terms {
				if aq.terms[i].text == tt.word {
					found = &aq.terms[i]
				}
			}
			if found == nil {
				t.Fatalf("%q is not a term of %q (terms %+v)", tt.word, tt.query, aq.terms)
			}
			if tt.want == nil && len(found.alts) > 0 {
				t.Errorf("%q has synonyms %q, want none", tt.word, found.alts)
			}
			for _, w := range tt.want {
				if !slices.Contains(found.alts, w) {
					t.Errorf("synonyms of %q = %q, want %q among them", tt.word, found.alts, w)
				}
			}
		})
	}
	// Groups sharing a word stay apart: 注销 finds 关闭 and 销号, but
	// closing 花呗 has nothing to do with cancelling a phone number.
	if alts := lx.Synonyms("关闭"); slices.Contains(alts, "销号") || !slices.Contains(alts, "注销") {
		t.Errorf("synonyms of 关闭 = %q, want 注销 and not 销号", alts)
	}
}

// TestMinimalSets checks the weighted quorum: the sets of terms that reach
// the share of the query's weight, none larger than needed.
func TestMinimalSets(t *testing.T) {
	tests := []struct {
		name    string
		weights []float64
		share   float64
		subject int
		want    []uint
	}{
		{"one rare word carries it", []float64{1, 6}, 0.45, -1, []uint{0b10}},
		{"equal words: any two of three", []float64{2, 2, 2}, 0.6, -1, []uint{0b011, 0b101, 0b110}},
		{"all needed", []float64{1, 1}, 1, -1, []uint{0b11}},
		{"common words together reach it", []float64{1, 1, 1, 3}, 0.5, -1, []uint{0b0111, 0b1000}},
		{"every set holds the subject", []float64{2, 2, 2}, 0.6, 2, []uint{0b101, 0b110}},
		// 花呗 (1) is the subject and in no minimal set of its own: the
		// sets are it with what reaches the share beside it.
		{"a light subject", []float64{1, 8, 8, 8}, 0.45, 0, []uint{0b0111, 0b1011, 0b1101}},
		{"a subject that carries it alone", []float64{6, 1, 1}, 0.45, 0, []uint{0b001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := minimalSets(tt.weights, tt.share, tt.subject); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("minimalSets(%v, %v, %d) = %b, want %b", tt.weights, tt.share, tt.subject, got, tt.want)
			}
		})
	}
}

func TestWeightQuorum(t *testing.T) {
	terms := func(ws ...float64) []queryTerm {
		out := make([]queryTerm, len(ws))
		for i, w := range ws {
			out[i].weight = w
		}
		return out
	}
	tests := []struct {
		name  string
		terms []queryTerm
		share float64
		want  int
	}{
		{"unweighted half", terms(0, 0, 0, 0), 0.5, 2},
		{"heaviest alone", terms(1, 1, 8), 0.6, 1},
		{"all", terms(1, 1, 1), 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := weightQuorum(tt.terms, tt.share); got != tt.want {
				t.Errorf("weightQuorum = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestClauseBoostsReachTerms checks that each clause's weight is written on
// the term and phrase queries bleve scores: bleve ignores the boost of a
// disjunction, conjunction or boolean query, so a boost left there would
// make the title and body word clauses, the filter sets and the ranking
// pairs weigh alike.
func TestClauseBoostsReachTerms(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	aq := ix.analyze("网贷逾期被起诉怎么办")
	for i := range aq.terms {
		aq.terms[i].weight = float64(i + 1) // three weights: the filter sets are a disjunction of conjunctions
	}
	boosts := map[string][]float64{}
	var walk func(q query.Query)
	walk = func(q query.Query) {
		switch q := q.(type) {
		case *synonymsQuery:
			for _, c := range q.Synonyms {
				walk(c)
			}
		case *query.DisjunctionQuery:
			for _, c := range q.Disjuncts {
				walk(c)
			}
		case *query.ConjunctionQuery:
			for _, c := range q.Conjuncts {
				walk(c)
			}
		case *query.BooleanQuery:
			for _, c := range []query.Query{q.Must, q.Should, q.MustNot} {
				if c != nil {
					walk(c)
				}
			}
		case *query.TermQuery:
			boosts[q.FieldVal] = append(boosts[q.FieldVal], q.Boost())
		case *query.PhraseQuery:
			boosts[q.FieldVal+" phrase"] = append(boosts[q.FieldVal+" phrase"], q.Boost())
		}
	}
	walk(aq.exactQuery())
	want := map[string][]float64{
		fTitle:   {boostTitleWords, boostIntent},
		fBody:    {boostBodyWords},
		fTitleBi: {boostTitleBigram},
	}
	for field, ws := range want {
		for _, w := range ws {
			if !slices.Contains(boosts[field], w) {
				t.Errorf("%s: no term query weighs %v (boosts %v)", field, w, boosts[field])
			}
		}
	}
	// The filter sets only decide what matches: their terms weigh a trace.
	for _, field := range []string{fTitle, fBody} {
		if !slices.ContainsFunc(boosts[field], func(b float64) bool { return b > 0 && b < 0.01 }) {
			t.Errorf("%s: no filter term weighs a trace (boosts %v)", field, boosts[field])
		}
	}
	if slices.Contains(boosts[fBody], 1) {
		t.Errorf("body: a term query kept the default boost 1 (boosts %v)", boosts[fBody])
	}
	if got := boosts[fTitleBi+" phrase"]; !slices.Equal(got, []float64{boostTitlePhrase}) {
		t.Errorf("title phrase boosts = %v, want [%v]", got, boostTitlePhrase)
	}
}

// TestEverydayWordsWeighLess checks the general-text prior on query
// words: an everyday word keeps less of its weight the more common it is
// in general Chinese, a word of the site's subjects keeps all of it, and a
// word general text does not know counts as rare.
func TestEverydayWordsWeighLess(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct {
		word     string
		min, max float64
	}{
		{"好", 0.3, 0.6},   // general idf 3.7
		{"以后", 0.4, 0.65}, // 4.3
		{"处理", 0.6, 0.75}, // 5.4
		{"征信", 1, 1},      // 10.2: not an everyday word
		{"花呗", 1, 1},      // not in general text at all
	}
	for _, tt := range tests {
		if got := ix.everyday(tt.word); got < tt.min || got > tt.max {
			t.Errorf("everyday(%s) = %.2f, want %.2f to %.2f", tt.word, got, tt.min, tt.max)
		}
	}
	// In an index where both are equally rare, the everyday word of a
	// question weighs less than its subject, and is the first the
	// relaxation ladder drops.
	b := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "房贷还清以后"}, {ID: "b", Title: "车贷提前还款"}, {ID: "c", Title: "信用卡年费"},
	})
	w := weighedTerms(t, b, "房贷以后")
	if !(w["以后"] > 0 && w["以后"] < w["房贷"]) {
		t.Errorf("weights %v: want 以后 below 房贷", w)
	}
}

// weighedTerms returns the weights weigh gives the terms of q.
func weighedTerms(t *testing.T, ix *Index, q string) map[string]float64 {
	t.Helper()
	aq := ix.analyze(q)
	if err := ix.weigh(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	w := map[string]float64{}
	for _, term := range aq.terms {
		w[term.text] = term.weight
	}
	return w
}

// TestHeadWordsWeighMore: a word most of the titles holding it lead with
// (借呗: a subject of the site) weighs more than its idf, though it is the
// site's commonest word, so a question's relaxation drops the rarer word
// beside it first; a word many titles end with (详解) weighs less.
func TestHeadWordsWeighMore(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "b1", Title: "借呗逾期一天会产生什么影响", TitleOnly: true},
		{ID: "b2", Title: "借呗额度被关闭的几种原因", TitleOnly: true},
		{ID: "b3", Title: "借呗自动扣款失败会算逾期吗", TitleOnly: true},
		{ID: "b4", Title: "借呗提前还款利息怎么计算", TitleOnly: true},
		{ID: "b5", Title: "借呗开通条件详解", TitleOnly: true},
		{ID: "d1", Title: "网贷最长期限怎么算", TitleOnly: true},
		{ID: "d2", Title: "车贷期限能不能延长", TitleOnly: true},
		{ID: "d3", Title: "房贷期限和月供的关系", TitleOnly: true},
		{ID: "t1", Title: "售后回租会计处理详解", TitleOnly: true},
		{ID: "t2", Title: "房屋租赁分期付款详解", TitleOnly: true},
		{ID: "o1", Title: "银行卡丢了怎么挂失", TitleOnly: true},
		{ID: "o2", Title: "京东E卡余额查询方法", TitleOnly: true},
		{ID: "o3", Title: "信用卡年费怎么免除", TitleOnly: true},
		{ID: "o4", Title: "手机充电特别慢是什么原因", TitleOnly: true},
	})
	w := weighedTerms(t, ix, "借呗期限详解")
	if !(w["借呗"] > w["期限"] && w["期限"] > w["详解"]) {
		t.Errorf("weights %v: want 借呗 (5 titles, leading each) above 期限 (3) above 详解 (3, ending each)", w)
	}
}

// TestAnalyzeUnknownRuns: one-character pieces the dictionary leaves side
// by side are read as one unknown word (slang such as 秒拒, or a typo);
// known words and lone characters make none.
func TestAnalyzeUnknownRuns(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct {
		query string
		runs  []string
	}{
		{"网贷总是被面签卡住", []string{"面签"}},
		{"面签", []string{"面签"}},
		{"花贝逾期", []string{"花贝"}},
		{"花呗逾期了会不会影响房贷审批", nil},
		{"征信花了要多久才能恢复", nil},
		// A negation is a word of its own: 款不 matched ID贷款不还….
		{"征信查得太多了还能贷到款不", nil},
		{"手机ID贷款不还会怎样", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			aq := ix.analyze(tt.query)
			var runs []string
			for _, term := range aq.terms {
				if term.run {
					runs = append(runs, term.text)
				}
			}
			if !reflect.DeepEqual(runs, tt.runs) {
				t.Errorf("runs = %q, want %q", runs, tt.runs)
			}
		})
	}
}

// TestUnknownWordRanks: a question holding a word the dictionary does not
// know ranks the title that holds it above shorter titles that only share
// the question's known words; a typo the site never writes changes
// nothing.
func TestUnknownWordRanks(t *testing.T) {
	if words := analysis.DefaultSegmenter().Cut("面签", false); len(words) != 2 {
		t.Skipf("the dictionary now holds 面签 (%v): nothing to test", words)
	}
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a1", Title: "学生能不能申请网贷", TitleOnly: true},
		{ID: "a2", Title: "网贷申请面签的几个常见问题", TitleOnly: true},
		{ID: "a3", Title: "网贷申请被拒以后多久能再申请", TitleOnly: true},
		{ID: "a4", Title: "信用卡申请流程", TitleOnly: true},
		{ID: "a5", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		{ID: "a6", Title: "花呗逾期三个月的后果", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	if got := searchPage(t, ix, "为什么我申请网贷老是卡在面签", 1, 10); len(got.Hits) == 0 || got.Hits[0].ID != "a2" {
		t.Errorf("为什么我申请网贷老是卡在面签: %v, want a2 first", hitIDs(got))
	}
	if got := searchPage(t, ix, "花贝逾期", 1, 10); len(got.Hits) != 2 {
		t.Errorf("花贝逾期: %v, want both 花呗逾期 titles", hitIDs(got))
	}
}

// TestUnknownWordsTheSiteLacks: a question whose subject is words the
// dictionary does not know and no title holds or sounds like (车险, 续保)
// finds nothing through its one common word (到期); a typo of the same
// shape (花贝, which sounds like 花呗) still finds what it meant.
func TestUnknownWordsTheSiteLacks(t *testing.T) {
	seg := analysis.DefaultSegmenter()
	if words := seg.Cut("车险续保", false); len(words) != 4 {
		t.Skipf("the dictionary now holds 车险 or 续保 (%v): nothing to test", words)
	}
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "d1", Title: "租机合同到期后怎么处理", TitleOnly: true},
		{ID: "d2", Title: "先享后付到期不付款会怎样", TitleOnly: true},
		{ID: "d3", Title: "京东E卡过期了还能用吗", TitleOnly: true},
		{ID: "h1", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		{ID: "h2", Title: "花呗到期忘了还款怎么办", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	if got := searchPage(t, ix, "车险到期了没续保会咋样", 1, 10); len(got.Hits) != 0 {
		t.Errorf("车险到期了没续保会咋样: %v, want nothing", hitIDs(got))
	}
	if got := searchPage(t, ix, "花贝到期了没还会咋样", 1, 10); len(got.Hits) == 0 || got.Hits[0].ID != "h2" {
		t.Errorf("花贝到期了没还会咋样: %v, want h2 first", hitIDs(got))
	}
}

// TestAnalyzeSingles: the one-character words of a query that has longer
// ones are kept for ranking (multiChar leaves them out of matching).
func TestAnalyzeSingles(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct {
		query   string
		singles []string
	}{
		{"苹果手机被ID贷锁了怎么办", []string{"锁"}},
		{"征信上的逾期啥时候能消", []string{"消"}},
		{"花呗逾期", nil},
		{"锁", nil}, // a one-character query is matched as itself
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			aq := ix.analyze(tt.query)
			if got := aq.singles(); !reflect.DeepEqual(got, tt.singles) {
				t.Errorf("singles = %q, want %q", got, tt.singles)
			}
		})
	}
}

// TestOneCharacterWordsRank: of titles that share a question's words
// alike, the one holding its one-character verb inside a word of two
// (锁 in 解锁, 消 in 消除, 提 in 提升) ranks first in the engine's order. In a
// sentence (ten characters or more) it outweighs a shorter title's lead,
// among strict hits and among the relaxation ladder's (纹丝不动 and 好几年
// are words no title holds); a title holding the character alone is no
// hit. The engine's order is checked (relaxedPage): a query of ten
// characters or more then has its first hits reranked by their titles
// (rerankTitles), which weigh no one-character word, and 借呗额度, made of
// the relaxed sentence's words, comes first there; the clause still
// decides which hits the rerank reads and their engine rank, one of its
// signals (without it the readers' questions' tuning half loses 0.005).
func TestOneCharacterWordsRank(t *testing.T) {
	credit := []zhsearch.Article{
		{ID: "a1", Title: "征信逾期记录查询", TitleOnly: true},
		{ID: "a2", Title: "征信逾期记录如何消除", TitleOnly: true},
		{ID: "a3", Title: "消费贷是什么意思", TitleOnly: true},
	}
	tests := []struct {
		name, query string
		corpus      []zhsearch.Article
		want        []string
		relaxed     bool
	}{
		{"keywords", "ID贷手机被锁了怎么办", []zhsearch.Article{
			{ID: "c1", Title: "ID贷的手机逾期怎么办", TitleOnly: true},
			{ID: "c2", Title: "ID贷的手机解锁怎么办", TitleOnly: true},
			{ID: "c3", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		}, []string{"c2", "c1"}, false},
		{"sentence", "征信上的逾期记录到底要多久才能消", credit, []string{"a2", "a1"}, false},
		{"spoken sentence", "征信上的逾期记录咋才能消掉啊", credit, []string{"a2", "a1"}, false},
		{"relaxed sentence", "借呗那点额度纹丝不动好几年,咋才能提", append(slices.Clone(siteCorpus),
			zhsearch.Article{ID: "r1", Title: "借呗额度", TitleOnly: true},
			zhsearch.Article{ID: "r2", Title: "借呗额度如何提升", TitleOnly: true},
		), []string{"r2", "r1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, strict := firstPage(t, builtIndex(t, tt.corpus), tt.query)
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if relaxed := strict < len(res.Hits); !reflect.DeepEqual(got, tt.want) || relaxed != tt.relaxed {
				t.Errorf("%s: hits %v (relaxed %v), want %v (relaxed %v)", tt.query, got, relaxed, tt.want, tt.relaxed)
			}
		})
	}
}

// firstPage returns the engine's first page of 10 for query, before the
// rerank by title, and how many of its hits are strict.
func firstPage(t *testing.T, ix *Index, query string) (*pageResult, int) {
	t.Helper()
	ctx := context.Background()
	aq := ix.analyze(query)
	q, err := ix.searchQuery(ctx, &aq)
	if err != nil {
		t.Fatal(err)
	}
	res, strict, err := ix.relaxedPage(ctx, &aq, q, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	return res, strict
}

// TestAbsentWordCharactersRank: a word no title holds (转赠, 销掉) ranks
// the titles holding its characters first among those the query's other
// words find; a typo of sound, a number and the words titles hold give no
// such characters (absentChars), and nothing is found by them alone.
func TestAbsentWordCharactersRank(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "t1", Title: "信用卡账单怎么查询", TitleOnly: true},
		{ID: "t2", Title: "信用卡年费怎么收", TitleOnly: true},
		{ID: "t3", Title: "信用卡额度可以转给家人吗", TitleOnly: true},
		{ID: "t4", Title: "网贷催收电话太多怎么办", TitleOnly: true},
		{ID: "t5", Title: "借呗借款五万要多少利息", TitleOnly: true},
	})
	ctx := context.Background()
	chars := []struct {
		query string
		want  []string
	}{
		{"信用卡 转赠", []string{"转", "赠"}},
		{"信用卡 账单", nil},
		{"网贷崔收", nil}, // 崔收 sounds like 催收, which a title holds
		{"借呗借款七万", nil},
	}
	for _, tt := range chars {
		aq := ix.analyze(tt.query)
		if _, err := ix.searchQuery(ctx, &aq); err != nil {
			t.Fatal(err)
		}
		if got := aq.absentChars(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("absentChars(%s) = %q, want %q", tt.query, got, tt.want)
		}
	}
	ranked := []struct {
		query string
		first string // "": no hits
		hits  int    // in all
	}{
		{"信用卡 转赠", "t3", 3}, // t1 and t2 hold 信用卡 alone, in either order
		{"转赠", "", 0},
	}
	for _, tt := range ranked {
		res, _ := firstPage(t, ix, tt.query)
		first := ""
		if len(res.Hits) > 0 {
			first = res.Hits[0].ID
		}
		if first != tt.first || len(res.Hits) != tt.hits {
			t.Errorf("%s: %d hits, first %q; want %d, first %q", tt.query, len(res.Hits), first, tt.hits, tt.first)
		}
	}
}

// TestMisspeltWordRanks: a word typed by its sound (崔收 for 催收, or a
// dictionary word of the same sound, 分歧 for 分期) that no title holds
// ranks the title holding that sound first, above a shorter title that
// shares the query's other words.
func TestMisspeltWordRanks(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "m1", Title: "网贷催收天天打电话怎么办", TitleOnly: true},
		{ID: "m2", Title: "网贷收费怎么办", TitleOnly: true},
		{ID: "m3", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		{ID: "m4", Title: "支付宝花呗怎么分期", TitleOnly: true},
		{ID: "m5", Title: "花呗额度", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	aq := ix.analyze("网贷崔收怎么办")
	if err := ix.weigh(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	if got, want := aq.misspelt(), [][]string{{"cui", "shou"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("misspelt = %q, want %q", got, want)
	}
	if got := searchPage(t, ix, "网贷崔收怎么办", 1, 10); !reflect.DeepEqual(hitIDs(got), []string{"m1", "m2"}) {
		t.Errorf("网贷崔收怎么办: %v, want [m1 m2]", hitIDs(got))
	}
	// A word the titles hold as written is not misspelt.
	aq = ix.analyze("网贷催收怎么办")
	if err := ix.weigh(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	if got := aq.misspelt(); len(got) != 0 {
		t.Errorf("misspelt(网贷催收怎么办) = %q, want none", got)
	}
	if got := searchPage(t, ix, "花呗分歧", 1, 10); len(got.Hits) == 0 || got.Hits[0].ID != "m4" {
		t.Errorf("花呗分歧: %v, want m4 (…花呗怎么分期) first", hitIDs(got))
	}
}

// TestTypoIsAWordOfTheQuestion: a run of one-character pieces no title
// holds but some title sounds like (车代 for 车贷) is a word of the query,
// matched by its sound: the titles on 车贷 that do not say 逾期 match
// 车代逾期 as titles on 逾期 alone do, and the one on both comes first. The
// typo's weight does not say whether the site covers the query: 井点 of
// 井点降水施工 sounds like 景点, but nothing else of the query is on the site,
// which finds nothing.
func TestTypoIsAWordOfTheQuestion(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "c1", Title: "车贷逾期车会被收走吗", TitleOnly: true},
		{ID: "c2", Title: "车贷利息怎么算", TitleOnly: true},
		{ID: "c3", Title: "车贷提前还款有违约金吗", TitleOnly: true},
		{ID: "j1", Title: "杭州西湖周边必去的景点", TitleOnly: true},
	}
	for i, s := range []string{"花呗", "借呗", "信用卡", "网贷", "白条", "房贷", "微粒贷", "分期乐", "美团月付", "京东金条", "租机", "ID贷"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("y%02d", i), Title: s + "逾期一天有什么影响", TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	res := searchPage(t, ix, "车代逾期", 1, 20)
	got := hitIDs(res)
	if len(got) == 0 || got[0] != "c1" {
		t.Errorf("车代逾期: %v, want c1 first", got)
	}
	for _, id := range []string{"c2", "c3"} {
		if !strictHit(res, id) {
			t.Errorf("车代逾期: %+v, want %s (a title on 车贷) among the strict hits", res.Hits, id)
		}
	}
	if got := hitIDs(searchPage(t, ix, "井点降水施工", 1, 10)); len(got) != 0 {
		t.Errorf("井点降水施工: %v, want nothing", got)
	}
}

// TestTypoBesideAWord: a run of one-character pieces may hold a real
// one-character word beside the typo (提 of 提异意, a typo of 提异议); no
// title sounds like the whole run, but one sounds like two of its
// characters that no title writes so, and it answers the question as a
// strict hit. Two characters titles do write (月供 of 月供该谁) are no typo.
func TestTypoBesideAWord(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "a", Title: "征信异议申请怎么提交", TitleOnly: true},
		{ID: "m", Title: "房贷月供压力太大怎么办", TitleOnly: true},
	}
	for i, s := range []string{"逾期", "查询", "网贷", "借款", "贷款", "还款", "注销", "信用卡", "担保", "欠费", "白条"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("r%02d", i), Title: "征信上的" + s + "记录会保留几年", TitleOnly: true})
	}
	// The site's other subjects, so that 征信 and 记录 are not in every title.
	articles = append(articles, otherSubjects("花呗", "借呗", "网贷", "白条", "房贷", "车贷", "微粒贷", "分期乐", "美团月付", "京东金条", "租机", "ID贷")...)
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	q := "征信上的错误记录怎么提异意"
	res := searchPage(t, ix, q, 1, 20)
	if !strictHit(res, "a") {
		t.Errorf("%s: %+v, want a (征信异议申请怎么提交) among the strict hits", q, res.Hits)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		run  string
		want [][]string
	}{
		{"提异意", [][]string{{"yi", "yi"}, {"ti", "yi"}}},
		{"月供该谁", [][]string{{"gai", "shui"}, {"gong", "gai"}}},
		{"车代", nil},
	} {
		got, err := ix.typoPairs(ctx, tt.run, analysis.PinyinOf(tt.run))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("typoPairs(%s) = %q, want %q", tt.run, got, tt.want)
		}
	}
}

// strictHit reports whether id is among res's hits and matched the strict
// query, not a step of the relaxation ladder.
func strictHit(res *zhsearch.SearchResult, id string) bool {
	i := slices.IndexFunc(res.Hits, func(h zhsearch.Hit) bool { return h.ID == id })
	return i >= 0 && !res.Hits[i].Relaxed
}

func hitIDs(res *zhsearch.SearchResult) []string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// TestAllSinglesMatch: a title holding every one-character content word of
// a question matches and ranks, though one such word alone makes no match
// (the spoken 租 and 抓 of 租的手机不想还了会被抓吗 are in 租机不还会被抓吗, whose
// words 租机 and 不还 the question never says), and all of them make none
// where the question's longer words are none of the site's.
func TestAllSinglesMatch(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "租机不还会被抓吗", TitleOnly: true},
		{ID: "m1", Title: "手机丢了怎么办", TitleOnly: true},
		{ID: "m2", Title: "手机分期付款划算吗", TitleOnly: true},
		{ID: "m3", Title: "手机被偷了能报警吗", TitleOnly: true},
		{ID: "z1", Title: "租房合同注意事项", TitleOnly: true},
		{ID: "j1", Title: "借呗还款日能改吗", TitleOnly: true},
		{ID: "j2", Title: "借呗提前还清了还能再借吗", TitleOnly: true},
		{ID: "j3", Title: "借钱不还会被抓吗", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	if got := hitIDs(searchPage(t, ix, "租的手机不想还了会被抓吗", 1, 10)); len(got) == 0 || got[0] != "a" {
		t.Errorf("租的手机不想还了会被抓吗: %v, want a first", got)
	}
	// One of them alone still makes no match.
	if got := hitIDs(searchPage(t, ix, "租的手机不想还了怎么办", 1, 10)); slices.Contains(got, "z1") {
		t.Errorf("租的手机不想还了怎么办: %v, want no title matched by 租 alone", got)
	}
	// Nor do all of them where the site lacks what the longer words name:
	// a proverb about a borrowed hoe says 借 and 还 as 租机不还会被抓吗 does.
	if got := hitIDs(searchPage(t, ix, "老王借的锄头一直不还,这个歇后语是啥意思", 1, 10)); len(got) != 0 {
		t.Errorf("老王借的锄头一直不还,这个歇后语是啥意思: %v, want nothing", got)
	}
	// An amount no title writes is no sign of that.
	for _, q := range []string{"借了五千会被抓吗", "借了3000会被抓吗"} {
		if got := hitIDs(searchPage(t, ix, q, 1, 10)); !slices.Contains(got, "j3") {
			t.Errorf("%s: %v, want j3 among them", q, got)
		}
	}
}

// TestPinyinReadsEveryReading: a title is found by the pinyin of its
// words as readers say them, where a character has several readings (还款
// huankuan, 银行 yinhang, 重新 chongxin: go-pinyin's most common readings
// are hai, xing, zhong, and only those were indexed), and by the most
// common reading still.
func TestPinyinReadsEveryReading(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "信用卡还款日是哪天", TitleOnly: true},
		{ID: "b", Title: "银行卡被冻结了怎么办", TitleOnly: true},
		{ID: "c", Title: "花呗关闭后能重新开通吗", TitleOnly: true},
		{ID: "d", Title: "京东白条逾期的后果", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	for _, tt := range []struct{ q, want string }{
		{"huankuan", "a"}, {"haikuan", "a"}, {"yinhang", "b"}, {"yinhangka", "b"}, {"chongxinkaitong", "c"},
	} {
		if got := hitIDs(searchPage(t, ix, tt.q, 1, 10)); len(got) == 0 || got[0] != tt.want {
			t.Errorf("%s: %v, want %s first", tt.q, got, tt.want)
		}
	}
}

// TestPinyinTypedWhileComposing: what a reader's IME shows while a word is
// being typed finds what completion offers for it, so pressing Enter on
// the text never lands on an empty page: characters and pinyin mixed
// (hua呗, 征xin), one whole syllable (hua: 花 and 话), syllables the reader
// separated (xi'an, xi an: 西安 first, and 现 and 先 of xian, which completion
// offers too), and the found characters are marked. A lone letter is not
// read as a syllable (e for 饿).
func TestPinyinTypedWhileComposing(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "花呗风控解除指南", TitleOnly: true},
		{ID: "b", Title: "征信修复要多久", TitleOnly: true},
		{ID: "c", Title: "西安小额贷款公司有哪些", TitleOnly: true},
		{ID: "d", Title: "现金贷的风险", TitleOnly: true},
		{ID: "e", Title: "催收话术套路解析", TitleOnly: true},
		{ID: "f", Title: "饿了么先享后付怎么关", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	for _, tt := range []struct {
		q, first, marked string
		all              []string
	}{
		{"hua呗", "a", "<mark>花呗</mark>", nil},
		{"花bei", "a", "<mark>花呗</mark>", nil},
		{"征xin", "b", "<mark>征信</mark>", nil},
		{"xi'an", "c", "<mark>西安</mark>", []string{"c", "d", "f"}},
		{"xi an", "c", "<mark>西安</mark>", []string{"c", "d", "f"}},
		{"hua", "", "<mark>话</mark>", []string{"a", "e"}},
	} {
		res := searchPage(t, ix, tt.q, 1, 10)
		got := hitIDs(res)
		if tt.first != "" && (len(got) == 0 || got[0] != tt.first) {
			t.Errorf("%s: %v, want %s first", tt.q, got, tt.first)
		}
		if tt.all != nil && !reflect.DeepEqual(slices.Sorted(slices.Values(got)), tt.all) {
			t.Errorf("%s: %v, want %v", tt.q, got, tt.all)
		}
		if !slices.ContainsFunc(res.Hits, func(h zhsearch.Hit) bool { return strings.Contains(h.Highlights.Title, tt.marked) }) {
			t.Errorf("%s: no hit marked %s", tt.q, tt.marked)
		}
		sug, err := ix.Suggest(context.Background(), zhsearch.SuggestRequest{Query: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sug.Suggestions {
			if !slices.Contains(got, s.ID) {
				t.Errorf("%s: completion offers %s, which search does not find (%v)", tt.q, s.Title, got)
			}
		}
	}
	if got := hitIDs(searchPage(t, ix, "e", 1, 10)); len(got) != 0 {
		t.Errorf("e: %v, want nothing", got)
	}
}

// TestStopWordsFindNothing: a query of stop words only, one character (的)
// or more (的了, 的 的), finds nothing; one content character (租) finds
// the titles that hold it. The one-character 的 found every title saying
// 的 where 的了 found none (found by a probe).
func TestStopWordsFindNothing(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "租机的审核条件", TitleOnly: true},
		{ID: "b", Title: "花呗逾期了怎么办", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	for _, q := range []string{"的", "了", "吗", "的了", "的 的"} {
		if got := hitIDs(searchPage(t, ix, q, 1, 10)); len(got) != 0 {
			t.Errorf("%q: %v, want nothing", q, got)
		}
	}
	if got := hitIDs(searchPage(t, ix, "租", 1, 10)); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("租: %v, want [a]", got)
	}
}

// TestLongQueryIsBounded: a pasted paragraph (the longest query allowed,
// a hundred everyday words) matches with its maxSearchTerms heaviest words
// that some article holds, and at most maxQueryPairs character pairs, so
// its cost stays that of a question (it was a second of CPU at 100k
// articles, a hundredfold amplifier); it still finds what shares those
// words. A repeated pinyin syllable is bounded likewise.
func TestLongQueryIsBounded(t *testing.T) {
	var articles []zhsearch.Article
	for i, title := range []string{"苏州的土壤与考古", "墨西哥的国民经济", "意大利的狩猎传统", "财政政策与市盈率", "网贷逾期怎么办"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("p%d", i), Title: title, TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	paragraph := "就会外来窗外缓解认购尴尬部队权重股这句网点细分动手建议侵蚀一根学科试图出现选用多达假定吃惊都督前往苏州受到两类头上农机退回完善安置西侧提前第二个兴建起步学说加重财政政策申购锁定冒险战争双双土壤炸弹多月天亮墨西哥定义国民经济办事通往结婚没想到市盈率胆子公顷代表作选择狩猎考古胖子痛哭弟弟症状介质升值白色长时间愿意受益父母例如独自或者说女儿头目会长当即开放失败爆发竞争人工意大利光大团体喝酒里头很长"
	aq := ix.analyze(paragraph)
	if len(aq.terms) <= maxSearchTerms || len(aq.bigrams) <= maxQueryPairs {
		t.Fatalf("%d terms, %d pairs: the paragraph is not long enough to prove anything", len(aq.terms), len(aq.bigrams))
	}
	if err := ix.weigh(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	aq.bound()
	if len(aq.terms) != maxSearchTerms || len(aq.bigrams) > maxQueryPairs {
		t.Errorf("bounded to %d terms, %d pairs; want %d, at most %d",
			len(aq.terms), len(aq.bigrams), maxSearchTerms, maxQueryPairs)
	}
	held := 0
	for _, term := range aq.terms {
		if !term.absent {
			held++
		}
	}
	if held < 8 { // the titles hold 苏州 土壤 考古 墨西哥 国民经济 意大利 狩猎 财政政策 市盈率
		t.Errorf("kept %d words some article holds, want the titles' words first: %+v", held, aq.terms)
	}
	res := searchPage(t, ix, paragraph, 1, 10)
	if len(res.Hits) < 4 {
		t.Errorf("the paragraph found %v, want the articles sharing its words", hitIDs(res))
	}
	py := ix.analyze(strings.Repeat("de", zhsearch.MaxQueryLen/2))
	if len(py.syllable) > maxQueryPairs+1 {
		t.Errorf("de×%d kept %d syllables, want at most %d", zhsearch.MaxQueryLen/2, len(py.syllable), maxQueryPairs+1)
	}
}

// TestLongQuestionKeepsItsSubject: a question longer than a query keeps
// (maxSearchTerms) still matches with its subject (网贷, 逾期), though the
// site's titles say those words most and its situation's words (自称,
// 服务费, 慢慢) are rarer: the reader asking whether a fixer can freeze a
// lender's interest finds the article on it.
func TestLongQuestionKeepsItsSubject(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "want", Title: "网贷逾期了停息挂账是真的吗", TitleOnly: true},
		{ID: "fee", Title: "会员服务费自动扣款怎么取消", TitleOnly: true},
		{ID: "chat", Title: "微信上自称客服的人可信吗", TitleOnly: true},
		{ID: "slow", Title: "每个月慢慢攒钱的五个办法", TitleOnly: true},
		{ID: "five", Title: "五年定期存款利息怎么算", TitleOnly: true},
		{ID: "law", Title: "公司法务岗位要做哪些事", TitleOnly: true},
		{ID: "stop", Title: "停水停电以后欠款怎么交", TitleOnly: true},
		{ID: "hang", Title: "窗帘挂起来掉了怎么办", TitleOnly: true},
		{ID: "two", Title: "两千块钱能分几期还", TitleOnly: true},
	}
	articles = append(articles, otherSubjects("网贷", "网贷平台", "网贷逾期", "花呗", "借呗", "信用卡")...)
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	q := "逾期以后有个自称法务的人加我微信,说交两千服务费就能让网贷平台把利息停掉、欠款挂起来分五年慢慢还,这种事是真的吗"
	aq := ix.analyze(q)
	if _, err := ix.searchQuery(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"网贷", "逾期"} {
		if !slices.ContainsFunc(aq.terms, func(x queryTerm) bool { return x.text == word }) {
			t.Errorf("%s dropped from %d terms: %+v", word, len(aq.terms), aq.terms)
		}
	}
	if got := hitIDs(searchPage(t, ix, q, 1, 10)); !slices.Contains(got, "want") {
		t.Errorf("%s: %v, want the article on 网贷逾期 among them", q, got)
	}
}

// TestWordTitlesCutOtherwise: a question's word that the titles' cutting
// split (首套 of 首套房: 首/套房) finds the titles holding its characters in
// a row; a word whose characters the titles hold only apart (黄金周 of
// 黄金分期 and 资金周转) finds nothing by them, nor makes the question's
// other words (免费) enough to match.
func TestWordTitlesCutOtherwise(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "first", Title: "首套房贷款需要什么条件", TitleOnly: true},
		{ID: "second", Title: "二套房贷款政策解读", TitleOnly: true},
		{ID: "bank", Title: "银行贷款和网贷有什么区别", TitleOnly: true},
		{ID: "gold", Title: "黄金分期是什么套路", TitleOnly: true},
		{ID: "cash", Title: "资金周转困难怎么办", TitleOnly: true},
		{ID: "card", Title: "信用卡逾期一天有什么影响", TitleOnly: true},
		{ID: "free", Title: "个人征信报告每年能免费查几次", TitleOnly: true},
		{ID: "car", Title: "贷款买车和全款买车哪个划算", TitleOnly: true},
		{ID: "rate", Title: "银行贷款利率是多少", TitleOnly: true},
		{ID: "name", Title: "名下有房贷还能办信用卡吗", TitleOnly: true},
		{ID: "down", Title: "贷款买房首付比例是多少", TitleOnly: true},
		{ID: "trap", Title: "银行贷款的套路有哪些", TitleOnly: true},
		{ID: "used", Title: "二手房贷款银行怎么审批", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"老婆婚前买过房,我这次贷款买房银行会按首套还是二套算", []string{"first", "second"}},
		// Found nothing before asRun too: this guards against reading a
		// word as a run where its pairs stand apart (黄金, 金周 of 资金周转).
		{"国庆黄金周高速公路免费吗", nil},
	} {
		got := hitIDs(searchPage(t, ix, tt.query, 1, 10))
		if len(tt.want) == 0 && len(got) > 0 || slices.ContainsFunc(tt.want, func(id string) bool { return !slices.Contains(got, id) }) {
			t.Errorf("%s: %v, want %v among them", tt.query, got, tt.want)
		}
	}
}

// TestLongQuestionAnyWordMatches: on the site-shaped corpus of the
// readers' questions, a long question matches a title by any one of its
// words, its one-character words counted in its length, though it says
// only a few longer ones: the title holding 先租 and 新机 comes first,
// without the 苹果 or 租机 that the question names first (it had matched
// nothing, 苹果 and 租机 being in every minimal set of the five longer
// words). The question is of the suite's tuning half, the title its
// judged answer.
func TestLongQuestionAnyWordMatches(t *testing.T) {
	ix := questionsIndex(t)
	ix.SetSearchCacheSize(0)
	q := "租机平台上同一款苹果有全新跟99新两个价,99新便宜一百多,这99新是人家租过退回来的不,先租后买给的到底是不是新机"
	if got := searchPage(t, ix, q, 1, 10); len(got.Hits) == 0 || got.Hits[0].Title != "先租后买的手机是新机吗" {
		t.Errorf("%s: %v, want 先租后买的手机是新机吗 first", q, hitIDs(got))
	}
}

// TestDeniedWordsAreNotTheQuestion: a reader who says they were never
// overdue (从来没逾期过) asks about something else; titles about being
// overdue rank below those on what they ask, while a reader who says what
// they did not do (没还上) still asks about it.
func TestDeniedWordsAreNotTheQuestion(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "o1", Title: "借呗逾期一天有什么影响", TitleOnly: true},
		{ID: "o2", Title: "借呗逾期过还能再借吗", TitleOnly: true},
		{ID: "o3", Title: "借呗逾期会不会上征信", TitleOnly: true},
		{ID: "c1", Title: "借呗额度突然被关闭的原因", TitleOnly: true},
		{ID: "c2", Title: "借呗为什么不能借钱了", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	// "Never", and a bad mark of a credit record under a plain negation.
	for _, q := range []string{"从来没逾期过为什么借呗突然被关闭了", "没有逾期为什么借呗突然被关闭了"} {
		got := searchPage(t, ix, q, 1, 10)
		if ids := hitIDs(got); len(ids) < 2 || !strings.HasPrefix(ids[0], "c") || !strings.HasPrefix(ids[1], "c") {
			t.Errorf("%s: %v, want c1 and c2 first", q, ids)
		}
		for _, h := range got.Hits {
			for _, m := range strings.Split(h.Highlights.Title, "<mark>")[1:] {
				if marked, _, _ := strings.Cut(m, "</mark>"); strings.Contains(marked, "逾期") {
					t.Errorf("%s: %s: %s marks 逾期, which the reader denies", q, h.ID, h.Highlights.Title)
				}
			}
		}
	}
	got := searchPage(t, ix, "借呗逾期了怎么办", 1, 10)
	if ids := hitIDs(got); len(ids) < 3 || !strings.HasPrefix(ids[0], "o") || !strings.HasPrefix(ids[1], "o") || !strings.HasPrefix(ids[2], "o") {
		t.Errorf("借呗逾期了怎么办: %v, want the three on being overdue first", ids)
	}
}

// TestAskingClause checks which clause of a question asks
// (dict/ask.txt), as analyze finds it: the last that ends in a closing
// particle, else the last that holds a question word, whatever its place;
// none for one clause, for keywords, or for clauses that only list (、).
func TestAskingClause(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct{ name, query, want string }{
		{"the last clause asks", "工资每个月15号才到账,花呗还款日能不能往后改", "花呗还款日能不能往后改"},
		{"the first clause asks", "花呗逾期了会不会上征信,我才晚了两天", "花呗逾期了会不会上征信"},
		{"a closing 不 asks", "租的手机钱还没交完,俺转手卖了会摊上事不", "我转手卖了会摊上事不"},
		// 不 of 还不上 is no closing 不: the first clause asks.
		{"不 inside a clause does not close it", "花呗逾期会不会上征信,我还不上了", "花呗逾期会不会上征信"},
		{"a closing particle before a question word", "借呗可以提前还款吗,已经逾期好几天了", "借呗可以提前还款吗"},
		{"a respelled 咋 asks", "网贷借不出来了,咋整", "怎么办"},
		{"the last of two that ask", "借呗能提前还吗,提前还要手续费吗", "提前还要手续费吗"},
		{"a list is one clause", "花呗、借呗、白条哪个利息低", ""},
		{"full-width marks end clauses", "花呗逾期三天了，会上征信吗？", "会上征信吗"},
		{"one clause", "花呗逾期会上征信吗", ""},
		{"keywords ask nothing", "花呗 逾期 怎么 办", ""},
		{"no clause asks", "花呗逾期了三天,已经还上了", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ix.analyze(tt.query).ask; got != tt.want {
				t.Errorf("analyze(%q).ask = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

// TestSituationWordsAloneMatchNothing: a question's situation (工资, 到账)
// is rarer on the site than its subject (花呗, 还款), so the site's idf
// weighs it more; a title sharing only the situation must not answer
// before those on the subject.
func TestSituationWordsAloneMatchNothing(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "s1", Title: "花呗还款日能不能修改", TitleOnly: true},
		{ID: "s2", Title: "花呗还款日是每个月几号", TitleOnly: true},
		{ID: "j1", Title: "工资每个月几号到账", TitleOnly: true},
		{ID: "j2", Title: "工资到账慢怎么办", TitleOnly: true},
		{ID: "x1", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		{ID: "x2", Title: "借呗还款方式有哪些", TitleOnly: true},
		{ID: "x3", Title: "信用卡还款日过了一天算逾期吗", TitleOnly: true},
		{ID: "x4", Title: "花呗额度怎么提升", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	q := "工资每个月15号才到账,花呗还款日能不能往后改"
	got := hitIDs(searchPage(t, ix, q, 1, 10))
	if len(got) == 0 || got[0] != "s1" && got[0] != "s2" {
		t.Errorf("%s: %v, want s1 or s2 first", q, got)
	}
	// j1 shares more character pairs with the question than s1 does
	// (工资, 每个, 个月, 到账): the title bigram clause matches it, which
	// no word decides. j2 shares two words, both of the situation.
	s1, s2, j2 := slices.Index(got, "s1"), slices.Index(got, "s2"), slices.Index(got, "j2")
	if s1 < 0 || s2 < 0 || j2 >= 0 && (j2 < s1 || j2 < s2) {
		t.Errorf("%s: %v, want s1 and s2, and j2 (on 工资 and 到账 only) after both", q, got)
	}
}

// TestSubjectOf: the subject of a question is its word most typical of the
// site, whatever the site's idf says of the words around it, and no
// template word, however typical.
func TestSubjectOf(t *testing.T) {
	terms := []queryTerm{
		{text: "工资", typical: 0.9, position: 1, weighed: true},
		{text: "花呗", typical: 5.8, position: 1.4, weighed: true},
		{text: "还款", typical: 5.5, position: 1, weighed: true},
		{text: "详解", typical: 6.5, position: 0.3, weighed: true},
	}
	if got := subjectOf(terms); got != 1 {
		t.Errorf("subjectOf = %d, want 1 (花呗)", got)
	}
	terms[2].weighed = false
	if got := subjectOf(terms); got != -1 {
		t.Errorf("subjectOf with a term not weighed = %d, want -1", got)
	}
}

// TestTemplateWordIsNoSubject: a word that ends most of the site's titles
// (详解) is as typical of the site as its subjects, more in a site of
// templated titles, but typical of its form: it is never a query's
// subject, which every match must hold and the relaxation ladder keeps
// longest.
func TestTemplateWordIsNoSubject(t *testing.T) {
	var articles []zhsearch.Article
	for i, s := range []string{"花呗风控", "征信修复", "网贷协商", "车贷流程", "租机买断", "信用卡分期", "借呗提额", "白条分期"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("t%d", i), Title: s + "详解", TitleOnly: true})
	}
	articles = append(articles,
		zhsearch.Article{ID: "e1", Title: "京东E卡回收平台推荐", TitleOnly: true},
		zhsearch.Article{ID: "e2", Title: "京东E卡回收被骗了怎么办", TitleOnly: true})
	ix := builtIndex(t, articles)
	aq := ix.analyze("京东E卡回收详解")
	if err := ix.weigh(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	ts := heldTerms(multiChar(aq.terms))
	if s := subjectOf(ts); s < 0 || ts[s].text != "京东e卡" {
		t.Errorf("subject of 京东E卡回收详解 = %d in %+v, want 京东e卡", s, ts)
	}
}

// TestAmountsTheSiteLacks: a reader gives amounts and dates (从五万降到八千,
// 10号, 一万多) that no title says; they are no sign that the site lacks the
// subject it covers, and must not leave a question's words too light to
// match (blind-judged questions about a 借呗 limit cut from 五万 to 八千, and
// about taking 一万多 of a 花呗 limit out to a bank card, found nothing).
func TestAmountsTheSiteLacks(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a1", Title: "借呗额度突然降低是什么原因", TitleOnly: true},
		{ID: "a2", Title: "借呗额度降了还能恢复吗", TitleOnly: true},
		{ID: "x1", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		{ID: "x2", Title: "信用卡分期手续费怎么算", TitleOnly: true},
	})
	for _, q := range []string{
		"借呗额度五万变三千六,一万二的欠款,二十号要还,还能恢复吗",
		"借呗额度从一万多降到两千多块,还能恢复吗",
	} {
		aq := ix.analyze(q)
		if err := ix.weigh(context.Background(), &aq); err != nil {
			t.Fatal(err)
		}
		var held []string
		for _, t := range heldTerms(multiChar(aq.terms)) {
			held = append(held, t.text)
		}
		if !slices.Contains(held, "借呗") || !slices.Contains(held, "额度") {
			t.Errorf("%s: held terms %v, want 借呗 and 额度 among them", q, held)
		}
	}
}

// TestAmountsInCharactersFindDigits: a reader writes 五千块 where the
// title writes 5000, and the title that names the reader's amount ranks
// above those naming another.
func TestAmountsInCharactersFindDigits(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a3000", Title: "临时急需3000块钱怎么借", TitleOnly: true},
		{ID: "a10000", Title: "临时急需10000块钱怎么借", TitleOnly: true},
		{ID: "a5000", Title: "临时急需5000块钱怎么借", TitleOnly: true},
		{ID: "x1", Title: "花呗逾期一天有什么影响", TitleOnly: true},
	})
	for _, q := range []string{"急需五千块钱怎么借", "临时急需五千块钱"} {
		res, err := ix.Search(context.Background(), zhsearch.SearchRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != "a5000" {
			t.Errorf("%s: hits %v, want a5000 first", q, hitIDs(res))
		}
	}
}

// TestOnePairIsNoMatch: a query of four or more character pairs needs two
// of them in a title, however low the title bigram quorum goes for long
// questions: 量子计算机 shares only 计算 with 利息怎么计算.
func TestOnePairIsNoMatch(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "借呗利息怎么计算", TitleOnly: true},
		{ID: "b", Title: "房贷月供计算方法", TitleOnly: true},
		{ID: "c", Title: "花呗逾期三天会上征信吗", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	if got := hitIDs(searchPage(t, ix, "量子计算机", 1, 10)); len(got) != 0 {
		t.Errorf("量子计算机: %v, want nothing", got)
	}
}

// TestAskedAspectMatches: a question names the aspect it asks about (多久)
// among words of its situation (申请, 一般, 下来) that outweigh its subject
// (房贷) in the weighted quorum; the title that holds the subject and names
// the aspect in other words (多长时间) answers it and must be found among
// the strict hits, not left to the relaxation ladder.
func TestAskedAspectMatches(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "a", Title: "房贷审批需要多长时间", TitleOnly: true},
		{ID: "b", Title: "车贷影响房贷申请吗", TitleOnly: true},
		{ID: "c", Title: "网贷申请被拒后多久可以再申请", TitleOnly: true},
		{ID: "d", Title: "一般人能申请哪些贷款", TitleOnly: true},
		{ID: "e", Title: "贷款批下来以后多久放款", TitleOnly: true},
		{ID: "f", Title: "花呗风控多久才能解除", TitleOnly: true},
		{ID: "g", Title: "征信多久更新一次", TitleOnly: true},
		{ID: "h", Title: "信用卡申请进度怎么查", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	q := "房贷申请交上去以后,一般要等多久才能批下来"
	res := searchPage(t, ix, q, 1, 10)
	if !strictHit(res, "a") {
		t.Errorf("%s: %+v, want a (房贷审批需要多长时间) among the strict hits", q, res.Hits)
	}
}

// TestAspectMatchNeedsASiteSubject: the asked aspect admits titles only
// with the question's subject, and only a subject typical of the site: an
// everyday question (吉他弦多久换一次) whose most typical word the site uses
// less than general text does must not match every title on 一次 that says
// 多久.
func TestAspectMatchNeedsASiteSubject(t *testing.T) {
	site := []queryTerm{
		{text: "房贷", typical: 3.8, position: 1.1, weighed: true},
		{text: "申请", typical: 2.7, position: 1, weighed: true},
		{text: "一般", typical: -0.3, position: 1, weighed: true},
	}
	everyday := []queryTerm{
		{text: "一次", typical: -0.4, position: 1, weighed: true},
		{text: "比较", typical: -1.2, position: 1, weighed: true},
	}
	for _, tt := range []struct {
		name    string
		intents []string
		terms   []queryTerm
		want    bool
	}{
		{"subject of the site and an aspect", []string{"多久", "多长时间"}, site, true},
		{"no aspect named", nil, site, false},
		{"one word: the quorum is the word", []string{"多久"}, site[:1], false},
		{"everyday subject", []string{"多久"}, everyday, false},
	} {
		aq := analyzedQuery{intents: tt.intents}
		if got := aq.aspectMatch(tt.terms) != nil; got != tt.want {
			t.Errorf("%s: aspect match %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestWordInsideALongerOneIsATerm: a word met first inside a longer one
// (担保 of 担保人, a search-mode piece) is still a term of its own where the
// query writes it alone (这笔担保).
func TestWordInsideALongerOneIsATerm(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	aq := ix.analyze("当担保人签字后这笔担保会上征信吗")
	var terms []string
	for _, term := range aq.terms {
		terms = append(terms, term.text)
	}
	for _, w := range []string{"担保人", "担保", "征信"} {
		if !slices.Contains(terms, w) {
			t.Errorf("terms %v, want %s among them", terms, w)
		}
	}
}

// TestLongQuestionMatchesTitlesByOneWord: a question of many words
// matches, strictly, the title that answers it with two of them (担保,
// 征信), and any title holding one of them (亲戚), though those are far
// from the share of the question's weight that a shorter query's hits
// must hold. (In eight titles 担保 and 征信 are
// no rarer than 签字 and 协议: how it ranks is the judged suites' to say.)
func TestLongQuestionMatchesTitlesByOneWord(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "g1", Title: "给别人做担保也会上征信吗", TitleOnly: true},
		{ID: "a1", Title: "银行贷款审批要多久", TitleOnly: true},
		{ID: "a2", Title: "签字前要看清借款协议", TitleOnly: true},
		{ID: "a3", Title: "按时还款能提高信用分吗", TitleOnly: true},
		{ID: "a4", Title: "开店经营贷款怎么申请", TitleOnly: true},
		{ID: "a5", Title: "征信报告出现查询记录怎么办", TitleOnly: true},
		{ID: "a6", Title: "亲戚借钱不还能起诉吗", TitleOnly: true},
		{ID: "a7", Title: "花呗逾期会影响房贷吗", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	const q = "亲戚开店找银行贷款,让我签字做担保,他每月都按时还款,这份协议会出现在我的征信上吗"
	aq := ix.analyze(q)
	if err := ix.weigh(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	if n := len(heldTerms(multiChar(aq.terms))); n <= maxExactTerms {
		t.Fatalf("%d words held: the question must be longer than %d words", n, maxExactTerms)
	}
	res := searchPage(t, ix, q, 1, 10)
	for _, id := range []string{"g1", "a6"} { // a6 holds one of its words, 亲戚
		i := slices.IndexFunc(res.Hits, func(h zhsearch.Hit) bool { return h.ID == id })
		if i < 0 || res.Hits[i].Relaxed {
			t.Errorf("hits %v (relaxed %v): want %s among them, strict", hitIDs(res), res.Relaxed, id)
		}
	}
}

// TestFillerTypo: the input method offered a filler for the first
// character of a word (过气 for 过期, 过 a filler): the pair, which no title
// writes and which sounds exactly like a title word, is a typo and finds
// that word's titles. A filler and a piece that sound like no title word
// (被封 of 账号被封了: 被风 of 被风控 is no word), or that titles write as
// they stand (会收 of 还会收利息), are what they seem. So does a word the input
// method offered for the first two characters of a word of three (网上 +
// 贷 for 网商贷, 使用 + 律 for 使用率).
func TestFillerTypo(t *testing.T) {
	ix := builtIndex(t, []zhsearch.Article{
		{ID: "e1", Title: "京东E卡过期了还能用吗", TitleOnly: true},
		{ID: "e2", Title: "京东E卡怎么使用", TitleOnly: true},
		{ID: "e3", Title: "京东E卡能提现吗", TitleOnly: true},
		{ID: "e4", Title: "京东E卡余额查询方法", TitleOnly: true},
		{ID: "e5", Title: "京东E卡回收一般几折", TitleOnly: true},
		{ID: "h1", Title: "花呗被风控了怎么解除", TitleOnly: true},
		{ID: "w1", Title: "网贷放款后马上还会收利息吗", TitleOnly: true},
		{ID: "g1", Title: "信用卡过期了怎么办", TitleOnly: true},
		{ID: "s1", Title: "网商贷和借呗有什么区别", TitleOnly: true},
		{ID: "s2", Title: "借呗能借多少钱", TitleOnly: true},
		{ID: "s3", Title: "征信报告怎么在网上申请", TitleOnly: true},
		{ID: "u1", Title: "征信报告中的信用卡使用率为什么重要", TitleOnly: true},
	})
	ix.SetSearchCacheSize(0)
	slips := func(q string) []string {
		t.Helper()
		aq := ix.analyze(q)
		if err := ix.weigh(context.Background(), &aq); err != nil {
			t.Fatal(err)
		}
		ix.checkSlips(&aq)
		var out []string
		for _, term := range aq.terms {
			if term.slip {
				out = append(out, term.text)
			}
		}
		return out
	}
	for q, want := range map[string][]string{
		"京东E卡过气了还能用吗": {"过气"},
		"过气了怎么办":      {"过气"}, // one word besides: weighed all the same
		"账号被封了怎么解除":   nil,
		"借了网贷还会收钱吗":   nil,
		// A word for the first two characters of a word of three.
		"网上贷和借呗区别": {"网上贷"},
		"信用卡使用律太高": {"使用律"},
		"网上查征信要钱吗": nil, // no title word sounds like 网上查
	} {
		if got := slips(q); !slices.Equal(got, want) {
			t.Errorf("%s: typos %v, want %v", q, got, want)
		}
	}
	for q, want := range map[string]string{"京东E卡过气了还能用吗": "e1", "网上贷和借呗区别": "s1"} {
		if res := searchPage(t, ix, q, 1, 10); len(res.Hits) == 0 || res.Hits[0].ID != want {
			t.Errorf("%s: hits %v, want %s first", q, hitIDs(res), want)
		}
	}
}

// TestTypoCanBeTheSubject: a misspelt word may be what a question asks
// about. 多投 (for 多头) of 网贷只借了三家,每家都按时还,这也算多投借贷吗 sounds
// like a title word, and the title on 多头借贷 is a strict hit though it
// does not say 网贷, the subject by the site's words, which every other
// minimal set holds. A run that sounds only like characters some title
// holds in a row (号还 of 每月9号还吗: 好还) is no word's typo.
func TestTypoCanBeTheSubject(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "d", Title: "多头借贷是什么意思", TitleOnly: true},
		{ID: "h", Title: "哪个网贷平台好还款", TitleOnly: true},
	}
	for i, tail := range []string{"逾期一天有什么影响", "全部还清后多久可以再借", "按时还款能提额吗", "申请被拒的原因", "借款额度为什么越来越低", "逾期了会被起诉吗"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("w%02d", i), Title: "网贷" + tail, TitleOnly: true})
	}
	for i, s := range []string{"花呗", "借呗", "信用卡", "白条", "房贷", "车贷", "微粒贷", "分期乐", "美团月付", "京东金条", "租机", "ID贷"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("o%02d", i), Title: s + "逾期一天有什么影响", TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	q := "网贷只借了三家,每家都按时还,这也算多投借贷吗"
	if res := searchPage(t, ix, q, 1, 10); !strictHit(res, "d") {
		t.Errorf("%s: %+v, want d (多头借贷是什么意思) among the strict hits", q, res.Hits)
	}
	for _, tt := range []struct {
		query, run string
		want       bool
	}{
		{q, "算多投", true},
		{"网贷每月9号还吗", "号还", false},
	} {
		if got := searchedTerm(t, ix, tt.query, tt.run); !got.soundsLike || got.soundsWord != tt.want {
			t.Errorf("%s: %s soundsLike %v, soundsWord %v; want a typo, soundsWord %v", tt.query, tt.run, got.soundsLike, got.soundsWord, tt.want)
		}
	}
}

// TestWordTypoInASentence: in a sentence about one of the site's subjects,
// a dictionary word no article holds that sounds exactly like a title word
// (查寻 for 查询, 月宫 for 月供) is that word mistyped, a typo matched by its
// sound. A shorter query keeps it a word the site lacks (the whole query
// is matched by sound when nothing holds it as written), a sentence
// that names none of the site's subjects takes nothing for a typo (鱼鳍,
// yuqi as 逾期) and finds nothing, and words general text uses most are
// what they seem (以为 beside 异味, 一半 beside 一般). The judged readers' questions show
// what it changes for the reader: the titles on the word meant rank
// (testdata/questions/README.md).
func TestWordTypoInASentence(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "m", Title: "房贷月供压力太大怎么办", TitleOnly: true},
		{ID: "d", Title: "房贷断供会有哪些后果", TitleOnly: true},
		{ID: "p", Title: "房贷提前还款划算吗", TitleOnly: true},
		{ID: "q", Title: "征信报告上的查询记录能删除吗", TitleOnly: true},
		{ID: "r", Title: "征信上的逾期记录会保留几年", TitleOnly: true},
		{ID: "s", Title: "征信花了怎么修复", TitleOnly: true},
		{ID: "x", Title: "新房装修后有异味多久能住", TitleOnly: true}, // 异味 sounds like 以为
		{ID: "y", Title: "京东E卡回收一般几折", TitleOnly: true},   // 一般 sounds like 一半
	}
	articles = append(articles, otherSubjects("花呗", "借呗", "信用卡", "网贷", "白条", "车贷", "微粒贷", "分期乐", "美团月付", "京东金条", "租机", "ID贷")...)
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	for _, tt := range []struct {
		query, word string
		typo        bool
	}{
		{"全家就靠我一份工资,房贷月宫占了七成怎么办", "月宫", true},
		{"征信上多了一堆查寻记录,要过多久才会自己消掉", "查寻", true},
		// More words than a query keeps (maxSearchTerms): the typo is kept
		// as a word some article holds.
		{"信用卡逾期一天对征信报告影响大吗,网贷额度提升划算吗,房贷月供压力大,征信上的查寻记录能删除吗", "查寻", true},
		// A word general text uses most is what the reader meant.
		{"征信报告我以为早就查过了,房贷怎么还是没批下来", "以为", false},
		// Nor is a title word general text uses most what it stands for.
		{"征信上的查询记录有一半都是网贷查的吗", "一半", false},
		{"房贷月宫怎么办", "月宫", false},           // shorter than a sentence
		{"金鱼尾巴和鱼鳍烂了是咋回事啊真着急", "鱼鳍", false}, // names none of the site's subjects
	} {
		if got := searchedTerm(t, ix, tt.query, tt.word).soundsLike; got != tt.typo {
			t.Errorf("%s: %s soundsLike %v, want %v", tt.query, tt.word, got, tt.typo)
		}
	}
	if got := hitIDs(searchPage(t, ix, "金鱼尾巴和鱼鳍烂了是咋回事啊真着急", 1, 10)); len(got) != 0 {
		t.Errorf("金鱼尾巴和鱼鳍烂了…: %v, want nothing", got)
	}
}

// searchedTerm returns the term word of query as search reads it
// (searchQuery), failing the test when the query keeps no such term.
func searchedTerm(t *testing.T, ix *Index, query, word string) queryTerm {
	t.Helper()
	aq := ix.analyze(query)
	if _, err := ix.searchQuery(context.Background(), &aq); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(aq.terms, func(x queryTerm) bool { return x.text == word })
	if i < 0 {
		t.Fatalf("%s: no term %s among %+v", query, word, aq.terms)
	}
	return aq.terms[i]
}

// otherSubjects returns three title-only articles on each of subjects (…逾期一天有什么影响,
// …额度怎么提升, …提前还款划算吗): the site's other subjects, so that the
// words a test is about are in few of its titles, as on the site.
func otherSubjects(subjects ...string) []zhsearch.Article {
	var out []zhsearch.Article
	for i, s := range subjects {
		for j, tail := range []string{"逾期一天有什么影响", "额度怎么提升", "提前还款划算吗"} {
			out = append(out, zhsearch.Article{ID: fmt.Sprintf("o%02d%d", i, j), Title: s + tail, TitleOnly: true})
		}
	}
	return out
}
