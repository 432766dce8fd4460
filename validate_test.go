package zhsearch

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSearchRequestValidate(t *testing.T) {
	tests := []struct {
		q          string
		page, size int
		wantErr    string // "" for valid
		wantPage   int
		wantSize   int
	}{
		{"花呗", 0, 0, "", 1, 10},
		{"  花呗\t", 3, 5, "", 3, 5},
		{"花呗", 100, 10, "", 100, 10}, // page*size = 1000: the last allowed window
		{"花呗", 101, 10, "page*size", 0, 0},
		{"花呗", 20, 50, "", 20, 50},
		{"花呗", 21, 50, "page*size", 0, 0},
		{"花呗", 1000, 1, "", 1000, 1},
		{"花呗", 1001, 1, "page*size", 0, 0},
		// A size that does not divide 1000: the message names the last page.
		{"花呗", 333, 3, "", 333, 3},
		{"花呗", 334, 3, "with size 3 the last page is 333", 0, 0},
		{"花呗", 1_000_000_000, 0, "page*size", 0, 0}, // no overflow on huge pages
		{"花呗", -1, 10, "page must be", 0, 0},
		{"花呗", 1, 51, "size must be", 0, 0},
		{"花呗", 1, -1, "size must be", 0, 0},
		{"", 1, 10, "q is required", 0, 0},
		{" \u3000\t", 1, 10, "q is required", 0, 0},
		{"\u200b\ufeff \u2060", 1, 10, "q is required", 0, 0}, // zero-width only
		{strings.Repeat("花", 200), 1, 10, "", 1, 10},
		{strings.Repeat("花", 201), 1, 10, "at most 200", 0, 0},
		{"\xff", 1, 10, "UTF-8", 0, 0},
		{"\x00", 1, 10, "control characters", 0, 0},
		{"花\x1b[31m呗", 1, 10, "control characters", 0, 0},
		{"花呗\t风控\n征信", 1, 10, "", 1, 10}, // pasted whitespace is text
	}
	for _, tt := range tests {
		r := SearchRequest{Query: tt.q, Page: tt.page, Size: tt.size}
		err := r.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q page %d size %d: %v", tt.q, tt.page, tt.size, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || ErrorCode(err) != EINVALID):
			t.Errorf("%q page %d size %d: error %v, want invalid_argument with %q", tt.q, tt.page, tt.size, err, tt.wantErr)
		case tt.wantErr == "" && (r.Page != tt.wantPage || r.Size != tt.wantSize || r.Query != strings.TrimSpace(tt.q)):
			t.Errorf("%q: normalized to page %d size %d query %q", tt.q, r.Page, r.Size, r.Query)
		}
	}
}

