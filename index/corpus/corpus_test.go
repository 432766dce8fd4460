package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const seedPage = "../../data/000_6fe797c5a744a779.txt"

func TestParsePageSeed(t *testing.T) {
	f, err := os.Open(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := ParsePage(seedPage, f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "000_6fe797c5a744a779" || a.Title != "花呗协商还款对征信的影响" {
		t.Errorf("id, title = %q, %q", a.ID, a.Title)
	}
	want := time.Date(2024, 5, 25, 5, 9, 59, 0, time.UTC) // 13:09:59 in Asia/Shanghai
	if !a.PublishedAt.Equal(want) {
		t.Errorf("published_at = %v, want %v", a.PublishedAt, want)
	}
	if !strings.HasPrefix(a.Body, "在现代社会") || !strings.HasSuffix(a.Body, "是避免此类问题的根本之道。") {
		t.Errorf("body runs from %q to %q", a.Body[:30], a.Body[len(a.Body)-30:])
	}
	if strings.Contains(a.Body, "相关内容") || strings.Contains(a.Body, "To Top") {
		t.Error("body holds the related list or trailer")
	}
	if len(a.Related) != 100 {
		t.Fatalf("related titles = %d, want 100", len(a.Related))
	}
	if a.Related[0] != "网贷风控了多久恢复征信记录" || a.Related[99] != "当资金周转困难时,如何选择合适的网贷产品" {
		t.Errorf("related list runs from %q to %q", a.Related[0], a.Related[99])
	}
}

// TestParsePageAsExported: pages as a CMS exports them read as the site
// shows them: old-Mac line ends, and a body that quotes the 相关内容 heading
// before the page's own list. Before, a lone \r made the page one line
// ("missing 发布时间"), and the quoted heading turned the body's paragraphs
// into related titles, searchable articles of their own.
func TestParsePageAsExported(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		body       string
		related    []string
	}{
		{"lone \\r line ends", "标题\r发布时间:2024-01-01 00:00:00\r正文\r相关内容:\r甲\rTo Top\r", "正文", []string{"甲"}},
		{"the heading quoted in the body", "标题\n发布时间:2024-01-01 00:00:00\n正文\n相关内容:\n这一段本是正文\n相关内容:\n乙\n丙\nTo Top",
			"正文\n相关内容:\n这一段本是正文", []string{"乙", "丙"}},
		{"a heading without its colon", "标题\n发布时间:2024-01-01 00:00:00\n正文\n相关内容\n甲\nTo Top", "正文", []string{"甲"}},
		{"a numbered, linked list", "标题\n发布时间:2024-01-01 00:00:00\n正文\n相关内容:\n1. 借呗怎么提前还款\n2、京东白条&amp;金条区别\n(3)花呗分期\n<a href=\"/x/1.html\">网贷逾期怎么办</a>\n1.5倍罚息合法吗\n2024年征信新规\n借呗怎么提前还款\nTo Top",
			"正文", []string{"借呗怎么提前还款", "京东白条&金条区别", "花呗分期", "网贷逾期怎么办", "1.5倍罚息合法吗", "2024年征信新规"}},
	} {
		a, err := ParsePage("p.txt", strings.NewReader(tt.text), 0)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if a.Title != "标题" || a.Body != tt.body || !reflect.DeepEqual(a.Related, tt.related) {
			t.Errorf("%s: title %q, body %q, related %q; want 标题, %q, %q", tt.name, a.Title, a.Body, a.Related, tt.body, tt.related)
		}
	}
}

func TestLoadSeedFolder(t *testing.T) {
	c, err := Load("../../data", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 1 || len(c.Articles) != 101 || c.TitleOnly != 100 {
		t.Fatalf("files=%d articles=%d title-only=%d, want 1, 101, 100", c.Files, len(c.Articles), c.TitleOnly)
	}
	ids := map[string]bool{}
	for _, a := range c.Articles[1:] {
		if !a.TitleOnly || a.Body != "" || a.ID != TitleID(a.Title) {
			t.Errorf("title-only article %+v", a)
		}
		ids[a.ID] = true
	}
	if len(ids) != 100 {
		t.Errorf("%d distinct title-only ids, want 100", len(ids))
	}
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadMergesTitlesAndKeepsIDsStable(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.jsonl", `{"id":"a1","title":"花呗风控","related":["征信修复","租机变现"]}
{"id":"a2","title":"征信修复","published_at":"2024-05-25T13:09:59+08:00","related":["租机变现 ","网贷自救"]}
`)
	write(t, dir, "b.txt", "网贷自救\n发布时间:2024-01-02 03:04:05\n正文。\n相关内容:\n租机变现\n花呗风控\nTo Top")
	c, err := Load(dir, strings.TrimSpace)
	if err != nil {
		t.Fatal(err)
	}
	var titleOnly []string
	for _, a := range c.Articles {
		if a.TitleOnly {
			titleOnly = append(titleOnly, a.ID+" "+a.Title)
		}
	}
	// 征信修复, 网贷自救 and 花呗风控 are real articles; 租机变现, listed
	// three times, is one title-only article.
	want := []string{TitleID("租机变现") + " 租机变现"}
	if !reflect.DeepEqual(titleOnly, want) {
		t.Errorf("title-only = %q, want %q", titleOnly, want)
	}
}

// TestBlankRelatedTitlesSkipped: a 相关内容 line that normalizes to
// nothing (a zero-width space pasted alone) becomes no title-only article,
// which would list as an empty link.
func TestBlankRelatedTitlesSkipped(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.txt", "网贷自救\n发布时间:2024-01-02 03:04:05\n正文。\n相关内容:\n\u200b\n租机变现\nTo Top")
	invisible := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\u200b", "")) }
	c, err := Load(dir, invisible)
	if err != nil {
		t.Fatal(err)
	}
	var titleOnly []string
	for _, a := range c.Articles {
		if a.TitleOnly {
			titleOnly = append(titleOnly, a.Title)
		}
	}
	if want := []string{"租机变现"}; !reflect.DeepEqual(titleOnly, want) {
		t.Errorf("title-only titles %q, want %q", titleOnly, want)
	}
}

func TestBadInputNamesFileAndLine(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"malformed json", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\",\n", "x.jsonl:2: malformed JSON"},
		{"missing title", "x.jsonl", "\n{\"id\":\"a\",\"title\":\"  \"}\n", "x.jsonl:2: article a: title is required"},
		{"invisible title", "x.jsonl", "{\"id\":\"a\",\"title\":\"\\u200b\\u2060\"}\n", "x.jsonl:1: article a: title is required"},
		{"bad id", "x.jsonl", "{\"id\":\"a/b\",\"title\":\"t\"}\n", "x.jsonl:1: id \"a/b\" must be"},
		{"bad date", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\",\"published_at\":\"yesterday\"}\n", "x.jsonl:1: bad date"},
		{"duplicate id", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"a\",\"title\":\"u\"}\n", "x.jsonl:2: duplicate id \"a\", first defined at"},
		{"unknown field", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\",\"titel\":\"u\"}\n", "x.jsonl:1: malformed JSON"},
		{"page without date", "p.txt", "标题\n正文\n相关内容:\nTo Top", "p.txt:2: expected a 发布时间"},
		{"page bad date", "p.txt", "标题\n发布时间:2024-13-01 00:00:00\n正文\nTo Top", "p.txt:2: bad date"},
		{"page without trailer", "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n正文\n相关内容:\n甲", "p.txt:5: page ends without"},
		{"empty page", "p.txt", "\n\n", "p.txt:2: empty page"},
		{"text after trailer", "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n正文\nTo Top\n多余", "p.txt:5: text after"},
		{"byte order mark inside", "x.jsonl", "\ufeff{\"id\":\"a\",\"title\":\"t\"}\n\ufeff{\"id\":\"b\",\"title\":\"u\"}\n", "x.jsonl:2: a byte order mark (U+FEFF) starts the line"},
		{"page without title", "p.txt", "发布时间:2024-01-01 00:00:00\n正文\nTo Top", "p.txt:1: a 发布时间: line where the page's title should be"},
		{"page saved as GBK", "p.txt", "\xbb\xa8\xdf\xc2\n\xb7\xa2\xb2\xbc\xca\xb1\xbc\xe4:2024-01-01 00:00:00\n正文\nTo Top", "p.txt:1: text is not valid UTF-8 (save the page as UTF-8)"},
		{"page saved as UTF-16", "p.txt", "\xff\xfe\x07\x68\n\x00", "p.txt:1: the page is saved as UTF-16: save it as UTF-8"},
		{"invalid UTF-8", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\",\"title\":\"花\xe5\"}\n", "x.jsonl:2: text is not valid UTF-8"},
		{"invalid UTF-8 in a body", "x.jsonl", "{\"id\":\"b\",\"title\":\"t\",\"body\":\"\xff\"}\n", "x.jsonl:1: text is not valid UTF-8"},
		{"NUL in a title", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\\u0000\"}\n", "x.jsonl:1: article a: title holds the control character U+0000"},
		{"RLO in a tag", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\",\"tags\":[\"a\u202e\"]}\n", "x.jsonl:1: article a: tag holds the control character U+202E"},
		{"a script for a url", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\",\"title\":\"t\",\"url\":\"javascript:alert(1)\"}\n", "x.jsonl:2: article b: url \"javascript:alert(1)\" must be an http or https URL or a path on the site"},
		{"id ..", "x.jsonl", "{\"id\":\"..\",\"title\":\"t\"}\n", "x.jsonl:1: id \"..\" must be"},
		{"article over the size limit", "x.jsonl", "\n{\"id\":\"a\",\"title\":\"t\",\"body\":\"" + strings.Repeat("x", 1<<20) + "\"}\n", "x.jsonl:2: article a: 1048578 bytes of text, at most 1048576"},
		{"line too long", "x.jsonl", "{\"id\":\"a\",\"title\":\"t\"}\n\n" + strings.Repeat("x", maxLine+1) + "\n", "x.jsonl:3: line is longer than 16777216 bytes"},
		{"page line too long", "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n" + strings.Repeat("x", maxLine+1) + "\nTo Top", "p.txt:3: line is longer than"},
		{"zero-byte page", "p.txt", "", "p.txt:1: empty page"},
		{"page body not UTF-8", "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n正文\n\n第二段\xff\n相关内容:\n甲\nTo Top", "p.txt:5: article p: body is not valid UTF-8"},
		{"page title and body both bad", "p.txt", "标题\a\n发布时间:2024-01-01 00:00:00\n正文\xff\nTo Top", "p.txt:1: article p: title holds the control character U+0007"},
		{"page related title BEL", "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n正文\n相关内容:\n甲\n乙\a\nTo Top", "p.txt:6: article p: related title holds the control character U+0007"},
		{"id of a title-only article", "x.jsonl", "{\"id\":\"a\",\"title\":\"借呗\",\"related\":[\"花呗分期\"]}\n{\"id\":\"" + TitleID("花呗分期") + "\",\"title\":\"别的标题\"}\n",
			"x.jsonl:2: id \"" + TitleID("花呗分期") + "\" has the form of a title-only id"},
		// Refused whether or not a list names the title yet: a list that
		// names it later would find its id taken.
		{"id of the form of a title-only article", "x.jsonl", "{\"id\":\"t-0123456789abcdef\",\"title\":\"别的标题\"}\n",
			"x.jsonl:1: id \"t-0123456789abcdef\" has the form of a title-only id"},
		{"page title BEL", "p.txt", "标题\a\n发布时间:2024-01-01 00:00:00\n正文\nTo Top", "p.txt:1: article p: title holds the control character U+0007"},
	}
	loaders := []struct {
		name string
		load func(string, Normalizer) (*Corpus, error)
	}{{"Load", Load}, {"LoadDeferred", func(dir string, n Normalizer) (*Corpus, error) { return LoadDeferred(dir, n, 0) }}}
	for _, tt := range tests {
		for _, l := range loaders {
			t.Run(tt.name+"/"+l.name, func(t *testing.T) {
				dir := t.TempDir()
				write(t, dir, tt.file, tt.content)
				_, err := l.load(dir, nil)
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v, want an InputError", err)
				}
				if got := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)); !strings.HasPrefix(got, tt.want) {
					t.Errorf("err = %q, want prefix %q", got, tt.want)
				}
			})
		}
	}
}

// TestArticleLimitIsTheLoaders: the size limit a build is given applies to
// its JSONL lines and pages alike, naming file and line; another loader in
// the same process keeps its own.
func TestArticleLimitIsTheLoaders(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("字", 1500) // 4,500 bytes
	write(t, dir, "a.jsonl", "{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\",\"title\":\"u\",\"body\":\""+body+"\"}\n")
	_, err := LoadDeferred(dir, nil, 4096)
	if err == nil || !strings.Contains(err.Error(), "a.jsonl:2: article b: ") || !strings.Contains(err.Error(), "at most 4096") {
		t.Errorf("limit 4096: err = %v, want a.jsonl:2 and the limit", err)
	}
	if _, err := LoadDeferred(dir, nil, 8192); err != nil {
		t.Errorf("limit 8192: %v", err)
	}
	pages := t.TempDir()
	write(t, pages, "p.txt", "标题\n发布时间:2024-01-01 00:00:00\n"+body+"\nTo Top")
	if _, err := LoadDeferred(pages, nil, 4096); err == nil || !strings.Contains(err.Error(), "p.txt:1: ") {
		t.Errorf("page, limit 4096: err = %v, want p.txt:1", err)
	}
}

func TestDuplicateAcrossFilesNamesBothPlaces(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.jsonl", "{\"id\":\"x\",\"title\":\"t\"}\n")
	b := write(t, dir, "b.jsonl", "\n\n{\"id\":\"x\",\"title\":\"u\"}\n")
	_, err := Load(dir, nil)
	if err == nil || !strings.Contains(err.Error(), b+":3:") || !strings.Contains(err.Error(), a+":1") {
		t.Errorf("err = %v, want both %s:1 and %s:3", err, a, b)
	}
}

// TestDataFileKinds: a linked input file is read; an input name that is no
// file (a dangling link, a folder) fails the load, naming it, rather than
// its articles going missing.
func TestDataFileKinds(t *testing.T) {
	elsewhere := t.TempDir()
	target := write(t, elsewhere, "real.jsonl", "{\"id\":\"linked\",\"title\":\"花呗\"}\n")
	dir := t.TempDir()
	write(t, dir, "a.jsonl", "{\"id\":\"a\",\"title\":\"借呗\"}\n")
	if err := os.Symlink(target, filepath.Join(dir, "b.jsonl")); err != nil {
		t.Fatal(err)
	}
	// What editors leave beside a file is no input: Emacs's lock, a
	// dangling link; macOS's resource fork, binary.
	if err := os.Symlink("root@host.1234:1700000000", filepath.Join(dir, ".#a.jsonl")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "._a.jsonl", "\x00\x05\x16\x07Mac OS X")
	c, err := Load(dir, nil)
	if err != nil {
		t.Fatalf("load with a linked file and hidden ones: %v", err)
	}
	if len(c.Articles) != 2 {
		t.Errorf("loaded %d articles, want 2 (one through the link)", len(c.Articles))
	}
	for name, create := range map[string]func(string) error{
		"dangling.jsonl": func(p string) error { return os.Symlink(filepath.Join(elsewhere, "gone.jsonl"), p) },
		"folder.jsonl":   func(p string) error { return os.Mkdir(p, 0o755) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "a.jsonl", "{\"id\":\"a\",\"title\":\"借呗\"}\n")
			p := filepath.Join(dir, name)
			if err := create(p); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(dir, nil); err == nil || !strings.Contains(err.Error(), p) {
				t.Errorf("err = %v, want one naming %s", err, p)
			}
		})
	}
}

func TestReadArticles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.jsonl")
	data := "{\"id\":\"a\",\"title\":\" t \",\"related\":[\"r\"]}\n\n{\"id\":\"b\",\"title\":\"u\",\"title_only\":true}\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadArticles(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Title != "t" || got[0].TitleOnly || !got[1].TitleOnly {
		t.Fatalf("ReadArticles = %+v, want a and title-only b, no article for the related title", got)
	}
	// A data file's title_only (as the article API answers) is read and
	// ignored: an exported article loads back as the article it is.
	got, err = ReadArticles(p, false)
	if err != nil {
		t.Fatalf("without titleOnly: %v", err)
	}
	if len(got) != 2 || got[1].TitleOnly || got[1].Title != "u" {
		t.Fatalf("without titleOnly: %+v, want b as an article, title_only ignored", got)
	}
}

// TestByteOrderMarks: files saved with a UTF-8 byte order mark and CRLF
// line ends (editors on Windows) load as any other; a mark inside a file
// is bad input at its line.
func TestByteOrderMarks(t *testing.T) {
	dir := t.TempDir()
	jsonl := "\ufeff{\"id\":\"j1\",\"title\":\"花呗逾期怎么办\",\"body\":\"正文\"}\r\n{\"id\":\"j2\",\"title\":\"借呗提前还款\"}\r\n"
	page := "\ufeff花呗协商还款\r\n\r\n发布时间:2024-05-25 13:09:59\r\n\r\n正文。\r\n\r\n相关内容\r\n\r\n征信花了怎么办\r\n\r\nTo Top\r\n"
	for name, text := range map[string]string{"a.jsonl": jsonl, "p1.txt": page} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(dir, nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	titles := map[string]string{}
	for _, a := range c.Articles {
		titles[a.ID] = a.Title
	}
	for id, want := range map[string]string{"j1": "花呗逾期怎么办", "j2": "借呗提前还款", "p1": "花呗协商还款"} {
		if titles[id] != want {
			t.Errorf("article %s: title %q, want %q", id, titles[id], want)
		}
	}

	// A body left on disk is read back from the line the mark begins.
	d, err := LoadDeferred(dir, nil, 0)
	if err != nil {
		t.Fatalf("load deferred: %v", err)
	}
	br := d.BodyReader()
	defer br.Close()
	for i, a := range d.Articles {
		if a.ID != "j1" {
			continue
		}
		body, err := br.Body(d.Refs[i], a.ID)
		if err != nil || body != "正文" {
			t.Errorf("j1's body read back: %q, %v; want 正文", body, err)
		}
	}

	bad := filepath.Join(t.TempDir(), "b.jsonl")
	if err := os.WriteFile(bad, []byte("{\"id\":\"a\",\"title\":\"t\"}\n\ufeff{\"id\":\"b\",\"title\":\"u\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadArticles(bad, false)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 2 {
		t.Errorf("a mark on line 2: err = %v, want an InputError at line 2", err)
	}
}

// TestLookalikes: files that look like input but are not read (an
// extension in capitals, .json) are listed, so a build can say so; input,
// hidden files, folders and other files are not.
func TestLookalikes(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jsonl", "b.txt", "C.JSONL", "d.Txt", "e.json", ".f.JSONL", "g.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "h.JSONL"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, want := Lookalikes(dir), []string{"C.JSONL", "d.Txt", "e.json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Lookalikes = %v, want %v", got, want)
	}
}
