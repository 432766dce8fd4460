package index

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
	"github.com/zhsearch/zhsearch/index/gen/querymix"
)

// highlightBenchIndex opens the index ZHSEARCH_BENCH_INDEX names, or builds
// one of 2,000 generated articles; it returns the index and its corpus.
func highlightBenchIndex(b *testing.B) (*Index, gen.Options) {
	b.Helper()
	ctx := context.Background()
	corpus := gen.Options{N: 2000, Seed: 1}
	var ix *Index
	if dir := os.Getenv("ZHSEARCH_BENCH_INDEX"); dir != "" {
		var err error
		if ix, err = Open(dir); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ix.Close() })
		n, err := ix.DocCount()
		if err != nil {
			b.Fatal(err)
		}
		corpus.N = int(n)
	} else {
		var articles []zhsearch.Article
		if err := gen.Generate(corpus, func(a zhsearch.Article) error { articles = append(articles, a); return nil }); err != nil {
			b.Fatal(err)
		}
		dir := filepath.Join(b.TempDir(), "index")
		if _, err := BuildArticles(ctx, dir, articles, BuildOptions{}); err != nil {
			b.Fatal(err)
		}
		var err error
		if ix, err = Open(dir); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ix.Close() })
	}
	return ix, corpus
}

// BenchmarkHighlightPage measures marking a search page's hits (titles,
// snippets of their bodies), what a page costs after the evaluator and the
// stored fields: 2,000 generated articles, bodies and all, or the index
// ZHSEARCH_BENCH_INDEX names (a generated corpus of ZHSEARCH_BENCH_N
// articles, as bench/run builds it), and the first 200 queries of the
// search mix, each page of 10 found once before timing:
//
//	ZHSEARCH_BENCH_N=100000 ZHSEARCH_BENCH_INDEX=bench/out/100000/zhsearch \
//	  go test -run XXX -bench HighlightPage ./index/
func BenchmarkHighlightPage(b *testing.B) {
	ix, corpus := highlightBenchIndex(b)
	mix, err := querymix.FromCorpus(querymix.Options{Corpus: corpus, N: 200, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	type page struct {
		aq  analyzedQuery
		res *pageResult
	}
	pages := make([]page, 0, len(mix.Search))
	for _, q := range mix.Search {
		aq, res := rankedFirstPage(b, ix, q)
		pages = append(pages, page{aq, res})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := &pages[i%len(pages)]
		hl := newHighlighter(&p.aq)
		for _, h := range p.res.Hits {
			ix.hit(h, hl)
		}
	}
}

// BenchmarkHighlightMisspelt measures marking a page of 10 hits for a query
// of 200 characters the dictionary cannot read (random rare characters, as
// a probe sent to slow search down): every run of it is a misspelt word
// looked for by its sound in each hit. The page is found once before
// timing.
//
//	go test -run XXX -bench HighlightMisspelt -benchmem ./index/
func BenchmarkHighlightMisspelt(b *testing.B) {
	ix, _ := highlightBenchIndex(b)
	const rare = "懂街流烦岛计病台衢航役权险技粒奴远函失硕群曲威菩味会期刃化建匈疗伐梦童票徽静典融芝意替号启给屋防宝萨武自符广涯盾飞害灌定棉袋哥百惨稳色婚备工式张刑其圾收军"
	chars := []rune(rare)
	rng := rand.New(rand.NewPCG(1, 2))
	q := make([]rune, 200)
	for i := range q {
		q[i] = chars[rng.IntN(len(chars))]
	}
	aq, res := rankedFirstPage(b, ix, string(q))
	if len(res.Hits) == 0 {
		b.Fatal("the query found nothing to mark")
	}
	b.ReportAllocs()
	for b.Loop() {
		hl := newHighlighter(&aq)
		for _, h := range res.Hits {
			ix.hit(h, hl)
		}
	}
}

// rankedFirstPage analyzes q and finds its first page of 10, as search
// does before it marks the hits.
func rankedFirstPage(b testing.TB, ix *Index, q string) (analyzedQuery, *pageResult) {
	b.Helper()
	ctx := context.Background()
	aq := ix.analyze(q)
	bq, err := ix.searchQuery(ctx, &aq)
	if err != nil {
		b.Fatal(err)
	}
	res, _, err := ix.rankedPage(ctx, &aq, bq, 1, 10)
	if err != nil {
		b.Fatal(err)
	}
	return aq, res
}