func TestArticleValidate(t *testing.T) {
	ok := func() Article {
		return Article{ID: "a-1", Title: "花呗分期", Body: "正文\n第二段\t缩进\r\n", Tags: []string{"花呗"}}
	}
	tests := []struct {
		name    string
		edit    func(a *Article)
		wantErr string // "" for valid
	}{
		{"valid", func(a *Article) {}, ""},
		{"id missing", func(a *Article) { a.ID = "" }, "id is required"},
		{"id dot", func(a *Article) { a.ID = "." }, "not . or .."},
		{"id dotdot", func(a *Article) { a.ID = ".." }, "not . or .."},
		{"id with dots inside", func(a *Article) { a.ID = "a..b" }, ""},
		{"id with RLO", func(a *Article) { a.ID = "a\u202eb" }, "id"},
		{"title NUL", func(a *Article) { a.Title = "花呗\x00分期" }, "title holds the control character U+0000"},
		{"title BEL", func(a *Article) { a.Title = "花呗\a" }, "U+0007"},
		{"title tab", func(a *Article) { a.Title = "花呗\t分期" }, "U+0009"},
		{"title C1", func(a *Article) { a.Title = "花呗\u0085" }, "U+0085"},
		{"title RLO", func(a *Article) { a.Title = "花呗\u202e期分" }, "U+202E"},
		{"title LRE", func(a *Article) { a.Title = "\u202a花呗" }, "U+202A"},
		{"title isolate", func(a *Article) { a.Title = "花呗\u2066x\u2069" }, "U+2066"},
		{"title PDI", func(a *Article) { a.Title = "花呗\u2069" }, "U+2069"},
		{"title invalid UTF-8", func(a *Article) { a.Title = "花\xff呗" }, "title is not valid UTF-8"},
		// Titles that show nothing listed as empty links.
		{"title zero-width space", func(a *Article) { a.Title = "\u200b" }, "title is required"},
		{"title invisible", func(a *Article) { a.Title = " \u00ad\ufeff\u2060\u200c\u200d\u3000" }, "title is required"},
		{"title hangul filler", func(a *Article) { a.Title = "\u3164" }, "title is required"},
		{"title blank braille", func(a *Article) { a.Title = "\u2800\u2800" }, "title is required"},
		{"title joined word", func(a *Article) { a.Title = "花\u00ad呗" }, ""},
		{"title punctuation", func(a *Article) { a.Title = "?" }, ""},
		{"date 2024", func(a *Article) { a.PublishedAt = time.Date(2024, 5, 25, 0, 0, 0, 0, time.UTC) }, ""},
		{"date 0224", func(a *Article) { a.PublishedAt = time.Date(224, 5, 25, 0, 0, 0, 0, time.UTC) }, "1677-09-22 to 2262-04-10"},
		{"date 9999", func(a *Article) { a.PublishedAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }, "1677-09-22 to 2262-04-10"},
		{"title 512", func(a *Article) { a.Title = strings.Repeat("花", MaxTitleLen) }, ""},
		{"title 513", func(a *Article) { a.Title = strings.Repeat("花", MaxTitleLen+1) }, "at most 512"},
		{"body invalid UTF-8", func(a *Article) { a.Body = "正文\xc3" }, "body is not valid UTF-8"},
		{"body NUL", func(a *Article) { a.Body = "正文\x00" }, "body holds the control character U+0000"},
		{"body ESC", func(a *Article) { a.Body = "\x1b[31m正文" }, "U+001B"},
		{"body bidi allowed", func(a *Article) { a.Body = "引文\u202bقال\u202c。" }, ""},
		{"tag RLO", func(a *Article) { a.Tags = []string{"花呗", "\u202e呗花"} }, "tag holds the control character U+202E"},
		{"tag newline", func(a *Article) { a.Tags = []string{"花\n呗"} }, "U+000A"},
		{"tag invalid UTF-8", func(a *Article) { a.Tags = []string{"\xfe"} }, "tag is not valid UTF-8"},
		{"64 tags", func(a *Article) { a.Tags = nTags(MaxTags) }, ""},
		{"65 tags", func(a *Article) { a.Tags = nTags(MaxTags + 1) }, "65 tags, at most 64"},
		{"tag 64 chars", func(a *Article) { a.Tags = []string{strings.Repeat("花", MaxTagLen)} }, ""},
		{"tag 65 chars", func(a *Article) { a.Tags = []string{strings.Repeat("花", MaxTagLen+1)} }, "at most 64 allowed"},
		{"category control", func(a *Article) { a.Category = "信用卡\x7f" }, "category holds"},
		{"url invalid UTF-8", func(a *Article) { a.URL = "https://x.example/\xff" }, "url is not valid UTF-8"},
		// A url is a link on partners' pages: never a script.
		{"url https", func(a *Article) { a.URL = "https://x.example/a/1.html" }, ""},
		{"url path", func(a *Article) { a.URL = "/a/1.html" }, ""},
		{"url relative path", func(a *Article) { a.URL = "a/花呗.html" }, ""},
		{"url javascript", func(a *Article) { a.URL = "javascript:alert(1)" }, `url "javascript:alert(1)" must be an http or https URL or a path on the site`},
		{"url JavaScript spaced", func(a *Article) { a.URL = " JavaScript:alert(1)" }, "must be an http or https URL"},
		{"url data", func(a *Article) { a.URL = "data:text/html,<script>alert(1)</script>" }, "must be an http or https URL"},
		{"url http without host", func(a *Article) { a.URL = "http:/a" }, "must be an http or https URL"},
		{"related title RLO", func(a *Article) { a.Related = []string{"正常标题", "\u202e题标"} }, "related title holds"},
		{"at the size limit", func(a *Article) { a.Body += strings.Repeat("x", int(DefaultMaxArticleBytes-a.textBytes())) }, ""},
		{"over the size limit", func(a *Article) { a.Body = strings.Repeat("x", DefaultMaxArticleBytes) }, "bytes of text, at most 1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok()
			tt.edit(&a)
			checkErr(t, a.Validate(0), tt.wantErr)
		})
	}
}

