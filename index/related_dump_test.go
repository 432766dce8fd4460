package index_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/gen"
	"github.com/zhsearch/zhsearch/index/gen/querymix"
)

// TestRelatedDump writes the related lists of the benchmark's mix (stored
// sources, full and short drafts, as BenchmarkQueries sends them) to the
// file named by ZHSEARCH_RELATED_DUMP, one JSON line per list, so that two
// versions of the engine can be compared list by list on a large index
// (ZHSEARCH_BENCH_N, ZHSEARCH_BENCH_INDEX):
//
//	ZHSEARCH_RELATED_DUMP=/tmp/after.jsonl ZHSEARCH_BENCH_N=100000 \
//	ZHSEARCH_BENCH_INDEX=… go test -run TestRelatedDump ./index/
func TestRelatedDump(t *testing.T) {
	out := os.Getenv("ZHSEARCH_RELATED_DUMP")
	dir := os.Getenv("ZHSEARCH_BENCH_INDEX")
	if out == "" || dir == "" {
		t.Skip("set ZHSEARCH_RELATED_DUMP and ZHSEARCH_BENCH_INDEX")
	}
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("ZHSEARCH_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.SetRelatedOptions(withCache(0)); err != nil {
		t.Fatal(err)
	}
	mix, err := querymix.FromCorpus(querymix.Options{Corpus: gen.Options{N: n, Seed: 1}, N: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	ctx := context.Background()
	for i, id := range mix.Related {
		a, err := ix.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		other, err := ix.Article(ctx, mix.Related[(i+1)%len(mix.Related)])
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []zhsearch.RelatedRequest{
			{ID: id, Size: 5},
			{Draft: &zhsearch.Article{Title: a.Title, Body: a.Body, Tags: a.Tags}, Size: 5},
			{Draft: &zhsearch.Article{Title: a.Title, Body: other.Title}, Size: 5},
		} {
			res, err := ix.Related(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if err := enc.Encode(map[string]any{"source": id, "draft": req.Draft != nil, "related": res.Related}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
