package index

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// rerankHits are hits in the engine's order, each scoring one less than
// the one before it.
func rerankHits(titles ...string) search.DocumentMatchCollection {
	hits := make(search.DocumentMatchCollection, len(titles))
	for i, title := range titles {
		hits[i] = &search.DocumentMatch{ID: title, Score: float64(len(titles) - i), Fields: map[string]interface{}{fTitle: title}}
	}
	return hits
}

// TestRerankGroup checks the rerank model on one group of hits: a title
// holding more of the query, its words or their synonyms, and more of
// whose pairs the query holds, rises; a title holding an intent word
// rises; titles the model cannot tell apart keep the engine's order; and
// each place keeps its score, so scores still fall.
func TestRerankGroup(t *testing.T) {
	overdue := &analyzedQuery{norm: "花呗逾期会上征信吗", terms: []queryTerm{
		{text: "花呗", weight: 3}, {text: "逾期", alts: []string{"晚还"}, weight: 2}, {text: "征信", weight: 3}}}
	howLong := &analyzedQuery{norm: "花呗逾期多久上征信", intents: []string{"多久", "多长时间"}, terms: overdue.terms}
	installments := &analyzedQuery{norm: "花呗分期能提前还吗", terms: []queryTerm{
		{text: "花呗", weight: 3}, {text: "分期", weight: 2}, {text: "提前", weight: 2}}}
	// 抖因, a run no title holds, is 抖音 misspelt: search matched it by
	// its sound (queryTerm.soundsLike).
	typo := &analyzedQuery{norm: "抖因月付晚还会上征信吗", terms: []queryTerm{
		{text: "抖因", run: true, absent: true, soundsLike: true, sound: []string{"dou", "yin"}, weight: 3},
		{text: "月付", weight: 3}, {text: "晚还", alts: []string{"逾期"}, weight: 2}, {text: "征信", weight: 2}}}
	change := &analyzedQuery{norm: "花呗还款日能修改吗", terms: []queryTerm{
		{text: "花呗", weight: 3}, {text: "还款日", weight: 2}, {text: "修改", weight: 2}}}
	tests := []struct {
		name   string
		aq     *analyzedQuery
		titles []string
		want   []string
	}{
		{
			// Scores (rerankWeights: order, pair precision, recall,
			// character precision): 花呗额度怎么提升 -1 + 4·1/7 + 24·3/8 +
			// 12·2/8 = 11.6, 借呗利息怎么算 1.3, 花呗逾期上征信 -2 + 4·5/6 +
			// 24 + 12 = 37.3.
			name:   "a title holding more of the query rises",
			aq:     overdue,
			titles: []string{"花呗额度怎么提升", "借呗利息怎么算", "花呗逾期上征信"},
			want:   []string{"花呗逾期上征信", "花呗额度怎么提升", "借呗利息怎么算"},
		},
		{
			// 晚还 is 逾期's synonym: 花呗晚还一天要紧吗 holds 5/8 of the
			// weight (17.9), 征信查询怎么查 3/8 (12.1); without the synonym
			// it would stay below (11.9).
			name:   "a synonym counts as its word",
			aq:     overdue,
			titles: []string{"征信查询怎么查", "花呗晚还一天要紧吗"},
			want:   []string{"花呗晚还一天要紧吗", "征信查询怎么查"},
		},
		{
			// 多长时间 is 多久's synonym. The first title holds more of the
			// query's pairs and characters (36.4 against 33.5), the second
			// the intent (+4).
			name:   "a title holding an intent word rises",
			aq:     howLong,
			titles: []string{"花呗逾期上征信吗", "花呗逾期多长时间上征信"},
			want:   []string{"花呗逾期多长时间上征信", "花呗逾期上征信吗"},
		},
		{
			// The first and last titles hold 4 of their 7 pairs in the
			// query, and 花呗 and 还款日; the last holds 改 of 修改 too, half
			// its characters, which recall counts (24·0.25·2·0.5/7 = 0.9)
			// and so does character precision (12·1/8), five places down
			// (-2.8 against -1): 25.9 against 25.6 without the partial
			// credit, 26.5 with it. (借呗 holds 呗 of 花呗: 1.4.)
			name:   "a title holding part of a word's characters counts part of it",
			aq:     change,
			titles: []string{"花呗还款日在哪看", "借呗利息怎么算", "微粒贷额度没了", "京东白条能取现吗", "美团月付怎么关闭", "花呗还款日改哪天"},
			want:   []string{"花呗还款日改哪天", "花呗还款日在哪看", "借呗利息怎么算", "京东白条能取现吗", "微粒贷额度没了", "美团月付怎么关闭"},
		},
		{
			// Both titles hold 3 of their 8 pairs in the query, and 花呗 and
			// 分期; the second holds 能 and 吗 of it too: 6 of its 9
			// characters against 4 of 9, 12·2/9 = 2.7 more, above the
			// engine's order (0.6).
			name:   "a title made of more of the query's characters rises",
			aq:     installments,
			titles: []string{"花呗分期怎么算利息", "花呗分期后能关掉吗"},
			want:   []string{"花呗分期后能关掉吗", "花呗分期怎么算利息"},
		},
		{
			// The second title says 抖音, which 抖因 sounds like: recall
			// counts it as held, 24·8/10, where its characters' partial
			// credit gave 24·5.375/10: 22.9 against 16.6, above the first
			// title's 17.7 (月付 and 晚还, and more of the query's pairs and
			// characters).
			name:   "a title saying what a typo sounds like holds it",
			aq:     typo,
			titles: []string{"美团月付晚还一天要紧吗", "抖音月付逾期会怎么样"},
			want:   []string{"抖音月付逾期会怎么样", "美团月付晚还一天要紧吗"},
		},
		{
			name:   "titles the model scores alike keep the engine's order",
			aq:     overdue,
			titles: []string{"借呗利息怎么算", "京东白条能取现吗", "微粒贷额度没了"},
			want:   []string{"借呗利息怎么算", "京东白条能取现吗", "微粒贷额度没了"},
		},
		{
			name:   "one hit",
			aq:     overdue,
			titles: []string{"花呗额度怎么提升"},
			want:   []string{"花呗额度怎么提升"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := rerankHits(tt.titles...)
			newTitleModel(tt.aq, chosenRerank()).rerank(hits)
			var got []string
			var scores, wantScores []float64
			for i, h := range hits {
				got = append(got, h.ID)
				scores = append(scores, h.Score)
				wantScores = append(wantScores, float64(len(hits)-i))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("order %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(scores, wantScores) {
				t.Errorf("scores %v, want %v: each place keeps its score", scores, wantScores)
			}
		})
	}
}

// TestLeadsElsewhere checks which titles lead with another subject than
// the query's: a head word of the site (借呗, 宁波 here) that the query
// does not say, nor a synonym of it, nor inside one of its words.
func TestLeadsElsewhere(t *testing.T) {
	stats := &corpusStats{factor: map[string]float64{"借呗": 1.4, "宁波": 1.2, "京东": 1.47, "京东白条": 1.3,
		"租机": 1.4, "租手机": 1.2, "借": 1.36, "详解": 0.6}}
	lex := analysis.DefaultSegmenter().Lexicon()
	// weighed is a weighed query of text (as normalized and respelled) and
	// words.
	weighed := func(text string, words ...string) *analyzedQuery {
		aq := &analyzedQuery{norm: text, std: text, lex: lex, stats: stats}
		for _, w := range words {
			aq.terms = append(aq.terms, queryTerm{text: w})
		}
		return aq
	}
	question := weighed("在宁波找私人借两万周转,月息两分算高吗", "宁波", "私人", "周转")
	synonym := weighed("租手机押金能退吗") // 租手机 and 租机 are synonyms (synonyms.txt)
	respelled := weighed("租个手机要押金吗")
	respelled.std = "租手机要押金吗"
	mortgage := weighed("房贷月供太高了能不能延期")
	goldBar := weighed("京东金条逾期了会怎样", "京东金条", "逾期")
	inside := weighed("京东白条逾期了怎么办", "京东白条")
	shortWord := weighed("京东金条和白条是一回事吗", "京东")
	unweighed := &analyzedQuery{norm: question.norm, std: question.std, lex: lex}
	pinyin := &analyzedQuery{norm: "jiebei lixi", std: "jiebei lixi", latin: true, lex: lex, stats: stats}
	tests := []struct {
		name  string
		aq    *analyzedQuery
		title string
		want  bool
	}{
		{"another subject's head word", question, "借呗日利率万分之五算高吗", true},
		{"the query's own subject", question, "宁波私人应急借钱服务综述", false},
		{"no head word first", question, "私人借款利息多少算高", false},
		{"a head word later in the title", question, "私人借款和借呗哪个利息高", false},
		{"a template word first", question, "详解借款利息", false},
		{"said by a synonym", synonym, "租机押金怎么退", false},
		{"said once respelled", respelled, "租手机押金能退吗", false},
		{"a one-character head word is no subject", mortgage, "借条怎么写才有效", false},
		// 京东 is the query's, 京东白条 is not: the longest head word
		// the title starts with is its subject.
		{"the longest head word", goldBar, "京东白条逾期会怎样", true},
		{"the head word holds the query's word", shortWord, "京东白条怎么关闭", false},
		{"the query's word is the head word", inside, "京东白条逾期会影响征信吗", false},
		{"a query that was not weighed", unweighed, "借呗日利率万分之五算高吗", false},
		{"a pinyin query", pinyin, "借呗日利率万分之五算高吗", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.aq.leadsElsewhere(tt.title); got != tt.want {
				t.Errorf("leadsElsewhere(%q) for %q = %v, want %v", tt.title, tt.aq.norm, got, tt.want)
			}
		})
	}
}

