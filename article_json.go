package zhsearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
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
	// TitleOnly is read from a judged suite's article, which may be a
	// title-only one (as 相关内容 titles become), and ignored elsewhere.
	TitleOnly bool `json:"title_only"`
}

// DecodeArticle parses one article in its JSON input form (a line of an
// input *.jsonl file, the body of an article upsert) and validates it: one
// object, no unknown fields but "title_only", which the article API
// answers with and is ignored here (what makes a title-only article is a
// list naming a title no article has), published_at in either date
// layout, id, title and related titles trimmed, at most
// ArticleLimit(maxBytes) bytes of text. Text that is not valid UTF-8 is an
// error, not replaced with U+FFFD as encoding/json would.
func DecodeArticle(data []byte, maxBytes int64) (Article, error) {
	return decodeArticle(data, maxBytes, false)
}

// UpsertProblem reports what makes data, the body of an article upsert,
// malformed as a line of an input file would be (a duplicate or unknown
// field, a value of the wrong type, more than one value), "" when nothing
// does. It runs on the body as sent: the API sets the id from the path
// before DecodeArticle, and that step would hide a duplicate field.
func UpsertProblem(data []byte) string {
	var in jsonArticle
	return DecodeStrictJSON(data, &in)
}

// DecodeSuiteArticle is DecodeArticle for a judged suite's article, which
// may say "title_only".
func DecodeSuiteArticle(data []byte, maxBytes int64) (Article, error) {
	return decodeArticle(data, maxBytes, true)
}

// decodeArticle is DecodeArticle; titleOnly accepts a "title_only" field.
func decodeArticle(data []byte, maxBytes int64, titleOnly bool) (Article, error) {
	if !utf8.Valid(data) {
		return Article{}, Errorf(EINVALID, "text is not valid UTF-8")
	}
	var in jsonArticle
	if problem := DecodeStrictJSON(data, &in); problem != "" {
		return Article{}, Errorf(EINVALID, "malformed JSON: %s", problem)
	}
	a := Article{
		ID: strings.TrimSpace(in.ID), Title: strings.TrimSpace(in.Title), Body: in.Body,
		URL: in.URL, Tags: trimAll(in.Tags), Category: in.Category, Related: trimAll(in.Related),
		TitleOnly: titleOnly && in.TitleOnly,
	}
	if in.PublishedAt != "" {
		t, err := ParseTime(in.PublishedAt)
		if err != nil {
			return a, err
		}
		a.PublishedAt = t
	}
	return a, a.Validate(maxBytes)
}

// trimAll trims the entries of a list (tags, related titles) and drops
// those that show nothing (blank: "", white space, zero-width spaces).
func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); !blank(s) {
			out = append(out, s)
		}
	}
	return out
}

// DecodeStrictJSON decodes data, exactly one JSON value and no unknown
// field, into v, and returns what is wrong with it ("" when nothing is):
// the one strict decoder of the article input form and of the API's JSON
// bodies.
func DecodeStrictJSON(data []byte, v any) (problem string) {
	if esc := loneSurrogate(data); esc != "" {
		// encoding/json would turn it into U+FFFD without a word.
		return fmt.Sprintf("%s is half of a UTF-16 surrogate pair, not a character", esc)
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		// encoding/json leaves v as it was: the object's fields would be
		// reported missing, as if an object had been sent.
		return "want an object, not null"
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return listProblem(err, v)
	}
	// Token, not More: More reports no more values before a stray } or ]
	// (a line a bad export cut or spliced).
	if _, err := dec.Token(); err != io.EOF {
		return "more than one value"
	}
	return keyProblem(data, v)
}

// loneSurrogate returns the first \u escape of data that is half of a
// UTF-16 surrogate pair without its other half, "" when there is none.
func loneSurrogate(data []byte) string {
	for i := 0; i+1 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := unicodeEscape(data[i:])
		if !ok {
			i++ // \\, \n …: the escaped character is no escape's start
			continue
		}
		if utf16.IsSurrogate(r) {
			if low, ok := unicodeEscape(data[i+6:]); r < 0xdc00 && ok && low >= 0xdc00 && low <= 0xdfff {
				i += 11
				continue
			}
			return string(data[i : i+6])
		}
		i += 5
	}
	return ""
}

// unicodeEscape reads a \uXXXX escape at the start of b.
func unicodeEscape(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(n), err == nil
}

