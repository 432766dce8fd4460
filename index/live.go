package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/journal"
)

// LiveConfig configures a Live service.
type LiveConfig struct {
	// IndexDir is the index folder; DataDir the data folder reindexes read.
	IndexDir, DataDir string
	// MaxArticleBytes is the size limit of one article (bytes of text,
	// zhsearch.ArticleLimit: 0 is the default), for PutArticle and the
	// reindexes the service runs.
	MaxArticleBytes int64
	// Journal is the edit journal; empty means journal.DefaultPath(DataDir).
	Journal string
	// Edits opens the journal for writing so PutArticle and DeleteArticle
	// work; without it they answer unavailable (the journal is still
	// replayed).
	Edits bool
	// Poll is how often CURRENT is checked for a generation switched by an
	// offline `zhsearch reindex`: 0 means every second, negative never (then
	// only Reload follows it).
	Poll time.Duration
	// BatchSize is the bleve batch size of reindex jobs (0: the default).
	BatchSize int
	// BuildCPUs is how many CPUs a reindex job keeps busy (0:
	// GOMAXPROCS), see BuildOptions.CPUs.
	BuildCPUs int
	// Logger receives what the service does on its own; nil means slog.Default().
	Logger *slog.Logger
	// SearchCache is how many search result pages each generation caches:
	// 0 means DefaultSearchCacheSize, negative turns the cache off.
	SearchCache int
	// RelatedCache is how many related lists each generation caches: 0
	// means the default (DefaultRelatedOptions), negative turns the cache
	// off.
	RelatedCache int
	// PostingsCache is the memory in bytes each generation gives decoded
	// postings: 0 means AutoPostingsCacheBytes of the generation's
	// articles when it opens, negative none kept.
	PostingsCache int64
	// Observer, when set, is told the duration and outcome of every reindex
	// job (metrics).
	Observer zhsearch.ReindexObserver
	// CompactBytes is the size of the journal file past which the records
	// the live generation holds move to the journal's archive
	// (journal.Writer.Compact): 0 means DefaultCompactBytes, negative never.
	CompactBytes int64

	// Log, when set, replaces the journal file as the log of live edits
	// that generations catch up from and reindexes replay: a cluster's
	// replicated stream. Edits must then be off (the cluster appends to
	// its log itself and applies what it reads with ApplyRecords).
	Log EditLog
	// OnBuilt, when set, is called by a reindex job with the folder of the
	// generation it built and verified, and the log position it holds,
	// before the service opens it and switches to it (a cluster uploads it
	// for its other replicas there). An error fails the job.
	OnBuilt func(ctx context.Context, path string, pos journal.Position) error
}

// DefaultCompactBytes is the journal size past which a server compacts it.
const DefaultCompactBytes = 1 << 20

// JournalObserver is told what happens to the edit journal. When the
// Observer of a LiveConfig also implements it (metrics.Metrics does), it
// hears of every torn last record cut off when the journal is opened.
type JournalObserver interface {
	ObserveJournalCut(bytes int64)
}

// Live serves the live generation of an index folder and keeps it current:
// it applies live edits (journaled first), rebuilds in the background, and
// follows generations switched by other processes, all without a failed
// request. It implements zhsearch.SearchService and zhsearch.AdminService.
//
// The current generation sits behind an atomic pointer. Every request takes
// a reference on the generation it starts on and finishes there; a switch
// publishes the new generation and drops the service's own reference on the
// old one, which is closed when its last request finishes, and its folder
// removed once no process has it open.
type Live struct {
	cfg     LiveConfig
	journal string  // path of the edit journal
	edits   EditLog // where generations catch up from: FileLog(journal) or cfg.Log
	log     *slog.Logger

	cur atomic.Pointer[generation]

	// editMu orders journal appends, their application to the current
	// generation, and generation switches: an edit is applied to the
	// generation it was journaled against, and a new generation is caught
	// up to the journal's end before it is published.
	editMu sync.Mutex
	writer *journal.Writer // nil when edits are off; guarded by editMu
	// appendFailures counts edits refused because the journal could not
	// take them (a full or read-only journal disk).
	appendFailures atomic.Uint64

	cleanReq chan struct{} // asks the janitor to remove old generations

	// writeErr is the error of the last failed write of journaled edits
	// into the current generation (a full index disk), nil once a write
	// succeeds: while it is set the service is not ready.
	writeErr atomic.Pointer[error]

	// followMu allows one generation switch (reindex job or follow) at a time.
	followMu     sync.Mutex
	followFailed string // CURRENT target that failed to open (logged once)
	// followSince is when that target was first found open in another
	// process, followLogged whether its failure was logged as an error.
	followSince  time.Time
	followLogged bool

	jobs jobs

	// applied is the last log seq the current generation holds, and
	// appliedCh is closed (and replaced) whenever it grows: WaitApplied.
	appliedMu sync.Mutex
	applied   uint64
	appliedCh chan struct{}

	// beforeSwitchLock, when set (by tests), runs in a switch between the
	// catch-up done while edits flow and the one done with edits held.
	beforeSwitchLock func()

	ctx    context.Context // ends when the service closes
	cancel context.CancelFunc
	wg     sync.WaitGroup // background goroutines
	open   sync.WaitGroup // generations opened and not closed yet
}

