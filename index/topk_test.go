package index

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/relevance"
)

// judgedIndex builds one index of both judged suites' articles and returns
// it with every judged query (keywords, variants, pinyin, typos, full
// questions, spoken ones, and queries with nothing to find).
func judgedIndex(t *testing.T) (*Index, []string) {
	t.Helper()
	articles, queries := judgedArticles(t)
	return builtIndex(t, articles), queries
}

// judgedArticles returns the articles and queries of both judged suites,
// each article once.
func judgedArticles(t *testing.T) ([]zhsearch.Article, []string) {
	t.Helper()
	var articles []zhsearch.Article
	var queries []string
	for _, suite := range []string{"relevance", "questions"} {
		as, err := relevance.LoadArticles(filepath.Join("..", "testdata", suite, "articles.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		articles = append(articles, as...)
		qs, err := relevance.LoadQueries(filepath.Join("..", "testdata", suite, "queries.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			queries = append(queries, q.Query)
		}
	}
	seen := map[string]bool{}
	unique := articles[:0]
	for _, a := range articles {
		if !seen[a.ID] {
			seen[a.ID] = true
			unique = append(unique, a)
		}
	}
	return unique, queries
}

// TestTiesSameOnEveryBuild checks that which of equally scored articles a
// reader sees does not depend on how a build numbered the documents, as
// two replicas or two reindexes of the same articles number them
// differently: every judged query gets the same first two pages from the
// articles built in file order and in reverse order.
func TestTiesSameOnEveryBuild(t *testing.T) {
	articles, queries := judgedArticles(t)
	forward := builtIndex(t, articles)
	backward := slices.Clone(articles)
	slices.Reverse(backward)
	reversed := builtIndex(t, backward)
	ids := func(res *zhsearch.SearchResult) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	cut := 0 // pages whose last hit ties with the next one: where order decides
	for _, q := range queries {
		for page := 1; page <= 2; page++ {
			a, b := searchPage(t, forward, q, page, 10), searchPage(t, reversed, q, page, 10)
			if !slices.Equal(ids(a), ids(b)) {
				t.Errorf("%q page %d: %v built forward, %v built in reverse", q, page, ids(a), ids(b))
			}
		}
		if res := searchPage(t, forward, q, 1, 11); len(res.Hits) == 11 && res.Hits[9].Score == res.Hits[10].Score {
			cut++
		}
	}
	if cut < 5 {
		t.Errorf("only %d first pages end inside a tie: the test does not exercise ties", cut)
	}
}

// judgedQueries returns each judged query's strict bleve query and, when it
// has one, its first relaxation step (a boolean with exclusions).
func judgedQueries(t *testing.T, ix *Index, texts []string) map[string]query.Query {
	t.Helper()
	out := map[string]query.Query{}
	for _, text := range texts {
		aq := ix.analyze(text)
		q, err := ix.searchQuery(context.Background(), &aq)
		if err != nil {
			t.Fatal(err)
		}
		out[text] = q
		if levels := aq.relaxedLevels(); len(levels) > 0 {
			out[text+" (relaxed)"] = query.NewBooleanQuery([]query.Query{levels[0]}, nil, []query.Query{q})
		}
	}
	return out
}

// TestTopKJudged runs the top-k evaluator on every judged query of both
// suites, over one index of their articles.
func TestTopKJudged(t *testing.T) {
	articles, texts := judgedArticles(t)
	// Small batches: several segments, as an index of many articles has,
	// so that lists span segments and the typo check goes from one to the
	// next.
	ix := builtIndexWith(t, articles, BuildOptions{BatchSize: 40, segmented: true})
	r, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	segs, _ := snapshotSegments(r)
	r.Close()
	if len(segs) < 3 {
		t.Fatalf("%d segments: the test needs several", len(segs))
	}
	queries := judgedQueries(t, ix, texts)
	// Phrases as callers may build them: of one term (a term query to
	// bleve), and repeating a term.
	queries["phrase 花呗"] = query.NewPhraseQuery([]string{"花呗"}, fTitleBi)
	queries["phrase 逾期 期逾 逾期"] = query.NewPhraseQuery([]string{"逾期", "期逾", "逾期"}, fTitleBi)
	queries["phrase 征信 信修 修复"] = query.NewPhraseQuery([]string{"征信", "信修", "修复"}, fTitleBi)
	// The typo check's query: the whole query as written.
	checks := map[string]query.Query{}
	for _, text := range texts {
		aq := ix.analyze(text)
		checks[text] = exactPhrase(&aq)
		queries[text+" (as written)"] = checks[text]
	}
	t.Run("matches bleve", func(t *testing.T) { topKMatchesBleve(t, ix, queries) })
	t.Run("counts as it scores", func(t *testing.T) { matchesAsEval(t, ix, queries) })
	t.Run("skips safely", func(t *testing.T) { topKSkipsSafely(t, ix, queries) })
	// Every article's title as written: each is found, in whichever
	// segment its article lies.
	titleChecks := map[string]query.Query{}
	for _, a := range articles {
		aq := ix.analyze(a.Title)
		titleChecks[a.Title] = exactPhrase(&aq)
	}
	t.Run("finds any as bleve", func(t *testing.T) { matchesAnyAsBleve(t, ix, checks) })
	t.Run("finds every title", func(t *testing.T) {
		for title, q := range titleChecks {
			if found, err := ix.matchesAny(context.Background(), q); err != nil || !found {
				t.Errorf("%q as written: found=%v, err=%v", title, found, err)
			}
		}
	})
}

// matchesAnyAsBleve checks that the evaluator's answer to "does anything
// match" is bleve's, for both answers, that the evaluator gives it (not
// bleve's searchers, where it falls back), and that the check leaves the
// postings cache as it found it: nothing decoded, kept, remembered for
// admission or counted.
func matchesAnyAsBleve(t *testing.T, ix *Index, queries map[string]query.Query) {
	ctx := context.Background()
	cacheState := func() [4]uint64 {
		c := &ix.postings
		c.mu.Lock()
		defer c.mu.Unlock()
		return [4]uint64{uint64(len(c.entries)), uint64(c.used), uint64(len(c.seen)), c.hits.Load() + c.misses.Load()}
	}
	before := cacheState()
	answers := map[bool]int{}
	for text, q := range queries {
		r, err := ix.reader()
		if err != nil {
			t.Fatal(err)
		}
		_, err = topK(ctx, r, q, 0, 1, &ix.postings, inPlaceOnly)
		r.Close()
		if err != nil {
			t.Fatalf("%q as written: the evaluator cannot answer the check: %v", text, err)
		}
		got, err := ix.matchesAny(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		ix.bleveSearch = true
		want, err := ix.matchesAny(ctx, q)
		ix.bleveSearch = false
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%q as written: evaluator says found=%v, bleve %v", text, got, want)
		}
		answers[want]++
	}
	if answers[true] < 20 || answers[false] < 20 {
		t.Errorf("answers %v: the judged queries should give both, often", answers)
	}
	if after := cacheState(); after != before {
		t.Errorf("the checks changed the postings cache (lists, bytes, seen, lookups): %v → %v", before, after)
	}
}

// topKMatchesBleve checks that the top-k evaluator answers every judged
// query as bleve's own searchers do: the same total, the same hits on the
// first two pages, in the same order, with scores in one proportion (bleve
// scales a query's scores by its query norm, which the evaluator leaves
// out).
func topKMatchesBleve(t *testing.T, ix *Index, queries map[string]query.Query) {
	ctx := context.Background()
	compared := 0
	for text, q := range queries {
		before := math.NaN() // the last score of the page before
		for _, offset := range []int{0, 10} {
			got, err := ix.topPage(ctx, q, offset, 10)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			want, err := ix.blevePage(ctx, q, offset, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != want.Total || got.Capped {
				t.Errorf("%q from %d: total %d (capped %v), bleve %d", text, offset, got.Total, got.Capped, want.Total)
			}
			if len(got.Hits) != len(want.Hits) {
				t.Errorf("%q from %d: %d hits, bleve %d", text, offset, len(got.Hits), len(want.Hits))
				continue
			}
			ratio := 0.0
			for i, h := range got.Hits {
				w := want.Hits[i]
				if ratio == 0 && h.Score > 0 {
					ratio = w.Score / h.Score
				}
				if math.Abs(h.Score*ratio-w.Score) > 1e-9*w.Score {
					t.Errorf("%q from %d, hit %d: %s (%.6g, ×%.4g), bleve %s (%.6g)", text, offset, i, h.ID, h.Score, ratio, w.ID, w.Score)
				}
			}
			// Equal scores come in order of id in both; two sums of the
			// same terms in another order may differ in their last bit,
			// so within a run of scores equal to 1e-9 the ids may come in
			// another order, but are the same ones. The page's last run
			// may end in other tied matches (which of them make the page
			// is the same question): the scores, compared hit by hit
			// above, say they tie. So may the page's first run, where it
			// goes on from the page before.
			tied := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*x }
			for a := 0; a < len(got.Hits); {
				b := a + 1
				for b < len(got.Hits) && tied(got.Hits[a].Score, got.Hits[b].Score) {
					b++
				}
				g, w := hitIDsOf(got.Hits[a:b]), hitIDsOf(want.Hits[a:b])
				slices.Sort(g)
				slices.Sort(w)
				straddles := b == len(got.Hits) || a == 0 && tied(before, got.Hits[0].Score)
				if !straddles && !slices.Equal(g, w) {
					t.Errorf("%q from %d, hits %d to %d (equal scores): %v, bleve %v", text, offset, a, b-1, g, w)
				}
				a = b
			}
			if n := len(got.Hits); n > 0 {
				before = got.Hits[n-1].Score
			}
			compared += len(got.Hits)
		}
	}
	if compared < 1000 {
		t.Errorf("only %d hits compared: the judged queries should find more", compared)
	}
}

// matchesAsEval checks the evaluator's two answers to whether a document
// matches: the one that only counts (node.matches, for documents that
// cannot make the page) and the one that scores (node.eval), on every
// document of the index for every judged query.
func matchesAsEval(t *testing.T, ix *Index, queries map[string]query.Query) {
	r, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	segs, _ := snapshotSegments(r)
	n, err := r.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	last := segs[len(segs)-1]
	end := last.offset + last.seg.Count()
	found, missed := 0, 0
	for text, q := range queries {
		c := newCompiler(n, segs, nil)
		root, err := c.compile(q)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		c.setMasks(root)
		for _, p := range c.order {
			p.start()
		}
		for doc := uint64(0); doc < end; doc++ {
			for _, p := range c.order {
				p.advance(doc)
			}
			var at uint64
			for _, p := range c.order {
				if p.cur == doc {
					at |= p.bit
				}
			}
			ok, _ := root.eval(doc, at)
			if got := root.matches(doc); got != ok {
				t.Errorf("%q, document %d: counted as a match: %v, scored as one: %v", text, doc, got, ok)
			}
			if ok {
				found++
			} else {
				missed++
			}
		}
	}
	if found == 0 || missed == 0 {
		t.Errorf("%d matches and %d documents that do not match: the queries should give both", found, missed)
	}
}

// topKSkipsSafely checks MaxScore's skipping: with skipping from the first
// full page on, every judged query gets the same best hits as when every
// match is scored, and the count says it is a lower bound.
func topKSkipsSafely(t *testing.T, ix *Index, queries map[string]query.Query) {
	ctx := context.Background()
	r, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The judged index is small: blocks of 2 and 8 documents give its
	// lists block bounds as a large index gives long lists (a window is
	// one or more blocks, by the query's lists: windowBits). A fresh cache
	// reads each list in place first and decodes it on the second read;
	// one without a budget always reads in place.
	for _, cache := range []*postingsCache{&ix.postings, {shift: 1}, {shift: 3}, {limit: -1}} {
		skipped := 0
		for text, q := range queries {
			for _, k := range []int{1, 5, 20} {
				all, err := topK(ctx, r, q, k, math.MaxUint64, nil, decodeLists)
				if err != nil {
					t.Fatal(err)
				}
				fast, err := topK(ctx, r, q, k, 0, cache, inPlaceUntilTwice)
				if err != nil {
					t.Fatal(err)
				}
				if !equalHits(all.hits, fast.hits) {
					t.Errorf("blocks of %d: %q, top %d: skipping found %v, scoring all %v", 1<<cache.windowShift(), text, k, fast.hits, all.hits)
				}
				if all.capped || fast.total > all.total || fast.capped != (len(all.hits) == k) {
					t.Errorf("blocks of %d: %q, top %d: total %d capped %v with skipping, %d capped %v without", 1<<cache.windowShift(), text, k, fast.total, fast.capped, all.total, all.capped)
				}
				if fast.total < all.total {
					skipped++
				}
			}
		}
		if skipped == 0 {
			t.Errorf("blocks of %d: skipping never left a match unscored: the test does not exercise it", 1<<cache.windowShift())
		}
	}
}

func equalHits(a, b []topHit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].doc != b[i].doc || a[i].score != b[i].score {
			return false
		}
	}
	return true
}

// TestTopKLiveEdits checks the evaluator over live edits, which bleve
// keeps in segments of their own with the old versions marked deleted: an
// updated article is found by its new title only, a deleted one not at all.
func TestTopKLiveEdits(t *testing.T) {
	l, _, _ := builtLive(t, time.Hour,
		`{"id":"a1","title":"花呗逾期三天会上征信吗"}`,
		`{"id":"a2","title":"花呗逾期一个月的后果"}`,
		`{"id":"a3","title":"征信不好还能办房贷吗"}`)
	defer l.Close()
	ctx := context.Background()
	ids := func(q string) []string {
		t.Helper()
		res, err := l.Search(ctx, zhsearch.SearchRequest{Query: q, Page: 1, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	// The first searches decode the lists of the built segment; after the
	// edits the same lists serve, with a1's and a3's old versions deleted.
	if got := ids("花呗逾期"); len(got) != 2 || !slices.Contains(got, "a1") || !slices.Contains(got, "a2") {
		t.Errorf("花呗逾期 before the edits = %v, want a1 and a2", got)
	}
	if got := ids("征信不好还能办房贷吗"); !slices.Contains(got, "a3") {
		t.Errorf("征信不好还能办房贷吗 before the edits = %v, want a3 in it", got)
	}
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a1", Title: "借呗提前还款要收手续费吗"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeleteArticle(ctx, "a3"); err != nil {
		t.Fatal(err)
	}
	if got := ids("借呗提前还款"); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("借呗提前还款 = %v, want [a1]", got)
	}
	if got := ids("花呗逾期"); !slices.Equal(got, []string{"a2"}) {
		t.Errorf("花呗逾期 = %v, want [a2] (a1 no longer says it)", got)
	}
	if got := ids("征信不好还能办房贷吗"); slices.Contains(got, "a3") {
		t.Errorf("deleted a3 still found: %v", got)
	}
}

// TestTopKCapsTotal checks the count a reader sees: exact up to
// MaxResultWindow matches, past it a lower bound that says so, and the
// same first page either way.
func TestTopKCapsTotal(t *testing.T) {
	articles := overdueArticles(zhsearch.MaxResultWindow+200, 400)
	ix := builtIndex(t, articles)
	ix.SetSearchCacheSize(0)
	broad := searchPage(t, ix, "网贷逾期", 1, 10)
	if !broad.TotalCapped || broad.Total < zhsearch.MaxResultWindow || broad.Total > uint64(len(articles)) {
		t.Errorf("网贷逾期: total %d capped %v, want a lower bound of at least %d", broad.Total, broad.TotalCapped, zhsearch.MaxResultWindow)
	}
	last := searchPage(t, ix, "网贷逾期", zhsearch.MaxResultWindow/10, 10)
	if len(last.Hits) != 10 {
		t.Errorf("last page a reader can reach: %d hits, want 10", len(last.Hits))
	}
	narrow := searchPage(t, ix, "催收电话", 1, 10)
	if narrow.TotalCapped || narrow.Total != 3 {
		t.Errorf("催收电话: total %d capped %v, want exactly 3", narrow.Total, narrow.TotalCapped)
	}
	ix.SetBleveSearch(true)
	exact := searchPage(t, ix, "网贷逾期", 1, 10)
	if exact.Total != uint64(len(articles)) {
		t.Errorf("bleve counts %d, want %d", exact.Total, len(articles))
	}
	for i := range exact.Hits {
		if exact.Hits[i].ID != broad.Hits[i].ID {
			t.Errorf("hit %d: %s, bleve %s", i, broad.Hits[i].ID, exact.Hits[i].ID)
		}
	}
}

// TestImpactsFollowEdits checks that a term's score bound is read again
// after a live edit: an added article with a shorter title than any before
// raises it, and a bound kept from before would let the evaluator skip
// that article.
func TestImpactsFollowEdits(t *testing.T) {
	l, _, _ := builtLive(t, time.Hour,
		`{"id":"a1","title":"花呗逾期三天会上征信吗"}`,
		`{"id":"a2","title":"花呗逾期一个月的后果有哪些"}`)
	defer l.Close()
	ctx := context.Background()
	impact := func() float64 {
		t.Helper()
		g, r, done := currentReader(t, l)
		defer done()
		segs, _ := snapshotSegments(r)
		p, err := newCompiler(0, segs, &g.ix.postings).postings(fTitle, "花呗", false)
		if err != nil {
			t.Fatal(err)
		}
		return p.impact
	}
	before := impact()
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a3", Title: "花呗"}); err != nil {
		t.Fatal(err)
	}
	if after := impact(); after <= before {
		t.Errorf("impact of 花呗 in titles after adding the title 花呗: %.3f, before %.3f; want it higher", after, before)
	}
}

// TestSuggestTopKMatchesBleve: completions found through the top-k
// evaluator and the title cache are those bleve's searchers find, for
// what a reader types on the way to each judged query (its first one to
// five characters) and for Latin text (pinyin and initials).
func TestSuggestTopKMatchesBleve(t *testing.T) {
	ix, texts := judgedIndex(t)
	ctx := context.Background()
	typed := map[string]bool{"huab": true, "hb": true, "zhengx": true, "jiebei": true, "wd": true, "zx": true}
	for _, text := range texts {
		runes := []rune(text)
		for n := 1; n <= min(5, len(runes)); n++ {
			typed[string(runes[:n])] = true
		}
	}
	suggest := func(q string, bleveSearch bool) []zhsearch.Suggestion {
		t.Helper()
		ix.SetBleveSearch(bleveSearch)
		defer ix.SetBleveSearch(false)
		res, err := ix.Suggest(ctx, zhsearch.SuggestRequest{Query: q, Size: 8})
		if err != nil {
			t.Fatal(err)
		}
		return res.Suggestions
	}
	compared := 0
	for q := range typed {
		for pass := range 2 { // the second from the title cache
			got, want := suggest(q, false), suggest(q, true)
			if !slices.Equal(got, want) {
				t.Errorf("%q (pass %d): %v, bleve %v", q, pass+1, got, want)
			}
			compared += len(got)
		}
	}
	if compared < 1000 {
		t.Errorf("only %d completions compared", compared)
	}
}

// TestCachesFollowEditsUnderLoad: searches, completions and related lists
// run while articles are added and deleted, sharing the decoded postings
// and the document cache; none fails, and afterwards each sees every edit
// (no list or title decoded before an edit is read for a later snapshot's
// documents).
func TestCachesFollowEditsUnderLoad(t *testing.T) {
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf(`{"id":"h%02d","title":"花呗逾期第%d天会怎样"}`, i, i+1))
	}
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, lines...)
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Edits: true, Poll: time.Hour,
		Logger: quietLogger(), SearchCache: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	stop := make(chan struct{})
	errs := make(chan error, 3)
	for _, read := range []func() error{
		func() error {
			_, err := l.Search(ctx, zhsearch.SearchRequest{Query: "花呗逾期", Page: 1, Size: 10})
			return err
		},
		func() error {
			_, err := l.Suggest(ctx, zhsearch.SuggestRequest{Query: "借呗", Size: 8})
			return err
		},
		func() error {
			_, err := l.Related(ctx, zhsearch.RelatedRequest{ID: "h01", Size: 5})
			return err
		},
	} {
		go func() {
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				if err := read(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 20 {
		if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: fmt.Sprintf("j%02d", i), Title: fmt.Sprintf("借呗提前还款第%d期要手续费吗", i+1)}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.DeleteArticle(ctx, fmt.Sprintf("h%02d", 20+i)); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("a reader failed during the edits: %v", err)
		}
	}
	added, err := l.Search(ctx, zhsearch.SearchRequest{Query: "借呗提前还款", Page: 1, Size: 30})
	if err != nil {
		t.Fatal(err)
	}
	if added.Total != 20 {
		t.Errorf("借呗提前还款: %d hits, want the 20 added", added.Total)
	}
	kept, err := l.Search(ctx, zhsearch.SearchRequest{Query: "花呗逾期", Page: 1, Size: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range kept.Hits {
		if h.ID >= "h20" {
			t.Errorf("deleted %s still found", h.ID)
		}
	}
	if kept.Total != 20 {
		t.Errorf("花呗逾期: %d hits, want the 20 not deleted", kept.Total)
	}
	sug, err := l.Suggest(ctx, zhsearch.SuggestRequest{Query: "借呗", Size: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(sug.Suggestions) != 8 || !strings.HasPrefix(sug.Suggestions[0].Title, "借呗提前还款") {
		t.Errorf("借呗 completes to %v, want 8 of the added titles", sug.Suggestions)
	}
}

// hitIDsOf returns the ids of hits, in order.
func hitIDsOf(hits search.DocumentMatchCollection) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// TestEvaluatorSkipsWhatCannotMakeThePage checks that a broad query's
// first page is found without scoring every match: once the page is full
// of articles that hold both of the query's words, the thousands that hold
// only the common one can no longer make it, and EvaluatorStats shows them
// neither visited nor scored.
func TestEvaluatorSkipsWhatCannotMakeThePage(t *testing.T) {
	const n = 3 * zhsearch.MaxResultWindow
	ix := builtIndex(t, overdueArticles(n, 50))
	ix.SetSearchCacheSize(0)
	for range 3 { // lists are decoded, with their bounds by window, once read twice
		searchPage(t, ix, "网贷逾期催收", 1, 10)
	}
	before := ix.EvaluatorStats()
	page := searchPage(t, ix, "网贷逾期催收", 1, 10)
	after := ix.EvaluatorStats()
	for _, h := range page.Hits {
		if !strings.Contains(h.Title, "催收") {
			t.Errorf("hit %s %q: want only titles with 催收 on the first page", h.ID, h.Title)
		}
	}
	if pages := after.Pages - before.Pages; pages != 1 {
		t.Fatalf("one search counted %d evaluator pages, want 1", pages)
	}
	visited, scored := after.Visited-before.Visited, after.Scored-before.Scored
	t.Logf("%d matches: %d visited, %d scored", n, visited, scored)
	if scored > visited || visited >= n*2/3 {
		t.Errorf("%d matches: %d visited, %d scored; want at most the visited scored, and a third of the matches or more never visited", n, visited, scored)
	}
}

// overdueArticles returns n title-only articles that all say 网贷逾期, and
// one in every `every` of them also 催收电话: a broad query and a narrow one.
func overdueArticles(n, every int) []zhsearch.Article {
	articles := make([]zhsearch.Article, 0, n)
	for i := range n {
		title := fmt.Sprintf("网贷逾期第%d天会怎样", i)
		if i%every == 0 {
			title = fmt.Sprintf("网贷逾期催收电话第%d次", i)
		}
		articles = append(articles, zhsearch.Article{ID: fmt.Sprintf("a%05d", i), Title: title, TitleOnly: true})
	}
	return articles
}

// TestPartitionLeavesACommonPhraseTermOut: a brand the dictionary does not
// know (美团月付) is matched as a phrase of common bigrams whose bound its
// first list carries. By bound alone that list is the one left to drive
// the window, though a title holding the brand and nothing else of the
// query scores a tenth of the page's lowest hit; partition lets the
// cheaper lists of the query's words drive instead.
func TestPartitionLeavesACommonPhraseTermOut(t *testing.T) {
	list := func(term string, df uint64, idf, boosts float64, drives bool) *postings {
		return &postings{field: fTitleBi, term: term, df: df, idf: idf, boosts: boosts, drives: drives, windowMost: 1}
	}
	brand, brand2 := list("美团", 15000, 1.2, 1.5, true), list("团月", 15000, 1.2, 1.5, false)
	review, common := list("审核", 5000, 1.5, 1.5, true), list("常见", 4000, 1.6, 1.5, true)
	term := func(p *postings, boost float64) *node {
		return &node{kind: nodeTerm, post: []*postings{p}, boost: boost}
	}
	brandPhrase := &node{kind: nodePhrase, post: []*postings{brand, brand2}, boost: 4}
	brand.extra = 4 * brand.idf * brand.idf * 2 // compile gives the phrase's bound to its first rarest list
	root := &node{kind: nodeOr, kids: []*node{
		// The title's words: one of them needed, the brand's phrase adds.
		{kind: nodeBool, must: term(review, 0), should: brandPhrase},
		// The title's bigrams: two of them.
		{kind: nodeOr, min: 2, kids: []*node{term(brand, 1.5), term(brand2, 1.5), term(review, 1.5), term(common, 1.5)}},
	}}
	lists := []*postings{brand, brand2, review, common}
	for _, p := range lists {
		p.window = p.boosts*p.idf*p.idf + p.extra
	}
	w := &windows{evaluation: &evaluation{root: root, k: 1, h: hitHeap{{score: 10}}}, lists: lists}
	essential := func(from int) []string {
		var terms []string
		for _, p := range w.lists[from:] {
			terms = append(terms, p.term)
		}
		slices.Sort(terms)
		return terms
	}
	w.order(windowBound)
	if got, want := essential(w.essential(0)), []string{"美团"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("by bound, the lists that drive are %v, want %v (the case partition is for)", got, want)
	}
	if got, want := essential(w.partition()), []string{"审核", "常见"}; !reflect.DeepEqual(got, want) {
		t.Errorf("partition: the lists that drive are %v, want %v: the brand's list holds more postings", got, want)
	}
}
