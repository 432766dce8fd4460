package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
	"github.com/zhsearch/zhsearch/index/gen/querymix"
)

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
	ctx := context.Background()
	corpus := gen.Options{N: 2000, Seed: 1}
	var ix *Index
	if dir := os.Getenv("ZHSEARCH_BENCH_INDEX"); dir != "" {
		var err error
		if ix, err = Open(dir); err != nil {
			b.Fatal(err)
		}
		defer ix.Close()
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
		defer ix.Close()
	}
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
		aq := ix.analyze(q)
		bq, err := ix.searchQuery(ctx, &aq)
		if err != nil {
			b.Fatal(err)
		}
		res, _, err := ix.rankedPage(ctx, &aq, bq, 1, 10)
		if err != nil {
			b.Fatal(err)
		}
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
