package index

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// closed runs after an old generation closes: its folder can go now.
func (l *Live) closed(g *generation) {
	l.log.Info("closed old generation", "generation", g.name)
	l.requestClean()
}

// requestClean asks the janitor to remove old generations.
func (l *Live) requestClean() {
	select {
	case l.cleanReq <- struct{}{}:
	default: // one is pending already
	}
}

// janitor removes old generations when asked, and keeps retrying while
// some are left: a folder still read by a request, by another process, or
// locked by a build right now is removed on a later pass.
func (l *Live) janitor() {
	defer l.wg.Done()
	const maxWait = 30 * time.Second
	wait := time.Second
	var retry <-chan time.Time
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-l.cleanReq:
			wait = time.Second
		case <-retry:
		}
		retry = nil
		if !l.clean() {
			retry = time.After(wait)
			wait = min(2*wait, maxWait)
		}
	}
}

// clean removes old generations and leftovers of crashed builds that no
// process uses, if no build holds the lock, and reports whether none is
// left.
func (l *Live) clean() bool {
	removed, err := CleanGenerations(l.cfg.IndexDir, l.Generation())
	switch {
	case errors.Is(err, ErrLocked):
		return false
	case err != nil:
		l.log.Warn("removing old generations", "err", err)
		return false
	case len(removed) > 0:
		l.log.Info("removed old generations", "removed", removed)
	}
	left, err := l.leftovers()
	return err == nil && len(left) == 0
}

// leftovers lists the generation folders other than the live one and the
// one this service serves.
func (l *Live) leftovers() ([]string, error) {
	entries, err := os.ReadDir(l.cfg.IndexDir)
	if err != nil {
		return nil, err
	}
	live, _ := CurrentGeneration(l.cfg.IndexDir)
	var left []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && strings.HasPrefix(name, genPrefix) && name != filepath.Base(live) && name != l.Generation() {
			left = append(left, name)
		}
	}
	return left, nil
}

// removeGeneration deletes a generation folder that never went live.
func (l *Live) removeGeneration(path string) {
	if err := os.RemoveAll(path); err != nil {
		l.log.Warn("removing unused generation", "path", path, "err", err)
	}
}
