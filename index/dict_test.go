package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataWithDicts writes a data folder: one JSONL file of articles and the
// given dict/ files.
func dataWithDicts(t *testing.T, lines []string, dicts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeData(t, dir, lines...)
	if len(dicts) > 0 {
		if err := os.MkdirAll(filepath.Join(dir, "dict"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range dicts {
		if err := os.WriteFile(filepath.Join(dir, "dict", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var dictArticles = []string{
	`{"id":"a1","title":"鲸鱼贷逾期了怎么办"}`,
	`{"id":"a2","title":"鲸鱼的迁徙路线"}`,
	`{"id":"a3","title":"花呗逾期三天会上征信吗"}`,
}

// TestDictionaryFromDataFolder checks that an editor's dictionary in the
// data folder takes effect at reindex, without a new binary: a new
// product name is one word, its synonym finds it, and the generation keeps
// its dictionary, and its prepared form, when it is opened again.
func TestDictionaryFromDataFolder(t *testing.T) {
	ctx := context.Background()
	plain := dataWithDicts(t, dictArticles, nil)
	edited := dataWithDicts(t, dictArticles, map[string]string{
		"domain.txt":   "鲸鱼贷 5000 nz\n",
		"synonyms.txt": "鲸鱼贷 蓝鲸借款\n",
	})
	open := func(data string) *Index {
		t.Helper()
		idx := filepath.Join(t.TempDir(), "index")
		if _, err := Build(ctx, data, idx, BuildOptions{}); err != nil {
			t.Fatal(err)
		}
		ix, err := Open(idx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}

	before, after := open(plain), open(edited)
	if before.seg.Known("鲸鱼贷") {
		t.Fatal("the embedded dictionary already knows 鲸鱼贷: pick another made-up word")
	}
	if got, _ := searchIDs(t, before, "蓝鲸借款"); len(got) != 0 {
		t.Errorf("without the synonym, 蓝鲸借款 found %v", got)
	}
	if got, _ := searchIDs(t, after, "蓝鲸借款"); len(got) != 1 || got[0] != "a1" {
		t.Errorf("with the data folder's synonym, 蓝鲸借款 found %v, want [a1]", got)
	}
	// 鲸鱼贷 is one word now, in queries and in the index.
	if terms := after.analyze("鲸鱼贷").terms; len(terms) != 1 || terms[0].text != "鲸鱼贷" {
		t.Errorf("鲸鱼贷 analyzed as %+v, want the one word", terms)
	}
	if got, _ := searchIDs(t, after, "鲸鱼贷"); len(got) == 0 || got[0] != "a1" {
		t.Errorf("鲸鱼贷 found %v, want a1 first", got)
	}
	// The generation records its dictionary: opened again, it cuts alike.
	again, err := OpenGeneration(after.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if !again.seg.Known("鲸鱼贷") {
		t.Error("the generation reopened does not know its dictionary's word")
	}
	if _, err := os.Stat(filepath.Join(after.Path(), "dict", "domain.txt")); err != nil {
		t.Errorf("the generation does not record its dictionary: %v", err)
	}
	// And its prepared form, so that it starts as fast as one of the
	// embedded dictionary, which the binary embeds prepared.
	if _, err := os.Stat(filepath.Join(after.Path(), "dict", "prepared.bin")); err != nil {
		t.Errorf("the generation does not record its dictionary's prepared form: %v", err)
	}
}

// TestBadDictionaryFailsBuild checks that a bad line in an editor's
// dictionary stops the build with its file and line, the live index kept.
func TestBadDictionaryFailsBuild(t *testing.T) {
	for _, tc := range []struct {
		name, file, text, want string
	}{
		{"bad weight", "question.txt", "# ok\n会不会 lots\n", "dict/question.txt:2"},
		// NaN passed the weight's range check and emptied related lists.
		{"weight NaN", "question.txt", "怎么办 NaN\n", `dict/question.txt:1: weight "NaN" must be a number from 0`},
		{"weight Inf", "question.txt", "怎么办 +Inf\n", `dict/question.txt:1: weight "+Inf" must be a number from 0`},
		{"frequency NaN", "domain.txt", "花呗分期 NaN n\n", `dict/domain.txt:1: frequency "NaN" must be a finite number above 0`},
		{"frequency Inf", "domain.txt", "花呗分期 Inf n\n", `dict/domain.txt:1: frequency "Inf" must be a finite number above 0`},
		{"idf NaN", "common.txt", "工资 NaN\n", `dict/common.txt:1: idf "NaN" must be a finite number of 0 or more`},
		{"frequency 0", "domain.txt", "花呗分期 0 n\n", `dict/domain.txt:1: frequency "0" must be a finite number above 0`},
		// A line past bufio's limit said only "token too long".
		{"long line", "domain.txt", "花呗分期 10 n\n" + strings.Repeat("x", 70000) + " 3 n\n", "dict/domain.txt:2: line longer than 64 KiB"},
		{"stop word with spaces", "stop.txt", "的\n的 extra tokens\n", "dict/stop.txt:2: a stop word is one word"},
		{"two troubles on a line", "trouble.txt", "逾期\n欠款 呆账\n", "dict/trouble.txt:2: want one word"},
		{"an ask word's mark not end", "ask.txt", "吗 end\n怎么 start\n", `dict/ask.txt:2: want "word" or "word end"`},
	} {
		data := dataWithDicts(t, dictArticles, map[string]string{tc.file: tc.text})
		_, err := Build(context.Background(), data, filepath.Join(t.TempDir(), "index"), BuildOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: build: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}
