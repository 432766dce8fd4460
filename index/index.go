// Package index is zhsearch's search engine: it builds bleve indexes of
// articles analyzed with gse (package analysis), keeps them on disk as
// complete generations, and answers search, autocomplete and related-article
// requests. It implements zhsearch.SearchService.
package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/journal"
)

// Index is one open generation of a bleve index of articles.
type Index struct {
	bleve bleve.Index
	path  string
	seg   *analysis.Segmenter
	lock  *os.File // the generation's lock (see genlock.go)
	// format is the generation's record of its layout and writer
	// (format.go).
	format formatRecord
	// releaseSeg releases seg when the index closes (AcquireSegmenter).
	releaseSeg func()
	dict       Dictionary    // what seg was loaded from
	rel        relatedEngine // related-list options, statistics and cache
	// results caches search result pages (search_cache.go); searches
	// shares one computation of a page between concurrent misses.
	results  searchCache
	searches flightGroup[*zhsearch.SearchResult]
	// postings keeps decoded postings for the top-k evaluator and the
	// related engine; docs, what autocomplete and related lists show of
	// documents.
	postings postingsCache
	docs     docCache
	// bleveSearch runs every search page through bleve's own searchers
	// instead of the top-k evaluator (topk.go): for paired benchmarks.
	bleveSearch bool
	// work adds up what the evaluator did for search pages
	// (EvaluatorStats).
	work evaluatorWork
	// body is what the generation's body_bi holds (bodyBigramsOf).
	body bodyBigrams
	// typedPY is the field typed pinyin is matched in (typedPinyinOf).
	typedPY string
	// initials are the title words pinyin initials stand for (initials.go).
	initials initialsVocab
	// journalID is the journal identity journalIDFile holds, as this
	// process last wrote it ("" until then: the first commit writes it).
	journalID string
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

// OpenGeneration opens one generation folder read-only. It fails with
// ErrGenerationInUse while a server writes live edits into it.
func OpenGeneration(path string) (*Index, error) {
	return openGeneration(path, false)
}

// openGeneration opens a generation read-only, or writable for live edits;
// a writable open excludes every other open of the generation, in any
// process.
func openGeneration(path string, writable bool) (*Index, error) {
	// The tables load while the lock is taken and bleve opens; the
	// segmenter is the generation's own (generationSegmenter).
	analysis.PreloadTables()
	lock, err := lockGeneration(path, writable)
	if err != nil {
		return nil, err
	}
	format, err := readFormat(path)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	if err := checkSegments(path); err != nil {
		lock.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	seg, releaseSeg, dict, err := generationSegmenter(path)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	fail := func(err error) (*Index, error) {
		releaseSeg()
		lock.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	// bolt_timeout: never wait forever for bolt's own file lock.
	// unsafe_batch and the async error callback: live edits wait for their
	// batch to be on disk, or for bleve's report that it could not be
	// written, through them (indexStore.commit), since a safe batch that
	// fails to persist makes bleve close a segment readers still use.
	config := map[string]interface{}{"read_only": !writable, "bolt_timeout": "5s",
		"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback}
	b, err := bleve.OpenUsing(path, config)
	if err != nil {
		return fail(err)
	}
	ix := &Index{bleve: b, path: path, seg: seg, releaseSeg: releaseSeg, lock: lock, body: bodyBigramsOf(b.Mapping()), typedPY: typedPinyinOf(b.Mapping()),
		format: format, dict: dict}
	ix.rel.gaps = ix.body.wordsToo()
	n, err := b.DocCount()
	if err != nil {
		b.Close()
		return fail(err)
	}
	ix.postings.auto = AutoPostingsCacheBytes(n)
	return ix, nil
}

// generationSegmenter loads the dictionary a generation records (before
// bleve opens it: its word analyzer names the dictionary), or returns the
// default segmenter for a generation that records none, with what it is.
// The segmenter is released once the generation is closed.
func generationSegmenter(path string) (*analysis.Segmenter, func(), Dictionary, error) {
	dicts, err := analysis.GenerationDicts(path)
	if err != nil || dicts == nil {
		return analysis.DefaultSegmenter(), func() {}, Dictionary{Builtin: true}, err
	}
	seg, release, err := analysis.AcquireSegmenter(dicts)
	return seg, release, dictionaryOf(dicts), err
}

// Dictionary says which dictionary a generation cuts text with: its ID
// (analysis.DictSet.ID, "" for a generation built before dictionaries
// were recorded) and whether it is the one the binary embeds or a data
// folder's. An editor who added words checks here that the generation
// serving holds them.
type Dictionary struct {
	ID      string
	Builtin bool
}

// Source names where the dictionary came from, for logs and metrics.
func (d Dictionary) Source() string {
	if d.Builtin {
		return "built-in"
	}
	return "data folder"
}

// dictionaryOf describes a dictionary set (nil: the embedded one).
func dictionaryOf(d *analysis.DictSet) Dictionary {
	if d == nil {
		d = analysis.EmbeddedDicts()
	}
	return Dictionary{ID: d.ID, Builtin: d.ID == analysis.EmbeddedDicts().ID}
}

// Dictionary returns the dictionary the index cuts text with.
func (ix *Index) Dictionary() Dictionary { return ix.dict }

// SetLogger sets where the index logs what goes wrong inside a shared
// computation (a panic: answered as an error, logged with its stack);
// slog's default until set. Call it before the index serves.
func (ix *Index) SetLogger(log *slog.Logger) {
	ix.searches.log = log
	ix.rel.flight.log = log
}

// Path returns the generation folder this Index reads.
func (ix *Index) Path() string { return ix.path }

// Close closes the index and releases the generation's lock.
func (ix *Index) Close() error {
	ix.searches.close() // shared work first: it reads the index
	ix.rel.close()
	err := ix.bleve.Close()
	if ix.releaseSeg != nil {
		ix.releaseSeg() // after bleve: its analyzers cut with seg until closed
	}
	if ix.lock != nil {
		ix.lock.Close()
	}
	return err
}

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
	Articles   int           // articles (not title-only) in the new generation
	TitleOnly  int           // title-only articles from 相关内容 lists
	Files      int           // input files read
	Edits      int           // edit journal records replayed over the input
	JournalSeq uint64        // last journal record the generation holds
	Took       time.Duration // wall time of the whole build
	Dictionary Dictionary    // the dictionary it was built with
	// JournalUnread, for a build that gave the journal a new identity,
	// says which archived edits the old journal could not give (its
	// archive missing or cut): they are not in the new journal.
	JournalUnread error
	// Warnings are what the operator should know of a build that
	// succeeded: which built-in dictionary entries the data folder's
	// dictionary files leave out (analysis.DictSet.Warnings), and which of
	// its files look like input but are not read (corpus.Lookalikes).
	Warnings []string
}

// BuildOptions tunes a build.
type BuildOptions struct {
	// BatchSize is the number of articles per bleve batch (default 1000).
	BatchSize int
	// MaxArticleBytes is the size limit of one article (bytes of text,
	// zhsearch.ArticleLimit: 0 is the default); a larger one is bad input
	// naming its file and line.
	MaxArticleBytes int64
	// CPUs is how many CPUs the build may keep busy (default GOMAXPROCS):
	// one analysis worker each, one batch writer per two. A server that
	// runs more Ps than CPUs (serve) says how many CPUs it has.
	CPUs int
	// Progress, when set, is called after each batch with the number of
	// articles indexed so far and the total.
	Progress func(done, total int)
	// Stage, when set, is called as the build enters each stage
	// (zhsearch.StageLoading, StageIndexing, …).
	Stage func(stage string)
	// Journal is the edit journal replayed over the data folder; empty
	// means journal.DefaultPath(dataDir).
	Journal string

	// NewJournal gives the journal a new identity (journal.PrepareRenew,
	// committed when the build succeeds), so that
	// a journal that was removed, replaced or restored from an older copy
	// can be served again: the new generation holds the data folder and the
	// journal as they are now. The build replays the renewed journal from
	// beside the old one, which it replaces only when the build succeeds.
	// Without it, Build refuses a journal that is not the one the live
	// generation has applied.
	NewJournal bool

	// Log, when set, is the log of live edits replayed over the data
	// folder instead of the journal file (a cluster's stream, see
	// LiveConfig.Log); Journal and NewJournal are then not used.
	Log EditLog

	journal journal.Position  // recorded in the generation as applied
	dicts   *analysis.DictSet // the dictionary; nil means the embedded one
	// mapping, when set, replaces newMapping: tests build generations the
	// way older code wrote them.
	mapping func(dictID string) (mapping.IndexMapping, error)
	// release lets the build drop each article's text once it is analyzed:
	// the articles are the build's own (Build), not a caller's.
	release bool
	// body, when set, reads article i's body back from the data folder
	// (the loader left it there, see corpus.LoadDeferred) before it is
	// analyzed. The indexer calls it from one goroutine, in article order,
	// so the reads are sequential.
	body func(i int, a *zhsearch.Article) error
	// segmented, when set, leaves the segments the build wrote (see
	// compact): tests of reading lists across segments, as an index
	// with live edits has them.
	segmented bool
}

// readBody fills in article i's body when the loader left it on disk.
func (o *BuildOptions) readBody(i int, a *zhsearch.Article) error {
	if o.body == nil {
		return nil
	}
	return o.body(i, a)
}

func (o *BuildOptions) stage(s string) {
	if o.Stage != nil {
		o.Stage(s)
	}
}

// Build reads the data folder, replays the edit journal over it, indexes
// every article into a new generation of the index folder, checks it, and
// makes it the live one. A failed or interrupted build leaves the previous
// generation live and untouched. Old generations are left for
// CleanGenerations.
func Build(ctx context.Context, dataDir, indexDir string, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	b, err := lockBuild(ctx, indexDir)
	if err != nil {
		return nil, err
	}
	defer b.release()
	var renewal *journal.Renewal
	if opts.Log == nil {
		if renewal, err = prepareJournal(indexDir, dataDir, &opts); err != nil {
			return nil, err
		}
	}
	stats, err := b.build(ctx, dataDir, opts)
	if renewal != nil {
		// The journal takes its new identity only with the generation
		// that applied it: a failed build leaves both as they were.
		if err == nil {
			if _, err = renewal.Commit(); err != nil {
				os.RemoveAll(stats.Generation)
				err = fmt.Errorf("new journal: %w", err)
			}
			stats.JournalUnread = renewal.Unread
		} else {
			renewal.Abort()
		}
	}
	if err != nil {
		return nil, err
	}
	opts.stage(zhsearch.StageSwitching)
	if err := switchCurrent(indexDir, filepath.Base(stats.Generation)); err != nil {
		os.RemoveAll(stats.Generation)
		return nil, fmt.Errorf("switch to new generation: %w", err)
	}
	stats.Took = time.Since(start)
	return stats, nil
}

// BuildArticles indexes articles into a new generation of indexDir and
// switches CURRENT to it; it returns the generation's path. The edit
// journal is not replayed into it: a server opening it replays the whole
// journal.
func BuildArticles(ctx context.Context, indexDir string, articles []zhsearch.Article, opts BuildOptions) (string, error) {
	b, err := lockBuild(ctx, indexDir)
	if err != nil {
		return "", err
	}
	defer b.release()
	opts.journal = journal.Position{}
	final, err := b.write(ctx, articles, opts)
	if err != nil {
		return "", err
	}
	if err := switchCurrent(indexDir, filepath.Base(final)); err != nil {
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

// ErrLocked means another process holds a lock of the index folder: a
// build (the build lock), or a build, a cleanup or an operator's shipment
// (the folder lock).
var ErrLocked = errors.New("the index folder is busy: another reindex, a cleanup or a shipment holds its lock")

// An index folder has two lock files, advisory flock locks the kernel drops
// when a process dies:
//
//   - BUILD is held by a build from start to switch, and only by builds: two
//     builds never run at once, and the second one fails at once with
//     ErrLocked.
//   - LOCK is held by whoever changes the folder's set of generations: a
//     build (for its whole run), a cleaner removing old generations, an
//     operator shipping a generation in (`flock LOCK …`). Cleaners take it
//     without waiting and give up while it is held, so they never remove
//     a generation a build or a shipment is finishing; a build waits for it,
//     so a cleanup in progress delays a build instead of failing it.
const (
	buildLockFile  = "BUILD"
	folderLockFile = "LOCK"
)

// lockDir takes the folder lock of dir without waiting; ErrLocked while a
// build, a cleaner or a shipment holds it.
func lockDir(dir string) (unlock func(), err error) {
	return lockFile(filepath.Join(dir, folderLockFile))
}

// waitLockDir takes the folder lock of dir, waiting while someone else
// holds it, until ctx ends.
func waitLockDir(ctx context.Context, dir string) (unlock func(), err error) {
	const every = 5 * time.Millisecond
	for {
		unlock, err := lockDir(dir)
		if !errors.Is(err, ErrLocked) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(every):
		}
	}
}

// lockFile takes an exclusive flock on path (created if needed) without
// waiting: ErrLocked when another open of it holds one.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
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
