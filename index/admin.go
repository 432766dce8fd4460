package index

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/journal"
)

// PutArticle implements zhsearch.AdminService: it validates a like a line
// of an input file, appends the upsert to the journal (fsynced), and
// applies it to the current generation before returning, so the article is
// searchable when the caller hears back.
func (l *Live) PutArticle(ctx context.Context, a *zhsearch.Article) (*zhsearch.EditResult, error) {
	if a == nil {
		return nil, zhsearch.Errorf(zhsearch.EINVALID, "no article")
	}
	put := *a
	if err := put.Validate(l.cfg.MaxArticleBytes); err != nil {
		return nil, err
	}
	return l.edit(ctx, journal.Record{Op: zhsearch.OpPut, ID: put.ID, Article: &put})
}

// DeleteArticle implements zhsearch.AdminService: it journals the delete
// and applies it; not_found when the current generation has no article id.
func (l *Live) DeleteArticle(ctx context.Context, id string) (*zhsearch.EditResult, error) {
	if !zhsearch.ValidID(id) {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	return l.edit(ctx, journal.Record{Op: zhsearch.OpDelete, ID: id})
}

// edit journals r and applies it to the current generation. Edits are
// serialized with each other and with generation switches (editMu), so
// each one lands in the generation that is current after it.
func (l *Live) edit(ctx context.Context, r journal.Record) (*zhsearch.EditResult, error) {
	l.editMu.Lock()
	defer l.editMu.Unlock()
	if l.writer == nil {
		if l.cur.Load() == nil {
			return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the index is closed")
		}
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "live edits are disabled on this server")
	}
	g, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	// Once journaled the edit must be applied even if the client goes away.
	ctx = context.WithoutCancel(ctx)
	_, err = g.ix.Article(ctx, r.ID)
	existed := err == nil
	if err != nil && zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		return nil, err
	}
	if r.Op == zhsearch.OpDelete && !existed {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	rec, err := l.writer.Append(r)
	if err != nil {
		l.appendFailures.Add(1)
		l.log.Error("journal append failed: edit refused", "id", r.ID, "op", r.Op, "err", err)
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the edit could not be recorded (journal not writable); nothing was changed")
	}
	if err := l.applyOne(g, rec); err != nil {
		// The edit is durable in the journal: the next edit, switch or
		// restart replays it. The client hears it did not fully succeed.
		l.writeFailed(rec.Seq, err)
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the edit is journaled (seq %d) but the index could not be "+
			"written; it is applied once the index can be written again, at the latest on restart", rec.Seq)
	}
	l.writeOK()
	l.noteApplied(g.pos.Seq)
	l.compact(g)
	return &zhsearch.EditResult{ID: r.ID, Op: r.Op, Seq: rec.Seq, Created: r.Op == zhsearch.OpPut && !existed}, nil
}

// applyOne applies the just-journaled record rec to g; if g missed earlier
// records (a failed apply), it replays everything it has not seen. The
// caller holds editMu.
func (l *Live) applyOne(g *generation, rec journal.Record) error {
	if g.pos.Seq+1 != rec.Seq || (g.pos.Seq > 0 && g.pos.ID != rec.Journal) {
		_, err := l.catchUp(g)
		return err
	}
	st := newIndexStore(context.Background(), g.ix)
	if err := applyRecord(st, rec); err != nil {
		return err
	}
	pos := journal.Position{ID: rec.Journal, Seq: rec.Seq}
	if err := st.commit(pos); err != nil {
		return err
	}
	g.pos = pos
	return nil
}

// maxJobs is how many finished reindex jobs are remembered.
const maxJobs = 16

// jobs holds the reindex jobs of a Live service.
type jobs struct {
	mu      sync.Mutex
	list    []*job // oldest first
	running *job
}

// job is one reindex job, updated by its goroutine and read by requests.
type job struct {
	mu    sync.Mutex
	state zhsearch.ReindexJob
}

func (j *job) snapshot() *zhsearch.ReindexJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.state
	if s.Result != nil {
		r := *s.Result
		s.Result = &r
	}
	return &s
}

func (j *job) setStage(stage string) {
	j.mu.Lock()
	j.state.Progress.Stage = stage
	j.mu.Unlock()
}

func (j *job) setProgress(done, total int) {
	j.mu.Lock()
	j.state.Progress.Done, j.state.Progress.Total = done, total
	j.mu.Unlock()
}

func (j *job) finish(res *zhsearch.ReindexResult, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now().UTC()
	j.state.FinishedAt = &now
	if err != nil {
		j.state.State, j.state.Error = zhsearch.JobFailed, reindexError(err)
		return
	}
	j.state.State, j.state.Result = zhsearch.JobSucceeded, res
	j.state.Progress.Stage = zhsearch.StageDone
}

