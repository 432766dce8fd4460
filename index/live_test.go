package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/journal"
)

// writeData writes a data folder holding one JSONL file of lines.
func writeData(t *testing.T, dir string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonlLines returns n JSONL lines of articles that all hold 测试.
func jsonlLines(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"id":"%s%d","title":"测试文章%s%d 花呗还款","body":"这是第%d篇测试文章，讲借呗和征信。"}`, prefix, i, prefix, i, i)
	}
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openLive(t *testing.T, data, idx string, poll time.Duration) *Live {
	t.Helper()
	l, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Edits: true, Poll: poll, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// builtLive writes lines as the data folder's JSONL, builds an index of it
// and serves it with edits on.
func builtLive(t *testing.T, poll time.Duration, lines ...string) (l *Live, data, idx string) {
	t.Helper()
	data, idx = t.TempDir(), t.TempDir()
	writeData(t, data, lines...)
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return openLive(t, data, idx, poll), data, idx
}

// docLine is what a test compares of an indexed article.
type docLine struct {
	ID, Title string
	TitleOnly bool
}

// allDocs lists every article of ix, sorted by id.
func allDocs(t *testing.T, ix *Index) []docLine {
	t.Helper()
	n, err := ix.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), int(n)+1, 0, false)
	req.Fields = []string{fTitle, fTitleOnly}
	res, err := ix.bleve.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	var out []docLine
	for _, h := range res.Hits {
		d := docLine{ID: h.ID}
		d.Title, _ = h.Fields[fTitle].(string)
		d.TitleOnly, _ = h.Fields[fTitleOnly].(bool)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func liveDocs(t *testing.T, l *Live) []docLine {
	t.Helper()
	g, err := l.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.release()
	return allDocs(t, g.ix)
}

// TestEditsLiveEqualRebuild applies edits to a live generation and checks
// that a restart and a full rebuild (journal replayed in memory) serve
// exactly the same articles, title-only ones included.
func TestEditsLiveEqualRebuild(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data,
		`{"id":"p1","title":"花呗逾期怎么办","related":["借呗额度","征信修复"]}`,
		`{"id":"p2","title":"借呗提前还款","related":["征信修复","网贷黑户"]}`,
		`{"id":"p3","title":"网贷大数据花了怎么办"}`,
	)
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	l := openLive(t, data, idx, -1)
	ctx := context.Background()
	edits := []struct {
		op, id, body string
		want         string // error code, "" for success
	}{
		{"put", "p4", `{"id":"p4","title":"京东E卡回收","related":["借呗额度","先享后付"]}`, ""},
		{"put", "p1", `{"id":"p1","title":"花呗逾期一天怎么办","related":["租机套路"]}`, ""},
		{"put", "x1", `{"id":"x1","title":"借呗额度"}`, ""}, // takes over the title-only 借呗额度
		{"delete", "p3", "", ""},
		{"delete", "t-" + strings.Repeat("0", 16), "", zhsearch.ENOTFOUND},
		{"put", "bad", `{"id":"bad","title":""}`, zhsearch.EINVALID},
		{"put", "p7", `{"id":"p7","title":"应急贷","published_at":"yesterday"}`, zhsearch.EINVALID},
		{"put", "p8", `{"id":"p8","title":"应急贷","colour":"red"}`, zhsearch.EINVALID},
		{"put", "p9", `[1,2]`, zhsearch.EINVALID},
		{"put", "p9", `null`, zhsearch.EINVALID},
		{"put", "p9", `{"id":"p9","title":"a"} {"title":"b"}`, zhsearch.EINVALID},
		{"put", "p2", `{"id":"p2","title":"借呗提前还款 新版","body":"正文","published_at":"2024-05-01 10:00:00","tags":["借呗"]}`, ""},
	}
	for _, e := range edits {
		var err error
		if e.op == "put" {
			// decoded as the API decodes a PUT body
			var a zhsearch.Article
			if a, err = zhsearch.DecodeArticle([]byte(e.body), 0); err == nil {
				_, err = l.PutArticle(ctx, &a)
			}
		} else {
			_, err = l.DeleteArticle(ctx, e.id)
		}
		if got := zhsearch.ErrorCode(err); got != e.want {
			t.Fatalf("%s %s %s: error %v, want code %q", e.op, e.id, e.body, err, e.want)
		}
	}
	// Delete a title-only article made by an edit.
	var titleOnly string
	for _, d := range liveDocs(t, l) {
		if d.TitleOnly && d.Title == "先享后付" {
			titleOnly = d.ID
		}
	}
	if titleOnly == "" {
		t.Fatal("the put of p4 made no title-only article 先享后付")
	}
	if _, err := l.DeleteArticle(ctx, titleOnly); err != nil {
		t.Fatal(err)
	}
	live := liveDocs(t, l)
	for _, d := range live {
		if d.Title == "借呗额度" && d.ID != "x1" {
			t.Errorf("title-only %v survives next to the article x1 with its title", d)
		}
		if d.ID == "p3" || d.ID == titleOnly {
			t.Errorf("deleted %v is still there", d)
		}
	}
	ix, stats := sameAfterRestartAndRebuild(t, l, data, idx, live)
	if stats.Edits != 6 {
		t.Errorf("rebuild replayed %d edits, want 6", stats.Edits)
	}
	a, err := ix.Article(ctx, "p2")
	if err != nil {
		t.Fatal(err)
	}
	if a.Body != "正文" || a.PublishedAt.IsZero() || !reflect.DeepEqual(a.Tags, []string{"借呗"}) {
		t.Errorf("p2 after rebuild: %+v", a)
	}
}

// TestEditsReleaseTitles: what an edited or deleted article held goes with
// it, as a build of the data folder with the edit made in it would have
// it: the title it gave up is a title-only article again while a 相关内容
// list names it, and a title-only article that only its old list named
// goes. Live, after a restart and after a rebuild alike.
func TestEditsReleaseTitles(t *testing.T) {
	l, data, idx := builtLive(t, -1, `{"id":"p1","title":"花呗逾期怎么办","related":["征信修复","借呗额度","花呗风控解除指南"]}`)
	ctx := context.Background()
	put := func(body string) {
		t.Helper()
		a, err := zhsearch.DecodeArticle([]byte(body), 0)
		if err == nil {
			_, err = l.PutArticle(ctx, &a)
		}
		if err != nil {
			t.Fatalf("put %s: %v", body, err)
		}
	}
	del := func(id string) {
		t.Helper()
		if _, err := l.DeleteArticle(ctx, id); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	titleOnly := func(title string) docLine {
		return docLine{ID: corpus.TitleID(analysis.Normalize(title)), Title: title, TitleOnly: true}
	}
	put(`{"id":"x1","title":"征信修复"}`)   // takes over the title-only 征信修复
	put(`{"id":"x1","title":"征信修复指南"}`) // gives it up: p1 still lists it
	put(`{"id":"x2","title":"借呗额度"}`)   // takes over 借呗额度
	del("x2")                           // gives it up
	// Written otherwise, the same title: given up, it is the list's again.
	put(`{"id":"x3","title":"《花唄風控解除指南》"}`)
	del("x3")
	put(`{"id":"o1","title":"孤儿来源","related":["孤儿标题"]}`)
	put(`{"id":"o1","title":"孤儿来源"}`) // nothing lists 孤儿标题 now: it stays
	want := []docLine{
		{ID: "o1", Title: "孤儿来源"},
		{ID: "p1", Title: "花呗逾期怎么办"},
		titleOnly("借呗额度"),
		titleOnly("孤儿标题"),
		titleOnly("征信修复"),
		titleOnly("花呗风控解除指南"),
		{ID: "x1", Title: "征信修复指南"},
	}
	sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
	if got := liveDocs(t, l); !reflect.DeepEqual(got, want) {
		t.Errorf("live:\n%v\nwant\n%v", got, want)
	}
	sameAfterRestartAndRebuild(t, l, data, idx, want)
}

// sameAfterRestartAndRebuild closes l, then checks that a restart and a
// full rebuild (the journal replayed over the data folder) serve want; it
// returns the rebuilt index, open until the test ends, and its stats.
func sameAfterRestartAndRebuild(t *testing.T, l *Live, data, idx string, want []docLine) (*Index, *BuildStats) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLive(t, data, idx, -1)
	if got := liveDocs(t, l); !reflect.DeepEqual(got, want) {
		t.Errorf("after restart:\n%v\nwant\n%v", got, want)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	stats, err := Build(context.Background(), data, idx, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if got := allDocs(t, ix); !reflect.DeepEqual(got, want) {
		t.Errorf("after rebuild:\n%v\nwant\n%v", got, want)
	}
	return ix, stats
}

// TestSwitchKeepsInFlightRequests holds a request open on the old
// generation across a reindex: it keeps working, new requests use the new
// generation, and the old one is closed and removed when it is released.
func TestSwitchKeepsInFlightRequests(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 5)...)
	defer l.Close()
	old, err := l.acquire()
	if err != nil {
		t.Fatal(err)
	}
	oldName := old.name

	writeData(t, data, jsonlLines("b", 8)...)
	waitJob(t, l, startJob(t, l))
	if l.Generation() == oldName {
		t.Fatal("still on the old generation after the reindex")
	}
	if n, _ := l.DocCount(); n != 8 {
		t.Errorf("new generation has %d articles, want 8", n)
	}
	// The request in flight finishes on the old generation.
	res, err := old.ix.Search(context.Background(), zhsearch.SearchRequest{Query: "测试"})
	if err != nil || res.Total != 5 {
		t.Fatalf("old generation: %v, %v; want 5 hits", res, err)
	}
	if _, err := os.Stat(filepath.Join(idx, oldName)); err != nil {
		t.Fatalf("old generation removed while in use: %v", err)
	}
	old.release()
	select {
	case <-old.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("old generation not closed after its last request")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(idx, oldName)); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("old generation folder not removed after it closed")
		}
	}
}

// TestJanitorRetries: an old generation another process still reads is
// left alone, and removed once that process lets go, with no new event.
func TestJanitorRetries(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 3)...)
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	old, err := CurrentGeneration(idx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	reader, err := OpenGeneration(old) // as a read-only tool in another process would
	if err != nil {
		t.Fatal(err)
	}
	l := openLive(t, data, idx, -1)
	defer l.Close()
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(old); err != nil {
		t.Fatalf("generation removed while read: %v", err)
	}
	reader.Close()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(old); errors.Is(err, os.ErrNotExist) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("old generation not removed after its reader closed")
		}
	}
}

func startJob(t *testing.T, l *Live) string {
	t.Helper()
	j, err := l.StartReindex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if j.State != zhsearch.JobRunning {
		t.Fatalf("new job %+v", j)
	}
	return j.ID
}

func waitJob(t *testing.T, l *Live, id string) *zhsearch.ReindexJob {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		j, err := l.ReindexJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch j.State {
		case zhsearch.JobSucceeded:
			return j
		case zhsearch.JobFailed:
			t.Fatalf("reindex failed: %s", j.Error)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("reindex did not finish")
	return nil
}

// TestEditsDuringReindexAreKept upserts articles while a reindex runs:
// every accepted edit is in the generation the reindex switches to.
func TestEditsDuringReindexAreKept(t *testing.T) {
	l, data, _ := builtLive(t, -1, jsonlLines("a", 10)...)
	defer l.Close()
	writeData(t, data, jsonlLines("b", 1500)...)
	l.cfg.BatchSize = 100
	// One edit lands exactly between the catch-up made while edits flow and
	// the switch: the last edit of all, so nothing after it can heal a miss.
	stopEdits, stopped := make(chan struct{}), make(chan struct{})
	l.beforeSwitchLock = func() {
		close(stopEdits)
		<-stopped
		if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "late", Title: "切换前一刻的编辑"}); err != nil {
			t.Error(err)
		}
	}
	id := startJob(t, l)
	var put []string
edits:
	for i := 0; ; i++ {
		select {
		case <-stopEdits:
			close(stopped)
			break edits
		default:
		}
		j, _ := l.ReindexJob(context.Background(), id)
		if j.State != zhsearch.JobRunning {
			break
		}
		eid := fmt.Sprintf("e%d", i)
		if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: eid, Title: "编辑测试"}); err != nil {
			t.Fatal(err)
		}
		put = append(put, eid)
		time.Sleep(2 * time.Millisecond)
	}
	j := waitJob(t, l, id)
	put = append(put, "late")
	t.Logf("%d edits during the reindex; %d replayed in the build", len(put), j.Result.Edits)
	if len(put) == 0 {
		t.Fatal("no edit ran during the reindex")
	}
	for _, eid := range put {
		if _, err := l.Article(context.Background(), eid); err != nil {
			t.Errorf("edit %s lost by the reindex: %v", eid, err)
		}
	}
	if n, _ := l.DocCount(); n != uint64(1500+len(put)) {
		t.Errorf("%d articles, want %d", n, 1500+len(put))
	}
}

// TestReindexConflicts: a second reindex in this process, or while another
// process holds the build lock, is a conflict.
func TestReindexConflicts(t *testing.T) {
	l, _, idx := builtLive(t, -1, jsonlLines("a", 600)...)
	defer l.Close()
	l.cfg.BatchSize = 50
	id := startJob(t, l)
	if _, err := l.StartReindex(context.Background()); zhsearch.ErrorCode(err) != zhsearch.ECONFLICT {
		t.Errorf("second reindex: %v, want conflict", err)
	}
	waitJob(t, l, id)

	// Take the lock an offline `zhsearch reindex` holds.
	unlock, err := lockFile(filepath.Join(idx, buildLockFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.StartReindex(context.Background()); zhsearch.ErrorCode(err) != zhsearch.ECONFLICT {
		t.Errorf("reindex during another process's build: %v, want conflict", err)
	}
	unlock()
	waitJob(t, l, startJob(t, l))
}

// TestFailedReindexKeepsServing: broken input fails the job naming the
// file and line, and the live generation keeps serving.
func TestFailedReindexKeepsServing(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	defer l.Close()
	gen := l.Generation()
	writeData(t, data, append(jsonlLines("b", 3), `{"id":"b9","title":"坏日期","published_at":"soon"}`)...)
	id := startJob(t, l)
	var j *zhsearch.ReindexJob
	for j == nil || j.State == zhsearch.JobRunning {
		time.Sleep(10 * time.Millisecond)
		j, _ = l.ReindexJob(context.Background(), id)
	}
	want := filepath.Join(data, "a.jsonl") + ":4: bad date"
	if j.State != zhsearch.JobFailed || !strings.Contains(j.Error, want) {
		t.Errorf("job %+v; want failed with %q", j, want)
	}
	if l.Generation() != gen {
		t.Errorf("generation changed to %s", l.Generation())
	}
	if res, err := l.Search(context.Background(), zhsearch.SearchRequest{Query: "测试"}); err != nil || res.Total != 3 {
		t.Errorf("search after failed reindex: %v %v", res, err)
	}
	entries, _ := os.ReadDir(idx)
	if len(entries) != 4 { // BUILD, CURRENT, LOCK, the live generation
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("index folder holds %v", names)
	}
}

// TestFollowOfflineBuild: a generation switched by another builder (an
// offline `zhsearch reindex`) is picked up by the poll, edits made before
// and during it included, and the old folder is removed once closed.
func TestFollowOfflineBuild(t *testing.T) {
	l, data, idx := builtLive(t, 20*time.Millisecond, jsonlLines("a", 4)...)
	defer l.Close()
	old := l.Generation()
	if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "e1", Title: "编辑一"}); err != nil {
		t.Fatal(err)
	}
	writeData(t, data, jsonlLines("b", 6)...)
	stats, err := Build(context.Background(), data, idx, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Edits != 1 {
		t.Errorf("offline build replayed %d edits, want 1", stats.Edits)
	}
	// Removing old generations right after must spare the one the server uses.
	if _, err := CleanGenerations(idx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for l.Generation() == old && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if l.Generation() != filepath.Base(stats.Generation) {
		t.Fatalf("serving %s, want %s", l.Generation(), filepath.Base(stats.Generation))
	}
	if n, _ := l.DocCount(); n != 7 {
		t.Errorf("%d articles, want 7", n)
	}
	// A new generation serves warmed up: its first queries do not pay for
	// the title statistics (see Index.Warm).
	if !servesWarm(t, l) {
		t.Error("the new generation was published before it was warmed up")
	}
	if _, err := l.PutArticle(context.Background(), &zhsearch.Article{ID: "e2", Title: "编辑二"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := l.DocCount(); n != 8 {
		t.Errorf("%d articles, want 8", n)
	}
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(idx, old)); errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("old generation folder not removed")
}

// servesWarm tells whether the generation l serves has computed what
// Index.Warm computes.
func servesWarm(t *testing.T, l *Live) bool {
	t.Helper()
	g, err := l.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.release()
	ix := g.ix
	ix.initials.mu.Lock()
	defer ix.initials.mu.Unlock()
	return ix.rel.stats.Load() != nil && ix.initials.words != nil
}

// TestStartUpWarms: at start-up the generation warms up in the background,
// before any query asks (a query meanwhile computes what it needs itself).
func TestStartUpWarms(t *testing.T) {
	l, _, _ := builtLive(t, 0, jsonlLines("a", 4)...)
	defer l.Close()
	deadline := time.Now().Add(30 * time.Second)
	for !servesWarm(t, l) {
		if time.Now().After(deadline) {
			t.Fatal("not warmed up after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBuildLeavesJournalOutOfInput: the journal lives in the data folder
// but is never read as an input file.
func TestBuildLeavesJournalOutOfInput(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 2)...)
	w, err := journal.OpenWriter(journal.DefaultPath(data))
	if err != nil {
		t.Fatal(err)
	}
	a := zhsearch.Article{ID: "j1", Title: "日志文章"}
	if _, err := w.Append(journal.Record{Op: zhsearch.OpPut, ID: "j1", Article: &a}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	stats, err := Build(context.Background(), data, idx, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Files != 1 || stats.Articles != 3 || stats.Edits != 1 {
		t.Errorf("stats %+v; want 1 file, 3 articles, 1 edit", stats)
	}
}

// TestBuildNamesArticlesTheJournalOverrides: a rebuild tells the
// exporter which articles of the data files live edits replace or delete
// (their journal version stays over the files'), and not the articles
// the journal adds.
func TestBuildNamesArticlesTheJournalOverrides(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 3)...)
	w, err := journal.OpenWriter(journal.DefaultPath(data))
	if err != nil {
		t.Fatal(err)
	}
	edited := zhsearch.Article{ID: "a1", Title: "改过的标题"}
	added := zhsearch.Article{ID: "j1", Title: "日志文章"}
	for _, r := range []journal.Record{
		{Op: zhsearch.OpPut, ID: "a1", Article: &edited},
		{Op: zhsearch.OpPut, ID: "j1", Article: &added},
		{Op: zhsearch.OpDelete, ID: "a2"},
		{Op: zhsearch.OpPut, ID: "a1", Article: &edited},
	} {
		if _, err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	stats, err := Build(context.Background(), data, idx, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "the journal's live edits replace or delete 2 articles of the data files (a1, a2)"
	if !slices.ContainsFunc(stats.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) {
		t.Errorf("warnings %q; want one starting %q", stats.Warnings, want)
	}
}

// TestBuildRefusesEmptyFolderWithJournal: an export that failed and left
// the data folder empty, with live edits in the journal, stops the build
// with "no articles found", naming the subfolder the export wrote into.
// Before, the build (and a server reindexing) panicked reading the files'
// body list past its end; without the panic, the journal's few articles
// would have replaced the whole site.
func TestBuildRefusesEmptyFolderWithJournal(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "export"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "export", "a.jsonl"), []byte(`{"id":"a","title":"花呗逾期"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := journal.OpenWriter(journal.DefaultPath(data))
	if err != nil {
		t.Fatal(err)
	}
	a := zhsearch.Article{ID: "j1", Title: "日志文章", Body: "正文"}
	if _, err := w.Append(journal.Record{Op: zhsearch.OpPut, ID: "j1", Article: &a}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = Build(context.Background(), data, idx, BuildOptions{})
	if err == nil || !strings.Contains(err.Error(), "no articles found") || !strings.Contains(err.Error(), "not read: export/") {
		t.Errorf("build of an empty folder with a journal: %v; want no articles found, naming export/", err)
	}
}

// buildLockHeld reports whether some build holds idx's build lock. It
// reads the kernel's table of locks (/proc/locks) rather than trying the
// lock: a build starting while the probe held the lock for an instant
// failed at once with ErrLocked, and the test then waited forever for a
// build that had ended.
func buildLockHeld(t *testing.T, idx string) bool {
	t.Helper()
	fi, err := os.Stat(filepath.Join(idx, buildLockFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false
	} else if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Skip("no inode numbers here")
	}
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Skipf("no table of locks: %v", err)
	}
	// A line: "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF", the
	// device and inode as major:minor:inode.
	suffix := ":" + strconv.FormatUint(st.Ino, 10)
	for _, line := range strings.Split(string(locks), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "FLOCK" && strings.HasSuffix(f[5], suffix) {
			return true
		}
	}
	return false
}

// TestBuildWaitsForCleanup: a build (offline or a server's) that starts
// while a cleaner removes old generations waits for it instead of failing,
// and a cleaner never touches the folder while a build runs.
func TestBuildWaitsForCleanup(t *testing.T) {
	l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
	defer l.Close()
	for _, server := range []bool{false, true} {
		// Hold the folder lock as the janitor does while it removes old
		// generations.
		unlock, err := lockDir(idx)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			if server {
				id, err := l.StartReindex(context.Background())
				if err == nil && waitJob(t, l, id.ID).State != zhsearch.JobSucceeded {
					err = fmt.Errorf("job %+v", waitJob(t, l, id.ID))
				}
				done <- err
				return
			}
			_, err := Build(context.Background(), data, idx, BuildOptions{})
			done <- err
		}()
		for !buildLockHeld(t, idx) { // the build has started and waits
			select {
			case err := <-done:
				t.Fatalf("the build ended before waiting for the cleaner (server %v): %v", server, err)
			case <-time.After(time.Millisecond):
			}
		}
		if _, err := CleanGenerations(idx, l.Generation()); !errors.Is(err, ErrLocked) {
			t.Errorf("cleaning during a build: %v, want ErrLocked", err)
		}
		unlock()
		if err := <-done; err != nil {
			t.Errorf("build during a cleanup (server %v): %v", server, err)
		}
	}
}

