package index_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/gen"
)

// relatedCorpus is a small corpus for the engine's rules: a cluster on
// 花呗风控 with two near-duplicate pairs, a listed title that shares nothing
// (围棋入门), articles reachable only as fallbacks, and one that relates to
// nothing.
var relatedCorpus = []zhsearch.Article{
	{ID: "a1", Title: "花呗风控了怎么解除", Tags: []string{"花呗", "风控"}, Category: "花呗",
		Body:    "花呗被风控后无法付款。解除花呗风控要先停止套现和异常交易，还清逾期账单，保持正常消费，风控一般一到三个月解除。",
		Related: []string{"围棋入门", "花呗风控多久能恢复"}},
	{ID: "a2", Title: "花呗风控了如何解除", Tags: []string{"花呗", "风控"}, Category: "花呗",
		Body: "花呗风控解除的办法：停止套现等异常交易，还清逾期账单，之后正常消费，花呗风控通常一到三个月自动解除。"},
	{ID: "a3", Title: "花呗风控多久能恢复", Tags: []string{"花呗", "风控"}, Category: "花呗",
		Body: "花呗风控的恢复时间一般是一到三个月。期间按时还清账单，停止套现交易，保持正常消费，花呗风控会逐步解除。"},
	{ID: "a4", Title: "花呗风控的原因有哪些", Tags: []string{"花呗", "风控"}, Category: "花呗",
		Body: "花呗风控的常见原因是套现、逾期和异常交易。系统发现这些风险后会限制花呗付款，直到风控解除。"},
	{ID: "a5", Title: "花呗风控的原因有什么", Tags: []string{"花呗", "风控"}, Category: "花呗",
		Body: "触发花呗风控的原因主要是套现交易、账单逾期和异常消费，风控解除前花呗无法正常付款。"},
	{ID: "a6", Title: "围棋入门", Tags: []string{"围棋"}, Category: "棋类",
		Body: "围棋使用十九路棋盘，黑白双方轮流落子，围住的地盘多者获胜。"},
	{ID: "f1", Title: "多肉植物浇水方法", Tags: []string{"多肉", "园艺"}, Category: "园艺",
		Body: "多肉植物耐旱，浇水要见干见湿，盆土完全干透后再浇透，冬季减少浇水。", Related: []string{"阳台种菜技巧"}},
	{ID: "f2", Title: "仙人掌开花的条件", Tags: []string{"园艺"}, Category: "花卉",
		Body: "仙人掌需要充足的阳光和昼夜温差才会开花。"},
	{ID: "f3", Title: "月季冬季修剪", Tags: []string{"月季"}, Category: "园艺",
		Body: "月季在休眠期剪掉枯枝和弱枝，保留健壮的主枝。"},
	{ID: "f4", Title: "阳台种菜技巧", Category: "生活",
		Body: "阳台种菜选择小白菜、生菜等好养的品种，注意通风和光照。"},
	{ID: "e1", Title: "马拉松赛前训练安排", Body: "赛前一周减少跑量，保持配速感觉，比赛前两天充分休息。"},
}

// relatedIDs returns the ids of a related list and whether each is a
// fallback or a weaker match ("id", "id*" or "id~").
func relatedIDs(items []zhsearch.RelatedItem) []string {
	out := []string{}
	for _, it := range items {
		id := it.ID
		switch it.Reason {
		case zhsearch.ReasonFallback:
			id += "*"
		case zhsearch.ReasonWeak:
			id += "~"
		}
		out = append(out, id)
	}
	return out
}

func relatedOf(t *testing.T, ix *index.Index, req zhsearch.RelatedRequest) []zhsearch.RelatedItem {
	t.Helper()
	res, err := ix.Related(context.Background(), req)
	if err != nil {
		t.Fatalf("Related(%+v): %v", req, err)
	}
	if res.Related == nil {
		t.Fatalf("Related(%+v) = nil list, want a list (maybe empty)", req)
	}
	return res.Related
}

func TestRelatedLists(t *testing.T) {
	ix := buildIndex(t, relatedCorpus)
	tests := []struct {
		name string
		req  zhsearch.RelatedRequest
		want []string // ids, * marks a fallback
	}{
		// a2 is a near-duplicate of a1 itself and never shows; of a4 and a5
		// (near-duplicates) only the first shows; 围棋入门, which a1 lists
		// but shares nothing with, comes last as a fallback.
		{"near-duplicates collapse", zhsearch.RelatedRequest{ID: "a1", Size: 5}, []string{"a3", "a5", "a6*"}},
		{"size cuts the list", zhsearch.RelatedRequest{ID: "a1", Size: 1}, []string{"a3"}},
		// Nothing shares words with f1: the same tag (f2), the same
		// category (f3), then its own 相关内容 (f4) fill the list.
		{"fallback order", zhsearch.RelatedRequest{ID: "f1", Size: 5}, []string{"f2*", "f3*", "f4*"}},
		{"fallback cut by size", zhsearch.RelatedRequest{ID: "f1", Size: 2}, []string{"f2*", "f3*"}},
		// No shared words, tags, category or 相关内容: nothing, not random
		// articles.
		{"nothing related", zhsearch.RelatedRequest{ID: "e1", Size: 5}, []string{}},
		{"draft", zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{
			Title: "花呗风控怎么办", Body: "花呗被风控了，不能付款，想知道风控多久解除。"}}, []string{"a1", "a4", "a3"}},
		{"draft tags fall back", zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{
			Title: "绿萝怎么养", Tags: []string{"园艺"}}}, []string{"f2*", "f1*"}},
		{"draft with nothing related", zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{
			Title: "如何泡好一壶绿茶", Body: "绿茶讲究鲜爽，水温不宜过高。"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := relatedIDs(relatedOf(t, ix, tt.req)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("related = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRelatedListedBoost: of two results equally similar to the source, the
// one its 相关内容 lists comes first, whichever it is.
func TestRelatedListedBoost(t *testing.T) {
	body := "花呗风控解除需要停止套现交易，还清逾期账单，保持正常消费，一般一到三个月花呗风控会自动解除。"
	base := []zhsearch.Article{
		{ID: "b", Title: "花呗风控解除的方法", Body: body},
		{ID: "c", Title: "花呗风控解除的步骤", Body: body},
	}
	for _, listed := range []string{"b", "c"} {
		t.Run(listed, func(t *testing.T) {
			title := map[string]string{"b": base[0].Title, "c": base[1].Title}[listed]
			src := zhsearch.Article{ID: "s", Title: "花呗被风控了该怎么办", Body: body, Related: []string{title}}
			ix := buildIndex(t, append([]zhsearch.Article{src}, base...))
			got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{ID: "s", Size: 5}))
			if len(got) != 2 || got[0] != listed {
				t.Errorf("related = %v, want %s first of b and c", got, listed)
			}
		})
	}
}

// TestRelatedMinMatch: an article that shares one title word with the
// source is a weaker match however low the score threshold; with MinMatch 1
// it is similar.
func TestRelatedMinMatch(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "m1", Title: "信用卡年费怎么免", Body: "信用卡年费可以通过刷卡次数达标免除，也可以致电银行申请减免。"},
		{ID: "m2", Title: "信用卡积分兑换", Body: "积分能在商城里兑换礼品或者航空里程。"},
	})
	for _, tt := range []struct {
		minMatch int
		want     []string
	}{{2, []string{"m2~"}}, {1, []string{"m2"}}} {
		o := index.DefaultRelatedOptions()
		o.MinMatch, o.MinScore = tt.minMatch, 0
		if err := ix.SetRelatedOptions(o); err != nil {
			t.Fatal(err)
		}
		if got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{ID: "m1", Size: 5})); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MinMatch %d: related = %v, want %v", tt.minMatch, got, tt.want)
		}
	}
}

