// Package zhsearch holds the domain of the zhsearch service: articles, search,
// suggest and related-article requests and results, and the error type every
// layer speaks. It depends on the standard library only; the index package
// (bleve, gse) and the api package (gin) both depend on it, never on each
// other, and cmd/zhsearch wires them together.
package zhsearch

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of the data model and the API, shared by validation everywhere.
const (
	MaxIDLen      = 128
	MaxTitleLen   = 512 // characters, not bytes
	MaxQueryLen   = 200 // characters, after trimming
	MaxSearchSize = 50
	// DefaultSearchSize is a search page's size when none is asked for.
	// A query that finds fewer articles is relaxed until it finds as
	// many, whatever size is asked: a query's hits and total never depend
	// on how it is paged.
	DefaultSearchSize = 10
	MaxRelatedSize    = 20
	MaxSuggestSize    = 20
	MaxResultWindow   = 1000 // page*size may not go past this (deep-paging cap)
	MaxTags           = 64   // tags of an article or a draft
	MaxTagLen         = 64   // characters of one tag
	// MaxDraftBodyLen is how many characters of a draft's body the related
	// engine reads: a longer body is cut to its first MaxDraftBodyLen
	// characters, not refused (an editor's long draft still gets its list;
	// its subject is in its title and first paragraphs).
	MaxDraftBodyLen = 10000
	// DefaultMaxArticleBytes is the article size limit unless configured
	// (ArticleLimit).
	DefaultMaxArticleBytes = 1 << 20
	// MaxMaxArticleBytes bounds a configured limit (ArticleLimit): an input
	// line of 16 MiB still holds an article this large written with JSON
	// escapes.
	MaxMaxArticleBytes = 8 << 20
)

// ArticleLimit returns the size limit of one article (the bytes of its
// text fields together) that a configured n stands for: n <= 0 is
// DefaultMaxArticleBytes, and n is capped at MaxMaxArticleBytes. The limit
// is the configuration's (--max-article-bytes), handed to every layer that
// accepts articles: the build's loader (corpus), live edits (LiveConfig,
// the cluster's Config) and Validate.
func ArticleLimit(n int64) int64 {
	if n <= 0 {
		return DefaultMaxArticleBytes
	}
	return min(n, MaxMaxArticleBytes)
}

