package analysis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing/fstest"

	"github.com/zhsearch/zhsearch/data"
)

// DictSet is one dictionary as a segmenter loads it: the dict/*.txt files
// (domain words, stop words, the query lexicon) and an ID that names their
// content. A generation records the set it was built with, so the index and
// the queries of one generation always cut text alike, whatever the binary
// embeds or the data folder holds later.
type DictSet struct {
	ID    string            // first 16 hex digits of the SHA-256 of names and contents
	Files map[string][]byte // "dict/domain.txt" → content
	// Prepared is the prepared form (prepared.go) of the set's gse
	// dictionary that a generation recorded (WritePrepared), or nil.
	// Loading it takes a tenth of the text's time and half the memory, so
	// a generation built with an editor's dictionary starts as fast as one
	// built with the embedded one. It is not part of the ID: it is
	// derived from the files, and checked against them when loaded.
	Prepared []byte
	// Replaced says, for each of a data folder's files that replaced a
	// built-in one (DataDicts), which of the built-in file's entries it
	// lacks, sorted: an editor who starts dict/domain.txt with one new
	// word drops the built-in domain words (风控, 套路贷 …) from the next
	// build.
	Replaced map[string][]string
	// Dir is the folder the files were read from (a data folder or a
	// generation; "" for the embedded set): errors name the files under
	// it, so an operator can open the one at fault.
	Dir string
	// preparedProblem says why a generation's prepared form was not read
	// (GenerationDicts): missing or damaged; "" when it was, or for a set
	// not read from a generation.
	preparedProblem string
}

// Names returns the set's file names without their dict/ folder, sorted.
func (d *DictSet) Names() []string {
	out := make([]string, 0, len(d.Files))
	for name := range d.Files {
		out = append(out, path.Base(name))
	}
	sort.Strings(out)
	return out
}

// Warnings describes, one line each, the built-in entries that a data
// folder's dictionary files leave out (Replaced), sorted by file.
func (d *DictSet) Warnings() []string {
	var out []string
	for name, missing := range d.Replaced {
		if n := len(missing); n > 0 {
			base := path.Base(name)
			shown := missing[:min(n, missingShown)]
			more := ""
			if n > len(shown) {
				more = fmt.Sprintf(" and %d more", n-len(shown))
			}
			out = append(out, fmt.Sprintf("%s replaces the built-in %s and lacks %d of its entries (%s%s); "+
				"start from the built-in file (`zhsearch dict builtin %s`) and add to it", name, base, n, strings.Join(shown, "; "), more, base))
		}
	}
	sort.Strings(out)
	return out
}

// missingShown bounds the missing entries a warning names.
const missingShown = 5

// entries returns the entries of dictionary file name: of each line that
// is not blank or a comment, its first field (a word, a spoken form, a
// question word, whatever frequency or weight follows), or for
// synonyms.txt the whole group, its fields joined by one space (a word
// may start two groups: 注销 关闭 关掉 dropped went unnoticed while 注销
// still started 注销 销号 销户). Lines may end in \n, \r\n or a lone \r,
// as the loaders read them.
func entries(name string, b []byte) map[string]bool {
	group := path.Base(name) == "synonyms.txt"
	out := map[string]bool{}
	for _, line := range strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' || r == '\r' }) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case group:
			out[strings.Join(f, " ")] = true
		default:
			out[f[0]] = true
		}
	}
	return out
}

