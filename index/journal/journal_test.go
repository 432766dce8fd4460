package journal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
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

// readAll reads the records after seq after of the journal at path, as
// a reader that applied them would, and returns them and the last seq.
func readAll(t *testing.T, path string, after uint64) ([]string, uint64) {
	t.Helper()
	var from Position
	if after > 0 {
		info, err := Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		from = Position{ID: info.ID, Seq: after}
	}
	var got []string
	info, err := Read(path, from, func(r Record) error {
		got = append(got, summary(r))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, info.Last
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

// writeJournal writes a journal of records put("a", "一"), put("b", "二")
// and returns its path.
func writeJournal(t *testing.T) string {
	t.Helper()
	path := DefaultPath(t.TempDir())
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, r := range []Record{put("a", "一"), put("b", "二")} {
		if _, err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func appendBytes(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestTornTail: a crash in the middle of an append leaves a last line
// without its newline; readers skip it and the next writer cuts it off,
// saying how much it cut, before appending.
func TestTornTail(t *testing.T) {
	for _, tail := range []string{`{"seq":3,"op":"put","id":"c","arti`, "\x00\x00\x00\x00"} {
		path := writeJournal(t)
		appendBytes(t, path, tail)
		if got, last := readAll(t, path, 0); len(got) != 2 || last != 2 {
			t.Errorf("tail %q: read %v, last %d", tail, got, last)
		}
		w, err := OpenWriter(path)
		if err != nil {
			t.Fatalf("tail %q: %v", tail, err)
		}
		if w.Cut() != int64(len(tail)) {
			t.Errorf("tail %q: cut %d bytes", tail, w.Cut())
		}
		if _, err := w.Append(del("a")); err != nil {
			t.Fatal(err)
		}
		w.Close()
		got, last := readAll(t, path, 0)
		if want := []string{"put a 一", "put b 二", "delete a"}; !reflect.DeepEqual(got, want) || last != 3 {
			t.Errorf("tail %q: after the cut %v (last %d), want %v", tail, got, last, want)
		}
	}
}

// TestDamageIsLoud: a complete line that does not parse or fails its
// checksum, last or not, stops readers and writers with file:line until
// Repair moves it and what follows to a quarantine file.
func TestDamageIsLoud(t *testing.T) {
	for name, damage := range map[string]func(b []byte) []byte{
		"flipped byte in the last record": func(b []byte) []byte {
			i := bytes.LastIndex(b, []byte("二"))
			b[i+1] ^= 0x01
			return b
		},
		"flipped byte in the middle": func(b []byte) []byte {
			i := bytes.Index(b, []byte("一"))
			b[i+1] ^= 0x01
			return b
		},
		"unparsable last line": func(b []byte) []byte { return append(b, `{"seq":3,"op":"pu`+"\n"...) },
		"record without checksum": func(b []byte) []byte {
			return append(b, `{"seq":3,"time":"2026-01-01T00:00:00Z","op":"delete","id":"a"}`+"\n"...)
		},
	} {
		path := writeJournal(t)
		b, _ := os.ReadFile(path)
		good := len(b)
		b = damage(b)
		os.WriteFile(path, b, 0o644)
		_, rerr := Stat(path)
		var d *DamageError
		if !errors.As(rerr, &d) || !strings.Contains(rerr.Error(), fmt.Sprintf("%s:%d:", path, d.Line)) ||
			!strings.Contains(rerr.Error(), "journal repair") {
			t.Errorf("%s: Stat: %v; want a DamageError naming file:line and the repair", name, rerr)
			continue
		}
		if _, err := OpenWriter(path); !errors.As(err, &d) {
			t.Errorf("%s: OpenWriter: %v; want a DamageError", name, err)
		}
		q, rd, err := Repair(path)
		if err != nil || q == "" || rd == nil || rd.Line != d.Line {
			t.Fatalf("%s: Repair: %q %v %v", name, q, rd, err)
		}
		kept, _ := os.ReadFile(path)
		moved, _ := os.ReadFile(q)
		if !bytes.Equal(append(kept, moved...), b) || len(kept) > good {
			t.Errorf("%s: journal %q and quarantine %q are not the split of %q", name, kept, moved, b)
		}
		if _, err := Stat(path); err != nil {
			t.Errorf("%s: after repair: %v", name, err)
		}
	}
}

// TestJournalFolder: a folder given as the journal is said to be one, not
// a damaged journal for journal repair (which cannot repair a folder).
func TestJournalFolder(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(dir, Position{}, nil)
	if err == nil || !strings.Contains(err.Error(), "is a folder") || strings.Contains(err.Error(), "repair") {
		t.Errorf("Read of a folder: %v, want it said to be a folder", err)
	}
}

// TestJournalNotAFile: a named pipe or a device given as the journal is
// refused by every way in, naming what it is. Opened as a journal, a pipe
// blocked the reindex that read it (SIGTERM with it), and journal repair
// copied a link to /dev/zero until the disk was full.
func TestJournalNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo, zero := filepath.Join(dir, "edits.fifo"), filepath.Join(dir, "edits.zero")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, zero} {
		_, readErr := Read(path, Position{}, nil)
		w, openErr := OpenWriter(path)
		if openErr == nil {
			w.Close()
		}
		_, _, repairErr := Repair(path)
		for what, err := range map[string]error{"Read": readErr, "OpenWriter": openErr, "Repair": repairErr} {
			if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
				t.Errorf("%s(%s): %v, want it refused as not a regular file", what, filepath.Base(path), err)
			}
		}
	}
}

// TestCheckPlace: a journal where the data folder reads its inputs is
// refused; edits were accepted there, and every reindex then failed on the
// journal's header as a malformed article.
func TestCheckPlace(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, tt := range []struct {
		path string
		ok   bool
	}{
		{DefaultPath(data), true},
		{filepath.Join(data, "edits.jsonl"), false},
		{filepath.Join(data, "edits.txt"), false},
		{filepath.Join(data, "dict", "edits.txt"), false},
		{filepath.Join(data, "edits.log"), true},
		{filepath.Join(data, ".edits.jsonl"), true},
		{filepath.Join(data, "journal", "edits.jsonl"), true},
		{filepath.Join(filepath.Dir(data), "edits.jsonl"), true},
	} {
		err := CheckPlace(data, tt.path)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPlace(%s): %v, want ok %v", tt.path, err, tt.ok)
		}
	}
}

// TestIdentity: a journal has an identity from its creation; Read from a
// position of another journal, of a missing one or past its end is a
// MismatchError, and Renew gives a journal a new identity, keeping its
// records and the old file.
func TestIdentity(t *testing.T) {
	path := writeJournal(t)
	info, err := Stat(path)
	if err != nil || len(info.ID) != 32 || info.Last != 2 {
		t.Fatalf("Stat: %+v %v", info, err)
	}
	var me *MismatchError
	for _, from := range []Position{{ID: "other", Seq: 1}, {ID: info.ID, Seq: 3}} {
		called := false
		if _, err := Read(path, from, func(Record) error { called = true; return nil }); !errors.As(err, &me) || called {
			t.Errorf("Read from %+v: %v (fn called %v); want a MismatchError first", from, err, called)
		}
	}
	if _, err := Read(path+".missing", Position{ID: info.ID, Seq: 1}, nil); !errors.As(err, &me) ||
		!strings.Contains(err.Error(), "missing") {
		t.Errorf("Read of a missing journal: %v", err)
	}
	renewed, old, err := Renew(path)
	if err != nil || renewed.ID == info.ID || renewed.Last != 2 {
		t.Fatalf("Renew: %+v %q %v", renewed, old, err)
	}
	if got, _ := readAll(t, path, 0); !reflect.DeepEqual(got, []string{"put a 一", "put b 二"}) {
		t.Errorf("renewed journal holds %v", got)
	}
	if was, err := Stat(old); err != nil || was.ID != info.ID || was.Last != 2 {
		t.Errorf("old journal kept as %s: %+v %v", old, was, err)
	}
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if r, err := w.Append(del("a")); err != nil || r.Seq != 3 || r.Journal != renewed.ID {
		t.Errorf("append to the renewed journal: %+v %v", r, err)
	}
}

// TestLegacyJournal: a journal written before identities and checksums
// is read as it is, with the empty identity, and appended to.
func TestLegacyJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edits.log")
	lines := `{"seq":1,"time":"2026-01-01T00:00:00Z","op":"put","id":"a","article":{"id":"a","title":"一"}}` + "\n"
	os.WriteFile(path, []byte(lines), 0o644)
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	if w.ID() != "" || w.Seq() != 1 {
		t.Errorf("legacy journal: id %q seq %d", w.ID(), w.Seq())
	}
	if _, err := w.Append(del("a")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got, last := readAll(t, path, 1); !reflect.DeepEqual(got, []string{"delete a"}) || last != 2 {
		t.Errorf("legacy journal after an append: %v %d", got, last)
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
	_, err := Read(path, Position{}, nil)
	if err == nil || !strings.Contains(err.Error(), path+":2:") {
		t.Errorf("Read: %v; want an error at %s:2", err, path)
	}
	if _, err := OpenWriter(path); err == nil || !strings.Contains(err.Error(), path+":2:") {
		t.Errorf("OpenWriter: %v; want an error at %s:2", err, path)
	}

	lines[1] = `{"seq":1,"time":"2026-01-01T00:00:00Z","op":"delete","id":"b"}`
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	if _, err := Read(path, Position{}, nil); err == nil || !strings.Contains(err.Error(), "seq 1 after 1") {
		t.Errorf("Read with a repeated seq: %v", err)
	}
}

// summaries reads every record of the journal at path from seq after of
// its journal.
func summaries(path string, after uint64) ([]string, error) {
	info, err := Stat(path)
	if err != nil {
		return nil, err
	}
	var got []string
	_, err = Read(path, Position{ID: info.ID, Seq: after}, func(r Record) error {
		got = append(got, fmt.Sprint(r.Seq, " ", summary(r)))
		return nil
	})
	return got, err
}

// TestCompact: records a generation holds move to the archive; the
// journal file keeps only what is new, a reader from before reads the
// archive, a reader from after does not need it, and appends, reopening,
// an interrupted compaction and Renew keep every record once.
func TestCompact(t *testing.T) {
	path := DefaultPath(t.TempDir())
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := w.Append(put(fmt.Sprint("a", i), "文")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Compact(3); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); bytes.Count(b, []byte("\n")) != 3 || int64(len(b)) != w.Size() {
		t.Errorf("journal file after compacting 3 of 5 records, %d bytes (writer: %d):\n%s", len(b), w.Size(), b)
	}
	all := []string{"1 put a0 文", "2 put a1 文", "3 put a2 文", "4 put a3 文", "5 put a4 文"}
	if got, err := summaries(path, 0); err != nil || !reflect.DeepEqual(got, all) {
		t.Errorf("all records after compaction: %v %v", got, err)
	}
	if _, err := w.Append(del("a0")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	w, err = OpenWriter(path)
	if err != nil || w.Seq() != 6 {
		t.Fatalf("reopened after compaction: %v seq %d", err, w.Seq())
	}
	// A compaction interrupted after the archive was written.
	if err := w.archive(5); err != nil {
		t.Fatal(err)
	}
	all = append(all, "6 delete a0")
	if got, err := summaries(path, 0); err != nil || !reflect.DeepEqual(got, all) {
		t.Errorf("after an interrupted compaction: %v %v", got, err)
	}
	if err := w.Compact(6); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got, err := summaries(path, 0); err != nil || !reflect.DeepEqual(got, all) {
		t.Errorf("after a second compaction: %v %v", got, err)
	}
	os.Rename(ArchivePath(path), ArchivePath(path)+".away")
	if got, err := summaries(path, 6); err != nil || len(got) != 0 {
		t.Errorf("reading what is new needs the archive: %v %v", got, err)
	}
	var me *MismatchError
	if _, err := summaries(path, 2); !errors.As(err, &me) || me.Path != ArchivePath(path) {
		t.Errorf("reading archived records without the archive: %v", err)
	}
	os.Rename(ArchivePath(path)+".away", ArchivePath(path))
	if _, _, err := Renew(path); err != nil {
		t.Fatal(err)
	}
	if got, err := summaries(path, 0); err != nil || !reflect.DeepEqual(got, all) {
		t.Errorf("after Renew: %v %v", got, err)
	}
	if _, err := os.Stat(ArchivePath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old archive is still in place: %v", err)
	}
}

// TestRepairMissing: repairing a journal that is not there (a mistyped
// --data or --journal) fails, naming the path, and creates nothing.
func TestRepairMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo", "journal", "edits.log")
	q, d, err := Repair(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) || q != "" || d != nil {
		t.Errorf("Repair: %q %v %v; want a not-exist error naming %s", q, d, err, path)
	}
	if _, err := os.Stat(filepath.Dir(filepath.Dir(path))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Repair created %s", filepath.Dir(filepath.Dir(path)))
	}
}

// TestRenewWithoutTheWholeArchive: a journal whose archive was cut (a
// repair quarantined a damaged line and all after it), or is gone, is
// still renewed, the explicit way out: the new journal holds every record
// that survives, the archive's first ones and the journal file's, and says
// which it could not read. Before, the renewal failed as every other read
// does, and no rebuild was possible.
func TestRenewWithoutTheWholeArchive(t *testing.T) {
	for _, damage := range []string{"cut", "gone"} {
		t.Run(damage, func(t *testing.T) {
			path := DefaultPath(t.TempDir())
			w, err := OpenWriter(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 6 {
				if _, err := w.Append(put(fmt.Sprint("a", i), "文")); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Compact(4); err != nil {
				t.Fatal(err)
			}
			w.Close()
			apath := ArchivePath(path)
			want := []string{"1 put a0 文", "2 put a1 文", "5 put a4 文", "6 put a5 文"}
			if damage == "cut" {
				b, err := os.ReadFile(apath)
				if err != nil {
					t.Fatal(err)
				}
				lines := bytes.SplitAfter(b, []byte("\n"))
				// The header and records 1 and 2 stay; 3 and 4 are gone.
				if err := os.WriteFile(apath, bytes.Join(lines[:3], nil), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				os.Remove(apath)
				want = want[2:]
			}
			info, _, err := Renew(path)
			if err != nil {
				t.Fatalf("renew: %v", err)
			}
			if info.Unread == nil {
				t.Error("the renewal does not say what it could not read")
			}
			if got, err := summaries(path, 0); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("renewed journal: %v %v, want %v", got, err, want)
			}
		})
	}
}

// TestCheckFree: a journal is free when missing or closed, and locked while
// a writer holds it; checking takes no lock that stays.
func TestCheckFree(t *testing.T) {
	path := DefaultPath(t.TempDir())
	if err := CheckFree(path); err != nil {
		t.Fatalf("missing journal: %v", err)
	}
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckFree(path); !errors.Is(err, ErrLocked) {
		t.Errorf("while a writer holds it: %v, want ErrLocked", err)
	}
	w.Close()
	if err := CheckFree(path); err != nil {
		t.Errorf("closed journal: %v", err)
	}
	if w, err = OpenWriter(path); err != nil {
		t.Fatalf("a writer after the check: %v", err)
	}
	w.Close()
}
