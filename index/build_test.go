package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
)

func genArticles(t *testing.T, n int) []zhsearch.Article {
	t.Helper()
	var out []zhsearch.Article
	if err := gen.Generate(gen.Options{N: n, Seed: 5}, func(a zhsearch.Article) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out = append(out, zhsearch.Article{ID: "t-only", Title: "花唄風控多久解除", TitleOnly: true})
	return out
}

// fieldTerms returns the terms of fields, sorted, or of every indexed
// field when none is named.
func fieldTerms(t *testing.T, b bleve.Index, fields ...string) map[string][]string {
	t.Helper()
	if len(fields) == 0 {
		var err error
		if fields, err = b.Fields(); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string][]string{}
	for _, f := range fields {
		d, err := b.FieldDict(f)
		if err != nil {
			t.Fatal(err)
		}
		for {
			e, err := d.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			out[f] = append(out[f], e.Term)
		}
		d.Close()
	}
	return out
}

// matching returns the ids of the documents holding term in field.
func matching(t *testing.T, ix *Index, field, term string) []string {
	t.Helper()
	q := query.NewTermQuery(term)
	q.SetField(field)
	res, err := ix.bleve.Search(bleve.NewSearchRequestOptions(q, 10000, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestParallelBuildMatchesBleveAnalysis builds the same articles twice: with
// the parallel writer (small batches, so several segments are built at
// once) and the plain way, one bleve batch analyzed by bleve itself. Every
// field must hold the same terms, in the same documents, with the same
// positions, and the stored fields must read back the same. (Dictionary
// counts are not compared: bleve sums them over segments, and they differ
// between segmentations of the same documents.)
func TestParallelBuildMatchesBleveAnalysis(t *testing.T) {
	articles := genArticles(t, 300)
	dir := t.TempDir()

	fast := filepath.Join(dir, "fast")
	if err := writeGeneration(context.Background(), fast, articles, BuildOptions{BatchSize: 17}); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	im, err := newMapping("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bleve.NewUsing(plain, im, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, nil)
	if err != nil {
		t.Fatal(err)
	}
	batch := b.NewBatch()
	for i := range articles {
		if err := batch.Index(articles[i].ID, toDoc(&articles[i])); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Batch(batch); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	fi, pi := opened(t, OpenGeneration, fast), opened(t, OpenGeneration, plain)
	if n, _ := fi.DocCount(); n != uint64(len(articles)) {
		t.Fatalf("parallel build holds %d articles, want %d", n, len(articles))
	}
	ft, pt := fieldTerms(t, fi.bleve), fieldTerms(t, pi.bleve)
	if len(pt) < 10 {
		t.Fatalf("only %d fields indexed", len(pt))
	}
	for f, terms := range pt {
		if !reflect.DeepEqual(ft[f], terms) {
			t.Errorf("field %s: parallel build has %d terms, plain %d", f, len(ft[f]), len(terms))
			continue
		}
		// Every tenth term: the same documents hold it.
		for i := 0; i < len(terms); i += 10 {
			if a, b := matching(t, fi, f, terms[i]), matching(t, pi, f, terms[i]); !reflect.DeepEqual(a, b) {
				t.Errorf("%s:%s in %d documents after the parallel build, %d after the plain one", f, terms[i], len(a), len(b))
			}
		}
	}
	for _, id := range []string{articles[0].ID, articles[150].ID, "t-only"} {
		fa, err1 := fi.Article(context.Background(), id)
		pa, err2 := pi.Article(context.Background(), id)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(fa, pa) {
			t.Errorf("article %s: parallel %+v (%v), plain %+v (%v)", id, fa, err1, pa, err2)
		}
	}
	// Positions too: a phrase found by one is found by the other.
	for _, field := range []string{fBodyBi, fTitleBi} {
		q := query.NewPhraseQuery([]string{"花呗", "呗风", "风控"}, field)
		nf, np := bleveCount(t, fi, q), bleveCount(t, pi, q)
		if nf != np {
			t.Errorf("phrase 花呗风控 in %s: parallel %d, plain %d", field, nf, np)
		}
	}
}

// opened opens the index at path with open (Open or OpenGeneration) and
// closes it when the test ends.
func opened(t *testing.T, open func(string) (*Index, error), path string) *Index {
	t.Helper()
	ix, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// bleveCount counts the documents of ix matching q.
func bleveCount(t *testing.T, ix *Index, q query.Query) uint64 {
	t.Helper()
	res, err := ix.bleve.Search(bleve.NewSearchRequestOptions(q, 0, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestBuildCancelled(t *testing.T) {
	articles := genArticles(t, 200)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := BuildArticles(ctx, dir, articles, BuildOptions{BatchSize: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := CurrentGeneration(dir); !errors.Is(err, ErrNoIndex) {
		t.Errorf("a cancelled build left a live generation: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("a cancelled build left %s", e.Name())
		}
	}
}

// TestMergePlanRecorded checks that a generation records the serving merge
// plan, so the serving process, which opens it and merges live edits, caps
// its merges (bleve merges the stored config under the runtime one), and
// that the build's own plan, which lets a hundred segments wait per tier
// for the final merge, is not what it records: live edits would pile up
// in as many segments, each one more lookup per term for every request.
func TestMergePlanRecorded(t *testing.T) {
	path, err := BuildArticles(context.Background(), filepath.Join(t.TempDir(), "index"), genArticles(t, 50), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(path, "index_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Config struct {
			Plan map[string]int `json:"scorchMergePlanOptions"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"MaxSegmentSize": minMergedSegment}
	if !reflect.DeepEqual(meta.Config.Plan, want) {
		t.Errorf("recorded merge plan = %v, want %v (index_meta.json: %s)", meta.Config.Plan, want, raw)
	}
	ix, err := Open(filepath.Dir(path))
	if err != nil {
		t.Fatalf("the generation does not open with the plan it records: %v", err)
	}
	ix.Close()
}

// TestBuildCompacts checks that a build ends in one segment when the
// articles fit in one (compactSegment): every term a request reads is
// looked up once per segment, and without it batches of 17 leave six. The
// files the merges replaced are gone when the build returns, and the
// generation opens merged.
func TestBuildCompacts(t *testing.T) {
	path, err := BuildArticles(context.Background(), filepath.Join(t.TempDir(), "index"), genArticles(t, 300), BuildOptions{BatchSize: 17})
	if err != nil {
		t.Fatal(err)
	}
	zaps, err := filepath.Glob(filepath.Join(path, "store", "*.zap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(zaps) != 1 {
		t.Errorf("%d segment files after the build, want 1: %v", len(zaps), zaps)
	}
	ix, err := Open(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	r, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	segs, ok := snapshotSegments(r)
	if !ok {
		t.Fatal("not a scorch snapshot")
	}
	if len(segs) != 1 {
		t.Errorf("%d segments after the build, want 1", len(segs))
	}
}

// TestEachTermCountsMergedSegments checks eachTerm's counts against the
// postings on a compacted index, one merged segment, where zapx's
// dictionary iterator miscounts (every term after the first that a single
// title holds reads 1): the pinyin initials rank words by these counts.
func TestEachTermCountsMergedSegments(t *testing.T) {
	ix := builtIndexWith(t, genArticles(t, 300), BuildOptions{BatchSize: 17})
	r, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := map[string]uint64{}
	if err := eachTerm(r, fTitle, func(term string, n uint64) { got[term] += n }); err != nil {
		t.Fatal(err)
	}
	many := 0
	for term, n := range got {
		tfr, err := r.TermFieldReader(context.Background(), []byte(term), fTitle, false, false, false)
		if err != nil {
			t.Fatal(err)
		}
		want := tfr.Count()
		tfr.Close()
		if n != want {
			t.Errorf("%s: eachTerm counts %d titles, the postings %d", term, n, want)
		}
		if want > 1 {
			many++
		}
	}
	if many < 20 {
		t.Fatalf("only %d title words in more than one title: the test checks nothing", many)
	}
}
