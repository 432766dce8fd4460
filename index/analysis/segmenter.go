package analysis

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-ego/gse"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/data"

	"golang.org/x/text/width"
)

// Segmenter cuts normalized Chinese text into words with gse, using gse's
// embedded simplified dictionary plus the domain dictionary, and knows the
// query stop words. It is safe for concurrent use once built.
type Segmenter struct {
	seg  gse.Segmenter
	stop map[string]bool
	lex  *Lexicon

	prepared bool // gse's dictionary came from the prepared form
}

// DefaultSegmenter returns the process's segmenter, loading the dictionaries
// on first use. Loading takes tens of milliseconds of CPU from the prepared
// dictionary (ten times that from the text) and 45 MB, so it is done once
// per process, whatever the number of indexes.
var DefaultSegmenter = sync.OnceValue(func() *Segmenter {
	s, err := NewSegmenter(data.Dict)
	if err != nil {
		panic("analysis: " + err.Error()) // embedded data: a build defect, not a run-time condition
	}
	return s
})

// NewSegmenter loads the base dictionary (zhdict/base.txt, a filtered copy
// of gse's simplified dictionary, see mkbasedict.go), then every dict/*.txt
// word list of dicts except stop.txt (gse format: word, frequency, part of
// speech), then dict/stop.txt as stop words. Words are normalized as text
// is, so a dictionary may write ID贷 or id贷. gse's per-token path values
// and search-mode sub-words are computed once, after every word is in.
// When the binary embeds a prepared dictionary made from these very files
// (prepared.go), gse's dictionary is decoded from it instead: the same
// dictionary, without the work; the lexicon and stop words are still read.
func NewSegmenter(dicts fs.FS) (*Segmenter, error) {
	return newSegmenter(dicts, embeddedPrepared())
}

