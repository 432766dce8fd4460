package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/journal"
)

// builder holds the build lock of an index folder, and once lockFolder
// returns its folder lock too: while it holds both, no other builder, in
// this process or another, writes a generation there and no cleaner
// removes one (see lockDir).
type builder struct {
	dir    string
	unlock []func()
}

// lockBuild takes the build lock of indexDir without waiting (ErrLocked if
// another build holds it), then the folder lock, waiting while a cleaner
// holds it (see lockFolder).
func lockBuild(ctx context.Context, indexDir string) (*builder, error) {
	b, err := tryBuild(indexDir)
	if err != nil {
		return nil, err
	}
	if err := b.lockFolder(ctx); err != nil {
		b.release()
		return nil, err
	}
	return b, nil
}

// tryBuild takes the build lock of indexDir without waiting: ErrLocked if
// another build holds it.
func tryBuild(indexDir string) (*builder, error) {
	if err := os.MkdirAll(indexDir, 0o755); err != nil {
		return nil, fmt.Errorf("create index folder: %w", err)
	}
	unlock, err := lockFile(filepath.Join(indexDir, buildLockFile))
	if err != nil {
		return nil, err
	}
	return &builder{dir: indexDir, unlock: []func(){unlock}}, nil
}

// lockFolder takes the folder lock, waiting until ctx ends while a cleaner
// or an operator's shipment holds it, and removes what a crashed build
// left.
func (b *builder) lockFolder(ctx context.Context) error {
	unlock, err := waitLockDir(ctx, b.dir)
	if err != nil {
		return err
	}
	b.unlock = append(b.unlock, unlock)
	// Leftovers of a crashed build are ours to remove now that we hold the lock.
	if err := removeBuilding(b.dir); err != nil {
		return fmt.Errorf("remove unfinished build: %w", err)
	}
	return nil
}

// release drops the locks; it may be called more than once.
func (b *builder) release() {
	for i := len(b.unlock) - 1; i >= 0; i-- {
		b.unlock[i]()
	}
	b.unlock = nil
}

// prepareJournal, when opts.NewJournal asks, writes the renewed journal
// the build replays (journal.PrepareRenew: the caller commits it once the
// build succeeded, or aborts it) and points opts.Journal at it; otherwise
// it checks that the journal is the one the live generation has applied.
// A live generation a server has open cannot be read, but it names its
// journal in journalIDFile: another journal is refused (a reindex without
// the server's --journal switched the server to a generation it refused
// to serve, and could not restart on; found by a probe).
func prepareJournal(indexDir, dataDir string, opts *BuildOptions) (*journal.Renewal, error) {
	jpath := journal.PathOf(dataDir, opts.Journal)
	if err := journal.CheckPlace(dataDir, jpath); err != nil {
		return nil, err
	}
	if opts.NewJournal {
		r, err := journal.PrepareRenew(jpath)
		if errors.Is(err, journal.ErrLocked) {
			return nil, fmt.Errorf("%w: stop the server before starting a new journal", err)
		} else if err != nil {
			return nil, fmt.Errorf("new journal: %w", err)
		}
		opts.Journal = r.Path
		return r, nil
	}
	ix, err := Open(indexDir)
	if errors.Is(err, ErrGenerationInUse) {
		return nil, checkInUseJournal(indexDir, jpath)
	} else if errors.Is(err, ErrNoIndex) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer ix.Close()
	pos, err := ix.appliedPosition()
	if err != nil {
		return nil, err
	}
	_, err = journal.Read(jpath, pos, nil)
	return nil, journalMismatch(filepath.Base(ix.Path()), err)
}

