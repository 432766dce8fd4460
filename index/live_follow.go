package index

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/zhsearch/zhsearch"
)

// Reload switches to the generation CURRENT names if it is not the one
// serving: the follow-up of an offline `zhsearch reindex`, run by the poll
// loop and on SIGHUP. Requests keep being answered by the old generation
// until the new one is open and caught up with the journal.
func (l *Live) Reload() error {
	l.followMu.Lock()
	defer l.followMu.Unlock()
	path, err := CurrentGeneration(l.cfg.IndexDir)
	if err != nil {
		return err
	}
	name := filepath.Base(path)
	if cur := l.cur.Load(); cur == nil || cur.name == name {
		return nil
	}
	g, err := l.openGeneration(path)
	if err != nil {
		return fmt.Errorf("follow %s: %w", name, err)
	}
	seq, err := l.switchTo(g, nil)
	if err != nil {
		return fmt.Errorf("follow %s: %w", name, err)
	}
	l.log.Info("following new generation", "generation", name, "journal_seq", seq)
	return nil
}

// switchTo catches g up with the journal and publishes it; before
// publishing, with edits held, it runs commit (which may point CURRENT at
// g). It returns the last journal seq g held when published. On failure g
// is closed and the current generation stays. The caller holds followMu.
func (l *Live) switchTo(g *generation, commit func() error) (uint64, error) {
	fail := func(err error) (uint64, error) {
		g.release()
		<-g.closed
		return 0, err
	}
	// Most of the catching up happens while edits still flow to the old
	// generation; the rest with edits held, so none is missed.
	if _, err := l.catchUp(g); err != nil {
		return fail(err)
	}
	// Warmed before it serves: the old generation answers meanwhile.
	if err := g.ix.Warm(l.ctx); err != nil {
		return fail(err)
	}
	if l.beforeSwitchLock != nil {
		l.beforeSwitchLock()
	}
	l.editMu.Lock()
	defer l.editMu.Unlock()
	if l.cur.Load() == nil {
		return fail(zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the index is closed"))
	}
	if _, err := l.catchUp(g); err != nil {
		return fail(err)
	}
	if commit != nil {
		if err := commit(); err != nil {
			return fail(err)
		}
	}
	l.publish(g)
	return g.pos.Seq, nil
}

// retryWrites replays the journal into the current generation while
// writing edits into it fails (a full disk), so that the service is ready
// again once the disk has room, not only once an editor happens to edit
// (found by a probe: /readyz stayed 503 after the disk was freed). Only a
// server that journals edits does: a follower's edits come from its
// primary.
func (l *Live) retryWrites() {
	if l.writeFailure() == nil {
		return
	}
	l.editMu.Lock()
	defer l.editMu.Unlock()
	if l.writer == nil {
		return
	}
	g, err := l.acquire()
	if err != nil {
		return
	}
	defer g.release()
	if _, err := l.catchUp(g); err != nil {
		return // still failing: writeFailed logged it once
	}
	l.writeOK()
	l.noteApplied(g.pos.Seq)
}

// pollCurrent follows CURRENT every interval, and retries writing edits
// that failed (retryWrites), until the service closes.
func (l *Live) pollCurrent(every time.Duration) {
	defer l.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-t.C:
		}
		l.retryWrites()
		err := l.Reload()
		l.followMu.Lock()
		if err != nil {
			// Log a failing target once, not every tick; SwitchFailing
			// tells the metrics for as long as it fails.
			target, _ := CurrentGeneration(l.cfg.IndexDir)
			inUse := errors.Is(err, ErrGenerationInUse)
			switch {
			case l.followFailed != target && inUse:
				// An offline reindex points CURRENT at its build a moment
				// before it closes it: a tick or two later the switch
				// succeeds (an editor's back-to-back reindexes logged an
				// error each). Said as an error only if it lasts.
				l.followFailed, l.followSince, l.followLogged = target, time.Now(), false
				l.log.Info("the new generation is still open in the process that built it; switching once it lets go", "generation", target)
			case l.followFailed != target:
				l.followFailed, l.followLogged = target, true
				l.log.Error("cannot switch to the new generation; still serving the old one", "generation", target, "err", err)
			case !l.followLogged && time.Since(l.followSince) >= inUseGrace:
				l.followLogged = true
				l.log.Error("cannot switch to the new generation; still serving the old one", "generation", target, "err", err)
			}
		} else if l.followFailed != "" {
			l.log.Info("switching to new generations again", "after", l.followFailed)
			l.followFailed = ""
		}
		l.followMu.Unlock()
	}
}

// inUseGrace is how long a new generation may stay open in the process
// that built it before the failing switch is logged as an error.
const inUseGrace = 30 * time.Second

// SwitchFailing returns the generation CURRENT names that the server could
// not switch to at its last look ("" when it serves what CURRENT names, or
// is switching to it). The server still serves its old generation, and
// answers ready; a restart would fail on the new one: an operator learns
// it from the metrics (zhsearch_index_switch_failing) before that.
func (l *Live) SwitchFailing() string {
	l.followMu.Lock()
	defer l.followMu.Unlock()
	return l.followFailed
}
