// Package journal is the durable log of live article edits. Every upsert or
// delete accepted by the admin API is appended to it and fsynced before the
// API answers; the serving index and every full reindex replay it, so an
// accepted edit survives restarts, crashes and rebuilds.
//
// The journal is one file, by default journal/edits.log inside the data
// folder. The data-folder loader reads only files directly in the data
// folder, and only *.jsonl and *.txt, so the journal is never read as input.
// Each line is one JSON record:
//
//	{"seq":7,"time":"2026-05-01T10:00:00Z","op":"put","id":"a1","article":{…}}
//	{"seq":8,"time":"2026-05-01T10:00:05Z","op":"delete","id":"a1"}
//
// seq numbers records 1, 2, 3, … . A record is written with one write call
// and fsynced; a crash can only leave a torn last line, which readers ignore
// and the next writer cuts off. A bad line anywhere else is corruption and
// is reported with the file and line.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/corpus"
)

// maxRecord bounds one record line: an article of an input line may be
// 16 MiB, and JSON escapes can make a character six bytes long.
const maxRecord = 128 << 20

// DefaultPath is where the journal of a data folder lives.
func DefaultPath(dataDir string) string {
	return filepath.Join(dataDir, "journal", "edits.log")
}

// Record is one edit.
type Record struct {
	Seq     uint64            `json:"seq"`
	Time    time.Time         `json:"time"`
	Op      string            `json:"op"` // zhsearch.OpPut or zhsearch.OpDelete
	ID      string            `json:"id"`
	Article *zhsearch.Article `json:"article,omitempty"` // for OpPut
}

// check validates a record read from or about to be written to the journal.
func (r *Record) check() error {
	switch r.Op {
	case zhsearch.OpPut:
		if r.Article == nil {
			return errors.New("put without an article")
		}
		if err := r.Article.Validate(); err != nil {
			return errors.New(zhsearch.ErrorMessage(err))
		}
		if r.Article.ID != r.ID {
			return fmt.Errorf("put of %q carries article %q", r.ID, r.Article.ID)
		}
	case zhsearch.OpDelete:
		if !zhsearch.ValidID(r.ID) {
			return fmt.Errorf("delete of bad id %q", r.ID)
		}
	default:
		return fmt.Errorf("unknown op %q", r.Op)
	}
	return nil
}

// scan reads the journal at path and calls fn for each valid record. It
// returns the offset just past the last valid record, the last seq, and
// whether bytes after that offset are a torn last line. A missing file is an
// empty journal.
func scan(path string, fn func(Record) error) (end int64, last uint64, torn bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, false, nil
	} else if err != nil {
		return 0, 0, false, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var off int64
	var pending error // a bad line: corruption unless it is the last one
	for n := 1; ; n++ {
		line, rerr := readLine(r)
		if rerr == io.EOF && len(line) == 0 {
			break
		}
		if pending != nil {
			return 0, 0, false, pending // a bad line with more after it
		}
		if rerr != nil && rerr != io.EOF {
			return 0, 0, false, &corpus.InputError{Source: corpus.Source{File: path, Line: n}, Msg: rerr.Error()}
		}
		complete := rerr == nil // ends with '\n'
		var rec Record
		bad := !complete
		if !bad {
			if err := json.Unmarshal(line, &rec); err != nil {
				bad = true
				pending = &corpus.InputError{Source: corpus.Source{File: path, Line: n}, Msg: "malformed record: " + err.Error()}
			} else if err := rec.check(); err != nil {
				bad = true
				pending = &corpus.InputError{Source: corpus.Source{File: path, Line: n}, Msg: err.Error()}
			} else if rec.Seq <= last {
				bad = true
				pending = &corpus.InputError{Source: corpus.Source{File: path, Line: n},
					Msg: fmt.Sprintf("seq %d after %d", rec.Seq, last)}
			}
		}
		if bad {
			torn = true
			if pending == nil {
				pending = &corpus.InputError{Source: corpus.Source{File: path, Line: n}, Msg: "torn record"}
			}
			if rerr == io.EOF {
				break
			}
			continue
		}
		if fn != nil {
			if err := fn(rec); err != nil {
				return 0, 0, false, err
			}
		}
		off += int64(len(line)) + 1
		last = rec.Seq
		if rerr == io.EOF {
			break
		}
	}
	return off, last, torn, nil
}

