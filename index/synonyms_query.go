package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// synonymsQuery matches a word or any of its synonyms in one field, and
// scores a document by the synonym it holds that scores best, over how
// many the group has: the group is one word of the query, however many of
// its spellings a document holds. A bleve disjunction would add the
// scores of the spellings held and scale the sum by their share, so a
// title holding two of them (网贷 and 网络贷款) scored about four times
// one holding one; and, as the top-k evaluator has to bound a document's
// score before it knows which spellings it holds, every group's bound was
// the sum of all its spellings'. (Lucene's SynonymQuery also scores a
// group as one term, from the spellings' summed frequency.) A document
// holding one spelling scores as it did under the disjunction; the
// group's size still divides, so the weights tuned on it hold.
type synonymsQuery struct {
	Synonyms []*query.TermQuery `json:"synonyms"`
	// Size is the group's size that divides its best spelling's score,
	// 0 for its number of spellings: an amount's other ways of writing
	// the number (两万, 20000, 2万) are one spelling of the query's word.
	Size int `json:"size,omitempty"`
}

// size is the group's size that divides its best spelling's score.
func (q *synonymsQuery) size() float64 {
	if q.Size > 0 {
		return float64(q.Size)
	}
	return float64(len(q.Synonyms))
}

// newSynonymsQuery returns the group of the terms, in field.
func newSynonymsQuery(field string, terms []string) *synonymsQuery {
	q := &synonymsQuery{Synonyms: make([]*query.TermQuery, len(terms))}
	for i, t := range terms {
		q.Synonyms[i] = query.NewTermQuery(t)
		q.Synonyms[i].SetField(field)
	}
	return q
}

// Searcher returns bleve's searcher of the group: the top-k evaluator's
// scoring (nodeOr with best), for pages bleve answers.
func (q *synonymsQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	s := &bestOfSearcher{kids: make([]search.Searcher, 0, len(q.Synonyms)), size: q.size()}
	for _, t := range q.Synonyms {
		k, err := t.Searcher(ctx, r, m, opts)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.kids = append(s.kids, k)
	}
	return s, nil
}

// bestOfSearcher is a disjunction of searchers that scores a document by
// the best of its kids' scores there, over how many kids it has (see
// synonymsQuery).
type bestOfSearcher struct {
	kids    []search.Searcher
	cur     []*search.DocumentMatch // each kid's current match, nil at its end
	started bool
	size    float64 // what divides the best score (synonymsQuery.size)
}

func (s *bestOfSearcher) start(ctx *search.SearchContext) error {
	s.started = true
	s.cur = make([]*search.DocumentMatch, len(s.kids))
	for i, k := range s.kids {
		m, err := k.Next(ctx)
		if err != nil {
			return err
		}
		s.cur[i] = m
	}
	return nil
}

// Next returns the next document any kid matches.
func (s *bestOfSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	var first bindex.IndexInternalID
	for _, m := range s.cur {
		if m != nil && (first == nil || m.IndexInternalID.Compare(first) < 0) {
			first = m.IndexInternalID
		}
	}
	if first == nil {
		return nil, nil
	}
	var best *search.DocumentMatch
	var held []*search.DocumentMatch // the other kids' matches of it
	for i, m := range s.cur {
		if m == nil || m.IndexInternalID.Compare(first) != 0 {
			continue
		}
		switch {
		case best == nil:
			best = m
		case m.Score > best.Score:
			held = append(held, best)
			best = m
		default:
			held = append(held, m)
		}
		next, err := s.kids[i].Next(ctx)
		if err != nil {
			return nil, err
		}
		s.cur[i] = next
	}
	best.FieldTermLocations = search.MergeFieldTermLocations(best.FieldTermLocations, held)
	for _, m := range held {
		ctx.DocumentMatchPool.Put(m)
	}
	best.Score /= s.size
	return best, nil
}

// Advance moves every kid to ID or past it, and returns the first match
// from there.
func (s *bestOfSearcher) Advance(ctx *search.SearchContext, ID bindex.IndexInternalID) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	for i, m := range s.cur {
		if m == nil || m.IndexInternalID.Compare(ID) >= 0 {
			continue
		}
		ctx.DocumentMatchPool.Put(m)
		next, err := s.kids[i].Advance(ctx, ID)
		if err != nil {
			return nil, err
		}
		s.cur[i] = next
	}
	return s.Next(ctx)
}

// Close closes every kid.
func (s *bestOfSearcher) Close() error {
	var first error
	for _, k := range s.kids {
		if err := k.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight, SetQueryNorm, Count, Min, Size and DocumentMatchPoolSize are a
// disjunction's (bleve's DisjunctionSliceSearcher): the query norm is
// worked out over the kids' weights as for any disjunction.
func (s *bestOfSearcher) Weight() float64 {
	w := 0.0
	for _, k := range s.kids {
		w += k.Weight()
	}
	return w
}

func (s *bestOfSearcher) SetQueryNorm(norm float64) {
	for _, k := range s.kids {
		k.SetQueryNorm(norm)
	}
}

func (s *bestOfSearcher) Count() uint64 {
	var n uint64
	for _, k := range s.kids {
		n += k.Count()
	}
	return n
}

func (s *bestOfSearcher) Min() int { return 0 }

func (s *bestOfSearcher) Size() int {
	n := 0
	for _, k := range s.kids {
		n += k.Size()
	}
	return n
}

func (s *bestOfSearcher) DocumentMatchPoolSize() int {
	n := len(s.kids)
	for _, k := range s.kids {
		n += k.DocumentMatchPoolSize()
	}
	return n
}
