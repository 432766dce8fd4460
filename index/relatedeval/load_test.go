package relatedeval

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// writeFile writes content to a file in a fresh temp folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantLineError checks that err is a *LineError at path:line whose message
// contains msg.
func wantLineError(t *testing.T, err error, path string, line int, msg string) {
	t.Helper()
	var le *LineError
	if !errors.As(err, &le) {
		t.Fatalf("error = %v, want a *LineError", err)
	}
	if le.File != path || le.Line != line {
		t.Errorf("error at %s:%d, want %s:%d (%v)", le.File, le.Line, path, line, err)
	}
	if !strings.Contains(le.Msg, msg) {
		t.Errorf("message %q lacks %q", le.Msg, msg)
	}
	if !strings.HasPrefix(err.Error(), path+":") {
		t.Errorf("error text %q does not start with the file name", err)
	}
}

func TestLoadArticles(t *testing.T) {
	p := writeFile(t, "a.jsonl", `{"id":"k001","title":" 花呗风控 ","body":"正文。","published_at":"2024-05-25T13:09:59+08:00","tags":["花呗"],"category":"花呗","related":["征信"]}

{"id":"k002","title":"第二篇","published_at":"2024-05-25 13:09:59"}
`)
	got, err := LoadArticles(p)
	if err != nil {
		t.Fatal(err)
	}
	sh := time.FixedZone("", 8*3600)
	want := []zhsearch.Article{
		{ID: "k001", Title: "花呗风控", Body: "正文。", PublishedAt: time.Date(2024, 5, 25, 13, 9, 59, 0, sh), Tags: []string{"花呗"}, Category: "花呗", Related: []string{"征信"}},
		{ID: "k002", Title: "第二篇", PublishedAt: time.Date(2024, 5, 25, 13, 9, 59, 0, sh)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d articles, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].PublishedAt.Equal(want[i].PublishedAt) {
			t.Errorf("article %d date = %v, want %v", i, got[i].PublishedAt, want[i].PublishedAt)
		}
		got[i].PublishedAt, want[i].PublishedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("article %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestLoadArticlesErrors(t *testing.T) {
	good := `{"id":"k001","title":"一"}` + "\n"
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"malformed JSON", good + "\n" + `{"id":"k002","title":` + "\n", 3, "malformed JSON"},
		{"two values", `{"id":"k001","title":"一"} {}` + "\n", 1, "more than one value"},
		{"unknown field", `{"id":"k001","title":"一","titel":"x"}`, 1, "unknown field"},
		{"missing title", good + `{"id":"k002","title":"  "}`, 2, "title is required"},
		{"bad id", `{"id":"k 1","title":"一"}`, 1, "id"},
		{"bad date", `{"id":"k001","title":"一","published_at":"2024/05/25"}`, 1, "bad date"},
		{"duplicate id", good + good, 2, "duplicate id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, ArticlesFile, tt.content)
			_, err := LoadArticles(p)
			wantLineError(t, err, p, tt.line, tt.msg)
		})
	}
}

