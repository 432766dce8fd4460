package index_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/gen"
	"github.com/zhsearch/zhsearch/index/yardstick"
)

// The related benchmarks run over the judged suite's corpus by default. Set
// ZHSEARCH_BENCH_N (e.g. 100000) to also run them over a generated corpus of
// that many articles (index/gen, seed 1); building it takes minutes, so
// ZHSEARCH_BENCH_INDEX may name a folder where the index is kept and reused
// by later runs with the same N.
const (
	envBenchN     = "ZHSEARCH_BENCH_N"
	envBenchIndex = "ZHSEARCH_BENCH_INDEX"
	benchSample   = 1000 // distinct source articles a benchmark cycles through
)

// BenchmarkRelated measures related-list latency for stored articles: a cache
// hit (cached), a cache miss with the index's document frequencies already
// cached (uncached: a list not asked for since the last change), and a miss
// right after the index changed (cold: frequencies read from the postings).
// Each reports the p50 and p99 of its calls in milliseconds.
func BenchmarkRelated(b *testing.B) {
	f := loadRelatedSuite(b)
	ids := make([]string, 0, len(f.articles))
	for _, a := range f.articles {
		ids = append(ids, a.ID)
	}
	benchRelated(b, "suite", f.ix, ids)
	benchDraftsAndYardstick(b, f)
	if s := os.Getenv(envBenchN); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number of articles", envBenchN, s)
		}
		ix, ids := genIndex(b, n)
		benchRelated(b, fmt.Sprintf("gen%d", n), ix, ids)
	}
}

func benchRelated(b *testing.B, name string, ix *index.Index, ids []string) {
	ctx := context.Background()
	if len(ids) > benchSample {
		// Every k-th article: a deterministic spread over the corpus.
		step := len(ids) / benchSample
		sample := make([]string, 0, benchSample)
		for i := 0; i < len(ids) && len(sample) < benchSample; i += step {
			sample = append(sample, ids[i])
		}
		ids = sample
	}
	related := func(b *testing.B, id string) {
		if _, err := ix.Related(ctx, zhsearch.RelatedRequest{ID: id, Size: 5}); err != nil {
			b.Fatal(err)
		}
	}
	run := func(b *testing.B, before func(i int)) {
		b.ReportAllocs()
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if before != nil {
				b.StopTimer()
				before(i)
				b.StartTimer()
			}
			start := time.Now()
			related(b, ids[i%len(ids)])
			lat = append(lat, time.Since(start))
		}
		reportPercentiles(b, lat)
	}
	b.Run(name+"/cached", func(b *testing.B) {
		if err := ix.SetRelatedOptions(withCache(len(ids))); err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			related(b, id)
		}
		run(b, nil)
	})
	b.Run(name+"/uncached", func(b *testing.B) {
		if err := ix.SetRelatedOptions(withCache(0)); err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			related(b, id) // warms the document-frequency cache
		}
		run(b, nil)
	})
	b.Run(name+"/cold", func(b *testing.B) {
		if err := ix.SetRelatedOptions(withCache(0)); err != nil {
			b.Fatal(err)
		}
		run(b, func(int) { ix.Invalidate() })
	})
	if err := ix.SetRelatedOptions(index.DefaultRelatedOptions()); err != nil {
		b.Fatal(err)
	}
}

// benchDraftsAndYardstick measures draft lists (the suite's judged drafts,
// never cached) and, beside them, the yardstick's related list (bleve cjk,
// the source's title and body as the query) for the suite's articles.
func benchDraftsAndYardstick(b *testing.B, f *relatedFixture) {
	ctx := context.Background()
	b.Run("suite/draft", func(b *testing.B) {
		b.ReportAllocs()
		lat := make([]time.Duration, 0, b.N)
		for i := 0; b.Loop(); i++ {
			d := f.suite.Drafts[i%len(f.suite.Drafts)].Draft
			start := time.Now()
			if _, err := f.ix.Related(ctx, zhsearch.RelatedRequest{Draft: d.Article(), Size: 5}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		reportPercentiles(b, lat)
	})
	b.Run("suite/yardstick", func(b *testing.B) {
		ys, err := yardstick.Build(filepath.Join(b.TempDir(), "cjk"), f.articles, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer ys.Close()
		b.ReportAllocs()
		lat := make([]time.Duration, 0, b.N)
		for i := 0; b.Loop(); i++ {
			a := f.articles[i%len(f.articles)]
			start := time.Now()
			if _, err := ys.Related(ctx, a.ID, a.Title+" "+a.Body, 5); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		reportPercentiles(b, lat)
	})
}

// withCache returns the default options with a cache of size lists.
func withCache(size int) index.RelatedOptions {
	o := index.DefaultRelatedOptions()
	o.CacheSize = size
	return o
}

// reportPercentiles reports the p50 and p99 of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		i := min(len(lat)-1, int(p*float64(len(lat))))
		return float64(lat[i].Nanoseconds()) / 1e6
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// genIndex opens (or first builds) an index of n generated articles and
// returns it with the articles' ids.
func genIndex(b *testing.B, n int) (*index.Index, []string) {
	b.Helper()
	opts := gen.Options{N: n, Seed: 1}
	var ids []string
	var articles []zhsearch.Article
	dir := os.Getenv(envBenchIndex)
	marker := ""
	if dir != "" {
		marker = filepath.Join(dir, "BENCH")
	}
	want := fmt.Sprintf("gen n=%d seed=%d\n", opts.N, opts.Seed)
	have, _ := os.ReadFile(marker)
	built := marker != "" && string(have) == want
	err := gen.Generate(opts, func(a zhsearch.Article) error {
		ids = append(ids, a.ID)
		if !built {
			articles = append(articles, a)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "index")
	}
	if !built {
		start := time.Now()
		if _, err := index.BuildArticles(context.Background(), dir, articles, index.BuildOptions{}); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d generated articles in %s", n, time.Since(start).Round(time.Second))
		if marker != "" {
			if err := os.WriteFile(marker, []byte(want), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	ix, err := index.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return ix, ids
}
