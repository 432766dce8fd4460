package index

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// TestGenerationFormat: a build records its format and the binary that
// wrote it; a generation of a newer format is refused by its record,
// naming the version that wrote it and the way out, and one older than the
// record opens as format 1.
func TestGenerationFormat(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 3)...)
	stats, err := Build(context.Background(), data, idx, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gen := stats.Generation
	record := filepath.Join(gen, formatFile)
	var rec formatRecord
	if raw, err := os.ReadFile(record); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if want := (formatRecord{Format: generationFormat, WrittenBy: zhsearch.Version()}); rec != want {
		t.Errorf("record %+v, want %+v", rec, want)
	}

	for _, tc := range []struct {
		name, record string // "": no record
		wantErr      []string
		wantFormat   int
	}{
		{"this version's", `{"format":2,"written_by":"zhsearch v1"}`, nil, 2},
		{"a newer version's", `{"format":99,"written_by":"zhsearch v9.0.0 commit abc"}`,
			[]string{"newer zhsearch (zhsearch v9.0.0 commit abc, generation format 99)", "reindex --index"}, 0},
		{"older than the record", "", nil, 1},
		{"not a record", "format 2", []string{formatFile, "not a format record"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(record)
			if tc.record != "" {
				if err := os.WriteFile(record, []byte(tc.record), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ix, err := OpenGeneration(gen)
			if tc.wantErr != nil {
				if err == nil {
					ix.Close()
					t.Fatal("opened")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if f, _ := ix.Format(); f != tc.wantFormat {
				t.Errorf("format %d, want %d", f, tc.wantFormat)
			}
		})
	}
}

// TestLiveSwitchFailing: a server whose index folder's CURRENT names a
// generation it cannot open keeps serving its own and says so
// (SwitchFailing, for the metrics) for as long as it lasts, and no more.
func TestLiveSwitchFailing(t *testing.T) {
	l, _, idx := builtLive(t, 5*time.Millisecond, jsonlLines("a", 3)...)
	defer l.Close()
	serving := l.Generation()
	name, next := copyCurrent(t, idx)
	if err := os.WriteFile(filepath.Join(next, formatFile), []byte(`{"format":99,"written_by":"zhsearch v9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := switchCurrent(idx, name); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the failing switch reported", func() bool { return strings.HasSuffix(l.SwitchFailing(), name) })
	if g := l.Generation(); g != serving {
		t.Errorf("serves %s, want its old %s", g, serving)
	}
	if res, err := l.Search(context.Background(), zhsearch.SearchRequest{Query: "花呗还款", Size: 10}); err != nil || res.Total != 3 {
		t.Errorf("search while the switch fails: %v, %+v", err, res)
	}

	if err := writeFormat(next); err != nil { // the operator rolls forward
		t.Fatal(err)
	}
	waitUntil(t, "the switch", func() bool { return l.SwitchFailing() == "" && l.Generation() == name })
}

// waitUntil polls cond for up to ten seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
	}
}

// TestLiveSwitchWaitsForItsBuilder: a generation CURRENT names that is
// still open in the process that built it (an offline reindex closes it a
// moment after switching) is waited for, said at info level, and switched
// to once let go; an editor's back-to-back reindexes logged an error each.
func TestLiveSwitchWaitsForItsBuilder(t *testing.T) {
	data, idx := t.TempDir(), t.TempDir()
	writeData(t, data, jsonlLines("a", 3)...)
	if _, err := Build(context.Background(), data, idx, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	var logs syncLog
	l, err := OpenLive(LiveConfig{IndexDir: idx, DataDir: data, Edits: true, Poll: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	name, next := copyCurrent(t, idx)
	builder, err := lockGeneration(next, true) // the reindex that built it
	if err != nil {
		t.Fatal(err)
	}
	if err := switchCurrent(idx, name); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the wait said", func() bool { return strings.Contains(logs.String(), "still open in the process that built it") })
	builder.Close()
	waitUntil(t, "the switch", func() bool { return l.Generation() == name })
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a builder's brief hold logged an error:\n%s", logs.String())
	}
}

// copyCurrent copies the index folder's current generation to a newer
// one, unlocked and not yet current, and returns its name and path.
func copyCurrent(t *testing.T, idx string) (name, path string) {
	t.Helper()
	cur, err := CurrentGeneration(idx)
	if err != nil {
		t.Fatal(err)
	}
	name = genPrefix + "20991231T000000.000000000"
	path = filepath.Join(idx, name)
	if err := os.CopyFS(path, os.DirFS(cur)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(path, genLockFile))
	return name, path
}

// syncLog is a log sink safe for the server's goroutines and the test.
type syncLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *syncLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
