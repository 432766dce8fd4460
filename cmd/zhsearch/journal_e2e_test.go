package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch/index/journal"
)

// The crash and corruption suite: a server acknowledges edits and is
// killed (SIGKILL), then its journal is removed, cut, damaged or replaced
// by an older copy. Every start afterwards either serves every
// acknowledged edit or refuses, naming the journal file and the command
// that gets out; after that command, the edits the journal still holds are
// served, and so are new ones.

// crashed is a data and an index folder left by a killed server, and
// copies of its journal along the way.
type crashed struct {
	data, idx string
	afterE1   []byte // the journal after the first edit (an older copy)
}

// edits are acknowledged by the server in order e1, e2, e3.
var crashEdits = []string{"e1", "e2", "e3"}

// crashServer builds an index, starts `zhsearch serve` as a process, has
// it acknowledge crashEdits and kills it.
func crashServer(t *testing.T) crashed {
	t.Helper()
	c := crashed{data: t.TempDir(), idx: t.TempDir()}
	writeCorpus(t, c.data, "a", 20)
	reindexOffline(t, c.data, c.idx)
	p := startProcess(t, []string{"ZHSEARCH_ADMIN_TOKEN=" + testToken},
		"serve", "--data", c.data, "--index", c.idx, "--addr", "127.0.0.1:0", "--poll", "0s")
	base := p.waitServing(t)
	for i, id := range crashEdits {
		mustCall(t, "PUT", base+"/api/v1/admin/articles/"+id, testToken, fmt.Sprintf(`{"title":"崩溃前的编辑%d"}`, i), 201, nil)
		if i == 0 {
			c.afterE1 = readFile(t, journal.DefaultPath(c.data))
		}
	}
	p.kill(t)
	return c
}

// copyOf copies the crashed folders for one scenario.
func (c crashed) copyOf(t *testing.T) crashed {
	t.Helper()
	d := crashed{data: filepath.Join(t.TempDir(), "data"), idx: filepath.Join(t.TempDir(), "index"), afterE1: c.afterE1}
	for src, dst := range map[string]string{c.data: d.data, c.idx: d.idx} {
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func (c crashed) journal() string { return journal.DefaultPath(c.data) }

func (c crashed) config() serveConfig {
	return serveConfig{dataDir: c.data, indexDir: c.idx, ops: adminOps(testToken)}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// refusal starts serve on cfg and returns the error it stops with; it
// fails the test if the server starts instead.
func refusal(t *testing.T, cfg serveConfig) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, errc := make(chan struct{}), make(chan error, 1)
	cfg.addr, cfg.ready = "127.0.0.1:0", func(string) { close(started) }
	cfg.ops = adminOps(testToken)
	logs := &syncBuffer{}
	go func() { errc <- serve(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil))) }()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("serve ended without an error")
		}
		return err
	case <-started:
		cancel()
		<-errc
		t.Fatalf("the server started:\n%s", logs)
	case <-time.After(2 * time.Minute):
		t.Fatal("serve neither started nor refused")
	}
	return nil
}

// mustRun runs a zhsearch command line in-process and fails the test
// unless it succeeds; it returns the output.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if st := run(context.Background(), args, &out, &out); st != 0 {
		t.Fatalf("zhsearch %s: status %d\n%s", strings.Join(args, " "), st, &out)
	}
	return out.String()
}

// wantServed checks which of crashEdits the server at base serves.
func wantServed(t *testing.T, when, base string, served ...string) {
	t.Helper()
	for _, id := range crashEdits {
		want := strings.Contains(" "+strings.Join(served, " ")+" ", " "+id+" ")
		if got := fetchArticle(t, base, id) != nil; got != want {
			t.Errorf("%s: serves %s = %v, want %v", when, id, got, want)
		}
	}
}

// newEditSurvives has the server at srv acknowledge a new edit, restarts
// it, and checks the edit and the earlier ones in served are served.
func newEditSurvives(t *testing.T, c crashed, srv *testServer, served ...string) {
	t.Helper()
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/n1", testToken, `{"title":"恢复后的新编辑"}`, 201, nil)
	srv.stop()
	srv = startServe(t, c.config())
	if fetchArticle(t, srv.base, "n1") == nil {
		t.Error("the edit acknowledged after recovery is not served after a restart")
	}
	wantServed(t, "after recovery and a restart", srv.base, served...)
}