var (
	_ zhsearch.SearchService = (*Live)(nil)
	_ zhsearch.AdminService  = (*Live)(nil)
)

// generation is one open generation and its references.
type generation struct {
	ix   *Index
	name string
	// refs counts the requests using the generation plus one while it is
	// current; the generation closes when it drops to zero.
	refs atomic.Int64
	// pos is the journal position applied to the index: the journal's
	// identity and last seq; guarded by Live.editMu once the generation is
	// published.
	pos     journal.Position
	closed  chan struct{}
	onClose func(*generation)
	log     *slog.Logger
}

// tryRef takes a reference unless the generation is already closing.
func (g *generation) tryRef() bool {
	for {
		n := g.refs.Load()
		if n <= 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one closes the generation.
func (g *generation) release() {
	if g.refs.Add(-1) == 0 {
		go g.close()
	}
}

func (g *generation) close() {
	defer close(g.closed)
	if err := g.ix.Close(); err != nil {
		g.log.Warn("closing generation", "generation", g.name, "err", err)
	}
	if g.onClose != nil {
		g.onClose(g)
	}
}

// OpenLive opens the live generation of cfg.IndexDir for serving. The index
// folder must hold a generation (see Build). It catches the generation up
// with the edit journal, then removes what crashed builds left and old
// generations nothing uses, when no build is running. Nothing is removed
// when the live generation does not open: CURRENT may name a generation
// that is missing or half copied (a rollback written by hand, a partial
// rsync), and the generations beside it are then the operator's way back.
func OpenLive(cfg LiveConfig) (*Live, error) {
	l := &Live{cfg: cfg, journal: journal.PathOf(cfg.DataDir, cfg.Journal), log: cfg.Logger}
	if cfg.Log == nil {
		if err := journal.CheckPlace(cfg.DataDir, l.journal); err != nil {
			return nil, err
		}
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.edits = cfg.Log
	if l.edits == nil {
		l.edits = FileLog(l.journal)
	}
	if cfg.Log != nil && cfg.Edits {
		return nil, errors.New("LiveConfig: Edits and Log exclude each other")
	}
	l.appliedCh = make(chan struct{})
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.cleanReq = make(chan struct{}, 1)
	g, err := l.openCurrent()
	replayed := 0
	if err != nil {
		err = withOthers(cfg.IndexDir, err)
	} else {
		// Catch up (checking the journal is the one g has applied) before
		// the writer would create a missing journal.
		if replayed, err = l.catchUp(g); err == nil && cfg.Edits {
			err = l.openWriter(g)
		}
		if err != nil {
			g.onClose = nil // not an old generation: the one that did not start
			g.release()
			<-g.closed
		}
	}
	if err != nil {
		l.cancel()
		return nil, err
	}
	l.opened(g, replayed)
	g.refs.Add(1) // the warm-up's reference (not yet published: nobody races)
	l.cur.Store(g)
	l.noteApplied(g.pos.Seq)
	l.wg.Add(1)
	go l.warm(g)
	l.clean()
	l.wg.Add(1)
	go l.janitor()
	if left, _ := l.leftovers(); len(left) > 0 {
		l.requestClean()
	}
	poll := cfg.Poll
	if poll == 0 {
		poll = time.Second
	}
	if poll > 0 {
		l.wg.Add(1)
		go l.pollCurrent(poll)
	}
	return l, nil
}

// warm runs g's warm-up in the background (see Index.Warm) and drops the
// reference it was given: at start-up, the first queries would otherwise
// pay for it, and readiness should not wait for it.
func (l *Live) warm(g *generation) {
	defer l.wg.Done()
	defer g.release()
	if err := g.ix.Warm(l.ctx); err != nil && l.ctx.Err() == nil {
		l.log.Warn("warming the generation up", "generation", g.name, "err", err)
	}
}

// openWriter opens the journal for appending edits, after g caught up
// with it. A torn last line (an append a crash interrupted, never
// acknowledged) is cut with a warning; the journal must still be the one g
// has applied.
func (l *Live) openWriter(g *generation) error {
	w, err := journal.OpenWriter(l.journal)
	if err != nil {
		return err
	}
	if n := w.Cut(); n > 0 {
		l.log.Warn("cut a torn last record off the edit journal (an append a crash interrupted; it was never acknowledged)",
			"journal", l.journal, "bytes", n)
		if o, ok := l.cfg.Observer.(JournalObserver); ok {
			o.ObserveJournalCut(n)
		}
	}
	got := journal.Info{Exists: true, ID: w.ID(), Last: w.Seq()}
	if g.pos.Seq > 0 && (got.ID != g.pos.ID || got.Last < g.pos.Seq) {
		w.Close()
		return journalMismatch(g.name, &journal.MismatchError{Path: l.journal, Want: g.pos, Got: got})
	}
	l.writer = w
	l.compact(g)
	return nil
}

// compact moves the journal records g holds to the journal's archive once
// the journal file has grown past CompactBytes, so that catching up reads
// only what is new. The caller holds editMu (or g is not published yet).
func (l *Live) compact(g *generation) {
	limit := l.cfg.CompactBytes
	if limit == 0 {
		limit = DefaultCompactBytes
	}
	if limit < 0 || l.writer == nil || l.writer.Size() < limit {
		return
	}
	if err := l.writer.Compact(g.pos.Seq); err != nil {
		l.log.Warn("cannot compact the edit journal; it keeps growing", "journal", l.journal, "err", err)
	}
}

// withOthers adds to err, which kept the live generation of dir from
// opening (missing, half copied), the other generations dir holds, newest
// first: an operator can name one in CURRENT, or rebuild.
func withOthers(dir string, err error) error {
	live, _ := CurrentGeneration(dir)
	var others []string
	if entries, rerr := os.ReadDir(dir); rerr == nil {
		for _, e := range slices.Backward(entries) {
			if name := e.Name(); e.IsDir() && strings.HasPrefix(name, genPrefix) && name != filepath.Base(live) {
				others = append(others, name)
			}
		}
	}
	if len(others) == 0 {
		return err
	}
	return fmt.Errorf("%w (nothing was removed; %s also holds %s: write one of these names to %s to serve it, or reindex)",
		err, dir, strings.Join(others, ", "), filepath.Join(dir, currentFile))
}

// openCurrent opens the generation CURRENT names, writable, retrying if a
// switch by another process races with the open.
func (l *Live) openCurrent() (*generation, error) {
	var lastErr error
	for range 5 {
		path, err := CurrentGeneration(l.cfg.IndexDir)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			again, _ := CurrentGeneration(l.cfg.IndexDir)
			if again == path {
				return nil, fmt.Errorf("%s names %s, which is not in %s", filepath.Join(l.cfg.IndexDir, currentFile), filepath.Base(path), l.cfg.IndexDir)
			}
			continue // switched meanwhile
		}
		g, err := l.openGeneration(path)
		again, _ := CurrentGeneration(l.cfg.IndexDir)
		if err == nil && again == path {
			return g, nil
		}
		if err == nil {
			g.release()
			<-g.closed
			continue
		}
		if again == path {
			return nil, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// openGeneration opens the generation folder path writable, not yet current.
func (l *Live) openGeneration(path string) (*generation, error) {
	ix, err := openGeneration(path, true)
	if err != nil {
		return nil, err
	}
	if n := l.cfg.SearchCache; n != 0 {
		ix.SetSearchCacheSize(n) // negative: off
	}
	if n := l.cfg.RelatedCache; n != 0 {
		ix.SetRelatedCacheSize(n) // negative: off
	}
	ix.SetPostingsCacheBytes(l.cfg.PostingsCache)
	ix.SetLogger(l.log)
	pos, err := ix.appliedPosition()
	if err != nil {
		ix.Close()
		return nil, err
	}
	g := &generation{ix: ix, name: filepath.Base(path), pos: pos, closed: make(chan struct{}), onClose: l.closed, log: l.log}
	g.refs.Store(1)
	l.open.Add(1)
	go func() { <-g.closed; l.open.Done() }()
	return g, nil
}

// catchUp applies the journal records the generation has not seen. It is
// called on a generation nobody else writes: before it is published, or
// with editMu held. A journal that is not the one the generation has
// applied (missing, replaced, shorter) is refused (see journalMismatch).
func (l *Live) catchUp(g *generation) (int, error) {
	const maxBatch = 256
	ctx := context.Background()
	var st *indexStore
	var last journal.Position
	n := 0
	commit := func() error {
		if st == nil {
			return nil
		}
		if err := st.commit(last); err != nil {
			return err
		}
		g.pos, st = last, nil
		return nil
	}
	_, err := l.edits.Read(g.pos, func(r journal.Record) error {
		if st == nil {
			st = newIndexStore(ctx, g.ix)
		}
		if err := applyRecord(st, r); err != nil {
			return fmt.Errorf("replay journal record %d: %w", r.Seq, err)
		}
		last = journal.Position{ID: r.Journal, Seq: r.Seq}
		n++
		if st.size() >= maxBatch {
			return commit()
		}
		return nil
	})
	if err == nil {
		err = commit()
	}
	return n, journalMismatch(g.name, err)
}

// opened logs the generation a server starts on: which one, the binary
// that wrote it, and how many journal edits it replayed into it. A
// generation older than its format record serves as it was built, without
// what was added to the index since; the operator is told a reindex
// brings that.
func (l *Live) opened(g *generation, replayed int) {
	format, by := g.ix.Format()
	if by == "" {
		by = "unknown"
	}
	dict := g.ix.Dictionary()
	l.log.Info("serving generation", "generation", g.name, "format", format, "written_by", by,
		"journal_seq", g.pos.Seq, "replayed_edits", replayed, "dictionary", dict.ID, "dictionary_from", dict.Source())
	if format < generationFormat {
		l.log.Warn("generation built by an older zhsearch: it serves as it was built, without what this version's "+
			"index adds (README, Upgrading); `zhsearch reindex` builds one of this version", "generation", g.name, "format", format)
	}
}

// journalMismatch words a *journal.MismatchError for the operator: which
// generation, why serving is refused, and the way out.
func journalMismatch(gen string, err error) error {
	var me *journal.MismatchError
	if !errors.As(err, &me) {
		return err
	}
	if dir := missingFolder(filepath.Dir(me.Path)); !me.Got.Exists && dir != "" {
		// Not a lost journal but a wrong path (--data or --journal): a
		// new journal would give up the edits the real one holds.
		return fmt.Errorf("generation %s: %w, and the folder %s does not exist: is --data (or --journal) the "+
			"server's own? Start it with the data folder and journal it was built with", gen, err, dir)
	}
	return fmt.Errorf("generation %s: %w. Serving it would answer edits and not serve them, so it is refused: "+
		"restore that journal, or run `zhsearch reindex --new-journal` (with the server stopped) to rebuild from "+
		"the data folder and the journal as it is now, under a new journal identity", gen, err)
}

// missingFolder returns the outermost folder of dir's path that does not
// exist ("" when dir exists): the data folder of a journal in
// DATA/journal, where --data names a folder that is not there.
func missingFolder(dir string) string {
	missing := ""
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			return missing
		}
		missing = d
		if filepath.Dir(d) == d {
			return missing
		}
	}
}

// acquire returns the current generation with a reference taken.
func (l *Live) acquire() (*generation, error) {
	for {
		g := l.cur.Load()
		if g == nil {
			return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the index is closed")
		}
		if g.tryRef() {
			return g, nil
		}
		// g was switched out and closed between Load and tryRef: the
		// pointer already names its successor.
	}
}

// publish makes g the current generation and drops the service's
// reference on the previous one. The caller holds editMu.
func (l *Live) publish(g *generation) {
	if old := l.cur.Swap(g); old != nil {
		old.release()
	}
	l.writeErr.Store(nil) // g holds every journaled edit
	l.noteApplied(g.pos.Seq)
}

// noteApplied records that the current generation holds the log up to
// seq and wakes WaitApplied callers.
func (l *Live) noteApplied(seq uint64) {
	l.appliedMu.Lock()
	defer l.appliedMu.Unlock()
	if seq != l.applied {
		l.applied = seq
		close(l.appliedCh)
		l.appliedCh = make(chan struct{})
	}
}

// Applied returns the last seq of the edit log (journal or cluster stream)
// the current generation holds.
func (l *Live) Applied() uint64 {
	l.appliedMu.Lock()
	defer l.appliedMu.Unlock()
	return l.applied
}

// Position returns where in the edit log (journal or cluster stream) the
// current generation stands: the log's identity and the last seq it holds.
func (l *Live) Position() journal.Position {
	l.editMu.Lock()
	defer l.editMu.Unlock()
	if g := l.cur.Load(); g != nil {
		return g.pos
	}
	return journal.Position{}
}

// WaitApplied waits until the current generation holds the edit log up to
// seq, or ctx ends.
func (l *Live) WaitApplied(ctx context.Context, seq uint64) error {
	for {
		l.appliedMu.Lock()
		done, ch := l.applied >= seq, l.appliedCh
		l.appliedMu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// ApplyRecords applies records read from the edit log (cfg.Log) to the
// current generation, in one batch: those it holds already are skipped,
// and if they do not follow on from what it holds (a gap, another log)
// it catches up from the log instead. It returns the seq the generation
// holds afterwards. A failed write makes the service not ready until a
// later one succeeds (as for a local edit).
func (l *Live) ApplyRecords(recs []journal.Record) (uint64, error) {
	l.editMu.Lock()
	defer l.editMu.Unlock()
	g, err := l.acquire()
	if err != nil {
		return 0, err
	}
	defer g.release()
	i := 0
	for i < len(recs) && recs[i].Seq <= g.pos.Seq && (g.pos.Seq == 0 || recs[i].Journal == g.pos.ID) {
		i++
	}
	recs = recs[i:]
	if len(recs) == 0 {
		return g.pos.Seq, nil
	}
	follows := recs[0].Seq == g.pos.Seq+1 && (g.pos.Seq == 0 || recs[0].Journal == g.pos.ID)
	for k := 1; follows && k < len(recs); k++ {
		follows = recs[k].Seq == recs[k-1].Seq+1 && recs[k].Journal == recs[0].Journal
	}
	if follows {
		st := newIndexStore(context.Background(), g.ix)
		for _, r := range recs {
			if err = applyRecord(st, r); err != nil {
				break
			}
		}
		if err == nil {
			last := recs[len(recs)-1]
			pos := journal.Position{ID: last.Journal, Seq: last.Seq}
			if err = st.commit(pos); err == nil {
				g.pos = pos
			}
		}
	} else {
		_, err = l.catchUp(g)
	}
	if err != nil {
		l.writeFailed(recs[0].Seq, err)
		return g.pos.Seq, err
	}
	l.writeOK()
	l.noteApplied(g.pos.Seq)
	return g.pos.Seq, nil
}

// writeFailed records that journaled edits could not be written into the
// current generation: the service answers not ready until a write
// succeeds. The edits stay in the journal and are replayed by the next
// edit, switch or restart.
func (l *Live) writeFailed(seq uint64, err error) {
	if l.writeErr.Swap(&err) == nil {
		l.log.Error("cannot write edits into the index: not ready until a write succeeds; the edits are in the journal and replay on restart",
			"seq", seq, "err", err)
	}
}

// writeOK records a successful write into the current generation.
func (l *Live) writeOK() {
	if l.writeErr.Swap(nil) != nil {
		l.log.Info("edits are written into the index again: ready")
	}
}

// writeFailure returns the unavailable error of a failing index, or nil.
func (l *Live) writeFailure() error {
	if p := l.writeErr.Load(); p != nil {
		return zhsearch.Errorf(zhsearch.EUNAVAILABLE, "edits cannot be written into the index: %v", *p)
	}
	return nil
}

// CacheStats counts the lookups of the caches of the generation serving
// now (a new generation starts from zero).
type CacheStats struct {
	Search   SearchCacheStats
	Related  RelatedCacheStats
	Postings PostingsCacheStats
}

// CacheStats reports the current generation's caches.
func (l *Live) CacheStats() (CacheStats, error) {
	g, err := l.acquire()
	if err != nil {
		return CacheStats{}, err
	}
	defer g.release()
	return CacheStats{Search: g.ix.SearchCacheStats(), Related: g.ix.RelatedCacheStats(), Postings: g.ix.PostingsCacheStats()}, nil
}

// Dictionary returns the dictionary of the generation serving new
// requests (the zero value before one is open).
func (l *Live) Dictionary() Dictionary {
	if g := l.cur.Load(); g != nil {
		return g.ix.Dictionary()
	}
	return Dictionary{}
}

// Generation returns the name of the generation serving new requests.
func (l *Live) Generation() string {
	if g := l.cur.Load(); g != nil {
		return g.name
	}
	return ""
}

// JournalStats reports the edit journal of a server that takes edits
// itself: the last seq it holds, how many edits it could not take and
// the sizes of its files; ok is false without one (edits off, or a
// replica's, through the cluster's stream).
func (l *Live) JournalStats() (st JournalStats, ok bool) {
	l.editMu.Lock()
	defer l.editMu.Unlock()
	if l.writer == nil {
		return st, false
	}
	st = JournalStats{Last: l.writer.Seq(), AppendFailures: l.appendFailures.Load(), Bytes: l.writer.Size()}
	if fi, err := os.Stat(journal.ArchivePath(l.writer.Path())); err == nil {
		st.ArchiveBytes = fi.Size()
	}
	return st, true
}

// JournalStats describes a server's edit journal.
type JournalStats struct {
	// Last is the journal's last seq, AppendFailures how many edits it
	// could not take (its disk full or read-only).
	Last, AppendFailures uint64
	// Bytes is the journal file's size; ArchiveBytes its archive's, where
	// compaction moves the records every generation holds (it only
	// grows: every edit ever made, for the generations built from older
	// data).
	Bytes, ArchiveBytes int64
}

// GenerationBuilt returns when the generation serving new requests was
// built (its build started), whoever built it: this server, another
// process (an offline reindex it followed) or another replica; zero when
// none is served or its name does not say.
func (l *Live) GenerationBuilt() time.Time {
	t, _ := generationTime(l.Generation())
	return t
}

// ReindexProgress is the progress of the reindex started through this
// server (StartReindex) that is running, ok false when none runs.
func (l *Live) ReindexProgress() (p zhsearch.ReindexProgress, ok bool) {
	l.jobs.mu.Lock()
	running := l.jobs.running
	l.jobs.mu.Unlock()
	if running == nil {
		return p, false
	}
	return running.snapshot().Progress, true
}

// DocCount returns the number of articles in the current generation. It
// fails while journaled edits cannot be written into the index: the count
// lacks them (and zhsearch_index_up, read from it, is 0).
func (l *Live) DocCount() (uint64, error) {
	if err := l.writeFailure(); err != nil {
		return 0, err
	}
	g, err := l.acquire()
	if err != nil {
		return 0, err
	}
	defer g.release()
	return g.ix.DocCount()
}

// Search implements zhsearch.SearchService on the current generation.
func (l *Live) Search(ctx context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.ix.Search(ctx, req)
}

// Suggest implements zhsearch.SearchService on the current generation.
func (l *Live) Suggest(ctx context.Context, req zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.ix.Suggest(ctx, req)
}

// Related implements zhsearch.SearchService on the current generation.
func (l *Live) Related(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.ix.Related(ctx, req)
}

// Article implements zhsearch.SearchService on the current generation.
func (l *Live) Article(ctx context.Context, id string) (*zhsearch.Article, error) {
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.ix.Article(ctx, id)
}

// Ready implements zhsearch.SearchService: the current generation answers
// and the last write of edits into it succeeded.
func (l *Live) Ready(ctx context.Context) error {
	if err := l.writeFailure(); err != nil {
		return err
	}
	g, err := l.acquire()
	if err != nil {
		return err
	}
	defer g.release()
	return g.ix.Ready(ctx)
}

// Close stops background work (a running reindex is cancelled), waits for
// the requests in flight and closes the index and the journal. Serve no
// request through l after Close.
func (l *Live) Close() error {
	l.cancel()
	l.wg.Wait()
	l.editMu.Lock()
	g := l.cur.Swap(nil)
	var err error
	if l.writer != nil {
		err = l.writer.Close()
		l.writer = nil
	}
	l.editMu.Unlock()
	if g != nil {
		g.onClose = nil
		g.release()
	}
	l.open.Wait()
	return err
}
