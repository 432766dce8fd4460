// Package corpus reads the site's data folder: any number of `*.jsonl` files
// (one article per line) and page exports `*.txt` (title, 发布时间, body,
// 相关内容 list, To Top). It validates every article, turns each related title
// that is not itself an article into one title-only article, and reports bad
// input with the file and line it came from.
package corpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// maxLine bounds one JSONL line (and one page line); longer lines are an
// error, not a silent truncation.
const maxLine = 16 << 20

// Normalizer maps a title to the key under which equal titles are merged.
type Normalizer func(string) string

// Corpus is the validated content of a data folder.
type Corpus struct {
	// Articles holds every article: first the ones from files in file order,
	// then the title-only ones in order of first mention.
	Articles []zhsearch.Article
	// Files is the number of input files read.
	Files int
	// TitleOnly counts the title-only articles made from 相关内容 lists.
	TitleOnly int
	// Refs, when the loader deferred bodies (Loader.DeferBodies), says for
	// each article of Articles where its body is on disk; the zero BodyRef
	// means the body is in Articles (a page export's, or no body). Nil
	// when bodies were not deferred.
	Refs []BodyRef
	// files is the file table of Refs: the JSONL files as read.
	files []fileStamp
}

// Source says where an article was read: file and 1-based line.
type Source struct {
	File string
	Line int
}

func (s Source) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// InputError is bad input at a place in a file.
type InputError struct {
	Source
	Msg string
}

func (e *InputError) Error() string { return e.Source.String() + ": " + e.Msg }

// Loader builds a Corpus. Its zero value is not usable; use NewLoader.
type Loader struct {
	normalize Normalizer
	byID      map[string]Source
	articles  []zhsearch.Article
	titles    map[string]bool // normalized titles of real articles
	pending   []string        // related titles in order of first mention
	seen      map[string]bool // normalized pending titles
	files     int
	// maxBytes is the article size limit (zhsearch.ArticleLimit).
	maxBytes int64
	// deferBodies: JSONL bodies stay on disk, refs says where.
	deferBodies bool
	refs        []BodyRef
	stamps      []fileStamp
}

// NewLoader returns a Loader that merges titles equal under normalize
// (nil means exact match after trimming).
func NewLoader(normalize Normalizer) *Loader {
	if normalize == nil {
		normalize = strings.TrimSpace
	}
	return &Loader{
		normalize: normalize,
		byID:      map[string]Source{},
		titles:    map[string]bool{},
		seen:      map[string]bool{},
	}
}

// Load reads every *.jsonl and *.txt file directly in dir, in name order,
// under the default article size limit.
func Load(dir string, normalize Normalizer) (*Corpus, error) {
	l := NewLoader(normalize)
	if err := l.AddDir(dir); err != nil {
		return nil, err
	}
	return l.Corpus()
}

// LoadDeferred is Load with the bodies of JSONL articles left on disk: the
// corpus's Refs say where they are, and its BodyReader reads them back. An
// article larger than zhsearch.ArticleLimit(maxBytes) is bad input.
func LoadDeferred(dir string, normalize Normalizer, maxBytes int64) (*Corpus, error) {
	l := NewLoader(normalize)
	l.SetMaxArticleBytes(maxBytes)
	l.DeferBodies()
	if err := l.AddDir(dir); err != nil {
		return nil, err
	}
	return l.Corpus()
}

// SetMaxArticleBytes sets the size limit of the articles the loader
// accepts (zhsearch.ArticleLimit: 0 is the default). Call it before adding
// files.
func (l *Loader) SetMaxArticleBytes(n int64) { l.maxBytes = n }

// DeferBodies makes the loader leave the body of each article it reads
// from a JSONL file by AddFile on disk, after validating it: the article
// keeps an empty Body and the corpus's Refs record where the body is. Call
// it before adding files.
func (l *Loader) DeferBodies() { l.deferBodies = true }

// DataFiles lists the input files of a data folder in the order they are
// read: its .jsonl and .txt files, symbolic links to files followed. An
// input name that is not a readable file (a dangling link, a folder, a
// pipe) is an error naming it, never skipped: its articles would be lost
// from the index without a word. Hidden files (a name that starts with a
// dot) are no input: editors and file systems leave them beside the files
// they copy or edit (Emacs's lock .#a.jsonl, a dangling link while a.jsonl
// is being edited; macOS's ._a.jsonl, binary), and reading them failed
// the build.
func DataFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read data folder: %w", err)
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if ext != ".jsonl" && ext != ".txt" || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() {
			fi, err := os.Stat(path) // follows a link
			if err != nil {
				return nil, fmt.Errorf("data file %s: %w", path, err)
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("data file %s: not a regular file (%s)", path, fi.Mode().Type())
			}
		}
		files = append(files, path)
	}
	sort.Strings(files)
	return files, nil
}

