package analysis

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEditedDictionariesAreReleased: every edit of a data folder's
// dictionary loads a new segmenter (about 45 MB); one no build or open
// index holds any more is dropped, but for the one released last, so a
// server whose editors keep adding words does not grow by a segmenter per
// edit.
func TestEditedDictionariesAreReleased(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
		t.Fatal(err)
	}
	edit := func(word string) *DictSet {
		t.Helper()
		if err := os.WriteFile(filepath.Join(data, "dict", "domain.txt"), []byte(word+" 1000 n\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := DataDicts(data)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	loaded := func() int {
		segmenters.Lock()
		defer segmenters.Unlock()
		return len(segmenters.m)
	}
	before := loaded()
	// The generation serving holds its dictionary; each edit builds with a
	// new one, which the next generation opens and the old one lets go.
	serving := edit("停息挂账")
	_, releaseServing, err := AcquireSegmenter(serving)
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"先享后付", "售后回租", "以贷养贷"} {
		d := edit(word)
		_, releaseBuild, err := AcquireSegmenter(d)
		if err != nil {
			t.Fatal(err)
		}
		seg, releaseNext, err := AcquireSegmenter(d) // the new generation opens
		if err != nil {
			t.Fatal(err)
		}
		releaseBuild()
		releaseBuild() // a second call is a no-op
		releaseServing()
		if got, ok := segmenterByID(d.ID); !ok || got != seg {
			t.Fatalf("%s: the serving generation's segmenter was dropped", word)
		}
		releaseServing = releaseNext
		if n := loaded() - before; n > 2 {
			t.Errorf("after adding %s: %d segmenters kept, want at most 2 (the one in use and a spare)", word, n)
		}
	}
	releaseServing()
	if n := loaded() - before; n > 1 {
		t.Errorf("nothing in use: %d segmenters kept, want at most 1", n)
	}
}