// TestRelatedDupOptions: the near-duplicate measure and threshold decide
// what collapses.
func TestRelatedDupOptions(t *testing.T) {
	ix := buildIndex(t, relatedCorpus)
	tests := []struct {
		name    string
		measure index.TitleSimilarity
		thresh  float64
		want    []string
	}{
		{"default", index.BigramJaccard, 0.6, []string{"a3", "a5", "a6*"}},
		// Only identical keys collapse: a4 (same key as a5) still does, and
		// a2 (same key as a1) stays out.
		{"identical keys only", index.BigramJaccard, 1, []string{"a3", "a5", "a6*"}},
		// A threshold every 花呗风控 title reaches against a1's own: all of
		// them are near-duplicates of the source.
		{"overlap, low", index.BigramOverlap, 0.3, []string{"a6*"}},
		// A measure that never finds duplicates keeps them all.
		{"never", func(a, b string) float64 { return 0 }, 0.6, []string{"a2", "a3", "a5", "a4", "a6*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := index.DefaultRelatedOptions()
			o.DupSimilarity, o.DupThreshold = tt.measure, tt.thresh
			if err := ix.SetRelatedOptions(o); err != nil {
				t.Fatal(err)
			}
			if got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{ID: "a1", Size: 5})); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("related = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRelatedSplicedDuplicate: a title that is another with a word
// inserted in the middle (征信花了如何快速修复) is a near-duplicate of it under
// the default measure, and is not shown beside it or for it; bigram
// Jaccard alone let it through.
func TestRelatedSplicedDuplicate(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "s1", Title: "征信花了怎么修复", Body: "征信花了是指征信报告上的查询记录太多，修复要先停止申请网贷，养半年征信。"},
		{ID: "s2", Title: "征信花了如何快速修复", Body: "征信花了想快速修复，先停止申请贷款和信用卡，保持按时还款，查询记录会慢慢变少。"},
		{ID: "s3", Title: "征信花了还能贷款吗", Body: "征信花了以后银行贷款很难通过，可以等查询记录减少后再申请。"},
		{ID: "s4", Title: "征信花了多久能恢复", Body: "征信花了一般养三到六个月，查询记录少了征信就会慢慢恢复。"},
	})
	tests := []struct {
		name    string
		measure index.TitleSimilarity
		want    []string
	}{
		{"default", index.DefaultRelatedOptions().DupSimilarity, []string{"s4", "s3"}},
		{"bigram Jaccard", index.BigramJaccard, []string{"s2", "s4", "s3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := index.DefaultRelatedOptions()
			o.DupSimilarity = tt.measure
			if err := ix.SetRelatedOptions(o); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, it := range relatedOf(t, ix, zhsearch.RelatedRequest{ID: "s1", Size: 5}) {
				got = append(got, it.ID)
			}
			sort.Strings(got)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("related(s1) = %v, want %v (in any order)", got, want)
			}
		})
	}
}

// TestRelatedShortDraftBodyWords: every word of a draft of a sentence or
// two names its subject, so titles that share only a word of its body
// (车险) fill the list as weaker matches; a long article's body words do
// not make a match alone.
func TestRelatedShortDraftBodyWords(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "v1", Title: "车险理赔流程详解", TitleOnly: true},
		{ID: "v2", Title: "车险到期了怎么续保", TitleOnly: true},
		{ID: "v3", Title: "车险出险后第二年保费涨多少", TitleOnly: true},
		{ID: "v4", Title: "花呗逾期一天有什么影响", TitleOnly: true},
		{ID: "v5", Title: "网贷逾期会被起诉吗", TitleOnly: true},
	})
	draft := &zhsearch.Article{Title: "车子被刮了", Body: "停在小区的车被人刮了，想走车险理赔，不知道流程。"}
	got := []string{}
	for _, it := range relatedOf(t, ix, zhsearch.RelatedRequest{Draft: draft, Size: 3}) {
		got = append(got, it.ID)
	}
	sort.Strings(got)
	if want := []string{"v1", "v2", "v3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("related(draft) = %v, want %v (in any order)", got, want)
	}
	long := &zhsearch.Article{Title: "花呗逾期一天会怎样", Body: strings.Repeat("花呗逾期一天会影响芝麻信用，要尽快还款。", 3) +
		"我朋友说他的车险很贵，和花呗没有关系。借呗、信用卡、房贷、车贷、网贷、白条、分期乐都各有各的规则，还款日前要准备好资金，逾期罚息按日计算，征信记录保留五年，协商还款要找官方客服，不要相信代理。"}
	for _, it := range relatedOf(t, ix, zhsearch.RelatedRequest{Draft: long, Size: 3}) {
		if strings.HasPrefix(it.Title, "车险") {
			t.Errorf("related(long draft) holds %s, which shares only a word of its body (%s %v)", it.Title, it.Reason, it.Reasons)
		}
	}
}

func TestSetRelatedOptionsErrors(t *testing.T) {
	ix := buildIndex(t, relatedCorpus[:1])
	for _, change := range []func(o *index.RelatedOptions){
		func(o *index.RelatedOptions) { o.MaxTerms = 0 },
		func(o *index.RelatedOptions) { o.MaxTerms = 1000 },
		func(o *index.RelatedOptions) { o.MinMatch = 0 },
		func(o *index.RelatedOptions) { o.MinScore = 2 },
		func(o *index.RelatedOptions) { o.MinScore = -0.5 },
		func(o *index.RelatedOptions) { o.TitleShare = 1.5 },
		func(o *index.RelatedOptions) { o.ListedBoost = -1 },
		func(o *index.RelatedOptions) { o.TagBoost = -1 },
		func(o *index.RelatedOptions) { o.CurationBoost = -1 },
		func(o *index.RelatedOptions) { o.ExpandWeight = -1 },
		func(o *index.RelatedOptions) { o.LeadBoost = -1 },
		func(o *index.RelatedOptions) { o.WeakFactor = -0.1 },
		func(o *index.RelatedOptions) { o.WeakFactor = 1.5 },
		func(o *index.RelatedOptions) { o.DupSimilarity = nil },
		func(o *index.RelatedOptions) { o.DupThreshold = 0 },
		func(o *index.RelatedOptions) { o.DupThreshold = 1.5 },
	} {
		o := index.DefaultRelatedOptions()
		change(&o)
		if err := ix.SetRelatedOptions(o); err == nil {
			t.Errorf("SetRelatedOptions(%+v) = nil, want an error", o)
		}
	}
	if err := ix.SetRelatedOptions(index.RelatedOptions{}); err == nil {
		t.Error("SetRelatedOptions(zero value) = nil, want an error")
	}
}

