// Package yardstick is the baseline every zhsearch quality and speed figure
// is compared against: plain bleve with its `cjk` bigram analyzer, default
// settings, the same articles. It searches with a match query on title and
// body, and finds "related" articles the obvious way, by searching with the
// article's title as the query.
package yardstick

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
)

// Index is a bleve index of articles analyzed with `cjk`.
type Index struct {
	bleve bleve.Index
}

type doc struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func newMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	dm := bleve.NewDocumentMapping()
	title := bleve.NewTextFieldMapping()
	title.Analyzer = cjk.AnalyzerName
	body := bleve.NewTextFieldMapping()
	body.Analyzer = cjk.AnalyzerName
	dm.AddFieldMappingsAt("title", title)
	dm.AddFieldMappingsAt("body", body)
	m.DefaultMapping = dm
	return m
}

// Build indexes articles into a new bleve index at path, in batches of
// batchSize (0 means 1000), and returns it open.
func Build(path string, articles []zhsearch.Article, batchSize int) (*Index, error) {
	b, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, fmt.Errorf("yardstick: create index: %w", err)
	}
	if batchSize <= 0 {
		batchSize = 1000
	}
	batch := b.NewBatch()
	for i := range articles {
		if err := batch.Index(articles[i].ID, doc{Title: articles[i].Title, Body: articles[i].Body}); err != nil {
			b.Close()
			return nil, err
		}
		if batch.Size() >= batchSize || i == len(articles)-1 {
			if err := b.Batch(batch); err != nil {
				b.Close()
				return nil, err
			}
			batch.Reset()
		}
	}
	return &Index{bleve: b}, nil
}

// Open opens an existing yardstick index.
func Open(path string) (*Index, error) {
	b, err := bleve.Open(path)
	if err != nil {
		return nil, err
	}
	return &Index{bleve: b}, nil
}

// Close closes the index.
func (ix *Index) Close() error { return ix.bleve.Close() }

// Hit is one yardstick result.
type Hit struct {
	ID    string
	Title string
	Score float64
}

// Search runs q as a bleve match query over title and body, the default
// way, and returns up to size hits.
func (ix *Index) Search(ctx context.Context, q string, size int) ([]Hit, uint64, error) {
	mq := query.NewMatchQuery(q)
	req := bleve.NewSearchRequestOptions(mq, size, 0, false)
	req.Fields = []string{"title"}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		t, _ := h.Fields["title"].(string)
		hits = append(hits, Hit{ID: h.ID, Title: t, Score: h.Score})
	}
	return hits, res.Total, nil
}

// Related is the shortcut: the article's title as a search query, minus
// the article itself.
func (ix *Index) Related(ctx context.Context, id, title string, size int) ([]Hit, error) {
	hits, _, err := ix.Search(ctx, title, size+1)
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, size)
	for _, h := range hits {
		if h.ID != id && len(out) < size {
			out = append(out, h)
		}
	}
	return out, nil
}

// BuildTime is a helper for benchmarks: it builds and closes an index and
// reports how long the build took.
func BuildTime(path string, articles []zhsearch.Article, batchSize int) (time.Duration, error) {
	start := time.Now()
	ix, err := Build(path, articles, batchSize)
	if err != nil {
		return 0, err
	}
	took := time.Since(start)
	return took, ix.Close()
}
