package yardstick

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Title returns the stored title of an article, or "" if the index does not
// hold it. Related needs it: the shortcut searches with the title.
func (ix *Index) Title(ctx context.Context, id string) (string, error) {
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{"title"}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil || len(res.Hits) == 0 {
		return "", err
	}
	t, _ := res.Hits[0].Fields["title"].(string)
	return t, nil
}

// Suggest is autocomplete the plain way: the typed text as a match query on
// titles (its cjk bigrams, or the character alone), best scores first.
func (ix *Index) Suggest(ctx context.Context, typed string, size int) ([]Hit, error) {
	mq := query.NewMatchQuery(typed)
	mq.SetField("title")
	req := bleve.NewSearchRequestOptions(mq, size, 0, false)
	req.Fields = []string{"title"}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		t, _ := h.Fields["title"].(string)
		hits = append(hits, Hit{ID: h.ID, Title: t, Score: h.Score})
	}
	return hits, nil
}
