package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
)

// bodiesData writes a data folder of generated articles in two JSONL files
// and the seed page export, and returns it.
func bodiesData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	articles := genArticles(t, 240)
	articles = articles[:len(articles)-1] // the title-only one
	for i, name := range []string{"a.jsonl", "b.jsonl"} {
		var sb strings.Builder
		for _, a := range articles[i*120 : (i+1)*120] {
			line, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			sb.Write(line)
			sb.WriteString("\n")
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page, err := os.ReadFile("../data/000_6fe797c5a744a779.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "000_6fe797c5a744a779.txt"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBuildReadsBodiesBack: a build that leaves the bodies on disk until
// it indexes them makes the same index as one of the articles in memory,
// with the journal replayed over them: an article the journal replaces
// (here with no body) or deletes gets nothing from the file.
func TestBuildReadsBodiesBack(t *testing.T) {
	data := bodiesData(t)
	c, err := corpus.Load(data, analysis.Normalize)
	if err != nil {
		t.Fatal(err)
	}
	log := &memLog{id: "bodies"}
	log.add(zhsearch.OpPut, c.Articles[5].ID, "日志改写的标题")
	log.add(zhsearch.OpDelete, c.Articles[7].ID, "")
	log.add(zhsearch.OpPut, "e1", "日志里的新文章")
	want, _, _, _, err := replayJournal(c.Articles, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	// Article 7 goes and e1 comes; the titles articles 5 and 7 gave up come
	// back as title-only articles where the seed page lists them.
	if want[5].Body != "" || want[5].ID != c.Articles[5].ID || len(want) < len(c.Articles) ||
		slices.ContainsFunc(want, func(a zhsearch.Article) bool { return a.ID == c.Articles[7].ID }) {
		t.Fatalf("journal not replayed as planned: %+v, %d articles from %d", want[5], len(want), len(c.Articles))
	}

	ctx := context.Background()
	built := filepath.Join(t.TempDir(), "built")
	stats, err := Build(ctx, data, built, BuildOptions{Log: log, BatchSize: 23})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Articles+stats.TitleOnly != len(want) || stats.Edits != 3 {
		t.Fatalf("stats %+v, want %d articles and 3 edits", stats, len(want))
	}
	inMem := filepath.Join(t.TempDir(), "mem")
	if _, err := BuildArticles(ctx, inMem, want, BuildOptions{BatchSize: 23}); err != nil {
		t.Fatal(err)
	}
	bi, mi := opened(t, Open, built), opened(t, Open, inMem)
	bt, mt := fieldTerms(t, bi.bleve), fieldTerms(t, mi.bleve)
	if len(mt) < 10 || !reflect.DeepEqual(bt, mt) {
		t.Errorf("the build's terms differ from the in-memory build's (%d and %d fields)", len(bt), len(mt))
	}
	bodies := 0
	for _, a := range want {
		got, err := bi.Article(ctx, a.ID)
		if err != nil {
			t.Fatalf("article %s: %v", a.ID, err)
		}
		exp, err := mi.Article(ctx, a.ID)
		if err != nil {
			t.Fatalf("article %s: %v", a.ID, err)
		}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("article %s:\n%+v\nwant\n%+v", a.ID, got, exp)
		}
		if got.Body != "" {
			bodies++
		}
	}
	if bodies < 200 {
		t.Errorf("only %d articles with a body", bodies)
	}
	if _, err := bi.Article(ctx, c.Articles[7].ID); zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		t.Errorf("deleted article: %v", err)
	}
}

// TestBuildFailsOnChangedData: a data file changed after the build read it
// fails the build, naming the file and line, and leaves no generation.
func TestBuildFailsOnChangedData(t *testing.T) {
	tests := []struct {
		name   string
		change func(path string) error
	}{
		{"appended", func(path string) error {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString(`{"id":"late","title":"后来的文章"}` + "\n")
			return err
		}},
		{"removed", os.Remove},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bodiesData(t)
			path := filepath.Join(data, "b.jsonl")
			idx := filepath.Join(t.TempDir(), "index")
			var changeErr error
			_, err := Build(context.Background(), data, idx, BuildOptions{Log: &memLog{id: "x"}, BatchSize: 23,
				Stage: func(s string) {
					if s == zhsearch.StageIndexing {
						changeErr = tt.change(path)
					}
				}})
			if changeErr != nil {
				t.Fatal(changeErr)
			}
			var ce *corpus.ChangedError
			if !errors.As(err, &ce) || ce.File != path || ce.Line != 1 || !strings.HasPrefix(err.Error(), path+":1: data file changed") {
				t.Fatalf("err = %v, want a ChangedError at %s:1", err, path)
			}
			if _, err := CurrentGeneration(idx); !errors.Is(err, ErrNoIndex) {
				t.Errorf("the failed build left a live generation: %v", err)
			}
		})
	}
}
