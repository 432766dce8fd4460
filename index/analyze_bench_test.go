package index

import (
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/gen"
)

// BenchmarkAnalyzeArticle analyzes generated articles as a build does
// (analyzeArticle, the body cut once for both its fields) and reports,
// beside the time, how many postings (distinct terms of a field) an
// article adds: the figure a build's segment writing and merging follow
// (BENCHMARKS.md, *Body bigrams: runs only*).
//
//	go test -run XXX -bench AnalyzeArticle -benchtime 3000x ./index/
func BenchmarkAnalyzeArticle(b *testing.B) {
	im, err := newMapping("")
	if err != nil {
		b.Fatal(err)
	}
	split := bodySplit(im, analysis.DefaultSegmenter())
	var articles []zhsearch.Article
	if err := gen.Generate(gen.Options{N: 1000, Seed: 1}, func(a zhsearch.Article) error {
		articles = append(articles, a)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	postings := map[string]int{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := analyzeArticle(im, split, &articles[i%len(articles)])
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range d.Fields {
			if !f.Options().IsIndexed() {
				continue
			}
			f.Analyze() // dates and flags; the text fields are analyzed already
			group := "other"
			switch name := f.Name(); {
			case name == fBody || name == fBodyBi:
				group = name
			case strings.HasPrefix(name, fTitle):
				group = "title"
			}
			postings[group] += len(f.AnalyzedTokenFrequencies())
		}
	}
	b.StopTimer()
	total := 0
	for group, n := range postings {
		total += n
		b.ReportMetric(float64(n)/float64(b.N), group+"-postings/article")
	}
	b.ReportMetric(float64(total)/float64(b.N), "postings/article")
}