// Lookalikes lists the files of a data folder that look like input but
// are not read: an extension in other letters' case (a.JSONL, b.Txt) or
// .json. The loader reads *.jsonl and *.txt only, and an operator whose
// export wrote A.JSONL saw "files: 1" and nothing more. Hidden files are
// left out, as the loader leaves them.
func Lookalikes(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // DataFiles says what is wrong
	}
	var out []string
	for _, e := range entries {
		name, ext := e.Name(), filepath.Ext(e.Name())
		if e.IsDir() && !strings.HasPrefix(name, ".") && !dataSubfolders[name] && holdsInput(filepath.Join(dir, name)) {
			out = append(out, name+"/") // an exporter's subfolder: never read
			continue
		}
		if strings.HasPrefix(name, ".") || e.IsDir() || ext == ".jsonl" || ext == ".txt" {
			continue
		}
		if strings.EqualFold(ext, ".jsonl") || strings.EqualFold(ext, ".txt") || strings.EqualFold(ext, ".json") {
			out = append(out, name)
		}
	}
	return out
}

// dataSubfolders are the folders of a data folder that hold no articles
// by design: the editor's dictionary and the edit journal.
var dataSubfolders = map[string]bool{"dict": true, "journal": true}

// holdsInput reports whether dir holds a *.jsonl or *.txt file.
func holdsInput(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".jsonl" || ext == ".txt") {
			return true
		}
	}
	return false
}

// AddDir reads every input file of dir.
func (l *Loader) AddDir(dir string) error {
	files, err := DataFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := l.AddFile(f); err != nil {
			return err
		}
	}
	return nil
}

// AddFile reads one .jsonl or .txt file.
func (l *Loader) AddFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	l.files++
	if filepath.Ext(path) == ".jsonl" {
		if !l.deferBodies {
			return l.AddJSONL(path, f)
		}
		file := int32(len(l.stamps) + 1)
		if err := l.addJSONL(path, f, false, file); err != nil {
			return err
		}
		stamp, err := stampFile(path, f)
		if err != nil {
			return err
		}
		l.stamps = append(l.stamps, stamp)
		return nil
	}
	a, err := ParsePage(path, f, l.maxBytes)
	if err != nil {
		return err
	}
	return l.Add(*a, Source{File: path, Line: 1})
}

// ReadArticles reads a JSONL file of articles: one per line, blank lines
// skipped, each decoded and validated as zhsearch.DecodeArticle does; titleOnly
// accepts a "title_only" field (a judged suite's title-only articles). A
// malformed line, an unknown field, text that is not UTF-8, an invalid
// article, a bad date or a duplicate id is an *InputError naming the file
// and line. Unlike a Loader, it adds no title-only articles for related
// titles.
func ReadArticles(path string, titleOnly bool) ([]zhsearch.Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l := NewLoader(nil)
	if err := l.addJSONL(path, f, titleOnly, 0); err != nil {
		return nil, err
	}
	return l.articles, nil
}

// AddJSONL reads one article per line; blank lines are skipped.
func (l *Loader) AddJSONL(name string, r io.Reader) error {
	return l.addJSONL(name, r, false, 0)
}

// addJSONL reads the JSONL articles of name from r. A file above 0 is the
// file's number in the deferred bodies' table: the bodies stay on disk.
func (l *Loader) addJSONL(name string, r io.Reader, titleOnly bool, file int32) error {
	decode := zhsearch.DecodeArticle
	if titleOnly {
		decode = zhsearch.DecodeSuiteArticle
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	// start is the offset of the line the scanner returns, end of the
	// bytes it has split off so far.
	var start, end int64
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if tok != nil {
			start, end = end, end+int64(adv)
		}
		return adv, tok, err
	})
	n := 1
	for ; sc.Scan(); n++ {
		raw := sc.Bytes()
		line := lineText(raw, n)
		if len(line) == 0 {
			continue
		}
		src := Source{File: name, Line: n}
		if bytes.HasPrefix(line, []byte("\ufeff")) {
			// Files joined with cat keep each one's mark; JSON read it as
			// "invalid character 'ï'".
			return &InputError{Source: src, Msg: "a byte order mark (U+FEFF) starts the line: only a file's first line may have one (files joined together?)"}
		}
		a, err := decode(line, l.maxBytes)
		if err != nil {
			return &InputError{Source: src, Msg: zhsearch.ErrorMessage(err)}
		}
		var ref BodyRef
		if file > 0 && a.Body != "" {
			ref = BodyRef{file: file, line: int32(min(n, math.MaxInt32)), off: start, n: int32(len(raw)),
				sum: crc32.Checksum(raw, crcTable)}
		}
		if err := l.add(a, src, ref); err != nil {
			return err
		}
	}
	return scanErr(name, n, sc.Err())
}