// shanghai is the zone the site's pages write their dates in.
var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// PageTimeLayout is how exported pages write 发布时间.
const PageTimeLayout = "2006-01-02 15:04:05"

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// Article is one piece of site content. Title-only articles come from
// 相关内容 lists: they have a title and nothing else, and TitleOnly is set.
type Article struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Body        string    `json:"body,omitempty"`
	URL         string    `json:"url,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Tags        []string  `json:"tags,omitempty"`
	Category    string    `json:"category,omitempty"`
	Related     []string  `json:"related,omitempty"`
	TitleOnly   bool      `json:"title_only,omitempty"`
}

// ValidID reports whether id is a well-formed article id: 1 to MaxIDLen
// characters of A-Za-z0-9._-, and not "." or "..", which name folders in
// a path.
func ValidID(id string) bool { return id != "." && id != ".." && idPattern.MatchString(id) }

// titleOnlyIDPattern is the form of the ids the title-only articles of
// 相关内容 lists get: "t-" and 16 hex digits of their title's hash.
var titleOnlyIDPattern = regexp.MustCompile(`^t-[0-9a-f]{16}$`)

// IsTitleOnlyID reports whether id has the form of a title-only article's
// id, which no article of a data file or an admin PUT may take: a list
// naming the title later would find its id taken, and the title would
// vanish from search without a word.
func IsTitleOnlyID(id string) bool { return titleOnlyIDPattern.MatchString(id) }

// Validate checks an article against the data model and returns an
// invalid_argument Error naming the first problem: the id's form, a title
// of 1 to MaxTitleLen characters, valid UTF-8 everywhere, no control or
// bidi-override characters in the id, title, tags, category, URL and
// related titles (a body may hold tabs and line breaks, and bidi
// formatting), at most MaxTags tags of MaxTagLen characters, and at most
// ArticleLimit(maxBytes) bytes of text.
func (a *Article) Validate(maxBytes int64) error {
	if a.ID == "" {
		return Errorf(EINVALID, "id is required")
	}
	if !ValidID(a.ID) {
		return Errorf(EINVALID, "id %q must be 1-%d characters of A-Za-z0-9._- and not . or ..", Truncate(a.ID, 40), MaxIDLen)
	}
	if IsTitleOnlyID(a.ID) && !a.TitleOnly {
		return Errorf(EINVALID, "id %q has the form of a title-only id (t- and 16 hex digits), which the titles of 相关内容 lists get: choose another id", a.ID)
	}
	if blank(a.Title) {
		return Errorf(EINVALID, "article %s: title is required", a.ID)
	}
	if err := checkTitle("title", a.Title); err != nil {
		return Errorf(EINVALID, "article %s: %s", a.ID, err.Message)
	}
	if err := checkBody("body", a.Body); err != nil {
		return Errorf(EINVALID, "article %s: %s", a.ID, err.Message)
	}
	if err := a.checkLabels(); err != nil {
		return Errorf(EINVALID, "article %s: %s", a.ID, err.Message)
	}
	if !a.PublishedAt.IsZero() && !storableTime(a.PublishedAt) {
		return Errorf(EINVALID, "article %s: published_at %s: %s", a.ID, a.PublishedAt.Format(time.RFC3339), storableRange)
	}
	if n, limit := a.textBytes(), ArticleLimit(maxBytes); n > limit {
		return Errorf(EINVALID, "article %s: %d bytes of text, at most %d allowed", a.ID, n, limit)
	}
	return nil
}

// blank reports whether s shows nothing: it holds only white space,
// format characters (zero-width spaces and joiners, soft hyphens, word
// joiners, byte order marks), variation selectors and the other
// characters Unicode says to show as nothing (U+3164 HANGUL FILLER), and
// U+2800, the blank braille pattern. A title of them would list as an
// empty link.
func blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) && r != '\u2800' {
			return false
		}
	}
	return true
}

// ValidateAccepted checks an article that was valid when it was accepted
// (a journaled edit being replayed): its id, a title, valid UTF-8. It
// leaves out the rules that may have changed since — the size limit
// (--max-article-bytes), tag counts and lengths, control characters — so
// that an acknowledged edit is never refused after an upgrade or a lower
// --max-article-bytes.
func (a *Article) ValidateAccepted() error {
	if a.ID == "" {
		return Errorf(EINVALID, "id is required")
	}
	if !idPattern.MatchString(a.ID) {
		return Errorf(EINVALID, "id %q must be 1-%d characters of A-Za-z0-9._-", Truncate(a.ID, 40), MaxIDLen)
	}
	if strings.TrimSpace(a.Title) == "" {
		return Errorf(EINVALID, "article %s: title is required", a.ID)
	}
	texts := append([]string{a.Title, a.Body, a.URL, a.Category}, a.Tags...)
	for _, s := range append(texts, a.Related...) {
		if !utf8.ValidString(s) {
			return Errorf(EINVALID, "article %s: text is not valid UTF-8", a.ID)
		}
	}
	return nil
}

// checkLabels checks the short text fields other than the title.
func (a *Article) checkLabels() *Error {
	if err := checkTags(a.Tags); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"url", a.URL}, {"category", a.Category}} {
		if err := checkLine(f.name, f.v); err != nil {
			return err
		}
	}
	if a.URL != "" && LinkURL(a.URL) == "" {
		return Errorf(EINVALID, "url %q must be an http or https URL or a path on the site", Truncate(a.URL, 60))
	}
	for _, t := range a.Related {
		if err := checkTitle("related title", t); err != nil {
			return err
		}
	}
	return nil
}

// textBytes is the size of the article's text.
func (a *Article) textBytes() int64 {
	n := len(a.ID) + len(a.Title) + len(a.Body) + len(a.URL) + len(a.Category)
	for _, t := range a.Tags {
		n += len(t)
	}
	for _, t := range a.Related {
		n += len(t)
	}
	return int64(n)
}

// checkTitle checks a title: a line of at most MaxTitleLen characters.
func checkTitle(name, s string) *Error {
	if err := checkLine(name, s); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(s); n > MaxTitleLen {
		return Errorf(EINVALID, "%s has %d characters, at most %d allowed", name, n, MaxTitleLen)
	}
	return nil
}

// checkTags checks the number and form of tags.
func checkTags(tags []string) *Error {
	if len(tags) > MaxTags {
		return Errorf(EINVALID, "%d tags, at most %d allowed", len(tags), MaxTags)
	}
	for _, t := range tags {
		if err := checkLine("tag", t); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(t); n > MaxTagLen {
			return Errorf(EINVALID, "tag %q has %d characters, at most %d allowed", Truncate(t, 20), n, MaxTagLen)
		}
	}
	return nil
}

// checkLine checks one-line text: valid UTF-8 without control or
// bidi-override characters.
func checkLine(name, s string) *Error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid UTF-8", name)
	}
	if i := strings.IndexFunc(s, badInLine); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return Errorf(EINVALID, "%s holds the control character %U", name, r)
	}
	return nil
}

// LinkURL returns u when a page may link to it: an http or https URL, or
// a path on the site (/a/1.html, a/1.html, //host/a: no scheme of its
// own). Anything else (javascript:, data:, vbscript:, file:, or no URL at
// all) gives "". Validate refuses such a url; answers pass a stored one
// through LinkURL too, so that one accepted before the rule, or replayed
// from the journal, never reaches a partner's <a href> as a script.
// It is checked as a browser reads it in an attribute too: character
// references decoded (javascript&colon;… is a path until a page's HTML
// parser makes it javascript:…) and backslashes as slashes.
func LinkURL(u string) string {
	t := strings.TrimSpace(u)
	if t == "" || !linkable(t) {
		return ""
	}
	if d := strings.ReplaceAll(html.UnescapeString(t), `\`, "/"); d != t && !linkable(strings.TrimSpace(d)) {
		return ""
	}
	return u
}

// linkable reports whether t parses as an http(s) URL or a path on the
// site.
func linkable(t string) bool {
	p, err := url.Parse(t)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "":
		return p.Opaque == ""
	case "http", "https":
		return p.Host != ""
	}
	return false
}

// checkBody checks body text: valid UTF-8 without control characters
// other than tab, line feed and carriage return.
func checkBody(name, s string) *Error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid UTF-8", name)
	}
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return Errorf(EINVALID, "%s holds the control character %U", name, r)
	}
	return nil
}

// badInLine reports a character that has no place in a title, tag or
// other one-line text: a C0 or C1 control (tab and line breaks included)
// or a bidi embedding, override or isolate (U+202A–U+202E,
// U+2066–U+2069), which can make a title display as something it is not.
func badInLine(r rune) bool { return unicode.IsControl(r) || isBidiControl(r) }

// isBidiControl reports a bidi embedding, override or isolate.
func isBidiControl(r rune) bool { return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 }

// ParseTime reads a published_at value: RFC 3339, or the pages'
// "2006-01-02 15:04:05" read in Asia/Shanghai. The zero time
// (0001-01-01 00:00 UTC) is refused: an Article holds it to mean no date,
// so accepting it would drop a date the input claims to give.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.ParseInLocation(PageTimeLayout, s, shanghai); err != nil {
			return time.Time{}, Errorf(EINVALID, "bad date %q: want RFC 3339 or %q", Truncate(s, 40), PageTimeLayout)
		}
	}
	if t.IsZero() {
		return time.Time{}, Errorf(EINVALID, "bad date %q: 0001-01-01 00:00 UTC stands for no date", Truncate(s, 40))
	}
	if !storableTime(t) {
		return time.Time{}, Errorf(EINVALID, "bad date %q: %s", Truncate(s, 40), storableRange)
	}
	return t, nil
}

// The dates an index keeps: nanoseconds since 1970 in an int64, as bleve
// stores a date field, cut to whole days (UTC) inside that range. A date
// outside it was kept as no date at all, so a typo (0224 for 2024) lost the
// article's date without a word. Whole days, because an article is
// exported with its date to the second: 1677-09-21T00:12:43.5Z, inside
// int64's range, came back as 00:12:43Z, outside it, and the export did not
// load again.
var (
	earliestTime = time.Date(1677, 9, 22, 0, 0, 0, 0, time.UTC) // the first instant kept
	pastLatest   = time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC) // the first instant not kept
)

const storableRange = "only dates from 1677-09-22 to 2262-04-10 (UTC) are kept"

// storableTime reports whether t is a date the index keeps.
func storableTime(t time.Time) bool { return !t.Before(earliestTime) && t.Before(pastLatest) }

// SearchRequest is one search-box query.
type SearchRequest struct {
	Query string
	Page  int // 1-based
	Size  int
}

// Validate normalizes defaults and checks the request's bounds.
func (r *SearchRequest) Validate() error {
	q, err := checkQuery(r.Query)
	if err != nil {
		return err
	}
	r.Query = q
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Size == 0 {
		r.Size = DefaultSearchSize
	}
	if r.Page < 1 {
		return Errorf(EINVALID, "page must be >= 1")
	}
	if r.Size < 1 || r.Size > MaxSearchSize {
		return Errorf(EINVALID, "size must be between 1 and %d", MaxSearchSize)
	}
	if r.Page > MaxResultWindow/r.Size {
		return Errorf(EINVALID, "page*size must be at most %d: with size %d the last page is %d", MaxResultWindow, r.Size, MaxResultWindow/r.Size)
	}
	return nil
}

func checkQuery(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", Errorf(EINVALID, "q is not valid UTF-8")
	}
	// Bidi embeddings, overrides and isolates mean nothing to a search
	// and can make the query display as something it is not where it is
	// echoed: they are dropped, as a reader pasting text never sees them.
	q = strings.TrimSpace(strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, q))
	if strings.TrimFunc(q, invisible) == "" {
		// Zero-width spaces and joiners alone are as blank as spaces.
		return "", Errorf(EINVALID, "q is required")
	}
	if n := utf8.RuneCountInString(q); n > MaxQueryLen {
		return "", Errorf(EINVALID, "q has %d characters, at most %d allowed", n, MaxQueryLen)
	}
	if strings.IndexFunc(q, isControl) >= 0 {
		return "", Errorf(EINVALID, "q holds control characters")
	}
	return q, nil
}

// invisible reports whether r shows nothing: white space or a format
// character (zero-width space, joiners, the byte order mark).
func invisible(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }

// Highlights are HTML-escaped fragments with <mark>…</mark> around matches.
type Highlights struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Hit is one search result.
type Hit struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	URL         string     `json:"url"`
	PublishedAt *time.Time `json:"published_at"`
	Snippet     string     `json:"snippet"`
	// Score falls along the list of a query, page after page: a client
	// may sort or cut by it. It ranks, it does not measure: a long
	// question's first hits are reordered by their titles, each taking
	// the score of the place it lands in.
	Score      float64    `json:"score"`
	Highlights Highlights `json:"highlights"`
	// Relaxed marks a hit that matches only part of the query: found
	// after the strict query found fewer than DefaultSearchSize articles
	// (see SearchResult).
	Relaxed bool `json:"relaxed"`
}

// SearchResult answers a SearchRequest.
type SearchResult struct {
	Query string `json:"query"`
	// Total counts the matching articles. Past MaxResultWindow matches,
	// which is as far as a reader can page, counting stops early and
	// TotalCapped is set: Total is then a lower bound ("1,000+").
	Total       uint64  `json:"total"`
	TotalCapped bool    `json:"total_capped,omitempty"`
	Page        int     `json:"page"`
	Size        int     `json:"size"`
	TookMS      float64 `json:"took_ms"`
	// Relaxed is set when the page holds relaxed hits: the strict query
	// (a share of the query's weight in every hit) found fewer than
	// DefaultSearchSize (10) articles, whatever the page size asked, so
	// less informative words were dropped, down to shared bigrams, to
	// find the closest articles. Relaxed hits follow the strict ones and
	// carry Hit.Relaxed; Total counts both. A page of strict hits only,
	// or past the last hit, leaves it unset.
	Relaxed bool  `json:"relaxed"`
	Hits    []Hit `json:"hits"`
}

// SuggestRequest asks for completions of what the reader has typed so far.
type SuggestRequest struct {
	Query string
	Size  int
}

// Validate normalizes defaults and checks the request's bounds.
func (r *SuggestRequest) Validate() error {
	q, err := checkQuery(r.Query)
	if err != nil {
		return err
	}
	r.Query = q
	if r.Size == 0 {
		r.Size = 8
	}
	if r.Size < 1 || r.Size > MaxSuggestSize {
		return Errorf(EINVALID, "size must be between 1 and %d", MaxSuggestSize)
	}
	return nil
}

// Suggestion is one autocomplete entry.
type Suggestion struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Highlight is the title, HTML-escaped, with what completes the typed
	// text in <mark>: the text as the title writes it (花唄風 marks 花呗风),
	// or the characters typed as pinyin or initials (hb marks 花呗).
	Highlight string `json:"highlight"`
}

// SuggestResult answers a SuggestRequest.
type SuggestResult struct {
	Query       string       `json:"query"`
	Suggestions []Suggestion `json:"suggestions"`
}

// RelatedRequest asks for the articles most worth reading next, either for
// a stored article (ID) or for an unsaved draft (Draft).
type RelatedRequest struct {
	ID    string
	Draft *Article
	Size  int
	// MinScore hides items scoring below it (0–1). The engine fills a list
	// to Size with every article sharing a word with the source, weaker
	// matches (ReasonWeak) and fallbacks (score 0) last; a site that would
	// rather show fewer items sets MinScore. 0 shows them all.
	MinScore float64
}

// Validate normalizes defaults and checks the request's bounds.
func (r *RelatedRequest) Validate() error {
	if r.Size == 0 {
		r.Size = 5
	}
	if r.Size < 1 || r.Size > MaxRelatedSize {
		return Errorf(EINVALID, "size must be between 1 and %d", MaxRelatedSize)
	}
	if !(r.MinScore >= 0 && r.MinScore <= 1) { // NaN too
		return Errorf(EINVALID, "min_score must be between 0 and 1")
	}
	if r.Draft == nil {
		if !ValidID(r.ID) {
			return Errorf(ENOTFOUND, "article not found")
		}
		return nil
	}
	return r.Draft.validateDraft()
}

// validateDraft bounds what an unsaved draft contributes to a related
// list: a title of at most MaxTitleLen characters, at most MaxTags tags of
// MaxTagLen characters, and the first MaxDraftBodyLen characters of the
// body (the rest is cut off here, not refused). With the text bounded, so
// are the distinct words the engine weighs: a draft has at most
// MaxTitleLen + MaxTags×MaxTagLen + MaxDraftBodyLen characters. Text must
// be valid UTF-8 without control or bidi-override characters (the body
// may hold tabs and line breaks).
func (a *Article) validateDraft() error {
	if blank(a.Title) && blank(a.Body) {
		return Errorf(EINVALID, "a draft needs a title or a body")
	}
	if err := checkTitle("title", a.Title); err != nil {
		return err
	}
	if err := checkTags(a.Tags); err != nil {
		return err
	}
	if err := checkBody("body", a.Body); err != nil {
		return err
	}
	a.Body = CutRunes(a.Body, MaxDraftBodyLen)
	return nil
}

// CutRunes returns the first n characters of s (s itself if shorter),
// without breaking a character.
func CutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// Why an item is on a related list; every item has one. ReasonSimilar
// marks an item similar to the source; ReasonWeak one that shares a word,
// a bigram or a synonym with the source but is less similar (it fills the
// list after the similar ones); ReasonFallback one that shares only tags,
// the category or a 相关内容 list with it.
const (
	ReasonSimilar  = "similar"
	ReasonWeak     = "weak"
	ReasonFallback = "fallback"
)

// RelatedItem is one entry of a related-articles list.
type RelatedItem struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	URL         string     `json:"url"`
	PublishedAt *time.Time `json:"published_at"`
	Score       float64    `json:"score"`
	Reason      string     `json:"reason"`
	Reasons     []string   `json:"reasons"`
}

// MarshalJSON writes reasons as [] when the item has none (a fallback
// that shares only a 相关内容 list), never null or absent: clients read
// item.reasons.length of every item.
func (it RelatedItem) MarshalJSON() ([]byte, error) {
	type plain RelatedItem // without this method
	p := plain(it)
	if p.Reasons == nil {
		p.Reasons = []string{}
	}
	return json.Marshal(p)
}

// RelatedResult answers a RelatedRequest.
type RelatedResult struct {
	ID      string        `json:"id,omitempty"`
	Related []RelatedItem `json:"related"`
}

// SearchService is what the HTTP API needs from an index. Every method
// takes the caller's context so a cancelled request stops its work.
type SearchService interface {
	Search(ctx context.Context, req SearchRequest) (*SearchResult, error)
	Suggest(ctx context.Context, req SuggestRequest) (*SuggestResult, error)
	Related(ctx context.Context, req RelatedRequest) (*RelatedResult, error)
	Article(ctx context.Context, id string) (*Article, error)
	// Ready returns nil when the index is open and answers queries.
	Ready(ctx context.Context) error
}

// CacheService is implemented by a SearchService that keeps recent
// answers. The HTTP API asks it first: an answer it holds costs nothing to
// compute, so it is served at once, outside the admission limit that
// bounds the searches and related lists that must be computed.
type CacheService interface {
	// CachedSearch returns the answer Search would give if it is cached,
	// or once the computation of it already running for another caller
	// ends (waiting within ctx); it never starts a search.
	CachedSearch(ctx context.Context, req SearchRequest) (*SearchResult, bool)
	// CachedRelated returns the list Related would give for a stored
	// article if it is cached, or once the computation of it already
	// running for another caller ends (waiting within ctx); it never
	// starts one.
	CachedRelated(ctx context.Context, req RelatedRequest) (*RelatedResult, bool)
}

// isControl reports a control character other than the whitespace that
// pasted text may carry (tab, newline, carriage return).
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

// Truncate shortens s to its first n characters and an ellipsis when it is
// longer, for quoting input in messages and logs.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// String renders an article id and title for logs.
func (a *Article) String() string { return fmt.Sprintf("%s %q", a.ID, Truncate(a.Title, 30)) }
