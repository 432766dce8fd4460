package corpus

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// readBack loads dir with its bodies deferred and reads every body back in
// the order given by order (indexes into the corpus's articles), returning
// the articles with their bodies filled in.
func readBack(t *testing.T, dir string, order []int) []zhsearch.Article {
	t.Helper()
	c, err := LoadDeferred(dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Refs) != len(c.Articles) {
		t.Fatalf("%d refs for %d articles", len(c.Refs), len(c.Articles))
	}
	br := c.BodyReader()
	defer br.Close()
	out := append([]zhsearch.Article(nil), c.Articles...)
	if order == nil {
		for i := range out {
			order = append(order, i)
		}
	}
	for _, i := range order {
		if c.Refs[i].IsZero() {
			continue
		}
		if c.Articles[i].Body != "" {
			t.Fatalf("article %s kept its body in memory", out[i].ID)
		}
		body, err := br.Body(c.Refs[i], out[i].ID)
		if err != nil {
			t.Fatalf("article %s: %v", out[i].ID, err)
		}
		out[i].Body = body
	}
	return out
}

// TestDeferredBodiesMatchLoad: the bodies read back are the ones Load
// gives, whatever the line endings, blank lines, spaces around a line,
// escapes, files and read order; page exports keep theirs in memory.
func TestDeferredBodiesMatchLoad(t *testing.T) {
	page := "网贷自救\n发布时间:2024-01-02 03:04:05\n正文一行。\n正文二行。\n相关内容:\n租机变现\nTo Top"
	big := strings.Repeat("长正文", 100000) // longer than the reader's skip gap
	tests := []struct {
		name  string
		files map[string]string
		order []int // nil: file order
	}{
		{"one file", map[string]string{"a.jsonl": `{"id":"a1","title":"花呗风控","body":"正文\n第二行"}
{"id":"a2","title":"征信修复","body":"另一篇"}
`}, nil},
		{"CRLF, blank lines, spaces, no final newline", map[string]string{"a.jsonl": "\r\n  {\"id\":\"a1\",\"title\":\"t1\",\"body\":\"b1\"}  \r\n\r\n\t{\"id\":\"a2\",\"title\":\"t2\",\"body\":\"b2\\u0041\\\"\"}"}, nil},
		{"Unicode spaces around a line", map[string]string{"a.jsonl": "\u3000{\"id\":\"a1\",\"title\":\"t1\",\"body\":\"b1\"}\v\u00a0\n\f{\"id\":\"a2\",\"title\":\"t2\",\"body\":\"b2\"}\u2028\n"}, nil},
		{"empty and missing bodies", map[string]string{"a.jsonl": `{"id":"a1","title":"t1","body":""}
{"id":"a2","title":"t2"}
{"id":"a3","title":"t3","body":"b3","related":["r1","t1"]}
`}, nil},
		{"files and a page", map[string]string{
			"a.jsonl": `{"id":"a1","title":"t1","body":"b1","related":["租机变现"]}` + "\n",
			"b.txt":   page,
			"c.jsonl": "\n" + `{"id":"c1","title":"t2","body":"` + big + `"}` + "\n" + `{"id":"c2","title":"t3","body":"c2"}` + "\n",
		}, nil},
		{"backwards and across files", map[string]string{
			"a.jsonl": `{"id":"a1","title":"t1","body":"b1"}` + "\n" + `{"id":"a2","title":"t2","body":"` + big + `"}` + "\n" + `{"id":"a3","title":"t3","body":"b3"}` + "\n",
			"b.jsonl": `{"id":"b1","title":"u1","body":"x1"}` + "\n",
		}, []int{3, 2, 0, 3, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				write(t, dir, name, content)
			}
			want, err := Load(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := readBack(t, dir, tt.order)
			if !reflect.DeepEqual(got, want.Articles) {
				t.Errorf("read back:\n%+v\nwant\n%+v", got, want.Articles)
			}
		})
	}
}

// TestDeferredBodiesDetectChanges: a data file changed between loading and
// reading back fails with a ChangedError naming the file and the line of
// the article being read, whether its size, its mtime or only its bytes
// changed.
func TestDeferredBodiesDetectChanges(t *testing.T) {
	const content = `{"id":"a1","title":"t1","body":"正文一"}
{"id":"a2","title":"t2","body":"正文二"}
{"id":"a3","title":"t3","body":"正文三"}
`
	// keepStamp rewrites the file with the same size and mtime.
	keepStamp := func(t *testing.T, path string, edit func(string) string) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		next := edit(string(data))
		if len(next) != len(data) {
			t.Fatalf("edit changes the size")
		}
		if err := os.WriteFile(path, []byte(next), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		line   int    // the line the error names
		want   string // in the message
	}{
		{"appended", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(`{"id":"a4","title":"t4"}` + "\n")
			f.Close()
		}, 1, "bytes modified"},
		{"touched", func(t *testing.T, path string) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
		}, 1, "bytes modified"},
		{"removed", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, 1, "no such file"},
		{"same size and mtime, a body edited", func(t *testing.T, path string) {
			keepStamp(t, path, func(s string) string { return strings.Replace(s, "正文二", "正文贰", 1) })
		}, 2, "the line is not the one read"},
		{"same size and mtime, lines swapped", func(t *testing.T, path string) {
			keepStamp(t, path, func(s string) string {
				l := strings.SplitAfter(s, "\n")
				return l[0] + l[2] + l[1]
			})
		}, 2, "the line is not the one read"},
		{"same size and mtime, a line shifted", func(t *testing.T, path string) {
			keepStamp(t, path, func(s string) string { return " " + strings.Replace(s, "\n", "", 1) })
		}, 1, "the line is not the one read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := write(t, dir, "a.jsonl", content)
			c, err := LoadDeferred(dir, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(t, path)
			br := c.BodyReader()
			defer br.Close()
			for i, a := range c.Articles {
				body, err := br.Body(c.Refs[i], a.ID)
				if err == nil {
					if i+1 >= tt.line {
						t.Fatalf("article %s read back as %q after the change", a.ID, body)
					}
					continue
				}
				var ce *ChangedError
				if !errors.As(err, &ce) || ce.File != path || ce.Line != tt.line || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want a ChangedError at %s:%d saying %q", err, path, tt.line, tt.want)
				}
				if !strings.HasPrefix(err.Error(), fmt.Sprintf("%s:%d: data file changed", path, tt.line)) {
					t.Errorf("err = %q, want it to start with the file and line", err)
				}
				return
			}
			t.Fatal("no error")
		})
	}
}

// TestDeferredLoadKeepsOtherBodies: a Loader that defers bodies keeps
// those of page exports, and a plain Loader keeps every body and makes no
// refs.
func TestDeferredLoadKeepsOtherBodies(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.jsonl", `{"id":"a1","title":"t1","body":"b1"}`+"\n")
	write(t, dir, "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n正文\nTo Top")
	c, err := LoadDeferred(dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Articles[0].Body != "" || c.Refs[0].IsZero() || c.Articles[1].Body != "正文" || !c.Refs[1].IsZero() {
		t.Errorf("deferred: articles %+v refs %+v", c.Articles, c.Refs)
	}
	c, err = Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Refs != nil || c.Articles[0].Body != "b1" {
		t.Errorf("Load: articles %+v refs %+v", c.Articles, c.Refs)
	}
}
