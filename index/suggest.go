package index

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

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
	norm := analysis.Normalize(req.Query)
	starts, contains := suggestQueries(norm)
	if starts == nil {
		return out, nil
	}
	// Fetch a few more candidates than asked and order them by how they
	// match (tier), then length: bleve's tf-idf scores differ by field
	// norms, which mean nothing for a one-line completion.
	//
	// Sorted by score alone: bleve then reads no stored length or id for
	// each of the (for a one-character prefix, thousands of) candidates.
	// Shorter titles still come first among equal matches: the prefix
	// fields' norms fall with the title's length (see analysis.EdgePad).
	n := min(4*req.Size, 100)
	search := func(q query.Query) (*bleve.SearchResult, error) {
		sr := bleve.NewSearchRequestOptions(q, n, 0, false)
		sr.Fields = []string{fTitle}
		res, err := ix.bleve.SearchInContext(ctx, sr)
		if err != nil {
			return nil, searchErr(ctx, err)
		}
		return res, nil
	}
	// Titles that start with the text come before those that only contain
	// it, so the costlier "contains" phrase runs only when there are too few
	// of the former to fill the list.
	res, err := search(starts)
	if err != nil {
		return nil, err
	}
	if contains != nil && len(res.Hits) < req.Size {
		if res, err = search(query.NewDisjunctionQuery([]query.Query{starts, contains})); err != nil {
			return nil, err
		}
	}
	type cand struct {
		zhsearch.Suggestion
		tier, length int
	}
	cands := make([]cand, 0, len(res.Hits))
	for _, h := range res.Hits {
		title, _ := h.Fields[fTitle].(string)
		tier, length := suggestTier(norm, title)
		cands = append(cands, cand{zhsearch.Suggestion{ID: h.ID, Title: title}, tier, length})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].tier != cands[j].tier {
			return cands[i].tier > cands[j].tier
		}
		if cands[i].length != cands[j].length {
			return cands[i].length < cands[j].length
		}
		return cands[i].ID < cands[j].ID
	})
	for i := 0; i < len(cands) && i < req.Size; i++ {
		out.Suggestions = append(out.Suggestions, cands[i].Suggestion)
	}
	return out, nil
}

// suggestTier ranks how a title completes the typed text: 3 starts with it,
// 2 its pinyin starts with it, 1 its initials do, 0 it contains it.
func suggestTier(norm, title string) (tier, length int) {
	t := analysis.Normalize(title)
	length = utf8.RuneCountInString(t)
	if strings.HasPrefix(t, norm) {
		return 3, length
	}
	typed, _ := titlePinyinKeys(norm)
	full, initials := titlePinyinKeys(t)
	switch {
	case hasLatin(norm) && strings.HasPrefix(full, typed):
		return 2, length
	case hasLatin(norm) && strings.HasPrefix(initials, strings.ReplaceAll(norm, " ", "")):
		return 1, length
	}
	return 0, length
}

// suggestQueries returns the query for titles that start with the
// normalized text (by characters, pinyin or initials) and the one for titles
// that contain it (nil when there is none, for Latin text).
func suggestQueries(norm string) (starts, contains query.Query) {
	if norm == "" {
		return nil, nil
	}
	var should []query.Query
	// "Starts with" is one term of a prefix field (analysis.Edge); only
	// text longer than its prefixes needs a prefix query on the whole key,
	// which such long text keeps selective.
	prefix := func(field, edgeField, p string, boost float64) {
		if utf8.RuneCountInString(p) <= analysis.MaxEdge {
			q := query.NewTermQuery(p)
			q.SetField(edgeField)
			q.SetBoost(boost)
			should = append(should, q)
			return
		}
		q := query.NewPrefixQuery(p)
		q.SetField(field)
		q.SetBoost(boost)
		should = append(should, q)
	}
	prefix(fTitleKey, fTitlePre, norm, boostSuggestPrefix)
	if chains := phraseChains(norm); len(chains) > 0 && !analysis.IsLatinQuery(norm) {
		contains = allPhrases(fTitleBi, chains, boostSuggestContains)
	}
	if hasLatin(norm) {
		key, _ := titlePinyinKeys(norm)
		if len(key) >= 2 {
			prefix(fTitleKeyP, fTitlePreP, key, boostSuggestPinyin)
		}
		if compact := strings.ReplaceAll(norm, " ", ""); analysis.IsInitials(compact) {
			prefix(fTitleKeyI, fTitlePreI, compact, boostSuggestInitials)
		}
	}
	return query.NewDisjunctionQuery(should), contains
}

func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return true
		}
	}
	return false
}