// TestRerankOtherSubjectFalls checks that a title leading with another
// subject than the question's falls below one on the question's own,
// which the engine ranked second: both match its background words (利息,
// 算高), only one its subject (宁波).
func TestRerankOtherSubjectFalls(t *testing.T) {
	stats := &corpusStats{factor: map[string]float64{"借呗": 1.4, "宁波": 1.2}}
	aq := &analyzedQuery{norm: "在宁波找私人借两万周转,人家要月息两分,这利息算高吗", stats: stats,
		terms: []queryTerm{{text: "宁波", weight: 5}, {text: "私人", weight: 4}, {text: "周转", weight: 5},
			{text: "利息", alts: []string{"利率"}, weight: 3}, {text: "算高", run: true, weight: 5}}}
	aq.std = aq.norm
	hits := rerankHits("借呗日利率万分之五算高吗", "宁波私人应急借钱服务综述")
	newTitleModel(aq, chosenRerank()).rerank(hits)
	want := []string{"宁波私人应急借钱服务综述", "借呗日利率万分之五算高吗"}
	if got := []string{hits[0].ID, hits[1].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// rerankCorpus answers a long question strictly with a few titles (they
// hold its weightiest words) and shares a word or two with the others.
var rerankCorpus = append(append([]zhsearch.Article(nil), relaxCorpus...),
	zhsearch.Article{ID: "s2", Title: "花呗逾期几天对房贷审批有没有影响", TitleOnly: true},
	zhsearch.Article{ID: "s3", Title: "花呗逾期对房贷的影响", TitleOnly: true},
	zhsearch.Article{ID: "s4", Title: "房贷审批影响因素", TitleOnly: true},
	zhsearch.Article{ID: "p6", Title: "房贷审批期间能不能用花呗", TitleOnly: true},
	zhsearch.Article{ID: "p7", Title: "下个月房贷利率会不会调整", TitleOnly: true},
	zhsearch.Article{ID: "p8", Title: "花呗逾期好几天了怎么办", TitleOnly: true},
	zhsearch.Article{ID: "p9", Title: "逾期几天影响下个月审批吗", TitleOnly: true},
)

// rerankQuestion says 几天 where it said 好几天 before boostSentenceSingle:
// its 好, a one-character word, then ranked 花呗逾期好几天了怎么办 (p8)
// above the title the rerank is shown to lift.
const rerankQuestion = "花呗逾期了几天,会不会影响我下个月的房贷审批"

// TestRerankedOrder checks that the rerank keeps first the two titles that
// say the question (花呗逾期会影响房贷审批吗 and 花呗逾期几天对房贷审批有没有影响,
// the engine's first two), and lifts a title made of the question's own
// words and text (逾期几天影响下个月审批吗) above titles that the engine
// ranks higher on fewer of them (房贷审批期间能不能用花呗,
// 花呗逾期三天会上征信吗). Before character precision ranked (rerankChars)
// it put the second first, for its 几天; now the first, which holds more
// of its characters in the question, stays there: either answers it.
func TestRerankedOrder(t *testing.T) {
	ix := builtIndex(t, rerankCorpus)
	ctx := context.Background()
	aq := ix.analyze(rerankQuestion)
	if !reranks(&aq) {
		t.Fatalf("%s: not reranked (%d characters, pairs %v)", rerankQuestion, aq.chars, aq.bigrams)
	}
	q, err := ix.searchQuery(ctx, &aq)
	if err != nil {
		t.Fatal(err)
	}
	place := func(res *pageResult, id string) int {
		return slices.IndexFunc(res.Hits, func(h *search.DocumentMatch) bool { return h.ID == id })
	}
	engine, _, err := ix.relaxedPage(ctx, &aq, q, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	reranked, _, err := ix.rankedPage(ctx, &aq, q, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2, p9, p6, p2 := "s1", "s2", "p9", "p6", "p2"
	if !(place(engine, p9) > place(engine, p6) && place(engine, p9) > place(engine, p2)) {
		t.Fatalf("the engine alone ranks %s at %d, %s at %d, %s at %d: the corpus no longer tells",
			p9, place(engine, p9), p6, place(engine, p6), p2, place(engine, p2))
	}
	if first := []int{place(reranked, s1), place(reranked, s2)}; slices.Max(first) != 1 || slices.Min(first) != 0 {
		t.Errorf("reranked: %s at %d, %s at %d; want them first", s1, first[0], s2, first[1])
	}
	if !(place(reranked, p9) < place(reranked, p6) && place(reranked, p9) < place(reranked, p2)) {
		t.Errorf("reranked: %s at %d, %s at %d, %s at %d; want %s above both", p9, place(reranked, p9), p6, place(reranked, p6), p2, place(reranked, p2), p9)
	}
}

// TestRerankedPages checks what a reader paging through a long question's
// answer sees once its first hits are reranked: strict hits before relaxed
// ones, scores falling, and pages of any size that join into the same
// list, with the same total, as one page holding them all.
func TestRerankedPages(t *testing.T) {
	ix := builtIndex(t, rerankCorpus)
	ix.SetSearchCacheSize(0)
	const q = rerankQuestion
	all := searchPage(t, ix, q, 1, 20)
	if len(all.Hits) < 4 || !all.Relaxed {
		t.Fatalf("hits %+v: want strict and relaxed hits", all.Hits)
	}
	for i, h := range all.Hits {
		if i == 0 {
			continue
		}
		if prev := all.Hits[i-1]; prev.Relaxed && !h.Relaxed {
			t.Errorf("strict hit %s after relaxed %s", h.ID, prev.ID)
		}
		if h.Score > all.Hits[i-1].Score {
			t.Errorf("hit %d (%s) scores %.4g, above the hit before it (%.4g)", i, h.ID, h.Score, all.Hits[i-1].Score)
		}
	}
	joined := &zhsearch.SearchResult{}
	for page := 1; page <= 7; page++ {
		res := searchPage(t, ix, q, page, 3)
		if res.Total != all.Total {
			t.Errorf("page %d: total %d; one page: %d", page, res.Total, all.Total)
		}
		joined.Hits = append(joined.Hits, res.Hits...)
	}
	if got, want := hitIDs(joined), hitIDs(all); !reflect.DeepEqual(got, want) {
		t.Errorf("pages of 3 joined: %v\none page of 20: %v", got, want)
	}
}

// TestRerankKeepsGroups: a relaxed hit whose title is made of the
// question's pairs stays below strict hits whose titles share none: each
// group is reranked within itself.
func TestRerankKeepsGroups(t *testing.T) {
	ix := builtIndex(t, rerankCorpus)
	aq := ix.analyze(rerankQuestion)
	hits := rerankHits("红烧肉的家常做法", "杭州西湖周边必去的景点", "花呗逾期几天对房贷审批有没有影响")
	rerankTitles(&aq, hits, 2)
	var got []string
	for _, h := range hits {
		got = append(got, h.ID)
	}
	if want := []string{"红烧肉的家常做法", "杭州西湖周边必去的景点", "花呗逾期几天对房贷审批有没有影响"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v: the relaxed hit stays below the strict ones", got, want)
	}
}

// TestRerankedPagesTies: thirty articles tie on one title, the newest just
// past the reranked window in the engine's order (by id); paged in sevens
// across and past the window, they show the hits a page of 35 shows, each
// once.
func TestRerankedPagesTies(t *testing.T) {
	var articles []zhsearch.Article
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		published := base.AddDate(0, 0, i%20) // a20 … a29 older than a19
		if i == 20 {
			published = base.AddDate(1, 0, 0) // the newest
		}
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("a%02d", i), Title: "花呗逾期几天对房贷审批有没有影响", PublishedAt: published, TitleOnly: true})
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	all := searchPage(t, ix, rerankQuestion, 1, 35)
	if len(all.Hits) != 30 {
		t.Fatalf("%d hits, want 30", len(all.Hits))
	}
	joined := &zhsearch.SearchResult{}
	seen := map[string]bool{}
	for page := 1; page <= 5; page++ {
		for _, h := range searchPage(t, ix, rerankQuestion, page, 7).Hits {
			if seen[h.ID] {
				t.Errorf("page %d shows %s again", page, h.ID)
			}
			seen[h.ID] = true
			joined.Hits = append(joined.Hits, h)
		}
	}
	// Ties are listed newest first within a page (breakTies), so pages of
	// another size may order them otherwise; they hold the same hits.
	got, want := hitIDs(joined), hitIDs(all)
	slices.Sort(got)
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages of 7 joined hold %v\none page of 35 holds %v", got, want)
	}
}

// pairCorpus holds titles that match pairQuestion by its words (网贷, 按时,
// 借), one that says what it asks in other words (网贷未逾期却突然无法借款…:
// its pairs 网贷, 逾期, 突然 are the question's, its words 未, 无法, 借款 are
// not), and titles that share nothing with it.
var pairCorpus = func() []zhsearch.Article {
	titles := []string{
		"网贷未逾期却突然无法借款的原因及应对策略",
		"网贷逾期后还能再借别的网贷吗", "网贷全部还清后多久可以再借", "借呗提前还清了还能再借吗",
		"花呗没按时还款会被催收吗", "网贷按时还款能提额吗", "网贷一直借不出来怎么回事",
		"网贷还不上会被起诉吗", "网贷利息多少算合法", "网贷平台怎么查是否正规",
		"申请网贷需要什么条件", "网贷逾期了怎么和平台协商", "学生可以借网贷吗",
		"红烧肉的家常做法", "杭州西湖周边必去的景点", "花呗额度怎么提升",
		// Titles on the site's other subjects, so that 网贷 and 借 weigh
		// as they do on a site: common, not in every title.
		"信用卡年费怎么免", "借呗提前还款有手续费吗", "京东白条怎么关闭", "租机押金能退吗",
		"征信报告怎么查询", "微粒贷额度突然没了", "花呗分期利息怎么算", "信用卡逾期一天要紧吗",
		"京东E卡怎么回收", "ID贷锁机怎么解", "房贷提前还款怎么操作", "车贷审批要多久",
		"公积金贷款额度怎么算", "信用卡账单日和还款日", "借条和欠条的区别", "个税app怎么退税",
		"支付宝芝麻分有什么用", "微信分付怎么开通", "美团月付逾期会怎样", "分期乐额度怎么提",
	}
	articles := make([]zhsearch.Article, len(titles))
	for i, title := range titles {
		articles[i] = zhsearch.Article{ID: fmt.Sprintf("p%02d", i), Title: title, TitleOnly: true}
	}
	return articles
}()

const pairQuestion = "网贷一直按时还,一回都没逾期过,咋突然就借不出来了"

// TestPairMatchesJoinTheQuestion: a long question finds the title that
// says it in other words among its strict hits, on its first page, though
// the title holds too few of its words for the quorum; a title that shares
// none of its pairs is not found; and pages of any size hold each hit
// once, as one page does.
func TestPairMatchesJoinTheQuestion(t *testing.T) {
	ix := builtIndex(t, pairCorpus)
	ix.SetSearchCacheSize(0)
	all := searchPage(t, ix, pairQuestion, 1, 30)
	at := slices.Index(hitIDs(all), "p00")
	if at < 0 || at >= 10 {
		t.Fatalf("网贷未逾期却突然无法借款… at %d of %v, want on the first page", at, hitIDs(all))
	}
	if all.Hits[at].Relaxed {
		t.Errorf("hit %d relaxed: it matches the question by its pairs, as strictly as the others by its words", at)
	}
	for _, id := range []string{"p13", "p14", "p15"} { // 红烧肉, 西湖, 花呗
		if slices.Contains(hitIDs(all), id) {
			t.Errorf("%s shares no word and no pair with the question, and is listed", id)
		}
	}
	if ids := hitIDs(all); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Errorf("a hit listed twice: %v", ids)
	}
	if int(all.Total) != len(all.Hits) {
		t.Errorf("total %d, %d hits listed", all.Total, len(all.Hits))
	}
	for i := 1; i < len(all.Hits); i++ {
		if all.Hits[i].Score > all.Hits[i-1].Score {
			t.Errorf("hit %d scores %.4g, above the hit before it (%.4g)", i, all.Hits[i].Score, all.Hits[i-1].Score)
		}
	}
	for _, size := range []int{3, 7} {
		var joined []string
		for page := 1; (page-1)*size < len(all.Hits); page++ {
			res := searchPage(t, ix, pairQuestion, page, size)
			if res.Total != all.Total {
				t.Errorf("pages of %d, page %d: total %d; one page: %d", size, page, res.Total, all.Total)
			}
			joined = append(joined, hitIDs(res)...)
		}
		got, want := slices.Clone(joined), hitIDs(all)
		slices.Sort(got)
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pages of %d joined hold %v\none page holds %v", size, joined, hitIDs(all))
		}
	}
}

