package index

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
)

var articleFields = []string{fTitle, fBody, fURL, fPublished, fTags, fCategory, fRelated, fTitleOnly}

// Article returns a stored article by id.
func (ix *Index) Article(ctx context.Context, id string) (*zhsearch.Article, error) {
	if !zhsearch.ValidID(id) {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = articleFields
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	if len(res.Hits) == 0 {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
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
	return a, nil
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
