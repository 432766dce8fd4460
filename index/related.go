package index

import (
	"context"
	"math"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// Weights of where a word occurs in the source article.
const (
	weightTitle = 3.0
	weightTags  = 2.0
	weightBody  = 1.0
	maxTerms    = 12
)

// Related returns the articles most worth reading after a stored article or
// an unsaved draft: a "more like this" query over the source's most
// distinctive words (tf × idf from the live index), never the source itself.
func (ix *Index) Related(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	src := req.Draft
	if src == nil {
		a, err := ix.Article(ctx, req.ID)
		if err != nil {
			return nil, err
		}
		src = a
	}
	out := &zhsearch.RelatedResult{ID: req.ID, Related: []zhsearch.RelatedItem{}}
	terms, err := ix.topTerms(ctx, src)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 {
		return out, nil
	}
	var should []query.Query
	for _, t := range terms {
		for _, f := range []struct {
			field string
			boost float64
		}{{fTitle, 2}, {fBody, 1}} {
			tq := query.NewTermQuery(t.text)
			tq.SetField(f.field)
			tq.SetBoost(t.weight * f.boost)
			should = append(should, tq)
		}
	}
	match := query.NewDisjunctionQuery(should)
	match.SetMin(float64(min(2, len(terms))))
	q := query.NewBooleanQuery([]query.Query{match}, nil, nil)
	if req.ID != "" {
		q.AddMustNot(query.NewDocIDQuery([]string{req.ID}))
	}
	sr := bleve.NewSearchRequestOptions(q, req.Size, 0, false)
	sr.Fields = []string{fTitle, fURL, fPublished}
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	for _, h := range res.Hits {
		title, _ := h.Fields[fTitle].(string)
		url, _ := h.Fields[fURL].(string)
		out.Related = append(out.Related, zhsearch.RelatedItem{
			ID: h.ID, Title: title, URL: url, PublishedAt: storedTime(h.Fields[fPublished]), Score: h.Score,
		})
	}
	return out, nil
}

type weightedTerm struct {
	text   string
	weight float64
}

// topTerms weighs the source's words by tf × idf, with idf from the live
// index's document frequencies, so words every article uses (详解, 指南)
// weigh little without a hand-made list.
func (ix *Index) topTerms(ctx context.Context, src *zhsearch.Article) ([]weightedTerm, error) {
	tf := map[string]float64{}
	add := func(text string, w float64) {
		for _, word := range ix.seg.Cut(analysis.Normalize(text), true) {
			if utf8.RuneCountInString(word.Text) > 1 && !ix.seg.IsStop(word.Text) {
				tf[word.Text] += w
			}
		}
	}
	add(src.Title, weightTitle)
	for _, t := range src.Tags {
		add(t, weightTags)
	}
	add(src.Body, weightBody)
	if len(tf) == 0 {
		return nil, nil
	}
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	var terms []weightedTerm
	for t, f := range tf {
		df, err := docFreq(ctx, r, t)
		if err != nil {
			return nil, err
		}
		if df == 0 {
			continue // nothing else holds it: it cannot relate anything
		}
		idf := math.Log(float64(n+1) / float64(df+1))
		terms = append(terms, weightedTerm{t, (1 + math.Log(f)) * idf})
	}
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].weight != terms[j].weight {
			return terms[i].weight > terms[j].weight
		}
		return terms[i].text < terms[j].text
	})
	if len(terms) > maxTerms {
		terms = terms[:maxTerms]
	}
	return terms, nil
}

// docFreq counts the articles whose title or body holds term.
func docFreq(ctx context.Context, r bindex.IndexReader, term string) (uint64, error) {
	var best uint64
	for _, field := range []string{fTitle, fBody} {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return 0, err
		}
		best = max(best, tfr.Count())
		tfr.Close()
	}
	return best, nil
}