// TestRelatedProperties checks every article of the judged corpus: the list
// never holds its source, an article twice, two near-duplicates or a
// near-duplicate of the source; similar items (reaching MinScore) and weaker
// matches come before fallbacks, carry reasons, and every reason is a word
// of the source that the item holds, or a synonym of it.
func TestRelatedProperties(t *testing.T) {
	f := loadRelatedSuite(t)
	seg := analysis.DefaultSegmenter()
	text := map[string]string{}
	for _, a := range f.articles {
		text[a.ID] = analysis.Normalize(a.Title + " " + strings.Join(a.Tags, " ") + " " + a.Body)
	}
	opts := index.DefaultRelatedOptions()
	for _, a := range f.articles {
		items := relatedOf(t, f.ix, zhsearch.RelatedRequest{ID: a.ID, Size: zhsearch.MaxRelatedSize})
		seen := map[string]bool{}
		fallback := false
		srcKey := index.DupKey(seg, a.Title)
		for i, it := range items {
			switch {
			case it.ID == a.ID:
				t.Errorf("%s: the list holds the source", a.ID)
			case seen[it.ID]:
				t.Errorf("%s: %s is listed twice", a.ID, it.ID)
			case opts.DupSimilarity(srcKey, index.DupKey(seg, it.Title)) >= opts.DupThreshold:
				t.Errorf("%s %q: %q is a near-duplicate of the source", a.ID, a.Title, it.Title)
			}
			seen[it.ID] = true
			if it.Score < 0 || it.Score > 1 {
				t.Errorf("%s: %q scores %.3f, outside 0–1 (min_score's range)", a.ID, it.Title, it.Score)
			}
			for _, prev := range items[:i] {
				if opts.DupSimilarity(index.DupKey(seg, prev.Title), index.DupKey(seg, it.Title)) >= opts.DupThreshold {
					t.Errorf("%s: %q and %q are near-duplicates", a.ID, prev.Title, it.Title)
				}
			}
			if it.Reason == zhsearch.ReasonFallback {
				fallback = true
				continue
			}
			if fallback {
				t.Errorf("%s: item %q after a fallback", a.ID, it.Title)
			}
			switch {
			case it.Reason == zhsearch.ReasonSimilar && it.Score < opts.MinScore,
				it.Reason != zhsearch.ReasonSimilar && it.Reason != zhsearch.ReasonWeak,
				len(it.Reasons) == 0:
				t.Errorf("%s: item %q has reason %q, reasons %v, score %.3f", a.ID, it.Title, it.Reason, it.Reasons, it.Score)
			}
			for _, w := range it.Reasons {
				held := strings.Contains(text[it.ID], w)
				for _, syn := range seg.Lexicon().Synonyms(w) {
					held = held || strings.Contains(text[it.ID], syn)
				}
				if !strings.Contains(text[a.ID], w) || !held {
					t.Errorf("%s: reason %q of %q is not a word of both (or a synonym in the item)", a.ID, w, it.Title)
				}
			}
		}
	}
}

func TestRelatedCache(t *testing.T) {
	ix := buildIndex(t, relatedCorpus)
	ctx := context.Background()
	req := zhsearch.RelatedRequest{ID: "a1", Size: 5}
	first, err := ix.Related(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	first.Related[0].Title = "changed by the caller"
	first.Related[0].Reasons[0] = "changed"
	second, err := ix.Related(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if second.Related[0].Title == "changed by the caller" || second.Related[0].Reasons[0] == "changed" {
		t.Error("a caller's change to a result reached the cache")
	}
	// counts are the stats without the bytes, which cachedBytes checks.
	counts := func() index.RelatedCacheStats {
		t.Helper()
		got := ix.RelatedCacheStats()
		if got.Entries > 0 && (got.Bytes <= 0 || got.Bytes > got.Budget) {
			t.Errorf("%d lists hold %d bytes, budget %d: want some, within it", got.Entries, got.Bytes, got.Budget)
		}
		got.Bytes, got.Budget = 0, 0
		return got
	}
	want := index.RelatedCacheStats{Hits: 1, Misses: 1, Entries: 1}
	if got := counts(); got != want {
		t.Errorf("after a miss and a hit: %+v, want %+v", got, want)
	}
	// Another size is another list.
	if _, err := ix.Related(ctx, zhsearch.RelatedRequest{ID: "a1", Size: 2}); err != nil {
		t.Fatal(err)
	}
	// Drafts are not cached.
	draft := zhsearch.RelatedRequest{Draft: &zhsearch.Article{Title: "花呗风控怎么办"}}
	for range 2 {
		if _, err := ix.Related(ctx, draft); err != nil {
			t.Fatal(err)
		}
	}
	want = index.RelatedCacheStats{Hits: 1, Misses: 2, Entries: 2}
	if got := counts(); got != want {
		t.Errorf("after another size and two drafts: %+v, want %+v", got, want)
	}
	v := ix.Version()
	ix.Invalidate()
	if ix.Version() != v+1 {
		t.Errorf("Version = %d after Invalidate, want %d", ix.Version(), v+1)
	}
	if got := ix.RelatedCacheStats().Entries; got != 0 {
		t.Errorf("%d cached lists after Invalidate, want 0", got)
	}
	third, err := ix.Related(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want = index.RelatedCacheStats{Hits: 1, Misses: 3, Entries: 1}
	if got := counts(); got != want {
		t.Errorf("after Invalidate and a call: %+v, want %+v", got, want)
	}
	if !reflect.DeepEqual(third, second) {
		t.Errorf("recomputed list %+v differs from the cached one %+v", third, second)
	}
}

// TestRelatedCacheNewGeneration: a reindex opens a new generation with its
// own cache, which sees the new articles; the old generation keeps
// answering from its own.
func TestRelatedCacheNewGeneration(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	open := func(articles []zhsearch.Article) *index.Index {
		t.Helper()
		if _, err := index.BuildArticles(ctx, dir, articles, index.BuildOptions{}); err != nil {
			t.Fatal(err)
		}
		ix, err := index.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}
	req := zhsearch.RelatedRequest{ID: "a1", Size: 5}
	old := open(relatedCorpus)
	before := relatedIDs(relatedOf(t, old, req))
	relatedOf(t, old, req) // now cached
	added := zhsearch.Article{ID: "a7", Title: "花呗风控解除后多久恢复额度", Tags: []string{"花呗", "风控"},
		Body: "花呗风控解除后，按时还清账单，保持正常消费和交易，额度一般一到三个月恢复。"}
	fresh := open(append(append([]zhsearch.Article(nil), relatedCorpus...), added))
	after := relatedIDs(relatedOf(t, fresh, req))
	if !contains(after, "a7") {
		t.Errorf("new generation: related = %v, want it to hold the new article a7", after)
	}
	if got := relatedIDs(relatedOf(t, old, req)); !reflect.DeepEqual(got, before) || contains(got, "a7") {
		t.Errorf("old generation: related = %v, want %v as before", got, before)
	}
	if s := fresh.RelatedCacheStats(); s.Hits != 0 || s.Misses != 1 {
		t.Errorf("new generation cache %+v, want one miss and no hit", s)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestRelatedConcurrent runs related lists in parallel with invalidations
// (go test -race): every answer equals the one computed alone.
func TestRelatedConcurrent(t *testing.T) {
	ix := buildIndex(t, relatedCorpus)
	want := map[string][]string{}
	for _, a := range relatedCorpus {
		want[a.ID] = relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{ID: a.ID, Size: 5}))
	}
	ix.Invalidate()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				a := relatedCorpus[(g+i)%len(relatedCorpus)]
				res, err := ix.Related(context.Background(), zhsearch.RelatedRequest{ID: a.ID, Size: 5})
				if err != nil {
					t.Error(err)
					return
				}
				if got := relatedIDs(res.Related); !reflect.DeepEqual(got, want[a.ID]) {
					t.Errorf("%s: related = %v, want %v", a.ID, got, want[a.ID])
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			ix.Invalidate()
		}
	})
	wg.Wait()
}

func TestRelatedErrors(t *testing.T) {
	ix := buildIndex(t, relatedCorpus)
	ctx := context.Background()
	for _, tt := range []struct {
		req  zhsearch.RelatedRequest
		code string
	}{
		{zhsearch.RelatedRequest{ID: "nope"}, zhsearch.ENOTFOUND},
		{zhsearch.RelatedRequest{ID: "a/b"}, zhsearch.ENOTFOUND},
		{zhsearch.RelatedRequest{ID: "a1", Size: 21}, zhsearch.EINVALID},
		{zhsearch.RelatedRequest{Draft: &zhsearch.Article{Title: " "}}, zhsearch.EINVALID},
	} {
		if _, err := ix.Related(ctx, tt.req); zhsearch.ErrorCode(err) != tt.code {
			t.Errorf("Related(%+v) error %v, want code %s", tt.req, err, tt.code)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ix.Invalidate()
	if _, err := ix.Related(cancelled, zhsearch.RelatedRequest{ID: "a1"}); zhsearch.ErrorCode(err) != zhsearch.ETIMEOUT {
		t.Errorf("cancelled Related error %v, want code %s", err, zhsearch.ETIMEOUT)
	}
}

// TestRelatedFillsList: a title-only source or a one-line draft whose
// subject many articles share gets a full list, weaker matches marked
// ReasonWeak after the similar ones; an everyday word of a short draft's
// body fills a slot only where an article's title holds it (朋友, not 保持);
// min_score hides the weaker matches.
func TestRelatedFillsList(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "s", Title: "网贷逾期被起诉怎么办", TitleOnly: true},
		{ID: "n1", Title: "网贷逾期多久会被平台起诉", Body: "网贷逾期以后平台可能起诉借款人。"},
		{ID: "n2", Title: "网贷平台哪个正规", Body: "选择持牌的网贷平台。"},
		{ID: "n3", Title: "网贷利息怎么算", Body: "按日计息。"},
		{ID: "n4", Title: "网贷额度突然没了", Body: "额度被收回的原因。"},
		{ID: "n5", Title: "网贷还款日能改吗", Body: "部分平台支持修改。"},
		{ID: "n6", Title: "网贷能不能提前还", Body: "提前还款要看合同。"},
		{ID: "x1", Title: "马拉松配速训练", Body: "保持稳定的配速，平台期不要着急。"},
		{ID: "f1", Title: "朋友借钱不还怎么办", Body: "先沟通，再考虑起诉。"},
	})
	for _, tt := range []struct {
		name string
		req  zhsearch.RelatedRequest
		want []string
	}{
		{"title-only source", zhsearch.RelatedRequest{ID: "s", Size: 5}, []string{"n1", "n2~", "n3~", "n4~", "n5~"}},
		{"one-line draft", zhsearch.RelatedRequest{Size: 3, Draft: &zhsearch.Article{Title: "网贷逾期被起诉了"}}, []string{"s", "n1", "n2~"}},
		{"body word fills nothing", zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "冬季跑步注意事项", Body: "冬天跑步要保持体温。"}}, []string{}},
		// An everyday word of a one-line draft's body (朋友) fills a slot
		// where an article's title holds it.
		{"draft body word in a title", zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "借条怎么写", Body: "朋友找我借五万块钱，想让他写张借条。"}}, []string{"f1~"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			items := relatedOf(t, ix, tt.req)
			got := relatedIDs(items)
			if len(got) != len(tt.want) {
				t.Fatalf("related = %v, want %v", got, tt.want)
			}
			for i := range got {
				// The weaker matches tie on score; their order is by id
				// among equals only, so compare the kinds and the first.
				if strings.HasSuffix(got[i], "~") != strings.HasSuffix(tt.want[i], "~") || (i == 0 && got[0] != tt.want[0]) {
					t.Errorf("related = %v, want %v", got, tt.want)
					break
				}
			}
			for _, it := range items {
				if it.Reason == zhsearch.ReasonWeak && (it.Score <= 0 || len(it.Reasons) == 0) {
					t.Errorf("weak item %+v: want a score and the shared words", it)
				}
			}
			if len(items) == 0 {
				return
			}
			// min_score at the first item's score keeps it and hides the
			// weaker matches below it.
			req := tt.req
			req.MinScore = items[0].Score
			kept := relatedOf(t, ix, req)
			for _, it := range kept {
				if it.Score < req.MinScore {
					t.Errorf("min_score %.3f kept %+v", req.MinScore, it)
				}
			}
			if len(kept) == 0 || kept[0].ID != items[0].ID || len(items) > 1 && len(kept) == len(items) {
				t.Errorf("min_score %.3f: %v, want the first item only", req.MinScore, relatedIDs(kept))
			}
		})
	}
}

