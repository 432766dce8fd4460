package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/journal"
)

// TestDictSuggestForEditors: dict suggest reads the articles published
// through the admin API (the journal) as well as the data files, and
// writes what dict/domain.txt reads: appended as it is it changes no
// cut, and a word whose "#" the editor deletes is cut whole by the next
// reindex's dictionary. It read the data files alone (a new lending app's
// name, in the journal only, was never suggested), and wrote word, count
// and cut, which appended gave each fragment its count as a frequency.
func TestDictSuggestForEditors(t *testing.T) {
	data := t.TempDir()
	var lines []string
	for i := range 4 {
		lines = append(lines, fmt.Sprintf(`{"id":"f%d","title":"花呗逾期第%d天怎么办"}`, i, i))
	}
	if err := os.WriteFile(filepath.Join(data, "a.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := journal.OpenWriter(journal.DefaultPath(data))
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range []string{"橙意贷利息怎么算", "橙意贷逾期会上征信吗", "橙意贷额度怎么提升", "橙意贷提前还款"} {
		a := zhsearch.Article{ID: fmt.Sprintf("j%d", i), Title: title}
		if _, err := w.Append(journal.Record{Op: zhsearch.OpPut, ID: a.ID, Article: &a}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	var out, errOut bytes.Buffer
	if st := run(context.Background(), []string{"dict", "suggest", "--data", data, "--min-count", "3"}, &out, &errOut); st != 0 {
		t.Fatalf("dict suggest: status %d\n%s", st, &errOut)
	}
	if !strings.Contains(out.String(), "\n#橙意贷 5000 n\n") {
		t.Fatalf("the journal's new name is not suggested as a domain entry:\n%s", &out)
	}
	if !strings.Contains(errOut.String(), "from 8 articles (4 journal edits replayed)") {
		t.Errorf("stderr %q: want the articles counted with the journal's", &errOut)
	}

	cut := func(domain string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, "dict", "domain.txt"), []byte(domain), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := analysis.DataDicts(data)
		if err != nil {
			t.Fatal(err)
		}
		seg, release, err := analysis.AcquireSegmenter(d)
		if err != nil {
			t.Fatalf("domain.txt with the suggestions: %v", err)
		}
		defer release()
		var words []string
		for _, w := range seg.Cut("橙意贷利息", false) {
			words = append(words, w.Text)
		}
		return strings.Join(words, "/")
	}
	builtin := string(analysis.EmbeddedDicts().Files["dict/domain.txt"])
	before := cut(builtin)
	if got := cut(builtin + out.String()); got != before {
		t.Errorf("the output appended as it is cuts 橙意贷利息 %s, before %s: want no change", got, before)
	}
	taken := strings.Replace(out.String(), "\n#橙意贷 5000 n\n", "\n橙意贷 5000 n\n", 1)
	if got := cut(builtin + taken); !strings.HasPrefix(got, "橙意贷/") {
		t.Errorf("with 橙意贷 taken, 橙意贷利息 cuts %s, want 橙意贷 whole", got)
	}
}
