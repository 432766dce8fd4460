// Package index is zhsearch's search engine: it builds bleve indexes of
// articles analyzed with gse (package analysis), keeps them on disk as
// complete generations, and answers search, autocomplete and related-article
// requests. It implements zhsearch.SearchService.
package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
)

// Index is one open generation of a bleve index of articles.
type Index struct {
	bleve bleve.Index
	path  string
	seg   *analysis.Segmenter
}

var _ zhsearch.SearchService = (*Index)(nil)

// Open opens the live generation of the index folder dir, read-only.
func Open(dir string) (*Index, error) {
	gen, err := CurrentGeneration(dir)
	if err != nil {
		return nil, err
	}
	return OpenGeneration(gen)
}

// OpenGeneration opens one generation folder read-only.
func OpenGeneration(path string) (*Index, error) {
	analysis.Preload() // the dictionaries load while bleve opens
	b, err := bleve.OpenUsing(path, map[string]interface{}{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	return &Index{bleve: b, path: path, seg: analysis.DefaultSegmenter()}, nil
}

// Path returns the generation folder this Index reads.
func (ix *Index) Path() string { return ix.path }

// Close closes the index.
func (ix *Index) Close() error { return ix.bleve.Close() }

// DocCount returns the number of articles in the index.
func (ix *Index) DocCount() (uint64, error) { return ix.bleve.DocCount() }

// Ready checks that the index answers a query.
func (ix *Index) Ready(ctx context.Context) error {
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 0, 0, false)
	_, err := ix.bleve.SearchInContext(ctx, req)
	return err
}

// BuildStats reports what a build indexed.
type BuildStats struct {
	Generation string        // folder of the new generation
	Articles   int           // articles from the input files
	TitleOnly  int           // title-only articles from 相关内容 lists
	Files      int           // input files read
	Took       time.Duration // wall time of the whole build
}

// BuildOptions tunes a build.
type BuildOptions struct {
	// BatchSize is the number of articles per bleve batch (default 500).
	BatchSize int
	// Progress, when set, is called after each batch with the number of
	// articles indexed so far and the total.
	Progress func(done, total int)
}

// Build reads the data folder, indexes every article into a new generation
// of the index folder, checks it, and makes it the live one. A failed or
// interrupted build leaves the previous generation live and untouched.
func Build(ctx context.Context, dataDir, indexDir string, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	c, err := corpus.Load(dataDir, analysis.Normalize)
	if err != nil {
		return nil, err
	}
	if len(c.Articles) == 0 {
		return nil, fmt.Errorf("%s: no articles found (want *.jsonl or *.txt files)", dataDir)
	}
	stats := &BuildStats{Articles: len(c.Articles) - c.TitleOnly, TitleOnly: c.TitleOnly, Files: c.Files}
	gen, err := BuildArticles(ctx, indexDir, c.Articles, opts)
	if err != nil {
		return nil, err
	}
	stats.Generation, stats.Took = gen, time.Since(start)
	return stats, nil
}

// BuildArticles indexes articles into a new generation of indexDir and
// switches CURRENT to it; it returns the generation's path.
func BuildArticles(ctx context.Context, indexDir string, articles []zhsearch.Article, opts BuildOptions) (string, error) {
	if err := os.MkdirAll(indexDir, 0o755); err != nil {
		return "", fmt.Errorf("create index folder: %w", err)
	}
	unlock, err := lockDir(indexDir)
	if err != nil {
		return "", err
	}
	defer unlock()
	// Leftovers of a crashed build are ours to remove now that we hold the lock.
	if err := removeBuilding(indexDir); err != nil {
		return "", err
	}
	name := newGenerationName(time.Now())
	tmp := filepath.Join(indexDir, name+buildingExt)
	if err := writeGeneration(ctx, tmp, articles, opts); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	final := filepath.Join(indexDir, name)
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("finish generation: %w", err)
	}
	if err := syncDir(indexDir); err != nil {
		return "", err
	}
	if err := verifyGeneration(ctx, final, len(articles)); err != nil {
		os.RemoveAll(final)
		return "", err
	}
	if err := switchCurrent(indexDir, name); err != nil {
		os.RemoveAll(final)
		return "", fmt.Errorf("switch to new generation: %w", err)
	}
	return final, nil
}

// verifyGeneration opens a finished generation and checks its document count
// against the input and that a probe query answers.
func verifyGeneration(ctx context.Context, path string, want int) error {
	ix, err := OpenGeneration(path)
	if err != nil {
		return err
	}
	defer ix.Close()
	n, err := ix.DocCount()
	if err != nil {
		return err
	}
	if n != uint64(want) {
		return fmt.Errorf("new index holds %d articles, want %d", n, want)
	}
	return ix.Ready(ctx)
}

func removeBuilding(dir string) error {
	matches, err := filepath.Glob(filepath.Join(dir, genPrefix+"*"+buildingExt))
	if err != nil {
		return err
	}
	for _, m := range matches {
		if err := os.RemoveAll(m); err != nil {
			return err
		}
	}
	return nil
}

// ErrLocked means another process is building a generation of the folder.
var ErrLocked = errors.New("another reindex is running on this index folder")

// lockDir takes an exclusive advisory lock on dir/LOCK, so two processes
// never build into one index folder at once. The kernel drops the lock when
// the process dies, so a killed build never blocks the next one.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock index folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock index folder: %w", err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
