package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
)

// castagnoli is the CRC-32C table of the line checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// Info describes a journal file as read.
type Info struct {
	// ID is the journal's identity; "" when the file is missing or was
	// written before identities existed.
	ID string
	// Exists reports whether the file exists.
	Exists bool
	// Last is the seq of the last record (0: none).
	Last uint64
	// After is the seq up to which records were moved to the archive
	// (Compact); the file itself holds the records after it.
	After uint64
	// Unread, for a journal renewed without all of its archive (Renew),
	// says which archived records it could not read: the archive is
	// missing, another journal's, or ends early (a repair quarantined its
	// damaged tail). Every other read fails instead.
	Unread error
	// End is the offset just past the last complete line; Torn the number
	// of bytes after it, a last line without its newline (an append a
	// crash interrupted, or one in progress).
	End, Torn int64
}

// DamageError is a complete journal line that does not parse, fails its
// checksum or breaks the order of seqs: the journal was damaged after it
// was written. Nothing after it is read.
type DamageError struct {
	Path   string
	Line   int
	Offset int64 // where the damaged line starts
	Msg    string
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("%s:%d: %s: the edit journal is damaged; `zhsearch journal repair --journal %s` moves "+
		"the damaged line and everything after it to a quarantine file", e.Path, e.Line, e.Msg, e.Path)
}

// Position is how far a reader (a generation of the index) has applied a
// journal: its identity and the last seq.
type Position struct {
	ID  string
	Seq uint64
}

// MismatchError means a journal is not the one a reader has applied up to
// a position: it is missing, has another identity (it was replaced) or
// ends before the position (restored from an older copy, or cut). Serving
// from it would lose acknowledged edits, or skip new ones whose seqs the
// reader believes it has.
type MismatchError struct {
	Path string
	Want Position
	Got  Info
}

func (e *MismatchError) Error() string {
	switch {
	case !e.Got.Exists:
		return fmt.Sprintf("edit journal %s is missing, but the index holds its edits up to seq %d", e.Path, e.Want.Seq)
	case e.Got.ID != e.Want.ID:
		return fmt.Sprintf("edit journal %s is journal %q, but the index holds edits up to seq %d of journal %q",
			e.Path, e.Got.ID, e.Want.Seq, e.Want.ID)
	}
	return fmt.Sprintf("edit journal %s ends at seq %d, but the index holds its edits up to seq %d (restored from an older copy, or cut?)",
		e.Path, e.Got.Last, e.Want.Seq)
}

// what says how the journal read is not the one wanted, for a message.
func (e *MismatchError) what() string {
	switch {
	case !e.Got.Exists:
		return "is missing"
	case e.Got.ID != e.Want.ID:
		return fmt.Sprintf("is journal %q's", e.Got.ID)
	}
	return fmt.Sprintf("ends at seq %d", e.Got.Last)
}

// Stat reads the whole journal at path and describes it. A missing file
// is an empty journal (Exists false).
func Stat(path string) (Info, error) {
	return scan(path, Position{}, nil, false)
}

// Read calls fn for every record of the journal at path after from.Seq,
// in order, and describes the journal. Records moved to the archive by
// Compact are read from it only when from.Seq is before them. When from.Seq > 0 the journal must
// be the one from names and reach from.Seq, or Read fails with a
// *MismatchError before calling fn. A torn last line is not a record and
// is skipped. A missing journal is empty. A damaged line stops the
// reading with a *DamageError.
func Read(path string, from Position, fn func(Record) error) (Info, error) {
	return scan(path, from, fn, false)
}

