package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Compact moves the records up to seq upTo (a generation of the index holds
// them all) from the journal file to its archive (ArchivePath), so that
// catching a generation up reads only what is new. Full rebuilds, and
// generations behind upTo, read the archive too. The archive is appended
// to and synced first; the journal file is then replaced atomically by one
// whose header says the records up to upTo are archived. A crash in
// between leaves records in both, which readers take once. Journals
// without an identity (written before identities existed) are not
// compacted.
func (w *Writer) Compact(upTo uint64) error {
	upTo = min(upTo, w.seq)
	if w.broken != nil || w.id == "" || upTo <= w.after {
		return nil
	}
	if err := w.archive(upTo); err != nil {
		return fmt.Errorf("compact journal: %w", err)
	}
	if err := w.rewrite(upTo); err != nil {
		return fmt.Errorf("compact journal: %w", err)
	}
	return nil
}

// archive appends the journal's records up to upTo that the archive lacks
// to the archive, creating it, and syncs it.
func (w *Writer) archive(upTo uint64) error {
	apath := ArchivePath(w.path)
	a, err := os.OpenFile(apath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer a.Close()
	info, err := Stat(apath)
	if err != nil {
		return err
	}
	size := info.End
	if size == 0 {
		line, err := encodeLine(header{Journal: w.id, Created: time.Now().UTC()})
		if err != nil {
			return err
		}
		if _, err := a.WriteAt(line, 0); err != nil {
			return err
		}
		size = int64(len(line))
	} else if info.ID != w.id {
		return fmt.Errorf("%s belongs to journal %q, not %q", apath, info.ID, w.id)
	}
	// From w.after on, the journal file alone is read.
	_, err = Read(w.path, Position{ID: w.id, Seq: w.after}, func(r Record) error {
		if r.Seq <= info.Last || r.Seq > upTo {
			return nil
		}
		line, err := encodeLine(r)
		if err == nil {
			_, err = a.WriteAt(line, size)
			size += int64(len(line))
		}
		return err
	})
	if err == nil {
		err = a.Truncate(size) // a torn tail of an interrupted compaction
	}
	if err == nil {
		err = a.Sync()
	}
	if err == nil {
		err = SyncDir(filepath.Dir(apath))
	}
	return err
}

// rewrite replaces the journal file with one whose header archives the
// records up to upTo and that holds the records after it, locked before
// it takes the file's name; the Writer then appends to it.
func (w *Writer) rewrite(upTo uint64) error {
	tmp := w.path + ".compact"
	t, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	size, err := w.writeRest(t, upTo)
	if err == nil {
		err = syscall.Flock(int(t.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err == nil {
		err = os.Rename(tmp, w.path)
	}
	if err != nil {
		t.Close()
		os.Remove(tmp)
		return err
	}
	w.f.Close()
	w.f, w.size, w.after = t, size, upTo
	return SyncDir(filepath.Dir(w.path))
}

// writeRest writes to t the header archiving the records up to upTo and
// the journal's records after it, syncs t and returns its size.
func (w *Writer) writeRest(t *os.File, upTo uint64) (int64, error) {
	line, err := encodeLine(header{Journal: w.id, Created: time.Now().UTC(), After: upTo})
	if err != nil {
		return 0, err
	}
	buf := line
	_, err = Read(w.path, Position{ID: w.id, Seq: upTo}, func(r Record) error {
		line, err := encodeLine(r)
		buf = append(buf, line...)
		return err
	})
	if err != nil {
		return 0, err
	}
	if _, err := t.WriteAt(buf, 0); err != nil {
		return 0, err
	}
	return int64(len(buf)), t.Sync()
}