// readLine returns the next line without its '\n'; err is io.EOF when the
// file ends without one.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxRecord {
			return nil, fmt.Errorf("record longer than %d bytes", maxRecord)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(buf, []byte{'\n'}), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return buf, err
		}
	}
}

// Read calls fn for every record of the journal at path with Seq > after,
// in order, and returns the last seq in the journal. A torn last line (an
// append in progress, or a crash in the middle of one) is not a record and is
// skipped. A missing journal is empty.
func Read(path string, after uint64, fn func(Record) error) (last uint64, err error) {
	_, last, _, err = scan(path, func(r Record) error {
		if r.Seq <= after || fn == nil {
			return nil
		}
		return fn(r)
	})
	return last, err
}

// Writer appends records to a journal. One process at a time may hold a
// Writer for a journal file: OpenWriter takes an exclusive lock on it.
type Writer struct {
	f    *os.File
	path string
	seq  uint64
	size int64
	// broken is set when a failed append could not be rolled back: the file
	// may end in a torn line, and appending after it would corrupt the
	// journal, so every later Append fails until the next OpenWriter.
	broken error
}

// ErrLocked means another process holds the journal open for writing.
var ErrLocked = errors.New("the edit journal is open in another process (another zhsearch serve on this data folder?)")

// OpenWriter opens the journal at path for appending, creating it and its
// folder if needed, and cuts off a torn last line left by a crash.
func OpenWriter(path string) (*Writer, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create journal folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock journal: %w", err)
	}
	end, last, torn, err := scan(path, nil)
	if err != nil {
		f.Close()
		return nil, err
	}
	if torn {
		if err := f.Truncate(end); err != nil {
			f.Close()
			return nil, fmt.Errorf("cut torn journal record: %w", err)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync journal: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync journal folder: %w", err)
	}
	return &Writer{f: f, path: path, seq: last, size: end}, nil
}

// Path returns the journal's file.
func (w *Writer) Path() string { return w.path }

// Seq returns the seq of the last record written.
func (w *Writer) Seq() uint64 { return w.seq }

// Append gives r the next seq and the current time, writes it and fsyncs
// the file. When Append returns nil the record is durable.
func (w *Writer) Append(r Record) (Record, error) {
	if w.broken != nil {
		return Record{}, w.broken
	}
	r.Seq = w.seq + 1
	r.Time = time.Now().UTC()
	if err := r.check(); err != nil {
		return Record{}, fmt.Errorf("journal record: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <, >, & as they are: records stay small and readable
	if err := enc.Encode(r); err != nil {
		return Record{}, fmt.Errorf("encode journal record: %w", err)
	}
	line := buf.Bytes() // Encode ends it with '\n'; JSON strings hold no raw newline
	if len(line) > maxRecord {
		return Record{}, fmt.Errorf("journal record of %d bytes is too large", len(line))
	}
	if _, err := w.f.WriteAt(line, w.size); err != nil {
		return Record{}, w.rollback(fmt.Errorf("write journal: %w", err))
	}
	if err := w.f.Sync(); err != nil {
		return Record{}, w.rollback(fmt.Errorf("sync journal: %w", err))
	}
	w.seq = r.Seq
	w.size += int64(len(line))
	return r, nil
}

// rollback cuts a failed append off the end of the file.
func (w *Writer) rollback(cause error) error {
	if err := w.f.Truncate(w.size); err != nil {
		w.broken = fmt.Errorf("%w (and the journal could not be repaired: %v; restart to repair it)", cause, err)
		return w.broken
	}
	return cause
}

// Close closes the journal file, releasing its lock.
func (w *Writer) Close() error { return w.f.Close() }

// SyncDir fsyncs a folder, making the creation, removal or renaming of
// its entries durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
