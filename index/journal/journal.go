// Package journal is the durable log of live article edits. Every upsert or
// delete accepted by the admin API is appended to it and fsynced before the
// API answers; the serving index and every full reindex replay it, so an
// accepted edit survives restarts, crashes and rebuilds.
//
// The journal is one file, by default journal/edits.log inside the data
// folder. The data-folder loader reads only files directly in the data
// folder, and only *.jsonl and *.txt, so the journal is never read as input.
// The first line is a header naming the journal's identity, a random id
// made when the journal is created; each later line is one JSON record.
// Every line ends with a tab and the CRC-32C of the JSON, in hex:
//
//	{"journal":"9f1c…","created":"2026-05-01T09:00:00Z"}	1a2b3c4d
//	{"seq":7,"time":"2026-05-01T10:00:00Z","op":"put","id":"a1","article":{…}}	5e6f7a8b
//	{"seq":8,"time":"2026-05-01T10:00:05Z","op":"delete","id":"a1"}	9c0d1e2f
//
// seq numbers records 1, 2, 3, … . Each generation of the index records the
// identity and the last seq it applied, so a journal that was removed,
// replaced or restored from an older copy is told apart from the one the
// generation has seen. Journals written before identities existed have no
// header and no checksums; they are read as they are, with the empty
// identity.
//
// Compact moves the records every generation holds to an archive file
// beside the journal (path.archive, same format); the journal's header then
// names the last archived seq, and only readers from before it read the
// archive.
//
// A record is written with one write call and fsynced; a crash can only
// leave a torn last line (no newline), which readers skip and the next
// writer cuts off (reporting it). A complete line that does not parse or
// fails its checksum is damage, anywhere in the file: reading stops with
// the file and line (DamageError) until Repair moves the damaged tail to a
// quarantine file.
package journal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/zhsearch/zhsearch"
)

// maxRecord bounds one record line: an article of an input line may be
// 16 MiB, and JSON escapes can make a character six bytes long.
const maxRecord = 128 << 20

// DefaultPath is where the journal of a data folder lives.
func DefaultPath(dataDir string) string {
	return filepath.Join(dataDir, "journal", "edits.log")
}

// PathOf is the journal a command uses: path, as --journal gives it, or
// the data folder's (DefaultPath) when it is empty.
func PathOf(dataDir, path string) string {
	if path == "" {
		return DefaultPath(dataDir)
	}
	return path
}

// CheckPlace refuses a journal path that the data folder would read as
// one of its inputs (DATA/*.jsonl, DATA/*.txt, DATA/dict/*.txt): edits
// were accepted there, and every later reindex then failed on the
// journal's header line as a malformed article, a fresh start with it.
func CheckPlace(dataDir, path string) error {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil // the data folder's own check says what is wrong
	}
	p, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	in, name := filepath.Dir(p), filepath.Base(p)
	ext := filepath.Ext(name)
	input := !strings.HasPrefix(name, ".") && (in == dir && (ext == ".jsonl" || ext == ".txt") ||
		in == filepath.Join(dir, "dict") && ext == ".txt")
	if input {
		return fmt.Errorf("edit journal %s is one of the data folder's input files, which a reindex reads as articles or words: put it elsewhere (default %s)", path, DefaultPath(dataDir))
	}
	return nil
}

// Record is one edit.
type Record struct {
	Seq     uint64            `json:"seq"`
	Time    time.Time         `json:"time"`
	Op      string            `json:"op"` // zhsearch.OpPut or zhsearch.OpDelete
	ID      string            `json:"id"`
	Article *zhsearch.Article `json:"article,omitempty"` // for OpPut
	// Journal is the identity of the journal the record was read from or
	// appended to (not stored in the line).
	Journal string `json:"-"`
	// Skip marks a message of an edit log that is no edit (a cluster's
	// stream message that does not decode): it takes its seq, so what
	// follows it applies and a log ending with it is caught up with, and
	// changes nothing. Never written to a journal file.
	Skip bool `json:"-"`
}

// header is the first line of a journal.
type header struct {
	Journal string    `json:"journal"` // the identity
	Created time.Time `json:"created"`
	// After is the last seq moved to the archive (Compact): the file holds
	// the records after it.
	After uint64 `json:"after,omitempty"`
}