// mustRefuse starts a server on c and checks it refuses, naming the journal
// and wantWayOut.
func mustRefuse(t *testing.T, c crashed, wantWayOut string) {
	t.Helper()
	err := refusal(t, c.config())
	if msg := err.Error(); !strings.Contains(msg, c.journal()) || !strings.Contains(msg, wantWayOut) {
		t.Fatalf("refusal %q names neither %s nor %q", msg, c.journal(), wantWayOut)
	}
}

func TestJournalCrashSuite(t *testing.T) {
	base := crashServer(t)

	t.Run("torn tail of an interrupted append is cut, loudly", func(t *testing.T) {
		c := base.copyOf(t)
		f, err := os.OpenFile(c.journal(), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"seq":4,"time":"2026-01-01T00:00:00Z","op":"put","id":"e4","arti`)
		f.Close()
		srv := startServe(t, c.config())
		wantServed(t, "after the cut", srv.base, crashEdits...)
		if !strings.Contains(srv.logs.String(), "cut a torn last record") {
			t.Errorf("no warning of the cut:\n%s", srv.logs)
		}
		if m := getText(t, srv.base+"/metrics"); !strings.Contains(m, "zhsearch_journal_torn_cuts_total 1") {
			t.Error("/metrics does not count the cut")
		}
		newEditSurvives(t, c, srv, crashEdits...)
	})

	t.Run("removed", func(t *testing.T) {
		c := base.copyOf(t)
		os.Remove(c.journal())
		mustRefuse(t, c, "zhsearch reindex --new-journal")
		mustRun(t, "reindex", "--data", c.data, "--index", c.idx, "--new-journal")
		newEditSurvives(t, c, startServe(t, c.config()))
	})

	t.Run("data folder named wrongly", func(t *testing.T) {
		// A typo in --data is no lost journal: the refusal names the
		// folder that is not there, and does not send the operator to
		// --new-journal, which would give up the real journal's edits.
		c := base.copyOf(t)
		cfg := c.config()
		cfg.dataDir = c.data + "-typo"
		msg := refusal(t, cfg).Error()
		if !strings.Contains(msg, cfg.dataDir+" does not exist") || strings.Contains(msg, "--new-journal") {
			t.Errorf("refusal with --data %s: %q", cfg.dataDir, msg)
		}
		newEditSurvives(t, c, startServe(t, c.config()), crashEdits...)
	})

	t.Run("restored from an older copy", func(t *testing.T) {
		c := base.copyOf(t)
		os.WriteFile(c.journal(), c.afterE1, 0o644)
		mustRefuse(t, c, "zhsearch reindex --new-journal")
		if out, err := runOut("reindex", "--data", c.data, "--index", c.idx); err == nil || !strings.Contains(out, c.journal()) {
			t.Errorf("a plain reindex over the older copy: %v\n%s", err, out)
		}
		mustRun(t, "reindex", "--data", c.data, "--index", c.idx, "--new-journal")
		newEditSurvives(t, c, startServe(t, c.config()), "e1")
	})

	t.Run("truncated inside acknowledged records", func(t *testing.T) {
		c := base.copyOf(t)
		b := readFile(t, c.journal())
		os.WriteFile(c.journal(), b[:len(b)-10], 0o644)
		mustRefuse(t, c, "zhsearch reindex --new-journal")
		mustRun(t, "reindex", "--data", c.data, "--index", c.idx, "--new-journal")
		newEditSurvives(t, c, startServe(t, c.config()), "e1", "e2")
	})

	for name, target := range map[string]string{"corrupted mid-line": "崩溃前的编辑1", "corrupted at the tail": "崩溃前的编辑2"} {
		t.Run(name, func(t *testing.T) {
			c := base.copyOf(t)
			b := readFile(t, c.journal())
			i := bytes.Index(b, []byte(target))
			b[i] ^= 0x20 // a flipped bit
			os.WriteFile(c.journal(), b, 0o644)
			mustRefuse(t, c, "zhsearch journal repair")
			out := mustRun(t, "journal", "repair", "--data", c.data)
			if !strings.Contains(out, c.journal()+":") || !strings.Contains(out, "quarantine") {
				t.Errorf("repair output:\n%s", out)
			}
			mustRefuse(t, c, "zhsearch reindex --new-journal") // the journal now ends before the index
			mustRun(t, "reindex", "--data", c.data, "--index", c.idx, "--new-journal")
			kept := crashEdits[:strings.Count(string(b[:i]), "\n")-1] // records before the damaged line
			newEditSurvives(t, c, startServe(t, c.config()), kept...)
		})
	}
}

// runOut runs a zhsearch command line in-process and returns its output,
// and an error unless it succeeded.
func runOut(args ...string) (string, error) {
	var out bytes.Buffer
	if st := run(context.Background(), args, &out, &out); st != 0 {
		return out.String(), fmt.Errorf("status %d", st)
	}
	return out.String(), nil
}

// TestIndexDiskFullSurfaces: an edit journaled but not written into the
// index answers 503, /readyz answers 503, zhsearch_index_up is 0 and the
// error is logged; once the disk has room again the server writes the
// edit by itself, with no other edit to trigger it, and is ready, and
// after a restart the edit is still served.
func TestIndexDiskFullSurfaces(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeCorpus(t, data, "a", 20)
	reindexOffline(t, data, idx)
	cfg := serveConfig{dataDir: data, indexDir: idx, ops: adminOps(testToken), poll: 50 * time.Millisecond}
	srv := startServe(t, cfg)
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/e1", testToken, `{"title":"磁盘满之前"}`, 201, nil)
	unblock := blockIndexWrites(t, idx)
	mustCall(t, "PUT", srv.base+"/api/v1/admin/articles/e2", testToken, `{"title":"磁盘满时的编辑"}`, 503, nil)
	if st, _ := call(t, "GET", srv.base+"/readyz", "", ""); st != 503 {
		t.Errorf("/readyz answers %d on a full index disk", st)
	}
	if m := getText(t, srv.base+"/metrics"); !strings.Contains(m, "zhsearch_index_up 0") {
		t.Error("zhsearch_index_up is not 0 on a full index disk")
	}
	if !strings.Contains(srv.logs.String(), "cannot write edits into the index") {
		t.Errorf("no error logged:\n%s", srv.logs)
	}
	unblock()
	ready := false
	for deadline := time.Now().Add(30 * time.Second); !ready && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, _ := call(t, "GET", srv.base+"/readyz", "", "")
		ready = st == 200
	}
	if !ready {
		t.Error("/readyz still not ready once the disk has room again")
	} else if fetchArticle(t, srv.base, "e2") == nil {
		t.Error("ready again, but the journaled e2 is not served")
	}
	srv.stop()
	srv = startServe(t, cfg)
	if st, _ := call(t, "GET", srv.base+"/readyz", "", ""); st != 200 {
		t.Errorf("/readyz answers %d after a restart with room", st)
	}
	for _, id := range []string{"e1", "e2"} {
		if fetchArticle(t, srv.base, id) == nil {
			t.Errorf("journaled %s is not served after a restart", id)
		}
	}
}

