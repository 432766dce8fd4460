package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/journal"
)

// putEdit upserts article id titled title through l and fails the test
// unless it is acknowledged.
func putEdit(t *testing.T, l *Live, id, title string) {
	t.Helper()
	if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: id, Title: title}); err != nil {
		t.Fatalf("PUT %s: %v", id, err)
	}
}

// serves reports whether l serves article id.
func serves(t *testing.T, l *Live, id string) bool {
	t.Helper()
	_, err := l.Article(context.Background(), id)
	if err != nil && zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

// TestJournalMismatchRefused: a journal removed, restored from an older
// copy or replaced by another is refused at start, naming the journal and
// `reindex --new-journal`; a plain offline reindex refuses it too. After
// `--new-journal` every edit the journal holds is served, and new edits
// are served across a restart.
func TestJournalMismatchRefused(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	jpath := journal.DefaultPath(data)
	putEdit(t, l, "e1", "第一次编辑")
	older, err := os.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	putEdit(t, l, "e2", "第二次编辑")
	l.Close()

	other := t.TempDir()
	w, err := journal.OpenWriter(journal.DefaultPath(other))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		a := zhsearch.Article{ID: fmt.Sprint("o", i), Title: "别的日志"}
		w.Append(journal.Record{Op: zhsearch.OpPut, ID: a.ID, Article: &a})
	}
	w.Close()
	otherJournal, _ := os.ReadFile(journal.DefaultPath(other))

	for name, content := range map[string][]byte{"removed": nil, "older copy": older, "another journal": otherJournal} {
		os.Remove(jpath)
		if content != nil {
			os.WriteFile(jpath, content, 0o644)
		}
		_, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Edits: true, Poll: -1, Logger: quietLogger()})
		if err == nil || !strings.Contains(err.Error(), jpath) || !strings.Contains(err.Error(), "reindex --new-journal") {
			t.Errorf("%s: OpenLive: %v; want a refusal naming %s and the way out", name, err, jpath)
		}
		if _, err := Build(context.Background(), data, idx, BuildOptions{}); err == nil || !strings.Contains(err.Error(), jpath) {
			t.Errorf("%s: a plain reindex: %v; want a refusal naming %s", name, err, jpath)
		}
	}

	// The older copy is what the operator has: rebuild under a new identity.
	os.WriteFile(jpath, older, 0o644)
	if _, err := Build(context.Background(), data, idx, BuildOptions{NewJournal: true}); err != nil {
		t.Fatal(err)
	}
	l = openLive(t, data, idx, -1)
	putEdit(t, l, "e3", "新日志的编辑")
	l.Close()
	l = openLive(t, data, idx, -1)
	defer l.Close()
	for id, want := range map[string]bool{"e1": true, "e2": false, "e3": true} {
		if got := serves(t, l, id); got != want {
			t.Errorf("after --new-journal and a restart: serves %s = %v, want %v", id, got, want)
		}
	}
	if info, _ := journal.Stat(jpath); info.Last != 2 {
		t.Errorf("renewed journal ends at seq %d, want 2", info.Last)
	}
}

// TestReindexBesideServerChecksJournal: an offline reindex while a server
// has the live generation open cannot read the generation's journal
// position, but the generation names its journal (journalIDFile): a
// reindex with another journal (the operator left out the server's
// --journal) is refused, naming it, and the live generation stays; one
// with the server's journal builds, and the server switches to it and
// serves its edits.
func TestReindexBesideServerChecksJournal(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	defer l.Close()
	putEdit(t, l, "e1", "服务中的编辑")
	live, err := os.ReadFile(filepath.Join(idx, currentFile))
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "edits.log")
	w, err := journal.OpenWriter(elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = Build(context.Background(), data, idx, BuildOptions{Journal: elsewhere})
	if err == nil || !strings.Contains(err.Error(), elsewhere) {
		t.Errorf("reindex with another journal beside the server: %v; want a refusal naming %s", err, elsewhere)
	}
	if now, _ := os.ReadFile(filepath.Join(idx, currentFile)); string(now) != string(live) {
		t.Errorf("the refused reindex switched the index to %s", now)
	}
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatalf("reindex with the server's journal: %v", err)
	}
	if err := l.Reload(); err != nil {
		t.Fatal(err)
	}
	if !serves(t, l, "e1") {
		t.Error("after the reindex the server does not serve its edit")
	}
}

// TestEditsOnDiskWhenAcknowledged: an acknowledged edit and the journal
// position it records are in the generation's files, not only in memory:
// a generation keeps its build's unsafe batches unless the server opens it
// with safe ones, and then a close dropped both (found by the journal
// identity checks, which read that position).
func TestEditsOnDiskWhenAcknowledged(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	putEdit(t, l, "e1", "第一次编辑")
	putEdit(t, l, "e2", "第二次编辑")
	l.Close()
	info, err := journal.Stat(journal.DefaultPath(data))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if pos, err := ix.appliedPosition(); err != nil || pos != (journal.Position{ID: info.ID, Seq: 2}) {
		t.Errorf("generation holds position %+v (%v), want %s up to 2", pos, err, info.ID)
	}
	for _, id := range []string{"e1", "e2"} {
		if _, err := ix.Article(context.Background(), id); err != nil {
			t.Errorf("acknowledged %s is not in the generation's files: %v", id, err)
		}
	}
}