// check validates a record read from or about to be written to the journal.
// Articles get the checks an accepted edit must always pass: one written
// was validated in full when it was accepted, and one read back must not be
// refused for a rule (a size limit, a character class) added since.
func (r *Record) check() error {
	switch r.Op {
	case zhsearch.OpPut:
		if r.Article == nil {
			return errors.New("put without an article")
		}
		if err := r.Article.ValidateAccepted(); err != nil {
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

// newID returns a fresh journal identity.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// encodeLine returns v as one journal line: JSON, a tab, its checksum and
// a newline.
func encodeLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <, >, & as they are: records stay small and readable
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	js := bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}) // JSON strings hold no raw newline or tab
	return append(js, fmt.Sprintf("\t%08x\n", checksum(js))...), nil
}

// Writer appends records to a journal. One process at a time may hold a
// Writer for a journal file: OpenWriter takes an exclusive lock on it.
type Writer struct {
	f     *os.File
	path  string
	id    string
	seq   uint64
	after uint64 // records up to this seq are in the archive
	size  int64
	cut   int64 // bytes of a torn tail cut by OpenWriter
	// broken is set when a failed append could not be rolled back: the file
	// may end in a torn line, and appending after it would corrupt the
	// journal, so every later Append fails until the next OpenWriter.
	broken error
}

// ErrLocked means another process holds the journal open for writing.
var ErrLocked = errors.New("the edit journal is open in another process (another zhsearch serve on this data folder?)")

// OpenWriter opens the journal at path for appending, creating it (with a
// new identity) and its folder if needed, and cuts off a torn last line
// left by a crash (see Cut). A damaged journal is an error (DamageError).
func OpenWriter(path string) (*Writer, error) {
	f, err := openLocked(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	w, err := startWriter(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// CheckFree fails with ErrLocked while another process holds the journal
// at path open for writing (a missing journal is free). A server checks it
// before building its first index, which a server already writing the
// journal would only make it refuse afterwards. The lock is not kept:
// OpenWriter takes it.
func CheckFree(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("open journal: %w", err)
	}
	defer f.Close() // releases the lock lockWriter takes
	return lockWriter(f)
}

// openLocked opens path with flag, creating its folder, and takes the
// writer's lock on it.
func openLocked(path string, flag int) (*os.File, error) {
	if err := checkRegular(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create journal folder: %w", err)
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if err := lockWriter(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// lockWriter takes the writer's lock on the journal open as f, for as
// long as f is open: ErrLocked while another process holds it.
func lockWriter(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrLocked
		}
		return fmt.Errorf("lock journal: %w", err)
	}
	return nil
}

// checkRegular refuses a journal path that names something other than a
// file: opened as one, a named pipe blocked the reindex or the server
// that read it (and SIGTERM with it), and a link to /dev/zero was read,
// or copied by journal repair, until memory or the disk ran out. A path
// with nothing at it passes: the journal is created there.
func checkRegular(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil // missing, or an error that opening it reports
	case fi.IsDir():
		// Read as a journal, a folder's read error said the journal was
		// damaged and sent the operator to journal repair, which fails.
		return fmt.Errorf("edit journal %s is a folder: --journal names the journal's file (DATA/journal/edits.log)", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("edit journal %s is not a regular file (%s): --journal names the journal's file (DATA/journal/edits.log)", path, fi.Mode().Type())
	}
	return nil
}

// startWriter reads the locked journal f, writes the header of an empty
// one or cuts a torn tail, and makes that durable.
func startWriter(f *os.File, path string) (*Writer, error) {
	info, err := Stat(path)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, path: path, id: info.ID, seq: info.Last, after: info.After, size: info.End}
	if info.Torn > 0 {
		if err := f.Truncate(info.End); err != nil {
			return nil, fmt.Errorf("cut torn journal record: %w", err)
		}
		w.cut = info.Torn
	}
	if info.End == 0 {
		w.id = newID()
		line, err := encodeLine(header{Journal: w.id, Created: time.Now().UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := f.WriteAt(line, 0); err != nil {
			return nil, fmt.Errorf("write journal header: %w", err)
		}
		w.size = int64(len(line))
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("sync journal: %w", err)
	}
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("sync journal folder: %w", err)
	}
	return w, nil
}

// Size returns the size of the journal file in bytes.
func (w *Writer) Size() int64 { return w.size }

// Path returns the journal's file.
func (w *Writer) Path() string { return w.path }

// ID returns the journal's identity ("" for a journal written before
// identities existed).
func (w *Writer) ID() string { return w.id }

// Seq returns the seq of the last record written.
func (w *Writer) Seq() uint64 { return w.seq }

// Cut returns how many bytes of a torn last line OpenWriter cut off: a
// record whose append a crash interrupted, never acknowledged.
func (w *Writer) Cut() int64 { return w.cut }

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
	line, err := encodeLine(r)
	if err != nil {
		return Record{}, fmt.Errorf("encode journal record: %w", err)
	}
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
	r.Journal = w.id
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
