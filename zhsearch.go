// Package zhsearch holds the domain of the zhsearch service: articles, search,
// suggest and related-article requests and results, and the error type every
// layer speaks. It depends on the standard library only; the index package
// (bleve, gse) and the api package (gin) both depend on it, never on each
// other, and cmd/zhsearch wires them together.
package zhsearch

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of the data model and the API, shared by validation everywhere.
const (
	MaxIDLen        = 128
	MaxTitleLen     = 512 // characters, not bytes
	MaxQueryLen     = 200 // characters, after trimming
	MaxSearchSize   = 50
	MaxRelatedSize  = 20
	MaxSuggestSize  = 20
	MaxResultWindow = 1000 // page*size may not go past this (deep-paging cap)
)

// ShanghaiTime is the zone the site's pages write their dates in.
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

// ValidID reports whether id is a well-formed article id.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Validate checks an article against the data model and returns an
// invalid_argument Error naming the first problem.
func (a *Article) Validate() error {
	if !ValidID(a.ID) {
		return Errorf(EINVALID, "id %q must be 1-%d characters of A-Za-z0-9._-", truncate(a.ID, 40), MaxIDLen)
	}
	if strings.TrimSpace(a.Title) == "" {
		return Errorf(EINVALID, "article %s: title is required", a.ID)
	}
	if n := utf8.RuneCountInString(a.Title); n > MaxTitleLen {
		return Errorf(EINVALID, "article %s: title has %d characters, at most %d allowed", a.ID, n, MaxTitleLen)
	}
	for _, s := range []string{a.Title, a.Body, a.URL, a.Category} {
		if !utf8.ValidString(s) {
			return Errorf(EINVALID, "article %s: text is not valid UTF-8", a.ID)
		}
	}
	return nil
}

// ParseTime reads a published_at value: RFC 3339, or the pages'
// "2006-01-02 15:04:05" read in Asia/Shanghai.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(PageTimeLayout, s, shanghai); err == nil {
		return t, nil
	}
	return time.Time{}, Errorf(EINVALID, "bad date %q: want RFC 3339 or %q", truncate(s, 40), PageTimeLayout)
}

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
		r.Size = 10
	}
	if r.Page < 1 {
		return Errorf(EINVALID, "page must be >= 1")
	}
	if r.Size < 1 || r.Size > MaxSearchSize {
		return Errorf(EINVALID, "size must be between 1 and %d", MaxSearchSize)
	}
	if r.Page > MaxResultWindow/r.Size {
		return Errorf(EINVALID, "page*size must be at most %d", MaxResultWindow)
	}
	return nil
}

func checkQuery(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", Errorf(EINVALID, "q is not valid UTF-8")
	}
	q = strings.TrimSpace(q)
	if q == "" {
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
	Score       float64    `json:"score"`
	Highlights  Highlights `json:"highlights"`
}

// SearchResult answers a SearchRequest.
type SearchResult struct {
	Query  string  `json:"query"`
	Total  uint64  `json:"total"`
	Page   int     `json:"page"`
	Size   int     `json:"size"`
	TookMS float64 `json:"took_ms"`
	Hits   []Hit   `json:"hits"`
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
}

// Validate normalizes defaults and checks the request's bounds.
func (r *RelatedRequest) Validate() error {
	if r.Size == 0 {
		r.Size = 5
	}
	if r.Size < 1 || r.Size > MaxRelatedSize {
		return Errorf(EINVALID, "size must be between 1 and %d", MaxRelatedSize)
	}
	if r.Draft == nil {
		if !ValidID(r.ID) {
			return Errorf(ENOTFOUND, "article not found")
		}
		return nil
	}
	if strings.TrimSpace(r.Draft.Title) == "" && strings.TrimSpace(r.Draft.Body) == "" {
		return Errorf(EINVALID, "a draft needs a title or a body")
	}
	if utf8.RuneCountInString(r.Draft.Title) > MaxTitleLen {
		return Errorf(EINVALID, "title has more than %d characters", MaxTitleLen)
	}
	return nil
}

// Related reasons beyond shared words.
const (
	ReasonFallback = "fallback"
)

// RelatedItem is one entry of a related-articles list.
type RelatedItem struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	URL         string     `json:"url"`
	PublishedAt *time.Time `json:"published_at"`
	Score       float64    `json:"score"`
	Reason      string     `json:"reason,omitempty"`
	Reasons     []string   `json:"reasons,omitempty"`
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

// isControl reports a control character other than the whitespace that
// pasted text may carry (tab, newline, carriage return).
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// String renders an article id and title for logs.
func (a *Article) String() string { return fmt.Sprintf("%s %q", a.ID, truncate(a.Title, 30)) }
