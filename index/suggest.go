package index

import (
	"context"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// Boosts of the autocomplete clauses: a title that starts with what was
// typed comes before one that only contains it.
const (
	boostSuggestPrefix   = 10.0
	boostSuggestPinyin   = 6.0
	boostSuggestInitials = 5.0
	boostSuggestContains = 3.0
)

// Suggest completes what the reader has typed so far: titles that start
// with it, by characters, full pinyin or initials (花呗f, huab, hbfk), then
// titles that contain it; best first, shorter titles first among equals.
func (ix *Index) Suggest(ctx context.Context, req zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	out := &zhsearch.SuggestResult{Query: req.Query, Suggestions: []zhsearch.Suggestion{}}
	q := suggestQuery(analysis.Normalize(req.Query))
	if q == nil {
		return out, nil
	}
	sr := bleve.NewSearchRequestOptions(q, req.Size, 0, false)
	sr.Fields = []string{fTitle}
	sr.SortBy([]string{"-_score", fTitleLen, "_id"})
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	for _, h := range res.Hits {
		title, _ := h.Fields[fTitle].(string)
		out.Suggestions = append(out.Suggestions, zhsearch.Suggestion{ID: h.ID, Title: title})
	}
	return out, nil
}

func suggestQuery(norm string) query.Query {
	if norm == "" {
		return nil
	}
	var should []query.Query
	prefix := func(field, p string, boost float64) {
		q := query.NewPrefixQuery(p)
		q.SetField(field)
		q.SetBoost(boost)
		should = append(should, q)
	}
	prefix(fTitleKey, norm, boostSuggestPrefix)
	if chains := phraseChains(norm); len(chains) > 0 && !analysis.IsLatinQuery(norm) {
		should = append(should, allPhrases(fTitleBi, chains, boostSuggestContains))
	}
	if hasLatin(norm) {
		key, _ := titlePinyinKeys(norm)
		if len(key) >= 2 {
			prefix(fTitleKeyP, key, boostSuggestPinyin)
		}
		if compact := strings.ReplaceAll(norm, " ", ""); analysis.IsInitials(compact) {
			prefix(fTitleKeyI, compact, boostSuggestInitials)
		}
	}
	return query.NewDisjunctionQuery(should)
}

func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return true
		}
	}
	return false
}
