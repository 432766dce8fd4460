package analysis

import (
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/data"
	"github.com/zhsearch/zhsearch/index/gen"
)

// benchTexts returns the titles and bodies of a small generated corpus.
func benchTexts(b *testing.B) (titles, bodies [][]byte) {
	b.Helper()
	err := gen.Generate(gen.Options{N: 200, Seed: 1}, func(a zhsearch.Article) error {
		titles = append(titles, []byte(a.Title))
		bodies = append(bodies, []byte(a.Body))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return titles, bodies
}

// benchAnalyzer runs an analyzer over generated article bodies (or titles)
// and reports throughput in bytes of input per second.
func benchAnalyzer(b *testing.B, a analysis.Analyzer, titles bool) {
	ts, bs := benchTexts(b)
	texts := bs
	if titles {
		texts = ts
	}
	var n int64
	for _, t := range texts {
		n += int64(len(t))
	}
	b.SetBytes(n / int64(len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Analyze(texts[i%len(texts)])
	}
}

func namedAnalyzer(b *testing.B, name string) analysis.Analyzer {
	b.Helper()
	a, err := registry.NewCache().AnalyzerNamed(name)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// Body analyzers: zhsearch indexes a body with gse words and bigrams; the
// yardstick with bleve's cjk analyzer.
func BenchmarkBodyWords(b *testing.B)  { benchAnalyzer(b, namedAnalyzer(b, Words), false) }
func BenchmarkBodyBigram(b *testing.B) { benchAnalyzer(b, namedAnalyzer(b, Bigram), false) }
func BenchmarkBodyYardstickCJK(b *testing.B) {
	benchAnalyzer(b, namedAnalyzer(b, cjk.AnalyzerName), false)
}

// Title analyzers: words, bigrams, single characters, pinyin, initials.
func BenchmarkTitleWords(b *testing.B)    { benchAnalyzer(b, namedAnalyzer(b, Words), true) }
func BenchmarkTitleBigram(b *testing.B)   { benchAnalyzer(b, namedAnalyzer(b, Bigram), true) }
func BenchmarkTitleUnigram(b *testing.B)  { benchAnalyzer(b, namedAnalyzer(b, Unigram), true) }
func BenchmarkTitlePinyin(b *testing.B)   { benchAnalyzer(b, namedAnalyzer(b, Pinyin), true) }
func BenchmarkTitleInitials(b *testing.B) { benchAnalyzer(b, namedAnalyzer(b, Initials), true) }
func BenchmarkTitleYardstickCJK(b *testing.B) {
	benchAnalyzer(b, namedAnalyzer(b, cjk.AnalyzerName), true)
}

// BenchmarkNormalizeBody measures normalization with offsets, which every
// analyzer and the highlighter run.
func BenchmarkNormalizeBody(b *testing.B) {
	_, bodies := benchTexts(b)
	texts := make([]string, len(bodies))
	for i, t := range bodies {
		texts[i] = string(t)
	}
	b.SetBytes(int64(len(texts[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		NormalizeMap(texts[i%len(texts)], true)
	}
}

// BenchmarkSegmenterLoad measures building the process's segmenter from
// the embedded dictionaries, the bulk of the server's start-up time: from
// the prepared form (zhdict/prepared.bin, made by go generate) and from the
// text.
func BenchmarkSegmenterLoad(b *testing.B) {
	prepared, err := PrepareDict(data.Dict)
	if err != nil {
		b.Fatal(err)
	}
	for _, bm := range []struct {
		name     string
		prepared []byte
	}{{"prepared", prepared}, {"text", nil}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				s, err := newSegmenter(data.Dict, bm.prepared)
				if err != nil {
					b.Fatal(err)
				}
				if s.prepared != (bm.prepared != nil) {
					b.Fatal("wrong load path")
				}
			}
		})
	}
}
