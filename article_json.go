package zhsearch

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jsonArticle is the input form of an article: published_at is a string so
// both date layouts are accepted.
type jsonArticle struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	URL         string   `json:"url"`
	PublishedAt string   `json:"published_at"`
	Tags        []string `json:"tags"`
	Category    string   `json:"category"`
	Related     []string `json:"related"`
}

// titleOnlyArticle is the input form of a judged suite's article, which may
// be a title-only one (as 相关内容 titles become).
type titleOnlyArticle struct {
	jsonArticle
	TitleOnly bool `json:"title_only"`
}

// DecodeArticle parses one article in its JSON input form (a line of an
// input *.jsonl file, the body of an article upsert) and validates it: one
// object, no unknown fields, published_at in either date layout, id, title
// and related titles trimmed. Text that is not valid UTF-8 is an error, not
// replaced with U+FFFD as encoding/json would.
func DecodeArticle(data []byte) (Article, error) {
	return decodeArticle(data, false)
}

// DecodeSuiteArticle is DecodeArticle for a judged suite's article, which
// may say "title_only".
func DecodeSuiteArticle(data []byte) (Article, error) {
	return decodeArticle(data, true)
}

// decodeArticle is DecodeArticle; titleOnly accepts a "title_only" field.
func decodeArticle(data []byte, titleOnly bool) (Article, error) {
	if !utf8.Valid(data) {
		return Article{}, Errorf(EINVALID, "text is not valid UTF-8")
	}
	var in titleOnlyArticle
	var v any = &in.jsonArticle
	if titleOnly {
		v = &in
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Article{}, Errorf(EINVALID, "malformed JSON: %v", err)
	}
	if dec.More() {
		return Article{}, Errorf(EINVALID, "malformed JSON: more than one value")
	}
	a := Article{
		ID: strings.TrimSpace(in.ID), Title: strings.TrimSpace(in.Title), Body: in.Body,
		URL: in.URL, Tags: in.Tags, Category: in.Category, Related: trimAll(in.Related),
		TitleOnly: in.TitleOnly,
	}
	if in.PublishedAt != "" {
		t, err := ParseTime(in.PublishedAt)
		if err != nil {
			return a, err
		}
		a.PublishedAt = t
	}
	return a, a.Validate()
}

func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