// TestLinkURL: what answers give as an article's url, whatever was stored.
func TestLinkURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://x.example/a/1.html": "https://x.example/a/1.html",
		"HTTP://x.example/":          "HTTP://x.example/",
		"/a/1.html":                  "/a/1.html",
		"//x.example/a":              "//x.example/a",
		"":                           "",
		"javascript:alert(1)":        "",
		"  javascript:alert(1)":      "",
		"vbscript:msgbox":            "",
		"data:text/html,x":           "",
		"file:///etc/passwd":         "",
		"mailto:a@x.example":         "",
		"https:///nohost":            "",
		// As a page's HTML parser reads it in an href.
		"javascript&colon;alert(1)": "",
		"javascript&#58;alert(1)":   "",
		"java&#x09;script:alert(1)": "",
		"/a?x=1&amp;y=2":            "/a?x=1&amp;y=2",
		"/a?x=1&y=2":                "/a?x=1&y=2",
		`https:\\x.example\a`:       "",
		"/post/xss-1.html":          "/post/xss-1.html",
	} {
		if got := LinkURL(u); got != want {
			t.Errorf("LinkURL(%q) = %q, want %q", u, got, want)
		}
	}
}

func TestMaxArticleBytesIsConfigurable(t *testing.T) {
	t.Parallel() // the limit is an argument, not process state
	a := Article{ID: "a", Title: "标题", Body: strings.Repeat("x", 5000)}
	checkErr(t, a.Validate(4096), "at most 4096")
	checkErr(t, a.Validate(8192), "")
	if got := ArticleLimit(1 << 40); got != MaxMaxArticleBytes {
		t.Errorf("limit %d for 1 TiB, want the cap %d", got, MaxMaxArticleBytes)
	}
	for _, n := range []int64{0, -1} {
		if got := ArticleLimit(n); got != DefaultMaxArticleBytes {
			t.Errorf("limit %d for %d, want the default %d", got, n, DefaultMaxArticleBytes)
		}
	}
}

func TestDraftValidate(t *testing.T) {
	long := strings.Repeat("花", MaxDraftBodyLen) + "呗呗呗"
	tests := []struct {
		name     string
		draft    Article
		wantErr  string
		wantBody string // checked when wantErr is ""
	}{
		{"title only", Article{Title: "花呗"}, "", ""},
		{"body only", Article{Body: "正文\n\t第二段"}, "", "正文\n\t第二段"},
		{"empty", Article{Title: " ", Body: "\n"}, "needs a title or a body", ""},
		{"invisible", Article{Title: "\u200b", Body: "\u2060\n\u00ad"}, "needs a title or a body", ""},
		{"long body is cut, not refused", Article{Title: "花呗", Body: long}, "", strings.Repeat("花", MaxDraftBodyLen)},
		{"60000 tags", Article{Title: "花呗", Tags: nTags(60000)}, "60000 tags, at most 64", ""},
		{"long tag", Article{Title: "花呗", Tags: []string{strings.Repeat("a", 1000)}}, "1000 characters, at most 64", ""},
		{"title RLO", Article{Title: "\u202e花呗"}, "U+202E", ""},
		{"title invalid UTF-8", Article{Title: "\xff"}, "not valid UTF-8", ""},
		{"body NUL past the cut", Article{Title: "花呗", Body: long + "\x00"}, "U+0000", ""},
		{"body invalid UTF-8 past the cut", Article{Title: "花呗", Body: long + "\xff"}, "not valid UTF-8", ""},
		{"tag BEL", Article{Title: "花呗", Tags: []string{"a\a"}}, "U+0007", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.draft
			r := RelatedRequest{Draft: &d}
			err := r.Validate()
			checkErr(t, err, tt.wantErr)
			if err == nil && d.Body != tt.wantBody {
				t.Errorf("body %d characters after Validate, want %d", len([]rune(d.Body)), len([]rune(tt.wantBody)))
			}
		})
	}
}

func TestCutRunes(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""}, {"abc", 3, "abc"}, {"abcd", 3, "abc"}, {"花呗风控", 2, "花呗"}, {"花呗", 2, "花呗"}, {"a花", 1, "a"},
	} {
		if got := CutRunes(tt.s, tt.n); got != tt.want {
			t.Errorf("CutRunes(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func nTags(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "标签" + strconv.Itoa(i)
	}
	return tags
}

// checkErr fails unless err is nil (want "") or an invalid_argument Error
// whose message holds want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error, want one with %q", want)
	case want != "" && (ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), want)):
		t.Errorf("error %v, want invalid_argument with %q", err, want)
	}
}