// TestRelatedCuration: the site's 相关内容 lists raise relatedness, weighed
// by how focused each list is. An article a focused page lists beside the
// source comes first of two similar ones, whichever it is; beside the
// source in a list spread over many subjects, the evidence hardly moves its
// score. A page that lists the source is raised too, and more when the
// source lists it back.
// TestCurationAmongManyLists: the page listing the source is found however
// many other pages' lists hold the source title's words in other titles
// (a common title's words are in thousands of lists on a large site), so
// a title listed beside the source in a focused list still comes first.
// Before the lists' titles were indexed whole (related_key), only the
// first 20 pages whose lists held the words, by id, were read.
func TestCurationAmongManyLists(t *testing.T) {
	body := "网贷逾期以后平台会催收，可以和平台协商还款。"
	articles := []zhsearch.Article{
		{ID: "s", Title: "网贷逾期了怎么办", Body: body},
		{ID: "c1", Title: "网贷逾期催收电话怎么应对", Body: body},
		{ID: "c2", Title: "网贷逾期协商还款技巧", Body: body},
		{ID: "p1", Title: "生活百科", Body: "百科", Related: []string{"网贷逾期了怎么办", "网贷逾期协商还款技巧"}},
	}
	for i := range 30 {
		articles = append(articles, zhsearch.Article{
			ID: fmt.Sprintf("d%02d", i), Title: fmt.Sprintf("生活百科第%d期", i), Body: "百科",
			Related: []string{"网贷平台有哪些", "逾期记录怎么查", "信用卡丢了怎么办"},
		})
	}
	with, without := curationOnOff(t, buildIndex(t, articles), zhsearch.RelatedRequest{ID: "s", Size: 2})
	if raised := itemScore(with, "c2") - itemScore(without, "c2"); len(with) == 0 || with[0].ID != "c2" || raised < 0.05 {
		t.Errorf("related %v, c2 raised by %.3f: want c2, listed beside the source by p1, first and raised by 0.05 or more", relatedIDs(with), raised)
	}
}

// curationOnOff returns the list req asks for with the default options,
// then with CurationBoost 0 (which ix keeps).
func curationOnOff(t *testing.T, ix *index.Index, req zhsearch.RelatedRequest) (with, without []zhsearch.RelatedItem) {
	t.Helper()
	with = relatedOf(t, ix, req)
	o := index.DefaultRelatedOptions()
	o.CurationBoost = 0
	if err := ix.SetRelatedOptions(o); err != nil {
		t.Fatal(err)
	}
	return with, relatedOf(t, ix, req)
}

// itemScore is the score of id in items, 0 when it is not there.
func itemScore(items []zhsearch.RelatedItem, id string) float64 {
	for _, it := range items {
		if it.ID == id {
			return it.Score
		}
	}
	return 0
}

