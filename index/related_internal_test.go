package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/relatedeval"
)

// suiteIndex builds an index of the bundled corpus and the related suite.
func suiteIndex(t *testing.T) (*Index, *relatedeval.Suite, []zhsearch.Article) {
	t.Helper()
	c, err := corpus.Load("../data", analysis.Normalize)
	if err != nil {
		t.Fatal(err)
	}
	s, err := relatedeval.LoadSuite("../testdata/related")
	if err != nil {
		t.Fatal(err)
	}
	articles := append(c.Articles, s.Articles...)
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := BuildArticles(context.Background(), dir, articles, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, s, articles
}

// TestLookupMatchesPostings: looking terms up for given documents finds
// exactly what reading their postings finds.
func TestLookupMatchesPostings(t *testing.T) {
	ix, _, articles := suiteIndex(t)
	adv, err := ix.bleve.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := postingsReader{ctx: context.Background(), r: r}
	// Every document, in order, as candidates.
	var all []*scored
	ids, err := r.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	for {
		id, err := ids.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id == nil {
			break
		}
		all = append(all, &scored{num: id.Value()})
	}
	ids.Close()
	if len(all) != len(articles) {
		t.Fatalf("%d documents, want %d", len(all), len(articles))
	}
	for _, term := range []string{"花呗", "风控", "应急贷", "id贷", "协商还款", "没有这个词"} {
		for _, field := range []string{fTitle, fBody} {
			var read, looked []uint64
			if err := p.each(term, field, func(d *bindex.TermFieldDoc) { read = append(read, d.ID.Value()) }); err != nil {
				t.Fatal(err)
			}
			err := p.lookup(term, field, all, func(s *scored, d *bindex.TermFieldDoc) {
				if d.ID.Value() != s.num {
					t.Errorf("lookup of %d gave document %d", s.num, d.ID.Value())
				}
				looked = append(looked, s.num)
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(read)
			if !slices.Equal(read, looked) {
				t.Errorf("%s in %s: postings %v, lookup %v", term, field, read, looked)
			}
		}
		chain, err := p.bigramChain(term, fTitleBi, &scratch{})
		if err != nil {
			t.Fatal(err)
		}
		found, err := p.lookupChain(term, fTitleBi, all)
		if err != nil {
			t.Fatal(err)
		}
		var looked []uint64
		for _, s := range found {
			looked = append(looked, s.num)
		}
		slices.Sort(chain)
		if !slices.Equal(chain, looked) {
			t.Errorf("%s bigrams: postings %v, lookup %v", term, chain, looked)
		}
	}
}

// TestRelatedCommonWords forces the path a large index takes for words most
// articles hold (looked up for the best candidates instead of read through)
// on the judged suite, for words held by 3% of its articles (most subject
// words: a large index takes it for 20%): precision stays near that of the
// normal path.
func TestRelatedCommonWords(t *testing.T) {
	ix, suite, articles := suiteIndex(t)
	idOf := map[string]string{}
	for _, a := range articles {
		idOf[a.Title] = a.ID
	}
	ctx := context.Background()
	eval := func() (*relatedeval.Report, error) {
		return relatedeval.Evaluate("zhsearch", suite, func(q relatedeval.Query, k int) ([]relatedeval.Doc, error) {
			req := zhsearch.RelatedRequest{Size: k}
			if q.Draft != nil {
				req.Draft = q.Draft.Article()
			} else if id, title := relatedeval.SplitKey(q.Source); title != "" {
				req.ID = idOf[title]
			} else {
				req.ID = id
			}
			res, err := ix.Related(ctx, req)
			if err != nil {
				return nil, err
			}
			return relatedeval.DocsFromItems(res.Related), nil
		}, 5)
	}
	normal, err := eval()
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultRelatedOptions()
	o.commonShare, o.commonMinDF = 0.03, 0
	if err := ix.SetRelatedOptions(o); err != nil {
		t.Fatal(err)
	}
	common, err := eval()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("P@5 sources %.3f, drafts %.3f; common-word path: sources %.3f, drafts %.3f",
		normal.SourceMean(), normal.DraftMean(), common.SourceMean(), common.DraftMean())
	const slack = 0.15
	if common.SourceMean() < normal.SourceMean()-slack || common.DraftMean() < normal.DraftMean()-slack {
		t.Errorf("common-word path: P@5 sources %.3f, drafts %.3f, want within %.2f of the normal path's %.3f, %.3f",
			common.SourceMean(), common.DraftMean(), slack, normal.SourceMean(), normal.DraftMean())
	}
}
