package index

import (
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
)

var articleFields = []string{fTitle, fBody, fURL, fPublished, fTags, fCategory, fRelated, fTitleOnly}

// Article returns a stored article by id.
func (ix *Index) Article(ctx context.Context, id string) (*zhsearch.Article, error) {
	a, _, err := ix.storedArticle(ctx, id, articleFields)
	return a, err
}

// relatedSource returns a stored article as a related list's source, with
// its body's stored cut (fBodyCut), "" if the index holds none.
func (ix *Index) relatedSource(ctx context.Context, id string) (*zhsearch.Article, string, error) {
	a, f, err := ix.storedArticle(ctx, id, relatedSourceFields)
	if err != nil {
		return nil, "", err
	}
	cut, _ := f[fBodyCut].(string)
	return a, cut, nil
}

var relatedSourceFields = append(slices.Clip(articleFields), fBodyCut)

// storedArticle returns a stored article by id, and the stored fields read.
func (ix *Index) storedArticle(ctx context.Context, id string, fields []string) (*zhsearch.Article, map[string]any, error) {
	if !zhsearch.ValidID(id) {
		return nil, nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = fields
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, searchErr(ctx, err)
	}
	if len(res.Hits) == 0 {
		return nil, nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	f := res.Hits[0].Fields
	a := &zhsearch.Article{ID: id}
	a.Title, _ = f[fTitle].(string)
	a.Body, _ = f[fBody].(string)
	a.URL, _ = f[fURL].(string)
	a.Category, _ = f[fCategory].(string)
	a.TitleOnly, _ = f[fTitleOnly].(bool)
	a.Tags = storedStrings(f[fTags])
	a.Related = storedStrings(f[fRelated])
	if a.TitleOnly {
		a.Body = "" // indexed as its title, see toDoc
	}
	if t := storedTime(f[fPublished]); t != nil {
		a.PublishedAt = *t
	}
	return a, f, nil
}

// storedStrings reads a stored field that bleve returns as a string for one value
// and as a list for several.
func storedStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