func TestRelatedCuration(t *testing.T) {
	body := "网贷逾期以后平台会催收，可以和平台协商还款。"
	var spread []string // a list on many subjects, one title each
	for _, s := range []string{"围棋", "马拉松", "多肉", "月季", "绿茶", "露营", "围巾", "钢琴", "油画", "摄影", "滑雪", "潜水"} {
		spread = append(spread, s+"入门")
	}
	base := []zhsearch.Article{
		{ID: "s", Title: "网贷逾期了怎么办", Body: body},
		{ID: "c1", Title: "网贷逾期催收电话怎么应对", Body: body},
		{ID: "c2", Title: "网贷逾期协商还款技巧", Body: body},
	}
	title := map[string]string{"c1": base[1].Title, "c2": base[2].Title}
	scoreOf := func(items []zhsearch.RelatedItem, id string) float64 {
		for _, it := range items {
			if it.ID == id {
				return it.Score
			}
		}
		t.Fatalf("%s is not in the list %v", id, relatedIDs(items))
		return 0
	}
	for _, c := range []string{"c1", "c2"} {
		for _, tt := range []struct {
			name    string
			list    []string
			focused bool
		}{
			{"focused", []string{"网贷逾期了怎么办", title[c]}, true},
			{"spread", append(append([]string{}, spread...), "网贷逾期了怎么办", title[c]), false},
		} {
			t.Run(tt.name+" "+c, func(t *testing.T) {
				page := zhsearch.Article{ID: "p1", Title: "生活百科", Body: "百科", Related: tt.list}
				ix := buildIndex(t, append(append([]zhsearch.Article(nil), base...), page))
				with, without := curationOnOff(t, ix, zhsearch.RelatedRequest{ID: "s", Size: 2})
				raised := scoreOf(with, c) - scoreOf(without, c)
				switch {
				case tt.focused && (with[0].ID != c || raised < 0.05):
					t.Errorf("listed beside the source in a focused list: related %v, %s raised by %.3f; want it first, raised by 0.05 or more", relatedIDs(with), c, raised)
				case !tt.focused && (raised <= 0 || raised > 0.01):
					t.Errorf("listed beside the source among many subjects: %s raised by %.3f, want a little (0, 0.01]", c, raised)
				}
			})
		}
	}
	// A page listing the source is raised by the evidence; listing each
	// other raises it more.
	score := func(src zhsearch.Article, page zhsearch.Article) float64 {
		t.Helper()
		ix := buildIndex(t, []zhsearch.Article{src, base[1], base[2], page})
		return scoreOf(relatedOf(t, ix, zhsearch.RelatedRequest{ID: "s", Size: 5}), "p")
	}
	page := zhsearch.Article{ID: "p", Title: "网贷逾期后的协商指南", Body: body}
	listing := page
	listing.Related = []string{"网贷逾期了怎么办"}
	mutual := base[0]
	mutual.Related = []string{page.Title}
	none, listed, both := score(base[0], page), score(base[0], listing), score(mutual, listing)
	if !(none < listed && listed < both) {
		t.Errorf("page scores: not listing %.3f, listing the source %.3f, listing each other %.3f: want increasing", none, listed, both)
	}
}

// TestRelatedSynonymsAndQuestionWords: an article that holds a synonym of a
// source word (data/dict/synonyms.txt: 借钱 and 借款) shares that word, given
// as the source's in the reasons; a question word (多久) relates nothing by
// itself.
func TestRelatedSynonymsAndQuestionWords(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "b1", Title: "借款平台哪个正规", Body: "选择持牌机构的借款平台。"},
		{ID: "q1", Title: "护照办理要多久", Body: "一般十五个工作日。"},
	})
	items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "急需借钱多久能到账"}})
	if got := relatedIDs(items); len(got) != 1 || strings.TrimRight(got[0], "~") != "b1" {
		t.Fatalf("related = %v, want b1 only (借款 for 借钱; 多久 alone relates nothing)", got)
	}
	if !slices.Contains(items[0].Reasons, "借钱") {
		t.Errorf("reasons %v, want the source's word 借钱", items[0].Reasons)
	}
}

// TestRelatedQuestionWordWithParticle: a question word with its final
// particle, cut as one word (靠谱吗), relates nothing by itself, as the
// question word does: 黄金分期平台靠谱吗 is no match for 支付宝租手机靠谱吗.
func TestRelatedQuestionWordWithParticle(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "g1", Title: "黄金分期平台靠谱吗", Body: "分期买黄金要看平台资质。"},
		{ID: "z1", Title: "支付宝租手机回收服务详解", Body: "租来的手机不能转卖。"},
	})
	items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "支付宝租手机靠谱吗"}})
	if got := relatedIDs(items); len(got) != 1 || strings.TrimRight(got[0], "~") != "z1" {
		t.Fatalf("related = %v, want z1 only (靠谱吗 alone relates nothing)", got)
	}
}

// TestRelatedReasonsJoinPairs: a word the dictionary does not know (羊小咩,
// cut into single characters) is matched by its character pairs, and the
// reasons give it whole, not as 羊小 and 小咩.
func TestRelatedReasonsJoinPairs(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "y1", Title: "羊小咩售后服务指南", Body: "联系客服的几种办法。"},
		{ID: "o1", Title: "信用卡年费怎么免除", Body: "刷卡次数达标即可。"},
	})
	items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "羊小咩额度怎么提现到银行卡"}})
	if len(items) == 0 || strings.TrimRight(items[0].ID, "~") != "y1" {
		t.Fatalf("related = %v, want y1 first", relatedIDs(items))
	}
	if !slices.Contains(items[0].Reasons, "羊小咩") || slices.Contains(items[0].Reasons, "羊小") || slices.Contains(items[0].Reasons, "小咩") {
		t.Errorf("reasons %v, want the whole word 羊小咩", items[0].Reasons)
	}
}

// TestRelatedBigrams: two characters the dictionary does not hold as a word
// (断供, cut into 断 and 供) are matched as a bigram, so a draft about them
// finds the article about them, not the one that only shares a single
// character.
func TestRelatedBigrams(t *testing.T) {
	seg := analysis.DefaultSegmenter()
	if words := seg.Cut("断供", false); len(words) != 2 {
		t.Skipf("the dictionary now holds 断供 as a word (%v): nothing to test", words)
	}
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "d1", Title: "断供以后会怎样", Body: "断供以后银行会催收，严重的会起诉。"},
		{ID: "d2", Title: "供暖费怎么交", Body: "供暖费可以在网上缴纳。"},
	})
	items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "断供了还能补救吗"}})
	if got := relatedIDs(items); len(got) != 1 || strings.TrimRight(got[0], "~") != "d1" {
		t.Fatalf("related = %v, want d1 only", got)
	}
	if !slices.Contains(items[0].Reasons, "断供") {
		t.Errorf("reasons %v, want 断供", items[0].Reasons)
	}
}

// TestRelatedFooterWeighsNothing: a footer every body repeats (本文仅供参考,
// 具体以平台规则为准) relates nothing and is no reason, on a site whose
// articles are mostly titles alone, against which its words looked rare.
func TestRelatedFooterWeighsNothing(t *testing.T) {
	const footer = "本文仅供参考,具体以平台规则为准。"
	articles := []zhsearch.Article{
		{ID: "s", Title: "花呗逾期三天会怎样", Body: "花呗逾期三天会产生罚息，还可能影响征信记录。" + footer},
		{ID: "x1", Title: "花呗逾期后如何协商还款", Body: "花呗逾期以后可以联系客服协商还款，避免逾期记录上征信。" + footer},
		{ID: "x2", Title: "花呗利息怎么算", Body: "花呗分期的手续费按期数收取，不同期数费率不同。" + footer},
		{ID: "u1", Title: "车险理赔流程", Body: "出险后先报案，再拍照取证，最后提交理赔材料。" + footer},
		{ID: "u2", Title: "信用卡年费怎么免除", Body: "多数银行的信用卡刷满一定次数即可免年费。" + footer},
		{ID: "u3", Title: "租房合同注意事项", Body: "签租房合同前要核对房东身份和房产证。" + footer},
		{ID: "u4", Title: "公积金提取条件", Body: "购房、租房和退休都可以提取住房公积金。" + footer},
	}
	for i, title := range []string{"花呗额度怎么提升", "花呗分期可以取消吗", "花呗逾期一天有影响吗", "网贷逾期会被起诉吗",
		"京东白条怎么关闭", "借呗提前还款有手续费吗", "征信花了多久能恢复", "房贷断供的后果", "车贷提前还款划算吗",
		"微粒贷额度怎么开通", "租机买断划算吗", "京东E卡回收平台", "ID贷锁机怎么办", "先享后付是什么意思",
		"备用金怎么开通", "个性化分期怎么谈", "停息挂账是真的吗", "套路贷的常见手法", "应急贷是什么意思", "黄金分期的套路"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("t%02d", i), Title: title, TitleOnly: true})
	}
	ix := buildIndex(t, articles)
	footerWords := []string{"本文", "仅供参考", "具体", "平台", "规则", "为准"}
	for _, it := range relatedOf(t, ix, zhsearch.RelatedRequest{ID: "s", Size: 5}) {
		if it.ID[0] == 'u' {
			t.Errorf("related(s) lists %s %s, which shares only the footer (%s %v)", it.ID, it.Title, it.Reason, it.Reasons)
		}
		for _, w := range it.Reasons {
			if slices.Contains(footerWords, w) {
				t.Errorf("related(s): %s gives the footer's %s as a reason (%v)", it.Title, w, it.Reasons)
			}
		}
	}
}