// lacking returns the entries of base, the built-in file name, that b
// does not have, sorted.
func lacking(name string, base, b []byte) []string {
	have := entries(name, b)
	var out []string
	for e := range entries(name, base) {
		if !have[e] {
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return out
}

// preparedFile is where a generation keeps the prepared form of its
// dictionary, beside the dict/*.txt files it was made from.
const preparedFile = "dict/prepared.bin"

// dictGlob names the files of a set inside a folder.
const dictGlob = "dict/*.txt"

// EmbeddedDicts returns the dictionary compiled into the binary.
var EmbeddedDicts = sync.OnceValue(func() *DictSet {
	d, err := readDicts(data.Dict, "", nil)
	if err != nil {
		panic("analysis: " + err.Error()) // embedded data: a build defect
	}
	return d
})

// DataDicts returns the dictionary of a data folder: its dict/*.txt files
// over the embedded ones, file by file, so an editor who adds a word to
// DIR/dict/domain.txt and reindexes gets it without a new binary. A data
// folder without dict/ gets the embedded dictionary.
func DataDicts(dataDir string) (*DictSet, error) {
	if fi, err := os.Stat(filepath.Join(dataDir, "dict")); err == nil && !fi.IsDir() {
		// Read as no dictionary at all, it silently served the embedded one.
		return nil, errors.New("dict: not a folder")
	}
	if err := checkDictNames(dataDir); err != nil {
		return nil, err
	}
	return readDicts(os.DirFS(dataDir), dataDir, EmbeddedDicts())
}

// checkDictNames refuses the file names an editor means as dictionaries
// that would not be read as such: dict/stop.TXT was passed over without a
// word (only *.txt is read), and dict/Stop.txt read as a list of domain
// words, not as the stop words.
func checkDictNames(dataDir string) error {
	entries, err := os.ReadDir(filepath.Join(dataDir, "dict"))
	if err != nil {
		return nil // no folder: the embedded dictionary; unreadable: readDicts says
	}
	builtin := EmbeddedDicts().Files
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		shown := filepath.Join(dataDir, "dict", name)
		lower := strings.ToLower(name)
		if strings.HasSuffix(lower, ".txt") && !strings.HasSuffix(name, ".txt") {
			return fmt.Errorf("%s: a dictionary's name ends in .txt, in lower case, or it is not read", shown)
		}
		if _, ok := builtin["dict/"+lower]; ok && lower != name {
			return fmt.Errorf("%s: name it %s (names are case-sensitive: this one would be read as a list of domain words)", shown, lower)
		}
	}
	return nil
}

// GenerationDicts returns the dictionary recorded in a generation folder,
// or nil when it records none (a generation built before dictionaries were
// recorded: it was built with the embedded one of its day).
func GenerationDicts(dir string) (*DictSet, error) {
	if _, err := os.Stat(filepath.Join(dir, "dict")); os.IsNotExist(err) {
		return nil, nil
	}
	d, err := readDicts(os.DirFS(dir), dir, nil)
	if err != nil {
		return nil, err
	}
	d.Prepared, d.preparedProblem = readPrepared(dir)
	return d, nil
}

// maxDictFileBytes bounds one word list: the largest built-in one is a
// few hundred KiB, and a link to /dev/zero named dict/x.txt was read until
// memory ran out.
const maxDictFileBytes = 64 << 20

// readDicts reads the dict/*.txt files of fsys over base's; dir is where
// fsys reads from, which errors name ("" for the embedded files).
func readDicts(fsys fs.FS, dir string, base *DictSet) (*DictSet, error) {
	d := &DictSet{Files: map[string][]byte{}, Dir: dir}
	if base != nil {
		for name, b := range base.Files {
			d.Files[name] = b
		}
	}
	names, err := fs.Glob(fsys, dictGlob)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), ".") {
			continue // an editor's lock or backup (.#domain.txt), a Mac's ._domain.txt
		}
		shown := filepath.Join(dir, filepath.FromSlash(name))
		fi, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("dictionary file %s: %w", shown, pathCause(err))
		}
		if fi.IsDir() {
			if _, replaces := d.Files[name]; replaces {
				// A folder named domain.txt, passed over, let the embedded
				// file serve in its place without a word said.
				return nil, fmt.Errorf("%s: a folder, not a word list", shown)
			}
			continue // a folder an editor left (old.txt/)
		}
		if !fi.Mode().IsRegular() {
			// A named pipe blocked the build, and SIGTERM with it.
			return nil, fmt.Errorf("%s: not a regular file (%s)", shown, fi.Mode().Type())
		}
		b, err := readBounded(fsys, name, maxDictFileBytes)
		if err != nil {
			return nil, fmt.Errorf("dictionary file %s: %w", shown, pathCause(err))
		}
		// Editors on Windows save UTF-8 with a byte order mark; as the
		// first word's (or comment's) first character it made that line
		// another word, or bad input.
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		if base != nil {
			if old, ok := base.Files[name]; ok {
				if d.Replaced == nil {
					d.Replaced = map[string][]string{}
				}
				d.Replaced[name] = lacking(name, old, b)
			}
		}
		d.Files[name] = b
	}
	d.ID = d.fingerprint()
	return d, nil
}

// fileError is err of loading d, which names a file as d's folder holds
// it (dict/domain.txt:119: …), with the folder put in front
// (DATA/dict/domain.txt:119: …) so the operator can open it.
func (d *DictSet) fileError(err error) error {
	if msg := err.Error(); d.Dir != "" && strings.HasPrefix(msg, "dict/") {
		return fmt.Errorf("dictionary: %s", d.Dir+string(filepath.Separator)+msg)
	}
	return fmt.Errorf("dictionary: %w", err)
}

// readBounded reads the file name of fsys, refusing one over limit bytes
// (its size may grow while it is read).
func readBounded(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("over %d MiB: not a word list", limit>>20)
	}
	return b, nil
}

// pathCause is the cause of a *fs.PathError, whose own text names the file
// as the folder read it (dict/x.txt), not as the operator can open it.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (d *DictSet) fingerprint() string {
	names := make([]string, 0, len(d.Files))
	for name := range d.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(d.Files[name]))
		h.Write(d.Files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// FS returns the set as a file system, for NewSegmenter.
func (d *DictSet) FS() fs.FS {
	m := fstest.MapFS{}
	for name, b := range d.Files {
		m[name] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m
}

// Write records the set in dir/dict/, synced, for GenerationDicts.
func (d *DictSet) Write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "dict"), 0o755); err != nil {
		return err
	}
	for name, b := range d.Files {
		if err := writeSynced(filepath.Join(dir, filepath.FromSlash(name)), b); err != nil {
			return fmt.Errorf("record dictionary: %w", err)
		}
	}
	return nil
}