// keyProblem returns what is wrong with the keys of the JSON object data
// (which decoded into v without error), "" when nothing is: a key that
// names a field of the struct v points to only when letter case is
// ignored (TITLE for title), as encoding/json matches keys; or a key given
// twice in one object, of which encoding/json keeps the last without a
// word ({"id":"a","title":"花呗","id":"b"} stored b). It checks nothing when
// v is no struct. It scans the bytes once rather than decoding data again:
// a data file's every line comes through here, and a second decoding made
// each line half again as slow.
func keyProblem(data []byte, v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return ""
	}
	var seen [][][]byte // the keys of each object open at i, outermost first
	inString, start := false, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			switch c {
			case '"':
				inString, start = true, i+1
			case '{':
				seen = append(seen, nil)
			case '}':
				seen = seen[:max(len(seen)-1, 0)]
			}
			continue
		}
		switch c {
		case '\\':
			i++ // the escaped byte
		case '"':
			inString = false
			if !keyFollows(data[i+1:]) || len(seen) == 0 {
				continue
			}
			key := data[start:i]
			if bytes.IndexByte(key, '\\') >= 0 { // a key written with escapes
				var k string
				_ = json.Unmarshal(data[start-1:i+1], &k)
				key = []byte(k)
			}
			if len(seen) == 1 && !hasJSONName(t.Elem(), key) {
				return fmt.Sprintf("unknown field %q", key)
			}
			keys := &seen[len(seen)-1]
			if slices.ContainsFunc(*keys, func(k []byte) bool { return bytes.Equal(k, key) }) {
				return fmt.Sprintf("duplicate field %q", key)
			}
			*keys = append(*keys, key)
		}
	}
	return ""
}

// keyFollows reports whether rest, the bytes after a string, start with a
// colon (spaces aside): the string was an object's key.
func keyFollows(rest []byte) bool {
	for _, c := range rest {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// hasJSONName reports whether one of struct type t's fields, those of
// embedded structs too, is named name in JSON, exactly.
func hasJSONName(t reflect.Type, name []byte) bool {
	_, ok := jsonField(t, string(name))
	return ok
}

// jsonField returns the field of struct type t, or of a struct it embeds,
// that JSON names name, exactly.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			if g, ok := jsonField(f.Type, name); ok {
				return g, true
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if name == tag {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// listProblem is JSONProblem, but for a value of the wrong kind inside a
// list field of v ("tags":[1]), which encoding/json reports as the field
// itself ("tags must be a string", where "tags":"x" said "tags must be a
// list"): it names the list.
func listProblem(err error, v any) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || typeErr.Field == "" || strings.Contains(typeErr.Field, ".") {
		return JSONProblem(err)
	}
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return JSONProblem(err)
	}
	f, ok := jsonField(t, typeErr.Field)
	if !ok || f.Type.Kind() != reflect.Slice || f.Type.Elem() != typeErr.Type {
		return JSONProblem(err)
	}
	elem := strings.TrimPrefix(strings.TrimPrefix(jsonKind(typeErr.Type), "a "), "an ")
	return fmt.Sprintf("%s must be a list of %ss, not a list holding %s", typeErr.Field, elem, withArticle(typeErr.Value))
}

// withArticle puts "a" or "an" before a JSON kind (number, string, object).
func withArticle(kind string) string {
	if kind == "array" || kind == "object" {
		return "an " + kind
	}
	if strings.HasPrefix(kind, "number") {
		return "a number"
	}
	return "a " + kind
}

// JSONProblem words a decoding error of encoding/json for the person who
// wrote the JSON: the field and the kind of value it wants, or where the
// text stops being JSON, never Go's type names.
func JSONProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		want := jsonKind(typeErr.Type)
		got := "a " + typeErr.Value // number, string, bool
		if typeErr.Value == "array" || typeErr.Value == "object" {
			got = "an " + typeErr.Value
		}
		if lit, ok := strings.CutPrefix(typeErr.Value, "number "); ok {
			// A number of the right kind that the field cannot hold
			// (1e400, 99999999999999999999), or a number of another kind
			// (1.5 or 1e3 for a whole number).
			lit = Truncate(lit, 40)
			if want == "a number" || strings.Trim(lit, "-0123456789") == "" {
				return fmt.Sprintf("%s is out of range", strings.TrimSpace(typeErr.Field+" "+lit))
			}
			got = "the number " + lit
			if f, err := strconv.ParseFloat(lit, 64); err == nil && want == "a whole number" && f == math.Trunc(f) {
				// 3.0 and 1e3 are whole numbers to the reader who typed
				// them: say how to write them.
				return fmt.Sprintf("%s must be a whole number written without a decimal point or exponent, not %s", typeErr.Field, lit)
			}
		}
		if typeErr.Field == "" {
			return fmt.Sprintf("want %s, not %s", want, got)
		}
		return fmt.Sprintf("%s must be %s, not %s", typeErr.Field, want, got)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("not JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON ends early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names the JSON value a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.String {
			return "a list of strings"
		}
		return "a list"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}