// TestRelatedBodyDraftOnTheSiteSubject: a draft of a body alone that
// names the site's subject (花呗风控) lists the titles about it, on a site
// whose bodies mostly mention that subject in passing. Most bodies holding
// it once made it boilerplate, like a footer's words, and the draft's list
// was empty; titles hold a subject, never a footer.
func TestRelatedBodyDraftOnTheSiteSubject(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "f1", Title: "花呗风控多久才能解除", TitleOnly: true},
		{ID: "f2", Title: "支付宝花呗风控是什么意思", TitleOnly: true},
		{ID: "f3", Title: "花呗风控解除指南", TitleOnly: true},
		{ID: "f4", Title: "花呗被风控了还能还款吗", TitleOnly: true},
		{ID: "f5", Title: "花呗风控查询方法", TitleOnly: true},
		{ID: "f6", Title: "花呗风控期间能用借呗吗", TitleOnly: true},
	}
	for i, title := range []string{"借呗提额的方法", "借呗额度怎么提升", "借呗利息怎么算", "借呗提前还款", "借呗逾期的后果", "借呗降额的原因"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("b%d", i), Title: title,
			Body: "本文讲" + title + "，顺带也讲花呗风控的情况。"})
	}
	for i, title := range []string{"京东白条怎么关闭", "网贷逾期会被起诉吗", "租机买断划算吗", "房贷断供的后果"} {
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("x%d", i), Title: title, TitleOnly: true})
	}
	ix := buildIndex(t, articles)
	for _, body := range []string{"花呗风控", "我的花呗被风控了，想知道怎么解除。"} {
		items := relatedOf(t, ix, zhsearch.RelatedRequest{Draft: &zhsearch.Article{Body: body}, Size: 5})
		var about []string
		for _, it := range items {
			if it.ID[0] == 'f' {
				about = append(about, it.Title)
			}
		}
		if len(about) < 4 {
			t.Errorf("draft body %q lists %d titles about 花呗风控 of 5 (%v), want 4 at least", body, len(about), items)
		}
	}
}

// TestRelatedNumbersAreNoSubject: a year two titles share says nothing of
// their subject: an article sharing only it is not listed, not even as a
// weaker match (id贷被锁机是不是无解2024 was, for a report on 风控 of 2024).
func TestRelatedNumbersAreNoSubject(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "s", Title: "2024年风控工作职责履行情况报告", TitleOnly: true},
		{ID: "y1", Title: "id贷被锁机是不是无解2024", TitleOnly: true},
		{ID: "y2", Title: "2024年新手理财入门", TitleOnly: true},
		{ID: "r1", Title: "风控报告查询系统的使用指南", TitleOnly: true},
		{ID: "r2", Title: "大数据风控是什么意思", TitleOnly: true},
		{ID: "x1", Title: "京东白条怎么关闭", TitleOnly: true},
	})
	for _, it := range relatedOf(t, ix, zhsearch.RelatedRequest{ID: "s", Size: 5}) {
		if it.ID[0] == 'y' {
			t.Errorf("%s %q is listed (%s) on %v: a year", it.ID, it.Title, it.Reason, it.Reasons)
		}
	}
}

// TestRelatedEverydayBodyWordsRelateNothing: two full articles that share
// only everyday words of their bodies (准备, 平时, 注意) are not related, as
// README says of a word shared only with a long article's body; before, two
// of them made a similar match (新手养猫指南 listed a marathon plan).
func TestRelatedEverydayBodyWordsRelateNothing(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "cat", Title: "新手养猫指南", Body: "养猫之前要准备好猫砂、猫粮和猫窝。平时注意观察猫咪的精神和食欲，定期带它打疫苗、驱虫。" +
			"新手最常见的问题是喂得太多，猫粮要按体重定量。"},
		{ID: "run", Title: "马拉松赛前一周训练安排", Body: "赛前一周要准备好比赛装备，平时的训练量逐步减少，注意休息和补充碳水，比赛前两天充分休息。"},
		{ID: "rice", Title: "端午节粽子的传统做法", Body: "包粽子要提前准备糯米和粽叶，平时注意把粽叶泡软，煮的时候注意火候。"},
		{ID: "t1", Title: "花呗逾期一天有影响吗", TitleOnly: true},
	})
	for _, it := range relatedOf(t, ix, zhsearch.RelatedRequest{ID: "cat", Size: 5}) {
		t.Errorf("新手养猫指南 lists %q (%s %v): they share only everyday body words", it.Title, it.Reason, it.Reasons)
	}
}

// TestRelatedFallbackAcrossSpellings: articles sharing nothing with the
// source but its tag or its category fill the list however the tag or the
// category is spelt (traditional, full width, case), as the index
// normalizes text; they are fallbacks, after the similar articles.
func TestRelatedFallbackAcrossSpellings(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "s", Title: "手机被锁了还能用吗", Body: "远程锁定以后先联系平台。", Tags: []string{"ID贷"}, Category: "網貸"},
		{ID: "t1", Title: "苹果账号借款的风险", Body: "账号借款风险很高。", Tags: []string{"id贷"}},
		{ID: "t2", Title: "账号抵押借款的来龙去脉", Body: "抵押账号借款。", Tags: []string{"ＩＤ貸"}},
		{ID: "c1", Title: "小额借款平台怎么选", Body: "看是否持牌。", Category: "网贷"},
		{ID: "x", Title: "多肉植物冬季养护要点", Body: "控水保温。", Tags: []string{"养花"}, Category: "生活"},
	})
	items := relatedOf(t, ix, zhsearch.RelatedRequest{ID: "s", Size: 5})
	got := map[string]string{}
	for _, it := range items {
		got[it.ID] = it.Reason
	}
	for _, id := range []string{"t1", "t2", "c1"} {
		if got[id] != zhsearch.ReasonFallback {
			t.Errorf("%s: reason %q, want a fallback on the same tag or category; list %v", id, got[id], relatedIDs(items))
		}
	}
	if _, ok := got["x"]; ok {
		t.Errorf("x shares nothing but was listed: %v", relatedIDs(items))
	}
}

// TestRelatedTitleCharacters: a one-character word of a draft's title
// (查, 租: readers say them where titles say 查询, 租机) weighs, through the
// titles' characters, among the articles that share a word with it; it is
// no reason, and it relates nothing alone.
func TestRelatedTitleCharacters(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "p1", Title: "手机掉水里了怎么处理", TitleOnly: true},
		{ID: "p2", Title: "手机屏幕碎了能修吗", TitleOnly: true},
		{ID: "r1", Title: "在平台租的新款手机到期以后归谁", TitleOnly: true},
		{ID: "q1", Title: "公积金可以取出来吗", TitleOnly: true},
		{ID: "q2", Title: "公积金贷款额度是多少", TitleOnly: true},
		{ID: "q3", Title: "网上查询公积金缴存记录的方法", TitleOnly: true},
		{ID: "x1", Title: "租房合同到期了押金怎么退", TitleOnly: true},
	})
	for _, tt := range []struct {
		name  string
		title string
		first string
	}{
		{"租 among the 手机 titles", "租来的手机可以转卖吗", "r1"},
		{"查 among the 公积金 titles", "去哪儿查自己的公积金", "q3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 10, Draft: &zhsearch.Article{Title: tt.title}})
			got := relatedIDs(items)
			if len(got) == 0 || strings.TrimRight(got[0], "~") != tt.first {
				t.Fatalf("related = %v, want %s first", got, tt.first)
			}
			for _, it := range items {
				for _, r := range it.Reasons {
					if utf8.RuneCountInString(r) == 1 {
						t.Errorf("%s: reason %q: a character is no reason", it.ID, r)
					}
				}
				if it.ID == "x1" {
					t.Errorf("x1 shares only a character with %s: it relates nothing", tt.title)
				}
			}
		})
	}
}