// blockIndexWrites makes new files of the live generation's bleve store
// impossible to create, as a full index disk would, while the journal's
// disk stays writable: the store folder moves aside (bleve keeps its open
// files) and a plain file takes its name. unblock puts it back.
func blockIndexWrites(t *testing.T, idx string) (unblock func()) {
	t.Helper()
	store := filepath.Join(idx, currentGen(t, idx), "store")
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

// TestSecondServerRefusedBeforeBuilding: a second server on a data folder
// whose journal a running server writes, pointed at an empty index folder
// by mistake, refuses at once: it used to build a whole index first (many
// minutes and gigabytes at 1M articles, beside the live server), then
// refuse the journal, and leave the index behind.
func TestSecondServerRefusedBeforeBuilding(t *testing.T) {
	data := t.TempDir()
	writeCorpus(t, data, "a", 3)
	startServe(t, serveConfig{dataDir: data, indexDir: t.TempDir(), ops: adminOps(testToken)})
	other := t.TempDir()
	err := refusal(t, serveConfig{dataDir: data, indexDir: other})
	if !errors.Is(err, journal.ErrLocked) {
		t.Errorf("second server: %v, want the journal's lock named", err)
	}
	if gens, _ := filepath.Glob(filepath.Join(other, "gen-*")); len(gens) > 0 {
		t.Errorf("second server built %v before refusing", gens)
	}
}