// TestIndexWriteFailureSurfaces: when an edit is journaled but cannot be
// written into the index, the answer is unavailable (not 2xx), the service
// is not ready and reports no document count (zhsearch_index_up 0); the
// edit is replayed once the index can be written, and after a restart.
func TestIndexWriteFailureSurfaces(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	putEdit(t, l, "e1", "第一次编辑")
	gen, _ := CurrentGeneration(idx)
	unblock := blockSegments(t, gen)
	_, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "e2", Title: "写不进索引的编辑"})
	if zhsearch.ErrorCode(err) != zhsearch.EUNAVAILABLE || !strings.Contains(zhsearch.ErrorMessage(err), "journaled") {
		t.Errorf("PUT on a failing index disk: %v; want unavailable, journaled", err)
	}
	if err := l.Ready(context.Background()); zhsearch.ErrorCode(err) != zhsearch.EUNAVAILABLE {
		t.Errorf("Ready on a failing index disk: %v", err)
	}
	if _, err := l.DocCount(); err == nil {
		t.Error("DocCount answers on a failing index disk")
	}
	if info, _ := journal.Stat(journal.DefaultPath(data)); info.Last != 2 {
		t.Errorf("journal ends at %d, want the failed edit's seq 2", info.Last)
	}
	unblock()
	// A write bleve's persister had under way when the disk came back may
	// still fail, and report on e3's commit: the answer is then
	// unavailable, as for e2, and a client retries, as it is asked to.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "e3", Title: "磁盘恢复后的编辑"})
		if err == nil {
			break
		}
		if zhsearch.ErrorCode(err) != zhsearch.EUNAVAILABLE || time.Now().After(deadline) {
			t.Fatalf("PUT e3 once the disk is back: %v", err)
		}
	}
	if err := l.Ready(context.Background()); err != nil {
		t.Errorf("Ready once writes succeed: %v", err)
	}
	l.Close()
	l = openLive(t, data, idx, -1)
	defer l.Close()
	for _, id := range []string{"e1", "e2", "e3"} {
		if !serves(t, l, id) {
			t.Errorf("%s is not served after a restart", id)
		}
	}
}

// TestJournalCompaction: once the journal file passes CompactBytes, the
// records the live generation holds move to the archive; restarts and
// full rebuilds still serve every edit, and new edits go on.
func TestJournalCompaction(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 3)...)
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	open := func() *Live {
		l, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Edits: true, Poll: -1, Logger: quietLogger(), CompactBytes: 1})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := open()
	edits := []string{"e1", "e2", "e3"}
	for _, id := range edits {
		putEdit(t, l, id, "压缩前的编辑"+id)
	}
	jpath := journal.DefaultPath(data)
	if b, _ := os.ReadFile(jpath); strings.Count(string(b), "\n") != 1 {
		t.Errorf("journal file after compaction holds more than its header:\n%s", b)
	}
	if info, err := journal.Stat(jpath); err != nil || info.After != 3 || info.Last != 3 {
		t.Errorf("journal after compaction: %+v %v", info, err)
	}
	l.Close()
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil { // replays the archive
		t.Fatal(err)
	}
	l = open()
	defer l.Close()
	putEdit(t, l, "e4", "压缩后的编辑")
	for _, id := range append(edits, "e4") {
		if !serves(t, l, id) {
			t.Errorf("%s is not served after compaction, a rebuild and a restart", id)
		}
	}
}

// blockSegments makes new files of the live generation's bleve store
// impossible to create, as a full index disk would, while the journal's
// disk stays writable: the store folder moves aside (bleve keeps its open
// files) and a plain file takes its name. unblock puts it back.
func blockSegments(t *testing.T, gen string) (unblock func()) {
	t.Helper()
	store := filepath.Join(gen, "store")
	if err := os.Rename(store, store+".aside"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(store, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Remove(store); err != nil {
			t.Error(err)
		}
		if err := os.Rename(store+".aside", store); err != nil {
			t.Error(err)
		}
	}
}

// TestFailedNewJournalKeepsJournal: a reindex with NewJournal that fails
// (a bad data line) leaves the journal as it was, so the live generation,
// which applied it, still serves after a restart; renewing takes effect
// only with a build that succeeds.
func TestFailedNewJournalKeepsJournal(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	putEdit(t, l, "e1", "第一次编辑")
	l.Close()
	jpath := journal.DefaultPath(data)
	before, err := journal.Stat(jpath)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(data, "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"id":"bad"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), data, idx, BuildOptions{NewJournal: true}); err == nil || !strings.Contains(err.Error(), bad+":1") {
		t.Fatalf("Build: %v; want the bad line named", err)
	}
	if after, err := journal.Stat(jpath); err != nil || after.ID != before.ID || after.Last != before.Last {
		t.Errorf("journal after the failed build: %+v %v; want %+v", after, err, before)
	}
	left, _ := filepath.Glob(jpath + "*")
	if len(left) != 1 {
		t.Errorf("journal folder holds %v; want the journal alone", left)
	}
	l = openLive(t, data, idx, -1)
	if !serves(t, l, "e1") {
		t.Error("the live generation lost its edit")
	}
	l.Close()
	// Fixed, the same reindex renews the journal.
	os.Remove(bad)
	if _, err := Build(context.Background(), data, idx, BuildOptions{NewJournal: true}); err != nil {
		t.Fatal(err)
	}
	if after, _ := journal.Stat(jpath); after.ID == before.ID || after.Last != before.Last {
		t.Errorf("journal after the build: %+v; want a new identity holding seq %d", after, before.Last)
	}
	l = openLive(t, data, idx, -1)
	defer l.Close()
	if !serves(t, l, "e1") {
		t.Error("the renewed generation lost the edit")
	}
}