func TestLoadJudgments(t *testing.T) {
	p := writeFile(t, JudgmentsFile, `{"source":"k012","relevant":["k013","title:网贷自救指南","k020","k021"],"duplicates":[["k020","k021"]],"half":"tune"}
{"source":"title:花呗风控解除指南","relevant":[],"half":"heldout"}
`)
	got, err := LoadJudgments(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Judgment{
		{Source: "k012", Relevant: []string{"k013", "title:网贷自救指南", "k020", "k021"}, Duplicates: [][]string{{"k020", "k021"}}, Half: HalfTune},
		{Source: "title:花呗风控解除指南", Relevant: []string{}, Half: HalfHeldOut},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadJudgments =\n%+v\nwant\n%+v", got, want)
	}
}

func TestLoadJudgmentsErrors(t *testing.T) {
	good := `{"half":"tune","source":"k001","relevant":["k002"]}` + "\n"
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"malformed JSON", good + `{"half":"tune","source":"k002",`, 2, "malformed JSON"},
		{"unknown field", `{"half":"tune","source":"k001","relevent":[]}`, 1, "unknown field"},
		{"missing relevant", `{"half":"tune","source":"k001"}`, 1, `"relevant" is required`},
		{"missing source", `{"relevant":[]}`, 1, "source: empty key"},
		{"bad source id", `{"half":"tune","source":"k 1","relevant":[]}`, 1, "neither a valid id"},
		{"empty title key", `{"half":"tune","source":"title:","relevant":[]}`, 1, "empty title"},
		{"padded title key", `{"half":"tune","source":"k001","relevant":["title: 花呗"]}`, 1, "surrounding spaces"},
		{"source twice", good + "\n\n" + good, 4, "judged twice"},
		{"self relevant", `{"half":"tune","source":"k001","relevant":["k001"]}`, 1, "lists itself"},
		{"relevant twice", `{"half":"tune","source":"k001","relevant":["k002","k002"]}`, 1, "listed twice"},
		{"bad relevant key", `{"half":"tune","source":"k001","relevant":["a/b"]}`, 1, "relevant"},
		{"group of one", `{"half":"tune","source":"k001","relevant":["k002"],"duplicates":[["k002"]]}`, 1, "at least two"},
		{"group outside relevant", `{"half":"tune","source":"k001","relevant":["k002","k003"],"duplicates":[["k002","k004"]]}`, 1, `"k004" is not in relevant`},
		{"missing half", `{"source":"k001","relevant":[]}`, 1, `"half" must be`},
		{"bad half", `{"half":"test","source":"k001","relevant":[]}`, 1, `"half" must be`},
		{"key in two groups", `{"half":"tune","source":"k001","relevant":["k002","k003","k004"],"duplicates":[["k002","k003"],["k003","k004"]]}`, 1, "more than one group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, JudgmentsFile, tt.content)
			_, err := LoadJudgments(p)
			wantLineError(t, err, p, tt.line, tt.msg)
		})
	}
}

func TestLoadDrafts(t *testing.T) {
	p := writeFile(t, DraftsFile, `{"draft":{"title":"花呗逾期","body":"正文","tags":["花呗"]},"relevant":["k007","k008"],"duplicates":[["k007","k008"]],"half":"tune"}
{"draft":{"title":"泡茶"},"relevant":[],"half":"heldout"}
`)
	got, err := LoadDrafts(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []DraftJudgment{
		{Draft: Draft{Title: "花呗逾期", Body: "正文", Tags: []string{"花呗"}}, Relevant: []string{"k007", "k008"}, Duplicates: [][]string{{"k007", "k008"}}, Half: HalfTune},
		{Draft: Draft{Title: "泡茶"}, Relevant: []string{}, Half: HalfHeldOut},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadDrafts =\n%+v\nwant\n%+v", got, want)
	}
	a := got[0].Draft.Article()
	if a.Title != "花呗逾期" || a.Body != "正文" || !reflect.DeepEqual(a.Tags, []string{"花呗"}) || a.ID != "" {
		t.Errorf("Draft.Article = %+v", a)
	}
}

func TestLoadDraftsErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"malformed JSON", `{"half":"heldout","draft":{"title":"x"},"relevant":[]}` + "\n" + `{"half":"heldout","draft":`, 2, "malformed JSON"},
		{"missing draft", `{"relevant":[]}`, 1, `"draft" is required`},
		{"empty draft", `{"half":"heldout","draft":{"title":" ","body":""},"relevant":[]}`, 1, "title or a body"},
		{"missing relevant", `{"half":"heldout","draft":{"title":"x"}}`, 1, `"relevant" is required`},
		{"unknown draft field", `{"half":"heldout","draft":{"title":"x","url":"u"},"relevant":[]}`, 1, "unknown field"},
		{"missing half", `{"draft":{"title":"x"},"relevant":[]}`, 1, `"half" must be`},
		{"group outside relevant", `{"half":"heldout","draft":{"title":"x"},"relevant":["k1"],"duplicates":[["k1","k2"]]}`, 1, "not in relevant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, DraftsFile, tt.content)
			_, err := LoadDrafts(p)
			wantLineError(t, err, p, tt.line, tt.msg)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.jsonl")
	if _, err := LoadJudgments(p); err == nil || !strings.Contains(err.Error(), "none.jsonl") {
		t.Errorf("error = %v, want one naming the file", err)
	}
	if _, err := LoadSuite(t.TempDir()); err == nil || !strings.Contains(err.Error(), ArticlesFile) {
		t.Errorf("LoadSuite error = %v, want one naming %s", err, ArticlesFile)
	}
}
