package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"time"
)

// Bodies out of memory: a Loader told to DeferBodies keeps no JSONL
// article's body. It records where the article's line is instead (BodyRef:
// file, line, byte offset, length and a checksum of the line) and the size
// and modification time of each file it read, and a BodyReader reads the
// body back when the indexer needs it, in file order, so the reads are
// sequential. A file that is not the one read (another size or mtime) or a
// line that is not the one read (another checksum or id) is an error naming
// the file and line, never another text indexed.

// crcTable is CRC-32C, which the CPU computes.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// BodyRef says where the body of an article left on disk is: the line of a
// JSONL file it was read from. The zero BodyRef means the body is in
// memory.
type BodyRef struct {
	file int32  // 1 + index in the reader's file table; 0: none
	line int32  // 1-based line number
	off  int64  // offset of the line's first byte
	n    int32  // length of the line without its line break
	sum  uint32 // CRC-32C of those n bytes
}

// IsZero reports whether the body is in memory rather than on disk.
func (r BodyRef) IsZero() bool { return r.file == 0 }

// fileStamp is a data file as the loader read it.
type fileStamp struct {
	path    string
	size    int64
	modTime time.Time
}

// stampFile records f as read, once the loader has read it all.
func stampFile(path string, f *os.File) (fileStamp, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{path: path, size: fi.Size(), modTime: fi.ModTime()}, nil
}

// ChangedError means a data file is not the one the loader read: it was
// changed, replaced or removed while a build read it twice.
type ChangedError struct {
	Source
	Msg string
}

func (e *ChangedError) Error() string {
	return e.Source.String() + ": data file changed during the build (" + e.Msg + "); run the build again"
}

// BodyReader reads the bodies a Loader left on disk. It is not safe for
// concurrent use; reads in file order are sequential.
type BodyReader struct {
	files []fileStamp
	cur   int32 // file open in f: 1 + index, 0 for none
	f     *os.File
	r     *bufio.Reader
	pos   int64 // file offset of r's next byte
	buf   []byte
}

// BodyReader returns a reader of the bodies the corpus left on disk; the
// caller closes it.
func (c *Corpus) BodyReader() *BodyReader {
	return &BodyReader{files: c.files}
}

// Close closes the file being read.
func (br *BodyReader) Close() error {
	if br.f == nil {
		return nil
	}
	err := br.f.Close()
	br.f, br.r, br.cur = nil, nil, 0
	return err
}

// skipAhead is the gap up to which the reader reads through bytes it does
// not need rather than seek.
const skipAhead = 256 << 10

// Body returns the body of the article id that ref places on disk.
func (br *BodyReader) Body(ref BodyRef, id string) (string, error) {
	body, err := br.body(ref, id)
	if err != nil {
		br.Close() // where the file stands is unknown: the next read opens it again
	}
	return body, err
}

func (br *BodyReader) body(ref BodyRef, id string) (string, error) {
	if ref.file <= 0 || int(ref.file) > len(br.files) {
		return "", fmt.Errorf("article %s: no body on disk", id)
	}
	stamp := br.files[ref.file-1]
	src := Source{File: stamp.path, Line: int(ref.line)}
	if err := br.open(ref.file, src); err != nil {
		return "", err
	}
	if gap := ref.off - br.pos; gap < 0 || gap > skipAhead {
		if _, err := br.f.Seek(ref.off, io.SeekStart); err != nil {
			return "", fmt.Errorf("%s: %w", src, err)
		}
		br.r.Reset(br.f)
	} else if _, err := br.r.Discard(int(gap)); err != nil {
		return "", br.readErr(src, err)
	}
	br.pos = ref.off
	if cap(br.buf) < int(ref.n) {
		br.buf = make([]byte, ref.n)
	}
	line := br.buf[:ref.n]
	if _, err := io.ReadFull(br.r, line); err != nil {
		return "", br.readErr(src, err)
	}
	br.pos += int64(ref.n)
	if crc32.Checksum(line, crcTable) != ref.sum {
		return "", &ChangedError{Source: src, Msg: "the line is not the one read"}
	}
	// The line is the one zhsearch.DecodeArticle read and validated: its
	// id and body decode the same way into this struct (the same fields,
	// keys matched the same way, the last of a repeated key winning), and
	// the rest of it need not be decoded again.
	var a struct {
		ID   string `json:"id"`
		Body string `json:"body"`
	}
	if err := json.Unmarshal(lineText(line, int(ref.line)), &a); err != nil { // trimmed as the loader did
		return "", &ChangedError{Source: src, Msg: "the line is not the one read: " + err.Error()}
	}
	if got := strings.TrimSpace(a.ID); got != id {
		return "", &ChangedError{Source: src, Msg: fmt.Sprintf("the line holds article %q, not %q", got, id)}
	}
	return a.Body, nil
}

// open makes file the one being read, checking that it is the one the
// loader read.
func (br *BodyReader) open(file int32, src Source) error {
	if br.cur == file {
		return nil
	}
	br.Close()
	stamp := br.files[file-1]
	f, err := os.Open(stamp.path)
	if err != nil {
		return &ChangedError{Source: src, Msg: err.Error()}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", src, err)
	}
	if fi.Size() != stamp.size || !fi.ModTime().Equal(stamp.modTime) {
		f.Close()
		return &ChangedError{Source: src, Msg: fmt.Sprintf("read with %d bytes modified %s, now %d bytes modified %s",
			stamp.size, stamp.modTime.Format(time.RFC3339Nano), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))}
	}
	br.f, br.cur, br.pos = f, file, 0
	br.r = bufio.NewReaderSize(f, 1<<20)
	return nil
}

// readErr words an error reading the line at src: a file that ends early
// was cut since it was read.
func (br *BodyReader) readErr(src Source, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &ChangedError{Source: src, Msg: "the file ends before the line"}
	}
	return fmt.Errorf("%s: %w", src, err)
}