// newSegmenter builds a segmenter; it takes gse's dictionary from
// prepared, a prepared form, when that was made from these very
// dictionaries (see prepared.go), and loads the text otherwise.
func newSegmenter(dicts fs.FS, prepared []byte) (*Segmenter, error) {
	go t2sTable() // normalizing the domain words needs it: build it meanwhile
	s := &Segmenter{stop: map[string]bool{}}
	s.seg.SkipLog = true
	s.seg.NotLoadHMM = true // Cut never uses gse's HMM
	s.seg.Init()
	var err error
	if s.lex, err = loadLexicon(dicts); err != nil {
		return nil, err
	}
	if prepared != nil {
		inputs, err := dictInputsHash(dicts)
		if err != nil {
			return nil, err
		}
		if s.seg.Dict, err = loadPrepared(prepared, inputs); err != nil {
			s.seg.Dict = nil // a different input: the text says what it holds
		}
		s.prepared = s.seg.Dict != nil
	}
	if err := s.loadStop(dicts, "dict/stop.txt"); err != nil {
		return nil, err
	}
	if s.seg.Dict == nil {
		if err := s.loadText(dicts); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadText builds gse's dictionary from the text: the base dictionary,
// the word lists, the lexicon's words, then gse's path values and
// search-mode sub-segments of every word.
func (s *Segmenter) loadText(dicts fs.FS) error {
	s.seg.Dict = gse.NewDict()
	if err := s.loadBase(); err != nil {
		return err
	}
	files, err := fs.Glob(dicts, "dict/*.txt")
	if err != nil {
		return err
	}
	for _, name := range files {
		if lexiconFiles[name] {
			continue
		}
		if err := s.addWords(dicts, name); err != nil {
			if name != "dict/domain.txt" {
				// synonym.txt or spoken-new.txt failed on its second
				// field, "frequency 晚还": say what the file was taken for.
				return fmt.Errorf("%w (any dict/*.txt other than the lexicon's files is a list of domain words, word [freq [pos]]: the lexicon's are %s)",
					err, strings.Join(lexiconNames(), ", "))
			}
			return err
		}
	}
	if err := s.addMissing("lexicon word", s.lex.words()); err != nil {
		return err
	}
	// Sorted: the dictionary, and its prepared form, are the same each time.
	if err := s.addMissing("stop word", slices.Sorted(maps.Keys(s.stop))); err != nil {
		return err
	}
	s.seg.CalcToken()
	return nil
}

// PrepareDict returns the prepared form (prepared.go) of the gse
// dictionary that the text of the base dictionary and of dicts gives;
// mkprepared.go writes it to zhdict/prepared.bin.
func PrepareDict(dicts fs.FS) ([]byte, error) {
	s, err := newSegmenter(dicts, nil)
	if err != nil {
		return nil, err
	}
	inputs, err := dictInputsHash(dicts)
	if err != nil {
		return nil, err
	}
	return encodePrepared(s.seg.Dict, inputs)
}

// loadBase adds the embedded base dictionary's words. Its entries are
// already in the form gse's loader gives them (see mkbasedict.go), so they
// are added as they stand, without normalization.
func (s *Segmenter) loadBase() error {
	text := baseDict
	for n := 1; text != ""; n++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		freqText, pos, _ := strings.Cut(rest, " ")
		freq, err := strconv.ParseFloat(freqText, 64)
		if err != nil || word == "" {
			return fmt.Errorf("base dictionary line %d: bad entry %q", n, line)
		}
		if err := s.seg.AddToken(word, freq, pos); err != nil {
			return fmt.Errorf("base dictionary line %d: %w", n, err)
		}
	}
	return nil
}

// maxDictFreq bounds a dictionary word's frequency: a thousand times the
// commonest words of the base dictionary (about 140,000), far past what
// makes a word win every cut.
const maxDictFreq = 1e8

// ParseDictLine parses "word [freq [pos]]"; blank lines and # comments give
// ok=false.
func ParseDictLine(line string) (word string, freq float64, pos string, ok bool, err error) {
	f := strings.Fields(line)
	if len(f) == 0 || strings.HasPrefix(f[0], "#") {
		return "", 0, "", false, nil
	}
	word, freq = Normalize(f[0]), 1000
	if word == "" {
		return "", 0, "", false, fmt.Errorf("word %q is empty after normalization", f[0])
	}
	if strings.Contains(word, " ") {
		// 省呗，1000，nz typed with a Chinese keyboard: the full-width
		// commas normalize to spaces, and the line was one "word" that no
		// text ever holds.
		return "", 0, "", false, fmt.Errorf("%q is not one word: separate the fields with spaces, not commas or other punctuation", f[0])
	}
	for _, x := range f[1:] {
		if strings.HasPrefix(x, "#") {
			return "", 0, "", false, errors.New("a comment takes a line of its own")
		}
	}
	number := func(x string) bool {
		_, err := strconv.ParseFloat(width.Narrow.String(x), 64)
		return err == nil
	}
	if len(f) > 2 && !number(f[1]) && number(f[2]) {
		// 融易 花 1000 nz: the space is inside the word, not a bad
		// frequency 花.
		return "", 0, "", false, fmt.Errorf("%q: a word holds no space (write %s%s)", f[0]+" "+f[1], f[0], f[1])
	}
	if len(f) > 1 {
		// Full-width digits (１０００) are the same number to the editor.
		if freq, err = strconv.ParseFloat(width.Narrow.String(f[1]), 64); err != nil || !(freq > 0) || math.IsInf(freq, 1) {
			return "", 0, "", false, fmt.Errorf("frequency %q must be a finite number above 0", f[1])
		}
		if freq > maxDictFreq {
			// gse dropped a word of 1e14 without a word: it went on
			// being cut as before.
			return "", 0, "", false, fmt.Errorf("frequency %q is too large: at most %d (the commonest words have about 100000)", f[1], int64(maxDictFreq))
		}
	}
	if len(f) > 2 {
		pos = f[2]
	}
	if len(f) > 3 {
		// 新词 100 n extra, or two entries on one line: what was meant is
		// not known, and taking the first three fields hid the mistake.
		return "", 0, "", false, fmt.Errorf("%d fields: want word [freq [pos]]", len(f))
	}
	return word, freq, pos, true, nil
}

func (s *Segmenter) addWords(dicts fs.FS, name string) error {
	return eachLine(dicts, name, func(n int, line string) error {
		word, freq, pos, ok, err := ParseDictLine(line)
		if err != nil || !ok {
			return err
		}
		// A domain entry replaces a stock entry's frequency: the domain
		// dictionary has the last word on how the site's words are cut.
		// CalcToken runs once after all files, not per word.
		if s.Known(word) {
			return s.seg.ReAddToken(word, freq, pos)
		}
		return s.seg.AddToken(word, freq, pos)
	})
}

// lexiconWordFreq is the frequency given to a synonym or question word the
// dictionaries lack: as much as a common domain phrase (征信花了), so that
// 还不上 or 信用记录 is cut as one word wherever it is written.
const lexiconWordFreq = 3000

// addMissing adds the words of two or more characters the dictionaries
// lack (kind names them in an error): the lexicon's, so that a synonym is
// one term in the index and in queries, and the stop words, which are
// matched against the words text is cut into (老铁 cut 老/铁 stopped
// nothing).
func (s *Segmenter) addMissing(kind string, words []string) error {
	for _, w := range words {
		if utf8.RuneCountInString(w) < 2 || s.Known(w) {
			continue
		}
		if err := s.seg.AddToken(w, lexiconWordFreq, "l"); err != nil {
			return fmt.Errorf("%s %q: %w", kind, w, err)
		}
	}
	return nil
}

// Lexicon returns the query lexicon: question words, spoken forms and
// synonyms.
func (s *Segmenter) Lexicon() *Lexicon { return s.lex }

// Respell is Lexicon.Respell for a query, leaving alone a spoken form that
// the query writes as the start of a longer word: one the segmenter cuts
// from inside the form to past its end (没得 of 没得到, whose 得到 starts at
// 得; 成不成 of 成不成功), where a shorter form at the same place is still
// read (咋 of 咋办理, whose 办理 starts inside 咋办). Respelled as text,
// 没得到 became 没有到 and lost its 得到. Words that start before a form
// do not count: the cut of the unrespelled text is where spoken forms
// mislead it (来自 / 个儿 of 看出来自个儿).
func (s *Segmenter) Respell(text string) string {
	if s.lex == nil || len(s.lex.spoken) == 0 {
		return text
	}
	words := s.Cut(text, false)
	return s.lex.respell(text, func(start, end int) bool {
		for _, w := range words {
			if start < w.Start && w.Start < end && end < w.End {
				return false
			}
		}
		return true
	})
}

func (s *Segmenter) loadStop(dicts fs.FS, name string) error {
	if _, err := fs.Stat(dicts, name); err != nil {
		return nil // no stop words is a valid configuration
	}
	return eachLine(dicts, name, func(_ int, line string) error {
		w := Normalize(strings.TrimSpace(line))
		if w == "" || strings.HasPrefix(w, "#") {
			return nil
		}
		if strings.Contains(w, " ") {
			// Query words never hold a space: such a line would stop nothing.
			return fmt.Errorf("a stop word is one word, without spaces: %.40q", w)
		}
		s.stop[w] = true
		return nil
	})
}

func eachLine(fsys fs.FS, name string, fn func(n int, line string) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Split(zhsearch.ScanLines)
	n := 1
	for ; sc.Scan(); n++ {
		if !utf8.Valid(sc.Bytes()) {
			// Normalizing dropped the bytes that were not text, so a word
			// saved in GBK became another (ID贷款: id).
			return fmt.Errorf("%s:%d: text is not valid UTF-8 (save the file as UTF-8)", name, n)
		}
		if err := fn(n, sc.Text()); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("%s:%d: line longer than %d KiB: a dictionary holds one word per line", name, n, bufio.MaxScanTokenSize>>10)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, n, err)
	}
	return nil
}