// TestBadCurrentRemovesNothing: a CURRENT naming a generation that is
// missing, or a copy missing a segment file, keeps the server from
// starting, and leaves the generation that served before on disk, named in
// the error, so writing its name back to CURRENT serves it again. (Before,
// start-up removed every other generation first.)
func TestBadCurrentRemovesNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, idx, good string) string // returns the name CURRENT gets
	}{
		{"missing", func(t *testing.T, idx, good string) string { return "gen-20990101T000000.000000000" }},
		{"half copied", func(t *testing.T, idx, good string) string {
			bad := "gen-20990101T000000.000000001"
			if err := os.CopyFS(filepath.Join(idx, bad), os.DirFS(filepath.Join(idx, good))); err != nil {
				t.Fatal(err)
			}
			zaps, _ := filepath.Glob(filepath.Join(idx, bad, "store", "*.zap"))
			if len(zaps) == 0 {
				t.Fatal("no segment file to remove")
			}
			// bleve would fall back to an older snapshot, or an empty one.
			if err := os.Remove(zaps[len(zaps)-1]); err != nil {
				t.Fatal(err)
			}
			return bad
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, data, idx := builtLive(t, -1, jsonlLines("a", 3)...)
			good := l.Generation()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			bad := tc.corrupt(t, idx, good)
			if err := os.WriteFile(filepath.Join(idx, currentFile), []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Edits: true, Poll: -1, Logger: quietLogger()})
			if err == nil || !strings.Contains(err.Error(), good) {
				t.Fatalf("OpenLive: %v; want an error naming %s", err, good)
			}
			if _, err := os.Stat(filepath.Join(idx, good)); err != nil {
				t.Fatalf("the generation that served before is gone: %v", err)
			}
			if tc.name == "missing" {
				// As `zhsearch reindex` cleans up after a build.
				if _, err := CleanGenerations(idx); err == nil {
					t.Error("CleanGenerations went ahead with CURRENT naming a missing generation")
				}
				if _, err := os.Stat(filepath.Join(idx, good)); err != nil {
					t.Fatalf("CleanGenerations removed the generation that served before: %v", err)
				}
			}
			if err := os.WriteFile(filepath.Join(idx, currentFile), []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
			l = openLive(t, data, idx, -1)
			defer l.Close()
			if res, err := l.Search(context.Background(), zhsearch.SearchRequest{Query: "测试"}); err != nil || res.Total != 3 {
				t.Errorf("search after the rollback: %+v %v", res, err)
			}
		})
	}
}