// TestRelatedCharactersOnly: a draft whose title is one-character words
// only (我现在还能借到钱吗: 还, 借, 钱; the rest are stop and question
// words) gets a full list of weaker matches from the titles holding its
// characters, rather than none: first the title holding them in its order
// (还能借到钱), not the titles saying 借钱 (the word its first matches
// agree on, which is theirs, not the draft's), the characters its
// reasons; a title sharing none of them stays out.
func TestRelatedCharactersOnly(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "c1", Title: "朋友借钱不还怎么办", TitleOnly: true},
		{ID: "c2", Title: "借钱欠条怎么写", TitleOnly: true},
		{ID: "c3", Title: "征信黑户还能借到钱吗", TitleOnly: true},
		{ID: "c4", Title: "急用钱如何快速借到钱", TitleOnly: true},
		{ID: "c5", Title: "借钱给朋友要注意什么", TitleOnly: true},
		{ID: "c6", Title: "还款日能不能推迟", TitleOnly: true},
		{ID: "c7", Title: "朋友借钱不还可以起诉吗", TitleOnly: true},
		{ID: "x1", Title: "手机掉水里了怎么处理", TitleOnly: true},
		{ID: "x2", Title: "红烧肉的家常做法", TitleOnly: true},
	})
	items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "我现在还能借到钱吗"}})
	got := relatedIDs(items)
	if len(got) != 5 || strings.TrimRight(got[0], "~") != "c3" {
		t.Fatalf("related = %v, want five, c3 first", got)
	}
	for _, it := range items {
		if it.ID[0] == 'x' {
			t.Errorf("%s %q shares no character and is listed", it.ID, it.Title)
		}
		if it.Reason != zhsearch.ReasonWeak {
			t.Errorf("%s: reason %q, want %q: characters make weaker matches", it.ID, it.Reason, zhsearch.ReasonWeak)
		}
		if len(it.Reasons) == 0 || slices.ContainsFunc(it.Reasons, func(r string) bool { return !strings.Contains(it.Title, r) || utf8.RuneCountInString(r) != 1 }) {
			t.Errorf("%s %q: reasons %v, want the characters its title shares", it.ID, it.Title, it.Reasons)
		}
	}
}

// TestRelatedTitleWordInsideBodyWord: a draft's title word (京东 of
// 京东卡怎么卖) inside a longer word of its body (京东E卡) keeps its weight
// in the titles that hold the longer word: before, the lighter body word
// stood for it, so those titles lost the title word, and an article
// sharing only 京东 covered the whole draft.
func TestRelatedTitleWordInsideBodyWord(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "e1", Title: "京东E卡回收价格一览", TitleOnly: true},
		{ID: "e2", Title: "京东E卡可以转送给别人吗", TitleOnly: true},
		{ID: "k1", Title: "京东快递丢件了怎么办", Body: "先联系快递公司客服，保留好订单截图。"},
		{ID: "k2", Title: "京东白条逾期会怎样", TitleOnly: true},
	})
	draft := &zhsearch.Article{Title: "京东卡怎么卖", Body: "公司发了两千块的京东E卡，想换成现金。"}
	got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 4, Draft: draft}))
	if len(got) != 4 || strings.HasPrefix(got[0], "k") || strings.HasPrefix(got[1], "k") {
		t.Errorf("related = %v, want the two 京东E卡 titles before k1 and k2", got)
	}
}

// TestRelatedEverydayTitleWordsRelateNothing: a title word general text
// uses all the time (问题) is no subject: an article sharing only it is no
// weaker match, while one sharing the draft's subject (征信) is.
func TestRelatedEverydayTitleWordsRelateNothing(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "z1", Title: "征信有污点还能买房贷款吗", TitleOnly: true},
		{ID: "p1", Title: "朋友借钱不还怎么办,如何处理欠款问题", TitleOnly: true},
		{ID: "p2", Title: "新房装修常见问题汇总", TitleOnly: true},
	})
	got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "想买房但是征信有问题"}}))
	if len(got) != 1 || strings.TrimRight(got[0], "~") != "z1" {
		t.Errorf("related = %v, want z1 only", got)
	}
}

// TestRelatedTitleWithoutSubject: a draft whose title holds no subject
// word (车被刮了: characters only; 工作问题: everyday words only) lists
// what its body relates to, as the body alone would.
func TestRelatedTitleWithoutSubject(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "a1", Title: "停车场收费标准", Body: "小区停车场由物业统一管理，按月收费。"},
		{ID: "a2", Title: "房子漏水了找谁", Body: "先联系物业，再找楼上的住户协商。"},
	})
	for _, title := range []string{"", "车被刮了", "工作问题"} {
		got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: title, Body: "物业说监控坏了"}}))
		if len(got) != 2 {
			t.Errorf("draft %q / 物业说监控坏了: related = %v, want a1 and a2", title, got)
		}
	}
}

// TestRelatedDeniedWords: a draft that says it was never overdue (从来没有
// 逾期过) is about something else; articles on being overdue, which share
// the word it denies, come after those on what it asks.
func TestRelatedDeniedWords(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "o1", Title: "借呗逾期一天有什么影响", TitleOnly: true},
		{ID: "o2", Title: "借呗逾期了还能再借吗", TitleOnly: true},
		{ID: "o3", Title: "借呗逾期会不会上征信", TitleOnly: true},
		{ID: "c1", Title: "借呗额度突然被关闭的原因", TitleOnly: true},
		{ID: "c2", Title: "借呗额度怎么恢复", TitleOnly: true},
	})
	draft := &zhsearch.Article{Title: "借呗突然被关闭", Body: "从来没有逾期过，为什么借呗突然就被关闭了？"}
	got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: draft}))
	if len(got) < 2 || strings.TrimRight(got[0], "~")[0] != 'c' || strings.TrimRight(got[1], "~")[0] != 'c' {
		t.Errorf("related = %v, want c1 and c2 first", got)
	}
}

// TestRelatedDraftTitleSubjectAbsent: a draft whose title's subject words
// no article holds (成了老赖还能借到钱吗, on a site whose titles say
// 失信被执行人 and 法院, as the draft's body does) gets the list its body's
// words that are not everyday ones give (失信被执行人, 网贷; not 法院),
// not an empty one: the title's subject cannot be required when no
// article says it. (A judged draft of testdata/related6 got an empty
// list.)
func TestRelatedDraftTitleSubjectAbsent(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "s1", Title: "失信被执行人能贷款吗", TitleOnly: true},
		{ID: "s2", Title: "什么是失信被执行人", TitleOnly: true},
		{ID: "s3", Title: "欠钱被法院起诉还不上怎么办", TitleOnly: true},
		{ID: "s4", Title: "网贷逾期会被法院起诉吗", TitleOnly: true},
		{ID: "s5", Title: "法院判决后不还钱会怎样", TitleOnly: true},
		{ID: "s6", Title: "失信被执行人多久能解除", TitleOnly: true},
		{ID: "x1", Title: "红烧肉的家常做法", TitleOnly: true},
		{ID: "x2", Title: "猫咪不吃东西怎么办", TitleOnly: true},
	})
	draft := &zhsearch.Article{Title: "成了老赖还能借到钱吗", Body: "前年欠款被法院判了没还上，被列为失信被执行人，现在做点小生意想周转，银行和网贷还有可能批吗？"}
	items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: draft})
	got := relatedIDs(items)
	listed := func(id string) bool {
		return slices.ContainsFunc(got, func(g string) bool { return strings.TrimRight(g, "~*") == id })
	}
	for _, id := range []string{"s1", "s6"} {
		if !listed(id) {
			t.Errorf("related = %v, want %s among them: it shares 失信被执行人 with the draft's body", got, id)
		}
	}
	for _, id := range []string{"s3", "s5"} {
		if listed(id) {
			t.Errorf("related = %v: %s shares only 法院, an everyday word, with the draft's body", got, id)
		}
	}
	for _, it := range items {
		if it.ID[0] == 'x' {
			t.Errorf("%s %q shares nothing with the draft and is listed", it.ID, it.Title)
		}
	}
}