// scanErr words a scanner's error at line n of file name: a line over
// maxLine bytes is bad input at that line.
func scanErr(name string, n int, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bufio.ErrTooLong):
		return &InputError{Source: Source{File: name, Line: n}, Msg: fmt.Sprintf("line is longer than %d bytes", maxLine)}
	}
	return fmt.Errorf("%s:%d: %w", name, n, err)
}

// Add adds a validated article read at src.
func (l *Loader) Add(a zhsearch.Article, src Source) error {
	return l.add(a, src, BodyRef{})
}

// add adds a validated article; a non-zero ref leaves its body on disk
// there.
func (l *Loader) add(a zhsearch.Article, src Source, ref BodyRef) error {
	if err := a.Validate(l.maxBytes); err != nil {
		return &InputError{Source: src, Msg: zhsearch.ErrorMessage(err)}
	}
	if prev, dup := l.byID[a.ID]; dup {
		return &InputError{Source: src, Msg: fmt.Sprintf("duplicate id %q, first defined at %s", a.ID, prev)}
	}
	l.byID[a.ID] = src
	l.titles[l.normalize(a.Title)] = true
	for _, t := range a.Related {
		k := l.normalize(t)
		if k != "" && !l.seen[k] {
			l.seen[k] = true
			l.pending = append(l.pending, t)
		}
	}
	if l.deferBodies {
		if !ref.IsZero() {
			a.Body = ""
		}
		l.refs = append(l.refs, ref)
	}
	l.articles = append(l.articles, a)
	return nil
}

// Corpus returns the articles read so far plus one title-only article for
// each related title that no article carries. No article read has the id
// of one: Article.Validate refuses every id of their form (TitleID).
func (l *Loader) Corpus() (*Corpus, error) {
	c := &Corpus{Articles: l.articles, Files: l.files, Refs: l.refs, files: l.stamps}
	for _, t := range l.pending {
		k := l.normalize(t)
		if l.titles[k] {
			continue
		}
		c.Articles = append(c.Articles, zhsearch.Article{ID: TitleID(k), Title: t, TitleOnly: true})
		if l.deferBodies {
			c.Refs = append(c.Refs, BodyRef{})
		}
		c.TitleOnly++
	}
	return c, nil
}

// TitleID is the stable id of a title-only article: "t-" and 16 hex digits of
// the SHA-256 of its normalized title, so it survives reindexes and reorders.
func TitleID(normalizedTitle string) string {
	sum := sha256.Sum256([]byte(normalizedTitle))
	return "t-" + hex.EncodeToString(sum[:8])
}

// Page export markers.
const (
	datePrefix    = "发布时间"
	relatedMarker = "相关内容"
	trailer       = "To Top"
)

// ParsePage parses one exported page, at most zhsearch.ArticleLimit(maxBytes)
// bytes of text. The article id is the file's base name without extension.
// Errors name the file and line.
func ParsePage(name string, r io.Reader, maxBytes int64) (*zhsearch.Article, error) {
	id := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	fail := func(line int, format string, args ...any) error {
		return &InputError{Source: Source{File: name, Line: line}, Msg: fmt.Sprintf(format, args...)}
	}
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); bytes.Equal(head, []byte{0xff, 0xfe}) || bytes.Equal(head, []byte{0xfe, 0xff}) {
		return nil, fail(1, "the page is saved as UTF-16: save it as UTF-8")
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	sc.Split(zhsearch.ScanLines)
	a := &zhsearch.Article{ID: id}
	const (
		wantTitle = iota
		wantDate
		inBody
		inRelated
		done
	)
	state, n, titleLine := wantTitle, 0, 0
	marker, markerAt := "", 0 // the 相关内容 line the list follows
	var body []string
	var bodyAt, relatedAt []int // the line each body line, each related title is on
	for sc.Scan() {
		n++
		if state <= wantDate && !utf8.Valid(sc.Bytes()) {
			// Checked before the line is read as a label: a page saved as
			// GBK failed at its 发布时间 line, "expected a 发布时间: line".
			// (The body's and list's lines are checked with the article,
			// which names the first bad line of the page.)
			return nil, fail(n, "text is not valid UTF-8 (save the page as UTF-8)")
		}
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" {
			continue
		}
		switch state {
		case wantTitle:
			if _, ok := cutLabel(line, datePrefix); ok {
				// The date where the title should be: the page lost its
				// title line (said at line 3 before, the next line read).
				return nil, fail(n, "a %s: line where the page's title should be", datePrefix)
			}
			a.Title, titleLine, state = line, n, wantDate
		case wantDate:
			v, ok := cutLabel(line, datePrefix)
			if !ok {
				return nil, fail(n, "expected a %s: line after the title", datePrefix)
			}
			t, err := zhsearch.ParseTime(v)
			if err != nil {
				return nil, fail(n, "%s", zhsearch.ErrorMessage(err))
			}
			a.PublishedAt, state = t, inBody
		case inBody:
			if isRelatedMarker(line) {
				state, marker, markerAt = inRelated, line, n
			} else if line == trailer {
				state = done
			} else {
				body, bodyAt = append(body, line), append(bodyAt, n)
			}
		case inRelated:
			if line == trailer {
				state = done
			} else if isRelatedMarker(line) {
				// A second marker: the first was the body's own text (an
				// article that quotes the heading). The list is the last
				// one, before To Top; what followed the first marker is
				// body again. Taken for the list, the body's paragraphs
				// became related titles, and searchable articles of their
				// own.
				body, bodyAt = append(body, marker), append(bodyAt, markerAt)
				body, bodyAt = append(body, a.Related...), append(bodyAt, relatedAt...)
				a.Related, relatedAt = nil, nil
				marker, markerAt = line, n
			} else if t := listedTitle(line); !slices.Contains(a.Related, t) {
				a.Related, relatedAt = append(a.Related, t), append(relatedAt, n)
			}
		case done:
			return nil, fail(n, "text after %q", trailer)
		}
	}
	if err := scanErr(name, n+1, sc.Err()); err != nil {
		return nil, err
	}
	switch state {
	case wantTitle:
		return nil, fail(max(n, 1), "empty page: no title")
	case wantDate:
		return nil, fail(n, "missing %s: line", datePrefix)
	case inBody, inRelated:
		return nil, fail(n, "page ends without %q", trailer)
	}
	a.Body = strings.Join(body, "\n")
	if err := a.Validate(maxBytes); err != nil {
		return nil, fail(badLine(a, titleLine, body, bodyAt, relatedAt), "%s", zhsearch.ErrorMessage(err))
	}
	return a, nil
}

