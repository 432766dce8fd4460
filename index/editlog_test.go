package index

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/journal"
)

// memLog is an EditLog in memory, like a cluster's stream.
type memLog struct {
	mu   sync.Mutex
	id   string
	recs []journal.Record // recs[i].Seq == i+1
}

func (m *memLog) add(op, id, title string) journal.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := journal.Record{Seq: uint64(len(m.recs) + 1), Op: op, ID: id, Journal: m.id}
	if op == zhsearch.OpPut {
		r.Article = &zhsearch.Article{ID: id, Title: title}
	}
	m.recs = append(m.recs, r)
	return r
}

func (m *memLog) Read(from journal.Position, fn func(journal.Record) error) (journal.Info, error) {
	m.mu.Lock()
	recs := append([]journal.Record(nil), m.recs...)
	m.mu.Unlock()
	info := journal.Info{Exists: true, ID: m.id, Last: uint64(len(recs))}
	if from.Seq > 0 && (from.ID != m.id || from.Seq > info.Last) {
		return info, &journal.MismatchError{Path: "mem", Want: from, Got: info}
	}
	for _, r := range recs[from.Seq:] {
		if fn != nil {
			if err := fn(r); err != nil {
				return info, err
			}
		}
	}
	return info, nil
}

// TestEditLogHooks: with LiveConfig.Log a Live service builds, opens and
// catches up from that log (not the journal file), ApplyRecords applies
// what follows, skips what it holds and catches up over a gap, WaitApplied
// wakes, and a reindex replays the log and calls OnBuilt.
func TestEditLogHooks(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 3)...)
	log := &memLog{id: "stream-1"}
	log.add(zhsearch.OpPut, "e1", "日志里的第一篇")
	if _, err := Build(context.Background(), data, idx, BuildOptions{Log: log}); err != nil {
		t.Fatal(err)
	}
	r2 := log.add(zhsearch.OpPut, "e2", "日志里的第二篇")
	var built []journal.Position
	l, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Log: log, Poll: -1, Logger: quietLogger(),
		OnBuilt: func(_ context.Context, path string, pos journal.Position) error {
			if !ValidGenerationName(filepath.Base(path)) {
				t.Errorf("OnBuilt path %s", path)
			}
			built = append(built, pos)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Applied() != 2 || !serves(t, l, "e1") || !serves(t, l, "e2") {
		t.Fatalf("opened at %d, want the log's 2 applied", l.Applied())
	}
	// Already held: skipped.
	if seq, err := l.ApplyRecords([]journal.Record{r2}); err != nil || seq != 2 {
		t.Fatalf("ApplyRecords(held) = %d, %v", seq, err)
	}
	// What follows, in one batch.
	r3 := log.add(zhsearch.OpDelete, "a0", "")
	r4 := log.add(zhsearch.OpPut, "e4", "日志里的第四篇")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- l.WaitApplied(ctx, 4)
	}()
	if seq, err := l.ApplyRecords([]journal.Record{r3, r4}); err != nil || seq != 4 {
		t.Fatalf("ApplyRecords = %d, %v", seq, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("WaitApplied: %v", err)
	}
	if serves(t, l, "a0") || !serves(t, l, "e4") {
		t.Fatal("records 3 and 4 not applied")
	}
	// A gap: 5 is missed, 6 arrives; the service catches up from the log.
	log.add(zhsearch.OpPut, "e5", "日志里的第五篇")
	r6 := log.add(zhsearch.OpPut, "e6", "日志里的第六篇")
	if seq, err := l.ApplyRecords([]journal.Record{r6}); err != nil || seq != 6 || !serves(t, l, "e5") || !serves(t, l, "e6") {
		t.Fatalf("ApplyRecords over a gap = %d, %v", seq, err)
	}
	// Local edits are off: the cluster appends to its log itself.
	if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "x", Title: "不行"}); zhsearch.ErrorCode(err) != zhsearch.EUNAVAILABLE {
		t.Fatalf("PutArticle with a Log: %v", err)
	}
	// A reindex replays the log and reports what it built.
	j, err := l.StartReindex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for j.State == zhsearch.JobRunning {
		time.Sleep(20 * time.Millisecond)
		if j, err = l.ReindexJob(context.Background(), j.ID); err != nil {
			t.Fatal(err)
		}
	}
	if j.State != zhsearch.JobSucceeded || len(built) != 1 || built[0].Seq != 6 || j.Result.Edits != 6 {
		t.Fatalf("reindex %+v, OnBuilt %v", j, built)
	}
	if l.Applied() != 6 || serves(t, l, "a0") || !serves(t, l, "e6") {
		t.Fatalf("after the reindex: applied %d", l.Applied())
	}
}