// scan reads the journal at path, calling fn (when set) for each record
// after from.Seq. With salvage, an archive that is missing, another
// journal's or cut short gives what it holds and Info.Unread, not an
// error: the renewal that an operator asks for to get past it.
func scan(path string, from Position, fn func(Record) error, salvage bool) (Info, error) {
	if err := checkRegular(path); err != nil {
		return Info{}, err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, from.check(path, Info{}, true)
	} else if err != nil {
		return Info{}, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	s := scanner{path: path, r: bufio.NewReaderSize(f, 64<<10), info: Info{Exists: true}}
	checked := false
	for {
		rec, ok, err := s.next()
		if err != nil {
			return s.info, err
		}
		if !ok {
			return s.info, from.check(path, s.info, true)
		}
		if rec == nil {
			if fn != nil && from.Seq < s.info.After { // the header: some records are archived
				if err := from.check(path, s.info, false); err != nil {
					return s.info, err
				}
				checked = true
				var me *MismatchError
				got := from.Seq
				err := readArchive(s.info, path, from.Seq, func(r Record) error { got = r.Seq; return fn(r) })
				if salvage && errors.As(err, &me) {
					s.info.Unread = fmt.Errorf("edits %d-%d could not be read: the archive %s %s", got+1, s.info.After, me.Path, me.what())
				} else if err != nil {
					return s.info, err
				}
			}
			continue
		}
		if !checked {
			if err := from.check(path, s.info, false); err != nil {
				return s.info, err
			}
			checked = true
		}
		rec.Journal = s.info.ID
		if rec.Seq > from.Seq && fn != nil {
			if err := fn(*rec); err != nil {
				return s.info, err
			}
		}
	}
}

// ArchivePath is where Compact moves the old records of the journal at
// path.
func ArchivePath(path string) string { return path + ".archive" }

// readArchive calls fn for the archived records of the journal described
// by hot, at path, after seq after. The archive must be the journal's and
// reach hot.After.
func readArchive(hot Info, path string, after uint64, fn func(Record) error) error {
	apath := ArchivePath(path)
	want := Position{ID: hot.ID, Seq: hot.After}
	if err := checkRegular(apath); err != nil {
		return err
	}
	f, err := os.Open(apath)
	if errors.Is(err, os.ErrNotExist) {
		return &MismatchError{Path: apath, Want: want}
	} else if err != nil {
		return fmt.Errorf("open journal archive: %w", err)
	}
	defer f.Close()
	s := scanner{path: apath, r: bufio.NewReaderSize(f, 64<<10), info: Info{Exists: true}}
	for {
		rec, ok, err := s.next()
		switch {
		case err != nil:
			return err
		case s.info.ID != hot.ID:
			return &MismatchError{Path: apath, Want: want, Got: s.info}
		case !ok && s.info.Last < hot.After:
			return &MismatchError{Path: apath, Want: want, Got: s.info}
		case !ok:
			return nil
		case rec == nil || rec.Seq <= after:
			continue
		case rec.Seq > hot.After:
			// Records past hot.After are left by a compaction a crash
			// interrupted: the journal file holds them.
			return nil
		}
		rec.Journal = hot.ID
		if err := fn(*rec); err != nil {
			return err
		}
	}
}

// check reports a *MismatchError when the journal read so far (all of it
// when end is set) is not the one p names.
func (p Position) check(path string, got Info, end bool) error {
	if p.Seq == 0 {
		return nil
	}
	if !got.Exists || got.ID != p.ID || (end && got.Last < p.Seq) {
		return &MismatchError{Path: path, Want: p, Got: got}
	}
	return nil
}

// scanner reads a journal line by line.
type scanner struct {
	path   string
	r      *bufio.Reader
	line   int
	info   Info
	modern bool // the file has a header: every line carries a checksum
}

// next reads the next line: a record, nil for the header, ok false at the
// end.
func (s *scanner) next() (rec *Record, ok bool, err error) {
	s.line++
	line, rerr := readLine(s.r)
	switch {
	case rerr == io.EOF:
		s.info.Torn = int64(len(line))
		return nil, false, nil
	case rerr != nil:
		return nil, false, s.damage(rerr.Error())
	}
	rec, err = s.parse(line)
	if err != nil {
		return nil, false, err
	}
	s.info.End += int64(len(line)) + 1
	if rec != nil {
		s.info.Last = rec.Seq
	}
	return rec, true, nil
}

// parse checks one complete line (without its newline) and decodes it.
func (s *scanner) parse(line []byte) (*Record, error) {
	js, err := s.verify(line)
	if err != nil {
		return nil, err
	}
	if s.line == 1 && bytes.HasPrefix(js, []byte(`{"journal":`)) {
		var h header
		if err := json.Unmarshal(js, &h); err != nil || h.Journal == "" {
			return nil, s.damage("malformed journal header")
		}
		s.info.ID, s.modern = h.Journal, true
		s.info.After, s.info.Last = h.After, h.After
		return nil, nil
	}
	var rec Record
	if err := json.Unmarshal(js, &rec); err != nil {
		return nil, s.damage("malformed record: " + err.Error())
	}
	if err := rec.check(); err != nil {
		return nil, s.damage(err.Error())
	}
	if rec.Seq <= s.info.Last {
		return nil, s.damage(fmt.Sprintf("seq %d after %d", rec.Seq, s.info.Last))
	}
	return &rec, nil
}

// verify splits a line into its JSON and checksum and checks it. A line
// without a checksum is accepted only in a journal without a header.
func (s *scanner) verify(line []byte) ([]byte, error) {
	i := bytes.LastIndexByte(line, '\t')
	if i < 0 {
		if s.modern || (s.line == 1 && bytes.HasPrefix(line, []byte(`{"journal":`))) {
			return nil, s.damage("line without a checksum")
		}
		return line, nil
	}
	js, sum := line[:i], line[i+1:]
	want, err := strconv.ParseUint(string(sum), 16, 32)
	if err != nil || len(sum) != 8 {
		return nil, s.damage("malformed checksum")
	}
	if checksum(js) != uint32(want) {
		return nil, s.damage("checksum mismatch")
	}
	return js, nil
}

// damage returns the DamageError of the current line.
func (s *scanner) damage(msg string) error {
	return &DamageError{Path: s.path, Line: s.line, Offset: s.info.End, Msg: msg}
}

// readLine returns the next line without its '\n'; err is io.EOF when the
// file ends without one (the bytes read are returned).
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