// badLine returns the line of a page that a refused article's error is
// about: the first body line or related title that is refused on its own
// (a control character, text that is not UTF-8), else the title's line (a
// bad title, or the whole article too large).
func badLine(a *zhsearch.Article, titleLine int, body []string, bodyAt, relatedAt []int) int {
	// Parts far below any size limit: the default stands for the page's.
	if (&zhsearch.Article{ID: a.ID, Title: a.Title}).Validate(0) != nil {
		return titleLine // Validate reports the title first
	}
	for i, line := range body {
		if (&zhsearch.Article{ID: a.ID, Title: "t", Body: line}).Validate(0) != nil {
			return bodyAt[i]
		}
	}
	for i, title := range a.Related {
		if (&zhsearch.Article{ID: a.ID, Title: "t", Related: []string{title}}).Validate(0) != nil {
			return relatedAt[i]
		}
	}
	return titleLine
}

// cutLabel matches "label:value" with an ASCII or full-width colon.
func cutLabel(line, label string) (string, bool) {
	rest, ok := strings.CutPrefix(line, label)
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	for _, colon := range []string{":", "："} {
		if v, ok := strings.CutPrefix(rest, colon); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// isRelatedMarker reports the heading of a page's 相关内容 list: 相关内容:
// as the site writes it, or the word alone on its line, as another CMS
// may (its list was read as body text).
func isRelatedMarker(line string) bool {
	v, ok := cutLabel(line, relatedMarker)
	return ok && v == "" || line == relatedMarker
}

// listedTitle is the title a line of a 相关内容 list names, without what a
// CMS exports around it: the list's numbering (1. 2、 (3)), a link (<a
// href="…">title</a>) and HTML entities (&amp;). Kept, 1. 借呗怎么提前还款
// was a title of its own, a search hit, and the related list's near
// duplicate of the real article.
func listedTitle(line string) string {
	t := line
	if m := anchorLine.FindStringSubmatch(t); m != nil {
		t = m[1]
	}
	if strings.Contains(t, "&") {
		t = html.UnescapeString(t)
	}
	if m := listNumber.FindStringSubmatchIndex(t); m != nil {
		rest := t[m[1]:]
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && !unicode.IsDigit(r) {
			t = rest // 1.5倍 is a number, not the list's first item
		}
	}
	if t = strings.TrimSpace(t); t == "" {
		return line
	}
	return t
}

var (
	anchorLine = regexp.MustCompile(`(?i)^<a\s[^>]*>(.*?)</a>$`)
	listNumber = regexp.MustCompile(`^(?:\d{1,3}\s*[.、．):：]|[(（]\d{1,3}[)）])\s*`)
)

// lineText is line n (1-based) of a JSONL file as the loader reads it:
// without the space around it and, on the first line, without the byte
// order mark that editors on Windows save UTF-8 with. The body reader
// reads a deferred body's line the same way.
func lineText(raw []byte, n int) []byte {
	line := bytes.TrimSpace(raw)
	if n == 1 {
		line = bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\ufeff")))
	}
	return line
}