// reindexError words a failed job's error for the admin who started it.
func reindexError(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled: the server is shutting down"
	}
	var e *zhsearch.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func newJobID(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return "r-" + now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// StartReindex implements zhsearch.AdminService. It takes the index
// folder's build lock before answering, so a reindex already running here
// or in another process (an offline `zhsearch reindex`) is a conflict. The
// build runs in the background (after waiting for a cleanup of old
// generations in progress to end); when it is complete and verified the new
// generation is caught up with the journal and switched to.
func (l *Live) StartReindex(ctx context.Context) (*zhsearch.ReindexJob, error) {
	l.jobs.mu.Lock()
	defer l.jobs.mu.Unlock()
	if r := l.jobs.running; r != nil {
		return nil, zhsearch.Errorf(zhsearch.ECONFLICT, "reindex %s is already running", r.snapshot().ID)
	}
	if l.ctx.Err() != nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the server is shutting down")
	}
	now := time.Now()
	j := &job{state: zhsearch.ReindexJob{ID: newJobID(now), State: zhsearch.JobRunning, StartedAt: now.UTC(),
		Progress: zhsearch.ReindexProgress{Stage: zhsearch.StageLoading}}}
	b, err := tryBuild(l.cfg.IndexDir)
	if errors.Is(err, ErrLocked) {
		return nil, zhsearch.Errorf(zhsearch.ECONFLICT, "another process is rebuilding this index folder")
	}
	l.jobs.list = append(l.jobs.list, j)
	if len(l.jobs.list) > maxJobs {
		l.jobs.list = l.jobs.list[len(l.jobs.list)-maxJobs:]
	}
	if err != nil {
		l.log.Error("reindex failed", "job", j.state.ID, "err", err)
		if l.cfg.Observer != nil {
			l.cfg.Observer.ObserveReindex(time.Since(now), err) // counted as runReindex counts its failures
		}
		j.finish(nil, err)
		return j.snapshot(), nil
	}
	l.jobs.running = j
	l.wg.Add(1)
	go l.runReindex(j, b)
	return j.snapshot(), nil
}

// runReindex builds a generation, switches to it and finishes j.
func (l *Live) runReindex(j *job, b *builder) {
	defer l.wg.Done()
	start := time.Now()
	id := j.snapshot().ID
	l.log.Info("reindex started", "job", id, "data", l.cfg.DataDir)
	res, err := l.reindex(j, b)
	b.release()
	if l.cfg.Observer != nil {
		l.cfg.Observer.ObserveReindex(time.Since(start), err)
	}
	switch {
	case err != nil && l.ctx.Err() != nil && errors.Is(err, context.Canceled):
		// The server is shutting down: no failure to alert on.
		l.log.Info("reindex stopped: the server is shutting down; the live generation is kept", "job", id)
	case err != nil:
		l.log.Error("reindex failed; the live generation keeps serving", "job", id, "err", err)
	default:
		res.TookMS = float64(time.Since(start).Microseconds()) / 1000
		l.log.Info("reindex done", "job", id, "generation", res.Generation, "articles", res.Articles,
			"title_only", res.TitleOnly, "edits", res.Edits, "took_ms", time.Since(start).Milliseconds())
		for _, w := range res.Warnings {
			l.log.Warn(w, "job", id)
		}
		l.requestClean()
	}
	l.jobs.mu.Lock()
	j.finish(res, err)
	l.jobs.running = nil
	l.jobs.mu.Unlock()
}

func (l *Live) reindex(j *job, b *builder) (*zhsearch.ReindexResult, error) {
	if err := b.lockFolder(l.ctx); err != nil {
		return nil, err
	}
	opts := BuildOptions{BatchSize: l.cfg.BatchSize, CPUs: l.cfg.BuildCPUs, Journal: l.journal, Log: l.cfg.Log, Stage: j.setStage, Progress: j.setProgress,
		MaxArticleBytes: l.cfg.MaxArticleBytes}
	stats, err := b.build(l.ctx, l.cfg.DataDir, opts)
	if err != nil {
		return nil, err
	}
	if l.cfg.OnBuilt != nil {
		if err := l.cfg.OnBuilt(l.ctx, stats.Generation, journal.Position{Seq: stats.JournalSeq}); err != nil {
			l.removeGeneration(stats.Generation)
			return nil, err
		}
	}
	l.followMu.Lock()
	defer l.followMu.Unlock()
	j.setStage(zhsearch.StageCatchingUp)
	g, err := l.openGeneration(stats.Generation)
	if err != nil {
		l.removeGeneration(stats.Generation)
		return nil, err
	}
	_, err = l.switchTo(g, func() error {
		j.setStage(zhsearch.StageSwitching)
		return switchCurrent(l.cfg.IndexDir, g.name)
	})
	if err != nil {
		l.removeGeneration(stats.Generation)
		return nil, fmt.Errorf("switch to new generation: %w", err)
	}
	return &zhsearch.ReindexResult{Generation: filepath.Base(stats.Generation), Articles: stats.Articles,
		TitleOnly: stats.TitleOnly, Files: stats.Files, Edits: stats.Edits, Warnings: stats.Warnings,
		Dictionary: stats.Dictionary.ID, DictionaryFrom: stats.Dictionary.Source()}, nil
}

// ReindexJob implements zhsearch.AdminService.
func (l *Live) ReindexJob(ctx context.Context, id string) (*zhsearch.ReindexJob, error) {
	l.jobs.mu.Lock()
	defer l.jobs.mu.Unlock()
	for i := len(l.jobs.list) - 1; i >= 0; i-- {
		if j := l.jobs.list[i]; id == "" || j.snapshot().ID == id {
			return j.snapshot(), nil
		}
	}
	if id == "" {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "no reindex has run since the server started")
	}
	return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "no such reindex job")
}
