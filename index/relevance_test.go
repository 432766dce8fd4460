package index_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/relevance"
	"github.com/zhsearch/zhsearch/index/yardstick"
)

// judgedCorpus is the bundled corpus plus the relevance suite's articles.
func judgedCorpus(t testing.TB) []zhsearch.Article {
	t.Helper()
	extra, err := relevance.LoadArticles("../testdata/relevance/articles.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return bundledCorpus(t, extra...)
}

// bundledCorpus is the bundled data folder's articles followed by extra.
func bundledCorpus(t testing.TB, extra ...zhsearch.Article) []zhsearch.Article {
	t.Helper()
	c, err := corpus.Load("../data", analysis.Normalize)
	if err != nil {
		t.Fatal(err)
	}
	return append(c.Articles, extra...)
}

// buildIndex builds a zhsearch index of articles in a temp folder.
func buildIndex(t testing.TB, articles []zhsearch.Article) *index.Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := index.BuildArticles(context.Background(), dir, articles, index.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

const ndcgK = 10

// TestRelevanceBeatsYardstick runs the judged queries against zhsearch and,
// in the same run, against plain bleve with the cjk analyzer over the same
// articles. zhsearch must not be below the yardstick on any kind of query,
// and must reach 0.90 NDCG@10 overall.
func TestRelevanceBeatsYardstick(t *testing.T) {
	articles := judgedCorpus(t)
	queries, err := relevance.LoadQueries("../testdata/relevance/queries.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	ix := buildIndex(t, articles)
	ys, err := yardstick.Build(filepath.Join(t.TempDir(), "cjk"), articles, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ys.Close()
	ctx := context.Background()

	ours, err := relevance.Evaluate(queries, func(q string) ([]relevance.Doc, error) {
		res, err := ix.Search(ctx, zhsearch.SearchRequest{Query: q, Size: ndcgK})
		if err != nil {
			return nil, err
		}
		docs := make([]relevance.Doc, len(res.Hits))
		for i, h := range res.Hits {
			docs[i] = relevance.Doc{ID: h.ID, Title: h.Title}
		}
		return docs, nil
	}, ndcgK)
	if err != nil {
		t.Fatal(err)
	}
	base, err := relevance.Evaluate(queries, func(q string) ([]relevance.Doc, error) {
		hits, _, err := ys.Search(ctx, q, ndcgK)
		docs := make([]relevance.Doc, len(hits))
		for i, h := range hits {
			docs[i] = relevance.Doc{ID: h.ID, Title: h.Title}
		}
		return docs, err
	}, ndcgK)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("NDCG@%d over %d judged queries, %d articles:\n%s", ndcgK, len(queries), len(articles),
		relevance.SideBySide("zhsearch", ours, "bleve-cjk", base))
	t.Logf("by half (the suite's lines name no half: relevance.SplitHalves splits each kind evenly by a fixed hash of the query text):\n%s",
		relevance.HalvesTable("zhsearch", ours, "bleve-cjk", base))
	if os.Getenv("ZHSEARCH_RELEVANCE_DETAIL") != "" {
		t.Logf("\n%s", relevance.PerQuery("zhsearch", ours, "bleve-cjk", base))
	}
	if below := ours.KindsBelow(base); len(below) > 0 {
		t.Errorf("zhsearch is below the yardstick on %v", below)
	}
	if ours.Overall < 0.90 {
		t.Errorf("overall NDCG@%d = %.3f, want >= 0.90", ndcgK, ours.Overall)
	}
}