// IsStop reports whether a normalized word is a query stop word.
func (s *Segmenter) IsStop(word string) bool { return s.stop[word] }

// Known reports whether the dictionary holds a normalized word as an
// entry. gse's Dict.Find also says yes to the start of a longer word (滞纳
// of 滞纳金), which is no word: a synonym or question word taken for known
// so was never added, and its rule did nothing.
func (s *Segmenter) Known(word string) bool {
	_, _, err := s.seg.Dict.Value([]byte(word))
	return err == nil
}

// Word is one segmented word with its byte span in the text it was cut from.
// Sub is set for the shorter words found inside a longer one (search mode).
type Word struct {
	Text       string
	Start, End int
	Sub        bool
}

// Cut segments normalized text into words. With search set, each word of
// three or more characters is followed by the dictionary words of two or
// more characters inside it (花呗协商还款 → 花呗, 协商还款, 协商, 还款), so
// that a reader's shorter word still meets a longer indexed one.
// Separators (spaces) are not words.
func (s *Segmenter) Cut(text string, search bool) []Word {
	segs := s.seg.Segment([]byte(text))
	words := make([]Word, 0, len(segs)+len(segs)/2)
	for i := range segs {
		sg := &segs[i]
		w := text[sg.Start():sg.End()]
		if strings.TrimSpace(w) == "" {
			continue
		}
		words = append(words, Word{Text: w, Start: sg.Start(), End: sg.End()})
		if search && utf8.RuneCountInString(w) > 2 {
			words = appendSubwords(words, sg.Token(), text, sg.Start(), w)
		}
		if search {
			words = appendCodeParts(words, w, sg.Start())
		}
	}
	return words
}

