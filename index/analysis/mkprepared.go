//go:build ignore

// mkprepared writes zhdict/prepared.bin, the prepared form of the
// segmenter's gse dictionary (see prepared.go), from zhdict/base.txt and
// data/dict/*.txt as they are embedded. Run it after changing either:
//
//	go generate ./index/analysis/
//
// The segmenter loads the text when the file does not match them, and
// TestPreparedDictUpToDate fails.
package main

import (
	"log"
	"os"
	"path/filepath"

	"github.com/zhsearch/zhsearch/data"
	"github.com/zhsearch/zhsearch/index/analysis"
)

func main() {
	b, err := analysis.PrepareDict(data.Dict)
	if err != nil {
		log.Fatalf("mkprepared: %v", err)
	}
	if err := os.WriteFile(filepath.Join("zhdict", "prepared.bin"), b, 0o644); err != nil {
		log.Fatalf("mkprepared: %v", err)
	}
}