// TestPairMatchesListedOnce: when a long question's words and pairs find
// less than a page, the relaxation ladder runs, and its steps, down to
// the one by shared pairs, list no pair match again.
func TestPairMatchesListedOnce(t *testing.T) {
	var articles []zhsearch.Article
	for _, a := range pairCorpus {
		switch a.ID {
		case "p01", "p03", "p04", "p05", "p06", "p07", "p10", "p12":
			continue // fewer titles holding the question's words
		}
		articles = append(articles, a)
	}
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	all := searchPage(t, ix, pairQuestion, 1, 30)
	ids := hitIDs(all)
	if !slices.Contains(ids, "p00") || !all.Relaxed {
		t.Fatalf("hits %v (relaxed %v): want 网贷未逾期却突然无法借款… and relaxed hits after it", ids, all.Relaxed)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Errorf("a hit listed twice: %v", ids)
	}
	if int(all.Total) != len(ids) {
		t.Errorf("total %d, %d hits listed", all.Total, len(ids))
	}
}

// TestPairQuorum: a long question's pair matches share a quarter of the
// pairs inside its words, at least two; the pairs of its fillers (时从,
// 是网, 贷点 …) are not counted.
func TestPairQuorum(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	tests := []struct {
		query string
		want  int
	}{
		{"平时从没逾期过,就是网贷点多了大数据花了,要是去申请信用卡还能批下来吗", 2},
		{"花呗逾期", 2},
		{"网贷逾期催收起诉征信修复房贷审批信用卡额度利息", 3},
	}
	for _, tt := range tests {
		aq := ix.analyze(tt.query)
		if got := pairQuorum(&aq); got != tt.want {
			t.Errorf("%s: quorum %d of %d pairs %v, want %d", tt.query, got, len(aq.bigrams), aq.bigrams, tt.want)
		}
	}
}

