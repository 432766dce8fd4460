package index

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/relatedeval"
)

// suiteIndex builds an index of the bundled corpus and the related suite.
func suiteIndex(t *testing.T) (*Index, *relatedeval.Suite, []zhsearch.Article) {
	t.Helper()
	c, err := corpus.Load("../data", analysis.Normalize)
	if err != nil {
		t.Fatal(err)
	}
	s, err := relatedeval.LoadSuite("../testdata/related")
	if err != nil {
		t.Fatal(err)
	}
	articles := append(c.Articles, s.Articles...)
	return builtIndex(t, articles), s, articles
}

// suiteReader builds the judged suite's index and opens a reader of it,
// closed when the test ends.
func suiteReader(t *testing.T) (bindex.IndexReader, []zhsearch.Article) {
	t.Helper()
	ix, _, articles := suiteIndex(t)
	r := snapshotReader(t, ix)
	t.Cleanup(func() { r.Close() })
	return r, articles
}

// snapshotReader opens a reader of the index as it is now; the caller
// closes it.
func snapshotReader(t *testing.T, ix *Index) bindex.IndexReader {
	t.Helper()
	adv, err := ix.bleve.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLookupMatchesPostings: looking terms up for given documents finds
// exactly what reading their postings finds.
func TestLookupMatchesPostings(t *testing.T) {
	r, articles := suiteReader(t)
	for _, segs := range []*segPostings{nil, newSegPostings(r, nil), newSegPostings(r, &postingsCache{})} {
		lookupMatchesPostings(t, r, postingsReader{ctx: context.Background(), r: r, segs: segs}, len(articles))
	}
}

// TestDecodedPostingsMatchBleve: a term's postings as the related engine
// walks them, read in place the first time, decoded the second (the
// cache's doorkeeper admits a list read twice) and from the cache the
// third, are bleve's own, document by document, with the same frequencies
// and norms and the count; also once articles are deleted (a live edit
// leaves them in their segment, marked).
func TestDecodedPostingsMatchBleve(t *testing.T) {
	ix, _, articles := suiteIndex(t)
	ctx := context.Background()
	type posting struct {
		doc, freq uint64
		norm      float64
	}
	read := func(p postingsReader, term, field string) []posting {
		t.Helper()
		var out []posting
		n, err := p.eachNum(term, field, func(num uint64, d *bindex.TermFieldDoc) {
			out = append(out, posting{num, d.Freq, d.Norm})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != uint64(len(out)) {
			t.Errorf("%s:%s: %d postings counted, %d read", field, term, n, len(out))
		}
		return out
	}
	compare := func(when string) {
		t.Helper()
		r := snapshotReader(t, ix)
		defer r.Close()
		cache := &postingsCache{}
		for _, term := range []string{"花呗", "风控", "应急贷", "逾期", "没有这个词"} {
			for _, field := range []string{fTitle, fBody, fBodyBi} {
				want := read(postingsReader{ctx: ctx, r: r}, term, field)
				for _, pass := range []string{"in place", "decoded", "cached"} {
					got := read(postingsReader{ctx: ctx, r: r, segs: newSegPostings(r, cache)}, term, field)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s, %s:%s %s: %d postings, bleve %d, or they differ", when, field, term, pass, len(got), len(want))
					}
				}
			}
		}
		if st := cache.hits.Load(); st == 0 {
			t.Errorf("%s: the third pass never read from the cache", when)
		}
	}
	compare("as built")
	deleted := 0
	for _, a := range articles {
		if strings.Contains(a.Title, "花呗") && deleted < 5 {
			if err := ix.bleve.Delete(a.ID); err != nil {
				t.Fatal(err)
			}
			deleted++
		}
	}
	if deleted == 0 {
		t.Fatal("no 花呗 title to delete")
	}
	compare("5 articles deleted")
}

func lookupMatchesPostings(t *testing.T, r bindex.IndexReader, p postingsReader, articles int) {
	// Every document, in order, as candidates.
	var all []*scored
	ids, err := r.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	for {
		id, err := ids.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id == nil {
			break
		}
		all = append(all, &scored{num: id.Value()})
	}
	ids.Close()
	if len(all) != articles {
		t.Fatalf("%d documents, want %d", len(all), articles)
	}
	for _, term := range []string{"花呗", "风控", "应急贷", "id贷", "协商还款", "没有这个词"} {
		for _, field := range []string{fTitle, fBody} {
			var read, looked []uint64
			if _, err := p.eachNum(term, field, func(num uint64, _ *bindex.TermFieldDoc) { read = append(read, num) }); err != nil {
				t.Fatal(err)
			}
			err := p.lookup(term, field, all, func(s *scored, d *bindex.TermFieldDoc) {
				if d.ID.Value() != s.num {
					t.Errorf("lookup of %d gave document %d", s.num, d.ID.Value())
				}
				looked = append(looked, s.num)
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(read)
			if !slices.Equal(read, looked) {
				t.Errorf("%s in %s: postings %v, lookup %v", term, field, read, looked)
			}
			// lookupNums, for every document and for every third.
			for _, step := range []int{1, 3} {
				var nums, want, got []uint64
				for i := 0; i < len(all); i += step {
					nums = append(nums, all[i].num)
					if slices.Contains(read, all[i].num) {
						want = append(want, all[i].num)
					}
				}
				err := p.lookupNums(term, field, nums, func(n uint64, d *bindex.TermFieldDoc) {
					if d.ID.Value() != n {
						t.Errorf("lookupNums of %d gave document %d", n, d.ID.Value())
					}
					got = append(got, n)
				})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(want, got) {
					t.Errorf("%s in %s, every %d: postings %v, lookupNums %v", term, field, step, want, got)
				}
			}
		}
		chain, err := p.bigramChain(term, fTitleBi)
		if err != nil {
			t.Fatal(err)
		}
		// The rarest bigram first gives the same chain.
		byDF := p
		byDF.df = func(g string) uint64 {
			tfr, err := r.TermFieldReader(context.Background(), []byte(g), fTitleBi, false, false, false)
			if err != nil {
				t.Fatal(err)
			}
			defer tfr.Close()
			return tfr.Count()
		}
		if chain2, err := byDF.bigramChain(term, fTitleBi); err != nil || !slices.Equal(chain, chain2) {
			t.Errorf("%s bigrams: chain %v, rarest first %v (%v)", term, chain, chain2, err)
		}
		found, err := p.lookupChain(term, fTitleBi, all)
		if err != nil {
			t.Fatal(err)
		}
		var looked []uint64
		for _, s := range found {
			looked = append(looked, s.num)
		}
		slices.Sort(chain)
		if !slices.Equal(chain, looked) {
			t.Errorf("%s bigrams: postings %v, lookup %v", term, chain, looked)
		}
	}
}

// TestChainHoldsTitleWords: every title holding a word of Han characters
// holds the word's bigrams in a row, so that a chain whose rarest bigram
// no more titles hold than the word adds nothing (postingsReader.chain),
// for every such word of the suite's titles.
func TestChainHoldsTitleWords(t *testing.T) {
	r, _ := suiteReader(t)
	p := postingsReader{ctx: context.Background(), r: r}
	var words []string
	if err := eachTerm(r, fTitle, func(term string, _ uint64) { words = append(words, term) }); err != nil {
		t.Fatal(err)
	}
	checked, skipped := 0, 0
	for _, w := range words {
		if !allHan(w) || len(bigrams(w)) == 0 {
			continue
		}
		var titles []uint64
		n, err := p.eachNum(w, fTitle, func(num uint64, _ *bindex.TermFieldDoc) { titles = append(titles, num) })
		if err != nil {
			t.Fatal(err)
		}
		chain, err := p.bigramChain(w, fTitleBi)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, d := range titles {
			if !slices.Contains(chain, d) {
				t.Fatalf("%s: title %d holds the word, not its bigrams", w, d)
			}
		}
		short, err := p.chain(w, fTitleBi, n)
		if err != nil {
			t.Fatal(err)
		}
		if short == nil && len(chain) > 0 {
			skipped++
			if len(chain) != len(titles) {
				t.Errorf("%s: chain of %d left out, %d titles hold the word", w, len(chain), len(titles))
			}
		} else if !slices.Equal(short, chain) {
			t.Errorf("%s: chain %v, want %v", w, short, chain)
		}
	}
	t.Logf("%d words, %d chains left out", checked, skipped)
	if checked < 100 || skipped == 0 {
		t.Errorf("%d words checked, %d chains left out: the suite should hold more", checked, skipped)
	}
}

// TestRelatedCommonWords forces the path a large index takes for words most
// articles hold (looked up for the best candidates instead of read through)
// on the judged suite, for words held by 3% of its articles (most subject
// words: a large index takes it for 20%): precision stays near that of the
// normal path.
func TestRelatedCommonWords(t *testing.T) {
	ix, suite, articles := suiteIndex(t)
	idOf := map[string]string{}
	for _, a := range articles {
		idOf[a.Title] = a.ID
	}
	ctx := context.Background()
	eval := func() (*relatedeval.Report, error) {
		return relatedeval.Evaluate("zhsearch", suite, func(q relatedeval.Query, k int) ([]relatedeval.Doc, error) {
			req := zhsearch.RelatedRequest{Size: k}
			if q.Draft != nil {
				req.Draft = q.Draft.Article()
			} else if id, title := relatedeval.SplitKey(q.Source); title != "" {
				req.ID = idOf[title]
			} else {
				req.ID = id
			}
			res, err := ix.Related(ctx, req)
			if err != nil {
				return nil, err
			}
			return relatedeval.DocsFromItems(res.Related), nil
		}, 5)
	}
	normal, err := eval()
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultRelatedOptions()
	o.commonShare, o.commonMinDF = 0.03, 0
	if err := ix.SetRelatedOptions(o); err != nil {
		t.Fatal(err)
	}
	common, err := eval()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("P@5 sources %.3f, drafts %.3f; common-word path: sources %.3f, drafts %.3f",
		normal.SourceMean(), normal.DraftMean(), common.SourceMean(), common.DraftMean())
	const slack = 0.15
	if common.SourceMean() < normal.SourceMean()-slack || common.DraftMean() < normal.DraftMean()-slack {
		t.Errorf("common-word path: P@5 sources %.3f, drafts %.3f, want within %.2f of the normal path's %.3f, %.3f",
			common.SourceMean(), common.DraftMean(), slack, normal.SourceMean(), normal.DraftMean())
	}
}

// TestLazyBodiesSafe: looking the bodies of the lighter words up for the
// candidates only (lazyBodies) gives the lists reading every body gives,
// for every article of the suite's index and every judged draft, with
// small pools so that the lazy path is taken on a small index, with and
// without the common-word path.
func TestLazyBodiesSafe(t *testing.T) {
	ix, suite, articles := suiteIndex(t)
	ctx := context.Background()
	var reqs []zhsearch.RelatedRequest
	for _, a := range articles {
		reqs = append(reqs, zhsearch.RelatedRequest{ID: a.ID, Size: 5})
	}
	for _, d := range suite.Drafts {
		reqs = append(reqs, zhsearch.RelatedRequest{Draft: d.Draft.Article(), Size: 5})
	}
	lists := func(o RelatedOptions) []*zhsearch.RelatedResult {
		t.Helper()
		o.CacheSize = 0
		if err := ix.SetRelatedOptions(o); err != nil {
			t.Fatal(err)
		}
		var out []*zhsearch.RelatedResult
		for _, req := range reqs {
			res, err := ix.Related(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, res)
		}
		return out
	}
	for _, pool := range []int{3, 8} {
		for _, common := range []bool{false, true} {
			o := DefaultRelatedOptions()
			o.poolSize = pool
			if common {
				o.commonShare, o.commonMinDF = 0.03, 0
			}
			before := ix.rel.lazy.Load()
			lazy := lists(o)
			took := ix.rel.lazy.Load() - before
			o.lazyOff = true
			all := lists(o)
			if took == 0 {
				t.Errorf("pool %d, common %v: no list took the lazy path", pool, common)
			}
			for i := range reqs {
				if !reflect.DeepEqual(lazy[i], all[i]) {
					t.Errorf("pool %d, common %v, %s: lazy bodies give %v, all bodies %v", pool, common, reqs[i].ID, lazy[i].Related, all[i].Related)
				}
			}
			t.Logf("pool %d, common %v: %d of %d lists took the lazy path", pool, common, took, len(reqs))
		}
	}
}

// TestInPlaceBoundHolds: every term's largest sqrt(tf)·norm, in every
// field the evaluator reads, is within the bound a list read in place is
// given (inPlaceImpact): a term is at most all of a field's tokens.
func TestInPlaceBoundHolds(t *testing.T) {
	r, _ := suiteReader(t)
	segs, ok := snapshotSegments(r)
	if !ok {
		t.Fatal("not a scorch snapshot")
	}
	lists := newSegLists(segs, nil)
	checked := 0
	for _, field := range []string{fTitle, fTitleBi, fTitleUni, fTitlePY, fTitleIni, fTitlePre, fBody, fBodyBi} {
		fd, err := r.FieldDict(field)
		if err != nil {
			t.Fatal(err)
		}
		for {
			e, err := fd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			_, _, most, err := lists.parts(field, e.Term, false, decodeLists)
			if err != nil {
				t.Fatal(err)
			}
			if most > inPlaceImpact {
				t.Errorf("%s:%s: sqrt(tf)·norm reaches %v, above the in-place bound %v", field, e.Term, most, inPlaceImpact)
			}
			checked++
		}
		fd.Close()
	}
	if checked < 1000 {
		t.Errorf("only %d terms checked", checked)
	}
}

// TestFetchBestMatchesBleve: the tag fallback's hits through the top-k
// evaluator are bleve's, by score then id, when every match is asked for
// (with fewer, hits tied at the last place may differ).
func TestFetchBestMatchesBleve(t *testing.T) {
	ix, _, _ := suiteIndex(t)
	ctx := context.Background()
	for _, tags := range [][]string{{"征信"}, {"花呗", "逾期"}, {"租机", "风控", "防骗"}, {"没有这个标签"}} {
		qs := make([]query.Query, len(tags))
		for i, tag := range tags {
			tq := query.NewTermQuery(tag)
			tq.SetField(fTags)
			qs[i] = tq
		}
		q := query.NewDisjunctionQuery(qs)
		got, err := ix.fetchBest(ctx, q, 1000)
		if err != nil {
			t.Fatal(err)
		}
		hits, err := ix.fetch(ctx, q, 1000, []string{"-_score", "_id"})
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs, wantIDs []string
		for _, d := range got {
			gotIDs = append(gotIDs, d.id)
		}
		for _, h := range hits {
			wantIDs = append(wantIDs, h.ID)
		}
		if !reflect.DeepEqual(gotIDs, wantIDs) {
			t.Errorf("tags %v: fetchBest = %v, bleve = %v", tags, gotIDs, wantIDs)
		}
	}
}

// TestRelatedLongSources: a draft or article whose text holds more
// distinct words than a source keeps (maxSourceWords) gets its list like
// any other, from the words met first, its title's among them. Such a
// body once made every related request for it fail.
func TestRelatedLongSources(t *testing.T) {
	ix, _, _ := suiteIndex(t)
	ix.SetSearchCacheSize(0)
	// Characters no dictionary joins: each pair of neighbours is a bigram
	// of the source, thousands of distinct ones.
	rng := rand.New(rand.NewPCG(1, 2))
	var body strings.Builder
	for range maxBodyRunes - 100 {
		body.WriteRune(rune(0x4E00 + rng.IntN(0x9FA5-0x4E00)))
	}
	draft := &zhsearch.Article{Title: "网贷逾期了怎么办", Body: body.String()}
	words, err := sourceWords(context.Background(), ix.seg, draft, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(words) < maxSourceWords {
		t.Fatalf("the body gives %d words: the test needs at least %d", len(words), maxSourceWords)
	}
	res, err := ix.Related(context.Background(), zhsearch.RelatedRequest{Draft: draft, Size: 5})
	if err != nil {
		t.Fatalf("related for a long draft: %v", err)
	}
	onTopic := 0
	for _, it := range res.Related {
		if strings.Contains(it.Title, "网贷") || strings.Contains(it.Title, "逾期") {
			onTopic++
		}
	}
	if len(res.Related) != 5 || onTopic < 3 {
		t.Errorf("long draft on 网贷逾期: %d items, %d on its title's words: %+v", len(res.Related), onTopic, res.Related)
	}
}

// TestDraftNeverListsItself: a draft under the title of a stored article
// (that article being edited) never lists it, whatever its spelling of
// width and punctuation; its list is full of others.
func TestDraftNeverListsItself(t *testing.T) {
	ix, _, articles := suiteIndex(t)
	for _, title := range []string{"花呗风控解除指南", "征信花了如何快速修复"} {
		var own string
		for _, a := range articles {
			if a.Title == title {
				own = a.ID
			}
		}
		if own == "" {
			t.Fatalf("no article titled %s in the suite's index", title)
		}
		for _, draft := range []string{title, title + "？", " " + title} {
			res, err := ix.Related(context.Background(), zhsearch.RelatedRequest{Draft: &zhsearch.Article{Title: draft}, Size: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Related) != 5 {
				t.Errorf("draft %q: %d items, want 5", draft, len(res.Related))
			}
			for _, it := range res.Related {
				if it.ID == own {
					t.Errorf("draft %q lists the article of its own title (%s)", draft, own)
				}
			}
		}
	}
}

// TestDraftListsItsTwin: a draft whose title says a stored title with
// other question words (能 for 可以, 怎么 for 如何) is not that article
// being edited: the article answers what the draft asks and is listed,
// though the two titles have the same duplicate key. (Twins of each other
// show once: either may be the one listed.)
func TestDraftListsItsTwin(t *testing.T) {
	ix, _, articles := suiteIndex(t)
	for _, tt := range []struct {
		draft string
		twins []string
	}{
		{"朋友借钱不还能起诉吗", []string{"朋友借钱不还可以起诉吗"}},
		{"花呗被风控了怎么解除呢", []string{"花呗被风控了怎么解除", "花呗被风控了如何解除"}},
	} {
		twins := map[string]bool{}
		for _, a := range articles {
			if slices.Contains(tt.twins, a.Title) {
				twins[a.ID] = true
			}
		}
		if len(twins) != len(tt.twins) {
			t.Fatalf("the suite's index does not hold every one of %v", tt.twins)
		}
		res, err := ix.Related(context.Background(), zhsearch.RelatedRequest{Draft: &zhsearch.Article{Title: tt.draft}, Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(res.Related, func(it zhsearch.RelatedItem) bool { return twins[it.ID] }) {
			t.Errorf("draft %q lists none of %v: %+v", tt.draft, tt.twins, res.Related)
		}
	}
}

// TestSourceWordsLeaveQuestionsOut: the pieces of a question word (回事 of
// 怎么回事, 时候 of 什么时候) are no more the source's subject than the
// question word is: no article holds them as a title word, and counted as
// absent title words they weighed as much as the subject in the share of
// the source every list item is measured by.
func TestSourceWordsLeaveQuestionsOut(t *testing.T) {
	seg := analysis.DefaultSegmenter()
	for _, tt := range []struct{ title, piece, subject string }{
		{"网贷申请总是秒拒怎么回事", "回事", "网贷"},
		{"花呗额度什么时候恢复", "时候", "花呗"},
	} {
		words, err := sourceWords(context.Background(), seg, &zhsearch.Article{Title: tt.title}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := words[tt.piece]; ok {
			t.Errorf("%s: %s is a source word", tt.title, tt.piece)
		}
		if _, ok := words[tt.subject]; !ok {
			t.Errorf("%s: %s is not a source word", tt.title, tt.subject)
		}
	}
}

func TestAmount(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"2024", true}, {"五千", true}, {"一万多", true}, {"三千块", true}, {"七天", true},
		{"三个月", true}, {"两年", true}, {"十二期", true}, {"第一次", true}, {"第二天", true},
		{"天天", false}, {"一次性", false}, {"个人", false}, {"借款", false}, {"月付", false},
		{"第三方", false}, {"第", false},
	}
	for _, tt := range tests {
		if got := amount(tt.word); got != tt.want {
			t.Errorf("amount(%s) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

// TestTitleSimilaritySynonyms: a word of one title that the other says
// with a synonym (还钱, 还款) is shared for partialMatch, as a word inside
// another is; an unrelated word is not shared at all.
func TestTitleSimilaritySynonyms(t *testing.T) {
	synonyms := func(w string) []string {
		return map[string][]string{"还钱": {"还款"}, "还款": {"还钱"}}[w]
	}
	words := func(ws ...string) []titleWord {
		out := make([]titleWord, len(ws))
		for i, w := range ws {
			out[i] = titleWord{w, 1}
		}
		return out
	}
	tests := []struct {
		name string
		a, b []titleWord
		want float64
	}{
		{"same words", words("朋友", "还钱"), words("朋友", "还钱"), 1},
		{"a synonym", words("朋友", "还钱"), words("朋友", "还款"), 0.75},
		{"a word inside another", words("朋友", "还款"), words("朋友", "协商还款"), 0.75},
		{"unrelated", words("朋友", "还钱"), words("朋友", "起诉"), 0.5},
	}
	for _, tt := range tests {
		if got := titleSimilarity(tt.a, tt.b, synonyms); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: titleSimilarity = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestFloatHeapKeepsKBest: kth's heap holds the k best scores seen, its
// top the k-th best, as sorting them all gives.
func TestFloatHeapKeepsKBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, k := range []int{1, 2, 3, 10, 48} {
		for _, n := range []int{k, k + 1, 5 * k, 1000} {
			vs := make([]float64, n)
			for i := range vs {
				vs[i] = float64(rng.IntN(50)) / 7 // ties too
			}
			h := make(floatHeap, 0, k)
			for _, v := range vs {
				if len(h) < k {
					h.push(v)
				} else if v > h[0] {
					h[0] = v
					h.down(0)
				}
			}
			sorted := slices.Clone(vs)
			slices.Sort(sorted)
			if want := sorted[n-k]; h[0] != want {
				t.Errorf("k=%d n=%d: heap top %v, want the k-th best %v", k, n, h[0], want)
			}
		}
	}
}
