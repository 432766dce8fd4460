package journal

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

func put(id, title string) Record {
	return Record{Op: zhsearch.OpPut, ID: id, Article: &zhsearch.Article{ID: id, Title: title}}
}

func del(id string) Record { return Record{Op: zhsearch.OpDelete, ID: id} }

// summary is what the tests compare of a record.
func summary(r Record) string {
	s := r.Op + " " + r.ID
	if r.Article != nil {
		s += " " + r.Article.Title
	}
	return s
}

func readAll(t *testing.T, path string, after uint64) ([]string, uint64) {
	t.Helper()
	var got []string
	last, err := Read(path, after, func(r Record) error {
		got = append(got, summary(r))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, last
}

func TestAppendReadReopen(t *testing.T) {
	path := DefaultPath(t.TempDir())
	if got, last := readAll(t, path, 0); got != nil || last != 0 {
		t.Fatalf("missing journal: %v %d", got, last)
	}
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{put("a", "花呗"), del("a"), put("b", "借呗")} {
		if _, err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := OpenWriter(path); !errors.Is(err, ErrLocked) {
		t.Errorf("second writer: %v, want ErrLocked", err)
	}
	w.Close()
	got, last := readAll(t, path, 0)
	if want := []string{"put a 花呗", "delete a", "put b 借呗"}; !reflect.DeepEqual(got, want) || last != 3 {
		t.Errorf("read %v (last %d), want %v (last 3)", got, last, want)
	}
	if got, _ := readAll(t, path, 2); !reflect.DeepEqual(got, []string{"put b 借呗"}) {
		t.Errorf("after 2: %v", got)
	}
	w, err = OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := w.Append(del("b"))
	if err != nil || r.Seq != 4 {
		t.Errorf("append after reopen: seq %d, %v; want 4", r.Seq, err)
	}
}

func TestAppendRejectsBadRecords(t *testing.T) {
	w, err := OpenWriter(DefaultPath(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	bad := []Record{
		{Op: "upsert", ID: "a"},
		{Op: zhsearch.OpPut, ID: "a"},
		{Op: zhsearch.OpPut, ID: "a", Article: &zhsearch.Article{ID: "b", Title: "x"}},
		{Op: zhsearch.OpPut, ID: "a", Article: &zhsearch.Article{ID: "a"}},
		{Op: zhsearch.OpDelete, ID: "a/b"},
	}
	for _, r := range bad {
		if _, err := w.Append(r); err == nil {
			t.Errorf("Append(%+v) succeeded", r)
		}
	}
	if w.Seq() != 0 {
		t.Errorf("seq %d after refused appends", w.Seq())
	}
}

// TestTornTail: a crash in the middle of an append leaves a torn last line;
// readers skip it and the next writer cuts it off before appending.
func TestTornTail(t *testing.T) {
	for _, tail := range []string{`{"seq":3,"op":"put","id":"c","arti`, "\x00\x00\x00\x00", `{"seq":3,"op":"pu` + "\n"} {
		path := DefaultPath(t.TempDir())
		w, err := OpenWriter(path)
		if err != nil {
			t.Fatal(err)
		}
		w.Append(put("a", "一"))
		w.Append(put("b", "二"))
		w.Close()
		f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(tail)
		f.Close()
		if got, last := readAll(t, path, 0); len(got) != 2 || last != 2 {
			t.Errorf("tail %q: read %v, last %d", tail, got, last)
		}
		w, err = OpenWriter(path)
		if err != nil {
			t.Fatalf("tail %q: %v", tail, err)
		}
		if _, err := w.Append(del("a")); err != nil {
			t.Fatal(err)
		}
		w.Close()
		got, last := readAll(t, path, 0)
		if want := []string{"put a 一", "put b 二", "delete a"}; !reflect.DeepEqual(got, want) || last != 3 {
			t.Errorf("tail %q: after repair %v (last %d), want %v", tail, got, last, want)
		}
	}
}

// TestCorruptMiddle: a bad line followed by good ones is corruption, named
// by file and line, not silently skipped.
func TestCorruptMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edits.log")
	lines := []string{
		`{"seq":1,"time":"2026-01-01T00:00:00Z","op":"put","id":"a","article":{"id":"a","title":"一"}}`,
		`{"seq":2,"time":"2026-01-01T00:00:00Z","op":"put","id":"b","article":{"id":"b","title":""}}`,
		`{"seq":3,"time":"2026-01-01T00:00:00Z","op":"delete","id":"a"}`,
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	_, err := Read(path, 0, nil)
	if err == nil || !strings.Contains(err.Error(), path+":2:") {
		t.Errorf("Read: %v; want an error at %s:2", err, path)
	}
	if _, err := OpenWriter(path); err == nil || !strings.Contains(err.Error(), path+":2:") {
		t.Errorf("OpenWriter: %v; want an error at %s:2", err, path)
	}

	lines[1] = `{"seq":1,"time":"2026-01-01T00:00:00Z","op":"delete","id":"b"}`
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	if _, err := Read(path, 0, nil); err == nil || !strings.Contains(err.Error(), "seq 1 after 1") {
		t.Errorf("Read with a repeated seq: %v", err)
	}
}