// TestLongQuestionRerankWindow: on the site-shaped corpus of the readers'
// questions (testdata/questions), a full question's background words bring
// more than 20 titles on them above the one on what it asks; its rerank
// window of 40 still holds that title, and puts it on the first page. A
// short query keeps a window of 20. The questions are of the suite's
// tuning half, the titles their judged answers (grade 2).
func TestLongQuestionRerankWindow(t *testing.T) {
	ix := questionsIndex(t)
	ix.SetSearchCacheSize(0)
	ctx := context.Background()
	for _, tt := range []struct{ question, answer string }{
		{"网贷下周就到期了,可工资要月底才发,听说能找平台申请展期,展期具体是什么意思,算不算逾期", "什么是贷款展期"},
		{"二手房买卖合同已经签了,卖家天天催着要尾款,银行那边的房贷从交完材料到批下来,一般要等多少个工作日啊", "房贷审批需要多长时间"},
	} {
		aq := ix.analyze(tt.question)
		if got := depthOf(&aq); got != rerankDepthLong {
			t.Fatalf("%s: window %d, want %d", tt.question, got, rerankDepthLong)
		}
		q, err := ix.searchQuery(ctx, &aq)
		if err != nil {
			t.Fatal(err)
		}
		engine, _, err := ix.relaxedPage(ctx, &aq, q, 1, rerankDepthLong)
		if err != nil {
			t.Fatal(err)
		}
		at := slices.IndexFunc(engine.Hits, func(h *search.DocumentMatch) bool { return h.Fields[fTitle] == tt.answer })
		if at < rerankDepth {
			t.Errorf("%s: the engine alone ranks %s at %d (of %d hits): the corpus no longer tells", tt.question, tt.answer, at, len(engine.Hits))
			continue
		}
		res := searchPage(t, ix, tt.question, 1, 10)
		if !slices.ContainsFunc(res.Hits, func(h zhsearch.Hit) bool { return h.Title == tt.answer }) {
			t.Errorf("%s: first page %v; want %s on it (the engine ranks it at %d)", tt.question, hitIDs(res), tt.answer, at)
		}
	}
	short := ix.analyze("网贷展期是什么意思")
	if got := depthOf(&short); got != rerankDepth {
		t.Errorf("网贷展期是什么意思: window %d, want %d", got, rerankDepth)
	}
}