// TestRelatedAmountsAreNoSubject: amounts and lengths of time in Chinese
// numerals (三千, 七天, 五千) are examples, not a draft's subject: a draft
// titled with them lists the articles its body's words share, not only
// those that happen to say 七天 or 五千 too.
func TestRelatedAmountsAreNoSubject(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "a1", Title: "借款App收取高额服务费合法吗", TitleOnly: true},
		{ID: "a2", Title: "网贷借款到期还不上怎么办", TitleOnly: true},
		{ID: "a3", Title: "超出本金的利息还要还吗", TitleOnly: true},
		{ID: "a4", Title: "借款合同的期限怎么算", TitleOnly: true},
		{ID: "a5", Title: "砍头息借款本金怎么算", TitleOnly: true},
		{ID: "x1", Title: "七天无理由退货怎么申请", TitleOnly: true},
		{ID: "x2", Title: "五千块预算买什么手机好", TitleOnly: true},
		{ID: "x3", Title: "红烧肉的家常做法", TitleOnly: true},
	})
	draft := &zhsearch.Article{Title: "借三千七天后要还五千", Body: "在一个小App上借了三千块，期限只有七天，到期却要还五千，名目是服务费。这种借款合法吗，超出本金的部分还要不要还？"}
	got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: draft}))
	if len(got) != 5 {
		t.Fatalf("related = %v, want five: five articles share the body's words", got)
	}
	for _, id := range got {
		if id := strings.TrimRight(id, "~*"); id[0] == 'x' {
			t.Errorf("related = %v: %s shares only an amount or a length of time", got, id)
		}
	}
}

// TestRelatedOrdinalIsNoSubject: an ordinal (第一次) that leads a draft's
// title is not its subject: the 信用卡 titles come before one that shares
// only 第一次.
func TestRelatedOrdinalIsNoSubject(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "c1", Title: "信用卡申请被拒的原因", TitleOnly: true},
		{ID: "c2", Title: "信用卡额度怎么提高", TitleOnly: true},
		{ID: "c3", Title: "信用卡分期手续费怎么算", TitleOnly: true},
		{ID: "r1", Title: "第一次租房怎么找房源", TitleOnly: true},
		{ID: "x1", Title: "红烧肉的家常做法", TitleOnly: true},
	})
	got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "第一次申请信用卡该怎么准备"}}))
	if len(got) == 0 || strings.TrimRight(got[0], "~*") != "c1" {
		t.Fatalf("related = %v, want c1 (信用卡, 申请) first", got)
	}
	for i, id := range got {
		if strings.TrimRight(id, "~*") == "r1" && i < 3 {
			t.Errorf("related = %v: r1 shares only 第一次 and comes before a 信用卡 title", got)
		}
	}
}

// TestRelatedLeadIsNoEverydayWord: a draft's title that starts with an
// everyday word (朋友) names its subject after it (花呗): the titles on
// that subject come before those sharing only the everyday word.
func TestRelatedLeadIsNoEverydayWord(t *testing.T) {
	ix := buildIndex(t, []zhsearch.Article{
		{ID: "f1", Title: "朋友借钱不还怎么办", TitleOnly: true},
		{ID: "f2", Title: "朋友借钱不还可以起诉吗", TitleOnly: true},
		{ID: "f3", Title: "朋友找我借钱怎么拒绝", TitleOnly: true},
		{ID: "h1", Title: "花呗额度突然降低是什么原因", TitleOnly: true},
		{ID: "h2", Title: "花呗分期手续费怎么算", TitleOnly: true},
		{ID: "h3", Title: "花呗还款日能不能修改", TitleOnly: true},
		{ID: "x1", Title: "红烧肉的家常做法", TitleOnly: true},
	})
	got := relatedIDs(relatedOf(t, ix, zhsearch.RelatedRequest{Size: 5, Draft: &zhsearch.Article{Title: "替朋友刷花呗冲业绩"}}))
	if len(got) < 3 {
		t.Fatalf("related = %v, want the three 花呗 titles first", got)
	}
	for _, id := range got[:3] {
		if strings.TrimRight(id, "~*")[0] != 'h' {
			t.Errorf("related = %v, want the three 花呗 titles first", got)
			break
		}
	}
}

// TestShorterRelatedListLeadsLonger: a related list of any size is the
// start of the list of the largest size, for every article of a generated
// site: the widget's five are the article page's first five. The pool of
// candidates ranked in full once grew with the size, and a list of 20
// led with articles that the pool of a list of 5 had left out.
func TestShorterRelatedListLeadsLonger(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 3000-article index")
	}
	var articles []zhsearch.Article
	if err := gen.Generate(gen.Options{N: 3000, Seed: 9}, func(a zhsearch.Article) error {
		articles = append(articles, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ix := buildIndex(t, articles)
	ix.SetRelatedCacheSize(0)
	ids := func(items []zhsearch.RelatedItem) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.ID
		}
		return out
	}
	for _, a := range articles[:200] {
		longest := ids(relatedOf(t, ix, zhsearch.RelatedRequest{ID: a.ID, Size: zhsearch.MaxRelatedSize}))
		for _, size := range []int{5, 8, 12, 16} {
			got := ids(relatedOf(t, ix, zhsearch.RelatedRequest{ID: a.ID, Size: size}))
			if want := longest[:min(size, len(longest))]; !slices.Equal(got, want) {
				t.Errorf("%s: the list of %d is %v, but the list of %d starts %v", a.ID, size, got, zhsearch.MaxRelatedSize, want)
			}
		}
	}
}

// TestRelatedReasonsLeaveFramesOut: the words a title frames its subject
// with (解析, 详解, a year such as 2024: template words) are no reason of an
// item that shares a word of substance with the source; the reader is
// told 回租, not 回租 and 解析.
func TestRelatedReasonsLeaveFramesOut(t *testing.T) {
	ix := buildIndex(t, bundledCorpus(t))
	for _, tt := range []struct {
		draft  string
		shared string   // a word of substance some items share
		frames []string // words those items must not give beside it
	}{
		{"金果回租ID贷全面解析", "回租", []string{"解析", "全面"}},
		{"2024年第三季度风控工作职责履行情况报", "风控", []string{"2024"}},
	} {
		items := relatedOf(t, ix, zhsearch.RelatedRequest{Size: 8, Draft: &zhsearch.Article{Title: tt.draft}})
		sharing := 0
		for _, it := range items {
			if !slices.Contains(it.Reasons, tt.shared) {
				continue
			}
			sharing++
			for _, f := range tt.frames {
				if slices.Contains(it.Reasons, f) {
					t.Errorf("%s: %s gives the frame %s beside %s: %v", tt.draft, it.Title, f, tt.shared, it.Reasons)
				}
			}
		}
		if sharing == 0 {
			t.Errorf("%s: no item shares %s: %v", tt.draft, tt.shared, relatedIDs(items))
		}
	}
}