// TestValidateAccepted: an edit accepted under older or looser rules
// still replays; only what no index can hold is refused.
func TestValidateAccepted(t *testing.T) {
	old := Article{ID: "a-1", Title: "花呗\t分期", Body: strings.Repeat("x", 10000), Tags: nTags(100)}
	if err := old.Validate(4096); err == nil {
		t.Fatal("the old article passes today's rules; the test proves nothing")
	}
	checkErr(t, old.ValidateAccepted(), "")
	for _, tt := range []struct {
		a    Article
		want string
	}{
		{Article{ID: "a/b", Title: "t"}, "id"},
		{Article{ID: "a", Title: " "}, "title is required"},
		{Article{ID: "a", Title: "t", Tags: []string{"\xff"}}, "not valid UTF-8"},
		{Article{ID: "a", Title: "t", Related: []string{"\xff"}}, "not valid UTF-8"},
	} {
		checkErr(t, tt.a.ValidateAccepted(), tt.want)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    string // RFC 3339 in UTC; "" when refused
		wantErr string
	}{
		{"2024-05-25T13:09:59+08:00", "2024-05-25T05:09:59Z", ""},
		{" 2024-05-25 13:09:59 ", "2024-05-25T05:09:59Z", ""},    // a page's layout, in Asia/Shanghai
		{"0001-01-01T00:00:01Z", "", "1677-09-22 to 2262-04-10"}, // bleve would keep no date
		{"0224-05-25 13:09:59", "", "1677-09-22 to 2262-04-10"},  // a typo for 2024
		{"2262-04-10T23:59:59.9Z", "2262-04-10T23:59:59Z", ""},   // the last day kept
		{"2262-04-11T00:00:00Z", "", "1677-09-22 to 2262-04-10"}, // inside int64's nanoseconds, but not a whole day
		{"1677-09-21T23:59:59Z", "", "1677-09-22 to 2262-04-10"},
		{"1677-09-22T00:00:00Z", "1677-09-22T00:00:00Z", ""}, // the first day kept
		// Inside int64's nanoseconds, but exported to the second it was
		// 00:12:43Z, outside them, and the export did not load again.
		{"1677-09-21T00:12:43.5Z", "", "1677-09-22 to 2262-04-10"},
		{"0001-01-01T0:00:00+00:00", "", "stands for no date"}, // the zero time: an Article's "no date"
		{"0001-01-01T08:00:00+08:00", "", "stands for no date"},
		{"0001-01-01 08:00:00", "", "stands for no date"}, // a page's layout, in Asia/Shanghai
		{"2024/05/25", "", "want RFC 3339"},
		{"", "", "want RFC 3339"},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ErrorCode(err) != EINVALID {
				t.Errorf("ParseTime(%q) = %v, %v; want an invalid_argument error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
		// A date kept loads again as an article exports it, to the second.
		if _, err := ParseTime(got.UTC().Format(time.RFC3339)); err != nil {
			t.Errorf("ParseTime(%q) kept %v, whose export does not load again: %v", tt.in, got, err)
		}
	}
}

// TestQueryDropsBidiControls: a query pasted with bidi embeddings,
// overrides or isolates searches (and is echoed) without them.
func TestQueryDropsBidiControls(t *testing.T) {
	for q, want := range map[string]string{
		"\u202e花呗逾期":        "花呗逾期",
		"花呗\u2066逾期\u2069 ": "花呗逾期",
		"征信\u202a修复\u202c":  "征信修复",
	} {
		r := SearchRequest{Query: q}
		if err := r.Validate(); err != nil || r.Query != want {
			t.Errorf("%q: query %q, err %v; want %q", q, r.Query, err, want)
		}
	}
	r := SearchRequest{Query: "\u202e\u2066"}
	if err := r.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("only bidi controls: err %v, want invalid_argument (q is required)", err)
	}
}

// TestBlankListEntriesDropped: a tag or a related title that shows
// nothing (empty, null, white space, zero-width characters) is dropped, as a data file or the
// admin API gives it, and the others are trimmed: a blank tag was shown as
// an empty link on the article's page.
func TestBlankListEntriesDropped(t *testing.T) {
	a, err := DecodeArticle([]byte(`{"id":"a","title":"花呗","tags":[null,""," 花呗 ","  ","\u200b"],"related":["",null,"  "," 借呗逾期 ","\u200b\u2060"]}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Tags, []string{"花呗"}) || !reflect.DeepEqual(a.Related, []string{"借呗逾期"}) {
		t.Errorf("tags %q, related %q; want [花呗] and [借呗逾期]", a.Tags, a.Related)
	}
}

// TestJSONEscapesKept: escapes that are characters decode as written: a
// whole surrogate pair, an escaped backslash before a u, a BMP escape, a
// key written with an escape.
func TestJSONEscapesKept(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"id":"a","title":"\ud83d\ude00"}`, "😀"},
		{`{"id":"a","title":"\\ud800"}`, `\ud800`},
		{`{"id":"a","title":"\u4e2d\u6587"}`, "中文"},
		{`{"id":"a","\u0074itle":"花呗"}`, "花呗"}, // a key written with an escape is still title
	}
	for _, tt := range tests {
		a, err := DecodeArticle([]byte(tt.in), 0)
		if err != nil || a.Title != tt.want {
			t.Errorf("%s: title %q, %v; want %q", tt.in, a.Title, err, tt.want)
		}
	}
}

// TestJSONProblem: a JSON mistake is worded by field and kind of value,
// never by Go's type names.
// TestJSONNumberProblems: a number a field cannot hold is out of range,
// not "a whole number, not a number".
func TestJSONNumberProblems(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"size":99999999999999999999}`, "size 99999999999999999999 is out of range"},
		{`{"size":-99999999999999999999}`, "size -99999999999999999999 is out of range"},
		{`{"min":1e400}`, "min 1e400 is out of range"},
		{`{"size":1.5}`, "size must be a whole number, not the number 1.5"},
		{`{"size":1e3}`, "size must be a whole number written without a decimal point or exponent, not 1e3"},
		{`{"size":3.0}`, "size must be a whole number written without a decimal point or exponent, not 3.0"},
		{`{"size":"3"}`, "size must be a whole number, not a string"},
		{`{"size":3,"min":0.5}`, ""},
	} {
		var v struct {
			Size int     `json:"size"`
			Min  float64 `json:"min"`
		}
		if got := DecodeStrictJSON([]byte(tt.in), &v); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSONProblem(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"title":5}`, "malformed JSON: title must be a string, not a number"},
		{`{"id":"a","title":"t","tags":"花呗"}`, "malformed JSON: tags must be a list of strings, not a string"},
		{`{"id":"a","title":"t","tags":[1]}`, "malformed JSON: tags must be a list of strings, not a list holding a number"},
		{`{"id":"a","title":`, "malformed JSON: the JSON ends early"},
		{`{"id":"a" "title":"t"}`, "malformed JSON: not JSON at byte 11: invalid character '\"' after object key:value pair"},
		{`{"id":"a","titel":"t"}`, `malformed JSON: unknown field "titel"`},
		{`["a"]`, "malformed JSON: want an object, not an array"},
		{` null `, "malformed JSON: want an object, not null"},
		{`{"id":"a","title":"t"}}`, "malformed JSON: more than one value"},
		{`{"id":"a","title":"t"} ]`, "malformed JSON: more than one value"},
		{`{"id":"a","title":"t"} {}`, "malformed JSON: more than one value"},
		// encoding/json matches keys ignoring case; the input form does not.
		{`{"id":"a","TITLE":"t"}`, `malformed JSON: unknown field "TITLE"`},
		{`{"ID":"a","title":"t"}`, `malformed JSON: unknown field "ID"`},
		// encoding/json keeps the last of a key given twice.
		{`{"id":"a","title":"花呗","id":"b"}`, `malformed JSON: duplicate field "id"`},
		{`{"id":"a","title":"t","tags":["x"],"tags":[]}`, `malformed JSON: duplicate field "tags"`},
		{`{"id":"a","title":"t","\u0074itle":"u"}`, `malformed JSON: duplicate field "title"`},
		// encoding/json turns half a surrogate pair into U+FFFD.
		{`{"id":"a","title":"\ud800花呗"}`, `malformed JSON: \ud800 is half of a UTF-16 surrogate pair, not a character`},
		{`{"id":"a","title":"花呗\udfff"}`, `malformed JSON: \udfff is half of a UTF-16 surrogate pair, not a character`},
		{`{"id":"a","title":"\ud83d\u4e2d"}`, `malformed JSON: \ud83d is half of a UTF-16 surrogate pair, not a character`},
	}
	for _, tt := range tests {
		_, err := DecodeArticle([]byte(tt.in), 0)
		if err == nil || ErrorMessage(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "Go ") {
			t.Errorf("%s: %v names Go", tt.in, err)
		}
	}
}
