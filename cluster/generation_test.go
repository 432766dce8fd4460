package cluster

import (
	"archive/tar"
	"bytes"
	"fmt"

	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/journal"
)

// TestTarRoundTrip: a generation folder goes through writeTar and readTar
// unchanged, without its lock file; an archive naming a path outside the
// folder is refused.
func TestTarRoundTrip(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{"index_meta.json": `{"storage":"scorch"}`, "store/000000000001.zap": "segment", "store/root.bolt": "root"}
	for name, body := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(src, index.GenerationLockFile), nil, 0o644)
	var buf bytes.Buffer
	if err := writeTar(&buf, src); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := readTar(bytes.NewReader(buf.Bytes()), dst); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(got) != body {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, index.GenerationLockFile)); !os.IsNotExist(err) {
		t.Errorf("the lock file was copied: %v", err)
	}

	buf.Reset()
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "../escape", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
	tw.Write([]byte("x"))
	tw.Close()
	if err := readTar(bytes.NewReader(buf.Bytes()), t.TempDir()); err == nil {
		t.Error("an archive with ../escape was extracted")
	}
}

// TestGenerationTransfer: a generation a replica built goes through the
// object store in several parts, and a replica with an empty index folder
// installs it from the pointer, file for file and nothing else, then
// serves it.
func TestGenerationTransfer(t *testing.T) {
	servers, ctx := startCluster(t)
	connect := func(dir string) *Node { return testNode(ctx, t, servers, filepath.Base(dir), dir) }
	data, built := t.TempDir(), t.TempDir()
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, `{"id":"a%d","title":"第%d篇 花呗还款","body":"借呗额度、征信查询和网贷逾期的说明，第%d篇。"}`+"\n", i, i, i)
	}
	if err := os.WriteFile(filepath.Join(data, "a.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	builder := connect(built)
	builder.partSize = 64 << 10
	stats, err := index.Build(ctx, data, built, index.BuildOptions{Log: builder})
	if err != nil {
		t.Fatal(err)
	}
	if err := builder.OnBuilt(ctx, stats.Generation, journal.Position{ID: builder.Identity()}); err != nil {
		t.Fatal(err)
	}
	p := builder.pointer.Load()
	if p == nil || p.Parts < 3 || len(p.Objects) != p.Parts || p.Generation != filepath.Base(stats.Generation) {
		t.Fatalf("pointer %+v: want the generation in 3 parts or more, each with its object id", p)
	}

	fresh := t.TempDir()
	if ok, err := connect(fresh).Prepare(ctx); err != nil || !ok {
		t.Fatalf("Prepare = %v, %v", ok, err)
	}
	err = filepath.WalkDir(stats.Generation, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == index.GenerationLockFile {
			return err
		}
		rel, _ := filepath.Rel(stats.Generation, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join(fresh, p.Generation, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: installed %d bytes (%v), built %d", rel, len(got), err, len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing else: the download's part file is gone.
	err = filepath.WalkDir(filepath.Join(fresh, p.Generation), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == index.GenerationLockFile {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(fresh, p.Generation), path)
		if _, err := os.Stat(filepath.Join(stats.Generation, rel)); err != nil {
			t.Errorf("%s: installed, not built", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, err := ix.DocCount(); err != nil || n != 300 {
		t.Fatalf("the installed generation holds %d documents (%v), want 300", n, err)
	}
}

// TestPointerOrder: replicas follow pointers in the order the bucket
// took them, not by their generations' names, which come from each
// builder's clock: a builder whose clock is behind names its newer
// generation as if it were older, and was never switched to.
func TestPointerOrder(t *testing.T) {
	tests := []struct {
		name   string
		p, cur *Pointer
		want   bool
	}{
		{"first pointer", &Pointer{Generation: "g-20261205T100000", rev: 1}, nil, true},
		{"newer, its builder's clock behind", &Pointer{Generation: "g-20261205T090000", rev: 8}, &Pointer{Generation: "g-20261205T100000", rev: 7}, true},
		{"older, read late", &Pointer{Generation: "g-20261205T110000", rev: 6}, &Pointer{Generation: "g-20261205T100000", rev: 7}, false},
		{"the same", &Pointer{Generation: "g-20261205T100000", rev: 7}, &Pointer{Generation: "g-20261205T100000", rev: 7}, true},
		{"no revision: names", &Pointer{Generation: "g-20261205T090000"}, &Pointer{Generation: "g-20261205T100000", rev: 7}, false},
	}
	for _, tt := range tests {
		if got := tt.p.supersedes(tt.cur); got != tt.want {
			t.Errorf("%s: supersedes = %v, want %v", tt.name, got, tt.want)
		}
	}
}
