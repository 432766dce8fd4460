package cluster

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/zhsearch/zhsearch/index"
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
