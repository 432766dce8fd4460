package journal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Repair moves the damaged tail of the journal at path, from its first
// damaged line (or a torn last line) to the end, into a quarantine file
// beside it, and cuts the journal there. It returns the quarantine file's
// path, "" when the journal was sound, and the *DamageError it repaired.
// It fails with ErrLocked while a server has the journal open for edits,
// and with an error wrapping os.ErrNotExist, creating nothing, when there is
// no journal at path (a mistyped path must not pass for a sound journal).
func Repair(path string) (quarantine string, damage *DamageError, err error) {
	if _, err := os.Stat(path); err != nil {
		return "", nil, fmt.Errorf("no journal at %s: %w", path, err)
	}
	f, err := openLocked(path, os.O_RDWR)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	info, err := Stat(path)
	cut := info.End
	if !errors.As(err, &damage) {
		if err != nil {
			return "", nil, err
		}
		if info.Torn == 0 {
			return "", nil, nil
		}
	} else {
		cut = damage.Offset
	}
	quarantine = fmt.Sprintf("%s.quarantine-%s", path, time.Now().UTC().Format("20060102T150405.000000000"))
	if err := copyTail(f, cut, quarantine); err != nil {
		return "", nil, err
	}
	if err := f.Truncate(cut); err != nil {
		return "", nil, fmt.Errorf("cut journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", nil, fmt.Errorf("sync journal: %w", err)
	}
	return quarantine, damage, nil
}

// copyTail writes f's bytes from offset on to a new file at dst, durably.
func copyTail(f *os.File, offset int64, dst string) error {
	q, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create quarantine file: %w", err)
	}
	_, err = io.Copy(q, io.NewSectionReader(f, offset, 1<<62))
	if err == nil {
		err = q.Sync()
	}
	if cerr := q.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = SyncDir(filepath.Dir(dst))
	}
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("write quarantine file: %w", err)
	}
	return nil
}

// Renew gives the journal at path a new identity, keeping its records,
// archived ones included (same seqs, now with checksums): generations that
// applied the old journal no longer match it, so they are rebuilt rather
// than trusted. The old file (and archive) is kept beside it as
// path.replaced-TIME (path.archive.replaced-TIME); a missing journal is
// created empty. It returns the new journal's description and the old
// file's new name ("" if there was none). It fails with ErrLocked while a
// server has the journal open for edits, and on a damaged journal.
func Renew(path string) (Info, string, error) {
	r, err := PrepareRenew(path)
	if err != nil {
		return Info{}, "", err
	}
	old, err := r.Commit()
	return r.Info, old, err
}

// Renewal is a renewed journal (see Renew) written beside the journal at
// Path and not yet in its place, so that a build can replay it and record
// its identity while the old journal stays what the live generation
// applied: Commit puts it in place once the build succeeded, Abort drops
// it. The old journal stays locked until then.
type Renewal struct {
	Info        // the renewed journal
	Path string // where it is written until Commit: replay it from there
	dst  string
	lock *os.File // the old journal, locked
	// empty: the old journal held no record (it is not kept); created: it
	// did not exist (Abort removes the empty file the lock made).
	empty, created bool
}

// PrepareRenew writes the renewal of the journal at path beside it. It
// fails with ErrLocked while a server has the journal open for edits, and
// on a damaged journal.
func PrepareRenew(path string) (*Renewal, error) {
	_, statErr := os.Stat(path)
	f, err := openLocked(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	r := &Renewal{Path: path + ".new", dst: path, lock: f, created: errors.Is(statErr, os.ErrNotExist)}
	info, err := Stat(path)
	if err == nil {
		r.empty = info.End == 0 // empty, or only a torn line: a new journal
		from := path
		if r.empty {
			from = ""
		}
		r.Info, err = writeRenewed(from, r.Path)
	}
	if err != nil {
		r.Abort()
		return nil, err
	}
	return r, nil
}

// Commit puts the renewed journal in place, keeping the old one (and its
// archive) beside it, and returns the old one's new name ("" for an empty
// one).
func (r *Renewal) Commit() (old string, err error) {
	defer r.lock.Close()
	fail := func(what string, err error) (string, error) {
		os.Remove(r.Path)
		return "", fmt.Errorf("%s: %w", what, err)
	}
	suffix := ".replaced-" + time.Now().UTC().Format("20060102T150405.000000000")
	if !r.empty {
		old = r.dst + suffix
		if err := os.Link(r.dst, old); err != nil {
			return fail("keep the old journal", err)
		}
	}
	// The new journal holds the archived records too.
	if err := os.Rename(ArchivePath(r.dst), ArchivePath(r.dst)+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail("keep the old journal archive", err)
	}
	if err := os.Rename(r.Path, r.dst); err != nil {
		return fail("replace the journal", err)
	}
	return old, SyncDir(filepath.Dir(r.dst))
}

// Abort drops the renewed journal: the old one stays as it was.
func (r *Renewal) Abort() {
	os.Remove(r.Path)
	if r.created {
		os.Remove(r.dst)
	}
	r.lock.Close()
}

// writeRenewed writes to tmp a journal with a new identity holding the
// records of the journal at path (none when path is ""), durably.
func writeRenewed(path, tmp string) (Info, error) {
	t, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return Info{}, fmt.Errorf("create new journal: %w", err)
	}
	defer t.Close()
	w, err := startWriter(t, tmp)
	if err != nil {
		return Info{}, err
	}
	if path == "" {
		return Info{Exists: true, ID: w.id, End: w.size}, nil
	}
	// What the archive cannot give is left out, not fatal: renewing is
	// the way past a journal that no longer holds what it held.
	read, err := scan(path, Position{}, func(r Record) error {
		line, err := encodeLine(r)
		if err == nil {
			_, err = t.WriteAt(line, w.size)
			w.size += int64(len(line))
			w.seq = r.Seq
		}
		return err
	}, true)
	if err == nil {
		err = t.Sync()
	}
	return Info{Exists: true, ID: w.id, Last: w.seq, End: w.size, Unread: read.Unread}, err
}