// build reads the data folder and the edit journal and writes a complete,
// verified generation that is not live yet.
func (b *builder) build(ctx context.Context, dataDir string, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	opts.stage(zhsearch.StageLoading)
	dicts, err := analysis.DataDicts(dataDir)
	if err != nil {
		return nil, err
	}
	// Load the dictionaries before indexing is timed; a bad line in an
	// editor's dictionary fails the build here, naming its file and line.
	_, release, err := analysis.AcquireSegmenter(dicts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dataDir, err)
	}
	defer release()
	opts.dicts = dicts
	// The bodies of JSONL articles stay on disk until the indexer reads
	// them back (BuildOptions.body): a build's memory does not grow with
	// the corpus's text.
	c, err := corpus.LoadDeferred(dataDir, analysis.Normalize, opts.MaxArticleBytes)
	if err != nil {
		return nil, err
	}
	bodies := c.BodyReader()
	defer bodies.Close()
	log := opts.Log
	if log == nil {
		log = FileLog(journal.PathOf(dataDir, opts.Journal))
	}
	if len(c.Articles) == 0 {
		// Checked before the journal is replayed: an export that failed
		// and left the folder empty would have replaced the whole site by
		// the few articles edited live since (and read past the end of
		// the files' body list).
		return nil, noArticles(dataDir)
	}
	over := &overridesLog{EditLog: log, files: fileIDs(c.Articles), seen: map[string]bool{}}
	articles, refs, edits, pos, err := replayJournal(c.Articles, c.Refs, over)
	if err != nil {
		return nil, err
	}
	// The build owns the articles: their text goes once it is analyzed
	// (BuildOptions.release).
	files := c.Files
	c = nil
	opts.release = true
	opts.body = func(i int, a *zhsearch.Article) error {
		if i >= len(refs) || refs[i].IsZero() {
			return nil // an article of the journal's: its body is in it
		}
		body, err := bodies.Body(refs[i], a.ID)
		a.Body = body
		return err
	}
	if len(articles) == 0 {
		return nil, noArticles(dataDir)
	}
	opts.journal = pos
	gen, err := b.write(ctx, articles, opts)
	if err != nil {
		return nil, err
	}
	stats := &BuildStats{Generation: gen, Files: files, Edits: edits, JournalSeq: pos.Seq, Took: time.Since(start),
		Warnings: opts.dicts.Warnings(), Dictionary: dictionaryOf(opts.dicts)}
	if odd := corpus.Lookalikes(dataDir); len(odd) > 0 {
		stats.Warnings = append(stats.Warnings, fmt.Sprintf("%s: not read: %s (%s)", dataDir, strings.Join(odd, ", "), inputRule))
	}
	if w := over.warning(); w != "" {
		stats.Warnings = append(stats.Warnings, w)
	}
	for i := range articles {
		if articles[i].TitleOnly {
			stats.TitleOnly++
		} else {
			stats.Articles++
		}
	}
	return stats, nil
}

// overridesLog is the edit log of a build, noting the articles of the
// data files that live edits replace or delete: the journal's version
// wins at every rebuild (README, "Live edits"), so an article the export
// changed or removed since keeps its live version, and the exporter is
// told which.
type overridesLog struct {
	EditLog
	files map[string]bool // the data files' article ids
	seen  map[string]bool // those a record names
	ids   []string        // the same, in the journal's order
}

func (l *overridesLog) Read(from journal.Position, fn func(journal.Record) error) (journal.Info, error) {
	return l.EditLog.Read(from, func(r journal.Record) error {
		if l.files[r.ID] && !l.seen[r.ID] {
			l.seen[r.ID] = true
			l.ids = append(l.ids, r.ID)
		}
		return fn(r)
	})
}

// overridesShown bounds the ids a warning names.
const overridesShown = 10

func (l *overridesLog) warning() string {
	if len(l.ids) == 0 {
		return ""
	}
	ids := l.ids[:min(len(l.ids), overridesShown)]
	more := ""
	if n := len(l.ids) - len(ids); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("the journal's live edits replace or delete %d articles of the data files (%s%s): its versions stay over the files' at every rebuild, until the edits are folded into the export and the journal is retired (README, Live edits)",
		len(l.ids), strings.Join(ids, ", "), more)
}

// fileIDs returns the ids of the data files' articles (not the title-only
// ones of 相关内容 lists).
func fileIDs(articles []zhsearch.Article) map[string]bool {
	ids := make(map[string]bool, len(articles))
	for i := range articles {
		if !articles[i].TitleOnly {
			ids[articles[i].ID] = true
		}
	}
	return ids
}

// inputRule says which files of a data folder are input.
const inputRule = "only the folder's own *.jsonl and *.txt files, in lower case, are input, not those of its subfolders"

// noArticles is the error of a data folder without articles, naming the
// files that look like input but are not read (b.TXT, sub/): the likely
// reason.
func noArticles(dataDir string) error {
	msg := fmt.Sprintf("%s: no articles found (want *.jsonl or *.txt files)", dataDir)
	if odd := corpus.Lookalikes(dataDir); len(odd) > 0 {
		msg += fmt.Sprintf("; not read: %s (%s)", strings.Join(odd, ", "), inputRule)
	}
	return errors.New(msg)
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

// checkInUseJournal checks, by its journalIDFile, that the journal at
// jpath is the one the live generation of indexDir holds, which a server
// has open.
func checkInUseJournal(indexDir, jpath string) error {
	gen, err := CurrentGeneration(indexDir)
	if err != nil {
		return err
	}
	id, ok, err := recordedJournalID(gen)
	if err != nil || !ok {
		return err
	}
	info, err := journal.Stat(jpath)
	if err != nil {
		return err
	}
	if info.Exists && info.ID == id {
		return nil
	}
	return fmt.Errorf("generation %s, which a server has open, holds the edits of journal %q, and %s %s: "+
		"building from it would serve other edits than the server's; pass the server's --journal",
		filepath.Base(gen), id, jpath, journalState(info))
}

// journalState says what the journal info describes is, for a message.
func journalState(info journal.Info) string {
	if !info.Exists {
		return "is missing"
	}
	return fmt.Sprintf("is journal %q", info.ID)
}
