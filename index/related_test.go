package index_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/relatedeval"
	"github.com/zhsearch/zhsearch/index/yardstick"
)

const (
	relatedSuiteDir = "../testdata/related"
	relatedK        = 5
	minPrecision    = 0.85
)

// relatedFixture is the judged related suite over one zhsearch index and
// one yardstick index of the same articles.
type relatedFixture struct {
	suite    *relatedeval.Suite
	articles []zhsearch.Article
	idOf     map[string]string // exact title -> id
	ix       *index.Index
}

// loadRelatedSuite builds a zhsearch index of the bundled corpus plus the
// related suite's articles.
func loadRelatedSuite(t testing.TB) *relatedFixture {
	t.Helper()
	s, err := relatedeval.LoadSuite(relatedSuiteDir)
	if err != nil {
		t.Fatal(err)
	}
	f := &relatedFixture{suite: s, articles: bundledCorpus(t, s.Articles...), idOf: map[string]string{}}
	for _, a := range f.articles {
		f.idOf[a.Title] = a.ID
	}
	f.ix = buildIndex(t, f.articles)
	return f
}

// sourceID resolves a judgment key to an article id.
func (f *relatedFixture) sourceID(t testing.TB, key string) string {
	t.Helper()
	id, title := relatedeval.SplitKey(key)
	if title == "" {
		return id
	}
	id, ok := f.idOf[title]
	if !ok {
		t.Fatalf("no article titled %q", title)
	}
	return id
}

func (f *relatedFixture) titleOf(id string) string {
	for _, a := range f.articles {
		if a.ID == id {
			return a.Title
		}
	}
	return ""
}

// zhsearchRelated answers suite queries with zhsearch's engine.
func (f *relatedFixture) zhsearchRelated(t testing.TB) relatedeval.RelatedFunc {
	ctx := context.Background()
	return func(q relatedeval.Query, k int) ([]relatedeval.Doc, error) {
		req := zhsearch.RelatedRequest{Size: k}
		if q.Draft != nil {
			req.Draft = q.Draft.Article()
		} else {
			req.ID = f.sourceID(t, q.Source)
		}
		res, err := f.ix.Related(ctx, req)
		if err != nil {
			return nil, err
		}
		return relatedeval.DocsFromItems(res.Related), nil
	}
}

// TestRelatedBeatsShortcut judges zhsearch's related lists and, in the same
// run, the shortcut (the title as a bleve cjk search query) over the same
// articles. zhsearch must be ahead of the shortcut and reach minPrecision,
// for stored sources and for drafts alike.
func TestRelatedBeatsShortcut(t *testing.T) {
	f := loadRelatedSuite(t)
	ys, err := yardstick.Build(filepath.Join(t.TempDir(), "cjk"), f.articles, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ys.Close()
	ctx := context.Background()

	ours, err := relatedeval.Evaluate("zhsearch", f.suite, f.zhsearchRelated(t), relatedK)
	if err != nil {
		t.Fatal(err)
	}
	base, err := relatedeval.Evaluate("title-as-query", f.suite, func(q relatedeval.Query, k int) ([]relatedeval.Doc, error) {
		id, title := "", ""
		if q.Draft != nil {
			title = q.Draft.Title
		} else {
			id = f.sourceID(t, q.Source)
			title = f.titleOf(id)
		}
		hits, err := ys.Related(ctx, id, title, k)
		docs := make([]relatedeval.Doc, len(hits))
		for i, h := range hits {
			docs[i] = relatedeval.Doc{ID: h.ID, Title: h.Title}
		}
		return docs, err
	}, relatedK)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d sources, %d drafts, %d articles\n", len(ours.Sources), len(ours.Drafts), len(f.articles))
	if err := relatedeval.SideBySide(&b, ours, base); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*relatedeval.Report{ours, base} {
		b.WriteString("\n")
		if err := r.Table(&b); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("\n%s", b.String())
	for _, part := range []struct {
		name       string
		ours, base float64
	}{
		{"sources", ours.SourceMean(), base.SourceMean()},
		{"drafts", ours.DraftMean(), base.DraftMean()},
	} {
		if part.ours <= part.base {
			t.Errorf("%s: zhsearch P@%d %.3f is not ahead of the shortcut's %.3f", part.name, relatedK, part.ours, part.base)
		}
		if part.ours < minPrecision {
			t.Errorf("%s: zhsearch P@%d %.3f, want >= %.2f", part.name, relatedK, part.ours, minPrecision)
		}
	}
}
