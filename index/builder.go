package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/journal"
)

// builder holds the build lock of an index folder: while it exists, no
// other builder, in this process or another, writes a generation there and
// no cleaner removes one.
type builder struct {
	dir    string
	unlock func()
}

// lockBuild takes the build lock of indexDir without waiting (ErrLocked if
// another build holds it) and removes what a crashed build left.
func lockBuild(indexDir string) (*builder, error) {
	if err := os.MkdirAll(indexDir, 0o755); err != nil {
		return nil, fmt.Errorf("create index folder: %w", err)
	}
	unlock, err := lockDir(indexDir)
	if err != nil {
		return nil, err
	}
	// Leftovers of a crashed build are ours to remove now that we hold the lock.
	if err := removeBuilding(indexDir); err != nil {
		unlock()
		return nil, fmt.Errorf("remove unfinished build: %w", err)
	}
	return &builder{dir: indexDir, unlock: unlock}, nil
}

// release drops the build lock; it may be called more than once.
func (b *builder) release() {
	if b.unlock != nil {
		b.unlock()
		b.unlock = nil
	}
}

// build reads the data folder and the edit journal and writes a complete,
// verified generation that is not live yet.
func (b *builder) build(ctx context.Context, dataDir string, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	opts.stage(zhsearch.StageLoading)
	analysis.DefaultSegmenter() // load the dictionaries before indexing is timed
	c, err := corpus.Load(dataDir, analysis.Normalize)
	if err != nil {
		return nil, err
	}
	jpath := opts.Journal
	if jpath == "" {
		jpath = journal.DefaultPath(dataDir)
	}
	articles, edits, seq, err := replayJournal(c.Articles, jpath)
	if err != nil {
		return nil, err
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("%s: no articles found (want *.jsonl or *.txt files)", dataDir)
	}
	opts.journalSeq = seq
	gen, err := b.write(ctx, articles, opts)
	if err != nil {
		return nil, err
	}
	stats := &BuildStats{Generation: gen, Files: c.Files, Edits: edits, JournalSeq: seq, Took: time.Since(start)}
	for i := range articles {
		if articles[i].TitleOnly {
			stats.TitleOnly++
		} else {
			stats.Articles++
		}
	}
	return stats, nil
}

// write indexes articles into a new generation folder, renames it from its
// .building name when complete and verifies it. It returns its path.
func (b *builder) write(ctx context.Context, articles []zhsearch.Article, opts BuildOptions) (string, error) {
	opts.stage(zhsearch.StageIndexing)
	if opts.Progress != nil {
		opts.Progress(0, len(articles)) // the total is known: rates and ETAs start now
	}
	name := newGenerationName(time.Now())
	tmp := filepath.Join(b.dir, name+buildingExt)
	if err := writeGeneration(ctx, tmp, articles, opts); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	final := filepath.Join(b.dir, name)
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("finish generation: %w", err)
	}
	if err := syncDir(b.dir); err != nil {
		os.RemoveAll(final)
		return "", fmt.Errorf("finish generation: %w", err)
	}
	opts.stage(zhsearch.StageVerifying)
	if err := verifyGeneration(ctx, final, len(articles)); err != nil {
		os.RemoveAll(final)
		return "", err
	}
	return final, nil
}