// WritePrepared records in dir the prepared form of s's dictionary, the
// segmenter of d, followed by the SHA-256 of that form (a file read from
// disk or shipped to a replica is checked before gse's tables are built
// from it, see GenerationDicts); unless the binary's embedded prepared
// form serves d (prepared.go), as it does the embedded dictionary's
// generations: 10 MB and 60 ms (300 under the race detector) a build
// saved. A generation of the embedded dictionary that a later binary no
// longer embeds loads the text, until it is rebuilt.
func (d *DictSet) WritePrepared(dir string, s *Segmenter) error {
	inputs, err := dictInputsHash(d.FS())
	if err != nil {
		return err
	}
	if servedByEmbedded(inputs) {
		return nil
	}
	b, err := encodePrepared(s.seg.Dict, inputs)
	if err != nil {
		return fmt.Errorf("prepare dictionary: %w", err)
	}
	sum := sha256.Sum256(b)
	return writeSynced(filepath.Join(dir, filepath.FromSlash(preparedFile)), append(b, sum[:]...))
}

// servedByEmbedded reports whether the binary embeds a prepared form made
// from dictionaries of these inputs (dictInputsHash).
func servedByEmbedded(inputs [sha256.Size]byte) bool {
	b := embeddedPrepared()
	if b == nil {
		return false
	}
	_, err := loadPreparedHeader(b, inputs)
	return err == nil
}

// readPrepared returns the prepared form a generation recorded in dir
// (WritePrepared), or nil and why when there is none or it is not whole:
// it only saves time, and the text says the same (AcquireSegmenter warns
// when the text had to be loaded).
func readPrepared(dir string) ([]byte, string) {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(preparedFile)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "missing"
	case err != nil:
		return nil, err.Error()
	case len(b) < sha256.Size:
		return nil, "damaged: cut short"
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, "damaged: its checksum does not match"
	}
	return body, ""
}

// writeSynced writes b to a new file at path and syncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// segmenters holds the segmenters of the dictionaries in use, by ID: the
// word analyzer of an index names its dictionary's ID (WordsAnalyzer), and
// bleve builds analyzers by name, so the segmenter must be found here
// while an index using it is being built or is open. A segmenter costs
// about 45 MB, and every edit of a data folder's dictionary makes a new
// one: an entry is counted by the builds and open generations using it
// (AcquireSegmenter), and dropped when none does, except the one released
// last (spare), which the generation a build just wrote opens next.
var segmenters = struct {
	sync.Mutex
	m     map[string]*segEntry
	spare string
}{m: map[string]*segEntry{}}

type segEntry struct {
	seg  *Segmenter
	refs int
}

// AcquireSegmenter returns the segmenter of d, loading it on first use,
// and the function that releases it once the build or the open index
// using it is done (called once). The embedded dictionary's is
// DefaultSegmenter, never released. Errors name the file and line.
func AcquireSegmenter(d *DictSet) (*Segmenter, func(), error) {
	if d.ID == EmbeddedDicts().ID {
		return DefaultSegmenter(), func() {}, nil
	}
	segmenters.Lock()
	defer segmenters.Unlock()
	e, ok := segmenters.m[d.ID]
	if !ok {
		prepared := d.Prepared
		if prepared == nil {
			prepared = embeddedPrepared() // serves a set that differs in query-side files only
		}
		s, err := newSegmenter(d.FS(), prepared)
		if err != nil {
			return nil, nil, d.fileError(err)
		}
		switch {
		case d.Prepared != nil && !s.prepared:
			// Made by a binary with another gse, or of other files: the
			// text served, and start-up took its time.
			slog.Warn("dictionary loaded from its text: the generation's prepared form does not match this binary or its files", "dict", d.ID)
		case d.preparedProblem != "" && !s.prepared:
			// Nor does the embedded form serve it: a generation built with
			// an editor's dictionary lost its prepared form.
			slog.Warn("dictionary loaded from its text, a slower start: the generation's prepared form (dict/prepared.bin) is "+
				d.preparedProblem+", and its dictionary is not this binary's (built by another version of zhsearch, or "+
				"with an editor's dictionary); a reindex by this binary starts fast again", "dict", d.ID)
		}
		e = &segEntry{seg: s}
		segmenters.m[d.ID] = e
	}
	e.refs++
	var once sync.Once
	return e.seg, func() { once.Do(func() { releaseSegmenter(d.ID) }) }, nil
}

func releaseSegmenter(id string) {
	segmenters.Lock()
	defer segmenters.Unlock()
	e := segmenters.m[id]
	if e.refs--; e.refs > 0 {
		return
	}
	if old, ok := segmenters.m[segmenters.spare]; ok && segmenters.spare != id && old.refs == 0 {
		delete(segmenters.m, segmenters.spare)
	}
	segmenters.spare = id
}

// segmenterByID returns the segmenter AcquireSegmenter loaded for id.
func segmenterByID(id string) (*Segmenter, bool) {
	if id == EmbeddedDicts().ID {
		return DefaultSegmenter(), true
	}
	segmenters.Lock()
	defer segmenters.Unlock()
	e, ok := segmenters.m[id]
	if !ok {
		return nil, false
	}
	return e.seg, true
}