// TestPutRefusesTitleOnlyID: an admin PUT may not take an id of the form
// of a title-only article's (a related title no article carries), as a
// data file's article may not, whether or not a list names the title yet:
// the title would vanish without a word. The refused edit is not
// journaled, and the title stays searchable.
func TestPutRefusesTitleOnlyID(t *testing.T) {
	l, _, _ := builtLive(t, time.Hour, `{"id":"a1","title":"花呗逾期怎么办","related":["借呗提前还款有手续费吗"]}`)
	defer l.Close()
	ctx := context.Background()
	id := corpus.TitleID(analysis.Normalize("借呗提前还款有手续费吗"))
	before, err := l.Article(ctx, id)
	if err != nil || !before.TitleOnly {
		t.Fatalf("%s: %+v, %v; want the related title's title-only article", id, before, err)
	}
	_, err = l.PutArticle(ctx, &zhsearch.Article{ID: id, Title: "完全不同的标题"})
	if zhsearch.ErrorCode(err) != zhsearch.EINVALID || !strings.Contains(zhsearch.ErrorMessage(err), "title-only id") {
		t.Fatalf("PUT of %s: %v; want invalid, naming the title-only id", id, err)
	}
	after, err := l.Article(ctx, id)
	if err != nil || after.Title != "借呗提前还款有手续费吗" {
		t.Errorf("after the refused PUT: %+v, %v; want the title-only article unchanged", after, err)
	}
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "a2", Title: "完全不同的标题"}); err != nil {
		t.Errorf("PUT of a new id: %v", err)
	}
	// The id of a title no list names yet is refused too: a list naming it
	// later found the id taken, and the title never reached search.
	later := corpus.TitleID(analysis.Normalize("借呗提额技巧大全"))
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: later, Title: "某篇普通文章"}); zhsearch.ErrorCode(err) != zhsearch.EINVALID {
		t.Fatalf("PUT of %s, the id of a title no list names yet: %v; want invalid", later, err)
	}
	if _, err := l.PutArticle(ctx, &zhsearch.Article{ID: "lister", Title: "列表页", Related: []string{"借呗提额技巧大全"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Article(ctx, later); err != nil || !got.TitleOnly || got.Title != "借呗提额技巧大全" {
		t.Errorf("%s once a list names it: %+v, %v; want its title-only article", later, got, err)
	}
}