// appendCodeParts appends the letters of a model name or code written as
// one word (iphone14: iphone; mate60: mate) as its pieces, so that a reader
// who types the name (iphone, or iphone 14, whose 14 the query joins to
// it) meets it. Its digits are no piece: a number the reader types (逾期100天,
// 六十天) is no model's (x100, mate60).
func appendCodeParts(words []Word, w string, start int) []Word {
	for _, p := range codeParts(w) {
		if !isDigitByte(w[p[0]]) {
			words = append(words, Word{Text: w[p[0]:p[1]], Start: start + p[0], End: start + p[1], Sub: true})
		}
	}
	return words
}

// codeParts returns the byte spans of the runs of ASCII letters and of
// digits in w when w is made of both, and only of them (iphone14, 4s,
// p2p); nil for any other word.
func codeParts(w string) [][2]int {
	letters, digits := false, false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letters = true
		default:
			return nil
		}
	}
	if !letters || !digits {
		return nil
	}
	var parts [][2]int
	start := 0
	for i := 1; i <= len(w); i++ {
		if i == len(w) || isDigitByte(w[i]) != isDigitByte(w[i-1]) {
			parts = append(parts, [2]int{start, i})
			start = i
		}
	}
	return parts
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// CodeParts returns the pieces of a model name or code written as one
// word (iphone14: iphone, 14), nil for any other word (see codeParts).
func CodeParts(w string) []string {
	var out []string
	for _, p := range codeParts(w) {
		out = append(out, w[p[0]:p[1]])
	}
	return out
}

func appendSubwords(words []Word, tok *gse.Token, text string, base int, parent string) []Word {
	for _, sub := range tok.Segments() {
		if sub == nil {
			continue
		}
		start, end := base+sub.Start(), base+sub.End()
		w := text[start:end]
		if w == parent {
			continue
		}
		if utf8.RuneCountInString(w) >= 2 {
			words = append(words, Word{Text: w, Start: start, End: end, Sub: true})
		}
		if utf8.RuneCountInString(w) > 2 {
			words = appendSubwords(words, sub.Token(), text, start, w)
		}
	}
	return words
}

// The stored form of a cut (StoreCut): cutVersion, the CRC-32 of the
// normalized text and its length, then for each whole word (not Sub) the
// bytes skipped before it and its length in bytes, as uvarints. A few
// bytes a word where storing its words would take tens: its search-mode
// pieces come back from the dictionary (Recut).
const cutVersion = 1

// StoreCut returns the stored form of cut, Cut(norm, true).
func StoreCut(norm string, cut []Word) string {
	b := make([]byte, 0, 16+2*len(cut))
	b = binary.AppendUvarint(b, cutVersion)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(norm)))
	b = binary.AppendUvarint(b, uint64(len(norm)))
	end := 0
	for _, w := range cut {
		if w.Sub {
			continue
		}
		b = binary.AppendUvarint(b, uint64(w.Start-end))
		b = binary.AppendUvarint(b, uint64(w.End-w.Start))
		end = w.End
	}
	return string(b)
}

// Recut returns Cut(norm, true) from its stored form (StoreCut) without
// segmenting: the whole words are where the stored form says, and the
// pieces of each longer one are its dictionary token's. false when stored
// is empty or is not the stored cut of norm (another version, another
// text): the caller cuts norm.
func (s *Segmenter) Recut(norm, stored string) ([]Word, bool) {
	b := []byte(stored)
	next := func() (int, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > uint64(len(norm)) {
			return 0, false
		}
		b = b[n:]
		return int(v), true
	}
	v, n := binary.Uvarint(b)
	if n <= 0 || v != cutVersion || len(b) < n+4 {
		return nil, false
	}
	sum := binary.BigEndian.Uint32(b[n:])
	b = b[n+4:]
	if n, ok := next(); !ok || n != len(norm) || sum != crc32.ChecksumIEEE([]byte(norm)) {
		return nil, false
	}
	words := make([]Word, 0, len(b)/2+len(b)/4)
	end := 0
	for len(b) > 0 {
		gap, ok1 := next()
		size, ok2 := next()
		start := end + gap
		if !ok1 || !ok2 || size == 0 || start+size > len(norm) {
			return nil, false
		}
		end = start + size
		w := norm[start:end]
		words = append(words, Word{Text: w, Start: start, End: end})
		if utf8.RuneCountInString(w) > 2 {
			if val, _, err := s.seg.Dict.Value([]byte(w)); err == nil {
				words = appendSubwords(words, &s.seg.Dict.Tokens[val], norm, start, w)
			}
		}
		words = appendCodeParts(words, w, start)
	}
	return words, true
}

// lexiconNames lists the lexicon's files (lexiconFiles) by name.
func lexiconNames() []string {
	var out []string
	for name := range lexiconFiles {
		out = append(out, path.Base(name))
	}
	slices.Sort(out)
	return out
}
