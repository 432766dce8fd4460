package index

import (
	"context"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// The site's own curation is evidence of relatedness: an editor who puts a
// page's title in another page's 相关内容 list, or two titles in one list,
// says they belong together. How much a list says depends on how focused it
// is: a list of three titles on one subject says much, a list of a hundred
// titles on forty subjects (the seed page's) little.
const (
	// maxCuratingPages is how many pages listing the source are read.
	maxCuratingPages = 20
	// coListShare is what being listed beside the source counts for
	// against being the page that lists it.
	coListShare = 0.5
)

// curation returns the evidence, by normalized title, that the site's
// 相关内容 lists give for articles being related to the stored source
// titled title: every page whose list names the source counts focus(list)
// for itself (it recommends the source; if the source lists it too, the two
// list each other and ListedBoost adds to this) and coListShare × focus(list)
// for every other title of its list. Evidence is summed over pages and
// capped at 1 by the caller.
func (ix *Index) curation(ctx context.Context, title string) (map[string]float64, error) {
	key := analysis.Normalize(title)
	if key == "" {
		return nil, nil
	}
	sr := bleve.NewSearchRequestOptions(listingQuery(ix.bleve.Mapping(), title, key), maxCuratingPages, 0, false)
	sr.SortBy([]string{"_id"}) // the same pages whatever the scores
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, searchErr(ctx, err)
	}
	ev := map[string]float64{}
	for _, h := range res.Hits {
		if err := ctx.Err(); err != nil {
			return nil, searchErr(ctx, err)
		}
		p, err := ix.curatingPage(ctx, h.ID)
		if err != nil {
			return nil, err
		}
		if !p.lists[key] {
			continue // the words match, the title does not
		}
		if p.key != key {
			ev[p.key] += p.focus
		}
		for k := range p.lists {
			if k != key {
				ev[k] += coListShare * p.focus
			}
		}
	}
	return ev, nil
}

// listingQuery finds the pages whose 相关内容 list holds the title whose
// normalized form is key: the pages listing exactly key (fRelatedKey) or,
// in a generation built before that field, those whose lists hold all of
// the title's words, which curation then checks title by title (a common
// title's words are in thousands of lists; the first maxCuratingPages of
// those may not be the pages listing it).
func listingQuery(im mapping.IndexMapping, title, key string) query.Query {
	if mapped(im, fRelatedKey) {
		return termIn(key, fRelatedKey)
	}
	mq := query.NewMatchQuery(title)
	mq.SetField(fRelated)
	mq.SetOperator(query.MatchQueryOperatorAnd)
	return mq
}

// curatingPage is what curation needs of a page with a 相关内容 list: its
// normalized title, the normalized titles it lists, and the list's focus.
// Pages are remembered per index version, so a page listing many sources is
// read and cut once.
type curatingPage struct {
	key   string
	lists map[string]bool
	focus float64
}

func (ix *Index) curatingPage(ctx context.Context, id string) (*curatingPage, error) {
	st := ix.rel.state.Load()
	if v, ok := st.pages.Load(id); ok {
		return v.(*curatingPage), nil
	}
	hits, err := ix.fetch(ctx, query.NewDocIDQuery([]string{id}), 1, []string{"_id"}, fTitle, fRelated)
	if err != nil {
		return nil, err
	}
	p := &curatingPage{lists: map[string]bool{}}
	if len(hits) == 1 {
		page, _ := hits[0].Fields[fTitle].(string)
		p.key = analysis.Normalize(page)
		list := storedStrings(hits[0].Fields[fRelated])
		list = list[:min(len(list), maxSourceRelated)]
		for _, t := range list {
			if k := analysis.Normalize(t); k != "" {
				p.lists[k] = true
			}
		}
		p.focus = ix.listFocus(list)
	}
	st.pages.Store(id, p)
	return p, nil
}

// listFocus is how focused a 相关内容 list is: 1 over the number of distinct
// subjects among its titles, a title's subject being its first word that
// is not a stop word (花呗风控解除指南 → 花呗, 租机变现:了解其模式与风险 → 租机变现). A
// list of titles on one subject has focus 1 however long; the seed page's
// hundred titles on dozens of subjects have focus near 0.02.
func (ix *Index) listFocus(list []string) float64 {
	subjects := map[string]bool{}
	for _, t := range list {
		for _, w := range ix.seg.Cut(analysis.Normalize(t), false) {
			if utf8.RuneCountInString(w.Text) >= 2 && !stopWord(ix.seg, w.Text) {
				subjects[w.Text] = true
				break
			}
		}
	}
	if len(subjects) == 0 {
		return 0
	}
	return 1 / float64(len(subjects))
}
