package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// renderPage writes a in the page export format.
func renderPage(a *zhsearch.Article) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n发布时间: %s\n", a.Title, a.PublishedAt.Format(time.RFC3339Nano))
	if a.Body != "" {
		b.WriteString(a.Body + "\n")
	}
	if len(a.Related) > 0 {
		b.WriteString("相关内容:\n")
		for _, r := range a.Related {
			b.WriteString(r + "\n")
		}
	}
	b.WriteString("To Top\n")
	return b.String()
}

// FuzzParsePage checks that the page parser never panics, that what it
// accepts is a valid article whose parts are clean lines, that what it
// refuses is an error naming the file, and that an accepted page written
// back out parses to the same article.
func FuzzParsePage(f *testing.F) {
	f.Add([]byte("花呗协商还款\n发布时间: 2024-05-25 13:09:59\n正文\n相关内容:\n网贷\nTo Top\n"))
	const name = "fuzz_page.txt"
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParsePage(name, bytes.NewReader(data), 0)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.File != name || ie.Line < 0 || ie.Msg == "" {
				t.Fatalf("error %#v does not name the file and line", err)
			}
			return
		}
		if err := a.Validate(0); err != nil {
			t.Fatalf("accepted an invalid article: %v", err)
		}
		if a.ID != "fuzz_page" || a.PublishedAt.IsZero() {
			t.Fatalf("id %q, published %v", a.ID, a.PublishedAt)
		}
		for _, line := range strings.Split(a.Body, "\n") {
			if a.Body != "" && (line == "" || line != strings.TrimSpace(line) || line == "To Top") {
				t.Fatalf("body line %q", line)
			}
		}
		for _, r := range a.Related {
			if r == "" || r != strings.TrimSpace(r) || r == "To Top" || strings.Contains(r, "\n") {
				t.Fatalf("related title %q", r)
			}
		}
		if strings.ContainsRune(string(data), '\ufeff') {
			return // a byte-order mark is dropped at the start of any line: no round trip
		}
		again, err := ParsePage(name, strings.NewReader(renderPage(a)), 0)
		if err != nil {
			t.Fatalf("rendered page does not parse: %v\n%s", err, renderPage(a))
		}
		if again.Title != a.Title || again.Body != a.Body || !again.PublishedAt.Equal(a.PublishedAt) ||
			strings.Join(again.Related, "\n") != strings.Join(a.Related, "\n") {
			t.Fatalf("round trip changed the article:\n%+v\n%+v", a, again)
		}
	})
}

// FuzzAddJSONL checks that the JSONL reader never panics, names the file
// and line of bad input, and that a corpus it accepts holds only valid
// articles with unique ids, title-only ones derived from related titles.
func FuzzAddJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a1","title":"花呗","related":["借呗"]}` + "\n"))
	const name = "fuzz.jsonl"
	f.Fuzz(func(t *testing.T, data []byte) {
		l := NewLoader(strings.TrimSpace)
		if err := l.AddJSONL(name, bytes.NewReader(data)); err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error %q does not name the file", err)
			}
			var ie *InputError
			if errors.As(err, &ie) && (ie.Line < 1 || ie.Line > bytes.Count(data, []byte("\n"))+1) {
				t.Fatalf("error at line %d of a %d-line input", ie.Line, bytes.Count(data, []byte("\n"))+1)
			}
			return
		}
		c, err := l.Corpus()
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		ids := map[string]bool{}
		titleOnly := 0
		for _, a := range c.Articles {
			if err := a.Validate(0); err != nil {
				t.Fatalf("invalid article in corpus: %v", err)
			}
			if ids[a.ID] {
				t.Fatalf("duplicate id %q", a.ID)
			}
			ids[a.ID] = true
			if a.TitleOnly {
				titleOnly++
				if a.ID != TitleID(strings.TrimSpace(a.Title)) || a.Body != "" {
					t.Fatalf("title-only article %+v", a)
				}
			}
			if !utf8.ValidString(a.Title) {
				t.Fatalf("title %q is not UTF-8", a.Title)
			}
		}
		if titleOnly != c.TitleOnly {
			t.Fatalf("TitleOnly = %d, counted %d", c.TitleOnly, titleOnly)
		}
	})
}
