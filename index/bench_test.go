package index_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/gen"
	"github.com/zhsearch/zhsearch/index/gen/querymix"
	"github.com/zhsearch/zhsearch/index/yardstick"
)

// BenchmarkQueries measures search, related and suggest on a generated
// corpus, each beside its yardstick counterpart (plain bleve with the cjk
// analyzer) over the same articles. By default it builds both indexes of a
// 2,000-article corpus first; to measure a bigger one, build it with
// bench/run and point the benchmark at it:
//
//	ZHSEARCH_BENCH_N=100000 ZHSEARCH_BENCH_INDEX=bench/out/100000/zhsearch \
//	ZHSEARCH_BENCH_YARDSTICK=bench/out/100000/yardstick go test -run XXX -bench Queries ./index/
//
// The corpus is `zhsearch gen --n $ZHSEARCH_BENCH_N --seed 1`; the request
// mix comes from index/gen/querymix, as in the HTTP load test.
// ZHSEARCH_BENCH_POSTINGS_MB sets the decoded-postings budget of an index
// opened that way (MiB; 0: none kept), as serve's --postings-cache-mb. Add
// -cpuprofile search.prof and read it with
// go tool pprof -top -cum -focus 'Index..Search$' index.test search.prof.
func BenchmarkQueries(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("ZHSEARCH_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	corpus := gen.Options{N: n, Seed: 1}
	ix, ys := benchIndexes(b, corpus)
	// The mix repeats its queries: measure the work, not the caches.
	ix.SetSearchCacheSize(0)
	if err := ix.SetRelatedOptions(withCache(0)); err != nil {
		b.Fatal(err)
	}
	mix, err := querymix.FromCorpus(querymix.Options{Corpus: corpus, N: 500, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	titles := map[string]string{}
	for _, id := range mix.Related {
		if ys == nil {
			break
		}
		if titles[id], err = ys.Title(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	// Drafts (POST /api/v1/related): each related source of the mix sent
	// back as an unsaved draft, title, tags and body (a full draft), and,
	// as scripts/load.lua sends them, its title with another article's
	// title as the body (a short draft). The yardstick's counterpart is its
	// related shortcut, as for stored sources: the draft's title as the
	// query.
	drafts := map[string]*zhsearch.Article{}
	var draftKeys []string
	for i, id := range mix.Related {
		a, err := ix.Article(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		other, err := ix.Article(ctx, mix.Related[(i+1)%len(mix.Related)])
		if err != nil {
			b.Fatal(err)
		}
		full, short := querymix.Drafts(*a, *other)
		for _, d := range []struct {
			key string
			a   *zhsearch.Article
		}{{"full/" + id, &full}, {"short/" + id, &short}} {
			if _, dup := drafts[d.key]; !dup {
				drafts[d.key] = d.a
				draftKeys = append(draftKeys, d.key)
			}
		}
	}

	run := func(name string, reqs []string, fn func(q string) error) {
		if ys == nil && strings.HasSuffix(name, "/yardstick") {
			return
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			lat := make([]time.Duration, 0, b.N)
			cpu := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start, startCPU := time.Now(), processCPU()
				if err := fn(reqs[i%len(reqs)]); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				cpu = append(cpu, processCPU()-startCPU)
			}
			reportPercentiles(b, lat)
			reportCPUPercentiles(b, cpu)
		})
	}
	before := ix.EvaluatorStats()
	run("search/zhsearch", mix.Search, func(q string) error {
		_, err := ix.Search(ctx, zhsearch.SearchRequest{Query: q, Size: 10})
		return err
	})
	after := ix.EvaluatorStats()
	pages := after.Pages - before.Pages
	b.Logf("evaluator after search/zhsearch, per page: %.0f documents visited (%.0f while counting), %.0f scored (%d pages)",
		perPage(after.Visited-before.Visited, pages), perPage(after.Counting-before.Counting, pages),
		perPage(after.Scored-before.Scored, pages), pages)
	b.Logf("decoded postings after search/zhsearch: %+v", ix.PostingsCacheStats())
	run("search/zhsearch-cold", mix.Search, func(q string) error {
		// Every list decoded afresh, as for terms no query has read since
		// the index opened.
		ix.SetPostingsCacheBytes(-1)
		defer ix.SetPostingsCacheBytes(0)
		_, err := ix.Search(ctx, zhsearch.SearchRequest{Query: q, Size: 10})
		return err
	})
	run("search/zhsearch-bleve", mix.Search, func(q string) error {
		// The same queries through bleve's searchers (before the top-k
		// evaluator), for a paired figure.
		ix.SetBleveSearch(true)
		defer ix.SetBleveSearch(false)
		_, err := ix.Search(ctx, zhsearch.SearchRequest{Query: q, Size: 10})
		return err
	})
	run("search/yardstick", mix.Search, func(q string) error {
		_, _, err := ys.Search(ctx, q, 10)
		return err
	})
	run("related/zhsearch", mix.Related, func(id string) error {
		_, err := ix.Related(ctx, zhsearch.RelatedRequest{ID: id, Size: 5})
		return err
	})
	b.Logf("decoded postings after related/zhsearch: %+v", ix.PostingsCacheStats())
	run("related/yardstick", mix.Related, func(id string) error {
		_, err := ys.Related(ctx, id, titles[id], 5)
		return err
	})
	run("related-draft/zhsearch", draftKeys, func(k string) error {
		d := *drafts[k]
		_, err := ix.Related(ctx, zhsearch.RelatedRequest{Draft: &d, Size: 5})
		return err
	})
	b.Logf("decoded postings after related-draft/zhsearch: %+v", ix.PostingsCacheStats())
	run("related-draft/yardstick", draftKeys, func(k string) error {
		d := drafts[k]
		_, err := ys.Related(ctx, "", d.Title, 5)
		return err
	})
	run("suggest/zhsearch", mix.Suggest, func(q string) error {
		_, err := ix.Suggest(ctx, zhsearch.SuggestRequest{Query: q, Size: 8})
		return err
	})
	run("suggest/yardstick", mix.Suggest, func(q string) error {
		_, err := ys.Suggest(ctx, q, 8)
		return err
	})
}

// benchIndexes opens the indexes named by ZHSEARCH_BENCH_INDEX and
// ZHSEARCH_BENCH_YARDSTICK, or builds both from the corpus in a temp folder.
func benchIndexes(b *testing.B, corpus gen.Options) (*index.Index, *yardstick.Index) {
	b.Helper()
	if dir := os.Getenv("ZHSEARCH_BENCH_INDEX"); dir != "" {
		ix, err := index.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ix.Close() })
		if mb, err := strconv.Atoi(os.Getenv("ZHSEARCH_BENCH_POSTINGS_MB")); err == nil {
			if mb == 0 {
				ix.SetPostingsCacheBytes(-1)
			} else {
				ix.SetPostingsCacheBytes(int64(mb) << 20)
			}
		}
		ysDir := os.Getenv("ZHSEARCH_BENCH_YARDSTICK")
		if ysDir == "" {
			return ix, nil // zhsearch only
		}
		ys, err := yardstick.Open(ysDir)
		if err != nil {
			b.Fatalf("ZHSEARCH_BENCH_YARDSTICK: %v", err)
		}
		b.Cleanup(func() { ys.Close() })
		return ix, ys
	}
	var articles []zhsearch.Article
	if err := gen.Generate(corpus, func(a zhsearch.Article) error { articles = append(articles, a); return nil }); err != nil {
		b.Fatal(err)
	}
	ix := buildIndex(b, articles)
	ys, err := yardstick.Build(filepath.Join(b.TempDir(), "cjk"), articles, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ys.Close() })
	return ix, ys
}

// BenchmarkBuild measures building a zhsearch index of 2,000 generated
// articles, beside the yardstick building its index of the same articles.
// With ZHSEARCH_BENCH_DATA it builds that data folder instead, zhsearch
// only, which is how the build profile in BENCHMARKS.md was taken:
//
//	ZHSEARCH_BENCH_DATA=bench/out/100000/data go test -run XXX -bench Build/zhsearch \
//	  -benchtime 1x -cpuprofile build.prof ./index/
//	go tool pprof -top -cum index.test build.prof
func BenchmarkBuild(b *testing.B) {
	var articles []zhsearch.Article
	dataDir := os.Getenv("ZHSEARCH_BENCH_DATA")
	if dataDir != "" {
		c, err := corpus.Load(dataDir, analysis.Normalize)
		if err != nil {
			b.Fatal(err)
		}
		articles = c.Articles
	} else if err := gen.Generate(gen.Options{N: 2000, Seed: 1}, func(a zhsearch.Article) error {
		articles = append(articles, a)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.Run("zhsearch", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			dir := filepath.Join(b.TempDir(), strconv.Itoa(i))
			if _, err := index.BuildArticles(context.Background(), dir, articles, index.BuildOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	if dataDir != "" {
		return
	}
	b.Run("yardstick", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := yardstick.BuildTime(filepath.Join(b.TempDir(), strconv.Itoa(i)), articles, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// processCPU is the CPU time the process has used (user and system, the
// garbage collector's included). On a loaded machine, where wall-clock
// latency measures the queue for a core, the CPU a request takes is the
// figure that compares.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPUPercentiles reports the p50 and p99 of the CPU each call took,
// in milliseconds.
func reportCPUPercentiles(b *testing.B, cpu []time.Duration) {
	b.Helper()
	if len(cpu) == 0 {
		return
	}
	slices.Sort(cpu)
	at := func(p float64) float64 {
		i := min(len(cpu)-1, int(p*float64(len(cpu))))
		return float64(cpu[i].Nanoseconds()) / 1e6
	}
	b.ReportMetric(at(0.50), "cpu-p50-ms")
	b.ReportMetric(at(0.99), "cpu-p99-ms")
}

// perPage is n per page, 0 without pages.
func perPage(n, pages uint64) float64 {
	if pages == 0 {
		return 0
	}
	return float64(n) / float64(pages)
}
